// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net config space of a snic vDPA device: what the driver reads
 * and the little it may write.
 */
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_net.h>

#include "snic.h"

/**
 * snic_netcfg_init() - initial config space of a new device
 * @cfg: config space to fill
 * @p: the device's provisioned attributes
 */
void snic_netcfg_init(struct snic_net_cfg *cfg, const struct snic_dev_params *p)
{
	memset(cfg, 0, sizeof(*cfg));
	ether_addr_copy(cfg->mac, p->mac);
	cfg->status = VIRTIO_NET_S_LINK_UP;
	cfg->max_vq_pairs = p->max_vq_pairs;
	cfg->mtu = p->mtu;
}
EXPORT_SYMBOL_IF_KUNIT(snic_netcfg_init);

static bool snic_netcfg_window_ok(unsigned int offset, unsigned int len)
{
	unsigned int end;

	return !check_add_overflow(offset, len, &end) &&
	       end <= sizeof(struct virtio_net_config);
}

/**
 * snic_netcfg_read() - read a window of the config space
 * @cfg: config space
 * @little_endian: whether the driver negotiated little-endian fields
 * @offset: first byte to read
 * @buf: where to copy the bytes
 * @len: number of bytes
 *
 * A window that does not lie inside &struct virtio_net_config reads as
 * zeroes, so a caller never sees stale memory.
 */
void snic_netcfg_read(const struct snic_net_cfg *cfg, bool little_endian,
		      unsigned int offset, void *buf, unsigned int len)
{
	struct virtio_net_config raw = {};

	if (!snic_netcfg_window_ok(offset, len)) {
		memset(buf, 0, len);
		return;
	}

	ether_addr_copy(raw.mac, cfg->mac);
	raw.status = __cpu_to_virtio16(little_endian, cfg->status);
	raw.max_virtqueue_pairs = __cpu_to_virtio16(little_endian,
						    cfg->max_vq_pairs);
	raw.mtu = __cpu_to_virtio16(little_endian, cfg->mtu);
	memcpy(buf, (u8 *)&raw + offset, len);
}
EXPORT_SYMBOL_IF_KUNIT(snic_netcfg_read);

/**
 * snic_netcfg_write() - apply a driver write to the config space
 * @cfg: config space
 * @offset: first byte written
 * @buf: the bytes
 * @len: number of bytes
 *
 * Only the MAC address is writable (QEMU writes the MAC of its -device
 * option there), as a whole and only with a unicast address: the rest
 * of the virtio-net config space is read-only.
 *
 * Return: true if the config space changed.
 */
bool snic_netcfg_write(struct snic_net_cfg *cfg, unsigned int offset,
		       const void *buf, unsigned int len)
{
	if (offset != offsetof(struct virtio_net_config, mac) ||
	    len != ETH_ALEN || !is_valid_ether_addr(buf) ||
	    ether_addr_equal(buf, cfg->mac))
		return false;

	ether_addr_copy(cfg->mac, buf);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(snic_netcfg_write);
