/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules of the virtio-net device type (virtio 1.3, section 5.1) that both
 * sides of the vendor interface apply: the driver when it checks what a
 * user provisions, the NIC when it checks FN_CREATE and the features a
 * driver sets.
 */
#ifndef _SNIC_VIRTIO_NET_H
#define _SNIC_VIRTIO_NET_H

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/types.h>
#include <uapi/linux/virtio_net.h>

/* virtio-net feature dependencies (virtio 1.3, 5.1.3.1). */
static const struct {
	u8 bit;
	u64 needs_any;
} snic_net_feature_deps[] __maybe_unused = {
	{ VIRTIO_NET_F_GUEST_TSO4, BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) },
	{ VIRTIO_NET_F_GUEST_TSO6, BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) },
	{ VIRTIO_NET_F_HOST_TSO4, BIT_ULL(VIRTIO_NET_F_CSUM) },
	{ VIRTIO_NET_F_HOST_TSO6, BIT_ULL(VIRTIO_NET_F_CSUM) },
	{ VIRTIO_NET_F_CTRL_RX, BIT_ULL(VIRTIO_NET_F_CTRL_VQ) },
	{ VIRTIO_NET_F_CTRL_VLAN, BIT_ULL(VIRTIO_NET_F_CTRL_VQ) },
	{ VIRTIO_NET_F_CTRL_RX_EXTRA, BIT_ULL(VIRTIO_NET_F_CTRL_RX) },
	{ VIRTIO_NET_F_MQ, BIT_ULL(VIRTIO_NET_F_CTRL_VQ) },
	{ VIRTIO_NET_F_CTRL_MAC_ADDR, BIT_ULL(VIRTIO_NET_F_CTRL_VQ) },
	{ VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, BIT_ULL(VIRTIO_NET_F_CTRL_VQ) },
};

/**
 * snic_feature_deps_missing() - check virtio-net feature dependencies
 * @features: a feature set
 * @bit: set to the first feature whose dependency is missing
 *
 * Return: the features one of which @bit needs, or 0 if @features is
 * consistent.
 */
static inline u64 snic_feature_deps_missing(u64 features, int *bit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(snic_net_feature_deps); i++) {
		if (!(features & BIT_ULL(snic_net_feature_deps[i].bit)) ||
		    features & snic_net_feature_deps[i].needs_any)
			continue;
		*bit = snic_net_feature_deps[i].bit;
		return snic_net_feature_deps[i].needs_any;
	}
	return 0;
}

/**
 * snic_net_cvq_index() - where the control queue is (virtio 1.3, 5.1.2)
 * @features: the features the driver negotiated
 * @max_vq_pairs: the device's max_virtqueue_pairs
 *
 * Receive queue 2n and transmit queue 2n + 1 for n < N, then the CVQ at
 * 2N (if VIRTIO_NET_F_CTRL_VQ), N being @max_vq_pairs when
 * VIRTIO_NET_F_MQ or VIRTIO_NET_F_RSS is negotiated, else 1.
 *
 * Return: 2N.
 */
static inline u16 snic_net_cvq_index(u64 features, u16 max_vq_pairs)
{
	if (features & (BIT_ULL(VIRTIO_NET_F_MQ) | BIT_ULL(VIRTIO_NET_F_RSS)))
		return 2 * max_vq_pairs;
	return 2;
}

#endif /* _SNIC_VIRTIO_NET_H */
