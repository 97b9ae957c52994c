// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: FN_SUSPEND and FN_RESUME against the vendor interface's
 * "Suspend and resume": a suspended function has used every buffer it
 * took, makes no DMA and raises no interrupt; doorbells are remembered;
 * queue state and group address spaces may change; resume goes on as if
 * every queue had been notified.
 */
#include <kunit/test.h>
#include <uapi/linux/virtio_config.h>

#include "snic_vq_test.h"

#define TXQ		1
#define DRV_F		SNIC_MANDATORY_FEATURES

static struct snic_hw *hw(struct snic_test_nic *t)
{
	return &t->nic.hw;
}

static void snic_suspend_quiesces(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_irq_log *irqs = snic_irq_log(test, t);
	struct snic_hw_vq_pos pos, moved;
	u16 flags;

	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	snic_tfn_vq(test, t, 0, TXQ, r);
	/* Not before the driver runs the function. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_suspend(hw(t), 0), -EBUSY);
	snic_tfn_driver_ok(test, t, 0);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_ASSERT_EQ(test, snic_tr_used_idx(r), 1);

	/* Running: the group's address space cannot move. */
	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 0, 1), -EBUSY);

	KUNIT_ASSERT_EQ(test, snic_hw_fn_suspend(hw(t), 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_query(hw(t), 0, TXQ, &pos, &flags), 0);
	KUNIT_EXPECT_EQ(test, pos.avail_idx, 1);
	KUNIT_EXPECT_EQ(test, pos.used_idx, 1);
	KUNIT_EXPECT_TRUE(test, flags & SNIC_VQ_F_READY);

	/* Suspended: buffers and doorbells wait; no DMA, no interrupt. */
	bitmap_zero(irqs->raised, SNIC_TEST_VECTORS);
	snic_tr_add(r, snic_tx_frame(r, 1, 1));
	snic_tr_add(r, snic_tx_frame(r, 2, 2));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(irqs->raised, SNIC_TEST_VECTORS));
	KUNIT_ASSERT_EQ(test, snic_hw_vq_query(hw(t), 0, TXQ, &pos, &flags), 0);
	KUNIT_EXPECT_EQ(test, pos.avail_idx, 1);

	/* State and address spaces may change now. */
	moved = (struct snic_hw_vq_pos) { .avail_idx = 5, .used_idx = 5 };
	KUNIT_EXPECT_EQ(test, snic_hw_vq_set_state(hw(t), 0, TXQ, &moved), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_query(hw(t), 0, TXQ, &moved, &flags), 0);
	KUNIT_EXPECT_EQ(test, moved.avail_idx, 5);
	KUNIT_EXPECT_EQ(test, moved.used_idx, 5);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_set_state(hw(t), 0, TXQ, &pos), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0) &
			VIRTIO_CONFIG_S_NEEDS_RESET, 0);

	/* Resume: the waiting buffers go, without another doorbell. */
	KUNIT_ASSERT_EQ(test, snic_hw_fn_resume(hw(t), 0), 0);
	flush_workqueue(t->model->wq);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 3);
	KUNIT_EXPECT_TRUE(test, test_bit(SNIC_VQ_VECTOR(0, TXQ), irqs->raised));
	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 1, 0), -EBUSY);
}

/* Resuming a function that is not suspended changes nothing. */
static void snic_resume_running(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);

	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	snic_tfn_vq(test, t, 0, TXQ, r);
	snic_tfn_driver_ok(test, t, 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_resume(hw(t), 0), 0);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
}

/* A reset ends the suspension: the next DRIVER_OK runs the queues. */
static void snic_suspend_reset(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);

	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	snic_tfn_vq(test, t, 0, TXQ, r);
	snic_tfn_driver_ok(test, t, 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_suspend(hw(t), 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(hw(t), 0, 0), 0);

	memset(r, 0, offsetof(struct snic_test_ring, buf));
	r->next_avail = 0;
	snic_tfn_features(test, t, 0, DRV_F);
	snic_tfn_vq(test, t, 0, TXQ, r);
	snic_tfn_driver_ok(test, t, 0);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
}

static struct kunit_case snic_suspend_cases[] = {
	KUNIT_CASE(snic_suspend_quiesces),
	KUNIT_CASE(snic_resume_running),
	KUNIT_CASE(snic_suspend_reset),
	{}
};

static struct kunit_suite snic_suspend_suite = {
	.name = "snic_suspend",
	.test_cases = snic_suspend_cases,
};

kunit_test_suite(snic_suspend_suite);
