// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the vdpa_config_ops of a device, called as vhost_vdpa and
 * virtio_vdpa call them, on a device of a software NIC that is created
 * but not registered; a spy on the bus checks which commands each
 * operation sends.
 */
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/vhost_iotlb.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_config.h>

#include "snic_model.h"
#include "snic_test.h"

#define S(x)	VIRTIO_CONFIG_S_##x
#define F(b)	BIT_ULL(VIRTIO_NET_F_##b)
#define OP(x)	SNIC_OP_##x

struct snic_test_dev {
	struct snic_test_nic *t;
	struct snic_vdpa *sv;
	const struct vdpa_config_ops *ops;
	int config_irqs;
};

static struct snic_test_dev *snic_test_dev(struct kunit *test,
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
	d->t = snic_test_nic(test);
	d->sv = snic_test_vdpa(test, d->t, &p);
	d->ops = d->sv->vdpa.config;
	snic_spy_clear(&d->t->spy);
	return d;
}

static struct vdpa_device *V(struct snic_test_dev *d)
{
	return &d->sv->vdpa;
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

static void snic_test_negotiate(struct snic_test_dev *d, u64 features)
{
	d->ops->set_status(V(d), S(ACKNOWLEDGE));
	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER));
	d->ops->set_driver_features(V(d), features);
	d->ops->set_status(V(d), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK));
}

static void snic_vdpa_identity(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

	KUNIT_EXPECT_EQ(test, d->ops->get_device_id(V(d)), VIRTIO_ID_NET);
	KUNIT_EXPECT_EQ(test, d->ops->get_vendor_id(V(d)), SNIC_VENDOR_ID);
	KUNIT_EXPECT_EQ(test, d->ops->get_device_features(V(d)),
			SNIC_SUPPORTED_FEATURES);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_num_max(V(d)), SNIC_VQ_NUM_MAX);
	KUNIT_EXPECT_EQ(test, d->ops->get_config_size(V(d)),
			sizeof(struct virtio_net_config));
	/* None of these asks the NIC. */
	EXPECT_OPS(test, d);
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
	EXPECT_OPS(test, d, OP(FN_QUERY));
}

/* Data queues in group 0, the CVQ (last queue) alone in group 1. */
static void snic_vdpa_groups(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 4);
	struct snic_test_dev *nocvq;
	u16 i;

	KUNIT_ASSERT_EQ(test, d->sv->nvqs, 9);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), i),
				SNIC_GROUP_DATA);
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_group(V(d), 8), SNIC_GROUP_CVQ);

	nocvq = snic_test_dev(test, SNIC_MANDATORY_FEATURES, 1);
	KUNIT_ASSERT_EQ(test, nocvq->sv->nvqs, 2);
	KUNIT_EXPECT_EQ(test, nocvq->ops->get_vq_group(V(nocvq), 1),
			SNIC_GROUP_DATA);

	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), SNIC_GROUP_CVQ, 1), 0);
	EXPECT_OPS(test, d, OP(GROUP_SET_ASID));
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), SNIC_NGROUPS, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, d->ops->set_group_asid(V(d), 0, SNIC_NAS),
			-EINVAL);
	EXPECT_OPS(test, d);
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
	u8 ok = S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK);
	u16 i;

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES);
	for (i = 0; i < d->sv->nvqs; i++) {
		KUNIT_EXPECT_EQ(test, d->ops->set_vq_address(V(d), i, 0x1000 * i,
							     0x100000, 0x200000), 0);
		d->ops->set_vq_num(V(d), i, 256);
	}
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 1, &state), 0);
	d->ops->set_vq_ready(V(d), 0, true);
	d->ops->set_vq_ready(V(d), 1, true);
	snic_spy_clear(&d->t->spy);

	d->ops->set_status(V(d), ok | S(DRIVER_OK));
	EXPECT_OPS(test, d, OP(FN_QUERY), OP(VQ_CREATE), OP(VQ_CREATE),
		   OP(FN_SET_STATUS));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), ok | S(DRIVER_OK));

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
	EXPECT_OPS(test, d, OP(VQ_MODIFY));

	/* A running queue cannot be moved. */
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 0, &state), -EBUSY);

	/* The doorbell of queue 3 of this function. */
	d->ops->kick_vq(V(d), 3);
	KUNIT_ASSERT_EQ(test, d->t->spy.nkicks, 1);
	KUNIT_EXPECT_EQ(test, d->t->spy.kicks[0],
			(u32)d->sv->fn * SNIC_DOORBELL_STRIDE << 16 | 3);

	d->ops->reset(V(d));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
	for (i = 0; i < d->sv->nvqs; i++) {
		KUNIT_EXPECT_FALSE(test, d->ops->get_vq_ready(V(d), i));
		KUNIT_EXPECT_FALSE(test, d->sv->vqs[i].in_hw);
		KUNIT_EXPECT_EQ(test, d->sv->vqs[i].desc_addr, 0);
		/* Queues 0-2 ran: where they stood went with the reset. */
		if (i <= 2) {
			KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), i, &state),
					-EAGAIN);
			continue;
		}
		KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), i, &state), 0);
		KUNIT_EXPECT_EQ(test, state.split.avail_index, 0);
	}
	/* Until a state is set again, which a second reset keeps lost... */
	d->ops->reset(V(d));
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), -EAGAIN);
	/* ...or not. */
	state.split.avail_index = 7;
	KUNIT_EXPECT_EQ(test, d->ops->set_vq_state(V(d), 1, &state), 0);
	state.split.avail_index = 0;
	KUNIT_EXPECT_EQ(test, d->ops->get_vq_state(V(d), 1, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 7);
}

/* A queue the NIC refuses (size not a power of two) needs a reset. */
static void snic_vdpa_bad_queue(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	u8 ok = S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK);

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES);
	d->ops->set_vq_address(V(d), 0, 0x1000, 0x2000, 0x3000);
	d->ops->set_vq_num(V(d), 0, 100);
	d->ops->set_vq_ready(V(d), 0, true);
	d->ops->set_status(V(d), ok | S(DRIVER_OK));
	KUNIT_EXPECT_TRUE(test, d->ops->get_status(V(d)) & S(NEEDS_RESET));
	d->ops->reset(V(d));
	KUNIT_EXPECT_EQ(test, d->ops->get_status(V(d)), 0);
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
	struct vdpa_callback cb = {
		.callback = snic_test_config_irq,
		.private = d,
	};
	struct virtio_net_config c;
	u32 gen;

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(MQ) | F(CTRL_VQ));
	d->ops->set_config_cb(V(d), &cb);
	snic_spy_clear(&d->t->spy);
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	/* Only a big-endian host asks which byte order the driver wants. */
	if (virtio_legacy_is_little_endian())
		EXPECT_OPS(test, d, OP(CONFIG_READ));
	else
		EXPECT_OPS(test, d, OP(FN_QUERY), OP(CONFIG_READ));
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.max_virtqueue_pairs), 3);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.status), 0);

	/* A driver write of the MAC (QEMU does this) is a config change. */
	gen = d->ops->get_generation(V(d));
	d->ops->set_config(V(d), offsetof(struct virtio_net_config, mac),
			   mac, ETH_ALEN);
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, c.mac, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 1);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);
	/* Writes outside the MAC change nothing. */
	d->ops->set_config(V(d), offsetof(struct virtio_net_config, mtu),
			   mac, 2);
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 1);

	/* The host changing it raises a config interrupt too. */
	KUNIT_EXPECT_EQ(test, snic_vdpa_set_mac(d->sv, mac2), 0);
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, c.mac, mac2, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 2);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 2);
	KUNIT_EXPECT_EQ(test, snic_vdpa_set_mac(d->sv, mac2), 0);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 2);
}

/* The representor's state is the device's link and the driver's carrier. */
static void snic_vdpa_port(struct kunit *test)
{
	struct snic_test_dev *d = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct net_device *port = d->t->model->fns[d->sv->fn].port;
	u8 ok = S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK);
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
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.status), VIRTIO_NET_S_LINK_UP);
	KUNIT_EXPECT_EQ(test, d->ops->get_generation(V(d)), gen + 1);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 1);

	snic_test_negotiate(d, SNIC_MANDATORY_FEATURES | F(STATUS));
	d->ops->set_status(V(d), ok | S(DRIVER_OK));
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(port));
	d->ops->reset(V(d));
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(port));

	rtnl_lock();
	dev_close(port);
	rtnl_unlock();
	d->ops->get_config(V(d), 0, &c, sizeof(c));
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.status), 0);
	KUNIT_EXPECT_EQ(test, d->config_irqs, 2);
}

static struct kunit_case snic_vdpa_cases[] = {
	KUNIT_CASE(snic_vdpa_identity),
	KUNIT_CASE(snic_vdpa_groups),
	KUNIT_CASE(snic_vdpa_features_ok),
	KUNIT_CASE(snic_vdpa_features_refused),
	KUNIT_CASE(snic_vdpa_status_rules),
	KUNIT_CASE(snic_vdpa_driver_ok),
	KUNIT_CASE(snic_vdpa_bad_queue),
	KUNIT_CASE(snic_vdpa_bad_vq_index),
	KUNIT_CASE(snic_vdpa_dma_map),
	KUNIT_CASE(snic_vdpa_config),
	KUNIT_CASE(snic_vdpa_port),
	{}
};

static struct kunit_suite snic_vdpa_suite = {
	.name = "snic_vdpa_ops",
	.test_cases = snic_vdpa_cases,
};

kunit_test_suite(snic_vdpa_suite);
