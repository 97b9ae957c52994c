/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's side of the vendor interface: register access and one
 * small function per admin command.  Nothing above this layer knows a
 * register offset or a command layout.
 */
#ifndef _SNIC_HW_H
#define _SNIC_HW_H

#include <linux/mutex.h>

#include <snic/snic_bus.h>
#include <snic/snic_caps.h>
#include <snic/snic_if.h>

struct snic_dev_params;

/**
 * struct snic_hw - a NIC's vendor interface, as the driver holds it
 * @bus: register access and vectors
 * @dev: device for messages
 * @lock: one admin command at a time
 * @seq: sequence number of the last command issued
 * @failed: a command timed out: the NIC takes no more
 * @gone: the NIC vanished from its bus: the driver issues no command
 * @caps: capabilities read from the registers
 * @devcaps: the CAPS register
 * @nas: address spaces a function has (NUM_AS, at most SNIC_NAS)
 * @iotlb_max: IOTLB entries per address space (IOTLB_MAX; 0: unlimited)
 */
struct snic_hw {
	struct snic_bus *bus;
	struct device *dev;
	struct mutex lock;	/* see above */
	u32 seq;
	bool failed;
	bool gone;
	struct snic_caps caps;
	u32 devcaps;
	u16 nas;
	u32 iotlb_max;
};

/**
 * struct snic_hw_fn_state - what FN_QUERY reports
 * @driver_features: features the driver set
 * @status: virtio device status
 * @generation: config generation
 */
struct snic_hw_fn_state {
	u64 driver_features;
	u8 status;
	u16 generation;
};

/**
 * struct snic_hw_vq_pos - ring position of a virtqueue
 * @avail_idx: next available index (packed: slot) the device reads
 * @used_idx: next used index (packed: slot) the device writes
 * @avail_wrap: packed rings: wrap counter of @avail_idx
 * @used_wrap: packed rings: wrap counter of @used_idx
 */
struct snic_hw_vq_pos {
	u16 avail_idx;
	u16 used_idx;
	bool avail_wrap;
	bool used_wrap;
};

/**
 * struct snic_hw_vq - what VQ_CREATE needs
 * @desc: IOVA of the descriptor area
 * @driver: IOVA of the driver area
 * @device: IOVA of the device area
 * @size: entries
 * @vector: MSI-X vector
 * @ready: start ready
 * @packed: a packed ring (else split)
 * @pos: ring position to start from
 */
struct snic_hw_vq {
	u64 desc;
	u64 driver;
	u64 device;
	u16 size;
	u16 vector;
	bool ready;
	bool packed;
	struct snic_hw_vq_pos pos;
};

/**
 * struct snic_hw_vq_stats - what VQ_STATS reports
 * @received: descriptor chains the NIC took
 * @completed: descriptor chains it used
 * @errors: chains dropped for bad contents, and ring errors
 */
struct snic_hw_vq_stats {
	u64 received;
	u64 completed;
	u64 errors;
};

/**
 * struct snic_hw_state_err - where FN_STATE_RESTORE found a blob wrong
 * @offset: byte of the blob at fault
 * @type: part type, 0 for the blob's header
 * @reason: &enum snic_state_reason, 0 if the NIC gave none
 * @value: the value found, or the limit it broke
 */
struct snic_hw_state_err {
	u32 offset;
	u16 type;
	u16 reason;
	u32 value;
};

int snic_hw_init(struct snic_hw *hw, struct snic_bus *bus, struct device *dev);
void snic_hw_fini(struct snic_hw *hw);
bool snic_hw_gone(struct snic_hw *hw);

int snic_hw_fn_create(struct snic_hw *hw, u16 fn, const struct snic_dev_params *p,
		      u16 config_vector);
int snic_hw_fn_destroy(struct snic_hw *hw, u16 fn);
int snic_hw_fn_suspend(struct snic_hw *hw, u16 fn);
int snic_hw_fn_resume(struct snic_hw *hw, u16 fn);
int snic_hw_fn_set_features(struct snic_hw *hw, u16 fn, u64 features);
int snic_hw_fn_set_status(struct snic_hw *hw, u16 fn, u8 status);
int snic_hw_fn_query(struct snic_hw *hw, u16 fn, struct snic_hw_fn_state *st);
int snic_hw_fn_reset(struct snic_hw *hw, u16 fn, u32 flags);
int snic_hw_config_read(struct snic_hw *hw, u16 fn, u16 offset, void *buf,
			u16 len);
int snic_hw_config_write(struct snic_hw *hw, u16 fn, u16 offset,
			 const void *buf, u16 len);
int snic_hw_vq_create(struct snic_hw *hw, u16 fn, u16 qid,
		      const struct snic_hw_vq *vq);
int snic_hw_vq_set_ready(struct snic_hw *hw, u16 fn, u16 qid, bool ready);
int snic_hw_vq_set_state(struct snic_hw *hw, u16 fn, u16 qid,
			 const struct snic_hw_vq_pos *pos);
int snic_hw_vq_query(struct snic_hw *hw, u16 fn, u16 qid,
		     struct snic_hw_vq_pos *pos, u16 *flags);
int snic_hw_vq_destroy(struct snic_hw *hw, u16 fn, u16 qid);
int snic_hw_vq_stats(struct snic_hw *hw, u16 fn, u16 qid,
		     struct snic_hw_vq_stats *st);
int snic_hw_iotlb_map(struct snic_hw *hw, u16 fn, u16 asid, u64 iova,
		      u64 size, u64 addr, u32 perm);
int snic_hw_iotlb_unmap(struct snic_hw *hw, u16 fn, u16 asid, u64 iova,
			u64 size);
int snic_hw_iotlb_reset(struct snic_hw *hw, u16 fn, u16 asid, u32 flags);
int snic_hw_log_start(struct snic_hw *hw, u16 fn, u16 asid, dma_addr_t list,
		      u32 npages, u32 offset, u64 nbits);
int snic_hw_log_stop(struct snic_hw *hw, u16 fn, u16 asid);
int snic_hw_log_sync(struct snic_hw *hw, u16 fn, u16 asid);
int snic_hw_group_set_asid(struct snic_hw *hw, u16 fn, u16 group, u16 asid);
int snic_hw_state_save(struct snic_hw *hw, u16 fn, dma_addr_t addr, u32 len,
		       u32 *size);
int snic_hw_state_restore(struct snic_hw *hw, u16 fn, dma_addr_t addr, u32 len,
			  struct snic_hw_state_err *why);
void snic_hw_kick(struct snic_hw *hw, u16 fn, u16 qid);

#endif /* _SNIC_HW_H */
