// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what `vdpa dev add` accepts, what it refuses, and why.
 */
#include <linux/etherdevice.h>
#include <uapi/linux/vdpa.h>

#include "snic_test.h"

#define ATTR(a)		BIT_ULL(VDPA_ATTR_DEV_##a)
#define F(b)		BIT_ULL(VIRTIO_NET_F_##b)
#define MANDATORY	SNIC_MANDATORY_FEATURES

static void snic_resolve_defaults(struct kunit *test)
{
	struct snic_caps caps = snic_test_caps();
	struct vdpa_dev_set_config req = {};
	struct snic_dev_params p;
	char why[160] = "";

	KUNIT_ASSERT_EQ(test, snic_resolve_params(&caps, &req, &p, why,
						  sizeof(why)), 0);
	/* Everything but the opt-in features (packed rings). */
	KUNIT_EXPECT_EQ(test, p.features,
			SNIC_SUPPORTED_FEATURES & ~SNIC_OPTIN_FEATURES);
	KUNIT_EXPECT_FALSE(test, p.features & BIT_ULL(VIRTIO_F_RING_PACKED));
	KUNIT_EXPECT_EQ(test, p.mtu, SNIC_DEFAULT_MTU);
	KUNIT_EXPECT_EQ(test, p.max_vq_pairs, 1);
	/* A generated MAC is unicast and locally administered. */
	KUNIT_EXPECT_TRUE(test, is_valid_ether_addr(p.mac));
	KUNIT_EXPECT_TRUE(test, p.mac[0] & 0x02);
	KUNIT_EXPECT_STREQ(test, why, "");
}

static void snic_resolve_given(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct snic_caps caps = snic_test_caps();
	struct vdpa_dev_set_config req = {
		.device_features = MANDATORY | F(MAC) | F(MTU) | F(CTRL_VQ) |
				   F(MQ),
		.net = { .mtu = 9000, .max_vq_pairs = SNIC_MAX_VQ_PAIRS },
		.mask = ATTR(NET_CFG_MACADDR) | ATTR(NET_CFG_MTU) |
			ATTR(NET_CFG_MAX_VQP) | ATTR(FEATURES),
	};
	struct snic_dev_params p;
	char why[160];

	ether_addr_copy(req.net.mac, mac);
	KUNIT_ASSERT_EQ(test, snic_resolve_params(&caps, &req, &p, why,
						  sizeof(why)), 0);
	KUNIT_EXPECT_EQ(test, p.features, req.device_features);
	KUNIT_EXPECT_MEMEQ(test, p.mac, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, p.mtu, 9000);
	KUNIT_EXPECT_EQ(test, p.max_vq_pairs, SNIC_MAX_VQ_PAIRS);

	/* The lower MTU bound is accepted too. */
	req.net.mtu = SNIC_MIN_MTU;
	KUNIT_EXPECT_EQ(test, snic_resolve_params(&caps, &req, &p, why,
						  sizeof(why)), 0);
	KUNIT_EXPECT_EQ(test, p.mtu, SNIC_MIN_MTU);
}

/* Without the MAC feature the device has no address to generate. */
static void snic_resolve_no_mac_feature(struct kunit *test)
{
	struct snic_caps caps = snic_test_caps();
	struct vdpa_dev_set_config req = {
		.device_features = MANDATORY,
		.mask = ATTR(FEATURES),
	};
	struct snic_dev_params p;
	char why[160];

	KUNIT_ASSERT_EQ(test, snic_resolve_params(&caps, &req, &p, why,
						  sizeof(why)), 0);
	KUNIT_EXPECT_TRUE(test, is_zero_ether_addr(p.mac));
	KUNIT_EXPECT_EQ(test, p.features, MANDATORY);
}

struct snic_bad_case {
	const char *name;
	struct vdpa_dev_set_config req;
	int err;
	const char *why;
};

static const struct snic_bad_case snic_bad_cases[] = {
	{ "zero mac", { .mask = ATTR(NET_CFG_MACADDR) },
	  -EINVAL, "mac 00:00:00:00:00:00 is all zeroes" },
	{ "multicast mac",
	  { .net.mac = { 0x01, 0, 0x5e, 0, 0, 1 }, .mask = ATTR(NET_CFG_MACADDR) },
	  -EINVAL, "is a multicast address" },
	{ "broadcast mac",
	  { .net.mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	    .mask = ATTR(NET_CFG_MACADDR) },
	  -EINVAL, "is a multicast address" },
	{ "mtu below range", { .net.mtu = 67, .mask = ATTR(NET_CFG_MTU) },
	  -EINVAL, "mtu 67 is out of range: use 68 to 9000" },
	{ "mtu above range", { .net.mtu = 9001, .mask = ATTR(NET_CFG_MTU) },
	  -EINVAL, "mtu 9001 is out of range: use 68 to 9000" },
	{ "max_vqp zero", { .mask = ATTR(NET_CFG_MAX_VQP) },
	  -EINVAL, "max_vqp 0 is out of range: use 1 to 16" },
	{ "max_vqp above max",
	  { .net.max_vq_pairs = 17, .mask = ATTR(NET_CFG_MAX_VQP) },
	  -EINVAL, "max_vqp 17 is out of range: use 1 to 16" },
	{ "unsupported feature",
	  { .device_features = MANDATORY | F(RSS), .mask = ATTR(FEATURES) },
	  -EOPNOTSUPP, "has bits 0x1000000000000000 this NIC does not support" },
	{ "no VERSION_1",
	  { .device_features = BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
	    .mask = ATTR(FEATURES) },
	  -EINVAL, "must include VERSION_1 (bit 32) and ACCESS_PLATFORM (bit 33)" },
	{ "no ACCESS_PLATFORM",
	  { .device_features = BIT_ULL(VIRTIO_F_VERSION_1),
	    .mask = ATTR(FEATURES) },
	  -EINVAL, "must include VERSION_1" },
	{ "MQ without CTRL_VQ",
	  { .device_features = MANDATORY | F(MQ), .mask = ATTR(FEATURES) },
	  -EINVAL, "has MQ (bit 22), which needs CTRL_VQ (bit 17) too" },
	{ "HOST_TSO4 without CSUM",
	  { .device_features = MANDATORY | F(HOST_TSO4), .mask = ATTR(FEATURES) },
	  -EINVAL, "has HOST_TSO4 (bit 11), which needs CSUM (bit 0) too" },
	{ "mac without MAC feature",
	  { .device_features = MANDATORY, .net.mac = { 2, 0, 0, 0, 0, 1 },
	    .mask = ATTR(FEATURES) | ATTR(NET_CFG_MACADDR) },
	  -EINVAL, "mac needs feature MAC (bit 5)" },
	{ "max_vqp without MQ",
	  { .device_features = MANDATORY, .net.max_vq_pairs = 4,
	    .mask = ATTR(FEATURES) | ATTR(NET_CFG_MAX_VQP) },
	  -EINVAL, "max_vqp 4 needs feature MQ (bit 22)" },
};

static void snic_bad_case_desc(const struct snic_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(snic_bad, snic_bad_cases, snic_bad_case_desc);

static void snic_resolve_refuses(struct kunit *test)
{
	const struct snic_bad_case *c = test->param_value;
	struct snic_caps caps = snic_test_caps();
	struct snic_dev_params p;
	char why[160] = "";

	KUNIT_EXPECT_EQ(test, snic_resolve_params(&caps, &c->req, &p, why,
						  sizeof(why)), c->err);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, c->why),
				  "message was: %s", why);
}

/*
 * Every dependency virtio 1.3 (5.1.3.1) sets among the features the NIC
 * supports, one at a time.
 */
static void snic_feature_deps(struct kunit *test)
{
	static const struct { int bit; int needs; } deps[] = {
		{ VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM },
		{ VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM },
		{ VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM },
		{ VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM },
		{ VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_VQ },
		{ VIRTIO_NET_F_CTRL_RX_EXTRA, VIRTIO_NET_F_CTRL_RX },
		{ VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_VQ },
		{ VIRTIO_NET_F_MQ, VIRTIO_NET_F_CTRL_VQ },
		{ VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_VQ },
		{ VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VIRTIO_NET_F_CTRL_VQ },
	};
	unsigned int i;
	int bit;

	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		u64 f = MANDATORY | BIT_ULL(deps[i].bit);

		bit = -1;
		KUNIT_EXPECT_EQ(test, snic_feature_deps_missing(f, &bit),
				BIT_ULL(deps[i].needs));
		KUNIT_EXPECT_EQ(test, bit, deps[i].bit);
		/* CTRL_VQ too: CTRL_RX_EXTRA's CTRL_RX needs it in turn. */
		f |= BIT_ULL(deps[i].needs) | BIT_ULL(VIRTIO_NET_F_CTRL_VQ);
		KUNIT_EXPECT_EQ(test, snic_feature_deps_missing(f, &bit), 0);
	}
	KUNIT_EXPECT_EQ(test, snic_feature_deps_missing(SNIC_SUPPORTED_FEATURES,
							&bit), 0);
}

static struct kunit_case snic_mgmt_cases[] = {
	KUNIT_CASE(snic_resolve_defaults),
	KUNIT_CASE(snic_resolve_given),
	KUNIT_CASE(snic_resolve_no_mac_feature),
	KUNIT_CASE_PARAM(snic_resolve_refuses, snic_bad_gen_params),
	KUNIT_CASE(snic_feature_deps),
	{}
};

static struct kunit_suite snic_mgmt_suite = {
	.name = "snic_mgmt",
	.test_cases = snic_mgmt_cases,
};

kunit_test_suite(snic_mgmt_suite);
