// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the config space as the driver hands it on, byte by byte.
 */
#include <linux/string.h>
#include <uapi/linux/virtio_net.h>

#include "snic_test.h"

/* What CONFIG_READ returns: little-endian fields. */
static const u8 snic_raw_cfg[12] = {
	0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,	/* mac */
	0x01, 0x00,				/* status: LINK_UP */
	0x04, 0x01,				/* max_virtqueue_pairs 0x104 */
	0x28, 0x23,				/* mtu 9000 */
};

static void snic_raw(struct virtio_net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg, snic_raw_cfg, sizeof(snic_raw_cfg));
}

static void snic_netcfg_le(struct kunit *test)
{
	struct virtio_net_config cfg;

	snic_raw(&cfg);
	snic_netcfg_to_driver(&cfg, true);
	KUNIT_EXPECT_MEMEQ(test, &cfg, snic_raw_cfg, sizeof(snic_raw_cfg));
}

static void snic_netcfg_be(struct kunit *test)
{
	static const u8 want[12] = {
		0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
		0x00, 0x01, 0x01, 0x04, 0x23, 0x28,
	};
	struct virtio_net_config cfg;

	snic_raw(&cfg);
	snic_netcfg_to_driver(&cfg, false);
	KUNIT_EXPECT_MEMEQ(test, &cfg, want, sizeof(want));
}

static void snic_netcfg_window_in(struct kunit *test)
{
	struct virtio_net_config cfg;
	u8 buf[2];

	snic_raw(&cfg);
	snic_netcfg_window(&cfg, offsetof(struct virtio_net_config, mtu), buf,
			   sizeof(buf));
	KUNIT_EXPECT_EQ(test, buf[0], 0x28);
	KUNIT_EXPECT_EQ(test, buf[1], 0x23);
}

static void snic_netcfg_window_out(struct kunit *test)
{
	struct virtio_net_config cfg;
	u8 buf[4];

	memset(&cfg, 0xa5, sizeof(cfg));
	memset(buf, 0x5a, sizeof(buf));
	snic_netcfg_window(&cfg, sizeof(cfg) - 2, buf, sizeof(buf));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, sizeof(buf)));

	/* offset + len wraps around. */
	memset(buf, 0x5a, sizeof(buf));
	snic_netcfg_window(&cfg, UINT_MAX - 1, buf, sizeof(buf));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, sizeof(buf)));

	/* The last bytes inside are copied. */
	snic_netcfg_window(&cfg, sizeof(cfg) - 4, buf, sizeof(buf));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0xa5, sizeof(buf)));
}

static struct kunit_case snic_netcfg_cases[] = {
	KUNIT_CASE(snic_netcfg_le),
	KUNIT_CASE(snic_netcfg_be),
	KUNIT_CASE(snic_netcfg_window_in),
	KUNIT_CASE(snic_netcfg_window_out),
	{}
};

static struct kunit_suite snic_netcfg_suite = {
	.name = "snic_netcfg",
	.test_cases = snic_netcfg_cases,
};

kunit_test_suite(snic_netcfg_suite);
