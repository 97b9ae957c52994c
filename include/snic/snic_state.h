/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device state blob of a function (FN_STATE_SAVE, FN_STATE_RESTORE):
 * Documentation/device-state.rst.  A header, then virtio 1.4 device parts
 * (section 2.14): a 16-byte part header and a value, back to back, no
 * padding.  Every field little-endian.
 */
#ifndef _SNIC_STATE_H
#define _SNIC_STATE_H

#include <linux/build_bug.h>
#include <linux/types.h>

#define SNIC_STATE_MAGIC		0x54534e53	/* "SNST" */
#define SNIC_STATE_VERSION		1
#define SNIC_STATE_DEVICE_NET		1
#define SNIC_STATE_MAX			65536
/* A queue vector of SNIC_PART_VQ_CFG: none (VIRTIO_MSI_NO_VECTOR). */
#define SNIC_STATE_NO_VECTOR		0xffff

/**
 * struct snic_state_hdr - header of a state blob
 * @magic: SNIC_STATE_MAGIC
 * @version: SNIC_STATE_VERSION
 * @device_id: virtio device ID (1: network)
 * @length: bytes of the blob, this header included
 * @count: parts that follow
 */
struct snic_state_hdr {
	__le32 magic;
	__le16 version;
	__le16 device_id;
	__le32 length;
	__le32 count;
};

#define SNIC_PART_F_OPTIONAL		0x01

/**
 * struct snic_part_hdr - a device part's header (virtio_dev_part_hdr)
 * @type: SNIC_PART_*
 * @flags: SNIC_PART_F_OPTIONAL
 * @rsvd: reserved, 0
 * @sel: selector: queue index (le16) or CVQ class and command, by type
 * @length: bytes of the value that follows
 */
struct snic_part_hdr {
	__le16 type;
	u8 flags;
	u8 rsvd;
	u8 sel[8];
	__le32 length;
};

/* virtio 1.4 common parts. */
#define SNIC_PART_DEV_FEATURES		0x0100
#define SNIC_PART_DRV_FEATURES		0x0101
#define SNIC_PART_PCI_COMMON_CFG	0x0102
#define SNIC_PART_DEVICE_STATUS		0x0103
#define SNIC_PART_VQ_CFG		0x0104
#define SNIC_PART_VQ_NOTIFY_CFG		0x0105
/* virtio 1.4 virtio-net part: the data of a CVQ command. */
#define SNIC_PART_NET_CVQ		0x0200
/* snic parts, where virtio 1.4 has none. */
#define SNIC_PART_VQ_STATE		0xf000
#define SNIC_PART_NET_ATTRS		0xf001
#define SNIC_PART_MAC_OVERFLOW		0xf002

/**
 * struct snic_part_vq_cfg - value of SNIC_PART_VQ_CFG
 * @size: entries
 * @vector: counted from the function's config vector; 0xffff: none
 * @enabled: 1 if ready
 * @rsvd: reserved, 0
 * @desc: IOVA of the descriptor area
 * @driver: IOVA of the driver area
 * @device: IOVA of the device area
 */
struct snic_part_vq_cfg {
	__le16 size;
	__le16 vector;
	__le16 enabled;
	__le16 rsvd;
	__le64 desc;
	__le64 driver;
	__le64 device;
};

/**
 * struct snic_part_vq_state - value of SNIC_PART_VQ_STATE
 * @avail_idx: next available index (packed: slot) the device reads
 * @used_idx: next used index (packed: slot) the device writes
 * @avail_wrap: packed rings: wrap counter of @avail_idx
 * @used_wrap: packed rings: wrap counter of @used_idx
 * @rsvd: reserved, 0
 */
struct snic_part_vq_state {
	__le16 avail_idx;
	__le16 used_idx;
	u8 avail_wrap;
	u8 used_wrap;
	u8 rsvd[2];
};

/**
 * struct snic_part_net_attrs - value of SNIC_PART_NET_ATTRS
 * @mtu: the config space's MTU
 * @max_vq_pairs: the config space's max_virtqueue_pairs
 */
struct snic_part_net_attrs {
	__le16 mtu;
	__le16 max_vq_pairs;
};

#define SNIC_MAC_OVERFLOW_UC		0x01
#define SNIC_MAC_OVERFLOW_MC		0x02

/* Where FN_STATE_RESTORE found a blob wrong: its EINVAL response. */
enum snic_state_reason {
	SNIC_STATE_BAD_MAGIC		= 1,
	SNIC_STATE_BAD_VERSION		= 2,
	SNIC_STATE_BAD_DEVICE		= 3,
	SNIC_STATE_BAD_LENGTH		= 4,
	SNIC_STATE_BAD_COUNT		= 5,
	SNIC_STATE_TRUNCATED		= 6,
	SNIC_STATE_RESERVED		= 7,
	SNIC_STATE_UNKNOWN_PART		= 8,
	SNIC_STATE_PART_LENGTH		= 9,
	SNIC_STATE_DUPLICATE		= 10,
	SNIC_STATE_ORDER		= 11,
	SNIC_STATE_MISSING		= 12,
	SNIC_STATE_NOT_OFFERED		= 13,
	SNIC_STATE_NOT_NEGOTIATED	= 14,
	SNIC_STATE_BAD_STATUS		= 15,
	SNIC_STATE_BAD_QUEUE		= 16,
	SNIC_STATE_BAD_VQ_CFG		= 17,
	SNIC_STATE_BAD_VQ_STATE		= 18,
	SNIC_STATE_RANGE		= 19,
	SNIC_STATE_ATTR_MISMATCH	= 20,
	SNIC_STATE_REASON_MAX		= SNIC_STATE_ATTR_MISMATCH,
};

static_assert(sizeof(struct snic_state_hdr) == 16);
static_assert(sizeof(struct snic_part_hdr) == 16);
static_assert(sizeof(struct snic_part_vq_cfg) == 32);
static_assert(sizeof(struct snic_part_vq_state) == 8);
static_assert(sizeof(struct snic_part_net_attrs) == 4);

#endif /* _SNIC_STATE_H */
