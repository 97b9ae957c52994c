// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the bus contract (include/snic/snic_bus.h) and what the driver
 * builds on it, checked against Documentation/vendor-interface.rst: the
 * mailbox's byte order, MSI-X vector allocation, surprise removal, and
 * the address spaces a new device starts with.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <uapi/linux/virtio_config.h>

#include "snic_vq_test.h"

#define S(x)	VIRTIO_CONFIG_S_##x

static const struct snic_dev_params snic_bus_params = {
	.features = SNIC_MANDATORY_FEATURES,
	.mac = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
	.mtu = 1500,
	.max_vq_pairs = 1,
};

/*
 * The mailbox is the command's byte stream in little-endian words, on
 * any CPU: the words are written out here from the spec's layout of
 * FN_CREATE (opcode 0x0010 at 0, function at 2, length 32 at 4, features
 * at 8, mac at 16, mtu at 22, max_vq_pairs at 24, config_vector at 26),
 * not from the driver's structures.
 */
static void snic_bus_mailbox_words(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &snic_bus_params);
	const u32 *w = t->spy.cmd;

	KUNIT_ASSERT_EQ(test, sv->fn, 0);
	KUNIT_EXPECT_EQ(test, w[0], 0x00000010U);	/* opcode, function 0 */
	KUNIT_EXPECT_EQ(test, w[1], 32U);		/* length */
	KUNIT_EXPECT_EQ(test, w[2], 0x00000000U);	/* features 31:0 */
	KUNIT_EXPECT_EQ(test, w[3], 0x00000003U);	/* VERSION_1, ACCESS_PLATFORM */
	KUNIT_EXPECT_EQ(test, w[4], 0x33221102U);	/* 02:11:22:33 */
	KUNIT_EXPECT_EQ(test, w[5], 0x05dc5544U);	/* 44:55, mtu 1500 */
	KUNIT_EXPECT_EQ(test, w[6], (u32)sv->vec_base << 16 | 1);
	KUNIT_EXPECT_EQ(test, w[7], 0U);		/* reserved */
}

/* Each device takes 1 + queues vectors of the NIC, never past its table. */
static void snic_bus_vectors(struct kunit *test)
{
	/* Admin vector + 2 devices of 1 + 2 queues: 7 of 8 vectors. */
	struct snic_test_nic *t = snic_test_nic_vectors(test, 8);
	struct snic_vdpa *a, *b, *c;

	a = snic_test_vdpa(test, t, &snic_bus_params);
	b = snic_vdpa_create(&t->nic, "snic-kunit-b", &snic_bus_params);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_GE(test, a->vec_base, 1);
	KUNIT_EXPECT_LE(test, a->vec_base + 1 + a->nvqs, 8);
	KUNIT_EXPECT_LE(test, b->vec_base + 1 + b->nvqs, 8);
	KUNIT_EXPECT_TRUE(test, a->vec_base + 1 + a->nvqs <= b->vec_base ||
			  b->vec_base + 1 + b->nvqs <= a->vec_base);
	/* A third does not fit: refused, and no function is taken. */
	c = snic_vdpa_create(&t->nic, "snic-kunit-c", &snic_bus_params);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(c), -ENOSPC);
	/* Freed vectors serve again. */
	snic_vdpa_destroy(b);
	put_device(&b->vdpa.dev);
	c = snic_test_vdpa(test, t, &snic_bus_params);
	KUNIT_EXPECT_LE(test, c->vec_base + 1 + c->nvqs, 8);
}

/*
 * Surprise removal: the NIC reads as all ones; commands fail at once
 * with -ENODEV (not after the command timeout), the device reports
 * NEEDS_RESET, and teardown is clean (KASAN and kmemleak watch).
 */
static void snic_bus_surprise_removal(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &snic_bus_params);
	const struct vdpa_config_ops *ops = sv->vdpa.config;
	struct snic_hw_fn_state st;
	ktime_t start;

	KUNIT_EXPECT_FALSE(test, snic_hw_gone(&t->nic.hw));
	snic_model_unplug(t->model);
	KUNIT_EXPECT_EQ(test, t->spy.bus.ops->read32(&t->spy.bus, SNIC_REG_MAGIC),
			SNIC_BUS_GONE);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, snic_hw_fn_query(&t->nic.hw, sv->fn, &st), -ENODEV);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 500);
	KUNIT_EXPECT_TRUE(test, snic_hw_gone(&t->nic.hw));
	KUNIT_EXPECT_EQ(test, ops->get_status(&sv->vdpa), S(NEEDS_RESET));
	/*
	 * A NIC that is gone runs nothing: a reset is as done, and the
	 * device then reads as reset (the virtio core checks that after a
	 * driver's remove).  Driving it again fails again.
	 */
	KUNIT_EXPECT_EQ(test, ops->reset(&sv->vdpa), 0);
	KUNIT_EXPECT_EQ(test, ops->get_status(&sv->vdpa), 0);
	ops->set_status(&sv->vdpa, S(ACKNOWLEDGE));
	KUNIT_EXPECT_EQ(test, ops->get_status(&sv->vdpa), S(NEEDS_RESET));
}

/*
 * A new device's address spaces are empty: rings at bus addresses of
 * real memory are not reached (a vhost-vdpa owner gets no access to
 * memory it did not map), the queue fails and the device needs a reset.
 * Once an in-kernel driver asks for the queue's DMA device, the address
 * space is in passthrough and the same ring works.
 */
static void snic_bus_empty_address_space(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &snic_bus_params);
	const struct vdpa_config_ops *ops = sv->vdpa.config;
	struct vdpa_device *v = &sv->vdpa;
	u8 ok = S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK);
	struct snic_test_ring *r;
	int pass, i;

	for (pass = 0; pass < 2; pass++) {
		r = snic_tr_alloc(test, 0);
		ops->set_status(v, S(ACKNOWLEDGE) | S(DRIVER));
		ops->set_driver_features(v, SNIC_MANDATORY_FEATURES);
		ops->set_status(v, ok);
		if (pass == 1)
			KUNIT_EXPECT_PTR_EQ(test, ops->get_vq_dma_dev(v, 1),
					    t->nic.dev);
		/* Transmit queue 1: one frame. */
		ops->set_vq_address(v, 1, snic_tr_iova(r, r->desc),
				    snic_tr_iova(r, &r->avail),
				    snic_tr_iova(r, &r->used));
		ops->set_vq_num(v, 1, SNIC_TR_SIZE);
		ops->set_vq_ready(v, 1, true);
		snic_tx_frame(r, 0, 0);
		snic_tr_add(r, 0);
		ops->set_status(v, ok | S(DRIVER_OK));
		ops->kick_vq(v, 1);
		for (i = 0; i < 200; i++) {
			if (snic_tr_used_idx(r) ||
			    (ops->get_status(v) & S(NEEDS_RESET)))
				break;
			usleep_range(5000, 10000);
		}
		if (pass == 0) {
			KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 0);
			KUNIT_EXPECT_TRUE(test, ops->get_status(v) & S(NEEDS_RESET));
		} else {
			KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
			KUNIT_EXPECT_FALSE(test, ops->get_status(v) & S(NEEDS_RESET));
		}
		KUNIT_EXPECT_EQ(test, ops->reset(v), 0);
	}
}

static struct kunit_case snic_bus_cases[] = {
	KUNIT_CASE(snic_bus_mailbox_words),
	KUNIT_CASE(snic_bus_vectors),
	KUNIT_CASE(snic_bus_surprise_removal),
	KUNIT_CASE(snic_bus_empty_address_space),
	{}
};

static struct kunit_suite snic_bus_suite = {
	.name = "snic_bus",
	.test_cases = snic_bus_cases,
};

kunit_test_suite(snic_bus_suite);
