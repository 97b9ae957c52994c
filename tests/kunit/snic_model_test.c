// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the software NIC against its specification, driven through the
 * driver's vendor-interface layer (snic_hw.c) and, for malformed
 * commands, through raw register writes.
 */
#include <linux/etherdevice.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>

#include "snic_model.h"
#include "snic_test.h"

#define F(b)		BIT_ULL(VIRTIO_NET_F_##b)
#define MANDATORY	SNIC_MANDATORY_FEATURES

static const struct snic_dev_params snic_p = {
	.features = SNIC_SUPPORTED_FEATURES,
	.mac = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
	.mtu = 9000,
	.max_vq_pairs = 4,
};

static struct snic_hw *hw(struct snic_test_nic *t)
{
	return &t->nic.hw;
}

static void snic_model_identity(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_caps want = snic_test_caps();

	KUNIT_EXPECT_EQ(test, t->nic.caps.features, want.features);
	KUNIT_EXPECT_EQ(test, t->nic.caps.max_vq_pairs, want.max_vq_pairs);
	KUNIT_EXPECT_EQ(test, t->nic.caps.max_functions, want.max_functions);
	KUNIT_EXPECT_EQ(test, t->nic.caps.vq_num_max, want.vq_num_max);
	KUNIT_EXPECT_EQ(test, t->nic.caps.min_mtu, want.min_mtu);
	KUNIT_EXPECT_EQ(test, t->nic.caps.max_mtu, want.max_mtu);
	KUNIT_EXPECT_EQ(test, hw(t)->devcaps, SNIC_CAP_SUSPEND | SNIC_CAP_VQ_STATE |
			SNIC_CAP_PACKED | SNIC_CAP_STATS | SNIC_CAP_DIRTY_LOG |
			SNIC_CAP_STATE);
}

static void snic_model_fn_create_checks(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_dev_params p;

	p = snic_p;
	p.features |= F(RSS);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.features = BIT_ULL(VIRTIO_F_VERSION_1) | F(MAC);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.features = MANDATORY | F(MQ);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.mac[0] = 0x01;
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.mtu = SNIC_MAX_MTU + 1;
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.max_vq_pairs = SNIC_MAX_VQ_PAIRS + 1;
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	p = snic_p;
	p.features &= ~F(MQ);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &p, 1), -EINVAL);
	/* A function that does not exist. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), SNIC_MAX_FUNCTIONS, &snic_p, 1),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 3, 1), -ENOENT);

	/* Nothing of the above took a function. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_destroy(hw(t), 0), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_destroy(hw(t), 0), -ENOENT);
}

static void snic_model_config_space(struct kunit *test)
{
	/* Link down: nobody brought the port up. */
	static const u8 want[12] = {
		0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00, 0x00,
		0x04, 0x00, 0x28, 0x23,
	};
	static const u8 mac[ETH_ALEN] = { 0x02, 1, 2, 3, 4, 5 };
	struct snic_test_nic *t = snic_test_nic(test);
	struct virtio_net_config cfg;
	struct snic_hw_fn_state st;
	__le16 mtu = cpu_to_le16(1280);
	u8 b;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 5, &snic_p, 6), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_config_read(hw(t), 5, 0, &cfg, sizeof(cfg)), 0);
	KUNIT_EXPECT_MEMEQ(test, &cfg, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, snic_hw_config_read(hw(t), 5, sizeof(cfg), &b, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_config_read(hw(t), 5, 0, &b, 0), -EINVAL);

	KUNIT_EXPECT_EQ(test, snic_hw_config_write(hw(t), 5, 0, mac, ETH_ALEN), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(hw(t), 5, &st), 0);
	KUNIT_EXPECT_EQ(test, st.generation, 1);
	KUNIT_EXPECT_EQ(test, snic_hw_config_write(hw(t), 5,
						   offsetof(struct virtio_net_config, mtu),
						   &mtu, 2), -EPERM);
	KUNIT_EXPECT_EQ(test, snic_hw_config_write(hw(t), 5, 0, mac, 2), -EPERM);
	KUNIT_EXPECT_EQ(test, snic_hw_config_write(hw(t), 5, 0, "\x01\0\0\0\0\1", 6),
			-EPERM);
	KUNIT_ASSERT_EQ(test, snic_hw_config_read(hw(t), 5, 0, &cfg, sizeof(cfg)), 0);
	KUNIT_EXPECT_MEMEQ(test, cfg.mac, mac, ETH_ALEN);
	/* 9000, little endian. */
	KUNIT_EXPECT_MEMEQ(test, &cfg.mtu, "\x28\x23", 2);
}

static void snic_model_status(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_hw_fn_state st;
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 0, s), 0);
	/* Legacy drivers (no VERSION_1) do not get FEATURES_OK. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_features(hw(t), 0, F(MAC)), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 0, s | VIRTIO_CONFIG_S_FEATURES_OK), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(hw(t), 0, &st), 0);
	KUNIT_EXPECT_EQ(test, st.status, s);

	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_features(hw(t), 0, MANDATORY), 0);
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 0, s), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(hw(t), 0, &st), 0);
	KUNIT_EXPECT_EQ(test, st.status, s);
	KUNIT_EXPECT_EQ(test, st.driver_features, MANDATORY);
	/* Features are fixed once accepted; clearing status bits is refused. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_features(hw(t), 0, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(hw(t), 0, 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(hw(t), 0, &st), 0);
	KUNIT_EXPECT_EQ(test, st.status, 0);
	KUNIT_EXPECT_EQ(test, st.driver_features, 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(hw(t), 0, 0x80), -EINVAL);
}

static void snic_model_vqs(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_hw_vq vq = {
		.desc = 0x10000, .driver = 0x20000, .device = 0x30000,
		.size = 256, .pos = { .avail_idx = 7, .used_idx = 7 },
	};
	struct snic_hw_vq_pos pos9 = { .avail_idx = 9, .used_idx = 9 };
	struct snic_hw_vq_pos pos11 = { .avail_idx = 11, .used_idx = 11 };
	struct snic_hw_vq_pos pos;
	struct snic_hw_vq bad;
	u16 flags;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), 0);
	/* 4 pairs and a CVQ: queues 0 to 8. */
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 9, &vq), -ENOENT);
	bad = vq;
	bad.size = 100;
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 0, &bad), -EINVAL);
	bad.size = 2 * SNIC_VQ_NUM_MAX;
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 0, &bad), -EINVAL);
	bad = vq;
	bad.desc += 8;
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 0, &bad), -EINVAL);
	bad = vq;
	bad.device += 2;
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 0, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_query(hw(t), 0, 0, &pos, &flags), -ENOENT);

	KUNIT_ASSERT_EQ(test, snic_hw_vq_create(hw(t), 0, 8, &vq), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(hw(t), 0, 8, &vq), -EBUSY);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_query(hw(t), 0, 8, &pos, &flags), 0);
	KUNIT_EXPECT_EQ(test, pos.avail_idx, 7);
	KUNIT_EXPECT_FALSE(test, flags & SNIC_VQ_F_READY);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_set_state(hw(t), 0, 8, &pos9), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_set_ready(hw(t), 0, 8, true), 0);
	/* A running queue's position cannot be moved. */
	KUNIT_EXPECT_EQ(test, snic_hw_vq_set_state(hw(t), 0, 8, &pos11), -EBUSY);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_query(hw(t), 0, 8, &pos, &flags), 0);
	KUNIT_EXPECT_EQ(test, pos.avail_idx, 9);
	KUNIT_EXPECT_TRUE(test, flags & SNIC_VQ_F_READY);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_destroy(hw(t), 0, 8), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_destroy(hw(t), 0, 8), -ENOENT);

	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 2, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_group_set_asid(hw(t), 0, 0, SNIC_NAS), -EINVAL);
}

/* Write a raw command of @len bytes whose first words are @w, execute it. */
static void snic_model_malformed(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	u32 w[4];

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), 0);
	/* Length shorter than the header, longer than the buffer. */
	w[0] = SNIC_OP_FN_QUERY;
	w[1] = 4;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EINVAL);
	w[1] = SNIC_ADMIN_BUF_SIZE + 4;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EINVAL);
	/* A command shorter than its structure. */
	w[0] = SNIC_OP_FN_SET_FEATURES;
	w[1] = 12;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 3), SNIC_ST_EINVAL);
	w[0] = SNIC_OP_VQ_CREATE;
	w[1] = 16;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 4), SNIC_ST_EINVAL);
	/* CONFIG_WRITE whose data runs past the command. */
	w[0] = SNIC_OP_CONFIG_WRITE;
	w[1] = 12;
	w[2] = 6 << 16;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 3), SNIC_ST_EINVAL);
	/* An unknown opcode; commands shorter than their structure. */
	w[0] = 0x7777;
	w[1] = 8;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EOPNOTSUPP);
	w[0] = SNIC_OP_FN_STATE_SAVE;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EINVAL);
	w[0] = SNIC_OP_FN_STATE_RESTORE;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EINVAL);
	w[0] = SNIC_OP_DIRTY_LOG_START;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, 2), SNIC_ST_EINVAL);
	/* Function 0 is untouched. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_set_status(hw(t), 0, 1), 0);
}

#define RD	SNIC_IOTLB_PERM_READ
#define WR	SNIC_IOTLB_PERM_WRITE

static void snic_model_iotlb(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_model_fn *fn = &t->model->fns[2];
	u64 a;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 2, &snic_p, 3), 0);
	/* Empty as created: the function reaches nothing. */
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x1234, 8, WR, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 0, 0x3000, 1, RD, &a));
	/* Passthrough when asked for, until the first mapping. */
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_reset(hw(t), 2, 0, SNIC_IOTLB_RESET_PASSTHROUGH), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_reset(hw(t), 2, 1, SNIC_IOTLB_RESET_PASSTHROUGH), 0);
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 1, 0x1234, 8, WR, &a));
	KUNIT_EXPECT_EQ(test, a, 0x1234);

	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x1000, 0x2000, 0x80000, RD | WR), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x4000, 0x1000, 0x90000, RD), 0);
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 1, 0x1800, 16, WR, &a));
	KUNIT_EXPECT_EQ(test, a, 0x80800);
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 1, 0x4234, 8, RD, &a));
	KUNIT_EXPECT_EQ(test, a, 0x90234);
	/* Unmapped, across the end of a mapping, or writing read-only. */
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x3000, 1, RD, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x2ff8, 16, RD, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x4000, 4, WR, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, U64_MAX, 2, RD, &a));
	/* The other address space is still in passthrough. */
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 0, 0x3000, 1, RD, &a));

	/* Overlap, empty, wrapping, bad permissions, bad asid. */
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x2fff, 2, 0, RD), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x8000, 0, 0, RD), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, U64_MAX - 1, 4, 0, RD), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x8000, 8, U64_MAX, RD), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x8000, 8, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 1, 0x8000, 8, 0, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, SNIC_NAS, 0x8000, 8, 0, RD), -EINVAL);

	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_unmap(hw(t), 2, 1, 0x1000, 0x2000), 0);
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x1800, 16, RD, &a));
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 1, 0x4000, 16, RD, &a));
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_unmap(hw(t), 2, 1, 0x1000, 0), -EINVAL);

	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_reset(hw(t), 2, 1, 0), 0);
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x4000, 16, RD, &a));
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_reset(hw(t), 2, 1, SNIC_IOTLB_RESET_PASSTHROUGH), 0);
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 1, 0x4000, 16, RD, &a));
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_reset(hw(t), 2, 1, 2), -EINVAL);

	/* A reset keeps mappings unless asked to clean them. */
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 2, 0, 0, 0x1000, 0x5000, RD), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(hw(t), 2, 0), 0);
	KUNIT_EXPECT_TRUE(test, snic_model_translate(fn, 0, 0x800, 1, RD, &a));
	KUNIT_EXPECT_EQ(test, a, 0x5800);
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 0, 0x3000, 1, RD, &a));
	/* CLEAN_MAP leaves every address space empty (not passthrough). */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(hw(t), 2, SNIC_FN_RESET_CLEAN_MAP), 0);
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 0, 0x3000, 1, RD, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 0, 0x800, 1, RD, &a));
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 1, 0x4000, 16, RD, &a));
}

/* The IOTLB holds iotlb_max entries; a command is all or nothing. */
static void snic_model_iotlb_limits(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_model_fn *fn = &t->model->fns[0];
	struct {
		struct snic_cmd_iotlb_map c;
		struct snic_iotlb_entry e[2];
	} cmd = {
		.c = {
			.hdr = {
				.opcode = cpu_to_le16(SNIC_OP_IOTLB_MAP),
				.length = cpu_to_le32(sizeof(cmd)),
			},
			.count = cpu_to_le16(2),
		},
		.e = {
			{ .iova = cpu_to_le64(0x10000), .size = cpu_to_le64(0x1000),
			  .perm = cpu_to_le32(RD) },
			{ .iova = cpu_to_le64(0x10800), .size = cpu_to_le64(0x1000),
			  .perm = cpu_to_le32(RD) },
		},
	};
	u32 *w = (u32 *)&cmd;
	u64 a;

	t->model->iotlb_max = 2;
	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), 0, &snic_p, 1), 0);
	/* Two entries that overlap each other: nothing is mapped. */
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(t, w, sizeof(cmd) / 4),
			SNIC_ST_EINVAL);
	/* Still empty, as FN_CREATE left it. */
	KUNIT_EXPECT_FALSE(test, snic_model_translate(fn, 0, 0x20000, 1, RD, &a));

	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 0, 0, 0, 0x1000, 0, RD), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 0, 0, 0x1000, 0x1000, 0, RD), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 0, 0, 0x2000, 0x1000, 0, RD), -ENOSPC);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_unmap(hw(t), 0, 0, 0, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_iotlb_map(hw(t), 0, 0, 0x2000, 0x1000, 0, RD), 0);
}

static struct kunit_case snic_model_cases[] = {
	KUNIT_CASE(snic_model_iotlb),
	KUNIT_CASE(snic_model_iotlb_limits),
	KUNIT_CASE(snic_model_identity),
	KUNIT_CASE(snic_model_fn_create_checks),
	KUNIT_CASE(snic_model_config_space),
	KUNIT_CASE(snic_model_status),
	KUNIT_CASE(snic_model_vqs),
	KUNIT_CASE(snic_model_malformed),
	{}
};

static struct kunit_suite snic_model_suite = {
	.name = "snic_model",
	.test_cases = snic_model_cases,
};

kunit_test_suite(snic_model_suite);
