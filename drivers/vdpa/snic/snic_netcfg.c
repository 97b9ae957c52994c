// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net config space of a snic vDPA device, as the driver hands it
 * to vhost_vdpa and virtio_vdpa.  The NIC keeps it little-endian
 * (CONFIG_READ); a driver that did not negotiate VERSION_1 on a
 * big-endian host gets its fields in that host's order.
 */
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_net.h>

#include "snic.h"

static void snic_netcfg_fix16(__virtio16 *field, bool little_endian)
{
	*field = __cpu_to_virtio16(little_endian,
				   le16_to_cpu((__force __le16)*field));
}

/**
 * snic_netcfg_to_driver() - convert the NIC's config space for the driver
 * @cfg: config space as CONFIG_READ returned it, converted in place
 * @little_endian: whether the driver's fields are little-endian
 */
void snic_netcfg_to_driver(struct virtio_net_config *cfg, bool little_endian)
{
	snic_netcfg_fix16(&cfg->status, little_endian);
	snic_netcfg_fix16(&cfg->max_virtqueue_pairs, little_endian);
	snic_netcfg_fix16(&cfg->mtu, little_endian);
}
EXPORT_SYMBOL_IF_KUNIT(snic_netcfg_to_driver);

/**
 * snic_netcfg_in_range() - whether a window lies inside the config space
 * @offset: first byte
 * @len: number of bytes
 *
 * Return: true if [@offset, @offset + @len) is inside
 * &struct virtio_net_config, without wrapping.
 */
bool snic_netcfg_in_range(unsigned int offset, unsigned int len)
{
	unsigned int end;

	return !check_add_overflow(offset, len, &end) &&
	       end <= sizeof(struct virtio_net_config);
}

/**
 * snic_netcfg_window() - copy a window of the config space
 * @cfg: config space
 * @offset: first byte to read
 * @buf: where to copy the bytes
 * @len: number of bytes
 *
 * A window that does not lie inside &struct virtio_net_config reads as
 * zeroes, so a caller never sees stale memory.
 */
void snic_netcfg_window(const struct virtio_net_config *cfg,
			unsigned int offset, void *buf, unsigned int len)
{
	if (!snic_netcfg_in_range(offset, len)) {
		memset(buf, 0, len);
		return;
	}
	memcpy(buf, (const u8 *)cfg + offset, len);
}
EXPORT_SYMBOL_IF_KUNIT(snic_netcfg_window);
