/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one SmartNIC can do, as the driver learns it when it probes the NIC.
 *
 * Shared by the driver, the software model of the NIC and the tests.
 */
#ifndef _SNIC_CAPS_H
#define _SNIC_CAPS_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>
#include <uapi/linux/virtio_ring.h>

/* PCI vendor ID the NIC reports as its virtio subsystem vendor. */
#define SNIC_VENDOR_ID			0x1f0c

/* Limits of the reference NIC. */
#define SNIC_MAX_VQ_PAIRS		16
#define SNIC_MAX_FUNCTIONS		64
#define SNIC_VQ_NUM_MAX			1024
#define SNIC_VQ_NUM_MIN			64
#define SNIC_MIN_MTU			68
#define SNIC_MAX_MTU			9000
#define SNIC_DEFAULT_MTU		1500

/*
 * Features every device must offer: the NIC implements no legacy
 * interface, and it reaches guest memory only through its IOTLB.
 */
#define SNIC_MANDATORY_FEATURES		(BIT_ULL(VIRTIO_F_VERSION_1) | \
					 BIT_ULL(VIRTIO_F_ACCESS_PLATFORM))

/*
 * Features a device offers only when provisioned with them
 * (`vdpa dev add ... device_features`).
 */
#define SNIC_OPTIN_FEATURES		BIT_ULL(VIRTIO_F_RING_PACKED)

/* Every virtio feature the reference NIC implements. */
#define SNIC_SUPPORTED_FEATURES		(SNIC_MANDATORY_FEATURES | \
					 SNIC_OPTIN_FEATURES | \
					 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) | \
					 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | \
					 BIT_ULL(VIRTIO_NET_F_CSUM) | \
					 BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) | \
					 BIT_ULL(VIRTIO_NET_F_MTU) | \
					 BIT_ULL(VIRTIO_NET_F_MAC) | \
					 BIT_ULL(VIRTIO_NET_F_HOST_TSO4) | \
					 BIT_ULL(VIRTIO_NET_F_HOST_TSO6) | \
					 BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) | \
					 BIT_ULL(VIRTIO_NET_F_GUEST_TSO6) | \
					 BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) | \
					 BIT_ULL(VIRTIO_NET_F_STATUS) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_VQ) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_RX) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_VLAN) | \
					 BIT_ULL(VIRTIO_NET_F_MQ) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR) | \
					 BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))

/**
 * struct snic_caps - capabilities of one SmartNIC
 * @features: virtio features its virtio-net functions can offer
 * @max_vq_pairs: most data queue pairs one function can have
 * @max_functions: most vDPA devices (virtio functions) it can host
 * @vq_num_max: largest virtqueue size
 * @min_mtu: smallest MTU it accepts
 * @max_mtu: largest MTU it accepts
 */
struct snic_caps {
	u64 features;
	u16 max_vq_pairs;
	u16 max_functions;
	u16 vq_num_max;
	u16 min_mtu;
	u16 max_mtu;
};

#endif /* _SNIC_CAPS_H */
