// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the virtio-net config space, byte by byte.
 */
#include <linux/string.h>
#include <uapi/linux/virtio_net.h>

#include "snic_test.h"

static const struct snic_dev_params snic_cfg_params = {
	.mac = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
	.mtu = 0x2328,			/* 9000 */
	.max_vq_pairs = 0x0104,		/* unequal bytes show the byte order */
};

static void snic_netcfg_layout_le(struct kunit *test)
{
	static const u8 want[12] = {
		0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,	/* mac */
		0x01, 0x00,				/* status: LINK_UP */
		0x04, 0x01,				/* max_virtqueue_pairs */
		0x28, 0x23,				/* mtu */
	};
	struct snic_net_cfg cfg;
	u8 raw[sizeof(struct virtio_net_config)];

	memset(raw, 0x5a, sizeof(raw));
	snic_netcfg_init(&cfg, &snic_cfg_params);
	snic_netcfg_read(&cfg, true, 0, raw, sizeof(raw));
	KUNIT_EXPECT_MEMEQ(test, raw, want, sizeof(want));
	/* Fields the device does not offer read as zero. */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(raw + sizeof(want), 0,
					    sizeof(raw) - sizeof(want)));
}

static void snic_netcfg_layout_be(struct kunit *test)
{
	struct snic_net_cfg cfg;
	u8 raw[12];

	snic_netcfg_init(&cfg, &snic_cfg_params);
	snic_netcfg_read(&cfg, false, 0, raw, sizeof(raw));
	KUNIT_EXPECT_EQ(test, raw[6], 0x00);
	KUNIT_EXPECT_EQ(test, raw[7], 0x01);
	KUNIT_EXPECT_EQ(test, raw[8], 0x01);
	KUNIT_EXPECT_EQ(test, raw[9], 0x04);
	KUNIT_EXPECT_EQ(test, raw[10], 0x23);
	KUNIT_EXPECT_EQ(test, raw[11], 0x28);
}

static void snic_netcfg_window(struct kunit *test)
{
	struct snic_net_cfg cfg;
	__le16 mtu;

	snic_netcfg_init(&cfg, &snic_cfg_params);
	snic_netcfg_read(&cfg, true,
			 offsetof(struct virtio_net_config, mtu), &mtu,
			 sizeof(mtu));
	KUNIT_EXPECT_EQ(test, le16_to_cpu(mtu), 9000);
}

static void snic_netcfg_out_of_range(struct kunit *test)
{
	struct snic_net_cfg cfg;
	u8 buf[4];

	snic_netcfg_init(&cfg, &snic_cfg_params);
	memset(buf, 0x5a, sizeof(buf));
	snic_netcfg_read(&cfg, true, sizeof(struct virtio_net_config) - 2,
			 buf, sizeof(buf));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, sizeof(buf)));

	/* offset + len wraps around. */
	memset(buf, 0x5a, sizeof(buf));
	snic_netcfg_read(&cfg, true, UINT_MAX - 1, buf, sizeof(buf));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, sizeof(buf)));
}

static void snic_netcfg_mac_write(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 1, 2, 3, 4, 5 };
	static const u8 mcast[ETH_ALEN] = { 0x03, 1, 2, 3, 4, 5 };
	const unsigned int off = offsetof(struct virtio_net_config, mac);
	struct snic_net_cfg cfg;
	__le16 mtu = cpu_to_le16(1280);

	snic_netcfg_init(&cfg, &snic_cfg_params);
	KUNIT_EXPECT_TRUE(test, snic_netcfg_write(&cfg, off, mac, ETH_ALEN));
	KUNIT_EXPECT_MEMEQ(test, cfg.mac, mac, ETH_ALEN);
	/* Writing the same address is no change. */
	KUNIT_EXPECT_FALSE(test, snic_netcfg_write(&cfg, off, mac, ETH_ALEN));

	KUNIT_EXPECT_FALSE(test, snic_netcfg_write(&cfg, off, mcast, ETH_ALEN));
	KUNIT_EXPECT_FALSE(test, snic_netcfg_write(&cfg, off + 1, mac, 2));
	KUNIT_EXPECT_FALSE(test, snic_netcfg_write(&cfg, off, mac, 2));
	KUNIT_EXPECT_FALSE(test,
			   snic_netcfg_write(&cfg,
					     offsetof(struct virtio_net_config, mtu),
					     &mtu, sizeof(mtu)));
	KUNIT_EXPECT_FALSE(test, snic_netcfg_write(&cfg, UINT_MAX, mac, 6));
	KUNIT_EXPECT_MEMEQ(test, cfg.mac, mac, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, cfg.mtu, 9000);
}

static struct kunit_case snic_netcfg_cases[] = {
	KUNIT_CASE(snic_netcfg_layout_le),
	KUNIT_CASE(snic_netcfg_layout_be),
	KUNIT_CASE(snic_netcfg_window),
	KUNIT_CASE(snic_netcfg_out_of_range),
	KUNIT_CASE(snic_netcfg_mac_write),
	{}
};

static struct kunit_suite snic_netcfg_suite = {
	.name = "snic_netcfg",
	.test_cases = snic_netcfg_cases,
};

kunit_test_suite(snic_netcfg_suite);
