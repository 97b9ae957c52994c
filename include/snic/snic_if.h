/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The snic SmartNIC vendor interface, v1.0: registers, admin commands and
 * their little-endian layouts.  Documentation/vendor-interface.rst is the
 * specification; this header is its C transcription, shared by the driver
 * (which issues commands) and the software model (which executes them).
 */
#ifndef _SNIC_IF_H
#define _SNIC_IF_H

#include <linux/build_bug.h>
#include <linux/types.h>

/* Registers of BAR 0. */
#define SNIC_REG_MAGIC			0x000
#define SNIC_REG_VERSION		0x004
#define SNIC_REG_CAPS			0x008
#define SNIC_REG_MAX_FUNCTIONS		0x00c
#define SNIC_REG_FEATURES_LO		0x010
#define SNIC_REG_FEATURES_HI		0x014
#define SNIC_REG_MAX_VQ_PAIRS		0x018
#define SNIC_REG_VQ_SIZE_MAX		0x01c
#define SNIC_REG_MTU_RANGE		0x020
#define SNIC_REG_IOTLB_MAX		0x024
#define SNIC_REG_NUM_AS			0x028
#define SNIC_REG_DEV_STATUS		0x040
#define SNIC_REG_DEV_CTRL		0x044
#define SNIC_REG_ADMIN_DOORBELL		0x100
#define SNIC_REG_ADMIN_DONE		0x104
#define SNIC_REG_ADMIN_STATUS		0x108
#define SNIC_REG_ADMIN_RESP_LEN		0x10c
#define SNIC_REG_ADMIN_CMD		0x1000
#define SNIC_REG_ADMIN_RESP		0x2000
#define SNIC_REG_DOORBELLS		0x10000

#define SNIC_ADMIN_BUF_SIZE		4096
#define SNIC_DOORBELL_STRIDE		0x1000

#define SNIC_MAGIC			0x43494e53	/* "SNIC" */
#define SNIC_VERSION_MAJOR		1
#define SNIC_VERSION_MINOR		0

#define SNIC_CAP_SUSPEND		BIT(0)
#define SNIC_CAP_VQ_STATE		BIT(1)
#define SNIC_CAP_PACKED			BIT(2)
#define SNIC_CAP_DIRTY_LOG		BIT(3)
#define SNIC_CAP_STATE			BIT(4)
#define SNIC_CAP_STATS			BIT(5)

#define SNIC_DEV_STATUS_READY		BIT(0)
#define SNIC_DEV_STATUS_FATAL		BIT(1)
#define SNIC_DEV_CTRL_RESET		BIT(0)

/* Virtqueue groups: the data queues share one, the CVQ has its own. */
#define SNIC_GROUP_DATA			0
#define SNIC_GROUP_CVQ			1
#define SNIC_NGROUPS			2

/* MSI-X vector 0 completes admin commands. */
#define SNIC_ADMIN_VECTOR		0

/* Admin opcodes. */
enum snic_opcode {
	SNIC_OP_FN_CREATE		= 0x0010,
	SNIC_OP_FN_DESTROY		= 0x0011,
	SNIC_OP_FN_SET_FEATURES		= 0x0012,
	SNIC_OP_FN_SET_STATUS		= 0x0013,
	SNIC_OP_FN_QUERY		= 0x0014,
	SNIC_OP_FN_RESET		= 0x0015,
	SNIC_OP_CONFIG_READ		= 0x0016,
	SNIC_OP_CONFIG_WRITE		= 0x0017,
	SNIC_OP_VQ_CREATE		= 0x0020,
	SNIC_OP_VQ_MODIFY		= 0x0021,
	SNIC_OP_VQ_QUERY		= 0x0022,
	SNIC_OP_VQ_DESTROY		= 0x0023,
	SNIC_OP_VQ_STATS		= 0x0024,
	SNIC_OP_IOTLB_MAP		= 0x0030,
	SNIC_OP_IOTLB_UNMAP		= 0x0031,
	SNIC_OP_IOTLB_RESET		= 0x0032,
	SNIC_OP_GROUP_SET_ASID		= 0x0033,
	SNIC_OP_FN_SUSPEND		= 0x0040,
	SNIC_OP_FN_RESUME		= 0x0041,
	SNIC_OP_DIRTY_LOG_START		= 0x0050,
	SNIC_OP_DIRTY_LOG_STOP		= 0x0051,
	SNIC_OP_DIRTY_LOG_SYNC		= 0x0052,
	SNIC_OP_FN_STATE_SAVE		= 0x0060,
	SNIC_OP_FN_STATE_RESTORE	= 0x0061,
};

/* Values of ADMIN_STATUS. */
enum snic_status {
	SNIC_ST_OK			= 0,
	SNIC_ST_EINVAL			= 1,
	SNIC_ST_ENOENT			= 2,
	SNIC_ST_EBUSY			= 3,
	SNIC_ST_ENOSPC			= 4,
	SNIC_ST_EPERM			= 5,
	SNIC_ST_EOPNOTSUPP		= 6,
	SNIC_ST_EIO			= 7,
	SNIC_ST_EEXIST			= 8,
};

/**
 * struct snic_cmd_hdr - header of every admin command
 * @opcode: &enum snic_opcode
 * @function: target function
 * @length: bytes of the command, header included
 */
struct snic_cmd_hdr {
	__le16 opcode;
	__le16 function;
	__le32 length;
};

/**
 * struct snic_cmd_fn_create - FN_CREATE
 * @hdr: header
 * @features: virtio features the function offers
 * @mac: its MAC address
 * @mtu: its MTU
 * @max_vq_pairs: its data queue pairs
 * @config_vector: MSI-X vector of its config interrupts
 * @rsvd: reserved
 */
struct snic_cmd_fn_create {
	struct snic_cmd_hdr hdr;
	__le64 features;
	u8 mac[6];
	__le16 mtu;
	__le16 max_vq_pairs;
	__le16 config_vector;
	u8 rsvd[4];
};

/**
 * struct snic_cmd_u64 - a command with one 64-bit argument (FN_SET_FEATURES)
 * @hdr: header
 * @value: the argument
 */
struct snic_cmd_u64 {
	struct snic_cmd_hdr hdr;
	__le64 value;
};

/**
 * struct snic_cmd_u32 - a command with one 32-bit argument (FN_SET_STATUS,
 *	FN_RESET flags)
 * @hdr: header
 * @value: the argument
 * @rsvd: reserved
 */
struct snic_cmd_u32 {
	struct snic_cmd_hdr hdr;
	__le32 value;
	u8 rsvd[4];
};

#define SNIC_FN_RESET_CLEAN_MAP		BIT(0)

/**
 * struct snic_resp_fn_query - response to FN_QUERY
 * @driver_features: features the driver set
 * @status: virtio device status
 * @rsvd0: reserved
 * @config_generation: config generation counter
 * @rsvd1: reserved
 */
struct snic_resp_fn_query {
	__le64 driver_features;
	u8 status;
	u8 rsvd0;
	__le16 config_generation;
	u8 rsvd1[4];
};

#define SNIC_CONFIG_MAX_LEN		256

/**
 * struct snic_cmd_config - CONFIG_READ and CONFIG_WRITE
 * @hdr: header
 * @offset: first byte of the config space
 * @len: number of bytes
 * @data: CONFIG_WRITE: the bytes
 */
struct snic_cmd_config {
	struct snic_cmd_hdr hdr;
	__le16 offset;
	__le16 len;
	u8 data[];
};

#define SNIC_VQ_F_PACKED		BIT(0)
#define SNIC_VQ_F_READY			BIT(1)
#define SNIC_VQ_F_ERROR			BIT(2)

/**
 * struct snic_vq_state - ring position of a virtqueue
 * @avail_idx: next available index the device reads
 * @used_idx: next used index the device writes
 * @avail_wrap: packed rings: wrap counter of @avail_idx
 * @used_wrap: packed rings: wrap counter of @used_idx
 */
struct snic_vq_state {
	__le16 avail_idx;
	__le16 used_idx;
	u8 avail_wrap;
	u8 used_wrap;
};

/**
 * struct snic_cmd_vq_create - VQ_CREATE
 * @hdr: header
 * @qid: queue index
 * @size: entries
 * @vector: MSI-X vector
 * @flags: SNIC_VQ_F_PACKED, SNIC_VQ_F_READY
 * @desc: IOVA of the descriptor area
 * @driver: IOVA of the driver area
 * @device: IOVA of the device area
 * @state: ring position to start from
 * @rsvd: reserved
 */
struct snic_cmd_vq_create {
	struct snic_cmd_hdr hdr;
	__le16 qid;
	__le16 size;
	__le16 vector;
	__le16 flags;
	__le64 desc;
	__le64 driver;
	__le64 device;
	struct snic_vq_state state;
	u8 rsvd[2];
};

#define SNIC_VQ_MODIFY_READY		BIT(0)
#define SNIC_VQ_MODIFY_STATE		BIT(1)

/**
 * struct snic_cmd_vq_modify - VQ_MODIFY
 * @hdr: header
 * @qid: queue index
 * @mask: SNIC_VQ_MODIFY_READY, SNIC_VQ_MODIFY_STATE
 * @ready: new readiness (bit 0)
 * @rsvd: reserved, keeps @state at the offset it has in VQ_CREATE
 * @state: new ring position
 * @rsvd2: reserved
 */
struct snic_cmd_vq_modify {
	struct snic_cmd_hdr hdr;
	__le16 qid;
	__le16 mask;
	__le16 ready;
	u8 rsvd[26];
	struct snic_vq_state state;
	u8 rsvd2[2];
};

/**
 * struct snic_cmd_qid - a command naming one queue (VQ_QUERY, VQ_DESTROY,
 *	VQ_STATS)
 * @hdr: header
 * @qid: queue index
 * @rsvd: reserved
 */
struct snic_cmd_qid {
	struct snic_cmd_hdr hdr;
	__le16 qid;
	u8 rsvd[6];
};

/**
 * struct snic_resp_vq_query - response to VQ_QUERY
 * @state: ring position
 * @flags: SNIC_VQ_F_READY, SNIC_VQ_F_ERROR
 */
struct snic_resp_vq_query {
	struct snic_vq_state state;
	__le16 flags;
};

/**
 * struct snic_resp_vq_stats - response to VQ_STATS
 * @received: descriptors received
 * @completed: descriptors completed
 * @errors: errors
 */
struct snic_resp_vq_stats {
	__le64 received;
	__le64 completed;
	__le64 errors;
};

#define SNIC_IOTLB_PERM_READ		BIT(0)
#define SNIC_IOTLB_PERM_WRITE		BIT(1)

/**
 * struct snic_iotlb_entry - one mapping of IOTLB_MAP
 * @iova: first IOVA
 * @size: bytes
 * @addr: bus address @iova maps to
 * @perm: SNIC_IOTLB_PERM_*
 * @rsvd: reserved
 */
struct snic_iotlb_entry {
	__le64 iova;
	__le64 size;
	__le64 addr;
	__le32 perm;
	__le32 rsvd;
};

/**
 * struct snic_cmd_iotlb_map - IOTLB_MAP
 * @hdr: header
 * @asid: address space
 * @count: entries that follow
 * @rsvd: reserved
 * @entries: the mappings
 */
struct snic_cmd_iotlb_map {
	struct snic_cmd_hdr hdr;
	__le16 asid;
	__le16 count;
	u8 rsvd[4];
	struct snic_iotlb_entry entries[];
};

#define SNIC_IOTLB_MAP_MAX	((SNIC_ADMIN_BUF_SIZE - \
				  sizeof(struct snic_cmd_iotlb_map)) / \
				 sizeof(struct snic_iotlb_entry))

/**
 * struct snic_cmd_iotlb_range - IOTLB_UNMAP, and IOTLB_RESET (@flags)
 * @hdr: header
 * @asid: address space
 * @rsvd: reserved
 * @flags: IOTLB_RESET: SNIC_IOTLB_RESET_PASSTHROUGH
 * @iova: IOTLB_UNMAP: first IOVA
 * @size: IOTLB_UNMAP: bytes
 */
struct snic_cmd_iotlb_range {
	struct snic_cmd_hdr hdr;
	__le16 asid;
	u8 rsvd[2];
	__le32 flags;
	__le64 iova;
	__le64 size;
};

#define SNIC_IOTLB_RESET_PASSTHROUGH	BIT(0)

/**
 * struct snic_cmd_group_asid - GROUP_SET_ASID
 * @hdr: header
 * @group: virtqueue group
 * @asid: address space
 * @rsvd: reserved
 */
struct snic_cmd_group_asid {
	struct snic_cmd_hdr hdr;
	__le16 group;
	__le16 asid;
	u8 rsvd[4];
};

/* Dirty-page log: bits per page, bus-address pages of the bitmap. */
#define SNIC_LOG_PAGE_SHIFT	12
#define SNIC_LOG_PAGE_SIZE	BIT(SNIC_LOG_PAGE_SHIFT)
#define SNIC_LOG_MAX_NBITS	BIT_ULL(40)
#define SNIC_LOG_MAX_PAGES	65536

/**
 * struct snic_cmd_log_start - DIRTY_LOG_START
 * @hdr: header
 * @asid: address space to log
 * @page_shift: SNIC_LOG_PAGE_SHIFT
 * @rsvd: reserved
 * @offset: byte offset of bit 0 in the first page of the bitmap
 * @nbits: bits in the bitmap
 * @list: bus address of the page list (@npages __le64 bus addresses of
 *	SNIC_LOG_PAGE_SIZE pages)
 * @npages: entries in the page list
 * @rsvd2: reserved
 */
struct snic_cmd_log_start {
	struct snic_cmd_hdr hdr;
	__le16 asid;
	u8 page_shift;
	u8 rsvd;
	__le32 offset;
	__le64 nbits;
	__le64 list;
	__le32 npages;
	u8 rsvd2[4];
};

/**
 * struct snic_cmd_asid - a command naming one address space
 *	(DIRTY_LOG_STOP, DIRTY_LOG_SYNC)
 * @hdr: header
 * @asid: the address space
 * @rsvd: reserved
 */
struct snic_cmd_asid {
	struct snic_cmd_hdr hdr;
	__le16 asid;
	u8 rsvd[6];
};

/**
 * struct snic_cmd_state - FN_STATE_SAVE, FN_STATE_RESTORE
 * @hdr: header
 * @addr: bus address of the blob's buffer
 * @len: bytes of the buffer
 * @rsvd: reserved
 */
struct snic_cmd_state {
	struct snic_cmd_hdr hdr;
	__le64 addr;
	__le32 len;
	u8 rsvd[4];
};

/**
 * struct snic_resp_state_save - response to FN_STATE_SAVE (also ENOSPC)
 * @size: bytes of the blob
 * @rsvd: reserved
 */
struct snic_resp_state_save {
	__le32 size;
	u8 rsvd[4];
};

/**
 * struct snic_resp_state_err - response to a FN_STATE_RESTORE refused
 *	with EINVAL: what in the blob is wrong
 * @offset: byte of the blob at fault
 * @type: part type, 0 for the blob header
 * @reason: &enum snic_state_reason
 * @value: the value found, or the limit it broke
 * @rsvd: reserved
 */
struct snic_resp_state_err {
	__le32 offset;
	__le16 type;
	__le16 reason;
	__le32 value;
	u8 rsvd[4];
};

/* The layouts are the specification's: check the offsets it gives. */
static_assert(sizeof(struct snic_cmd_hdr) == 8);
static_assert(sizeof(struct snic_cmd_fn_create) == 32);
static_assert(offsetof(struct snic_cmd_fn_create, mac) == 16);
static_assert(offsetof(struct snic_cmd_fn_create, config_vector) == 26);
static_assert(sizeof(struct snic_resp_fn_query) == 16);
static_assert(offsetof(struct snic_resp_fn_query, config_generation) == 10);
static_assert(sizeof(struct snic_cmd_config) == 12);
static_assert(sizeof(struct snic_cmd_vq_create) == 48);
static_assert(offsetof(struct snic_cmd_vq_create, desc) == 16);
static_assert(offsetof(struct snic_cmd_vq_create, state) == 40);
static_assert(offsetof(struct snic_cmd_vq_modify, ready) == 12);
static_assert(offsetof(struct snic_cmd_vq_modify, state) == 40);
static_assert(sizeof(struct snic_resp_vq_query) == 8);
static_assert(sizeof(struct snic_cmd_state) == 24);
static_assert(sizeof(struct snic_resp_state_save) == 8);
static_assert(sizeof(struct snic_resp_state_err) == 16);
static_assert(sizeof(struct snic_iotlb_entry) == 32);
static_assert(sizeof(struct snic_cmd_iotlb_map) == 16);
static_assert(SNIC_IOTLB_MAP_MAX == 127);
static_assert(offsetof(struct snic_cmd_iotlb_range, iova) == 16);
static_assert(offsetof(struct snic_cmd_group_asid, asid) == 10);
static_assert(offsetof(struct snic_cmd_log_start, page_shift) == 10);
static_assert(offsetof(struct snic_cmd_log_start, offset) == 12);
static_assert(offsetof(struct snic_cmd_log_start, nbits) == 16);
static_assert(offsetof(struct snic_cmd_log_start, list) == 24);
static_assert(offsetof(struct snic_cmd_log_start, npages) == 32);
static_assert(offsetof(struct snic_cmd_asid, asid) == 8);

#endif /* _SNIC_IF_H */
