// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NIC model's virtqueue engine (snic_model_ring.c) against
 * virtio 1.2 section 2.7 and the error model of the vendor interface.
 *
 * The "snic_ring" suite runs the engine on a queue set up by hand, its
 * split ring in kernel memory (an address space in passthrough reaches
 * it by bus address; one with mappings, through them).  The
 * "snic_vq" suite feeds hostile rings to a transmit queue of a model
 * function in DRIVER_OK, through doorbells, and checks that only that
 * queue and function stop.
 */
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/skbuff.h>
#include <linux/vhost_iotlb.h>
#include <linux/workqueue.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "snic_vq_test.h"

#define D_NEXT		VRING_DESC_F_NEXT
#define D_WRITE		VRING_DESC_F_WRITE
#define D_INDIRECT	VRING_DESC_F_INDIRECT
#define RD		SNIC_IOTLB_PERM_READ
#define WR		SNIC_IOTLB_PERM_WRITE
#define F_INDIRECT	BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX	BIT_ULL(VIRTIO_RING_F_EVENT_IDX)

/**
 * snic_tr_alloc() - a zeroed test ring
 * @test: the test that owns it
 * @base: IOVA it will have, or 0 for its bus address (passthrough)
 *
 * Return: the ring, page aligned; freed when the test ends.
 */
struct snic_test_ring *snic_tr_alloc(struct kunit *test, u64 base)
{
	struct snic_test_ring *r;

	BUILD_BUG_ON(sizeof(*r) > PAGE_SIZE);
	/* A power-of-two kmalloc() is naturally aligned. */
	r = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(r));
	r->base = base ? base : virt_to_phys(r);
	return r;
}

/**
 * snic_tr_iova() - IOVA of a byte of a test ring
 * @r: the ring
 * @p: the byte
 *
 * Return: its IOVA.
 */
u64 snic_tr_iova(const struct snic_test_ring *r, const void *p)
{
	return r->base + ((const u8 *)p - (const u8 *)r);
}

/**
 * snic_tr_desc() - write a descriptor
 * @d: where
 * @addr: buffer IOVA
 * @len: buffer length
 * @flags: VRING_DESC_F_*
 * @next: next descriptor
 */
void snic_tr_desc(struct snic_test_desc *d, u64 addr, u32 len, u16 flags,
		  u16 next)
{
	d->addr = cpu_to_le64(addr);
	d->len = cpu_to_le32(len);
	d->flags = cpu_to_le16(flags);
	d->next = cpu_to_le16(next);
}

/**
 * snic_tr_add() - make a chain available, as a driver does
 * @r: the ring
 * @head: its first descriptor
 */
void snic_tr_add(struct snic_test_ring *r, u16 head)
{
	r->avail.ring[r->next_avail & (SNIC_TR_SIZE - 1)] = cpu_to_le16(head);
	r->next_avail++;
	/* The entry before the index that publishes it. */
	smp_wmb();
	WRITE_ONCE(r->avail.idx, cpu_to_le16(r->next_avail));
}

/**
 * snic_tr_used_idx() - the used index the device published
 * @r: the ring
 *
 * Return: it.
 */
u16 snic_tr_used_idx(const struct snic_test_ring *r)
{
	return le16_to_cpu(READ_ONCE(r->used.idx));
}

static void snic_irq_record(void *priv, u16 vec)
{
	struct snic_irq_log *log = priv;

	if (vec < SNIC_TEST_VECTORS)
		set_bit(vec, log->raised);
}

/* Swap the spy's handler, which the NIC calls under its irq_lock. */
static void snic_irq_swap(struct snic_irq_log *log, snic_irq_handler_t irq,
			  void *priv)
{
	spin_lock_irq(&log->m->irq_lock);
	log->spy->handler = irq;
	log->spy->handler_priv = priv;
	spin_unlock_irq(&log->m->irq_lock);
}

static void snic_irq_unlog(void *data)
{
	struct snic_irq_log *log = data;

	snic_irq_swap(log, log->irq, log->irq_priv);
}

/**
 * snic_irq_log() - record the vectors a model NIC raises from now on
 * @test: the test that owns the record
 * @t: the NIC
 *
 * The driver gets no vector meanwhile (it polls its commands).
 *
 * Return: the record; the NIC's handler is back when the test ends.
 */
struct snic_irq_log *snic_irq_log(struct kunit *test, struct snic_test_nic *t)
{
	struct snic_irq_log *log;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	log->spy = &t->spy;
	log->m = t->model;
	log->irq = t->spy.handler;
	log->irq_priv = t->spy.handler_priv;
	snic_irq_swap(log, snic_irq_record, log);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_irq_unlog, log), 0);
	return log;
}

/**
 * snic_tfn_create() - a model function, its features accepted
 * @test: the test
 * @t: the NIC
 * @id: function number
 * @features: features it offers; four queue pairs with VIRTIO_NET_F_MQ
 * @driver_features: features the driver takes
 */
void snic_tfn_create(struct kunit *test, struct snic_test_nic *t, u16 id,
		     u64 features, u64 driver_features)
{
	struct snic_dev_params p = {
		.features = features,
		.mac = { 0x02, 0x5e, 0, 0, 0, id + 1 },
		.mtu = 1500,
		.max_vq_pairs = features & BIT_ULL(VIRTIO_NET_F_MQ) ? 4 : 1,
	};

	KUNIT_ASSERT_EQ(test, snic_hw_fn_create(&t->nic.hw, id, &p,
						SNIC_CONFIG_VECTOR(id)), 0);
	snic_tfn_passthrough(test, t, id);
	snic_tfn_features(test, t, id, driver_features);
}

/**
 * snic_tfn_passthrough() - put a new function's address spaces in
 *	passthrough, as an in-kernel driver has them: IOVAs are bus addresses
 * @test: the test
 * @t: the NIC
 * @id: function number
 */
void snic_tfn_passthrough(struct kunit *test, struct snic_test_nic *t, u16 id)
{
	unsigned int asid;

	for (asid = 0; asid < 2; asid++)
		KUNIT_ASSERT_EQ(test, snic_hw_iotlb_reset(&t->nic.hw, id, asid,
							  SNIC_IOTLB_RESET_PASSTHROUGH), 0);
}

/**
 * snic_tfn_features() - a driver's first steps on a function just
 *	created or reset: it takes features, the NIC accepts them
 * @test: the test
 * @t: the NIC
 * @id: function number
 * @driver_features: features the driver takes
 */
void snic_tfn_features(struct kunit *test, struct snic_test_nic *t, u16 id,
		       u64 driver_features)
{
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_set_status(&t->nic.hw, id, s), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_fn_set_features(&t->nic.hw, id,
						      driver_features), 0);
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	KUNIT_ASSERT_EQ(test, snic_hw_fn_set_status(&t->nic.hw, id, s), 0);
	KUNIT_ASSERT_EQ(test, snic_tfn_status(test, t, id), s);
}

/**
 * snic_tfn_vq() - create a ready queue on a test ring
 * @test: the test
 * @t: the NIC
 * @id: function number
 * @qid: queue
 * @r: its ring; the queue starts at its driver's available index
 */
void snic_tfn_vq(struct kunit *test, struct snic_test_nic *t, u16 id, u16 qid,
		 const struct snic_test_ring *r)
{
	struct snic_hw_vq vq = {
		.desc = snic_tr_iova(r, r->desc),
		.driver = snic_tr_iova(r, &r->avail),
		.device = snic_tr_iova(r, &r->used),
		.size = SNIC_TR_SIZE,
		.vector = SNIC_VQ_VECTOR(id, qid),
		.ready = true,
		.pos = {
			.avail_idx = r->next_avail,
			.used_idx = r->next_avail,
		},
	};

	KUNIT_ASSERT_EQ(test, snic_hw_vq_create(&t->nic.hw, id, qid, &vq), 0);
}

/**
 * snic_tfn_driver_ok() - start a function, and let its queues run once
 * @test: the test
 * @t: the NIC
 * @id: function number, with its features accepted
 */
void snic_tfn_driver_ok(struct kunit *test, struct snic_test_nic *t, u16 id)
{
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	       VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_set_status(&t->nic.hw, id, s), 0);
	flush_workqueue(t->model->wq);
	KUNIT_ASSERT_EQ(test, snic_tfn_status(test, t, id), s);
}

/**
 * snic_tfn_kick() - ring a queue's doorbell and wait for its worker
 * @t: the NIC
 * @id: function number
 * @qid: queue
 */
void snic_tfn_kick(struct snic_test_nic *t, u16 id, u16 qid)
{
	snic_hw_kick(&t->nic.hw, id, qid);
	flush_workqueue(t->model->wq);
}

/**
 * snic_tfn_status() - a function's status, as FN_QUERY reports it
 * @test: the test
 * @t: the NIC
 * @id: function number
 *
 * Return: the virtio device status.
 */
u8 snic_tfn_status(struct kunit *test, struct snic_test_nic *t, u16 id)
{
	struct snic_hw_fn_state st;

	KUNIT_ASSERT_EQ(test, snic_hw_fn_query(&t->nic.hw, id, &st), 0);
	return st.status;
}

/**
 * snic_tfn_vq_flags() - a queue's flags, as VQ_QUERY reports them
 * @test: the test
 * @t: the NIC
 * @id: function number
 * @qid: queue
 *
 * The command is written into the NIC's registers here, so that the
 * model's tests do not depend on the driver's command layer.
 *
 * Return: SNIC_VQ_F_*.
 */
u16 snic_tfn_vq_flags(struct kunit *test, struct snic_test_nic *t, u16 id,
		      u16 qid)
{
	struct snic_bus *bus = snic_model_bus(t->model);
	struct snic_cmd_qid c = {
		.hdr = {
			.opcode = cpu_to_le16(SNIC_OP_VQ_QUERY),
			.function = cpu_to_le16(id),
			.length = cpu_to_le32(sizeof(c)),
		},
		.qid = cpu_to_le16(qid),
	};
	struct snic_resp_vq_query resp;
	const u32 *w = (const u32 *)&c;
	u32 *rw = (u32 *)&resp, seq;
	unsigned int i;

	for (i = 0; i < sizeof(c) / 4; i++)
		bus->ops->write32(bus, SNIC_REG_ADMIN_CMD + 4 * i, w[i]);
	seq = bus->ops->read32(bus, SNIC_REG_ADMIN_DONE) + 1;
	bus->ops->write32(bus, SNIC_REG_ADMIN_DOORBELL, seq);
	KUNIT_ASSERT_EQ(test, bus->ops->read32(bus, SNIC_REG_ADMIN_DONE), seq);
	KUNIT_ASSERT_EQ(test, bus->ops->read32(bus, SNIC_REG_ADMIN_STATUS),
			SNIC_ST_OK);
	KUNIT_ASSERT_EQ(test, bus->ops->read32(bus, SNIC_REG_ADMIN_RESP_LEN),
			sizeof(resp));
	for (i = 0; i < sizeof(resp) / 4; i++)
		rw[i] = bus->ops->read32(bus, SNIC_REG_ADMIN_RESP + 4 * i);
	return le16_to_cpu(resp.flags);
}

/*
 * The ring engine on a queue set up by hand.
 */

/**
 * struct snic_rfix - a queue of a function made by hand, for the engine
 * @fn: the function: only its address spaces
 * @vq: the queue
 * @r: its ring
 * @c: the chain snic_ring_pop() fills
 */
struct snic_rfix {
	struct snic_model_fn fn;
	struct snic_model_vq vq;
	struct snic_test_ring *r;
	struct snic_chain *c;
};

static void snic_rfix_free(void *data)
{
	struct snic_rfix *x = data;
	unsigned int i;

	snic_ring_free(&x->vq);
	for (i = 0; i < SNIC_NAS; i++)
		if (x->fn.as[i].iotlb)
			vhost_iotlb_free(x->fn.as[i].iotlb);
}

/*
 * A queue with @features (VIRTIO_RING_F_*) on a ring of SNIC_TR_SIZE
 * entries.  @base 0: its address space is in passthrough.  Otherwise the
 * ring is at IOVA @base, and nothing is mapped yet.
 */
static struct snic_rfix *snic_rfix(struct kunit *test, u64 features, u64 base)
{
	struct snic_rfix *x;
	unsigned int i;

	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	x->r = snic_tr_alloc(test, base);
	spin_lock_init(&x->fn.iotlb_lock);
	spin_lock_init(&x->fn.cfg_lock);
	for (i = 0; i < SNIC_NAS; i++) {
		x->fn.as[i].iotlb = vhost_iotlb_alloc(64, 0);
		x->fn.as[i].passthrough = !base;
	}
	x->vq.fn = &x->fn;
	x->vq.features = features;
	x->vq.r = (struct snic_model_ring) {
		.created = true,
		.desc = snic_tr_iova(x->r, x->r->desc),
		.driver = snic_tr_iova(x->r, &x->r->avail),
		.device = snic_tr_iova(x->r, &x->r->used),
		.size = SNIC_TR_SIZE,
	};
	KUNIT_ASSERT_EQ(test, snic_ring_alloc(&x->vq), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_rfix_free, x), 0);
	for (i = 0; i < SNIC_NAS; i++)
		KUNIT_ASSERT_NOT_NULL(test, x->fn.as[i].iotlb);
	x->c = &x->vq.chain[0];
	return x;
}

/* Map @len bytes at @p of the ring's page, at their IOVA, in address space 0. */
static void snic_rfix_map(struct kunit *test, struct snic_rfix *x, void *p,
			  size_t len, u32 perm)
{
	u64 iova = snic_tr_iova(x->r, p);

	KUNIT_ASSERT_EQ(test, vhost_iotlb_add_range(x->fn.as[0].iotlb, iova,
						    iova + len - 1,
						    virt_to_phys(p), perm), 0);
}

static u64 iova(const struct snic_rfix *x, const void *p)
{
	return snic_tr_iova(x->r, p);
}

/* The engine's view of the queue did not move. */
static void snic_expect_no_pop(struct kunit *test, struct snic_rfix *x,
			       u16 avail_idx)
{
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, avail_idx);
	KUNIT_EXPECT_EQ(test, x->vq.received, 0);
}

/* A chain of readable then writable buffers, taken whole and in order. */
static void snic_ring_chain(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	struct snic_chain *c = x->c;
	u8 out[150], in[200];
	unsigned int i;

	memset(r->buf[0], 0x11, 100);
	memset(r->buf[1], 0x22, 50);
	memset(r->buf[2], 0xee, SNIC_TR_BUF_LEN);
	/* 3 -> 5 -> 1; the last one's next is ignored. */
	snic_tr_desc(&r->desc[3], iova(x, r->buf[0]), 100, D_NEXT, 5);
	snic_tr_desc(&r->desc[5], iova(x, r->buf[1]), 50, D_NEXT, 1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[2]), 200, D_WRITE, 0xffff);
	snic_tr_add(r, 3);

	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, c->head, 3);
	KUNIT_EXPECT_EQ(test, c->nout, 2);
	KUNIT_EXPECT_EQ(test, c->nin, 1);
	KUNIT_EXPECT_EQ(test, c->out_len, 150);
	KUNIT_EXPECT_EQ(test, c->in_len, 200);
	KUNIT_EXPECT_EQ(test, c->seg[0].iova, iova(x, r->buf[0]));
	KUNIT_EXPECT_EQ(test, c->seg[0].len, 100);
	KUNIT_EXPECT_EQ(test, c->seg[1].iova, iova(x, r->buf[1]));
	KUNIT_EXPECT_EQ(test, c->seg[1].len, 50);
	KUNIT_EXPECT_EQ(test, c->seg[2].iova, iova(x, r->buf[2]));
	KUNIT_EXPECT_EQ(test, c->seg[2].len, 200);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 1);
	KUNIT_EXPECT_EQ(test, x->vq.received, 1);
	/* Nothing more. */
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, c), 0);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, &x->vq.chain[1]), 0);

	/* The readable part, whole and across the two buffers. */
	KUNIT_ASSERT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, 150), 0);
	for (i = 0; i < 150; i++)
		KUNIT_ASSERT_EQ(test, out[i], i < 100 ? 0x11 : 0x22);
	memset(out, 0, sizeof(out));
	KUNIT_ASSERT_EQ(test, snic_chain_pull(&x->vq, c, 95, out, 10), 0);
	KUNIT_EXPECT_MEMEQ(test, out, "\x11\x11\x11\x11\x11\x22\x22\x22\x22\x22", 10);
	KUNIT_EXPECT_EQ(test, snic_chain_pull(&x->vq, c, 141, out, 10), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, 151), -EINVAL);

	/* The writable part, and not a byte past it. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	KUNIT_ASSERT_EQ(test, snic_chain_push(&x->vq, c, 0, in, 200), 0);
	KUNIT_EXPECT_MEMEQ(test, r->buf[2], in, 200);
	for (i = 200; i < SNIC_TR_BUF_LEN; i++)
		KUNIT_ASSERT_EQ(test, r->buf[2][i], 0xee);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 150, in, 51), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 200, in, 0), 0);
	KUNIT_ASSERT_EQ(test, snic_chain_push(&x->vq, c, 10, "\xab", 1), 0);
	KUNIT_EXPECT_EQ(test, r->buf[2][10], 0xab);
	/* The readable buffers were not written. */
	for (i = 0; i < 100; i++)
		KUNIT_ASSERT_EQ(test, r->buf[0][i], 0x11);
}

/* Chains are taken in the order of the available ring, across its wrap. */
static void snic_ring_avail_order(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	unsigned int i;

	/* Both indexes about to wrap at 2^16: entries 6, 7, then 0. */
	x->vq.r.avail_idx = 0xfffe;
	x->vq.r.used_idx = 0xfffe;
	r->next_avail = 0xfffe;
	for (i = 0; i < 3; i++) {
		snic_tr_desc(&r->desc[4 + i], iova(x, r->buf[i]), 10 * (i + 1),
			     i == 1 ? D_WRITE : 0, 0);
		snic_tr_add(r, 4 + i);
	}
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->avail.ring[6]), 4);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->avail.ring[0]), 6);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
		KUNIT_EXPECT_EQ(test, x->c->head, 4 + i);
		KUNIT_EXPECT_EQ(test, x->c->nout + x->c->nin, 1);
		KUNIT_EXPECT_EQ(test, x->c->out_len + x->c->in_len, 10 * (i + 1));
	}
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), 0);
}

/* Indirect descriptors, when VIRTIO_RING_F_INDIRECT_DESC is negotiated. */
static void snic_ring_indirect(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, F_INDIRECT, 0);
	struct snic_test_ring *r = x->r;
	struct snic_chain *c = x->c;
	u8 out[110];
	unsigned int i;

	memset(r->buf[0], 1, 50);
	memset(r->buf[1], 2, 60);
	/* The table's own order: 0 -> 2 -> 1. */
	snic_tr_desc(&r->table[0], iova(x, r->buf[0]), 50, D_NEXT, 2);
	snic_tr_desc(&r->table[2], iova(x, r->buf[1]), 60, D_NEXT, 1);
	snic_tr_desc(&r->table[1], iova(x, r->buf[2]), 70, D_WRITE, 0);
	snic_tr_desc(&r->desc[6], iova(x, r->table), 3 * 16, D_INDIRECT, 0);
	snic_tr_add(r, 6);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, c->head, 6);
	KUNIT_EXPECT_EQ(test, c->nout, 2);
	KUNIT_EXPECT_EQ(test, c->nin, 1);
	KUNIT_EXPECT_EQ(test, c->out_len, 110);
	KUNIT_EXPECT_EQ(test, c->in_len, 70);
	KUNIT_EXPECT_EQ(test, c->seg[1].iova, iova(x, r->buf[1]));
	KUNIT_EXPECT_EQ(test, c->seg[2].iova, iova(x, r->buf[2]));
	KUNIT_ASSERT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, sizeof(out)), 0);
	for (i = 0; i < sizeof(out); i++)
		KUNIT_ASSERT_EQ(test, out[i], i < 50 ? 1 : 2);

	/* The device ignores D_WRITE on the descriptor of a table. */
	snic_tr_desc(&r->desc[6], iova(x, r->table), 3 * 16, D_INDIRECT | D_WRITE, 0);
	snic_tr_add(r, 6);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, c->nout, 2);
	KUNIT_EXPECT_EQ(test, c->nin, 1);

	/* Direct descriptors, then a table: one chain. */
	snic_tr_desc(&r->desc[0], iova(x, r->buf[3]), 10, D_NEXT, 7);
	snic_tr_desc(&r->desc[7], iova(x, &r->table[1]), 16, D_INDIRECT, 0);
	snic_tr_add(r, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, c->head, 0);
	KUNIT_EXPECT_EQ(test, c->nout, 1);
	KUNIT_EXPECT_EQ(test, c->nin, 1);
	KUNIT_EXPECT_EQ(test, c->out_len, 10);
	KUNIT_EXPECT_EQ(test, c->in_len, 70);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 3);
}

/* Every malformed use of indirect descriptors is refused. */
static void snic_ring_indirect_refused(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	struct snic_test_desc *d = &r->desc[2];
	u64 table = iova(x, r->table);
	unsigned int i;

	for (i = 0; i < SNIC_TR_SIZE; i++)
		snic_tr_desc(&r->table[i], iova(x, r->buf[i]), 8,
			     i < 3 ? D_NEXT : 0, i + 1);
	/* Not negotiated. */
	snic_tr_desc(d, table, 4 * 16, D_INDIRECT, 0);
	snic_tr_add(r, 2);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);

	/* Negotiated, the same head each time: a refusal takes nothing. */
	x->vq.features = F_INDIRECT;
	snic_tr_desc(d, table, 4 * 16, D_INDIRECT | D_NEXT, 3);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_tr_desc(d, table, 0, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_tr_desc(d, table, 24, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_tr_desc(d, table, 4 * 16 + 1, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	/* A table longer than the ring (its entries past ours are zero). */
	snic_tr_desc(d, table, (SNIC_TR_SIZE + 1) * 16, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	/* A next index inside the ring but past the table. */
	snic_tr_desc(d, table, 2 * 16, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	/* A table in a table. */
	snic_tr_desc(d, table, 4 * 16, D_INDIRECT, 0);
	snic_tr_desc(&r->table[1], table, 16, D_INDIRECT | D_NEXT, 2);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_tr_desc(&r->table[1], table, 16, D_INDIRECT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	/* A loop inside the table. */
	snic_tr_desc(&r->table[1], iova(x, r->buf[1]), 8, D_NEXT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -ELOOP);
	/* Readable after writable inside the table. */
	snic_tr_desc(&r->table[1], iova(x, r->buf[1]), 8, D_NEXT | D_WRITE, 2);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);

	/* Repaired, the chain is taken. */
	snic_tr_desc(&r->table[1], iova(x, r->buf[1]), 8, D_NEXT, 2);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->nout, 4);
	KUNIT_EXPECT_EQ(test, x->c->out_len, 32);
}

/* A chain that comes back on itself. */
static void snic_ring_loop(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	unsigned int i;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT, 1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 8, D_NEXT, 0);
	snic_tr_add(r, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -ELOOP);
	/* On itself. */
	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -ELOOP);
	/* A loop the head is not part of: 0 -> 1 -> 2 -> 1. */
	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT, 1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 8, D_NEXT, 2);
	snic_tr_desc(&r->desc[2], iova(x, r->buf[2]), 8, D_NEXT, 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -ELOOP);
	/* Writable descriptors loop as well. */
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 8, D_NEXT | D_WRITE, 2);
	snic_tr_desc(&r->desc[2], iova(x, r->buf[2]), 8, D_NEXT | D_WRITE, 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -ELOOP);
	snic_expect_no_pop(test, x, 0);

	/* Every descriptor of the table once is the longest chain there is. */
	for (i = 0; i < SNIC_TR_SIZE; i++)
		snic_tr_desc(&r->desc[i], iova(x, r->buf[i]), 8,
			     i + 1 < SNIC_TR_SIZE ? D_NEXT : 0, i + 1);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->nout, SNIC_TR_SIZE);
	KUNIT_EXPECT_EQ(test, x->c->seg[SNIC_TR_SIZE - 1].iova,
			iova(x, r->buf[SNIC_TR_SIZE - 1]));
}

/* A chain of more buffers than the ring has entries. */
static void snic_ring_too_long(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, F_INDIRECT, 0);
	struct snic_test_ring *r = x->r;
	unsigned int i;

	for (i = 0; i < SNIC_TR_SIZE; i++)
		snic_tr_desc(&r->table[i], iova(x, r->buf[i]), 4,
			     i + 1 < SNIC_TR_SIZE ? D_NEXT : 0, i + 1);
	/* One direct buffer, then a full table: ring size + 1 buffers. */
	snic_tr_desc(&r->desc[4], iova(x, r->buf[0]), 4, D_NEXT, 5);
	snic_tr_desc(&r->desc[5], iova(x, r->table), SNIC_TR_SIZE * 16,
		     D_INDIRECT, 0);
	snic_tr_add(r, 4);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -E2BIG);
	snic_expect_no_pop(test, x, 0);
	/* As many buffers as entries is fine. */
	snic_tr_desc(&r->desc[5], iova(x, &r->table[1]), (SNIC_TR_SIZE - 1) * 16,
		     D_INDIRECT, 0);
	/* The table starts at its entry 1 now: its next indexes shift. */
	for (i = 1; i < SNIC_TR_SIZE; i++)
		snic_tr_desc(&r->table[i], iova(x, r->buf[i]), 4,
			     i + 1 < SNIC_TR_SIZE ? D_NEXT : 0, i);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->nout, SNIC_TR_SIZE);
	KUNIT_EXPECT_EQ(test, x->c->out_len, 4 * SNIC_TR_SIZE);
}

/* A head past the descriptor table. */
static void snic_ring_bad_head(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, 0, 0);
	snic_tr_add(r, SNIC_TR_SIZE);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	r->avail.ring[0] = cpu_to_le16(0xffff);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);
	r->avail.ring[0] = cpu_to_le16(SNIC_TR_SIZE - 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
}

/* A next index past the descriptor table. */
static void snic_ring_bad_next(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT, SNIC_TR_SIZE);
	snic_tr_add(r, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT | D_WRITE, 0xffff);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);
}

/* The available index moves by more than the ring size. */
static void snic_ring_avail_jump(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	unsigned int i;

	for (i = 0; i < SNIC_TR_SIZE; i++) {
		snic_tr_desc(&r->desc[i], iova(x, r->buf[i]), 8, 0, 0);
		r->avail.ring[i] = cpu_to_le16(i);
	}
	r->avail.idx = cpu_to_le16(SNIC_TR_SIZE + 1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	/* Backwards. */
	r->avail.idx = cpu_to_le16(0xffff);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	r->avail.idx = cpu_to_le16(0x8000);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);

	/* A full ring at once is fine. */
	r->avail.idx = cpu_to_le16(SNIC_TR_SIZE);
	for (i = 0; i < SNIC_TR_SIZE; i++) {
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
		KUNIT_EXPECT_EQ(test, x->c->head, i);
	}
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), 0);
}

/*
 * A driver cannot have more chains outstanding than the ring has
 * entries: until the device uses some, it has no descriptor to offer.
 * Offering more is a malformed ring, whatever the indexes say, and the
 * device must not take more than it has room to complete.
 */
static void snic_ring_in_flight(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	bool notify = false;
	unsigned int i;

	for (i = 0; i < SNIC_TR_SIZE; i++) {
		snic_tr_desc(&r->desc[i], iova(x, r->buf[i]), 8, 0, 0);
		snic_tr_add(r, i);
	}
	for (i = 0; i < SNIC_TR_SIZE; i++)
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	/* Once they are used, the driver offers them again. */
	for (i = 0; i < SNIC_TR_SIZE; i++) {
		snic_ring_add_used(&x->vq, i, 0);
		snic_tr_add(r, i);
	}
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	for (i = 0; i < SNIC_TR_SIZE; i++)
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	/* One more, none used since. */
	snic_tr_add(r, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	KUNIT_EXPECT_EQ(test, x->vq.received, 2 * SNIC_TR_SIZE);
}

/**
 * struct snic_test_pdesc - a packed-ring descriptor as the driver writes it
 * @addr: buffer IOVA
 * @len: buffer length
 * @id: Buffer ID
 * @flags: VRING_DESC_F_* and the AVAIL/USED bits
 */
struct snic_test_pdesc {
	__le64 addr;
	__le32 len;
	__le16 id;
	__le16 flags;
};

/* Flags that make a packed descriptor available in lap @wrap. */
static __le16 snic_pavail(bool wrap)
{
	return cpu_to_le16(wrap ? BIT(VRING_PACKED_DESC_F_AVAIL) :
				  BIT(VRING_PACKED_DESC_F_USED));
}

/* The same limit with a packed ring: its slots offered again, unused. */
static void snic_ring_packed_in_flight(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_pdesc *d = (struct snic_test_pdesc *)x->r->desc;
	struct snic_test_ring *r = x->r;
	bool notify = false;
	unsigned int i, lap;

	BUILD_BUG_ON(sizeof(*d) != sizeof(r->desc[0]));
	x->vq.r.flags = SNIC_VQ_F_PACKED;
	x->vq.r.avail_wrap = 1;
	x->vq.r.used_wrap = 1;
	/* Two laps of the ring, each used before the next. */
	for (lap = 0; lap < 2; lap++) {
		for (i = 0; i < SNIC_TR_SIZE; i++) {
			d[i].addr = cpu_to_le64(iova(x, r->buf[i]));
			d[i].len = cpu_to_le32(8);
			d[i].id = cpu_to_le16(SNIC_TR_SIZE - 1 - i);
			d[i].flags = snic_pavail(!lap);
		}
		for (i = 0; i < SNIC_TR_SIZE; i++) {
			KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
			KUNIT_EXPECT_EQ(test, x->c->head, SNIC_TR_SIZE - 1 - i);
		}
		KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), 0);
		if (lap)
			break;
		for (i = 0; i < SNIC_TR_SIZE; i++)
			snic_ring_add_used(&x->vq, SNIC_TR_SIZE - 1 - i, 0);
		KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	}
	/* Slot 0 in the third lap, none of the second used. */
	d[0].id = 0;
	d[0].flags = snic_pavail(1);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	KUNIT_EXPECT_EQ(test, x->vq.received, 2 * SNIC_TR_SIZE);
}

/*
 * Chains taken and given back (snic_ring_unpop(), for a frame that did
 * not fit) on a packed ring of 7 entries, which need not be a power of
 * two (virtio 1.3 2.8): across the end of the ring, the avail position
 * returns to the first chain given back, wrap counter included, and
 * that chain is the next one taken.
 */
static void snic_ring_packed_unpop(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_pdesc *d = (struct snic_test_pdesc *)x->r->desc;
	const u16 size = SNIC_TR_SIZE - 1;
	struct snic_test_ring *r = x->r;
	bool notify = false;
	unsigned int i;

	snic_ring_free(&x->vq);
	x->vq.r.size = size;
	KUNIT_ASSERT_EQ(test, snic_ring_alloc(&x->vq), 0);
	x->vq.r.flags = SNIC_VQ_F_PACKED;
	x->vq.r.avail_wrap = 1;
	x->vq.r.used_wrap = 1;
	/* The first lap: 7 chains, each with its slot as ID. */
	for (i = 0; i < size; i++) {
		d[i].addr = cpu_to_le64(iova(x, r->buf[i]));
		d[i].len = cpu_to_le32(8);
		d[i].id = cpu_to_le16(i);
		d[i].flags = snic_pavail(1);
	}
	/* Five taken and used: their IDs are free again. */
	for (i = 0; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
		snic_ring_add_used(&x->vq, x->c->head, 0);
	}
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	/* The second lap offers slots 0-2 again (the flush wrote them). */
	for (i = 0; i < 3; i++) {
		d[i].addr = cpu_to_le64(iova(x, r->buf[i]));
		d[i].len = cpu_to_le32(8);
		d[i].id = cpu_to_le16(i);
		d[i].flags = snic_pavail(0);
	}
	/* Four more: slots 5 and 6 of the first lap, 0 and 1 of the second. */
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 2);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_wrap, 0);
	KUNIT_EXPECT_EQ(test, x->c->head, 1);
	/* The last three back: the position before slot 6 of the first lap. */
	snic_ring_unpop(&x->vq, 3);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 6);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_wrap, 1);
	KUNIT_EXPECT_EQ(test, x->vq.received, 6);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->head, 6);
	/* Back across the end of the ring for one chain. */
	snic_ring_unpop(&x->vq, 1);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 6);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_wrap, 1);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->head, 1);
	/* Giving none back moves nothing. */
	snic_ring_unpop(&x->vq, 0);
	KUNIT_EXPECT_EQ(test, x->vq.r.avail_idx, 2);
	KUNIT_EXPECT_EQ(test, x->vq.received, 9);
}

/* Readable buffers come first. */
static void snic_ring_write_then_read(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, D_NEXT, 1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 8, D_NEXT | D_WRITE, 2);
	snic_tr_desc(&r->desc[2], iova(x, r->buf[2]), 8, 0, 0);
	snic_tr_add(r, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EINVAL);
	snic_expect_no_pop(test, x, 0);
	/* Writable only is a chain. */
	snic_tr_add(r, 1);
	r->avail.ring[0] = cpu_to_le16(1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 8, D_WRITE, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, x->c->nout, 0);
	KUNIT_EXPECT_EQ(test, x->c->nin, 1);
}

/* Fill every buffer with guard bytes. */
static void snic_guard(struct snic_test_ring *r)
{
	memset(r->buf, 0xa5, sizeof(r->buf));
}

static bool snic_guarded(const u8 *p, size_t len)
{
	return !memchr_inv(p, 0xa5, len);
}

#define SNIC_IOVA	0x7f000000ULL

/*
 * An address space with mappings: the ring read-only but its used area,
 * buffer 0 read-only, 1 read-write, 2 read-only, 3 not mapped, 4
 * write-only.  The device reaches nothing else, and only as mapped.
 */
static struct snic_rfix *snic_rfix_mapped(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, SNIC_IOVA);
	struct snic_test_ring *r = x->r;

	snic_rfix_map(test, x, r, offsetof(struct snic_test_ring, used), RD);
	snic_rfix_map(test, x, &r->used, sizeof(r->used), RD | WR);
	snic_rfix_map(test, x, r->buf[0], SNIC_TR_BUF_LEN, RD);
	snic_rfix_map(test, x, r->buf[1], SNIC_TR_BUF_LEN, RD | WR);
	snic_rfix_map(test, x, r->buf[2], SNIC_TR_BUF_LEN, RD);
	snic_rfix_map(test, x, r->buf[4], SNIC_TR_BUF_LEN, WR);
	snic_guard(r);
	return x;
}

/* Buffers the IOTLB does not map, or not for the access. */
static void snic_ring_iotlb(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix_mapped(test);
	struct snic_test_ring *r = x->r;
	struct snic_chain *c = x->c;
	u8 data[64], out[64];
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i;
	/* Readable 0, writable 1: through the mappings. */
	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 64, D_NEXT, 1);
	snic_tr_desc(&r->desc[1], iova(x, r->buf[1]), 64, D_WRITE, 0);
	snic_tr_add(r, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, 64), 0);
	KUNIT_EXPECT_TRUE(test, snic_guarded(out, 64));
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 0, data, 64), 0);
	KUNIT_EXPECT_MEMEQ(test, r->buf[1], data, 64);
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[1] + 64, SNIC_TR_BUF_LEN - 64));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[0], SNIC_TR_BUF_LEN));

	/* A device-writable buffer mapped read-only. */
	snic_tr_desc(&r->desc[2], iova(x, r->buf[2]), 32, D_WRITE, 0);
	snic_tr_add(r, 2);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 0, data, 32), -EPERM);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 31, data, 1), -EPERM);

	/* Not mapped: neither read nor written. */
	snic_tr_desc(&r->desc[3], iova(x, r->buf[3]), 32, D_NEXT, 4);
	snic_tr_desc(&r->desc[4], iova(x, r->buf[3]) + 32, 32, D_WRITE, 0);
	snic_tr_add(r, 3);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, 32), -EFAULT);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 0, data, 32), -EFAULT);

	/* Write-only: not read. */
	snic_tr_desc(&r->desc[5], iova(x, r->buf[4]), 32, 0, 0);
	snic_tr_add(r, 5);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_pull(&x->vq, c, 0, out, 32), -EPERM);

	/* A writable buffer that runs from 1 into read-only 2. */
	snic_tr_desc(&r->desc[6], iova(x, r->buf[1]) + 240, 32, D_WRITE, 0);
	snic_tr_add(r, 6);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 0, data, 32), -EPERM);
	/* And one from write-only 4 into unmapped 5. */
	snic_tr_desc(&r->desc[7], iova(x, r->buf[4]) + 224, 64, D_WRITE, 0);
	snic_tr_add(r, 7);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, c), 1);
	KUNIT_EXPECT_EQ(test, snic_chain_push(&x->vq, c, 0, data, 64), -EFAULT);

	/* Whatever was written, it was within writable mappings. */
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[0], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[2], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[3], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[4], 224));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[5], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[6], SNIC_TR_BUF_LEN));
}

/* The rings themselves out of reach. */
static void snic_ring_iotlb_rings(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix_mapped(test);
	struct snic_test_ring *r = x->r;
	u16 used = le16_to_cpu(r->used.idx);
	bool notify = false;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, 0, 0);
	snic_tr_add(r, 0);
	/* Descriptors, then the driver area, in unmapped IOVA. */
	x->vq.r.desc = iova(x, r->buf[3]);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EFAULT);
	x->vq.r.desc = iova(x, r->desc);
	x->vq.r.driver = iova(x, r->buf[3]);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EFAULT);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), -EFAULT);
	/* The descriptors, not mapped for reading. */
	x->vq.r.driver = iova(x, &r->avail);
	x->vq.r.desc = iova(x, r->buf[4]);
	KUNIT_EXPECT_EQ(test, snic_ring_pop(&x->vq, x->c), -EPERM);
	x->vq.r.desc = iova(x, r->desc);
	snic_expect_no_pop(test, x, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);

	/* A used area mapped read-only. */
	x->vq.r.device = iova(x, r->buf[2]);
	snic_ring_add_used(&x->vq, 0, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_flush(&x->vq, &notify), -EPERM);
	KUNIT_EXPECT_EQ(test, x->vq.r.used_idx, 0);
	KUNIT_EXPECT_EQ(test, x->vq.completed, 0);
	KUNIT_EXPECT_FALSE(test, notify);
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[2], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.idx), used);
	/* And with EVENT_IDX, avail_event in read-only memory. */
	x->vq.features = F_EVENT_IDX;
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), -EPERM);
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[2], SNIC_TR_BUF_LEN));
}

/* Used entries wait for the flush, which writes them, then the index once. */
static void snic_ring_used_flush(struct kunit *test)
{
	static const u8 used[4 + 4 * 8] = {
		0x00, 0x00, 0x03, 0x00,				/* flags, idx 3 */
		0x03, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00,	/* 3, 100 */
		0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 5, 0 */
		0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,	/* 0, 7 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* untouched */
	};
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	bool notify = false;

	snic_ring_add_used(&x->vq, 3, 100);
	snic_ring_add_used(&x->vq, 5, 0);
	snic_ring_add_used(&x->vq, 0, 7);
	KUNIT_EXPECT_EQ(test, x->vq.nused, 3);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[0].id), 0);

	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	/* The used area as virtio 1.3 section 2.7.8 lays it out, little endian. */
	KUNIT_EXPECT_MEMEQ(test, &r->used, used, sizeof(used));
	KUNIT_EXPECT_EQ(test, x->vq.r.used_idx, 3);
	KUNIT_EXPECT_EQ(test, x->vq.nused, 0);
	KUNIT_EXPECT_EQ(test, x->vq.completed, 3);
	KUNIT_EXPECT_TRUE(test, notify);

	/* Nothing to publish: nothing is written, nobody is notified. */
	r->used.idx = cpu_to_le16(0x5555);
	notify = false;
	KUNIT_EXPECT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 0x5555);
	KUNIT_EXPECT_FALSE(test, notify);
}

/*
 * The entries are written before the index: with the index out of reach
 * (read-only) the entries are there, the index and the queue's state
 * did not move.
 */
static void snic_ring_used_order(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, SNIC_IOVA);
	struct snic_test_ring *r = x->r;
	bool notify = false;

	snic_rfix_map(test, x, r, offsetof(struct snic_test_ring, used), RD);
	snic_rfix_map(test, x, &r->used, 4, RD);
	snic_rfix_map(test, x, r->used.ring, sizeof(r->used) - 4, RD | WR);
	snic_ring_add_used(&x->vq, 6, 60);
	snic_ring_add_used(&x->vq, 7, 70);
	KUNIT_EXPECT_EQ(test, snic_ring_flush(&x->vq, &notify), -EPERM);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[0].id), 6);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[1].len), 70);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 0);
	KUNIT_EXPECT_EQ(test, x->vq.r.used_idx, 0);
	KUNIT_EXPECT_EQ(test, x->vq.completed, 0);
	KUNIT_EXPECT_FALSE(test, notify);
}

/* Entries wrap around the used ring; the index wraps at 2^16. */
static void snic_ring_used_wrap(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	bool notify = false;
	unsigned int i;

	x->vq.r.used_idx = 6;
	x->vq.r.avail_idx = 6;
	for (i = 0; i < 4; i++)
		snic_ring_add_used(&x->vq, i + 1, 10 * i);
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 10);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[6].id), 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[7].id), 2);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[0].id), 3);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[1].id), 4);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[1].len), 30);
	for (i = 2; i < 6; i++)
		KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[i].id), 0);

	/* A whole ring's worth, across the wrap of the index. */
	x->vq.r.used_idx = 0xfffc;
	for (i = 0; i < SNIC_TR_SIZE; i++)
		snic_ring_add_used(&x->vq, i, i);
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 4);
	KUNIT_EXPECT_EQ(test, x->vq.r.used_idx, 4);
	for (i = 0; i < SNIC_TR_SIZE; i++)
		KUNIT_EXPECT_EQ(test,
				le32_to_cpu(r->used.ring[(0xfffc + i) % SNIC_TR_SIZE].id),
				i);
}

/* Without EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT. */
static void snic_ring_notify_flags(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	bool notify = false;

	/* used_event means nothing without EVENT_IDX. */
	r->avail.used_event = cpu_to_le16(0x1234);
	snic_ring_add_used(&x->vq, 0, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_TRUE(test, notify);

	r->avail.flags = cpu_to_le16(VRING_AVAIL_F_NO_INTERRUPT);
	notify = false;
	snic_ring_add_used(&x->vq, 1, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_FALSE(test, notify);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 2);
	/* A notification owed by an earlier flush stays owed. */
	notify = true;
	snic_ring_add_used(&x->vq, 2, 0);
	KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
	KUNIT_EXPECT_TRUE(test, notify);
}

/* With EVENT_IDX: notify when the used index passes used_event. */
static void snic_ring_notify_event_idx(struct kunit *test)
{
	static const struct {
		u16 old, n, event, flags;
		bool want;
	} cases[] = {
		{ 0, 1, 0, 0, true },
		{ 0, 1, 1, 0, false },
		{ 0, 3, 2, 0, true },
		{ 0, 3, 3, 0, false },
		{ 5, 3, 4, 0, false },
		{ 5, 3, 5, 0, true },
		{ 0xfffe, 3, 0xffff, 0, true },
		{ 0xfffe, 3, 0, 0, true },
		{ 0xfffe, 3, 1, 0, false },
		{ 0xfffe, 3, 0xfffd, 0, false },
		/* The flags are for drivers without EVENT_IDX. */
		{ 9, 1, 9, VRING_AVAIL_F_NO_INTERRUPT, true },
		{ 9, 1, 8, 0, false },
	};
	struct snic_rfix *x = snic_rfix(test, F_EVENT_IDX, 0);
	struct snic_test_ring *r = x->r;
	unsigned int i, j;
	bool notify;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		x->vq.r.used_idx = cases[i].old;
		r->avail.used_event = cpu_to_le16(cases[i].event);
		r->avail.flags = cpu_to_le16(cases[i].flags);
		for (j = 0; j < cases[i].n; j++)
			snic_ring_add_used(&x->vq, j, 0);
		notify = false;
		KUNIT_ASSERT_EQ(test, snic_ring_flush(&x->vq, &notify), 0);
		KUNIT_EXPECT_EQ_MSG(test, notify, cases[i].want,
				    "used %u -> %u, used_event %u",
				    cases[i].old, (u16)(cases[i].old + cases[i].n),
				    cases[i].event);
		KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r),
				(u16)(cases[i].old + cases[i].n));
	}
}

/* Asking for a doorbell: avail_event with EVENT_IDX, and a last look. */
static void snic_ring_kick_request(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, F_EVENT_IDX, 0);
	struct snic_test_ring *r = x->r;

	x->vq.r.avail_idx = 5;
	x->vq.r.used_idx = 5;
	r->next_avail = 5;
	r->avail.idx = cpu_to_le16(5);
	r->used.idx = cpu_to_le16(5);
	r->used.avail_event = cpu_to_le16(0xabcd);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), 0);
	KUNIT_EXPECT_MEMEQ(test, &r->used.avail_event, "\x05\x00", 2);
	/* Buffers that came meanwhile are seen. */
	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, 0, 0);
	snic_tr_add(r, 0);
	r->used.avail_event = cpu_to_le16(0xabcd);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.avail_event), 5);
	KUNIT_ASSERT_EQ(test, snic_ring_pop(&x->vq, x->c), 1);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), 0);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.avail_event), 6);
	/* Nothing else of the used area changed. */
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 5);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.flags), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[5].id), 0);

	/* Without EVENT_IDX, avail_event is not the device's to write. */
	x->vq.features = 0;
	r->used.avail_event = cpu_to_le16(0xabcd);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), 0);
	snic_tr_add(r, 0);
	KUNIT_EXPECT_EQ(test, snic_ring_wait_kick(&x->vq), 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(r->used.avail_event), 0xabcd);
}

/*
 * Fields the driver and the device update concurrently: each side must
 * see the other's 16-bit indexes whole (virtio 1.3 sections 2.7, 2.8).
 * Another CPU writes (or reads) the field while the engine reads (or
 * writes) it, with two values whose bytes all differ: a byte-wise copy
 * shows 0x0000 or 0x01ff now and then.  They need two CPUs; under TCG a
 * byte-wise write is seen torn thousands of times in 2 s, a byte-wise
 * read tears far more rarely (measured on the stock kernel: once in 10
 * million 2-byte memcpy() reads), so the used index case is the one
 * that catches a byte-wise engine.
 */
#define SNIC_RACE_A	0x00ff
#define SNIC_RACE_B	0x0100
/* How long a race runs. */
#define SNIC_RACE_MS	2000

/**
 * struct snic_race - the other side of a race on a 16-bit field
 * @field: the field
 * @write: it writes B then A, over and over; else it reads and checks
 * @task: its kthread
 * @n: writes, or reads
 * @flips: reads that saw the field change
 * @torn: reads of a value neither A nor B
 * @torn_val: the last such value
 */
struct snic_race {
	__le16 *field;
	bool write;
	struct task_struct *task;
	unsigned long n, flips, torn;
	u16 torn_val;
};

static int snic_race_fn(void *data)
{
	struct snic_race *rc = data;
	u16 last = SNIC_RACE_A, v;

	while (!kthread_should_stop()) {
		if (rc->write) {
			WRITE_ONCE(*rc->field, cpu_to_le16(SNIC_RACE_B));
			WRITE_ONCE(*rc->field, cpu_to_le16(SNIC_RACE_A));
		} else {
			v = le16_to_cpu(READ_ONCE(*rc->field));
			if (v != SNIC_RACE_A && v != SNIC_RACE_B) {
				rc->torn++;
				rc->torn_val = v;
			} else if (v != last) {
				rc->flips++;
				last = v;
			}
		}
		if (!(++rc->n % 1024))
			cond_resched();
	}
	return 0;
}

/*
 * Start @rc's kthread on one CPU and keep the test on another, so that
 * the two really run at the same time.
 */
static void snic_race_start(struct kunit *test, struct snic_race *rc)
{
	unsigned int me = cpumask_first(cpu_online_mask);
	unsigned int other = cpumask_next(me, cpu_online_mask);

	if (other >= nr_cpu_ids)
		kunit_skip(test, "one CPU online: nothing runs beside the engine");
	/* The test's own thread: it ends with the test. */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(me)), 0);
	rc->task = kthread_create(snic_race_fn, rc, "snic_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(rc->task));
	kthread_bind(rc->task, other);
	wake_up_process(rc->task);
}

/* The driver moves avail->idx while the engine reads it. */
static void snic_ring_avail_idx_race(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	struct snic_race rc = { .field = &r->avail.idx, .write = true };
	unsigned long deadline, got[2] = {}, bad = 0;
	int res, first_bad = 0;

	snic_tr_desc(&r->desc[0], iova(x, r->buf[0]), 8, 0, 0);
	/* The entry the device reads at index A names descriptor 0. */
	r->avail.ring[SNIC_RACE_A & (SNIC_TR_SIZE - 1)] = cpu_to_le16(0);
	r->avail.idx = cpu_to_le16(SNIC_RACE_A);
	snic_race_start(test, &rc);
	deadline = jiffies + msecs_to_jiffies(SNIC_RACE_MS);
	while (time_before(jiffies, deadline)) {
		/* The device expects index A: B is one chain, A none. */
		x->vq.r.avail_idx = SNIC_RACE_A;
		x->vq.received = 0;
		x->vq.pop_head = 0;
		res = snic_ring_pop(&x->vq, x->c);
		if (res == 0 || res == 1) {
			got[res]++;
		} else {
			bad++;
			first_bad = first_bad ?: res;
		}
		cond_resched();
	}
	kthread_stop(rc.task);
	kunit_info(test, "%lu pops: %lu empty, %lu with a chain, %lu errors; %lu writes",
		   got[0] + got[1] + bad, got[0], got[1], bad, rc.n);
	/* A torn index jumps by more than the ring size: a ring error. */
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "avail->idx read torn (%pe)",
			    ERR_PTR(first_bad));
	/* The race ran: the engine saw both values. */
	KUNIT_EXPECT_GT(test, got[0], 0);
	KUNIT_EXPECT_GT(test, got[1], 0);
}

/* The driver reads used->idx while the engine moves it. */
static void snic_ring_used_idx_race(struct kunit *test)
{
	struct snic_rfix *x = snic_rfix(test, 0, 0);
	struct snic_test_ring *r = x->r;
	struct snic_race rc = { .field = &r->used.idx };
	unsigned long deadline, n = 0, bad = 0;
	bool notify = false;

	r->used.idx = cpu_to_le16(SNIC_RACE_A);
	snic_race_start(test, &rc);
	deadline = jiffies + msecs_to_jiffies(SNIC_RACE_MS);
	while (time_before(jiffies, deadline)) {
		/* One entry each time: the index goes to B, then to A. */
		x->vq.r.used_idx = n++ & 1 ? SNIC_RACE_A : SNIC_RACE_A - 1;
		snic_ring_add_used(&x->vq, 0, 0);
		if (snic_ring_flush(&x->vq, &notify))
			bad++;
		cond_resched();
	}
	kthread_stop(rc.task);
	kunit_info(test, "%lu flushes; the driver side read %lu times, saw %lu changes, %lu torn",
		   n, rc.n, rc.flips, rc.torn);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ_MSG(test, rc.torn, 0, "used->idx seen torn, e.g. 0x%04x",
			    rc.torn_val);
	KUNIT_EXPECT_GT(test, rc.flips, 0);
}

/*
 * The single accesses of the DMA engine: the bytes in memory, in
 * little-endian order; only naturally aligned fields, reached in one
 * piece, with the mapping's permission.
 */
static void snic_ring_dma_once(struct kunit *test)
{
	static const u8 init[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	static const u8 want[8] = { 0x11, 0x22, 0xaa, 0xbb, 0x01, 0x02, 0x03, 0x04 };
	struct snic_rfix *x = snic_rfix_mapped(test);
	struct snic_model_fn *fn = &x->fn;
	struct snic_test_ring *r = x->r;
	u64 a = iova(x, r->buf[1]), b5 = iova(x, r->buf[5]);
	__le16 v16;
	__le32 v32;

	memcpy(r->buf[1], init, sizeof(init));
	KUNIT_EXPECT_EQ(test, snic_model_dma_read16(fn, 0, a + 2, &v16), 0);
	KUNIT_EXPECT_MEMEQ(test, &v16, "\x33\x44", 2);
	KUNIT_EXPECT_EQ(test, snic_model_dma_read32(fn, 0, a + 4, &v32), 0);
	KUNIT_EXPECT_MEMEQ(test, &v32, "\x55\x66\x77\x88", 4);
	memcpy(&v16, "\xaa\xbb", 2);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write16(fn, 0, a + 2, v16), 0);
	memcpy(&v32, "\x01\x02\x03\x04", 4);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write32(fn, 0, a + 4, v32), 0);
	KUNIT_EXPECT_MEMEQ(test, r->buf[1], want, sizeof(want));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[1] + 8, SNIC_TR_BUF_LEN - 8));

	/* Not naturally aligned: refused, nothing written. */
	KUNIT_EXPECT_EQ(test, snic_model_dma_read16(fn, 0, a + 1, &v16), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_model_dma_read32(fn, 0, a + 2, &v32), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write16(fn, 0, a + 3, v16), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write32(fn, 0, a + 6, v32), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, r->buf[1], want, sizeof(want));

	/* Read-only 0, not mapped 3, write-only 4. */
	KUNIT_EXPECT_EQ(test, snic_model_dma_write16(fn, 0, iova(x, r->buf[0]), v16),
			-EPERM);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write32(fn, 0, iova(x, r->buf[0]), v32),
			-EPERM);
	KUNIT_EXPECT_EQ(test, snic_model_dma_read16(fn, 0, iova(x, r->buf[3]), &v16),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write32(fn, 0, iova(x, r->buf[3]), v32),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, snic_model_dma_read32(fn, 0, iova(x, r->buf[4]), &v32),
			-EPERM);
	/* The reads refused above left 0 behind. */
	memcpy(&v16, "\xaa\xbb", 2);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write16(fn, 0, iova(x, r->buf[4]), v16), 0);
	KUNIT_EXPECT_MEMEQ(test, r->buf[4], "\xaa\xbb", 2);
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[0], SNIC_TR_BUF_LEN));
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[3], SNIC_TR_BUF_LEN));
	/* Another address space: the same IOVA is not mapped there. */
	KUNIT_EXPECT_EQ(test, snic_model_dma_read16(fn, 1, a, &v16), -EFAULT);

	/* Two mappings meeting inside a word: not one access. */
	snic_rfix_map(test, x, r->buf[5], 2, RD | WR);
	snic_rfix_map(test, x, r->buf[5] + 2, SNIC_TR_BUF_LEN - 2, RD | WR);
	KUNIT_EXPECT_EQ(test, snic_model_dma_read32(fn, 0, b5, &v32), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write32(fn, 0, b5, v32), -EINVAL);
	KUNIT_EXPECT_TRUE(test, snic_guarded(r->buf[5], SNIC_TR_BUF_LEN));
	memcpy(&v16, "\xaa\xbb", 2);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write16(fn, 0, b5 + 2, v16), 0);
	KUNIT_EXPECT_MEMEQ(test, r->buf[5], "\xa5\xa5\xaa\xbb\xa5", 5);
}

static struct kunit_case snic_ring_cases[] = {
	KUNIT_CASE(snic_ring_chain),
	KUNIT_CASE(snic_ring_avail_order),
	KUNIT_CASE(snic_ring_indirect),
	KUNIT_CASE(snic_ring_indirect_refused),
	KUNIT_CASE(snic_ring_loop),
	KUNIT_CASE(snic_ring_too_long),
	KUNIT_CASE(snic_ring_bad_head),
	KUNIT_CASE(snic_ring_bad_next),
	KUNIT_CASE(snic_ring_avail_jump),
	KUNIT_CASE(snic_ring_in_flight),
	KUNIT_CASE(snic_ring_packed_in_flight),
	KUNIT_CASE(snic_ring_packed_unpop),
	KUNIT_CASE(snic_ring_write_then_read),
	KUNIT_CASE(snic_ring_iotlb),
	KUNIT_CASE(snic_ring_iotlb_rings),
	KUNIT_CASE(snic_ring_used_flush),
	KUNIT_CASE(snic_ring_used_order),
	KUNIT_CASE(snic_ring_used_wrap),
	KUNIT_CASE(snic_ring_notify_flags),
	KUNIT_CASE(snic_ring_notify_event_idx),
	KUNIT_CASE(snic_ring_kick_request),
	KUNIT_CASE(snic_ring_dma_once),
	KUNIT_CASE(snic_ring_avail_idx_race),
	KUNIT_CASE(snic_ring_used_idx_race),
	{}
};

static struct kunit_suite snic_ring_suite = {
	.name = "snic_ring",
	.test_cases = snic_ring_cases,
};

/*
 * Hostile rings, end to end: function 0's transmit queue gets a good
 * frame, then a malformed ring; function 1 runs beside it.
 */

#define TXQ		1
#define DRV_F		(SNIC_MANDATORY_FEATURES | F_INDIRECT)
/* IOVA of the ring of the cases that need mappings. */
#define SNIC_MAP_IOVA	0x100000ULL

/**
 * snic_tx_frame() - a broadcast frame for a transmit queue
 * @r: the ring
 * @b: buffer to put it in: 60 bytes after the 12-byte virtio-net header
 * @d: descriptor to describe it with
 *
 * Return: @d, the chain's head.
 */
u16 snic_tx_frame(struct snic_test_ring *r, unsigned int b, u16 d)
{
	memset(r->buf[b], 0, 72);
	memset(r->buf[b] + 12, 0xff, ETH_ALEN);
	r->buf[b][12 + ETH_ALEN] = 0x02;
	r->buf[b][12 + 12] = 0x08;
	snic_tr_desc(&r->desc[d], snic_tr_iova(r, r->buf[b]), 72, 0, 0);
	return d;
}

/**
 * struct snic_hostile - one way of breaking a transmit ring
 * @name: the case
 * @features: driver features (DRV_F if 0)
 * @mapped: the ring is at SNIC_MAP_IOVA in mapped address space 0
 * @setup: break function 0's ring @r (its next chain is descriptor 1)
 */
struct snic_hostile {
	const char *name;
	u64 features;
	bool mapped;
	void (*setup)(struct kunit *test, struct snic_test_nic *t,
		      struct snic_test_ring *r);
};

static void snic_h_loop(struct kunit *test, struct snic_test_nic *t,
			struct snic_test_ring *r)
{
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->buf[1]), 12, D_NEXT, 2);
	snic_tr_desc(&r->desc[2], snic_tr_iova(r, r->buf[2]), 60, D_NEXT, 1);
	snic_tr_add(r, 1);
}

static void snic_h_too_long(struct kunit *test, struct snic_test_nic *t,
			    struct snic_test_ring *r)
{
	unsigned int i;

	for (i = 0; i < SNIC_TR_SIZE; i++)
		snic_tr_desc(&r->table[i], snic_tr_iova(r, r->buf[1]), 16,
			     i + 1 < SNIC_TR_SIZE ? D_NEXT : 0, i + 1);
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->buf[1]), 16, D_NEXT, 2);
	snic_tr_desc(&r->desc[2], snic_tr_iova(r, r->table),
		     SNIC_TR_SIZE * 16, D_INDIRECT, 0);
	snic_tr_add(r, 1);
}

static void snic_h_bad_head(struct kunit *test, struct snic_test_nic *t,
			    struct snic_test_ring *r)
{
	snic_tr_add(r, SNIC_TR_SIZE);
}

static void snic_h_bad_next(struct kunit *test, struct snic_test_nic *t,
			    struct snic_test_ring *r)
{
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->buf[1]), 72, D_NEXT,
		     SNIC_TR_SIZE);
	snic_tr_add(r, 1);
}

static void snic_h_avail_jump(struct kunit *test, struct snic_test_nic *t,
			      struct snic_test_ring *r)
{
	snic_tx_frame(r, 1, 1);
	snic_tr_add(r, 1);
	r->avail.idx = cpu_to_le16(r->next_avail + SNIC_TR_SIZE);
}

static void snic_h_write_then_read(struct kunit *test, struct snic_test_nic *t,
				   struct snic_test_ring *r)
{
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->buf[1]), 12, D_NEXT | D_WRITE, 2);
	snic_tr_desc(&r->desc[2], snic_tr_iova(r, r->buf[2]), 60, 0, 0);
	snic_tr_add(r, 1);
}

static void snic_h_indirect(struct kunit *test, struct snic_test_nic *t,
			    struct snic_test_ring *r)
{
	snic_tx_frame(r, 1, 0);
	r->table[0] = r->desc[0];
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->table), 16, D_INDIRECT, 0);
	snic_tr_add(r, 1);
}

static void snic_h_nested(struct kunit *test, struct snic_test_nic *t,
			  struct snic_test_ring *r)
{
	snic_tr_desc(&r->table[0], snic_tr_iova(r, &r->table[1]), 16, D_INDIRECT, 0);
	snic_tx_frame(r, 1, 0);
	r->table[1] = r->desc[0];
	snic_tr_desc(&r->desc[1], snic_tr_iova(r, r->table), 16, D_INDIRECT, 0);
	snic_tr_add(r, 1);
}

static void snic_h_unmapped(struct kunit *test, struct snic_test_nic *t,
			    struct snic_test_ring *r)
{
	snic_tr_desc(&r->desc[1], SNIC_MAP_IOVA + 16 * PAGE_SIZE, 72, 0, 0);
	snic_tr_add(r, 1);
}

static void snic_h_used_ro(struct kunit *test, struct snic_test_nic *t,
			   struct snic_test_ring *r)
{
	struct snic_hw *hw = &t->nic.hw;

	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_unmap(hw, 0, 0, SNIC_MAP_IOVA,
						  PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 0, SNIC_MAP_IOVA, PAGE_SIZE,
						virt_to_phys(r), RD), 0);
	snic_tx_frame(r, 1, 1);
	snic_tr_add(r, 1);
}

static const struct snic_hostile snic_hostiles[] = {
	{ "loop", 0, false, snic_h_loop },
	{ "too_long", 0, false, snic_h_too_long },
	{ "bad_head", 0, false, snic_h_bad_head },
	{ "bad_next", 0, false, snic_h_bad_next },
	{ "avail_jump", 0, false, snic_h_avail_jump },
	{ "write_then_read", 0, false, snic_h_write_then_read },
	{ "indirect_not_negotiated", SNIC_MANDATORY_FEATURES, false, snic_h_indirect },
	{ "nested_indirect", 0, false, snic_h_nested },
	{ "buffer_not_mapped", 0, true, snic_h_unmapped },
	{ "used_ring_read_only", 0, true, snic_h_used_ro },
};

static void snic_hostile_desc(const struct snic_hostile *h, char *desc)
{
	strscpy(desc, h->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(snic_hostile, snic_hostiles, snic_hostile_desc);

static void snic_vq_error(struct kunit *test)
{
	const struct snic_hostile *h = test->param_value;
	struct snic_test_ring *r = snic_tr_alloc(test, h->mapped ? SNIC_MAP_IOVA : 0);
	struct snic_test_ring *r1 = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_irq_log *irqs = snic_irq_log(test, t);
	struct snic_hw_vq_stats st;
	u8 s;

	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES,
			h->features ? h->features : DRV_F);
	snic_tfn_create(test, t, 1, SNIC_SUPPORTED_FEATURES, DRV_F);
	if (h->mapped)
		KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(&t->nic.hw, 0, 0, SNIC_MAP_IOVA,
							PAGE_SIZE, virt_to_phys(r),
							RD | WR), 0);
	snic_tfn_vq(test, t, 0, TXQ, r);
	snic_tfn_vq(test, t, 1, TXQ, r1);
	snic_tfn_driver_ok(test, t, 0);
	snic_tfn_driver_ok(test, t, 1);
	s = snic_tfn_status(test, t, 0);

	/* A good frame goes through. */
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_ASSERT_EQ(test, snic_tr_used_idx(r), 1);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[0].id), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(SNIC_VQ_VECTOR(0, TXQ), irqs->raised));
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0), s);

	bitmap_zero(irqs->raised, SNIC_TEST_VECTORS);
	h->setup(test, t, r);
	snic_tfn_kick(t, 0, TXQ);

	/* The queue stopped and the function needs a reset, and said so. */
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0),
			s | VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_TRUE(test, snic_tfn_vq_flags(test, t, 0, TXQ) & SNIC_VQ_F_ERROR);
	KUNIT_EXPECT_TRUE(test, test_bit(SNIC_CONFIG_VECTOR(0), irqs->raised));
	KUNIT_EXPECT_FALSE(test, test_bit(SNIC_VQ_VECTOR(0, TXQ), irqs->raised));
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
	KUNIT_ASSERT_EQ(test, snic_hw_vq_stats(&t->nic.hw, 0, TXQ, &st), 0);
	KUNIT_EXPECT_EQ(test, st.completed, 1);
	KUNIT_EXPECT_GE(test, st.errors, 1);
	/* A doorbell does not restart it. */
	r->avail.idx = cpu_to_le16(r->next_avail);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);

	/* Function 1 goes on. */
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 1), s);
	KUNIT_EXPECT_FALSE(test, snic_tfn_vq_flags(test, t, 1, TXQ) & SNIC_VQ_F_ERROR);
	KUNIT_EXPECT_FALSE(test, test_bit(SNIC_CONFIG_VECTOR(1), irqs->raised));
	snic_tr_add(r1, snic_tx_frame(r1, 0, 0));
	snic_tfn_kick(t, 1, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r1), 1);

	/* A reset clears the error. */
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(&t->nic.hw, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_tfn_status(test, t, 0), 0);
}

/* With no IOTLB limit (IOTLB_MAX 0), maps are taken and queues use them. */
static void snic_vq_iotlb_unlimited(struct kunit *test)
{
	struct snic_test_ring *r = snic_tr_alloc(test, SNIC_MAP_IOVA);
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_bus *bus = snic_model_bus(t->model);
	struct snic_hw *hw = &t->nic.hw;
	unsigned int i;

	t->model->iotlb_max = 0;
	KUNIT_EXPECT_EQ(test, bus->ops->read32(bus, SNIC_REG_IOTLB_MAX), 0);
	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 0, SNIC_MAP_IOVA, PAGE_SIZE,
						virt_to_phys(r), RD | WR), 0);
	for (i = 1; i <= 64; i++)
		KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 0,
							SNIC_MAP_IOVA + i * PAGE_SIZE,
							PAGE_SIZE, virt_to_phys(r),
							RD), 0);
	snic_tfn_vq(test, t, 0, TXQ, r);
	snic_tfn_driver_ok(test, t, 0);
	snic_tr_add(r, snic_tx_frame(r, 0, 0));
	snic_tfn_kick(t, 0, TXQ);
	KUNIT_EXPECT_EQ(test, snic_tr_used_idx(r), 1);
	KUNIT_EXPECT_FALSE(test, snic_tfn_status(test, t, 0) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/*
 * Frames sent into the representor on any of its transmit queues reach
 * the driver, on a pair in use: here one pair (no MQ) of a function with
 * four, so frames the stack put on transmit queues 1 to 3 (pktgen, a tc
 * action, or pairs in use that changed) go to pair 0.
 */
static void snic_vq_rx_any_port_queue(struct kunit *test)
{
	static const u8 src[ETH_ALEN] = { 0x02, 0x99, 0, 0, 0, 1 };
	struct snic_test_ring *r = snic_tr_alloc(test, 0);
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_model_fn *fn = &t->model->fns[0];
	struct sk_buff *skb;
	unsigned int i;

	snic_tfn_create(test, t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	KUNIT_ASSERT_EQ(test, fn->port->real_num_tx_queues, 4);
	snic_tfn_vq(test, t, 0, 0, r);
	snic_tfn_driver_ok(test, t, 0);
	KUNIT_ASSERT_EQ(test, fn->vq_pairs, 1);
	/* Receive buffers; the first frame's doorbell finds them. */
	for (i = 0; i < SNIC_TR_SIZE; i++) {
		snic_tr_desc(&r->desc[i], snic_tr_iova(r, r->buf[i]),
			     SNIC_TR_BUF_LEN, D_WRITE, 0);
		snic_tr_add(r, i);
	}

	for (i = 0; i < 4; i++) {
		skb = alloc_skb(128, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_put_data(skb, "\xff\xff\xff\xff\xff\xff", ETH_ALEN);
		skb_put_data(skb, src, ETH_ALEN);
		skb_put_data(skb, "\x08\x00", 2);
		memset(skb_put(skb, 46), i, 46);
		skb_set_queue_mapping(skb, i);
		/* As the stack transmits: softirqs off. */
		local_bh_disable();
		KUNIT_EXPECT_EQ(test, snic_model_net_from_port(fn, skb), NETDEV_TX_OK);
		local_bh_enable();
		flush_workqueue(t->model->wq);
		KUNIT_EXPECT_EQ_MSG(test, snic_tr_used_idx(r), i + 1,
				    "frame on the port's transmit queue %u", i);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, le32_to_cpu(r->used.ring[i].len), 12 + 60);
		/* After the 12-byte header, the frame's payload. */
		KUNIT_EXPECT_EQ(test, r->buf[i][12 + ETH_HLEN], i);
	}
}

static struct kunit_case snic_vq_cases[] = {
	KUNIT_CASE_PARAM(snic_vq_error, snic_hostile_gen_params),
	KUNIT_CASE(snic_vq_iotlb_unlimited),
	KUNIT_CASE(snic_vq_rx_any_port_queue),
	{}
};

static struct kunit_suite snic_vq_suite = {
	.name = "snic_vq",
	.test_cases = snic_vq_cases,
};

kunit_test_suite(snic_ring_suite);
kunit_test_suite(snic_vq_suite);
