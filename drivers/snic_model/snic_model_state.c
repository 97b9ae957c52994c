// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: a function's state as one blob (FN_STATE_SAVE,
 * FN_STATE_RESTORE), in the format of Documentation/device-state.rst.
 * Restore reads the blob whole, checks every byte of it, and changes the
 * function only once all of it passed.
 */
#include <linux/etherdevice.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>

#include <snic/snic_state.h>

#include "snic_model.h"

/* The virtio-net parts this NIC knows: class << 8 | command. */
static const u16 snic_cvq_parts[] = {
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_PROMISC,
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_ALLMULTI,
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_ALLUNI,
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOMULTI,
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOUNI,
	VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOBCAST,
	VIRTIO_NET_CTRL_MAC << 8 | VIRTIO_NET_CTRL_MAC_TABLE_SET,
	VIRTIO_NET_CTRL_MAC << 8 | VIRTIO_NET_CTRL_MAC_ADDR_SET,
	VIRTIO_NET_CTRL_VLAN << 8 | VIRTIO_NET_CTRL_VLAN_ADD,
	VIRTIO_NET_CTRL_MQ << 8 | VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
	VIRTIO_NET_CTRL_GUEST_OFFLOADS << 8 | VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET,
};

#define SNIC_VLAN_BYTES		(VLAN_N_VID / 8)

/**
 * struct snic_state_net - the virtio-net state of a function
 * @rxf: receive filter
 * @mac: MAC address
 * @vq_pairs: queue pairs in use
 * @guest_offloads: guest offloads taken
 */
struct snic_state_net {
	struct snic_model_rxf rxf;
	u8 mac[ETH_ALEN];
	u16 vq_pairs;
	u64 guest_offloads;
};

/* ------------------------------------------------------------ saving */

/**
 * struct snic_state_out - a blob being written
 * @buf: where, or NULL to count the bytes only
 * @pos: bytes so far
 * @count: parts so far
 */
struct snic_state_out {
	u8 *buf;
	u32 pos;
	u32 count;
};

/* Add a part of @len bytes; return where its value goes, or NULL. */
static u8 *snic_put_part(struct snic_state_out *o, u16 type, u8 flags,
			 u16 sel, u32 len)
{
	u8 *v = NULL;

	if (o->buf) {
		struct snic_part_hdr *h = (void *)(o->buf + o->pos);

		memset(h, 0, sizeof(*h));
		put_unaligned_le16(type, &h->type);
		h->flags = flags;
		put_unaligned_le16(sel, h->sel);
		put_unaligned_le32(len, &h->length);
		v = o->buf + o->pos + sizeof(*h);
		memset(v, 0, len);
	}
	o->pos += sizeof(struct snic_part_hdr) + len;
	o->count++;
	return v;
}

/* A virtio-net part: the data of CVQ command @class, @cmd. */
static u8 *snic_put_cvq(struct snic_state_out *o, u8 class, u8 cmd, u32 len)
{
	return snic_put_part(o, SNIC_PART_NET_CVQ, 0, class | cmd << 8, len);
}

static void snic_put_mac_table(u8 *v, const u8 (*t)[ETH_ALEN], u16 n)
{
	put_unaligned_le32(n, v);
	memcpy(v + 4, t, n * ETH_ALEN);
}

/* Write the blob of @fn (with its net state @net) into @o. */
static void snic_state_write(const struct snic_model_fn *fn,
			     const struct snic_state_net *net,
			     struct snic_state_out *o)
{
	const struct snic_model_rxf *f = &net->rxf;
	u64 df = fn->driver_features;
	const bool *rx[] = { &f->promisc, &f->allmulti, &f->alluni,
			     &f->nomulti, &f->nouni, &f->nobcast };
	unsigned int i;
	u8 *v;

	o->pos = sizeof(struct snic_state_hdr);
	o->count = 0;
	v = snic_put_part(o, SNIC_PART_DEV_FEATURES, SNIC_PART_F_OPTIONAL, 0, 8);
	if (v)
		put_unaligned_le64(fn->features, v);
	v = snic_put_part(o, SNIC_PART_DRV_FEATURES, 0, 0, 8);
	if (v)
		put_unaligned_le64(df, v);
	v = snic_put_part(o, SNIC_PART_DEVICE_STATUS, 0, 0, 1);
	if (v)
		*v = fn->status;
	for (i = 0; i < fn->nvqs; i++) {
		const struct snic_model_ring *r = &fn->vqs[i].r;
		struct snic_part_vq_cfg c;

		if (!r->created)
			continue;
		v = snic_put_part(o, SNIC_PART_VQ_CFG, 0, i, sizeof(c));
		if (!v)
			continue;
		c = (struct snic_part_vq_cfg) {
			.size = cpu_to_le16(r->size),
			.vector = cpu_to_le16(r->vector == SNIC_STATE_NO_VECTOR ?
					      SNIC_STATE_NO_VECTOR :
					      (u16)(r->vector - fn->config_vector)),
			.enabled = cpu_to_le16(!!(r->flags & SNIC_VQ_F_READY)),
			.desc = cpu_to_le64(r->desc),
			.driver = cpu_to_le64(r->driver),
			.device = cpu_to_le64(r->device),
		};
		memcpy(v, &c, sizeof(c));
	}
	if (df & BIT_ULL(VIRTIO_NET_F_CTRL_RX)) {
		for (i = 0; i < ARRAY_SIZE(rx); i++) {
			if (i > VIRTIO_NET_CTRL_RX_ALLMULTI &&
			    !(df & BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA)))
				break;
			v = snic_put_cvq(o, VIRTIO_NET_CTRL_RX, i, 1);
			if (v)
				*v = *rx[i];
		}
		v = snic_put_cvq(o, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_TABLE_SET,
				 8 + (f->n_uc + f->n_mc) * ETH_ALEN);
		if (v) {
			snic_put_mac_table(v, f->uc, f->n_uc);
			snic_put_mac_table(v + 4 + f->n_uc * ETH_ALEN, f->mc,
					   f->n_mc);
		}
	}
	v = snic_put_cvq(o, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			 ETH_ALEN);
	if (v)
		memcpy(v, net->mac, ETH_ALEN);
	if (df & BIT_ULL(VIRTIO_NET_F_CTRL_VLAN)) {
		v = snic_put_cvq(o, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD,
				 SNIC_VLAN_BYTES);
		for (i = 0; v && i < VLAN_N_VID; i++)
			if (test_bit(i, f->vlans))
				v[i / 8] |= BIT(i % 8);
	}
	if (df & BIT_ULL(VIRTIO_NET_F_MQ)) {
		v = snic_put_cvq(o, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2);
		if (v)
			put_unaligned_le16(net->vq_pairs, v);
	}
	if (df & BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) {
		v = snic_put_cvq(o, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
				 VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, 8);
		if (v)
			put_unaligned_le64(net->guest_offloads, v);
	}
	for (i = 0; i < fn->nvqs; i++) {
		const struct snic_model_ring *r = &fn->vqs[i].r;
		struct snic_part_vq_state st;

		if (!r->created)
			continue;
		v = snic_put_part(o, SNIC_PART_VQ_STATE, 0, i, sizeof(st));
		if (!v)
			continue;
		st = (struct snic_part_vq_state) {
			.avail_idx = cpu_to_le16(r->avail_idx),
			.used_idx = cpu_to_le16(r->used_idx),
			.avail_wrap = r->avail_wrap,
			.used_wrap = r->used_wrap,
		};
		memcpy(v, &st, sizeof(st));
	}
	v = snic_put_part(o, SNIC_PART_NET_ATTRS, 0, 0,
			  sizeof(struct snic_part_net_attrs));
	if (v) {
		put_unaligned_le16(fn->mtu, v);
		put_unaligned_le16(fn->max_vq_pairs, v + 2);
	}
	if (f->uc_overflow || f->mc_overflow) {
		v = snic_put_part(o, SNIC_PART_MAC_OVERFLOW, SNIC_PART_F_OPTIONAL,
				  0, 1);
		if (v)
			*v = (f->uc_overflow ? SNIC_MAC_OVERFLOW_UC : 0) |
			     (f->mc_overflow ? SNIC_MAC_OVERFLOW_MC : 0);
	}
	if (o->buf) {
		struct snic_state_hdr *h = (void *)o->buf;

		*h = (struct snic_state_hdr) {
			.magic = cpu_to_le32(SNIC_STATE_MAGIC),
			.version = cpu_to_le16(SNIC_STATE_VERSION),
			.device_id = cpu_to_le16(SNIC_STATE_DEVICE_NET),
			.length = cpu_to_le32(o->pos),
			.count = cpu_to_le32(o->count),
		};
	}
}

/**
 * snic_model_state_save() - FN_STATE_SAVE
 * @m: the NIC
 * @fn: the function
 * @c: the command
 *
 * Return: the command's status; the response is the blob's size.
 */
u32 snic_model_state_save(struct snic_model *m, struct snic_model_fn *fn,
			  const struct snic_cmd_state *c)
{
	struct snic_resp_state_save *r = (void *)m->resp;
	struct snic_state_out o = {};
	struct snic_state_net *net;
	struct snic_dma_buf b;
	u32 st = SNIC_ST_OK;

	if (!fn->suspended || (fn->status & VIRTIO_CONFIG_S_NEEDS_RESET) ||
	    READ_ONCE(fn->failed))
		return SNIC_ST_EBUSY;
	net = kmalloc(sizeof(*net), GFP_KERNEL);
	if (!net)
		return SNIC_ST_ENOSPC;
	/* The port reads the filter under the lock; the CVQ is stopped. */
	spin_lock_bh(&fn->cfg_lock);
	net->rxf = fn->rxf;
	ether_addr_copy(net->mac, fn->mac);
	net->vq_pairs = fn->vq_pairs;
	net->guest_offloads = fn->guest_offloads;
	spin_unlock_bh(&fn->cfg_lock);

	snic_state_write(fn, net, &o);
	*r = (struct snic_resp_state_save) { .size = cpu_to_le32(o.pos) };
	m->resp_len = sizeof(*r);
	if (le32_to_cpu(c->len) < o.pos) {
		st = SNIC_ST_ENOSPC;
		goto out;
	}
	o.buf = kmalloc(o.pos, GFP_KERNEL);
	if (!o.buf) {
		st = SNIC_ST_ENOSPC;
		goto out;
	}
	snic_state_write(fn, net, &o);
	b.p = o.buf;
	if (snic_model_bus_access(le64_to_cpu(c->addr), o.pos,
				  snic_dma_from_buf, &b))
		st = SNIC_ST_EINVAL;
	kfree(o.buf);
out:
	kfree(net);
	return st;
}

/* --------------------------------------------------------- restoring */

/**
 * struct snic_state_in - what a blob restores, once checked
 * @blob: the blob
 * @len: its bytes
 * @err: where the check failed (the EINVAL response)
 * @features: driver features
 * @status: device status
 * @seen: parts met so far, by SNIC_SEEN_*
 * @cvq_seen: virtio-net parts met, by index in snic_cvq_parts
 * @rank: rank of the last part (the order rule)
 * @last_type: its type
 * @nvqs: queues of the function
 * @vq: per queue: VQ_CREATE built from its parts
 * @vq_off: per queue: offset of its VQ_CFG part, 0 if none
 * @st_off: per queue: offset of its VQ_STATE part, 0 if none
 * @net: the virtio-net state
 * @attrs: NET_ATTRS
 */
struct snic_state_in {
	const u8 *blob;
	u32 len;
	struct snic_resp_state_err err;
	u64 features;
	u8 status;
	unsigned long seen;
	unsigned long cvq_seen;
	int rank;
	u16 last_type;
	u16 nvqs;
	struct snic_cmd_vq_create *vq;
	u32 *vq_off;
	u32 *st_off;
	struct snic_state_net net;
	struct snic_part_net_attrs attrs;
};

enum {
	SNIC_SEEN_DEV_FEATURES,
	SNIC_SEEN_DRV_FEATURES,
	SNIC_SEEN_STATUS,
	SNIC_SEEN_ATTRS,
	SNIC_SEEN_OVERFLOW,
};

/* Record the first failed check; return false for the caller to return. */
static bool snic_state_bad(struct snic_state_in *in, u32 off, u16 type,
			   u16 reason, u32 value)
{
	in->err = (struct snic_resp_state_err) {
		.offset = cpu_to_le32(off),
		.type = cpu_to_le16(type),
		.reason = cpu_to_le16(reason),
		.value = cpu_to_le32(value),
	};
	return false;
}

/* The order of the parts: a part's rank, or -1 for an unknown type. */
static int snic_part_rank(u16 type)
{
	switch (type) {
	case SNIC_PART_DEV_FEATURES:
	case SNIC_PART_DRV_FEATURES:
	case SNIC_PART_PCI_COMMON_CFG:
	case SNIC_PART_DEVICE_STATUS:
	case SNIC_PART_VQ_CFG:
	case SNIC_PART_VQ_NOTIFY_CFG:
		return type - SNIC_PART_DEV_FEATURES;
	case SNIC_PART_NET_CVQ:
		return 6;
	case SNIC_PART_VQ_STATE:
	case SNIC_PART_NET_ATTRS:
	case SNIC_PART_MAC_OVERFLOW:
		return 7;
	default:
		return -1;
	}
}

/* Whether the selector's bytes from @from on are zero. */
static bool snic_sel_clear(const struct snic_part_hdr *h, unsigned int from)
{
	return !memchr_inv(h->sel + from, 0, sizeof(h->sel) - from);
}

/* A part seen once only: mark @bit, or fail as a duplicate. */
static bool snic_once(struct snic_state_in *in, unsigned long *seen,
		      unsigned int bit, u32 off, u16 type)
{
	if (__test_and_set_bit(bit, seen))
		return snic_state_bad(in, off, type, SNIC_STATE_DUPLICATE, 0);
	return true;
}

/* A 0 or 1 byte of a flag part. */
static bool snic_flag(struct snic_state_in *in, u32 off, const u8 *v, bool *flag)
{
	if (*v > 1)
		return snic_state_bad(in, off + sizeof(struct snic_part_hdr),
				      SNIC_PART_NET_CVQ, SNIC_STATE_RANGE, *v);
	*flag = *v;
	return true;
}

/* One table of a MAC_TABLE_SET value at @v[*pos]. */
static bool snic_mac_table_in(struct snic_state_in *in, u32 off, const u8 *v,
			      u32 len, u32 *pos, u8 (*t)[ETH_ALEN], u16 *n)
{
	u32 vo = off + sizeof(struct snic_part_hdr) + *pos, entries;

	if (len - *pos < 4)
		return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
				      SNIC_STATE_PART_LENGTH, len);
	entries = get_unaligned_le32(v + *pos);
	if (entries > SNIC_MAC_TABLE_MAX)
		return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
				      SNIC_STATE_RANGE, entries);
	if ((len - *pos - 4) / ETH_ALEN < entries)
		return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
				      SNIC_STATE_PART_LENGTH, len);
	memcpy(t, v + *pos + 4, entries * ETH_ALEN);
	*n = entries;
	*pos += 4 + entries * ETH_ALEN;
	return true;
}

/* The feature a virtio-net part needs, for @key = class << 8 | command. */
static unsigned int snic_cvq_feature(u16 key)
{
	switch (key >> 8) {
	case VIRTIO_NET_CTRL_RX:
		return (key & 0xff) > VIRTIO_NET_CTRL_RX_ALLMULTI ?
		       VIRTIO_NET_F_CTRL_RX_EXTRA : VIRTIO_NET_F_CTRL_RX;
	case VIRTIO_NET_CTRL_MAC:
		return (key & 0xff) == VIRTIO_NET_CTRL_MAC_TABLE_SET ?
		       VIRTIO_NET_F_CTRL_RX : 64;
	case VIRTIO_NET_CTRL_VLAN:
		return VIRTIO_NET_F_CTRL_VLAN;
	case VIRTIO_NET_CTRL_MQ:
		return VIRTIO_NET_F_MQ;
	default:
		return VIRTIO_NET_F_CTRL_GUEST_OFFLOADS;
	}
}

static bool snic_state_cvq(struct snic_state_in *in,
			   const struct snic_model_fn *fn, u32 off,
			   const struct snic_part_hdr *h, const u8 *v, u32 len)
{
	struct snic_model_rxf *f = &in->net.rxf;
	u16 key = h->sel[0] << 8 | h->sel[1];
	u32 vo = off + sizeof(*h), pos = 0;
	unsigned int i, bit;
	u64 offloads;

	for (i = 0; i < ARRAY_SIZE(snic_cvq_parts); i++)
		if (snic_cvq_parts[i] == key)
			break;
	if (i == ARRAY_SIZE(snic_cvq_parts) || !snic_sel_clear(h, 2))
		return snic_state_bad(in, off + 4, SNIC_PART_NET_CVQ,
				      i == ARRAY_SIZE(snic_cvq_parts) ?
				      SNIC_STATE_UNKNOWN_PART :
				      SNIC_STATE_RESERVED, key);
	if (!snic_once(in, &in->cvq_seen, i, off, SNIC_PART_NET_CVQ))
		return false;
	bit = snic_cvq_feature(key);
	if (bit < 64 && !(in->features & BIT_ULL(bit)))
		return snic_state_bad(in, off, SNIC_PART_NET_CVQ,
				      SNIC_STATE_NOT_NEGOTIATED, bit);

	switch (key) {
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_PROMISC:
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_ALLMULTI:
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_ALLUNI:
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOMULTI:
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOUNI:
	case VIRTIO_NET_CTRL_RX << 8 | VIRTIO_NET_CTRL_RX_NOBCAST: {
		bool *rx[] = { &f->promisc, &f->allmulti, &f->alluni,
			       &f->nomulti, &f->nouni, &f->nobcast };

		if (len != 1)
			break;
		return snic_flag(in, off, v, rx[key & 0xff]);
	}
	case VIRTIO_NET_CTRL_MAC << 8 | VIRTIO_NET_CTRL_MAC_TABLE_SET:
		if (!snic_mac_table_in(in, off, v, len, &pos, f->uc, &f->n_uc) ||
		    !snic_mac_table_in(in, off, v, len, &pos, f->mc, &f->n_mc))
			return false;
		if (pos != len)
			break;
		return true;
	case VIRTIO_NET_CTRL_MAC << 8 | VIRTIO_NET_CTRL_MAC_ADDR_SET:
		if (len != ETH_ALEN)
			break;
		if (!is_valid_ether_addr(v))
			return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
					      SNIC_STATE_RANGE, v[0]);
		ether_addr_copy(in->net.mac, v);
		return true;
	case VIRTIO_NET_CTRL_VLAN << 8 | VIRTIO_NET_CTRL_VLAN_ADD:
		if (len != SNIC_VLAN_BYTES)
			break;
		for (i = 0; i < VLAN_N_VID; i++)
			if (v[i / 8] & BIT(i % 8))
				__set_bit(i, f->vlans);
		return true;
	case VIRTIO_NET_CTRL_MQ << 8 | VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET:
		if (len != 2)
			break;
		in->net.vq_pairs = get_unaligned_le16(v);
		if (!in->net.vq_pairs || in->net.vq_pairs > fn->max_vq_pairs)
			return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
					      SNIC_STATE_RANGE, in->net.vq_pairs);
		return true;
	default:
		if (len != 8)
			break;
		offloads = get_unaligned_le64(v);
		if (offloads & ~(in->features & SNIC_GUEST_OFFLOADS))
			return snic_state_bad(in, vo, SNIC_PART_NET_CVQ,
					      SNIC_STATE_RANGE, (u32)offloads);
		in->net.guest_offloads = offloads;
		return true;
	}
	return snic_state_bad(in, off + 12, SNIC_PART_NET_CVQ,
			      SNIC_STATE_PART_LENGTH, len);
}

/* A queue part (VQ_CFG or VQ_STATE): its index, checked. */
static bool snic_state_qid(struct snic_state_in *in, u32 off,
			   const struct snic_part_hdr *h, u16 *qid)
{
	u16 type = get_unaligned_le16(&h->type);

	if (!snic_sel_clear(h, 2))
		return snic_state_bad(in, off + 6, type, SNIC_STATE_RESERVED,
				      off + 6);
	*qid = get_unaligned_le16(h->sel);
	if (*qid >= in->nvqs)
		return snic_state_bad(in, off + 4, type, SNIC_STATE_BAD_QUEUE,
				      in->nvqs);
	return true;
}

static bool snic_state_vq_cfg(struct snic_state_in *in,
			      const struct snic_model_fn *fn, u32 off,
			      const struct snic_part_hdr *h, const u8 *v)
{
	struct snic_part_vq_cfg c;
	u16 qid, vector;

	if (!snic_state_qid(in, off, h, &qid))
		return false;
	if (in->vq_off[qid])
		return snic_state_bad(in, off, SNIC_PART_VQ_CFG,
				      SNIC_STATE_DUPLICATE, qid);
	memcpy(&c, v, sizeof(c));
	if (c.rsvd || le16_to_cpu(c.enabled) > 1)
		return snic_state_bad(in, off + sizeof(*h) + (c.rsvd ? 6 : 4),
				      SNIC_PART_VQ_CFG, c.rsvd ?
				      SNIC_STATE_RESERVED : SNIC_STATE_RANGE,
				      le16_to_cpu(c.rsvd ? c.rsvd : c.enabled));
	vector = le16_to_cpu(c.vector);
	if (vector != SNIC_STATE_NO_VECTOR) {
		vector += fn->config_vector;
		if (vector < fn->config_vector ||
		    vector >= fn->m->bus.nvectors)
			return snic_state_bad(in, off + sizeof(*h) + 2,
					      SNIC_PART_VQ_CFG,
					      SNIC_STATE_BAD_VQ_CFG,
					      le16_to_cpu(c.vector));
	}
	in->vq_off[qid] = off;
	in->vq[qid] = (struct snic_cmd_vq_create) {
		.hdr = {
			.opcode = cpu_to_le16(SNIC_OP_VQ_CREATE),
			.function = cpu_to_le16(fn->id),
			.length = cpu_to_le32(sizeof(struct snic_cmd_vq_create)),
		},
		.qid = cpu_to_le16(qid),
		.size = c.size,
		.vector = cpu_to_le16(vector),
		.flags = cpu_to_le16((c.enabled ? SNIC_VQ_F_READY : 0) |
				     (in->features & BIT_ULL(VIRTIO_F_RING_PACKED) ?
				      SNIC_VQ_F_PACKED : 0)),
		.desc = c.desc,
		.driver = c.driver,
		.device = c.device,
		.state = in->vq[qid].state,
	};
	return true;
}

static bool snic_state_vq_state(struct snic_state_in *in, u32 off,
				const struct snic_part_hdr *h, const u8 *v)
{
	struct snic_part_vq_state s;
	u16 qid;

	if (!snic_state_qid(in, off, h, &qid))
		return false;
	if (in->st_off[qid])
		return snic_state_bad(in, off, SNIC_PART_VQ_STATE,
				      SNIC_STATE_DUPLICATE, qid);
	memcpy(&s, v, sizeof(s));
	if (s.rsvd[0] || s.rsvd[1])
		return snic_state_bad(in, off + sizeof(*h) + 6,
				      SNIC_PART_VQ_STATE, SNIC_STATE_RESERVED,
				      off + sizeof(*h) + 6);
	in->st_off[qid] = off;
	in->vq[qid].state = (struct snic_vq_state) {
		.avail_idx = s.avail_idx,
		.used_idx = s.used_idx,
		.avail_wrap = s.avail_wrap,
		.used_wrap = s.used_wrap,
	};
	return true;
}

/* The length each known part's value has, or 0 if it varies. */
static u32 snic_part_len(u16 type)
{
	switch (type) {
	case SNIC_PART_DEV_FEATURES:
	case SNIC_PART_DRV_FEATURES:
	case SNIC_PART_VQ_NOTIFY_CFG:
		return 8;
	case SNIC_PART_DEVICE_STATUS:
	case SNIC_PART_MAC_OVERFLOW:
		return 1;
	case SNIC_PART_VQ_CFG:
		return sizeof(struct snic_part_vq_cfg);
	case SNIC_PART_VQ_STATE:
		return sizeof(struct snic_part_vq_state);
	case SNIC_PART_NET_ATTRS:
		return sizeof(struct snic_part_net_attrs);
	default:
		return 0;
	}
}

#define SNIC_STATUS_RESTORABLE	(VIRTIO_CONFIG_S_ACKNOWLEDGE | \
				 VIRTIO_CONFIG_S_DRIVER | \
				 VIRTIO_CONFIG_S_FEATURES_OK | \
				 VIRTIO_CONFIG_S_DRIVER_OK)

/* Check one part at @off, whose header and value lie inside the blob. */
static bool snic_state_part(struct snic_state_in *in,
			    const struct snic_model_fn *fn, u32 off)
{
	const struct snic_part_hdr *h = (const void *)(in->blob + off);
	u16 type = get_unaligned_le16(&h->type);
	u32 len = get_unaligned_le32(&h->length), want = snic_part_len(type);
	const u8 *v = in->blob + off + sizeof(*h);
	int rank = snic_part_rank(type), bit;
	u64 f;

	if ((h->flags & ~SNIC_PART_F_OPTIONAL) || h->rsvd)
		return snic_state_bad(in, off + 2, type, SNIC_STATE_RESERVED,
				      off + 2);
	if (rank < 0) {
		if (h->flags & SNIC_PART_F_OPTIONAL)
			return true;
		return snic_state_bad(in, off, type, SNIC_STATE_UNKNOWN_PART,
				      type);
	}
	if (rank < in->rank)
		return snic_state_bad(in, off, type, SNIC_STATE_ORDER,
				      in->last_type);
	in->rank = rank;
	in->last_type = type;
	if ((want && len != want) ||
	    (type == SNIC_PART_PCI_COMMON_CFG && (!len || len > 8)))
		return snic_state_bad(in, off + 12, type,
				      SNIC_STATE_PART_LENGTH, len);
	/* Whatever comes after the features depends on them. */
	if (rank > 1 && !test_bit(SNIC_SEEN_DRV_FEATURES, &in->seen))
		return snic_state_bad(in, off, type, SNIC_STATE_MISSING,
				      SNIC_PART_DRV_FEATURES);

	switch (type) {
	case SNIC_PART_DEV_FEATURES:
		if (!snic_sel_clear(h, 0))
			return snic_state_bad(in, off + 4, type,
					      SNIC_STATE_RESERVED, off + 4);
		return snic_once(in, &in->seen, SNIC_SEEN_DEV_FEATURES, off,
				 type);
	case SNIC_PART_DRV_FEATURES:
		if (!snic_sel_clear(h, 0))
			return snic_state_bad(in, off + 4, type,
					      SNIC_STATE_RESERVED, off + 4);
		if (!snic_once(in, &in->seen, SNIC_SEEN_DRV_FEATURES, off, type))
			return false;
		f = get_unaligned_le64(v);
		if (f & ~fn->features)
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_NOT_OFFERED,
					      __ffs64(f & ~fn->features));
		if (!(f & BIT_ULL(VIRTIO_F_VERSION_1)))
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_MISSING,
					      VIRTIO_F_VERSION_1);
		if (snic_feature_deps_missing(f, &bit))
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_NOT_NEGOTIATED, bit);
		in->features = f;
		snic_model_rx_defaults(f, &in->net.rxf, &in->net.vq_pairs,
				       &in->net.guest_offloads);
		return true;
	case SNIC_PART_DEVICE_STATUS:
		if (!snic_sel_clear(h, 0))
			return snic_state_bad(in, off + 4, type,
					      SNIC_STATE_RESERVED, off + 4);
		if (!snic_once(in, &in->seen, SNIC_SEEN_STATUS, off, type))
			return false;
		if (*v != SNIC_STATUS_RESTORABLE)
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_BAD_STATUS, *v);
		in->status = *v;
		return true;
	case SNIC_PART_PCI_COMMON_CFG:
	case SNIC_PART_VQ_NOTIFY_CFG:
		/* For the device to check: nothing of this function's. */
		return true;
	case SNIC_PART_VQ_CFG:
		return snic_state_vq_cfg(in, fn, off, h, v);
	case SNIC_PART_NET_CVQ:
		return snic_state_cvq(in, fn, off, h, v, len);
	case SNIC_PART_VQ_STATE:
		return snic_state_vq_state(in, off, h, v);
	case SNIC_PART_NET_ATTRS:
		if (!snic_sel_clear(h, 0))
			return snic_state_bad(in, off + 4, type,
					      SNIC_STATE_RESERVED, off + 4);
		if (!snic_once(in, &in->seen, SNIC_SEEN_ATTRS, off, type))
			return false;
		memcpy(&in->attrs, v, sizeof(in->attrs));
		if ((in->features & BIT_ULL(VIRTIO_NET_F_MTU)) &&
		    le16_to_cpu(in->attrs.mtu) != fn->mtu)
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_ATTR_MISMATCH, fn->mtu);
		if ((in->features & BIT_ULL(VIRTIO_NET_F_MQ)) &&
		    le16_to_cpu(in->attrs.max_vq_pairs) != fn->max_vq_pairs)
			return snic_state_bad(in, off + sizeof(*h) + 2, type,
					      SNIC_STATE_ATTR_MISMATCH,
					      fn->max_vq_pairs);
		return true;
	default: /* SNIC_PART_MAC_OVERFLOW */
		if (!snic_sel_clear(h, 0))
			return snic_state_bad(in, off + 4, type,
					      SNIC_STATE_RESERVED, off + 4);
		if (!snic_once(in, &in->seen, SNIC_SEEN_OVERFLOW, off, type))
			return false;
		if (*v & ~(SNIC_MAC_OVERFLOW_UC | SNIC_MAC_OVERFLOW_MC))
			return snic_state_bad(in, off + sizeof(*h), type,
					      SNIC_STATE_RESERVED, *v);
		if (!(in->features & BIT_ULL(VIRTIO_NET_F_CTRL_RX)))
			return snic_state_bad(in, off, type,
					      SNIC_STATE_NOT_NEGOTIATED,
					      VIRTIO_NET_F_CTRL_RX);
		in->net.rxf.uc_overflow = *v & SNIC_MAC_OVERFLOW_UC;
		in->net.rxf.mc_overflow = *v & SNIC_MAC_OVERFLOW_MC;
		return true;
	}
}

/* Check the whole blob against @fn: true if it may be applied. */
static bool snic_state_check(struct snic_model *m, struct snic_state_in *in,
			     const struct snic_model_fn *fn)
{
	const struct snic_state_hdr *h = (const void *)in->blob;
	u32 off = sizeof(*h), n = 0, len;
	static const u16 required[] = {
		[SNIC_SEEN_DRV_FEATURES] = SNIC_PART_DRV_FEATURES,
		[SNIC_SEEN_STATUS] = SNIC_PART_DEVICE_STATUS,
		[SNIC_SEEN_ATTRS] = SNIC_PART_NET_ATTRS,
	};
	struct snic_cmd_vq_create probe;
	unsigned int i;

	if (in->len < sizeof(*h))
		return snic_state_bad(in, 0, 0, SNIC_STATE_BAD_LENGTH, in->len);
	if (le32_to_cpu(h->magic) != SNIC_STATE_MAGIC)
		return snic_state_bad(in, 0, 0, SNIC_STATE_BAD_MAGIC,
				      le32_to_cpu(h->magic));
	if (le16_to_cpu(h->version) != SNIC_STATE_VERSION)
		return snic_state_bad(in, 4, 0, SNIC_STATE_BAD_VERSION,
				      le16_to_cpu(h->version));
	if (le16_to_cpu(h->device_id) != SNIC_STATE_DEVICE_NET)
		return snic_state_bad(in, 6, 0, SNIC_STATE_BAD_DEVICE,
				      le16_to_cpu(h->device_id));
	if (le32_to_cpu(h->length) != in->len)
		return snic_state_bad(in, 8, 0, SNIC_STATE_BAD_LENGTH,
				      le32_to_cpu(h->length));
	in->rank = -1;
	while (off < in->len) {
		if (in->len - off < sizeof(struct snic_part_hdr))
			return snic_state_bad(in, off, 0, SNIC_STATE_TRUNCATED,
					      in->len - off);
		len = get_unaligned_le32(in->blob + off + 12);
		if (in->len - off - sizeof(struct snic_part_hdr) < len)
			return snic_state_bad(in, off + 12,
					      get_unaligned_le16(in->blob + off),
					      SNIC_STATE_TRUNCATED,
					      in->len - off);
		if (!snic_state_part(in, fn, off))
			return false;
		off += sizeof(struct snic_part_hdr) + len;
		n++;
	}
	if (le32_to_cpu(h->count) != n)
		return snic_state_bad(in, 12, 0, SNIC_STATE_BAD_COUNT, n);
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (required[i] && !test_bit(i, &in->seen))
			return snic_state_bad(in, in->len, required[i],
					      SNIC_STATE_MISSING, required[i]);
	/* Each queue whole, and as VQ_CREATE would take it. */
	for (i = 0; i < in->nvqs; i++) {
		const struct snic_cmd_vq_create *c = &in->vq[i];

		if (!in->vq_off[i] != !in->st_off[i])
			return snic_state_bad(in, in->vq_off[i] ?: in->st_off[i],
					      in->vq_off[i] ? SNIC_PART_VQ_CFG :
					      SNIC_PART_VQ_STATE,
					      SNIC_STATE_MISSING,
					      in->vq_off[i] ? SNIC_PART_VQ_STATE :
					      SNIC_PART_VQ_CFG);
		if (!in->vq_off[i])
			continue;
		/* The configuration alone, from a position always valid. */
		probe = *c;
		probe.state = (struct snic_vq_state) {};
		if (snic_model_vq_check(m, in->features, &probe))
			return snic_state_bad(in, in->vq_off[i] +
					      sizeof(struct snic_part_hdr),
					      SNIC_PART_VQ_CFG,
					      SNIC_STATE_BAD_VQ_CFG,
					      le16_to_cpu(c->size));
		if (snic_model_vq_check(m, in->features, c))
			return snic_state_bad(in, in->st_off[i] +
					      sizeof(struct snic_part_hdr),
					      SNIC_PART_VQ_STATE,
					      SNIC_STATE_BAD_VQ_STATE,
					      le16_to_cpu(c->state.avail_idx));
	}
	return true;
}

/* Give @fn the checked state @in; the function is reset. */
static u32 snic_state_apply(struct snic_model *m, struct snic_model_fn *fn,
			    const struct snic_state_in *in)
{
	unsigned int i;
	u32 st;

	fn->driver_features = in->features;
	fn->status = in->status;
	/* Created suspended: no queue starts before FN_RESUME. */
	fn->suspended = true;
	for (i = 0; i < in->nvqs; i++) {
		if (!in->vq_off[i])
			continue;
		st = snic_model_vq_create(m, fn, &in->vq[i]);
		if (st) {
			snic_model_fn_reset(fn, false);
			return st == SNIC_ST_EINVAL ? SNIC_ST_EIO : st;
		}
	}
	spin_lock_bh(&fn->cfg_lock);
	fn->rxf = in->net.rxf;
	fn->vq_pairs = in->net.vq_pairs;
	fn->guest_offloads = in->net.guest_offloads;
	if (!ether_addr_equal(fn->mac, in->net.mac)) {
		ether_addr_copy(fn->mac, in->net.mac);
		fn->generation++;
	}
	spin_unlock_bh(&fn->cfg_lock);
	snic_model_port_carrier(fn, true);
	return SNIC_ST_OK;
}

/**
 * snic_model_state_restore() - FN_STATE_RESTORE
 * @m: the NIC
 * @fn: the function, reset
 * @c: the command
 *
 * Return: the command's status; with SNIC_ST_EINVAL, the response says
 * what in the blob is wrong.
 */
u32 snic_model_state_restore(struct snic_model *m, struct snic_model_fn *fn,
			     const struct snic_cmd_state *c)
{
	u32 len = le32_to_cpu(c->len), st = SNIC_ST_EINVAL;
	struct snic_state_in *in;
	struct snic_dma_buf b;
	u8 *blob = NULL;
	unsigned int i;

	if (fn->status)
		return SNIC_ST_EBUSY;
	for (i = 0; i < fn->nvqs; i++)
		if (fn->vqs[i].r.created)
			return SNIC_ST_EBUSY;
	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return SNIC_ST_ENOSPC;
	if (!len || len > SNIC_STATE_MAX) {
		snic_state_bad(in, 8, 0, SNIC_STATE_BAD_LENGTH, len);
		goto report;
	}
	/* A copy: the host may change its buffer, not what is checked. */
	blob = kmalloc(len, GFP_KERNEL);
	in->nvqs = fn->nvqs;
	in->vq = kcalloc(fn->nvqs, sizeof(*in->vq), GFP_KERNEL);
	in->vq_off = kcalloc(fn->nvqs, sizeof(*in->vq_off), GFP_KERNEL);
	in->st_off = kcalloc(fn->nvqs, sizeof(*in->st_off), GFP_KERNEL);
	if (!blob || !in->vq || !in->vq_off || !in->st_off) {
		st = SNIC_ST_ENOSPC;
		goto free;
	}
	b.p = blob;
	/* An address the NIC cannot read: EINVAL, nothing to point at. */
	if (snic_model_bus_access(le64_to_cpu(c->addr), len, snic_dma_to_buf,
				  &b))
		goto free;
	in->blob = blob;
	in->len = len;
	if (!snic_state_check(m, in, fn))
		goto report;
	st = snic_state_apply(m, fn, in);
	goto free;
report:
	memcpy(m->resp, &in->err, sizeof(in->err));
	m->resp_len = sizeof(in->err);
free:
	kfree(in->st_off);
	kfree(in->vq_off);
	kfree(in->vq);
	kfree(blob);
	kfree(in);
	return st;
}
