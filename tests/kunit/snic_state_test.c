// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: FN_STATE_SAVE and FN_STATE_RESTORE, from the vendor interface
 * ("Device state") and the blob's format (Documentation/device-state.rst):
 * what a saved blob holds, a function restored elsewhere that continues
 * where the saved one stopped, each check of a restore refusing its
 * broken blob with the reason the specification gives and leaving the
 * function as it was, and a fuzzer that restores mutated real blobs.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/math64.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/unaligned.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>

#include <snic/snic_state.h>

#include "snic_vq_test.h"

#define RXQ		0
#define TXQ		1
#define SRC		0	/* the saved function */
#define DST		1	/* where it is restored */
#define DRV_F		(SNIC_MANDATORY_FEATURES | \
			 BIT_ULL(VIRTIO_NET_F_MTU) | \
			 BIT_ULL(VIRTIO_NET_F_MAC) | \
			 BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) | \
			 BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_VQ) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_RX) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_VLAN) | \
			 BIT_ULL(VIRTIO_NET_F_MQ) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR) | \
			 BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
#define PAIRS		4	/* snic_tfn_create() with MQ */
#define STATUS_RUN	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
			 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)
#define HDR		sizeof(struct snic_part_hdr)

static const u8 snic_st_mac[ETH_ALEN] = { 0x02, 0x5e, 0, 0, 0, 0x77 };
static const u8 snic_st_uc[2][ETH_ALEN] = {
	{ 0x02, 0x11, 0, 0, 0, 1 }, { 0x02, 0x11, 0, 0, 0, 2 },
};

static const u8 snic_st_mc[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 9 };

static struct snic_hw *hw(struct snic_test_nic *t)
{
	return &t->nic.hw;
}

/* A buffer the NIC reaches by bus address, as large as a blob may be. */
static u8 *snic_st_buf(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, SNIC_STATE_MAX, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	return b;
}

static int snic_st_save(struct snic_test_nic *t, u16 fn, u8 *buf, u32 *len)
{
	return snic_hw_state_save(hw(t), fn, virt_to_phys(buf), SNIC_STATE_MAX,
				  len);
}

static int snic_st_restore(struct snic_test_nic *t, u16 fn, const u8 *buf,
			   u32 len, struct snic_hw_state_err *why)
{
	return snic_hw_state_restore(hw(t), fn, virt_to_phys((void *)buf), len,
				     why);
}

/*
 * The offset of the @nth part of type @type (with queue or CVQ selector
 * @sel, if not -1), walking the blob as the format says; 0 if none.
 */
static u32 snic_st_find(const u8 *b, u32 len, u16 type, int sel)
{
	u32 off = sizeof(struct snic_state_hdr);

	while (off + HDR <= len) {
		if (get_unaligned_le16(b + off) == type &&
		    (sel < 0 || get_unaligned_le16(b + off + 4) == sel))
			return off;
		off += HDR + get_unaligned_le32(b + off + 12);
	}
	return 0;
}

/* Rewrite the header's length and count after a mutation. */
static void snic_st_fix(u8 *b, u32 len, int dcount)
{
	put_unaligned_le32(len, b + 8);
	put_unaligned_le32(get_unaligned_le32(b + 12) + dcount, b + 12);
}

/* Insert @n bytes of @src at @at; return the new length. */
static u32 snic_st_insert(u8 *b, u32 len, u32 at, const u8 *src, u32 n)
{
	memmove(b + at + n, b + at, len - at);
	memcpy(b + at, src, n);
	return len + n;
}

/* Remove @n bytes at @at; return the new length. */
static u32 snic_st_cut(u8 *b, u32 len, u32 at, u32 n)
{
	memmove(b + at, b + at + n, len - at - n);
	return len - n;
}

static u32 snic_st_part_size(const u8 *b, u32 off)
{
	return HDR + get_unaligned_le32(b + off + 12);
}

/*
 * Function @id of @t brought to DRIVER_OK with DRV_F, its transmit queue
 * on @r having sent one frame, its receive queue created but not ready,
 * CVQ-programmed state away from the defaults, and suspended.
 */
static void snic_st_source(struct kunit *test, struct snic_test_nic *t, u16 id,
			   struct snic_test_ring *r, struct snic_test_ring *rx)
{
	struct snic_model_fn *fn = &t->model->fns[id];
	struct snic_hw_vq vq = {
		.desc = snic_tr_iova(rx, rx->desc),
		.driver = snic_tr_iova(rx, &rx->avail),
		.device = snic_tr_iova(rx, &rx->used),
		.size = SNIC_TR_SIZE,
		.vector = SNIC_VQ_VECTOR(id, RXQ),
	};

	snic_tfn_create(test, t, id, SNIC_SUPPORTED_FEATURES, DRV_F);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_create(hw(t), id, RXQ, &vq), 0);
	snic_tfn_vq(test, t, id, TXQ, r);
	snic_tfn_driver_ok(test, t, id);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, id, TXQ);
	KUNIT_ASSERT_EQ(test, snic_tr_used_idx(r), 1);

	/* What a driver would set through the CVQ. */
	spin_lock_bh(&fn->cfg_lock);
	fn->rxf.promisc = false;
	fn->rxf.allmulti = true;
	fn->rxf.nobcast = true;
	fn->rxf.n_uc = 2;
	memcpy(fn->rxf.uc, snic_st_uc, sizeof(snic_st_uc));
	fn->rxf.n_mc = 1;
	memcpy(fn->rxf.mc[0], snic_st_mc, ETH_ALEN);
	__set_bit(5, fn->rxf.vlans);
	__set_bit(4000, fn->rxf.vlans);
	fn->vq_pairs = 3;
	fn->guest_offloads = BIT_ULL(VIRTIO_NET_F_GUEST_CSUM);
	ether_addr_copy(fn->mac, snic_st_mac);
	spin_unlock_bh(&fn->cfg_lock);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_suspend(hw(t), id), 0);
}

/* A function as created: reset, its address spaces in passthrough. */
static void snic_st_target(struct kunit *test, struct snic_test_nic *t, u16 id,
			   u64 features, u16 mtu)
{
	struct snic_dev_params p = {
		.features = features,
		.mac = { 0x02, 0x5e, 0, 0, 1, id },
		.mtu = mtu,
		.max_vq_pairs = PAIRS,
	};

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(hw(t), id, &p,
						SNIC_CONFIG_VECTOR(id)), 0);
	snic_tfn_passthrough(test, t, id);
}

/* The function is as created: nothing of a refused restore stuck. */
static void snic_st_untouched(struct kunit *test, struct snic_test_nic *t,
			      u16 id)
{
	struct snic_model_fn *fn = &t->model->fns[id];
	struct snic_hw_vq_pos pos;
	unsigned int q;
	u16 flags;

	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, id), 0);
	for (q = 0; q < fn->nvqs; q++)
		KUNIT_EXPECT_EQ(test, snic_hw_vq_query(hw(t), id, q, &pos,
						       &flags), -ENOENT);
	KUNIT_EXPECT_EQ(test, fn->driver_features, 0);
	KUNIT_EXPECT_FALSE(test, fn->suspended);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(fn->mac, fn->prov_mac));
	KUNIT_EXPECT_TRUE(test, fn->rxf.promisc);
	KUNIT_EXPECT_FALSE(test, fn->rxf.allmulti || fn->rxf.nobcast);
	KUNIT_EXPECT_EQ(test, fn->rxf.n_uc + fn->rxf.n_mc, 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(fn->rxf.vlans, VLAN_N_VID));
	KUNIT_EXPECT_EQ(test, fn->vq_pairs, 1);
}

/* A saved blob says what the format says, of what was saved. */
static void snic_state_save_contents(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_ring *rx = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	u8 *b = snic_st_buf(test), *again = snic_st_buf(test);
	u32 len, len2, off, n = 0;
	const u8 *v;

	snic_tfn_create(test, t, SRC, SNIC_SUPPORTED_FEATURES, DRV_F);
	/* Only a suspended function is saved. */
	KUNIT_EXPECT_EQ(test, snic_st_save(t, SRC, b, &len), -EBUSY);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_destroy(hw(t), SRC), 0);
	snic_st_source(test, t, SRC, r, rx);

	/* The size first: ENOSPC with the size, nothing written. */
	memset(b, 0xa5, 64);
	KUNIT_EXPECT_EQ(test, snic_hw_state_save(hw(t), SRC, virt_to_phys(b),
						 0, &len), -ENOSPC);
	KUNIT_EXPECT_GT(test, len, sizeof(struct snic_state_hdr));
	KUNIT_EXPECT_EQ(test, snic_hw_state_save(hw(t), SRC, virt_to_phys(b),
						 len - 1, &len2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, len2, len);
	KUNIT_EXPECT_EQ(test, b[0], 0xa5);
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, b, &len), 0);

	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b), SNIC_STATE_MAGIC);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 4), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 6), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 8), len);
	for (off = 16; off < len; off += snic_st_part_size(b, off))
		n++;
	KUNIT_EXPECT_EQ(test, off, len);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 12), n);

	off = snic_st_find(b, len, SNIC_PART_DEV_FEATURES, -1);
	KUNIT_ASSERT_EQ(test, off, 16);
	KUNIT_EXPECT_EQ(test, b[off + 2], SNIC_PART_F_OPTIONAL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + off + HDR),
			SNIC_SUPPORTED_FEATURES);
	off = snic_st_find(b, len, SNIC_PART_DRV_FEATURES, -1);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + off + HDR), DRV_F);
	off = snic_st_find(b, len, SNIC_PART_DEVICE_STATUS, -1);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, b[off + HDR], STATUS_RUN);

	/* Both queues, the vector counted from the config vector. */
	off = snic_st_find(b, len, SNIC_PART_VQ_CFG, TXQ);
	KUNIT_ASSERT_NE(test, off, 0);
	v = b + off + HDR;
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(v), SNIC_TR_SIZE);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(v + 2),
			SNIC_VQ_VECTOR(SRC, TXQ) - SNIC_CONFIG_VECTOR(SRC));
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(v + 4), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(v + 8), snic_tr_iova(r, r->desc));
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(v + 16),
			snic_tr_iova(r, &r->avail));
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(v + 24),
			snic_tr_iova(r, &r->used));
	off = snic_st_find(b, len, SNIC_PART_VQ_CFG, RXQ);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR + 4), 0);
	KUNIT_EXPECT_EQ(test, snic_st_find(b, len, SNIC_PART_VQ_CFG, 2), 0);
	off = snic_st_find(b, len, SNIC_PART_VQ_STATE, TXQ);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR + 2), 1);

	/* virtio-net parts: the data of the CVQ command, by class, cmd. */
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_RX |
			   VIRTIO_NET_CTRL_RX_ALLMULTI << 8);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + off + 12), 1);
	KUNIT_EXPECT_EQ(test, b[off + HDR], 1);
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_RX |
			   VIRTIO_NET_CTRL_RX_PROMISC << 8);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, b[off + HDR], 0);
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_MAC |
			   VIRTIO_NET_CTRL_MAC_TABLE_SET << 8);
	KUNIT_ASSERT_NE(test, off, 0);
	v = b + off + HDR;
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + off + 12), 8 + 3 * ETH_ALEN);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(v), 2);
	KUNIT_EXPECT_MEMEQ(test, v + 4, snic_st_uc, sizeof(snic_st_uc));
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(v + 16), 1);
	KUNIT_EXPECT_MEMEQ(test, v + 20, snic_st_mc, ETH_ALEN);
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_MAC |
			   VIRTIO_NET_CTRL_MAC_ADDR_SET << 8);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_MEMEQ(test, b + off + HDR, snic_st_mac, ETH_ALEN);
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_VLAN);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + off + 12), 512);
	KUNIT_EXPECT_EQ(test, b[off + HDR], BIT(5));
	KUNIT_EXPECT_EQ(test, b[off + HDR + 500], BIT(0));
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_MQ);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR), 3);
	off = snic_st_find(b, len, SNIC_PART_NET_CVQ,
			   VIRTIO_NET_CTRL_GUEST_OFFLOADS);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + off + HDR),
			BIT_ULL(VIRTIO_NET_F_GUEST_CSUM));
	off = snic_st_find(b, len, SNIC_PART_NET_ATTRS, -1);
	KUNIT_ASSERT_NE(test, off, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR), 1500);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + off + HDR + 2), PAIRS);
	KUNIT_EXPECT_EQ(test, snic_st_find(b, len, SNIC_PART_MAC_OVERFLOW, -1), 0);

	/* Saving changes nothing. */
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, again, &len2), 0);
	KUNIT_EXPECT_EQ(test, len2, len);
	KUNIT_EXPECT_MEMEQ(test, again, b, len);
}

/*
 * Restored into another function of the same NIC and into a function of
 * a second NIC, the state is the saved one, and the rings go on.
 */
static void snic_state_restore_elsewhere(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_ring *rx = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test), *t2 = snic_test_nic(test);
	u8 *b = snic_st_buf(test), *again = snic_st_buf(test);
	struct snic_model_fn *src = &t->model->fns[SRC];
	struct snic_hw_state_err why;
	struct snic_test_nic *to;
	u32 len, len2;
	unsigned int i;

	snic_st_source(test, t, SRC, r, rx);
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, b, &len), 0);
	snic_st_target(test, t, DST, SNIC_SUPPORTED_FEATURES, 1500);
	snic_st_target(test, t2, 3, SNIC_SUPPORTED_FEATURES, 1500);

	for (i = 0; i < 2; i++) {
		u16 id = i ? 3 : DST;
		struct snic_model_fn *fn;

		to = i ? t2 : t;
		fn = &to->model->fns[id];
		KUNIT_ASSERT_EQ(test, snic_st_restore(to, id, b, len, &why), 0);
		KUNIT_EXPECT_EQ(test, snic_tfn_status(test, to, id), STATUS_RUN);
		KUNIT_EXPECT_EQ(test, fn->driver_features, DRV_F);
		KUNIT_EXPECT_TRUE(test, fn->suspended);
		KUNIT_EXPECT_TRUE(test, ether_addr_equal(fn->mac, snic_st_mac));
		KUNIT_EXPECT_FALSE(test, fn->rxf.promisc);
		KUNIT_EXPECT_TRUE(test, fn->rxf.allmulti && fn->rxf.nobcast);
		KUNIT_EXPECT_FALSE(test, fn->rxf.alluni || fn->rxf.nomulti ||
				   fn->rxf.nouni);
		KUNIT_EXPECT_EQ(test, fn->rxf.n_uc, 2);
		KUNIT_EXPECT_MEMEQ(test, fn->rxf.uc, snic_st_uc, sizeof(snic_st_uc));
		KUNIT_EXPECT_EQ(test, fn->rxf.n_mc, 1);
		KUNIT_EXPECT_TRUE(test, fn->rxf.vlan_filter);
		KUNIT_EXPECT_TRUE(test, bitmap_equal(fn->rxf.vlans, src->rxf.vlans,
						     VLAN_N_VID));
		KUNIT_EXPECT_EQ(test, fn->vq_pairs, 3);
		KUNIT_EXPECT_EQ(test, fn->guest_offloads,
				BIT_ULL(VIRTIO_NET_F_GUEST_CSUM));
		KUNIT_EXPECT_EQ(test, fn->vqs[TXQ].r.vector,
				SNIC_CONFIG_VECTOR(id) + SNIC_VQ_VECTOR(SRC, TXQ) -
				SNIC_CONFIG_VECTOR(SRC));
		KUNIT_EXPECT_FALSE(test, fn->vqs[RXQ].r.flags & SNIC_VQ_F_READY);

		/* Saved again at once, it is the same blob. */
		KUNIT_ASSERT_EQ(test, snic_st_save(to, id, again, &len2), 0);
		KUNIT_EXPECT_EQ(test, len2, len);
		KUNIT_EXPECT_MEMEQ(test, again, b, len);

		/* Suspended until resumed; then the ring goes on. */
		snic_tr_add(r, snic_tx_frame(r, 1, 1 + i));
		snic_tfn_kick(to, id, TXQ);
		KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1 + i);
		KUNIT_ASSERT_EQ(test, snic_hw_fn_resume(hw(to), id), 0);
		flush_workqueue(to->model->wq);
		KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 2 + i);
		KUNIT_ASSERT_EQ(test, snic_hw_fn_suspend(hw(to), id), 0);
		/* The next restore starts where this one left the ring. */
		if (!i)
			KUNIT_ASSERT_EQ(test, snic_st_save(to, id, b, &len), 0);
	}
}

/**
 * struct snic_st_case - a blob broken one way, and what a restore says
 * @name: the case
 * @reason: the reason FN_STATE_RESTORE gives (0: it succeeds)
 * @type: the part type it names
 * @err: the errno (-EINVAL if 0 and @reason is set)
 * @features: features the target offers (SNIC_SUPPORTED_FEATURES if 0)
 * @mtu: the target's MTU (1500 if 0)
 * @mutate: break the blob @b of length *@len
 */
struct snic_st_case {
	const char *name;
	u16 reason;
	u16 type;
	int err;
	u64 features;
	u16 mtu;
	void (*mutate)(u8 *b, u32 *len);
};

static void m_magic(u8 *b, u32 *len)
{
	b[0] ^= 1;
}

static void m_version(u8 *b, u32 *len)
{
	put_unaligned_le16(2, b + 4);
}

static void m_device(u8 *b, u32 *len)
{
	put_unaligned_le16(2, b + 6);
}

static void m_length(u8 *b, u32 *len)
{
	put_unaligned_le32(*len + 1, b + 8);
}

static void m_count(u8 *b, u32 *len)
{
	snic_st_fix(b, *len, 1);
}

static void m_empty(u8 *b, u32 *len)
{
	*len = 0;
}

static void m_huge(u8 *b, u32 *len)
{
	*len = SNIC_STATE_MAX + 1;
}

static void m_short_hdr(u8 *b, u32 *len)
{
	*len = 15;
}

static void m_truncated(u8 *b, u32 *len)
{
	*len -= 3;
	snic_st_fix(b, *len, 0);
}

static void m_reserved(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_DRV_FEATURES, -1) + 3] = 1;
}

static void m_flags(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_DRV_FEATURES, -1) + 2] = 2;
}

static void m_unknown_optional(u8 *b, u32 *len)
{
	put_unaligned_le16(0x0777, b + snic_st_find(b, *len, SNIC_PART_DEV_FEATURES, -1));
}

static void m_unknown(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_DEV_FEATURES, -1);

	put_unaligned_le16(0x0777, b + off);
	b[off + 2] = 0;
}

static void m_part_length(u8 *b, u32 *len)
{
	put_unaligned_le16(SNIC_PART_DEVICE_STATUS,
			   b + snic_st_find(b, *len, SNIC_PART_DEV_FEATURES, -1));
}

static void m_duplicate(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_DRV_FEATURES, -1);
	u8 copy[HDR + 8];

	memcpy(copy, b + off, sizeof(copy));
	*len = snic_st_insert(b, *len, off, copy, sizeof(copy));
	snic_st_fix(b, *len, 1);
}

static void m_order(u8 *b, u32 *len)
{
	u32 a = snic_st_find(b, *len, SNIC_PART_DEV_FEATURES, -1);
	u8 tmp[HDR + 8];

	/* DRV_FEATURES before DEV_FEATURES: same sizes, swapped. */
	memcpy(tmp, b + a, sizeof(tmp));
	memcpy(b + a, b + a + sizeof(tmp), sizeof(tmp));
	memcpy(b + a + sizeof(tmp), tmp, sizeof(tmp));
}

static void m_missing_attrs(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_NET_ATTRS, -1);

	*len = snic_st_cut(b, *len, off, snic_st_part_size(b, off));
	snic_st_fix(b, *len, -1);
}

static void m_missing_vq_state(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_VQ_STATE, TXQ);

	*len = snic_st_cut(b, *len, off, snic_st_part_size(b, off));
	snic_st_fix(b, *len, -1);
}

static void m_not_negotiated(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_DRV_FEATURES, -1) + HDR;

	put_unaligned_le64(get_unaligned_le64(b + off) &
			   ~BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS), b + off);
}

static void m_no_version_1(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_DRV_FEATURES, -1) + HDR;

	put_unaligned_le64(get_unaligned_le64(b + off) &
			   ~BIT_ULL(VIRTIO_F_VERSION_1), b + off);
}

static void m_status(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_DEVICE_STATUS, -1) + HDR] = 0x07;
}

static void m_needs_reset(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_DEVICE_STATUS, -1) + HDR] |=
		VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void m_queue_index(u8 *b, u32 *len)
{
	put_unaligned_le16(200, b + snic_st_find(b, *len, SNIC_PART_VQ_CFG, TXQ) + 4);
}

static void m_queue_size(u8 *b, u32 *len)
{
	put_unaligned_le16(3, b + snic_st_find(b, *len, SNIC_PART_VQ_CFG, TXQ) + HDR);
}

static void m_queue_align(u8 *b, u32 *len)
{
	u32 off = snic_st_find(b, *len, SNIC_PART_VQ_CFG, TXQ) + HDR + 8;

	put_unaligned_le64(get_unaligned_le64(b + off) + 8, b + off);
}

static void m_queue_vector(u8 *b, u32 *len)
{
	put_unaligned_le16(4000, b + snic_st_find(b, *len, SNIC_PART_VQ_CFG, TXQ) + HDR + 2);
}

static void m_queue_state(u8 *b, u32 *len)
{
	/* A split ring with buffers in flight. */
	put_unaligned_le16(7, b + snic_st_find(b, *len, SNIC_PART_VQ_STATE, TXQ) + HDR);
}

static void m_rx_flag(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_RX |
		       VIRTIO_NET_CTRL_RX_NOBCAST << 8) + HDR] = 2;
}

static void m_mac_table(u8 *b, u32 *len)
{
	put_unaligned_le32(65, b + snic_st_find(b, *len, SNIC_PART_NET_CVQ,
						VIRTIO_NET_CTRL_MAC) + HDR);
}

static void m_mac_table_short(u8 *b, u32 *len)
{
	/* Two multicast entries announced, one there. */
	put_unaligned_le32(2, b + snic_st_find(b, *len, SNIC_PART_NET_CVQ,
					       VIRTIO_NET_CTRL_MAC) + HDR + 16);
}

static void m_pairs_zero(u8 *b, u32 *len)
{
	put_unaligned_le16(0, b + snic_st_find(b, *len, SNIC_PART_NET_CVQ,
					       VIRTIO_NET_CTRL_MQ) + HDR);
}

static void m_pairs_many(u8 *b, u32 *len)
{
	put_unaligned_le16(PAIRS + 1, b + snic_st_find(b, *len, SNIC_PART_NET_CVQ,
						       VIRTIO_NET_CTRL_MQ) + HDR);
}

static void m_offloads(u8 *b, u32 *len)
{
	put_unaligned_le64(BIT_ULL(VIRTIO_NET_F_GUEST_TSO6),
			   b + snic_st_find(b, *len, SNIC_PART_NET_CVQ,
					    VIRTIO_NET_CTRL_GUEST_OFFLOADS) + HDR);
}

static void m_multicast_mac(u8 *b, u32 *len)
{
	b[snic_st_find(b, *len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_MAC |
		       VIRTIO_NET_CTRL_MAC_ADDR_SET << 8) + HDR] = 0x01;
}

static void m_cvq_unknown(u8 *b, u32 *len)
{
	/* Class 6 (notification coalescing): not a part this NIC has. */
	b[snic_st_find(b, *len, SNIC_PART_NET_CVQ, VIRTIO_NET_CTRL_MQ) + 4] = 6;
}

static void m_none(u8 *b, u32 *len)
{
}

static const struct snic_st_case snic_st_cases[] = {
	{ "bad magic", SNIC_STATE_BAD_MAGIC, 0, 0, 0, 0, m_magic },
	{ "version 2", SNIC_STATE_BAD_VERSION, 0, 0, 0, 0, m_version },
	{ "not a network device", SNIC_STATE_BAD_DEVICE, 0, 0, 0, 0, m_device },
	{ "length field", SNIC_STATE_BAD_LENGTH, 0, 0, 0, 0, m_length },
	{ "empty", SNIC_STATE_BAD_LENGTH, 0, 0, 0, 0, m_empty },
	{ "above 64 KiB", SNIC_STATE_BAD_LENGTH, 0, 0, 0, 0, m_huge },
	{ "shorter than its header", SNIC_STATE_BAD_LENGTH, 0, 0, 0, 0,
	  m_short_hdr },
	{ "count", SNIC_STATE_BAD_COUNT, 0, 0, 0, 0, m_count },
	{ "truncated", SNIC_STATE_TRUNCATED, SNIC_PART_NET_ATTRS, 0, 0, 0,
	  m_truncated },
	{ "reserved byte", SNIC_STATE_RESERVED, SNIC_PART_DRV_FEATURES, 0, 0, 0,
	  m_reserved },
	{ "unknown flag", SNIC_STATE_RESERVED, SNIC_PART_DRV_FEATURES, 0, 0, 0,
	  m_flags },
	{ "unknown optional part", 0, 0, 0, 0, 0, m_unknown_optional },
	{ "unknown part", SNIC_STATE_UNKNOWN_PART, 0x0777, 0, 0, 0, m_unknown },
	{ "value length", SNIC_STATE_PART_LENGTH, SNIC_PART_DEVICE_STATUS, 0, 0,
	  0, m_part_length },
	{ "duplicate", SNIC_STATE_DUPLICATE, SNIC_PART_DRV_FEATURES, 0, 0, 0,
	  m_duplicate },
	{ "order", SNIC_STATE_ORDER, SNIC_PART_DEV_FEATURES, 0, 0, 0, m_order },
	{ "missing attributes", SNIC_STATE_MISSING, SNIC_PART_NET_ATTRS, 0, 0, 0,
	  m_missing_attrs },
	{ "queue without state", SNIC_STATE_MISSING, SNIC_PART_VQ_CFG, 0, 0, 0,
	  m_missing_vq_state },
	{ "feature not offered", SNIC_STATE_NOT_OFFERED, SNIC_PART_DRV_FEATURES,
	  0, SNIC_SUPPORTED_FEATURES & ~BIT_ULL(VIRTIO_NET_F_CTRL_VLAN), 0,
	  m_none },
	{ "part not negotiated", SNIC_STATE_NOT_NEGOTIATED, SNIC_PART_NET_CVQ, 0,
	  0, 0, m_not_negotiated },
	{ "no VERSION_1", SNIC_STATE_MISSING, SNIC_PART_DRV_FEATURES, 0, 0, 0,
	  m_no_version_1 },
	{ "status without DRIVER_OK", SNIC_STATE_BAD_STATUS,
	  SNIC_PART_DEVICE_STATUS, 0, 0, 0, m_status },
	{ "status NEEDS_RESET", SNIC_STATE_BAD_STATUS, SNIC_PART_DEVICE_STATUS,
	  0, 0, 0, m_needs_reset },
	{ "queue index", SNIC_STATE_BAD_QUEUE, SNIC_PART_VQ_CFG, 0, 0, 0,
	  m_queue_index },
	{ "queue size", SNIC_STATE_BAD_VQ_CFG, SNIC_PART_VQ_CFG, 0, 0, 0,
	  m_queue_size },
	{ "queue alignment", SNIC_STATE_BAD_VQ_CFG, SNIC_PART_VQ_CFG, 0, 0, 0,
	  m_queue_align },
	{ "queue vector", SNIC_STATE_BAD_VQ_CFG, SNIC_PART_VQ_CFG, 0, 0, 0,
	  m_queue_vector },
	{ "queue state", SNIC_STATE_BAD_VQ_STATE, SNIC_PART_VQ_STATE, 0, 0, 0,
	  m_queue_state },
	{ "RX flag 2", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0, 0, 0, m_rx_flag },
	{ "MAC table of 65", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0, 0, 0,
	  m_mac_table },
	{ "MAC table past its part", SNIC_STATE_PART_LENGTH, SNIC_PART_NET_CVQ,
	  0, 0, 0, m_mac_table_short },
	{ "multicast MAC address", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0, 0, 0,
	  m_multicast_mac },
	{ "0 queue pairs", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0, 0, 0,
	  m_pairs_zero },
	{ "more pairs than provisioned", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0,
	  0, 0, m_pairs_many },
	{ "offload not negotiated", SNIC_STATE_RANGE, SNIC_PART_NET_CVQ, 0, 0, 0,
	  m_offloads },
	{ "unknown CVQ part", SNIC_STATE_UNKNOWN_PART, SNIC_PART_NET_CVQ, 0, 0,
	  0, m_cvq_unknown },
	{ "other MTU", SNIC_STATE_ATTR_MISMATCH, SNIC_PART_NET_ATTRS, 0, 0, 9000,
	  m_none },
};

/* Each check of the format, one broken blob each. */
static void snic_state_restore_checks(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_ring *rx = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	u8 *good = snic_st_buf(test), *b = snic_st_buf(test);
	struct snic_hw_state_err why;
	u32 good_len, len;
	unsigned int i;
	int err;

	snic_st_source(test, t, SRC, r, rx);
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, good, &good_len), 0);

	for (i = 0; i < ARRAY_SIZE(snic_st_cases); i++) {
		const struct snic_st_case *c = &snic_st_cases[i];

		snic_st_target(test, t, DST, c->features ?: SNIC_SUPPORTED_FEATURES,
			       c->mtu ?: 1500);
		memcpy(b, good, good_len);
		len = good_len;
		c->mutate(b, &len);
		err = snic_st_restore(t, DST, b, len, &why);
		if (!c->reason) {
			KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", c->name);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, err, c->err ?: -EINVAL, "%s",
					    c->name);
			KUNIT_EXPECT_EQ_MSG(test, why.reason, c->reason,
					    "%s: at %u type 0x%x value %u", c->name,
					    why.offset, why.type, why.value);
			KUNIT_EXPECT_EQ_MSG(test, why.type, c->type, "%s", c->name);
			/* Inside the blob; a bad length points at its field. */
			KUNIT_EXPECT_LE_MSG(test, why.offset,
					    max_t(u32, len, 16), "%s", c->name);
			snic_st_untouched(test, t, DST);
		}
		KUNIT_ASSERT_EQ(test, snic_hw_fn_destroy(hw(t), DST), 0);
	}

	/* Into a function that is not reset: EBUSY, nothing changes. */
	snic_st_target(test, t, DST, SNIC_SUPPORTED_FEATURES, 1500);
	snic_tfn_features(test, t, DST, DRV_F);
	KUNIT_EXPECT_EQ(test, snic_st_restore(t, DST, good, good_len, &why),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, DST),
			STATUS_RUN & ~VIRTIO_CONFIG_S_DRIVER_OK);
	/* A restored function takes no second restore before a reset. */
	KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(hw(t), DST, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_st_restore(t, DST, good, good_len, &why), 0);
	KUNIT_EXPECT_EQ(test, snic_st_restore(t, DST, good, good_len, &why),
			-EBUSY);
}

/* Mutations of the fuzzer. */
static u32 snic_fuzz_mutate(struct rnd_state *rs, u8 *b, u32 len)
{
	u32 n = prandom_u32_state(rs), off, size, i, at;
	u8 copy[HDR + 520];

	switch (n % 8) {
	case 0: /* flip bits */
	case 1:
		for (i = 0; i <= (n >> 8) % 4; i++)
			b[prandom_u32_state(rs) % len] ^=
				BIT(prandom_u32_state(rs) % 8);
		break;
	case 2: /* a byte set to an edge value */
		b[prandom_u32_state(rs) % len] = (n >> 8) & 1 ? 0xff : 0;
		break;
	case 3: /* truncate, the header's length fixed or not */
		len = prandom_u32_state(rs) % len;
		if (((n >> 8) & 1) && len >= 16)
			put_unaligned_le32(len, b + 8);
		break;
	default: /* part surgery: pick a part */
		if (!get_unaligned_le32(b + 12))
			break;
		at = prandom_u32_state(rs) % get_unaligned_le32(b + 12);
		for (off = 16; at-- && off < len; off += snic_st_part_size(b, off))
			;
		if (off + HDR > len)
			break;
		size = snic_st_part_size(b, off);
		if (size > len - off)
			break;
		switch (n % 8) {
		case 4: /* its length field */
			put_unaligned_le32((n >> 8) % 4 ?
					   get_unaligned_le32(b + off + 12) +
					   (s32)((n >> 10) % 5) - 2 :
					   prandom_u32_state(rs),
					   b + off + 12);
			break;
		case 5: /* duplicate it, right after or at the end */
			if (size > sizeof(copy) || len + size > SNIC_STATE_MAX)
				break;
			memcpy(copy, b + off, size);
			len = snic_st_insert(b, len, (n >> 8) & 1 ? len : off + size,
					     copy, size);
			snic_st_fix(b, len, 1);
			break;
		case 6: /* move it to the end */
			if (size > sizeof(copy))
				break;
			memcpy(copy, b + off, size);
			len = snic_st_cut(b, len, off, size);
			len = snic_st_insert(b, len, len, copy, size);
			break;
		default: /* drop it */
			len = snic_st_cut(b, len, off, size);
			snic_st_fix(b, len, -1);
			break;
		}
	}
	return len;
}

/*
 * The fuzzer runs in SNIC_FUZZ_CHUNKS parameterised cases of
 * SNIC_FUZZ_RUNS blobs each, every chunk from its own seed: 10^5 blobs
 * in all, and no case near KUnit's per-case timeout on a slow host.
 * Module parameter fuzz_chunks runs the first N chunks and skips the
 * rest (make check runs one, ~2 min under KASAN; make soak all four).
 */
#define SNIC_FUZZ_CHUNKS	4
#define SNIC_FUZZ_RUNS		25000
#define SNIC_FUZZ_SEED		0x736e6963

static unsigned int fuzz_chunks = SNIC_FUZZ_CHUNKS;
module_param(fuzz_chunks, uint, 0444);
MODULE_PARM_DESC(fuzz_chunks, "chunks of the state fuzzer to run, of 4 (of 25000 blobs each)");

static const void *snic_fuzz_gen_params(const void *prev, char *desc)
{
	/* The chunk number, from 1: a NULL parameter ends the list. */
	unsigned long k = (unsigned long)prev + 1;

	if (k > SNIC_FUZZ_CHUNKS)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "blobs %lu-%lu, seed 0x%lx",
		 (k - 1) * SNIC_FUZZ_RUNS, k * SNIC_FUZZ_RUNS - 1,
		 SNIC_FUZZ_SEED + k - 1);
	return (const void *)k;
}

/*
 * Restores of real saved blobs, each mutated: every one either fails
 * and leaves the function as created, or succeeds into a function that
 * then resets cleanly; KASAN, kmemleak and lockdep watch.
 */
static void snic_state_fuzz(struct kunit *test)
{
	unsigned long chunk = (unsigned long)test->param_value;
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_ring *rx = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	u8 *seeds[2], *b = snic_st_buf(test);
	struct snic_model_fn *fn = &t->model->fns[DST];
	u32 seed_len[2], len, ok = 0, refused = 0, i, j;
	u64 t_restore = 0, t_reset = 0, t0;
	unsigned long reasons = 0;
	struct snic_hw_state_err why;
	struct rnd_state rs;
	int err;

	if (chunk > fuzz_chunks)
		kunit_skip(test, "fuzz_chunks=%u: make soak runs every chunk", fuzz_chunks);
	prandom_seed_state(&rs, SNIC_FUZZ_SEED + chunk - 1);
	/* Two real states: the full one, and one with overflowed tables. */
	seeds[0] = snic_st_buf(test);
	seeds[1] = snic_st_buf(test);
	snic_st_source(test, t, SRC, r, rx);
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, seeds[0], &seed_len[0]), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_resume(hw(t), SRC), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_suspend(hw(t), SRC), 0);
	spin_lock_bh(&t->model->fns[SRC].cfg_lock);
	t->model->fns[SRC].rxf.uc_overflow = true;
	t->model->fns[SRC].rxf.n_uc = 0;
	spin_unlock_bh(&t->model->fns[SRC].cfg_lock);
	KUNIT_ASSERT_EQ(test, snic_st_save(t, SRC, seeds[1], &seed_len[1]), 0);
	KUNIT_ASSERT_NE(test, snic_st_find(seeds[1], seed_len[1],
					   SNIC_PART_MAC_OVERFLOW, -1), 0);
	snic_st_target(test, t, DST, SNIC_SUPPORTED_FEATURES, 1500);

	for (i = 0; i < SNIC_FUZZ_RUNS; i++) {
		j = i % 2;
		memcpy(b, seeds[j], seed_len[j]);
		len = snic_fuzz_mutate(&rs, b, seed_len[j]);
		/* Sometimes twice: a part cut and another bit flipped. */
		if (len > 16 && (i & 4))
			len = snic_fuzz_mutate(&rs, b, len);
		t0 = ktime_get_ns();
		err = snic_st_restore(t, DST, b, len, &why);
		t_restore += ktime_get_ns() - t0;
		if (!err) {
			ok++;
			KUNIT_EXPECT_EQ(test, fn->status, STATUS_RUN);
			KUNIT_EXPECT_TRUE(test, fn->suspended);
			t0 = ktime_get_ns();
			KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(hw(t), DST, 0), 0);
			t_reset += ktime_get_ns() - t0;
		} else {
			refused++;
			KUNIT_ASSERT_EQ_MSG(test, err, -EINVAL, "run %u", i);
			KUNIT_ASSERT_TRUE_MSG(test, why.reason &&
					      why.reason <= SNIC_STATE_REASON_MAX,
					      "run %u: reason %u", i, why.reason);
			__set_bit(why.reason, &reasons);
			/* Cheap checks each time, the full set now and then. */
			KUNIT_ASSERT_EQ_MSG(test, fn->status, 0, "run %u", i);
			if (!(i % 1024))
				snic_st_untouched(test, t, DST);
		}
		/*
		 * Every time: a restore takes milliseconds under KASAN and
		 * TCG, and without preemption 4096 of them starved RCU.
		 */
		cond_resched();
	}
	snic_st_untouched(test, t, DST);
	kunit_info(test, "%u mutated blobs: %u restored, %u refused, %u distinct reasons; restores %llu ms, resets %llu ms\n",
		   SNIC_FUZZ_RUNS, ok, refused,
		   bitmap_weight(&reasons, BITS_PER_LONG),
		   div_u64(t_restore, NSEC_PER_MSEC),
		   div_u64(t_reset, NSEC_PER_MSEC));
	/* A mutation mostly breaks a blob; some land in values it takes. */
	KUNIT_EXPECT_GT(test, refused, SNIC_FUZZ_RUNS / 2);
	KUNIT_EXPECT_GT(test, ok, 0);
	KUNIT_EXPECT_GE(test, bitmap_weight(&reasons, BITS_PER_LONG), 12);
}

static struct kunit_case snic_state_cases[] = {
	KUNIT_CASE(snic_state_save_contents),
	KUNIT_CASE(snic_state_restore_elsewhere),
	KUNIT_CASE(snic_state_restore_checks),
	KUNIT_CASE_PARAM_ATTR(snic_state_fuzz, snic_fuzz_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite snic_state_suite = {
	.name = "snic_state",
	.test_cases = snic_state_cases,
};

kunit_test_suite(snic_state_suite);
