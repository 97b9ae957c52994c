// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the vdpa_config_ops of a device, called as vhost_vdpa and
 * virtio_vdpa call them, on a device that is allocated but not registered.
 */
#include <kunit/device.h>
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_config.h>

#include "snic_test.h"

#define S(x)	VIRTIO_CONFIG_S_##x
#define F(b)	BIT_ULL(VIRTIO_NET_F_##b)

struct snic_test_dev {
	struct snic_nic nic;
	struct snic_vdpa *sv;
	const struct vdpa_config_ops *ops;
	int config_irqs;
};

KUNIT_DEFINE_ACTION_WRAPPER(snic_test_put, put_device, struct device *);

static struct snic_test_dev *snic_test_dev(struct kunit *test,
					   u64 features, u16 vqp)
{
	struct snic_dev_params p = {
		.features = features,
		.mac = { 0x02, 0, 0, 0, 0, 1 },
		.mtu = 1500,
		.max_vq_pairs = vqp,
	};
	static atomic_t seq = ATOMIC_INIT(0);
	struct snic_test_dev *t;
	struct device *dev;
	char name[32];

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	snprintf(name, sizeof(name), "snic-kunit-%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	t->nic.dev = dev;
	t->nic.caps = snic_test_caps();

	t->sv = snic_vdpa_alloc(&t->nic, "snic-kunit-dev", &p);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->sv);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_test_put,
							&t->sv->vdpa.dev), 0);
	t->ops = t->sv->vdpa.config;
	return t;
}

static struct vdpa_device *V(struct snic_test_dev *t)
{
	return &t->sv->vdpa;
}

static void snic_test_negotiate(struct snic_test_dev *t, u64 features)
{
	t->ops->set_status(V(t), S(ACKNOWLEDGE));
	t->ops->set_status(V(t), S(ACKNOWLEDGE) | S(DRIVER));
	t->ops->set_driver_features(V(t), features);
	t->ops->set_status(V(t), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK));
}

static void snic_vdpa_identity(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

	KUNIT_EXPECT_EQ(test, t->ops->get_device_id(V(t)), VIRTIO_ID_NET);
	KUNIT_EXPECT_EQ(test, t->ops->get_vendor_id(V(t)), SNIC_VENDOR_ID);
	KUNIT_EXPECT_EQ(test, t->ops->get_device_features(V(t)),
			SNIC_SUPPORTED_FEATURES);
	KUNIT_EXPECT_EQ(test, t->ops->get_vq_num_max(V(t)), SNIC_VQ_NUM_MAX);
	KUNIT_EXPECT_EQ(test, t->ops->get_config_size(V(t)),
			sizeof(struct virtio_net_config));
	KUNIT_EXPECT_EQ(test, t->ops->get_status(V(t)), 0);
}

/* Data queues in group 0, the CVQ (last queue) alone in group 1. */
static void snic_vdpa_groups(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 4);
	struct snic_test_dev *nocvq;
	u16 i;

	KUNIT_ASSERT_EQ(test, t->sv->nvqs, 9);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, t->ops->get_vq_group(V(t), i),
				SNIC_GROUP_DATA);
	KUNIT_EXPECT_EQ(test, t->ops->get_vq_group(V(t), 8), SNIC_GROUP_CVQ);

	nocvq = snic_test_dev(test, SNIC_MANDATORY_FEATURES, 1);
	KUNIT_ASSERT_EQ(test, nocvq->sv->nvqs, 2);
	KUNIT_EXPECT_EQ(test, nocvq->ops->get_vq_group(V(nocvq), 1),
			SNIC_GROUP_DATA);

	KUNIT_EXPECT_EQ(test, t->ops->set_group_asid(V(t), SNIC_GROUP_CVQ, 1), 0);
	KUNIT_EXPECT_EQ(test, t->sv->group_asid[SNIC_GROUP_CVQ], 1);
	KUNIT_EXPECT_EQ(test, t->ops->set_group_asid(V(t), SNIC_NGROUPS, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t->ops->set_group_asid(V(t), 0, SNIC_NAS),
			-EINVAL);
}

static void snic_vdpa_features_ok(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	u64 f = SNIC_MANDATORY_FEATURES | F(MAC) | F(CTRL_VQ) | F(CTRL_RX);

	snic_test_negotiate(t, f);
	KUNIT_EXPECT_EQ(test, t->ops->get_status(V(t)),
			S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK));
	KUNIT_EXPECT_EQ(test, t->ops->get_driver_features(V(t)), f);

	t->ops->set_status(V(t), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK) |
			   S(DRIVER_OK));
	KUNIT_EXPECT_EQ(test, t->ops->get_status(V(t)),
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
		struct snic_test_dev *t =
			snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

		snic_test_negotiate(t, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, t->ops->get_status(V(t)),
				    S(ACKNOWLEDGE) | S(DRIVER),
				    "features 0x%llx", bad[i]);
	}
}

static void snic_vdpa_status_rules(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);

	/* DRIVER_OK before FEATURES_OK: the device needs a reset. */
	t->ops->set_status(V(t), S(ACKNOWLEDGE) | S(DRIVER) | S(DRIVER_OK));
	KUNIT_EXPECT_TRUE(test, t->ops->get_status(V(t)) & S(NEEDS_RESET));

	/* Only a reset clears bits. */
	t->ops->set_status(V(t), S(ACKNOWLEDGE));
	KUNIT_EXPECT_TRUE(test, t->ops->get_status(V(t)) & S(DRIVER_OK));
	t->ops->set_status(V(t), 0);
	KUNIT_EXPECT_EQ(test, t->ops->get_status(V(t)), 0);
}

static void snic_vdpa_reset(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 2);
	struct vdpa_vq_state state = { .split.avail_index = 123 };
	struct vdpa_callback cb = { .private = t };
	u16 i;

	snic_test_negotiate(t, SNIC_MANDATORY_FEATURES);
	for (i = 0; i < t->sv->nvqs; i++) {
		KUNIT_EXPECT_EQ(test, t->ops->set_vq_address(V(t), i, 0x1000,
							     0x2000, 0x3000), 0);
		t->ops->set_vq_num(V(t), i, 256);
		t->ops->set_vq_cb(V(t), i, &cb);
		KUNIT_EXPECT_EQ(test, t->ops->set_vq_state(V(t), i, &state), 0);
		t->ops->set_vq_ready(V(t), i, true);
	}
	KUNIT_EXPECT_TRUE(test, t->ops->get_vq_ready(V(t), 4));
	state.split.avail_index = 0;
	KUNIT_EXPECT_EQ(test, t->ops->get_vq_state(V(t), 4, &state), 0);
	KUNIT_EXPECT_EQ(test, state.split.avail_index, 123);
	t->ops->set_group_asid(V(t), SNIC_GROUP_CVQ, 1);

	KUNIT_EXPECT_EQ(test, t->ops->reset(V(t)), 0);
	KUNIT_EXPECT_EQ(test, t->ops->get_status(V(t)), 0);
	KUNIT_EXPECT_EQ(test, t->ops->get_driver_features(V(t)), 0);
	KUNIT_EXPECT_EQ(test, t->sv->group_asid[SNIC_GROUP_CVQ], 0);
	for (i = 0; i < t->sv->nvqs; i++) {
		KUNIT_EXPECT_FALSE(test, t->ops->get_vq_ready(V(t), i));
		KUNIT_EXPECT_EQ(test, t->sv->vqs[i].desc_addr, 0);
		KUNIT_EXPECT_EQ(test, t->sv->vqs[i].num, 0);
		KUNIT_EXPECT_NULL(test, t->sv->vqs[i].cb.private);
		KUNIT_EXPECT_EQ(test, t->ops->get_vq_state(V(t), i, &state), 0);
		KUNIT_EXPECT_EQ(test, state.split.avail_index, 0);
	}
}

/* Queue indexes come from userspace: out of range is refused, not used. */
static void snic_vdpa_bad_vq_index(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 1);
	struct vdpa_vq_state state = {};
	struct vdpa_callback cb = {};
	u16 idx = t->sv->nvqs;

	KUNIT_EXPECT_EQ(test, t->ops->set_vq_address(V(t), idx, 1, 2, 3),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t->ops->set_vq_state(V(t), 0xffff, &state),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, t->ops->get_vq_state(V(t), idx, &state),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, t->ops->get_vq_ready(V(t), idx));
	t->ops->set_vq_num(V(t), idx, 256);
	t->ops->set_vq_cb(V(t), idx, &cb);
	t->ops->set_vq_ready(V(t), idx, true);
	t->ops->kick_vq(V(t), idx);
}

static irqreturn_t snic_test_config_irq(void *data)
{
	struct snic_test_dev *t = data;

	t->config_irqs++;
	return IRQ_HANDLED;
}

static void snic_vdpa_config(struct kunit *test)
{
	struct snic_test_dev *t = snic_test_dev(test, SNIC_SUPPORTED_FEATURES, 3);
	static const u8 mac[ETH_ALEN] = { 0x02, 9, 8, 7, 6, 5 };
	static const u8 mac2[ETH_ALEN] = { 0x02, 5, 6, 7, 8, 9 };
	struct vdpa_callback cb = {
		.callback = snic_test_config_irq,
		.private = t,
	};
	struct virtio_net_config c;
	u32 gen;

	snic_test_negotiate(t, SNIC_MANDATORY_FEATURES | F(MQ) | F(CTRL_VQ));
	t->ops->set_config_cb(V(t), &cb);
	t->ops->get_config(V(t), 0, &c, sizeof(c));
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.max_virtqueue_pairs),
			3);
	KUNIT_EXPECT_EQ(test, __virtio16_to_cpu(true, c.status),
			VIRTIO_NET_S_LINK_UP);

	/* A driver write of the MAC (QEMU does this) is a config change. */
	gen = t->ops->get_generation(V(t));
	t->ops->set_config(V(t), offsetof(struct virtio_net_config, mac),
			   mac, ETH_ALEN);
	t->ops->get_config(V(t), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, c.mac, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, t->ops->get_generation(V(t)), gen + 1);
	KUNIT_EXPECT_EQ(test, t->config_irqs, 0);

	/* The host changing it raises a config interrupt. */
	snic_vdpa_set_mac(t->sv, mac2);
	t->ops->get_config(V(t), 0, &c, sizeof(c));
	KUNIT_EXPECT_MEMEQ(test, c.mac, mac2, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, t->ops->get_generation(V(t)), gen + 2);
	KUNIT_EXPECT_EQ(test, t->config_irqs, 1);
	snic_vdpa_set_mac(t->sv, mac2);
	KUNIT_EXPECT_EQ(test, t->config_irqs, 1);
}

static struct kunit_case snic_vdpa_cases[] = {
	KUNIT_CASE(snic_vdpa_identity),
	KUNIT_CASE(snic_vdpa_groups),
	KUNIT_CASE(snic_vdpa_features_ok),
	KUNIT_CASE(snic_vdpa_features_refused),
	KUNIT_CASE(snic_vdpa_status_rules),
	KUNIT_CASE(snic_vdpa_reset),
	KUNIT_CASE(snic_vdpa_bad_vq_index),
	KUNIT_CASE(snic_vdpa_config),
	{}
};

static struct kunit_suite snic_vdpa_suite = {
	.name = "snic_vdpa_ops",
	.test_cases = snic_vdpa_cases,
};

kunit_test_suite(snic_vdpa_suite);
