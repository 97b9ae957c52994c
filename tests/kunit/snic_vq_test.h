/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the snic_vdpa KUnit suites that drive the NIC model's
 * virtqueues: a split ring in kernel memory, as a driver lays it out, and
 * model functions brought to DRIVER_OK through admin commands.
 */
#ifndef _SNIC_VQ_TEST_H
#define _SNIC_VQ_TEST_H

#include <kunit/test.h>

#include "snic_model.h"
#include "snic_test.h"

/* Entries of a test ring. */
#define SNIC_TR_SIZE		8
/* Buffers that come with it, and their size. */
#define SNIC_TR_BUFS		8
#define SNIC_TR_BUF_LEN		256

/**
 * struct snic_test_desc - a split-ring descriptor as the driver writes it
 * @addr: buffer IOVA
 * @len: buffer length
 * @flags: VRING_DESC_F_*
 * @next: next descriptor of the chain
 */
struct snic_test_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/**
 * struct snic_test_ring - a split ring of SNIC_TR_SIZE entries, an indirect
 *	table and some buffers, in one page
 * @desc: the descriptor table
 * @table: an indirect descriptor table
 * @avail: the driver area
 * @avail.flags: VRING_AVAIL_F_*
 * @avail.idx: available index
 * @avail.ring: heads
 * @avail.used_event: with VIRTIO_RING_F_EVENT_IDX
 * @used: the device area
 * @used.flags: VRING_USED_F_*
 * @used.idx: used index
 * @used.ring: used entries
 * @used.avail_event: with VIRTIO_RING_F_EVENT_IDX
 * @buf: buffers
 * @base: IOVA of the page (its bus address in passthrough)
 * @next_avail: the driver's available index
 */
struct snic_test_ring {
	struct snic_test_desc desc[SNIC_TR_SIZE];
	struct snic_test_desc table[SNIC_TR_SIZE];
	struct {
		__le16 flags;
		__le16 idx;
		__le16 ring[SNIC_TR_SIZE];
		__le16 used_event;
	} avail __aligned(16);
	struct {
		__le16 flags;
		__le16 idx;
		struct snic_used_elem ring[SNIC_TR_SIZE];
		__le16 avail_event;
	} used __aligned(16);
	u8 buf[SNIC_TR_BUFS][SNIC_TR_BUF_LEN] __aligned(64);
	u64 base;
	u16 next_avail;
};

struct snic_test_ring *snic_tr_alloc(struct kunit *test, u64 base);
u64 snic_tr_iova(const struct snic_test_ring *r, const void *p);
void snic_tr_desc(struct snic_test_desc *d, u64 addr, u32 len, u16 flags,
		  u16 next);
void snic_tr_add(struct snic_test_ring *r, u16 head);
u16 snic_tr_used_idx(const struct snic_test_ring *r);
u16 snic_tx_frame(struct snic_test_ring *r, unsigned int b, u16 d);

/*
 * Vectors the tests give the functions they create through commands (the
 * driver allocates its own): config vector, then the queues'.
 */
#define SNIC_CONFIG_VECTOR(fn)	(1 + (fn))
#define SNIC_FN_VQS		(2 * SNIC_MAX_VQ_PAIRS + 1)
#define SNIC_VQ_VECTOR(fn, qid)	(65 + (fn) * SNIC_FN_VQS + (qid))

/* A vector number no function of the tests uses: the bitmap's size. */
#define SNIC_TEST_VECTORS	4096

/**
 * struct snic_irq_log - the vectors a model NIC raised
 * @raised: one bit per vector
 * @spy: the bus through which the NIC's vectors reach the driver
 * @m: the NIC
 * @irq: the driver's handler, put back when the test ends
 * @irq_priv: its argument
 */
struct snic_irq_log {
	DECLARE_BITMAP(raised, SNIC_TEST_VECTORS);
	struct snic_spy *spy;
	struct snic_model *m;
	snic_irq_handler_t irq;
	void *irq_priv;
};

struct snic_irq_log *snic_irq_log(struct kunit *test, struct snic_test_nic *t);
void snic_tfn_create(struct kunit *test, struct snic_test_nic *t, u16 id,
		     u64 features, u64 driver_features);
void snic_tfn_passthrough(struct kunit *test, struct snic_test_nic *t, u16 id);
void snic_tfn_features(struct kunit *test, struct snic_test_nic *t, u16 id,
		       u64 driver_features);
void snic_tfn_vq(struct kunit *test, struct snic_test_nic *t, u16 id, u16 qid,
		 const struct snic_test_ring *r);
void snic_tfn_driver_ok(struct kunit *test, struct snic_test_nic *t, u16 id);
void snic_tfn_kick(struct snic_test_nic *t, u16 id, u16 qid);
u8 snic_tfn_status(struct kunit *test, struct snic_test_nic *t, u16 id);
u16 snic_tfn_vq_flags(struct kunit *test, struct snic_test_nic *t, u16 id,
		      u16 qid);

#endif /* _SNIC_VQ_TEST_H */
