// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the vdpa_config_ops of a device, called as vhost_vdpa and
 * virtio_vdpa call them, on a device of a software NIC that is created
 * but not registered; a spy on the bus checks which commands each
 * operation sends.
 */
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/unaligned.h>
#include <linux/vhost_iotlb.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/virtio_config.h>

#include <snic/snic_state.h>

#include "snic_model.h"
#include "snic_vq_test.h"

#define S(x)	VIRTIO_CONFIG_S_##x
#define F(b)	BIT_ULL(VIRTIO_NET_F_##b)
#define OP(x)	SNIC_OP_##x
/* Features of a driver that uses every queue pair and the CVQ. */
#define MQ_CVQ	(SNIC_MANDATORY_FEATURES | F(CTRL_VQ) | F(MQ))
/* Status before DRIVER_OK. */
#define OK3	(S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK))
#define TXQ	1

struct snic_test_dev {
	struct snic_test_nic *t;
	struct snic_vdpa *sv;
	const struct vdpa_config_ops *ops;
	int config_irqs;
};

/* A device on NIC @t (a new software NIC if NULL). */
static struct snic_test_dev *snic_test_dev_on(struct kunit *test,
					      struct snic_test_nic *t,
					      u64 features, u16 vqp)
{
	struct snic_dev_params p = {
		.features = features,
		.mac = { 0x02, 0, 0, 0, 0, 1 },
		.mtu = 1500,
		.max_vq_pairs = vqp,
	};
	struct snic_test_dev *d;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->t = t ?: snic_test_nic(test);
	d->sv = snic_test_vdpa(test, d->t, &p);
	d->ops = d->sv->vdpa.config;
	snic_spy_clear(&d->t->spy);
	return d;
}

static struct snic_test_dev *snic_test_dev(struct kunit *test,
					   u64 features, u16 vqp)
{
	return snic_test_dev_on(test, NULL, features, vqp);
}

static struct vdpa_device *V(struct snic_test_dev *d)
{
	return &d->sv->vdpa;
}

static void snic_test_negotiate(struct snic_test_dev *d, u64 features)
{
	d->ops->set_status(V(d), S(ACKNOWLEDGE));
	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER));
	d->ops->set_driver_features(V(d), features);
	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK));
}

/* The status the NIC holds, not the one the driver reports. */
static u8 snic_nic_status(struct kunit *test, struct snic_test_dev *d)
{
	struct snic_hw_fn_state st;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(&d->t->nic.hw, d->sv->fn, &st), 0);
	return st.status;
}

/* Queue @idx on test ring @r, of its size, as a driver sets it up. */
static void snic_test_ring_vq(struct kunit *test, struct snic_test_dev *d,
			      u16 idx, struct snic_test_ring *r)
{
	/*
	 * The rings are at bus addresses: ask for the queue's DMA device,
	 * as virtio_vdpa does, which puts its address space in passthrough.
	 */
	KUNIT_ASSERT_PTR_EQ(test, d->ops->get_vq_dma_dev(V(d), idx), d->t->nic.dev);
	KUNIT_ASSERT_EQ(test, d->ops->set_vq_address(V(d), idx,
						     snic_tr_iova(r, r->desc),
						     snic_tr_iova(r, &r->avail),
						     snic_tr_iova(r, &r->used)), 0);
	d->ops->set_vq_num(V(d), idx, SNIC_TR_SIZE);
}

/* Queues up to @n - 1 on rings, ready; DRIVER_OK; nothing available. */
static void snic_test_run(struct kunit *test, struct snic_test_dev *d,
			  u64 features, u16 n)
{
	u16 i;

	snic_test_negotiate(d, features);
	for (i = 0; i < n; i++) {
		snic_test_ring_vq(test, d, i, snic_tr_alloc(test, 0));
		d->ops->set_vq_ready(V(d), i, true);
	}
	d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
	KUNIT_ASSERT_EQ(test, d->ops->get_status(V(d)), OK3 | S(DRIVER_OK));
}

/* The commands sent since the last snic_spy_clear() were @want. */
static void snic_expect_ops(struct kunit *test, struct snic_test_dev *d,
			    const u16 *want, unsigned int n)
{
	struct snic_spy *spy = &d->t->spy;

	KUNIT_EXPECT_EQ(test, spy->nops, n);
	KUNIT_EXPECT_MEMEQ(test, spy->ops, want, min(spy->nops, n) * sizeof(u16));
	snic_spy_clear(spy);
}

#define EXPECT_OPS(test, d, ...)					\
	snic_expect_ops(test, d, (const u16[]){ __VA_ARGS__ },		\
			sizeof((const u16[]){ __VA_ARGS__ }) / sizeof(u16))

static void snic_vdpa_identity(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

	KUNIT_EXPECT_EQ(test, d->ops->get_device_id(V(d)), VIRTIO_ID_NET);
	KUNIT_EXPECT_EQ(test, d->ops->get_vendor_id(V(d)), SNIC_VENDOR_ID);
	KUNIT_EXPECT_EQ(test, d->ops->get_device_features(V(d)),
			SNIC_SUPPORTED_FEATURES);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_num_max(V(d)), SNIC_VQ_NUM_MAX);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_num_min(V(d)), SNIC_VQ_NUM_MIN);
	KUNIT_EXPECT_EQ(test, d->ops->get_config_size(V(d)),
			sizeof(struct virtio_net_config));
	/* The model has every capability: suspend, two address spaces. */
	KUNIT_EXPECT_NOT_NULL(test, d->ops->suspend);
	KUNIT_EXPECT_NOT_NULL(test, d->ops->resume);
	KUNIT_EXPECT_EQ(test, V(d)->nas, 2);
	KUNIT_EXPECT_EQ(test, V(d)->ngroups, 2);
	/* None of these asks the NIC. */
	EXPECT_OPS(test, d);
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
	EXPECT_OPS(test, d, OP(FN_QUERY));
}

/*
 * virtio 1.3, 5.1.2: the CVQ is queue 2N, N being max_virtqueue_pairs
 * with MQ negotiated and 1 without; it is alone in group 1.
 */
static void snic_vdpa_groups(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 4);
	struct snic_test_dev *nocvq;
	u16 i;

	KUNIT_ASSERT_EQ(test, d->sv->nvqs, 9);
	snic_test_negotiate(d, MQ_CVQ);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), i),
				SNIC_GROUP_DATA);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 8), SNIC_GROUP_CVQ);

	/* MQ offered but not negotiated: the CVQ is queue 2. */
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(CTRL_VQ));
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 0), SNIC_GROUP_DATA);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 1), SNIC_GROUP_DATA);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 2), SNIC_GROUP_CVQ);
	/* Queues past it do not exist: no group (vhost_vdpa answers EIO). */
	for (i = 3; i < 9; i++)
		KUNIT_EXPECT_GE(test, d->ops->get_vq_group(V(d), i),
				V(d)->ngroups);

	/* Without CTRL_VQ, no queue 2 either. */
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 1), SNIC_GROUP_DATA);
	KUNIT_EXPECT_GE(test, d->ops->get_vq_group(V(d), 2), V(d)->ngroups);

	nocvq = snic_test_dev(test, SNIC_MANDATORY_FEATURES, 1);
	KUNIT_ASSERT_EQ(test, nocvq->sv->nvqs, 2);
	snic_test_negotiate(nocvq, SNIC_MANDATORY_FEATURES);
	KUNIT_EXPECT_EQ(test, nocvq->ops->get_vq_group(V(nocvq), 1),
			SNIC_GROUP_DATA);

	snic_spy_clear(&d->t->spy);
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), SNIC_GROUP_CVQ, 1), 0);
	EXPECT_OPS(test, d, OP(GROUP_SET_ASID));
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), SNIC_NGROUPS, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), 0, SNIC_NAS),
			-EINVAL);
	EXPECT_OPS(test, d);
}

/*
 * Without MQ a driver has queues 0 and 1 and the CVQ at 2: it sets them
 * up, DRIVER_OK creates them in the NIC; queues past the CVQ are refused.
 */
static void snic_vdpa_cvq_without_mq(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 4);
	struct vdpa_vq_state state = {};
	struct snic_test_ring *r[3];
	struct snic_model_fn *fn;
	u16 i;

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(CTRL_VQ));
	for (i = 0; i < 3; i++) {
		r[i] = snic_tr_alloc(test, 0);
		snic_test_ring_vq(test, d, i, r[i]);
		d->ops->set_vq_ready(V(d), i, true);
		KUNIT_EXPECT_TRUE(test, d->ops->get_vq_ready(V(d), i));
	}
	for (i = 3; i < d->sv->nvqs; i++) {
		KUNIT_EXPECT_EQ(test, d->ops->set_vq_address(V(d), i,
							     snic_tr_iova(r[0], r[0]->desc),
							     snic_tr_iova(r[0], &r[0]->avail),
							     snic_tr_iova(r[0], &r[0]->used)),
				-EINVAL);
		d->ops->set_vq_num(V(d), i, SNIC_TR_SIZE);
		d->ops->set_vq_ready(V(d), i, true);
		KUNIT_EXPECT_FALSE(test, d->ops->get_vq_ready(V(d), i));
		KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), i, &state),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), i, &state),
				-EINVAL);
	}
	d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), OK3 | S(DRIVER_OK));

	/* The NIC holds queues 0-2, each on its ring, and no other. */
	fn = &d->t->model->fns[d->sv->fn];
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, fn->vqs[i].r.created);
		KUNIT_EXPECT_EQ(test, fn->vqs[i].r.desc,
				snic_tr_iova(r[i], r[i]->desc));
	}
	for (i = 3; i < d->sv->nvqs; i++)
		KUNIT_EXPECT_FALSE(test, fn->vqs[i].r.created);
}

static void snic_vdpa_features_ok(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	u64 f = SNIC_MANDATORY_FEATURES | F(MAC) | F(CTRL_VQ) | F(CTRL_RX);

	snic_test_negotiate(d, f);
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(FN_SET_STATUS), OP(FN_QUERY),
		   OP(FN_SET_STATUS), OP(FN_SET_FEATURES), OP(FN_QUERY),
		   OP(FN_SET_STATUS));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)),
			S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK));
	KUNIT_EXPECT_EQ(test, d->ops->get_driver_features(V(d)), f);

	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK) |
			   S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)),
			S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK) |
			S(DRIVER_OK));
}

static void snic_vdpa_features_refused(struct kunit *test)
{
	static const u64 bad[] = {
		BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) | F(MAC),	/* legacy */
		SNIC_MANDATORY_FEATURES | F(RSS),		/* not offered */
		SNIC_MANDATORY_FEATURES | F(CTRL_RX),		/* no CTRL_VQ */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct snic_test_dev *d =
			snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

		snic_test_negotiate(d, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, d->ops->get_status(V(d)),
				    S(ACKNOWLEDGE) | S(DRIVER),
				    "features 0x%llx", bad[i]);
	}
}

static void snic_vdpa_status_rules(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

	/* DRIVER_OK before FEATURES_OK: the device needs a reset. */
	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER) | S(DRIVER_OK));
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));

	/* Only a reset clears bits. */
	d->ops->set_status(V(d), S(ACKNOWLEDGE));
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(DRIVER_OK));
	snic_spy_clear(&d->t->spy);
	d->ops->set_status(V(d), 0);
	EXPECT_OPS(test, d, OP(FN_RESET));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
}

/* DRIVER_OK creates the ready queues in the NIC, from their registers. */
static void snic_vdpa_driver_ok(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 2);
	struct vdpa_vq_state state = { .split.avail_index = 123 };
	struct snic_test_ring *r;
	u16 i;

	snic_test_negotiate(d, MQ_CVQ);
	KUNIT_ASSERT_EQ(test, d->sv->nvqs, 5);
	for (i = 0; i < d->sv->nvqs; i++) {
		r = snic_tr_alloc(test, 0);
		/* Queue 1 starts at 123, with nothing available. */
		if (i == 1) {
			r->next_avail = 123;
			r->avail.idx = cpu_to_le16(123);
			r->used.idx = cpu_to_le16(123);
		}
		snic_test_ring_vq(test, d, i, r);
	}
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 1, &state), 0);
	d->ops->set_vq_ready(V(d), 0, true);
	d->ops->set_vq_ready(V(d), 1, true);
	snic_spy_clear(&d->t->spy);

	d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_CREATE), OP(VQ_CREATE),
		   OP(FN_SET_STATUS));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), OK3 | S(DRIVER_OK));

	/* Queue 1 started where the driver said; its state comes from the NIC. */
	state.split.avail_index = 0;
	snic_spy_clear(&d->t->spy);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), 0);
	/* The ring layout (split or packed) from the negotiated features. */
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_QUERY));
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 123);

	/* Enabled after DRIVER_OK: created at once, ready. */
	d->ops->set_vq_ready(V(d), 2, true);
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_CREATE));
	d->ops->set_vq_ready(V(d), 2, false);
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_MODIFY));

	/* A running queue cannot be moved. */
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 0, &state), -EBUSY);

	/* The doorbell of queue 3 of this function. */
	d->ops->kick_vq(V(d), 3);
	KUNIT_ASSERT_EQ(test, d->t->spy.nkicks, 1);
	KUNIT_EXPECT_EQ(test, d->t->spy.kicks[0],
			(u32)d->sv->fn * SNIC_DOORBELL_STRIDE << 16 | 3);

	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
	for (i = 0; i < d->sv->nvqs; i++) {
		KUNIT_EXPECT_FALSE(test, d->ops->get_vq_ready(V(d), i));
		KUNIT_EXPECT_FALSE(test, d->sv->vqs[i].in_hw);
		KUNIT_EXPECT_EQ(test, d->sv->vqs[i].desc_addr, 0);
	}
	/*
	 * Queues 0 and 1 ran: where they stood went with the reset.  The
	 * others exist only once MQ and CTRL_VQ are negotiated again.
	 */
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 0, &state), -EAGAIN);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), -EAGAIN);
	for (i = 2; i < d->sv->nvqs; i++)
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), i, &state),
				-EINVAL);
	snic_test_negotiate(d, MQ_CVQ);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 2, &state), -EAGAIN);
	for (i = 3; i < d->sv->nvqs; i++) {
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), i, &state), 0);
		KUNIT_EXPECT_EQ(test, state.split.avail_index, 0);
	}
	/* Until a state is set again, which a second reset keeps lost... */
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), -EAGAIN);
	/* ...or not. */
	state.split.avail_index = 7;
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 1, &state), 0);
	state.split.avail_index = 0;
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 7);
}

/* Queues the NIC refuses (VQ_CREATE's rules in the vendor interface). */
static const struct {
	const char *why;
	u64 desc;
	u32 num;
} snic_bad_queues[] = {
	{ "size not a power of two", 0x1000, 100 },
	{ "descriptor area not 16-byte aligned", 0x1008, SNIC_TR_SIZE },
};

/*
 * A queue the NIC refuses at DRIVER_OK: the NIC does not get DRIVER_OK,
 * and the device reports NEEDS_RESET, so that a VMM reading the status
 * back sees the failure.
 */
static void snic_vdpa_bad_queue(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(snic_bad_queues); i++) {
		struct snic_test_dev *d =
			snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
		u8 status;

		snic_test_negotiate(d, SNIC_MANDATORY_FEATURES);
		snic_test_ring_vq(test, d, 0, snic_tr_alloc(test, 0));
		d->ops->set_vq_ready(V(d), 0, true);
		d->ops->set_vq_address(V(d), 1, snic_bad_queues[i].desc,
				       0x2000, 0x3000);
		d->ops->set_vq_num(V(d), 1, snic_bad_queues[i].num);
		d->ops->set_vq_ready(V(d), 1, true);
		snic_spy_clear(&d->t->spy);

		d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
		EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_CREATE), OP(VQ_CREATE));
		status = d->ops->get_status(V(d));
		KUNIT_EXPECT_TRUE_MSG(test, status & S(NEEDS_RESET), "%s",
				      snic_bad_queues[i].why);
		KUNIT_EXPECT_FALSE_MSG(test, status & S(DRIVER_OK), "%s",
				       snic_bad_queues[i].why);
		KUNIT_EXPECT_EQ_MSG(test, snic_nic_status(test, d), OK3, "%s",
				    snic_bad_queues[i].why);
		KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
		KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
	}
}

/* Queue indexes come from userspace: out of range is refused, not used. */
static void snic_vdpa_bad_vq_index(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct vdpa_vq_state state = {};
	struct vdpa_callback cb = {};
	u16 idx = d->sv->nvqs;

	KUNIT_EXPECT_EQ(test, d->ops->set_vq_address(V(d), idx, 1, 2, 3),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 0xffff, &state),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), idx, &state),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, d->ops->get_vq_ready(V(d), idx));
	d->ops->set_vq_num(V(d), idx, 256);
	d->ops->set_vq_cb(V(d), idx, &cb);
	d->ops->set_vq_ready(V(d), idx, true);
	d->ops->kick_vq(V(d), idx);
	EXPECT_OPS(test, d);
	KUNIT_EXPECT_EQ(test, d->t->spy.nkicks, 0);
}

static void snic_vdpa_dma_map(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	/* vhost_vdpa maps pinned pages: a page of memory, then. */
	void *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u64 pa;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pa = virt_to_phys(page);
	KUNIT_EXPECT_EQ(test, d->ops->dma_map(V(d), 1, 0x1000, 0x1000, pa,
					      VHOST_MAP_RW, NULL), 0);
	EXPECT_OPS(test, d, OP(IOTLB_MAP));
	/* Overlapping: refused before it reaches the NIC. */
	KUNIT_EXPECT_EQ(test, d->ops->dma_map(V(d), 1, 0x1800, 0x1000, pa,
					      VHOST_MAP_RO, NULL), -EINVAL);
	/* Cutting a mapping in two: refused, nothing unmapped. */
	KUNIT_EXPECT_EQ(test, d->ops->dma_unmap(V(d), 1, 0x1000, 0x800), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->dma_unmap(V(d), 1, 0x1000, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, d->ops->reset_map(V(d), 1), 0);
	EXPECT_OPS(test, d, OP(IOTLB_UNMAP), OP(IOTLB_RESET));
	KUNIT_EXPECT_EQ(test, d->ops->dma_map(V(d), SNIC_NAS, 0, 1, 0,
					      VHOST_MAP_RO, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->dma_unmap(V(d), SNIC_NAS, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->reset_map(V(d), SNIC_NAS), -EINVAL);
	EXPECT_OPS(test, d);
}

/*
 * dma_map holds the pages it maps until the NIC has dropped the mapping
 * (vendor interface, IOTLB_UNMAP: the NIC may write there until the
 * command completes).  vhost_vdpa unpins a range before it calls
 * dma_unmap: a page the host let go of while mapped must stay a live
 * page under the NIC's writes, and be let go of by the unmap.
 */
static void snic_vdpa_dma_map_holds_pages(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_dev_params p = {
		.features = SNIC_SUPPORTED_FEATURES,
		.mac = { 0x02, 0, 0, 0, 0, 8 },
		.mtu = 1500,
		.max_vq_pairs = 1,
	};
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &p);
	const struct vdpa_config_ops *ops = sv->vdpa.config;
	struct snic_model_fn *fn = &t->model->fns[sv->fn];
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	const u8 byte = 0x5a;
	u64 pa;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	pa = page_to_phys(pg);
	KUNIT_ASSERT_EQ(test, page_ref_count(pg), 1);

	/* Held while mapped; let go by dma_unmap and by reset_map. */
	KUNIT_EXPECT_EQ(test, ops->dma_map(&sv->vdpa, 0, 0x10000, PAGE_SIZE, pa,
					   VHOST_MAP_RW, NULL), 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 2);
	KUNIT_EXPECT_EQ(test, ops->dma_unmap(&sv->vdpa, 0, 0x10000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 1);
	KUNIT_EXPECT_EQ(test, ops->dma_map(&sv->vdpa, 0, 0x10000, PAGE_SIZE, pa,
					   VHOST_MAP_RW, NULL), 0);
	KUNIT_EXPECT_EQ(test, ops->reset_map(&sv->vdpa, 0), 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 1);
	/* vhost_vdpa maps whole pages: anything else is refused, unheld. */
	KUNIT_EXPECT_EQ(test, ops->dma_map(&sv->vdpa, 0, 0x10000, 64, pa + 64,
					   VHOST_MAP_RW, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 1);

	/* The host lets go of the mapped page: the NIC writes a live page. */
	KUNIT_EXPECT_EQ(test, ops->dma_map(&sv->vdpa, 0, 0x10000, PAGE_SIZE, pa,
					   VHOST_MAP_RW, NULL), 0);
	/* Without the driver's hold, put_page() would free the page here. */
	KUNIT_ASSERT_EQ(test, page_ref_count(pg), 2);
	put_page(pg);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 1);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write(fn, 0, 0x10234, &byte, 1), 0);
	KUNIT_EXPECT_EQ(test, *((u8 *)page_address(pg) + 0x234), byte);
	/* The unmap lets go of it, after the NIC. */
	get_page(pg);
	KUNIT_EXPECT_EQ(test, ops->dma_unmap(&sv->vdpa, 0, 0x10000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, page_ref_count(pg), 1);
	__free_page(pg);
}

static irqreturn_t snic_test_config_irq(void *data)
{
	struct snic_test_dev *d = data;

	d->config_irqs++;
	return IRQ_HANDLED;
}

static void snic_vdpa_config(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 3);
	static const u8 mac[ETH_ALEN] = { 0x02, 9, 8, 7, 6, 5 };
	static const u8 mac2[ETH_ALEN] = { 0x02, 5, 6, 7, 8, 9 };
	/* The config space as any VERSION_1 driver reads it, on any host. */
	static const u8 want[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* mac */
		0x00, 0x00,				/* status: link down */
		0x03, 0x00,				/* max_virtqueue_pairs 3 */
		0xdc, 0x05,				/* mtu 1500 */
	};
	struct vdpa_callback cb = {
		.callback = snic_test_config_irq,
		.private = d,
	};
	struct virtio_net_config c;
	u32 gen;

	snic_test_negotiate(d, MQ_CVQ);
	d->ops->set_config_cb(V(d), &cb);
	snic_spy_clear(&d->t->spy);
	memset(&c, 0xa5, sizeof(c));
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	/* Only a big-endian host asks which byte order the driver wants. */
	if (virtio_legacy_is_little_endian())
		EXPECT_OPS(test, d, OP(CONFIG_READ));
	else
		EXPECT_OPS(test, d, OP(FN_QUERY), OP(CONFIG_READ));
	KUNIT_EXPECT_MEMEQ(test, &c, want, sizeof(want));
	KUNIT_EXPECT_NULL(test, memchr_inv((u8 *)&c + sizeof(want), 0,
					   sizeof(c) - sizeof(want)));

	/*
	 * Every field is read-only for the driver (virtio 1.3, 5.1.4): a
	 * write of the MAC, or of anything else, changes nothing and is not
	 * sent to the NIC.
	 */
	gen = d->ops->get_generation(V(d));
	snic_spy_clear(&d->t->spy);
	d->ops->set_config(V(d), offsetof(struct virtio_net_config, mac),
			   mac, ETH_ALEN);
	d->ops->set_config(V(d), offsetof(struct virtio_net_config, mtu),
			   mac, 2);
	EXPECT_OPS(test, d);
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, &c, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 0);

	/* The host changing it (vdpa dev set) is a config change. */
	KUNIT_EXPECT_EQ(test, snic_vdpa_set_mac(d->sv, mac2), 0);
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, c.mac, mac2, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 1);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);
	KUNIT_EXPECT_EQ(test, snic_vdpa_set_mac(d->sv, mac2), 0);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);
}

/* The representor's state is the device's link and the driver's carrier. */
static void snic_vdpa_port(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct net_device *port = d->t->model->fns[d->sv->fn].port;
	static const u8 link_up[2] = { VIRTIO_NET_S_LINK_UP, 0x00 };
	static const u8 link_down[2] = { 0x00, 0x00 };
	struct vdpa_callback cb = {
		.callback = snic_test_config_irq,
		.private = d,
	};
	struct virtio_net_config c;
	u32 gen;

	KUNIT_ASSERT_NOT_NULL(test, port);
	/* The NIC registers its ports outside command execution. */
	snic_model_ports_settle(d->t->model);
	KUNIT_EXPECT_EQ(test, port->mtu, 1500);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(port));
	d->ops->set_config_cb(V(d), &cb);
	gen = d->ops->get_generation(V(d));

	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_open(port, NULL), 0);
	rtnl_unlock();
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, &c.status, link_up, sizeof(link_up));
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 1);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(STATUS));
	d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(port));
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(port));

	rtnl_lock();
	dev_close(port);
	rtnl_unlock();
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, &c.status, link_down, sizeof(link_down));
	/* A callback set before a reset is not called after it... */
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);
	/* ...but once the driver sets it again. */
	d->ops->set_config_cb(V(d), &cb);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_open(port, NULL), 0);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, d->config_irqs, 2);
}

/* The transmit queue on ring @a, started, and one frame sent on it. */
static void snic_test_tx_one(struct kunit *test, struct snic_test_dev *d,
			     struct snic_test_ring *a)
{
	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES);
	snic_test_ring_vq(test, d, TXQ, a);
	d->ops->set_vq_ready(V(d), TXQ, true);
	d->ops->set_status(V(d), OK3 | S(DRIVER_OK));
	snic_tr_add(a, snic_tx_frame(a, 0, 0));
	d->ops->kick_vq(V(d), TXQ);
	flush_workqueue(d->t->model->wq);
	KUNIT_ASSERT_EQ(test, snic_tr_used_idx(a), 1);
}

/*
 * A queue the NIC stopped on bad input (here a chain that leads out of
 * the ring, after one good frame).  The NIC refused the chain before it
 * took it (avail == used): the position holds and get_vq_state() gives
 * it, running or suspended.  Had the NIC taken buffers it never used
 * (avail past used), get_vq_state() would fail with -EIO instead: that
 * branch has no case yet (it needs a DMA fault in mid-batch).  After a
 * reset, as for any queue that ran, it is -EAGAIN.
 */
static void snic_vdpa_vq_state_broken(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct snic_test_ring *a = snic_tr_alloc(test, 0);
	struct vdpa_vq_state state = {};

	snic_test_tx_one(test, d, a);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), TXQ, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 1);

	snic_tr_desc(&a->desc[1], snic_tr_iova(a, a->buf[1]), 72,
		     VRING_DESC_F_NEXT, SNIC_TR_SIZE);
	snic_tr_add(a, 1);
	d->ops->kick_vq(V(d), TXQ);
	flush_workqueue(d->t->model->wq);
	KUNIT_ASSERT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(a), 1);
	state.split.avail_index = 0;
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), TXQ, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 1);
	KUNIT_EXPECT_EQ(test, d->ops->suspend(V(d)), 0);
	state.split.avail_index = 0;
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), TXQ, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 1);
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), TXQ, &state), -EAGAIN);
}

/*
 * vhost_vdpa lets a VMM set a queue's address, size and position while
 * the device is suspended: resume runs the queue with them.
 */
static void snic_vdpa_suspend_registers(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct snic_test_ring *a = snic_tr_alloc(test, 0);
	struct snic_test_ring *b = snic_tr_alloc(test, 0);
	/* 8: the same slots in a ring of 4 entries as in one of 8. */
	struct vdpa_vq_state state = { .split.avail_index = 8 };
	struct snic_model_ring *nr;

	snic_test_tx_one(test, d, a);

	KUNIT_ASSERT_EQ(test, d->ops->suspend(V(d)), 0);
	/* The queue moves to ring b, half the size, at position 8. */
	b->next_avail = 8;
	b->avail.idx = cpu_to_le16(8);
	b->used.idx = cpu_to_le16(8);
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_address(V(d), TXQ,
						     snic_tr_iova(b, b->desc),
						     snic_tr_iova(b, &b->avail),
						     snic_tr_iova(b, &b->used)), 0);
	d->ops->set_vq_num(V(d), TXQ, SNIC_TR_SIZE / 2);
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), TXQ, &state), 0);
	snic_tr_add(b, snic_tx_frame(b, 0, 0));
	/* Ring a is the driver's no more: the NIC must leave it alone. */
	snic_tr_add(a, snic_tx_frame(a, 1, 1));

	KUNIT_ASSERT_EQ(test, d->ops->resume(V(d)), 0);
	flush_workqueue(d->t->model->wq);
	nr = &d->t->model->fns[d->sv->fn].vqs[TXQ].r;
	KUNIT_EXPECT_EQ(test, nr->desc, snic_tr_iova(b, b->desc));
	KUNIT_EXPECT_EQ(test, nr->driver, snic_tr_iova(b, &b->avail));
	KUNIT_EXPECT_EQ(test, nr->device, snic_tr_iova(b, &b->used));
	KUNIT_EXPECT_EQ(test, nr->size, SNIC_TR_SIZE / 2);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(b), 9);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(a), 1);
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), OK3 | S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), TXQ, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 9);
}

/*
 * A reset the NIC fails leaves the function as it was, its queues maybe
 * still reaching memory: the error comes back, the device needs a reset.
 */
static irqreturn_t snic_vdpa_count_cb(void *priv)
{
	(*(int *)priv)++;
	return IRQ_HANDLED;
}

/* Raise the vector of queue @qid of @d (-1: its config vector). */
static void snic_vdpa_raise(struct snic_test_dev *d, int qid)
{
	d->t->spy.handler(d->t->spy.handler_priv, d->sv->vec_base + 1 + qid);
}

static void snic_vdpa_reset_fails(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	int vq_calls = 0, config_calls = 0;
	struct vdpa_callback vq_cb = {
		.callback = snic_vdpa_count_cb, .private = &vq_calls,
	};
	struct vdpa_callback config_cb = {
		.callback = snic_vdpa_count_cb, .private = &config_calls,
	};

	snic_test_run(test, d, SNIC_MANDATORY_FEATURES, 2);
	d->ops->set_vq_cb(V(d), TXQ, &vq_cb);
	d->ops->set_config_cb(V(d), &config_cb);
	snic_vdpa_raise(d, TXQ);
	snic_vdpa_raise(d, -1);
	KUNIT_ASSERT_EQ(test, vq_calls, 1);
	KUNIT_ASSERT_EQ(test, config_calls, 1);

	snic_spy_fail(&d->t->spy, OP(FN_RESET), SNIC_ST_EIO);
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), -EIO);
	/*
	 * vhost_vdpa frees what its callbacks point to once reset returns,
	 * whatever it returned: a later interrupt must not call them.
	 */
	snic_vdpa_raise(d, TXQ);
	snic_vdpa_raise(d, -1);
	KUNIT_EXPECT_EQ(test, vq_calls, 1);
	KUNIT_EXPECT_EQ(test, config_calls, 1);
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));
	KUNIT_EXPECT_EQ(test, d->ops->compat_reset(V(d), VDPA_RESET_F_CLEAN_MAP),
			-EIO);
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));
	d->ops->set_status(V(d), 0);
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));
	/* The NIC still holds the queues: the driver did not forget them. */
	KUNIT_EXPECT_TRUE(test, d->ops->get_vq_ready(V(d), TXQ));

	snic_spy_fail(&d->t->spy, 0, 0);
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
}

/* A function the NIC did not destroy may still be in use: keep its number. */
static void snic_vdpa_destroy_fails(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct snic_vdpa *sv2;
	int fn = d->sv->fn;

	snic_spy_fail(&d->t->spy, OP(FN_DESTROY), SNIC_ST_EIO);
	snic_vdpa_destroy(d->sv);
	snic_spy_fail(&d->t->spy, 0, 0);
	sv2 = snic_test_vdpa(test, d->t, &d->sv->params);
	KUNIT_EXPECT_NE(test, sv2->fn, fn);
}

/*
 * A NIC with fewer capabilities than the model: no suspend, no packed
 * rings, no statistics, one address space, queues of 1000 entries at
 * most.  The driver offers only what the NIC has.
 */
static void snic_vdpa_nic_caps(struct kunit *test)
{
	static const struct snic_spy_reg regs[] = {
		{ SNIC_REG_CAPS, SNIC_CAP_VQ_STATE },
		{ SNIC_REG_NUM_AS, 1 },
		{ SNIC_REG_IOTLB_MAX, 77 },
		{ SNIC_REG_VQ_SIZE_MAX, 1000 },
	};
	struct snic_test_nic *t = snic_test_nic_regs(test, regs, ARRAY_SIZE(regs));
	struct vdpa_dev_set_config req = {
		.device_features = SNIC_SUPPORTED_FEATURES,
		.mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	};
	struct netlink_ext_ack extack = {};
	struct snic_dev_params p;
	struct snic_test_dev *d;
	struct sk_buff *msg;
	char why[160];

	KUNIT_EXPECT_EQ(test, t->nic.hw.iotlb_max, 77);
	KUNIT_EXPECT_FALSE(test, t->nic.caps.features &
			   BIT_ULL(VIRTIO_F_RING_PACKED));
	KUNIT_EXPECT_EQ(test, snic_resolve_params(&t->nic.caps, &req, &p, why,
						  sizeof(why)), -EOPNOTSUPP);

	d = snic_test_dev_on(test, t, t->nic.caps.features, 1);
	KUNIT_EXPECT_NULL(test, d->ops->suspend);
	KUNIT_EXPECT_NULL(test, d->ops->resume);
	/* The rest is there: virtio_vdpa still gets passthrough. */
	KUNIT_EXPECT_TRUE(test, d->ops->get_vq_dma_dev == snic_get_vq_dma_dev);
	KUNIT_EXPECT_NOT_NULL(test, d->ops->dma_map);
	/* Split rings need a power of two. */
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_num_max(V(d)), 512);
	KUNIT_EXPECT_LE(test, d->ops->get_vq_num_min(V(d)),
			d->ops->get_vq_num_max(V(d)));
	/* One address space: the CVQ cannot be apart, one group for all. */
	KUNIT_EXPECT_EQ(test, V(d)->nas, 1);
	KUNIT_EXPECT_EQ(test, V(d)->ngroups, 1);
	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(CTRL_VQ));
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 2), 0);
	snic_spy_clear(&d->t->spy);
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), 0, 1), -EINVAL);
	EXPECT_OPS(test, d);
	KUNIT_EXPECT_EQ(test, d->ops->reset(V(d)), 0);

	/* A running queue, and no VQ_STATS for it. */
	snic_test_run(test, d, SNIC_MANDATORY_FEATURES, 1);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, msg);
	snic_spy_clear(&d->t->spy);
	KUNIT_EXPECT_EQ(test, d->ops->get_vendor_vq_stats(V(d), 0, msg, &extack),
			-EOPNOTSUPP);
	nlmsg_free(msg);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, d->t->spy.nops, 0);
}

/* A NIC whose queues are smaller than the driver's usual minimum. */
static void snic_vdpa_small_queues(struct kunit *test)
{
	static const struct snic_spy_reg regs[] = {
		{ SNIC_REG_VQ_SIZE_MAX, 32 },
	};
	struct snic_test_nic *t = snic_test_nic_regs(test, regs, ARRAY_SIZE(regs));
	struct snic_test_dev *d = snic_test_dev_on(test, t, t->nic.caps.features, 1);
	u16 min = d->ops->get_vq_num_min(V(d));

	KUNIT_EXPECT_EQ(test, d->ops->get_vq_num_max(V(d)), 32);
	/* The vdpa core refuses a device whose minimum is above its maximum. */
	KUNIT_EXPECT_LE(test, min, 32);
	KUNIT_EXPECT_TRUE(test, min && is_power_of_2(min));
}

/*
 * The device state ops (the series' include/linux/vdpa.h): get_state()
 * of a suspended device, the size first; set_state() into another
 * device that has not negotiated features, which then has the features,
 * DRIVER_OK and the queues, suspended, and continues the rings on
 * resume; its callbacks, set before, still fire.
 */
static u8 *snic_vdpa_save(struct kunit *test, struct snic_test_dev *d,
			  ssize_t *len)
{
	u8 *buf;

	*len = snic_get_state(V(d), NULL, 0);
	KUNIT_ASSERT_GT(test, *len, (ssize_t)sizeof(struct snic_state_hdr));
	buf = kunit_kzalloc(test, *len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, snic_get_state(V(d), buf, *len), *len);
	return buf;
}

/* Whether the commands sent since the last snic_spy_clear() had @op. */
static bool snic_spy_sent(struct snic_test_dev *d, u16 op)
{
	unsigned int i;

	for (i = 0; i < d->t->spy.nops; i++)
		if (d->t->spy.ops[i] == op)
			return true;
	return false;
}

static void snic_vdpa_state_ops(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct snic_test_dev *e = snic_test_dev_on(test, d->t,
						   SNIC_SUPPORTED_FEATURES, 1);
	struct snic_test_ring *a = snic_tr_alloc(test, 0);
	struct vdpa_vq_state state = {};
	int calls = 0;
	struct vdpa_callback cb = {
		.callback = snic_vdpa_count_cb, .private = &calls,
	};
	ssize_t len, len2;
	u8 *blob, *again, canary[8];

	/* The ops are offered, with the backend bit, on this NIC. */
	KUNIT_EXPECT_TRUE(test, snic_state_ops(&d->t->nic.ops)->get_state ==
			  snic_get_state);
	KUNIT_EXPECT_TRUE(test, d->ops->get_backend_features(V(d)) &
			  BIT_ULL(VHOST_BACKEND_F_DEVICE_STATE));

	snic_test_tx_one(test, d, a);
	/* Running: its state could change under the copy. */
	KUNIT_EXPECT_EQ(test, snic_get_state(V(d), NULL, 0), -EBUSY);

	KUNIT_ASSERT_EQ(test, d->ops->suspend(V(d)), 0);
	blob = snic_vdpa_save(test, d, &len);
	/* Too small a buffer: the size, nothing written. */
	memset(canary, 0x5a, sizeof(canary));
	KUNIT_EXPECT_EQ(test, snic_get_state(V(d), canary, sizeof(canary)), len);
	KUNIT_EXPECT_EQ(test, canary[0], 0x5a);
	KUNIT_EXPECT_EQ(test, canary[7], 0x5a);
	/* The source goes, as after a migration. */
	KUNIT_ASSERT_EQ(test, d->ops->reset(V(d)), 0);

	/* The destination: status as a VMM leaves it, callback, mapping. */
	e->ops->set_status(V(e), S(ACKNOWLEDGE) | S(DRIVER));
	KUNIT_ASSERT_PTR_EQ(test, e->ops->get_vq_dma_dev(V(e), TXQ), e->t->nic.dev);
	e->ops->set_vq_cb(V(e), TXQ, &cb);
	KUNIT_ASSERT_EQ(test, snic_set_state(V(e), blob, len), 0);
	KUNIT_EXPECT_EQ(test, e->ops->get_status(V(e)), OK3 | S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, e->ops->get_driver_features(V(e)),
			SNIC_MANDATORY_FEATURES);
	KUNIT_EXPECT_EQ(test, e->ops->get_vq_state(V(e), TXQ, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 1);
	KUNIT_EXPECT_TRUE(test, e->ops->get_vq_ready(V(e), TXQ));
	/* Suspended: saved again, the same bytes. */
	again = snic_vdpa_save(test, e, &len2);
	KUNIT_EXPECT_EQ(test, len2, len);
	KUNIT_EXPECT_MEMEQ(test, again, blob, min(len, len2));
	/* Nothing moves until resume. */
	snic_tr_add(a, snic_tx_frame(a, 1, 1));
	e->ops->kick_vq(V(e), TXQ);
	flush_workqueue(e->t->model->wq);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(a), 1);
	KUNIT_EXPECT_EQ(test, calls, 0);
	KUNIT_ASSERT_EQ(test, e->ops->resume(V(e)), 0);
	e->ops->kick_vq(V(e), TXQ);
	flush_workqueue(e->t->model->wq);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(a), 2);
	/* The completion's interrupt reached the callback set before. */
	KUNIT_EXPECT_EQ(test, calls, 1);
	/* Negotiated now: a state would change the features. */
	KUNIT_EXPECT_EQ(test, snic_set_state(V(e), blob, len), -EBUSY);
	KUNIT_EXPECT_EQ(test, e->ops->get_status(V(e)), OK3 | S(DRIVER_OK));
}

/* The VQ_CFG part of queue @idx in @blob, or NULL. */
static struct snic_part_vq_cfg *snic_blob_vq_cfg(u8 *blob, size_t len, u16 idx)
{
	size_t off = sizeof(struct snic_state_hdr);
	struct snic_part_hdr *h;

	while (off + sizeof(*h) <= len) {
		h = (void *)(blob + off);
		off += sizeof(*h);
		if (le16_to_cpu(h->type) == SNIC_PART_VQ_CFG &&
		    get_unaligned_le16(h->sel) == idx)
			return (void *)(blob + off);
		off += le32_to_cpu(h->length);
	}
	return NULL;
}

/*
 * A state the device cannot take leaves it as it was: the driver's own
 * check (each queue's vector is the one it gives the queue) refuses
 * before the NIC sees anything; the NIC's refuse after the driver reset
 * the function, which gets its status back.  A group's address space set
 * before the state survives the reset the restore needs.
 */
static void snic_vdpa_state_refused(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct snic_test_dev *e = snic_test_dev_on(test, d->t,
						   SNIC_SUPPORTED_FEATURES, 1);
	struct snic_part_vq_cfg *c;
	ssize_t len;
	u8 *blob;

	snic_test_run(test, d, SNIC_MANDATORY_FEATURES | F(CTRL_VQ), 3);
	KUNIT_ASSERT_EQ(test, d->ops->suspend(V(d)), 0);
	blob = snic_vdpa_save(test, d, &len);

	e->ops->set_status(V(e), S(ACKNOWLEDGE) | S(DRIVER));
	c = snic_blob_vq_cfg(blob, len, TXQ);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(c->vector), 1 + TXQ);
	c->vector = cpu_to_le16(3);
	snic_spy_clear(&e->t->spy);
	KUNIT_EXPECT_EQ(test, snic_set_state(V(e), blob, len), -EINVAL);
	KUNIT_EXPECT_FALSE(test, snic_spy_sent(e, OP(FN_RESET)));
	KUNIT_EXPECT_FALSE(test, snic_spy_sent(e, OP(FN_STATE_RESTORE)));
	KUNIT_EXPECT_EQ(test, snic_nic_status(test, e), S(ACKNOWLEDGE) | S(DRIVER));
	c->vector = cpu_to_le16(1 + TXQ);

	blob[0] ^= 0xff;
	KUNIT_EXPECT_EQ(test, snic_set_state(V(e), blob, len), -EINVAL);
	KUNIT_EXPECT_TRUE(test, snic_spy_sent(e, OP(FN_STATE_RESTORE)));
	KUNIT_EXPECT_EQ(test, snic_nic_status(test, e), S(ACKNOWLEDGE) | S(DRIVER));
	KUNIT_EXPECT_EQ(test, e->ops->get_status(V(e)), S(ACKNOWLEDGE) | S(DRIVER));
	blob[0] ^= 0xff;
	KUNIT_EXPECT_EQ(test, snic_set_state(V(e), blob, 0), -EINVAL);

	/* The CVQ's group in AS 1, then the state: still in AS 1. */
	KUNIT_ASSERT_EQ(test, e->ops->set_group_asid(V(e), 1, 1), 0);
	KUNIT_ASSERT_EQ(test, snic_set_state(V(e), blob, len), 0);
	KUNIT_EXPECT_EQ(test, e->t->model->fns[e->sv->fn].group_asid[1], 1);
	KUNIT_EXPECT_EQ(test, e->ops->get_vq_group(V(e), 2), 1);
	KUNIT_EXPECT_EQ(test, e->ops->get_status(V(e)), OK3 | S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, e->ops->reset(V(e)), 0);
}

static struct kunit_case snic_vdpa_cases[] = {
	KUNIT_CASE(snic_vdpa_identity),
	KUNIT_CASE(snic_vdpa_groups),
	KUNIT_CASE(snic_vdpa_cvq_without_mq),
	KUNIT_CASE(snic_vdpa_features_ok),
	KUNIT_CASE(snic_vdpa_features_refused),
	KUNIT_CASE(snic_vdpa_status_rules),
	KUNIT_CASE(snic_vdpa_driver_ok),
	KUNIT_CASE(snic_vdpa_vq_state_broken),
	KUNIT_CASE(snic_vdpa_bad_queue),
	KUNIT_CASE(snic_vdpa_bad_vq_index),
	KUNIT_CASE(snic_vdpa_dma_map),
	KUNIT_CASE(snic_vdpa_dma_map_holds_pages),
	KUNIT_CASE(snic_vdpa_config),
	KUNIT_CASE(snic_vdpa_port),
	KUNIT_CASE(snic_vdpa_suspend_registers),
	KUNIT_CASE(snic_vdpa_reset_fails),
	KUNIT_CASE(snic_vdpa_destroy_fails),
	KUNIT_CASE(snic_vdpa_nic_caps),
	KUNIT_CASE(snic_vdpa_small_queues),
	KUNIT_CASE(snic_vdpa_state_ops),
	KUNIT_CASE(snic_vdpa_state_refused),
	{}
};

static struct kunit_suite snic_vdpa_suite = {
	.name = "snic_vdpa_ops",
	.test_cases = snic_vdpa_cases,
};

kunit_test_suite(snic_vdpa_suite);
