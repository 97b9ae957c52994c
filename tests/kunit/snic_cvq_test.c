// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NIC model's control queue (snic_model_cvq.c) and the receive
 * filter it programs, against virtio 1.2 section 5.1.6.5 and the data
 * path section of the vendor interface.  Commands go into the CVQ ring
 * of a model function in DRIVER_OK and through its doorbell, as a driver
 * sends them; the suites then check the ack and the function's state.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/io.h>
#include <linux/skbuff.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>
#include <uapi/linux/virtio_ring.h>

#include "snic_vq_test.h"

#define F(b)		BIT_ULL(VIRTIO_NET_F_##b)
#define MANDATORY	SNIC_MANDATORY_FEATURES
/* Every feature but packed rings: the tests' rings are split. */
#define ALL		(SNIC_SUPPORTED_FEATURES & ~SNIC_OPTIN_FEATURES)
/*
 * A function offering MQ has four queue pairs (snic_tfn_create()); the
 * CVQ is queue 2N, N = 4 if the driver negotiated MQ, else 1 (virtio 1.3
 * section 5.1.2).
 */
#define CVQ_MQ		8
#define CVQ_1		2
#define OK		VIRTIO_NET_OK
#define ERR		VIRTIO_NET_ERR
#define GUEST_OFFLOADS	(F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6))
#define NEXT_F		VRING_DESC_F_NEXT
#define RD_WR		(SNIC_IOTLB_PERM_READ | SNIC_IOTLB_PERM_WRITE)

/**
 * struct snic_tcvq - the CVQ of a model function in DRIVER_OK
 * @t: the NIC
 * @fn: the function, as the NIC holds it
 * @r: the CVQ's ring
 * @id: function number
 * @cvq: the CVQ's index
 */
struct snic_tcvq {
	struct snic_test_nic *t;
	struct snic_model_fn *fn;
	struct snic_test_ring *r;
	u16 id;
	u16 cvq;
};

/*
 * Function @id of @t, offering every feature, in DRIVER_OK with
 * @features and its CVQ ready on a ring at @base (0: passthrough).
 * @setup, if any, runs before DRIVER_OK.
 */
static struct snic_tcvq *snic_tcvq_setup(struct kunit *test,
					 struct snic_test_nic *t, u16 id,
					 u64 features, u64 base,
					 void (*setup)(struct kunit *test,
						       struct snic_tcvq *q))
{
	struct snic_tcvq *q;

	q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	q->t = t;
	q->id = id;
	q->fn = &t->model->fns[id];
	q->r = snic_tr_alloc(test, base);
	q->cvq = features & F(MQ) ? CVQ_MQ : CVQ_1;
	snic_tfn_create(test, t, id, ALL, features);
	if (setup)
		setup(test, q);
	snic_tfn_vq(test, t, id, q->cvq, q->r);
	snic_tfn_driver_ok(test, t, id);
	return q;
}

static struct snic_tcvq *snic_tcvq(struct kunit *test, struct snic_test_nic *t,
				   u16 id, u64 features)
{
	return snic_tcvq_setup(test, t, id, features, 0, NULL);
}

/*
 * Send @len bytes of command @cmd (class, command, data): the first @split
 * bytes in one descriptor, the rest in another, then an ack buffer of
 * @ack_len bytes.  Commands that fit a buffer of the ring go there;
 * longer ones into kernel memory (passthrough only).
 *
 * Return: the ack byte.
 */
static u8 snic_cvq_raw(struct kunit *test, struct snic_tcvq *q, const u8 *cmd,
		       size_t len, size_t split, size_t ack_len)
{
	struct snic_test_ring *r = q->r;
	u16 used = snic_tr_used_idx(r);
	u8 *ack = r->buf[0], *buf;
	u64 addr;
	u16 d = 0;

	if (len <= SNIC_TR_BUF_LEN) {
		buf = r->buf[1];
		addr = snic_tr_iova(r, buf);
	} else {
		buf = kunit_kmalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		addr = virt_to_phys(buf);
	}
	memcpy(buf, cmd, len);
	memset(ack, 0xcc, SNIC_TR_BUF_LEN);
	if (split) {
		snic_tr_desc(&r->desc[d], addr, split, NEXT_F, d + 1);
		d++;
	}
	if (len > split) {
		snic_tr_desc(&r->desc[d], addr + split, len - split, NEXT_F, d + 1);
		d++;
	}
	snic_tr_desc(&r->desc[d], snic_tr_iova(r, ack), ack_len,
		     VRING_DESC_F_WRITE, 0);
	snic_tr_add(r, 0);
	snic_tfn_kick(q->t, q->id, q->cvq);

	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), (u16)(used + 1));
	used %= SNIC_TR_SIZE;
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[used].id), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[used].len), 1);
	/* One byte is written: the ack. */
	KUNIT_EXPECT_NULL(test, memchr_inv(ack + 1, 0xcc, SNIC_TR_BUF_LEN - 1));
	if (len > SNIC_TR_BUF_LEN)
		kunit_kfree(test, buf);
	return ack[0];
}

/* Send a command as Linux's virtio-net does: header, data, ack. */
static u8 snic_cmd(struct kunit *test, struct snic_tcvq *q, u8 class, u8 cmd,
		   const void *data, size_t len)
{
	u8 *buf = kunit_kmalloc(test, 2 + len, GFP_KERNEL);
	u8 ack;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf[0] = class;
	buf[1] = cmd;
	memcpy(buf + 2, data, len);
	ack = snic_cvq_raw(test, q, buf, 2 + len, 2, 1);
	kunit_kfree(test, buf);
	return ack;
}

static u8 snic_cmd_u8(struct kunit *test, struct snic_tcvq *q, u8 class,
		      u8 cmd, u8 v)
{
	return snic_cmd(test, q, class, cmd, &v, 1);
}

static u8 snic_cmd_u16(struct kunit *test, struct snic_tcvq *q, u8 class,
		       u8 cmd, u16 v)
{
	__le16 raw = cpu_to_le16(v);

	return snic_cmd(test, q, class, cmd, &raw, sizeof(raw));
}

static u8 snic_cmd_u64(struct kunit *test, struct snic_tcvq *q, u8 class,
		       u8 cmd, u64 v)
{
	__le64 raw = cpu_to_le64(v);

	return snic_cmd(test, q, class, cmd, &raw, sizeof(raw));
}

static u8 snic_rx(struct kunit *test, struct snic_tcvq *q, u8 cmd, u8 on)
{
	return snic_cmd_u8(test, q, VIRTIO_NET_CTRL_RX, cmd, on);
}

/* Unicast address @i of the tests, and multicast address @i. */
static void snic_uc(u8 *mac, unsigned int i)
{
	u8 a[ETH_ALEN] = { 0x02, 0x77, 0, 0, i >> 8, i };

	ether_addr_copy(mac, a);
}

static void snic_mc(u8 *mac, unsigned int i)
{
	u8 a[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0, i >> 8, i };

	ether_addr_copy(mac, a);
}

/*
 * MAC_TABLE_SET with @n_uc addresses snic_uc(0..) and @n_mc snic_mc(0..),
 * the counts as given in @uc_count and @mc_count.
 */
static u8 snic_mac_table(struct kunit *test, struct snic_tcvq *q, u32 n_uc,
			 u32 uc_count, u32 n_mc, u32 mc_count)
{
	size_t len = 8 + (n_uc + n_mc) * ETH_ALEN;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL), *p = buf;
	__le32 n;
	unsigned int i;
	u8 ack;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = cpu_to_le32(uc_count);
	memcpy(p, &n, 4);
	p += 4;
	for (i = 0; i < n_uc; i++, p += ETH_ALEN)
		snic_uc(p, i);
	n = cpu_to_le32(mc_count);
	memcpy(p, &n, 4);
	p += 4;
	for (i = 0; i < n_mc; i++, p += ETH_ALEN)
		snic_mc(p, i);
	ack = snic_cmd(test, q, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
		       buf, len);
	kunit_kfree(test, buf);
	return ack;
}

static struct snic_model_rxf *snic_rxf_copy(struct kunit *test,
					    const struct snic_tcvq *q)
{
	struct snic_model_rxf *f = kunit_kmalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	memcpy(f, &q->fn->rxf, sizeof(*f));
	return f;
}

#define EXPECT_RXF_SAME(test, q, f) \
	KUNIT_EXPECT_MEMEQ(test, &(q)->fn->rxf, f, sizeof(struct snic_model_rxf))

/* Any mode but promiscuous on. */
static bool snic_rx_others(const struct snic_model_rxf *f)
{
	return f->allmulti || f->alluni || f->nomulti || f->nouni || f->nobcast;
}

/* RX class: the six modes, each on and off; bad values refused. */
static void snic_cvq_rx_mode(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_model_rxf *f = &q->fn->rxf, *saved;
	u8 two[2] = { 1, 0 };

	/* After reset: promiscuous, nothing else. */
	KUNIT_EXPECT_TRUE(test, f->promisc);
	KUNIT_EXPECT_FALSE(test, snic_rx_others(f));

	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_FALSE(test, f->promisc);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLMULTI, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->allmulti);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLUNI, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->alluni);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOMULTI, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->nomulti);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOUNI, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->nouni);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->nobcast);
	KUNIT_EXPECT_FALSE(test, f->promisc);

	/* Malformed: nothing changes. */
	saved = snic_rxf_copy(test, q);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 2), ERR);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 0xff), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_RX,
				       VIRTIO_NET_CTRL_RX_PROMISC, NULL, 0), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_RX,
				       VIRTIO_NET_CTRL_RX_PROMISC, two, 2), ERR);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST + 1, 1), ERR);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, 0xff, 0), ERR);
	EXPECT_RXF_SAME(test, q, saved);

	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLMULTI, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLUNI, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOMULTI, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOUNI, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->promisc);
	KUNIT_EXPECT_FALSE(test, snic_rx_others(f));
}

/* Every class needs its feature. */
static void snic_cvq_not_negotiated(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 1, 2, 3, 4, 5 };
	struct snic_test_nic *t = snic_test_nic(test);
	/* CTRL_RX without its extra modes; then a bare CVQ. */
	struct snic_tcvq *rx = snic_tcvq(test, t, 0, MANDATORY | F(CTRL_VQ) |
					 F(CTRL_RX) | F(GUEST_CSUM));
	struct snic_tcvq *q = snic_tcvq(test, t, 1, MANDATORY | F(CTRL_VQ) |
					F(GUEST_CSUM));
	struct snic_tcvq *qs[] = { rx, q };
	struct snic_model_rxf *saved;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, snic_rx(test, rx, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, rx, VIRTIO_NET_CTRL_RX_ALLMULTI, 1), OK);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, rx, 1, 1, 1, 1), OK);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), ERR);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLMULTI, 1), ERR);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 1, 1, 1, 1), ERR);
	KUNIT_EXPECT_TRUE(test, q->fn->rxf.promisc);
	KUNIT_EXPECT_EQ(test, q->fn->rxf.n_uc, 0);

	for (i = 0; i < ARRAY_SIZE(qs); i++) {
		saved = snic_rxf_copy(test, qs[i]);
		KUNIT_EXPECT_EQ(test, snic_rx(test, qs[i], VIRTIO_NET_CTRL_RX_ALLUNI, 1), ERR);
		KUNIT_EXPECT_EQ(test, snic_rx(test, qs[i], VIRTIO_NET_CTRL_RX_NOMULTI, 1), ERR);
		KUNIT_EXPECT_EQ(test, snic_rx(test, qs[i], VIRTIO_NET_CTRL_RX_NOUNI, 1), ERR);
		KUNIT_EXPECT_EQ(test, snic_rx(test, qs[i], VIRTIO_NET_CTRL_RX_NOBCAST, 1), ERR);
		KUNIT_EXPECT_EQ(test, snic_cmd(test, qs[i], VIRTIO_NET_CTRL_MAC,
					       VIRTIO_NET_CTRL_MAC_ADDR_SET, mac,
					       ETH_ALEN), ERR);
		KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, qs[i], VIRTIO_NET_CTRL_VLAN,
						   VIRTIO_NET_CTRL_VLAN_ADD, 5), ERR);
		KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, qs[i], VIRTIO_NET_CTRL_MQ,
						   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
				ERR);
		KUNIT_EXPECT_EQ(test, snic_cmd_u64(test, qs[i],
						   VIRTIO_NET_CTRL_GUEST_OFFLOADS,
						   VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET,
						   F(GUEST_CSUM)), ERR);
		EXPECT_RXF_SAME(test, qs[i], saved);
		KUNIT_EXPECT_MEMNEQ(test, qs[i]->fn->mac, mac, ETH_ALEN);
		KUNIT_EXPECT_EQ(test, qs[i]->fn->vq_pairs, 1);
		KUNIT_EXPECT_EQ(test, qs[i]->fn->guest_offloads, F(GUEST_CSUM));
		/* Not negotiated, no VLAN filtering. */
		KUNIT_EXPECT_FALSE(test, qs[i]->fn->rxf.vlan_filter);
	}
}

/* MAC_ADDR_SET: the default MAC, in config space too. */
static void snic_cvq_mac_addr(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const u8 bad[][ETH_ALEN] = {
		{ 0x03, 0x11, 0x22, 0x33, 0x44, 0x55 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0, 0, 0, 0, 0, 0 },
	};
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	u8 cfg[ETH_ALEN], seven[7] = { 0x02, 1, 2, 3, 4, 5, 6 };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, ETH_ALEN),
			OK);
	KUNIT_EXPECT_MEMEQ(test, q->fn->mac, mac, ETH_ALEN);
	KUNIT_ASSERT_EQ(test, snic_hw_config_read(&t->nic.hw, 0,
						  offsetof(struct virtio_net_config, mac),
						  cfg, ETH_ALEN), 0);
	KUNIT_EXPECT_MEMEQ(test, cfg, mac, ETH_ALEN);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
					       VIRTIO_NET_CTRL_MAC_ADDR_SET, bad[i],
					       ETH_ALEN), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_ADDR_SET, seven, 5), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_ADDR_SET, seven, 7), ERR);
	/* An unknown MAC command. */
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC, 2, seven, 6), ERR);
	KUNIT_EXPECT_MEMEQ(test, q->fn->mac, mac, ETH_ALEN);

	/*
	 * Vendor interface, FN_RESET: the MAC returns to the provisioned
	 * one (snic_tfn_create() gave 02:5e:00:00:00:01); one written with
	 * CONFIG_WRITE, the administrator's, is the new provisioned one.
	 */
	KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(&t->nic.hw, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_config_read(&t->nic.hw, 0,
						  offsetof(struct virtio_net_config, mac),
						  cfg, ETH_ALEN), 0);
	KUNIT_EXPECT_MEMEQ(test, cfg, ((const u8[]){ 0x02, 0x5e, 0, 0, 0, 1 }), ETH_ALEN);
	KUNIT_ASSERT_EQ(test, snic_hw_config_write(&t->nic.hw, 0,
						   offsetof(struct virtio_net_config, mac),
						   mac, ETH_ALEN), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(&t->nic.hw, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_config_read(&t->nic.hw, 0,
						  offsetof(struct virtio_net_config, mac),
						  cfg, ETH_ALEN), 0);
	KUNIT_EXPECT_MEMEQ(test, cfg, mac, ETH_ALEN);
}

/* MAC_TABLE_SET: two tables, up to 64 entries each, more is "all". */
static void snic_cvq_mac_table(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_model_rxf *f = &q->fn->rxf, *saved;
	u8 mac[ETH_ALEN];
	u8 *bad;

	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, 2, 3, 3), OK);
	KUNIT_EXPECT_EQ(test, f->n_uc, 2);
	KUNIT_EXPECT_EQ(test, f->n_mc, 3);
	snic_uc(mac, 1);
	KUNIT_EXPECT_MEMEQ(test, f->uc[1], mac, ETH_ALEN);
	snic_mc(mac, 2);
	KUNIT_EXPECT_MEMEQ(test, f->mc[2], mac, ETH_ALEN);
	KUNIT_EXPECT_FALSE(test, f->uc_overflow || f->mc_overflow);

	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, SNIC_MAC_TABLE_MAX,
					     SNIC_MAC_TABLE_MAX, SNIC_MAC_TABLE_MAX,
					     SNIC_MAC_TABLE_MAX), OK);
	KUNIT_EXPECT_EQ(test, f->n_uc, SNIC_MAC_TABLE_MAX);
	KUNIT_EXPECT_EQ(test, f->n_mc, SNIC_MAC_TABLE_MAX);
	snic_mc(mac, SNIC_MAC_TABLE_MAX - 1);
	KUNIT_EXPECT_MEMEQ(test, f->mc[SNIC_MAC_TABLE_MAX - 1], mac, ETH_ALEN);
	KUNIT_EXPECT_FALSE(test, f->uc_overflow || f->mc_overflow);

	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, SNIC_MAC_TABLE_MAX + 1,
					     SNIC_MAC_TABLE_MAX + 1, 1, 1), OK);
	KUNIT_EXPECT_TRUE(test, f->uc_overflow);
	KUNIT_EXPECT_EQ(test, f->n_uc, 0);
	KUNIT_EXPECT_FALSE(test, f->mc_overflow);
	KUNIT_EXPECT_EQ(test, f->n_mc, 1);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 0, 0, 200, 200), OK);
	KUNIT_EXPECT_FALSE(test, f->uc_overflow);
	KUNIT_EXPECT_TRUE(test, f->mc_overflow);
	KUNIT_EXPECT_EQ(test, f->n_mc, 0);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 0, 0, 0, 0), OK);
	KUNIT_EXPECT_FALSE(test, f->uc_overflow || f->mc_overflow);
	KUNIT_EXPECT_EQ(test, f->n_uc + f->n_mc, 0);

	/* Malformed, from a known state: nothing changes. */
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 2, 2, 3, 3), OK);
	saved = snic_rxf_copy(test, q);
	/* Counts larger than the entries that follow. */
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, 3, 3, 3), ERR);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, 2, 3, 4), ERR);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, U32_MAX, 3, 3), ERR);
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, 2, 3, U32_MAX / 6 + 1), ERR);
	/* Counts smaller: bytes left over. */
	KUNIT_EXPECT_EQ(test, snic_mac_table(test, q, 2, 2, 3, 2), ERR);
	/* No multicast table, no tables, half a count. */
	bad = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 4), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 0), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 6), ERR);
	/* A unicast address in the multicast table, and the reverse. */
	bad[0] = 1;
	snic_uc(bad + 4, 0);
	bad[10] = 1;
	snic_mc(bad + 14, 0);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 20), OK);
	KUNIT_EXPECT_EQ(test, f->n_uc + f->n_mc, 2);
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 2, 2, 3, 3), OK);
	snic_uc(bad + 14, 1);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 20), ERR);
	snic_mc(bad + 4, 1);
	snic_mc(bad + 14, 1);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_TABLE_SET, bad, 20), ERR);
	EXPECT_RXF_SAME(test, q, saved);
}

/* VLAN class: add and remove IDs of the filter. */
static void snic_cvq_vlan(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_model_rxf *f = &q->fn->rxf, *saved;
	u8 one = 5;
	__le32 four = cpu_to_le32(5);

	KUNIT_EXPECT_TRUE(test, f->vlan_filter);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(f->vlans, VLAN_N_VID));
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 5), OK);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 0), OK);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 4095), OK);
	KUNIT_EXPECT_EQ(test, bitmap_weight(f->vlans, VLAN_N_VID), 3);
	KUNIT_EXPECT_TRUE(test, test_bit(5, f->vlans));
	KUNIT_EXPECT_TRUE(test, test_bit(0, f->vlans));
	KUNIT_EXPECT_TRUE(test, test_bit(4095, f->vlans));
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_DEL, 5), OK);
	KUNIT_EXPECT_FALSE(test, test_bit(5, f->vlans));
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_DEL, 5), OK);

	saved = snic_rxf_copy(test, q);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 4096), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_DEL, 0xffff), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN, 2, 7), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_VLAN,
				       VIRTIO_NET_CTRL_VLAN_ADD, &one, 1), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_VLAN,
				       VIRTIO_NET_CTRL_VLAN_ADD, &four, 4), ERR);
	EXPECT_RXF_SAME(test, q, saved);
}

/* MQ class: the queue pairs in use, 1 to max_virtqueue_pairs. */
static void snic_cvq_mq(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	__le32 four = cpu_to_le32(2);

	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 1);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 4), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 4);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 3);

	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 5), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0x8000),
			ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MQ,
				       VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &four, 4), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MQ,
				       VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &four, 1), ERR);
	/* RSS and hash reporting are not offered. */
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_RSS_CONFIG, 2), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_HASH_CONFIG, 2), ERR);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 3);
}

static u8 snic_offloads(struct kunit *test, struct snic_tcvq *q, u64 v)
{
	return snic_cmd_u64(test, q, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			    VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, v);
}

/* GUEST_OFFLOADS class: a subset of the negotiated guest offloads. */
static void snic_cvq_offloads(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_tcvq *q4 = snic_tcvq(test, t, 1, MANDATORY | F(CTRL_VQ) |
					 F(CTRL_GUEST_OFFLOADS) | F(GUEST_CSUM) |
					 F(GUEST_TSO4));
	__le32 four = cpu_to_le32(1 << VIRTIO_NET_F_GUEST_CSUM);

	/* After reset, the negotiated ones. */
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, GUEST_OFFLOADS);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, 0), OK);
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, 0);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM)), OK);
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, F(GUEST_CSUM));
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, GUEST_OFFLOADS), OK);
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, GUEST_OFFLOADS);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM) | F(GUEST_TSO6)), OK);

	/* Not negotiated or not offloads, a TSO without checksum, bad length. */
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM) | F(GUEST_ECN)), ERR);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM) | F(GUEST_UFO)), ERR);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM) | F(HOST_TSO4)), ERR);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_CSUM) | BIT_ULL(63)), ERR);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q, F(GUEST_TSO4)), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
				       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &four, 4),
			ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd_u64(test, q, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
					   1, F(GUEST_CSUM)), ERR);
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, F(GUEST_CSUM) | F(GUEST_TSO6));

	/* Only what this function negotiated. */
	KUNIT_EXPECT_EQ(test, q4->fn->guest_offloads, F(GUEST_CSUM) | F(GUEST_TSO4));
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q4, F(GUEST_CSUM) | F(GUEST_TSO6)), ERR);
	KUNIT_EXPECT_EQ(test, snic_offloads(test, q4, F(GUEST_CSUM)), OK);
	KUNIT_EXPECT_EQ(test, q4->fn->guest_offloads, F(GUEST_CSUM));
}

/* Odd chains and unknown classes. */
static void snic_cvq_chains(struct kunit *test)
{
	static const u8 mq2[] = { VIRTIO_NET_CTRL_MQ,
				  VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0 };
	static const u8 mq3[] = { VIRTIO_NET_CTRL_MQ,
				  VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3, 0 };
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	u8 *big;

	/* One descriptor, or the data split, or a larger ack buffer. */
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq2, 4, 0, 1), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 2);
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq3, 4, 3, 1), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 3);
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq2, 4, 1, 16), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 2);

	/* Unknown classes, and one not offered (ANNOUNCE). */
	KUNIT_EXPECT_EQ(test, snic_cmd_u8(test, q, 0xff, 0, 0), ERR);
	KUNIT_EXPECT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_ANNOUNCE,
				       VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0), ERR);
	/* Too short to have a command, longer than the NIC takes. */
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq3, 1, 0, 1), ERR);
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq3, 0, 0, 1), ERR);
	big = kunit_kzalloc(test, 4097, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memcpy(big, mq3, sizeof(mq3));
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, big, 4097, 2, 1), ERR);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 2);
	/* Still running. */
	KUNIT_EXPECT_EQ(test, snic_cvq_raw(test, q, mq3, 4, 2, 1), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 3);
	KUNIT_EXPECT_EQ(test, snic_tfn_vq_flags(test, t, 0, q->cvq), SNIC_VQ_F_READY);
}

/* Several commands per doorbell, in order; interrupts and counters. */
static void snic_cvq_batch(struct kunit *test)
{
	static const u8 pairs[] = { 2, 9, 4 };
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_irq_log *irqs = snic_irq_log(test, t);
	struct snic_test_ring *r = q->r;
	struct snic_hw_vq_stats st;
	unsigned int i;
	u16 used;

	/* Three commands: MQ 2, MQ 9 (refused), MQ 4. */
	for (i = 0; i < 3; i++) {
		u8 *c = r->buf[2 + i];

		c[0] = VIRTIO_NET_CTRL_MQ;
		c[1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
		c[2] = pairs[i];
		c[3] = 0;
		r->buf[6][i] = 0xcc;
		snic_tr_desc(&r->desc[2 * i], snic_tr_iova(r, c), 4, NEXT_F, 2 * i + 1);
		snic_tr_desc(&r->desc[2 * i + 1], snic_tr_iova(r, &r->buf[6][i]), 1,
			     VRING_DESC_F_WRITE, 0);
	}
	/* EVENT_IDX: an interrupt when the used index passes used_event. */
	r->avail.used_event = cpu_to_le16(5);
	for (i = 0; i < 3; i++)
		snic_tr_add(r, 2 * i);
	snic_tfn_kick(t, 0, q->cvq);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[i].id), 2 * i);
		KUNIT_EXPECT_EQ(test, r->buf[6][i], i == 1 ? ERR : OK);
	}
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 4);
	KUNIT_EXPECT_FALSE(test, test_bit(SNIC_VQ_VECTOR(0, q->cvq), irqs->raised));
	/* The NIC asked for a doorbell at the next available index. */
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.avail_event), 3);

	used = snic_tr_used_idx(r);
	r->avail.used_event = cpu_to_le16(used);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1), OK);
	KUNIT_EXPECT_TRUE(test, test_bit(SNIC_VQ_VECTOR(0, q->cvq), irqs->raised));

	KUNIT_ASSERT_EQ(test, snic_hw_vq_stats(&t->nic.hw, 0, q->cvq, &st), 0);
	KUNIT_EXPECT_EQ(test, st.received, 4);
	KUNIT_EXPECT_EQ(test, st.completed, 4);
	KUNIT_EXPECT_EQ(test, st.errors, 1);
}

/* A chain without room for the ack stops the CVQ. */
static void snic_cvq_no_ack(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_irq_log *irqs = snic_irq_log(test, t);
	struct snic_test_ring *r = q->r;
	u8 s = snic_tfn_status(test, t, 0);

	r->buf[1][0] = VIRTIO_NET_CTRL_MQ;
	r->buf[1][1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
	r->buf[1][2] = 2;
	r->buf[1][3] = 0;
	snic_tr_desc(&r->desc[0], snic_tr_iova(r, r->buf[1]), 4, 0, 0);
	snic_tr_add(r, 0);
	snic_tfn_kick(t, 0, q->cvq);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 0);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 1);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0),
			s | VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_TRUE(test, snic_tfn_vq_flags(test, t, 0, q->cvq) & SNIC_VQ_F_ERROR);
	KUNIT_EXPECT_TRUE(test, test_bit(SNIC_CONFIG_VECTOR(0), irqs->raised));
}

/* A reset forgets what the CVQ set. */
static void snic_cvq_reset(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_model_rxf *f = &q->fn->rxf;

	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 1), OK);
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 2, 2, 2, 2), OK);
	KUNIT_ASSERT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 5), OK);
	KUNIT_ASSERT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3), OK);
	KUNIT_ASSERT_EQ(test, snic_offloads(test, q, 0), OK);

	KUNIT_ASSERT_EQ(test, snic_hw_fn_reset(&t->nic.hw, 0, 0), 0);
	q->r = snic_tr_alloc(test, 0);
	/* Without MQ this time: the CVQ moves to queue 2. */
	snic_tfn_features(test, t, 0, MANDATORY | F(CTRL_VQ) | F(CTRL_RX) |
			  F(GUEST_CSUM));
	q->cvq = CVQ_1;
	snic_tfn_vq(test, t, 0, q->cvq, q->r);
	snic_tfn_driver_ok(test, t, 0);
	KUNIT_EXPECT_TRUE(test, f->promisc);
	KUNIT_EXPECT_FALSE(test, f->nobcast);
	KUNIT_EXPECT_EQ(test, f->n_uc + f->n_mc, 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(f->vlans, VLAN_N_VID));
	KUNIT_EXPECT_FALSE(test, f->vlan_filter);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 1);
	KUNIT_EXPECT_EQ(test, q->fn->guest_offloads, F(GUEST_CSUM));
}

#define SNIC_CVQ_IOVA	0x200000ULL

/* The CVQ in its group's address space. */
static void snic_cvq_asid_setup(struct kunit *test, struct snic_tcvq *q)
{
	struct snic_hw *hw = &q->t->nic.hw;
	void *other = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, snic_hw_group_set_asid(hw, q->id, SNIC_GROUP_CVQ, 1), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, q->id, 1, SNIC_CVQ_IOVA, PAGE_SIZE,
						virt_to_phys(q->r), RD_WR), 0);
	/* The same IOVA in address space 0 is another (empty) page. */
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, q->id, 0, SNIC_CVQ_IOVA, PAGE_SIZE,
						virt_to_phys(other), RD_WR), 0);
}

static void snic_cvq_asid(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq_setup(test, t, 0, ALL, SNIC_CVQ_IOVA,
					      snic_cvq_asid_setup);

	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 2);
}

/*
 * Function @id of @t with two queue pairs, offering every feature, the
 * driver taking @features.
 */
static void snic_fn_2pairs(struct kunit *test, struct snic_test_nic *t, u16 id,
			   u64 features)
{
	struct snic_dev_params p = {
		.features = ALL,
		.mac = { 0x02, 0x5e, 0, 0, 1, id + 1 },
		.mtu = 1500,
		.max_vq_pairs = 2,
	};

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(&t->nic.hw, id, &p,
						SNIC_CONFIG_VECTOR(id)), 0);
	snic_tfn_passthrough(test, t, id);
	snic_tfn_features(test, t, id, features);
}

/*
 * Where the CVQ is (virtio 1.3 section 5.1.2): queue 2N, N being
 * max_virtqueue_pairs only when MQ is negotiated, else 1; a function
 * with MQ offered but not negotiated has its CVQ at 2, and no queue 4.
 */
static void snic_cvq_index(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_test_ring *r4 = snic_tr_alloc(test, 0);
	struct snic_tcvq *q;
	struct snic_hw_vq vq = {
		.desc = snic_tr_iova(r4, r4->desc),
		.driver = snic_tr_iova(r4, &r4->avail),
		.device = snic_tr_iova(r4, &r4->used),
		.size = SNIC_TR_SIZE,
		.ready = true,
	};

	q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	q->t = t;
	q->fn = &t->model->fns[0];
	q->r = snic_tr_alloc(test, 0);
	q->cvq = 2;
	snic_fn_2pairs(test, t, 0, ALL & ~F(MQ));
	/*
	 * Queue 4 would be the CVQ with MQ: a driver that creates it
	 * anyway does not get its commands executed there.
	 */
	r4->buf[1][0] = VIRTIO_NET_CTRL_RX;
	r4->buf[1][1] = VIRTIO_NET_CTRL_RX_ALLMULTI;
	r4->buf[1][2] = 1;
	snic_tr_desc(&r4->desc[0], snic_tr_iova(r4, r4->buf[1]), 3, NEXT_F, 1);
	snic_tr_desc(&r4->desc[1], snic_tr_iova(r4, r4->buf[0]), 1,
		     VRING_DESC_F_WRITE, 0);
	snic_tr_add(r4, 0);
	KUNIT_EXPECT_EQ(test, snic_hw_vq_create(&t->nic.hw, 0, 4, &vq), 0);
	snic_tfn_vq(test, t, 0, 2, q->r);
	snic_tfn_driver_ok(test, t, 0);
	snic_tfn_kick(t, 0, 4);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r4), 0);
	KUNIT_EXPECT_FALSE(test, q->fn->rxf.allmulti);
	/* Queue 2 is the CVQ. */
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_FALSE(test, q->fn->rxf.promisc);
	/* MQ is not negotiated: its command is refused, by the CVQ. */
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2), ERR);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0) &
			VIRTIO_CONFIG_S_NEEDS_RESET, 0);

	/* With MQ negotiated on two pairs, the CVQ is queue 4. */
	q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	q->t = t;
	q->id = 1;
	q->fn = &t->model->fns[1];
	q->r = snic_tr_alloc(test, 0);
	q->cvq = 4;
	snic_fn_2pairs(test, t, 1, ALL);
	snic_tfn_vq(test, t, 1, 4, q->r);
	snic_tfn_driver_ok(test, t, 1);
	KUNIT_EXPECT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_MQ,
					   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2), OK);
	KUNIT_EXPECT_EQ(test, q->fn->vq_pairs, 2);
}

/* The CVQ at 2 (MQ not negotiated) is in group 1 and its address space. */
static void snic_cvq_asid_no_mq(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq_setup(test, t, 0, ALL & ~F(MQ),
					      SNIC_CVQ_IOVA, snic_cvq_asid_setup);

	KUNIT_EXPECT_EQ(test, q->cvq, 2);
	KUNIT_EXPECT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_FALSE(test, q->fn->rxf.promisc);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0) &
			VIRTIO_CONFIG_S_NEEDS_RESET, 0);
}

static struct kunit_case snic_cvq_cases[] = {
	KUNIT_CASE(snic_cvq_rx_mode),
	KUNIT_CASE(snic_cvq_not_negotiated),
	KUNIT_CASE(snic_cvq_mac_addr),
	KUNIT_CASE(snic_cvq_mac_table),
	KUNIT_CASE(snic_cvq_vlan),
	KUNIT_CASE(snic_cvq_mq),
	KUNIT_CASE(snic_cvq_offloads),
	KUNIT_CASE(snic_cvq_chains),
	KUNIT_CASE(snic_cvq_batch),
	KUNIT_CASE(snic_cvq_no_ack),
	KUNIT_CASE(snic_cvq_reset),
	KUNIT_CASE(snic_cvq_asid),
	KUNIT_CASE(snic_cvq_index),
	KUNIT_CASE(snic_cvq_asid_no_mq),
	{}
};

static struct kunit_suite snic_cvq_suite = {
	.name = "snic_cvq",
	.test_cases = snic_cvq_cases,
};

/*
 * The receive filter, on frames as the port hands them over: an
 * Ethernet header at skb->data, tagged or not.
 */

#define UNTAGGED	-1

static const u8 snic_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Whether the function takes a 60-byte frame to @dst with VLAN @tci. */
static bool snic_accepts(struct kunit *test, struct snic_tcvq *q, const u8 *dst,
			 int tci)
{
	static const u8 src[ETH_ALEN] = { 0x02, 0x99, 0, 0, 0, 1 };
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	bool ok;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, dst, ETH_ALEN);
	skb_put_data(skb, src, ETH_ALEN);
	if (tci != UNTAGGED) {
		*(__be16 *)skb_put(skb, 2) = htons(ETH_P_8021Q);
		*(__be16 *)skb_put(skb, 2) = htons(tci);
	}
	*(__be16 *)skb_put(skb, 2) = htons(ETH_P_IP);
	skb_put_zero(skb, 60 - skb->len);
	ok = snic_model_rx_accept(q->fn, skb);
	kfree_skb(skb);
	return ok;
}

static void snic_rxf_promisc(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	u8 uc[ETH_ALEN], mc[ETH_ALEN];

	snic_uc(uc, 7);
	snic_mc(mc, 7);
	/* After reset everything, but tagged frames of VLANs not added. */
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, q->fn->mac, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, uc, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, snic_bcast, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, uc, 7));
	/* The other modes do not restrict promiscuous mode. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 1), OK);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOMULTI, 1), OK);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOUNI, 1), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, uc, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, snic_bcast, UNTAGGED));
}

static void snic_rxf_unicast(struct kunit *test)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	u8 own[ETH_ALEN], uc0[ETH_ALEN], uc9[ETH_ALEN];

	ether_addr_copy(own, q->fn->mac);
	snic_uc(uc0, 0);
	snic_uc(uc9, 9);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, uc0, UNTAGGED));
	/* The table. */
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 2, 2, 0, 0), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, uc0, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, uc9, UNTAGGED));
	/* All unicast. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLUNI, 1), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, uc9, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLUNI, 0), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, uc9, UNTAGGED));
	/* No unicast but to its own address. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOUNI, 1), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, uc0, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOUNI, 0), OK);
	/* A table larger than the NIC holds: every unicast address. */
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, SNIC_MAC_TABLE_MAX + 1,
					     SNIC_MAC_TABLE_MAX + 1, 0, 0), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, uc9, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mac, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 0, 0, 0, 0), OK);
	/* Its own address moves with MAC_ADDR_SET. */
	KUNIT_ASSERT_EQ(test, snic_cmd(test, q, VIRTIO_NET_CTRL_MAC,
				       VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, ETH_ALEN),
			OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mac, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, UNTAGGED));
	/* Multicast and broadcast are other matters. */
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, snic_bcast, UNTAGGED));
}

static void snic_rxf_multicast(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	u8 mc0[ETH_ALEN], mc9[ETH_ALEN];

	snic_mc(mc0, 0);
	snic_mc(mc9, 9);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, mc0, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 0, 0, 2, 2), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc0, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, mc9, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLMULTI, 1), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc9, UNTAGGED));
	/* No multicast wins, over the table too; broadcast is not multicast here. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOMULTI, 1), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, mc9, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, mc0, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, snic_bcast, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOMULTI, 0), OK);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_ALLMULTI, 0), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, mc9, UNTAGGED));
	KUNIT_ASSERT_EQ(test, snic_mac_table(test, q, 0, 0, SNIC_MAC_TABLE_MAX + 1,
					     SNIC_MAC_TABLE_MAX + 1), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc9, UNTAGGED));
	/* Broadcast, unless NOBCAST. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_NOBCAST, 1), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, snic_bcast, UNTAGGED));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, mc9, UNTAGGED));
}

static void snic_rxf_vlan(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct snic_tcvq *nv = snic_tcvq(test, t, 1, MANDATORY | F(CTRL_VQ) |
					 F(CTRL_RX));
	u8 own[ETH_ALEN];

	ether_addr_copy(own, q->fn->mac);
	KUNIT_ASSERT_EQ(test, snic_rx(test, q, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, UNTAGGED));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, 5));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, 0));
	KUNIT_ASSERT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 5), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, 5));
	/* Priority and DEI bits are not the VLAN ID. */
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, 0xb005));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, 6));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, 0xb000));
	/* The address filter applies to tagged frames too. */
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, snic_bcast, 5));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, snic_bcast, 6));
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, nv->fn->mac, 5));
	KUNIT_ASSERT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_DEL, 5), OK);
	KUNIT_EXPECT_FALSE(test, snic_accepts(test, q, own, 5));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, q, own, UNTAGGED));

	/* Without CTRL_VLAN, no VLAN filtering. */
	KUNIT_ASSERT_EQ(test, snic_rx(test, nv, VIRTIO_NET_CTRL_RX_PROMISC, 0), OK);
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, nv, nv->fn->mac, 5));
	KUNIT_EXPECT_TRUE(test, snic_accepts(test, nv, nv->fn->mac, 4095));
}

/* Frames too short for what their header says. */
static void snic_rxf_short(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_tcvq *q = snic_tcvq(test, t, 0, ALL);
	struct sk_buff *skb;
	struct page *page;
	u8 *p;

	KUNIT_ASSERT_EQ(test, snic_cmd_u16(test, q, VIRTIO_NET_CTRL_VLAN,
					   VIRTIO_NET_CTRL_VLAN_ADD, 5), OK);
	/* Not even an Ethernet header. */
	skb = alloc_skb(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, q->fn->mac, ETH_ALEN);
	skb_put_zero(skb, ETH_HLEN - 1 - ETH_ALEN);
	KUNIT_EXPECT_FALSE(test, snic_model_rx_accept(q->fn, skb));

	/* A VLAN type and no tag, the bytes after the frame saying VLAN 5. */
	skb_put_data(skb, "\x00", 1);
	p = skb->data + ETH_ALEN + ETH_ALEN;
	p[0] = 0x81;
	p[1] = 0x00;
	p[2] = 0x00;
	p[3] = 0x05;
	KUNIT_EXPECT_EQ(test, skb->len, ETH_HLEN);
	KUNIT_EXPECT_FALSE(test, snic_model_rx_accept(q->fn, skb));

	/* The tag in a fragment, the bytes after the header saying VLAN 6. */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	memset(p, 0, 64);
	p[1] = 0x05;
	p[2] = 0x08;
	skb->data[ETH_HLEN + 1] = 0x06;
	skb_add_rx_frag(skb, 0, page, 0, 60, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, snic_model_rx_accept(q->fn, skb));
	p[1] = 0x06;
	KUNIT_EXPECT_FALSE(test, snic_model_rx_accept(q->fn, skb));
	kfree_skb(skb);
}

static struct kunit_case snic_rxf_cases[] = {
	KUNIT_CASE(snic_rxf_promisc),
	KUNIT_CASE(snic_rxf_unicast),
	KUNIT_CASE(snic_rxf_multicast),
	KUNIT_CASE(snic_rxf_vlan),
	KUNIT_CASE(snic_rxf_short),
	{}
};

static struct kunit_suite snic_rxf_suite = {
	.name = "snic_rx_filter",
	.test_cases = snic_rxf_cases,
};

kunit_test_suite(snic_cvq_suite);
kunit_test_suite(snic_rxf_suite);
