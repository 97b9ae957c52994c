// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the virtio-net data path of each function.  Every
 * queue has a worker (a work item on the NIC's workqueue) that a doorbell
 * or the port schedules:
 *
 * - transmit queues (odd indexes): frames the driver sends leave through
 *   the function's port, i.e. its representor receives them;
 * - receive queues (even indexes): frames sent into the representor are
 *   steered by flow hash to one of the queue pairs in use, wait in that
 *   queue's backlog, and are written into the driver's receive buffers;
 * - the control queue: snic_model_cvq.c.
 *
 * virtio-net headers carry checksum and segmentation offloads both ways,
 * as far as the driver negotiated them; what it cannot take is done here
 * in software.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>
#include <net/gso.h>

#include "snic_model.h"

/* Chains a worker handles before it lets other queues run. */
#define SNIC_BUDGET		128
/* Frames a receive queue holds while the driver has no buffers. */
#define SNIC_BACKLOG		256
/* The virtio-net header of VIRTIO_F_VERSION_1, which every driver uses. */
#define SNIC_HDR_LEN		sizeof(struct virtio_net_hdr_mrg_rxbuf)
/* Largest frame: a 64 KiB TSO frame and its headers. */
#define SNIC_FRAME_MAX		(65535 + ETH_HLEN + VLAN_HLEN)
/* Bytes of a transmitted frame copied into the skb's linear part. */
#define SNIC_TX_LINEAR		256
/* Frames up to this size are copied whole into the linear part. */
#define SNIC_TX_COPYBREAK	(ETH_FRAME_LEN + VLAN_HLEN)

static bool snic_is_cvq(const struct snic_model_vq *vq)
{
	return vq->qid == snic_model_cvq_qid(vq->fn);
}

static bool snic_is_rx(const struct snic_model_vq *vq)
{
	return !snic_is_cvq(vq) && !(vq->qid & 1);
}

/* Raise a vector from a worker; softirqs it schedules run on return. */
static void snic_model_irq(struct snic_model *m, u16 vec)
{
	local_bh_disable();
	snic_model_raise(m, vec);
	local_bh_enable();
}

/**
 * snic_model_fn_fail() - stop a queue that met bad input
 * @vq: the queue, from its worker
 * @err: what was wrong
 *
 * The function reports NEEDS_RESET and raises its config vector.
 */
void snic_model_fn_fail(struct snic_model_vq *vq, int err)
{
	struct snic_model_fn *fn = vq->fn;
	struct snic_model *m = fn->m;
	unsigned long flags;

	spin_lock_irqsave(&m->db_lock, flags);
	vq->running = false;
	vq->broken = true;
	spin_unlock_irqrestore(&m->db_lock, flags);
	vq->errors++;
	WRITE_ONCE(fn->failed, true);
	pr_info_ratelimited("snic_model: nic%u function %u queue %u stopped: bad ring or buffer from the driver (%pe)\n",
			    m->index, fn->id, vq->qid, ERR_PTR(err));
	snic_model_irq(m, fn->config_vector);
}

/* Publish used entries and interrupt the driver if it wants it. */
static int snic_model_vq_flush(struct snic_model_vq *vq)
{
	bool notify = false;
	int err;

	err = snic_ring_flush(vq, &notify);
	if (!err && notify)
		snic_model_irq(vq->fn->m, vq->r.vector);
	return err;
}

struct snic_skb_cursor {
	struct sk_buff *skb;
	int off;
};

static void snic_to_skb(void *arg, void *kaddr, size_t len)
{
	struct snic_skb_cursor *cur = arg;

	/* The skb was sized for the chain: this cannot fail. */
	skb_store_bits(cur->skb, cur->off, kaddr, len);
	cur->off += len;
}

static void snic_from_skb(void *arg, void *kaddr, size_t len)
{
	struct snic_skb_cursor *cur = arg;

	skb_copy_bits(cur->skb, cur->off, kaddr, len);
	cur->off += len;
}

/* Whether the driver may send a frame with this header. */
static bool snic_tx_hdr_ok(const struct snic_model_vq *vq,
			   const struct virtio_net_hdr *h)
{
	u64 f = vq->features;

	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(f & BIT_ULL(VIRTIO_NET_F_CSUM)))
		return false;
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return f & BIT_ULL(VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return f & BIT_ULL(VIRTIO_NET_F_HOST_TSO6);
	}
	return false;
}

/*
 * One chain of a transmit queue.  Returns 0 when the frame was sent or
 * dropped for its contents (counted), a negative errno when the chain's
 * buffers cannot be read: a driver error that stops the queue.
 */
static int snic_net_tx_one(struct snic_model_vq *vq, const struct snic_chain *c)
{
	struct net_device *port = vq->fn->port;
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct snic_skb_cursor cur;
	struct sk_buff *skb;
	unsigned int len, linear;
	int err;

	if (c->nin || c->out_len < SNIC_HDR_LEN + ETH_HLEN ||
	    c->out_len - SNIC_HDR_LEN > SNIC_FRAME_MAX)
		goto bad;
	err = snic_chain_pull(vq, c, 0, &hdr, SNIC_HDR_LEN);
	if (err)
		return err;
	len = c->out_len - SNIC_HDR_LEN;
	if (!snic_tx_hdr_ok(vq, &hdr.hdr))
		goto bad;
	if (hdr.hdr.gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    len > READ_ONCE(port->mtu) + ETH_HLEN + VLAN_HLEN)
		goto bad;

	/*
	 * A small frame in one piece; a large one with its headers linear
	 * and the rest in pages, not one costly contiguous allocation.
	 */
	linear = len <= SNIC_TX_COPYBREAK ? len : SNIC_TX_LINEAR;
	skb = alloc_skb_with_frags(NET_SKB_PAD + NET_IP_ALIGN + linear,
				   len - linear, PAGE_ALLOC_COSTLY_ORDER, &err,
				   GFP_KERNEL);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(port);
		return 0;
	}
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len += len - linear;
	cur = (struct snic_skb_cursor) { .skb = skb };
	err = snic_chain_xfer(vq, c, false, SNIC_HDR_LEN, len, snic_to_skb, &cur);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	if (virtio_net_hdr_to_skb(skb, &hdr.hdr, true)) {
		kfree_skb(skb);
		goto bad;
	}
	if (!netif_running(port) || !netif_carrier_ok(port)) {
		dev_core_stats_rx_dropped_inc(port);
		kfree_skb(skb);
		return 0;
	}
	skb->protocol = eth_type_trans(skb, port);
	skb_record_rx_queue(skb, vq->qid / 2);
	/* Per-CPU counters: not from preemptible code. */
	local_bh_disable();
	dev_sw_netstats_rx_add(port, len);
	netif_receive_skb(skb);
	local_bh_enable();
	return 0;

bad:
	/* A malformed frame is dropped; the queue goes on. */
	vq->errors++;
	dev_core_stats_rx_dropped_inc(port);
	return 0;
}

/**
 * snic_model_vq_serve() - a worker's pass over a queue's available chains
 * @vq: the queue
 * @one: handles a chain; returns the bytes it wrote into it, or a
 *	negative errno for a driver error, which stops the queue
 *
 * After SNIC_BUDGET chains the worker lets other queues run and comes
 * back.
 */
void snic_model_vq_serve(struct snic_model_vq *vq,
			 int (*one)(struct snic_model_vq *vq,
				    const struct snic_chain *c))
{
	struct snic_chain *c = &vq->chain[0];
	int budget = SNIC_BUDGET, r;

	while (budget--) {
		r = snic_ring_pop(vq, c);
		if (!r) {
			r = snic_ring_wait_kick(vq);
			if (r > 0)
				continue;
			if (r < 0)
				goto fail;
			break;
		}
		if (r > 0)
			r = one(vq, c);
		if (r < 0)
			goto fail;
		snic_ring_add_used(vq, c->head, r);
	}
	r = snic_model_vq_flush(vq);
	if (r < 0)
		goto fail;
	if (budget < 0)
		snic_model_vq_kick(vq);
	return;

fail:
	snic_model_fn_fail(vq, r);
}

/* Write bytes [off, off + len) of header + frame at @coff of chain @c. */
static int snic_rx_write(struct snic_model_vq *vq, const struct snic_chain *c,
			 u64 coff, const struct virtio_net_hdr_mrg_rxbuf *hdr,
			 struct sk_buff *skb, unsigned int off, unsigned int len)
{
	struct snic_skb_cursor cur;
	unsigned int n;
	int err;

	if (off < SNIC_HDR_LEN) {
		n = min(len, (unsigned int)SNIC_HDR_LEN - off);
		err = snic_chain_push(vq, c, coff, (const u8 *)hdr + off, n);
		if (err)
			return err;
		coff += n;
		off += n;
		len -= n;
	}
	cur = (struct snic_skb_cursor) { .skb = skb, .off = off - SNIC_HDR_LEN };
	return snic_chain_xfer(vq, c, true, coff, len, snic_from_skb, &cur);
}

/*
 * Receive buffers must be writable and not empty: anything else is a
 * driver error.
 */
static int snic_rx_pop(struct snic_model_vq *vq, struct snic_chain *c)
{
	int r = snic_ring_pop(vq, c);

	if (r > 0 && (c->nout || !c->in_len))
		return -EINVAL;
	return r;
}

/*
 * One frame into the receive queue.  Returns 0 when written or dropped,
 * -ENOSPC when the driver has not enough buffers posted, or a negative
 * errno for a driver error.
 */
static int snic_net_rx_one(struct snic_model_vq *vq, struct sk_buff *skb)
{
	bool mrg = vq->features & BIT_ULL(VIRTIO_NET_F_MRG_RXBUF);
	u64 offloads = READ_ONCE(vq->fn->guest_offloads);
	struct virtio_net_hdr_mrg_rxbuf hdr = {};
	struct snic_chain *first = &vq->chain[0], *c = first;
	unsigned int need = SNIC_HDR_LEN + skb->len, done = 0, take;
	u16 nbufs = 0;
	int r;

	if (virtio_net_hdr_from_skb(skb, &hdr.hdr, true,
				    offloads & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM),
				    0))
		return -EPROTO;
	/* VERSION_1: the header is little endian. */
	hdr.num_buffers = (__force __virtio16)cpu_to_le16(1);

	for (;;) {
		r = snic_rx_pop(vq, c);
		if (r <= 0) {
			if (!r) {
				/* Not enough buffers: put them all back. */
				snic_ring_unpop(vq, nbufs);
				vq->nused -= nbufs;
				r = -ENOSPC;
			}
			return r;
		}
		nbufs++;
		take = min_t(u64, c->in_len, need - done);
		if (!mrg && take < need) {
			/* The frame does not fit the buffer: drop it. */
			snic_ring_add_used(vq, c->head, 0);
			vq->errors++;
			return -EMSGSIZE;
		}
		r = snic_rx_write(vq, c, 0, &hdr, skb, done, take);
		if (r)
			return r;
		snic_ring_add_used(vq, c->head, take);
		done += take;
		if (done == need)
			break;
		c = &vq->chain[1];
	}
	if (nbufs > 1) {
		__le16 n = cpu_to_le16(nbufs);

		r = snic_chain_push(vq, first,
				    offsetof(struct virtio_net_hdr_mrg_rxbuf,
					     num_buffers), &n, sizeof(n));
		if (r)
			return r;
	}
	local_bh_disable();
	dev_sw_netstats_tx_add(vq->fn->port, 1, skb->len);
	local_bh_enable();
	return 0;
}

/* The queue pair in use that frames of the port's transmit queue @k take. */
static u16 snic_net_pair(struct snic_model_fn *fn, u16 k)
{
	u16 pairs = READ_ONCE(fn->vq_pairs);

	return pairs > 1 ? k % pairs : 0;
}

/*
 * Restart the port's transmit queues that wait for room in the backlog
 * of the pair they now map to (or, with @all, every stopped one).  Any
 * of them may wait for this queue: frames a transmit queue k >= pairs in
 * use carries go to pair k mod pairs, and the pairs in use change.
 */
static void snic_net_port_wake(struct snic_model_fn *fn, bool all)
{
	struct net_device *port = fn->port;
	struct netdev_queue *txq;
	unsigned int k;

	/* Dequeued before the state is read: pairs with snic_backlog_add(). */
	smp_mb();
	/* Their qdiscs run when softirqs are enabled again. */
	local_bh_disable();
	for (k = 0; k < port->real_num_tx_queues; k++) {
		struct snic_model_vq *rx = &fn->vqs[2 * snic_net_pair(fn, k)];

		txq = netdev_get_tx_queue(port, k);
		if (netif_tx_queue_stopped(txq) &&
		    (all || skb_queue_len_lockless(&rx->backlog) < SNIC_BACKLOG / 2))
			netif_tx_wake_queue(txq);
	}
	local_bh_enable();
}

/* Restart the port's transmit queues, from a receive queue's worker. */
static void snic_net_rx_wake(struct snic_model_vq *vq)
{
	snic_net_port_wake(vq->fn, false);
}

static void snic_net_rx(struct snic_model_vq *vq)
{
	int budget = SNIC_BUDGET, r = 0;
	struct sk_buff *skb;

	while (budget-- && (skb = skb_dequeue(&vq->backlog))) {
		r = snic_net_rx_one(vq, skb);
		if (r == -ENOSPC) {
			skb_queue_head(&vq->backlog, skb);
			r = snic_ring_wait_kick(vq);
			if (r > 0)
				continue;
			break;
		}
		if (r == -EMSGSIZE || r == -EPROTO) {
			dev_core_stats_tx_dropped_inc(vq->fn->port);
			kfree_skb(skb);
			r = 0;
			continue;
		}
		if (r < 0) {
			kfree_skb(skb);
			goto fail;
		}
		consume_skb(skb);
	}
	if (r < 0)
		goto fail;
	r = snic_model_vq_flush(vq);
	if (r < 0)
		goto fail;
	snic_net_rx_wake(vq);
	if (budget < 0 && !skb_queue_empty(&vq->backlog))
		snic_model_vq_kick(vq);
	return;

fail:
	snic_model_fn_fail(vq, r);
}

static void snic_model_vq_work(struct work_struct *work)
{
	struct snic_model_vq *vq = container_of(work, struct snic_model_vq, work);

	if (!READ_ONCE(vq->running))
		return;
	if (snic_is_cvq(vq))
		snic_model_cvq_process(vq);
	else if (snic_is_rx(vq))
		snic_net_rx(vq);
	else
		snic_model_vq_serve(vq, snic_net_tx_one);
}

/**
 * snic_model_vq_init() - set up a queue of a new function
 * @fn: the function
 * @qid: the queue
 */
void snic_model_vq_init(struct snic_model_fn *fn, u16 qid)
{
	struct snic_model_vq *vq = &fn->vqs[qid];

	vq->fn = fn;
	vq->qid = qid;
	INIT_WORK(&vq->work, snic_model_vq_work);
	skb_queue_head_init(&vq->backlog);
}

/**
 * snic_model_vq_start() - let a queue run
 * @vq: a created, ready queue of a function in DRIVER_OK
 *
 * It runs once at once, without waiting for a doorbell.  Call with the
 * NIC's lock held.
 *
 * Return: 0 or -ENOMEM.
 */
int snic_model_vq_start(struct snic_model_vq *vq)
{
	struct snic_model_fn *fn = vq->fn;
	unsigned long flags;

	if (vq->running || vq->broken)
		return 0;
	if (!vq->used && snic_ring_alloc(vq))
		return -ENOMEM;
	vq->asid = fn->group_asid[snic_is_cvq(vq) ? SNIC_GROUP_CVQ :
						     SNIC_GROUP_DATA];
	vq->features = fn->driver_features;
	skb_queue_purge(&vq->backlog);
	spin_lock_irqsave(&fn->m->db_lock, flags);
	vq->running = true;
	queue_work(fn->m->wq, &vq->work);
	spin_unlock_irqrestore(&fn->m->db_lock, flags);
	return 0;
}

/**
 * snic_model_vq_stop() - stop a queue and wait until it makes no access
 * @vq: the queue
 *
 * Frames waiting for its receive buffers are dropped.
 */
void snic_model_vq_stop(struct snic_model_vq *vq)
{
	struct snic_model_fn *fn = vq->fn;
	unsigned long flags;

	if (!fn)
		return;
	spin_lock_irqsave(&fn->m->db_lock, flags);
	vq->running = false;
	spin_unlock_irqrestore(&fn->m->db_lock, flags);
	cancel_work_sync(&vq->work);
	skb_queue_purge(&vq->backlog);
	/* Frames held back for it now go, and are dropped. */
	if (fn->port && snic_is_rx(vq))
		snic_net_port_wake(fn, true);
}

/**
 * snic_model_vq_kick() - schedule a queue's worker, if it runs
 * @vq: the queue
 *
 * Any context.
 */
void snic_model_vq_kick(struct snic_model_vq *vq)
{
	struct snic_model *m = vq->fn->m;
	unsigned long flags;

	spin_lock_irqsave(&m->db_lock, flags);
	if (vq->running)
		queue_work(m->wq, &vq->work);
	spin_unlock_irqrestore(&m->db_lock, flags);
}

/**
 * snic_model_net_pick_queue() - the queue pair a frame to the driver takes
 * @fn: the function
 * @skb: the frame
 *
 * Return: the pair, by flow hash over the pairs in use.
 */
u16 snic_model_net_pick_queue(struct snic_model_fn *fn, struct sk_buff *skb)
{
	u16 pairs = READ_ONCE(fn->vq_pairs);

	return pairs > 1 ? reciprocal_scale(skb_get_hash(skb), pairs) : 0;
}

/* Whether the driver takes this segmentation offload. */
static bool snic_gso_ok(const struct sk_buff *skb, u64 offloads)
{
	unsigned int type = skb_shinfo(skb)->gso_type;

	if (type & SKB_GSO_TCP_ECN)
		return false;
	if (type & SKB_GSO_TCPV4)
		return offloads & BIT_ULL(VIRTIO_NET_F_GUEST_TSO4);
	if (type & SKB_GSO_TCPV6)
		return offloads & BIT_ULL(VIRTIO_NET_F_GUEST_TSO6);
	return false;
}

/*
 * Queue a frame for the driver.  A full backlog stops the port's transmit
 * queue, and its qdisc holds the pair's flows back until the worker has
 * made room (snic_net_rx_wake()).
 */
static void snic_backlog_add(struct snic_model_vq *vq, struct netdev_queue *txq,
			     struct sk_buff *skb)
{
	skb_queue_tail(&vq->backlog, skb);
	if (skb_queue_len_lockless(&vq->backlog) < SNIC_BACKLOG)
		return;
	netif_tx_stop_queue(txq);
	/*
	 * The worker may have drained the backlog before it could see the
	 * queue stopped: then nothing would start it again.
	 */
	smp_mb__after_atomic();
	if (skb_queue_len_lockless(&vq->backlog) < SNIC_BACKLOG / 2)
		netif_tx_start_queue(txq);
}

/**
 * snic_model_net_from_port() - a frame sent into the representor
 * @fn: the function
 * @skb: the frame, on the transmit queue snic_model_net_pick_queue()
 *	chose, or any other one (pktgen, a tc action, or the pairs in use
 *	changed since)
 *
 * The frame goes to a pair in use: the one of its transmit queue, modulo
 * the pairs in use.
 *
 * Return: NETDEV_TX_OK; the frame is queued for the driver or dropped.
 */
netdev_tx_t snic_model_net_from_port(struct snic_model_fn *fn,
				     struct sk_buff *skb)
{
	u16 k = skb_get_queue_mapping(skb);
	struct snic_model_vq *vq = &fn->vqs[2 * snic_net_pair(fn, k)];
	struct netdev_queue *txq = netdev_get_tx_queue(fn->port, k);
	u64 offloads = READ_ONCE(fn->guest_offloads);
	struct sk_buff *segs, *next;

	if (!READ_ONCE(vq->running) || !snic_model_rx_accept(fn, skb))
		goto drop;

	if (skb_is_gso(skb) && !snic_gso_ok(skb, offloads)) {
		netdev_features_t feat = NETIF_F_SG;

		if (offloads & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM))
			feat |= NETIF_F_HW_CSUM;
		segs = skb_gso_segment(skb, feat);
		if (IS_ERR_OR_NULL(segs))
			goto drop;
		consume_skb(skb);
		skb_list_walk_safe(segs, skb, next) {
			skb_mark_not_on_list(skb);
			snic_backlog_add(vq, txq, skb);
		}
	} else {
		if (skb->ip_summed == CHECKSUM_PARTIAL &&
		    !(offloads & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)) &&
		    skb_checksum_help(skb))
			goto drop;
		snic_backlog_add(vq, txq, skb);
	}
	snic_model_vq_kick(vq);
	return NETDEV_TX_OK;

drop:
	dev_core_stats_tx_dropped_inc(fn->port);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_net_from_port);
