// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: execution of the admin commands of the vendor
 * interface.  Every command is checked whole before it changes anything.
 */
#include <linux/etherdevice.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_net.h>

#include "snic_model.h"

/* Command buffer as a given structure, if it is long enough for it. */
#define CMD(m, type, len)	((len) < sizeof(type) ? NULL : (type *)(m)->cmd)

static u32 snic_model_fn_create(struct snic_model *m, struct snic_model_fn *fn,
				u16 id, const struct snic_cmd_fn_create *c)
{
	u64 features = le64_to_cpu(c->features);
	u16 mtu = le16_to_cpu(c->mtu);
	u16 vqp = le16_to_cpu(c->max_vq_pairs);
	bool cvq = features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ);
	unsigned long flags;
	unsigned int i;
	u32 st;
	int bit;

	if (fn->in_use)
		return SNIC_ST_EBUSY;
	if ((features & ~m->caps.features) ||
	    (features & SNIC_MANDATORY_FEATURES) != SNIC_MANDATORY_FEATURES ||
	    snic_feature_deps_missing(features, &bit))
		return SNIC_ST_EINVAL;
	if ((features & BIT_ULL(VIRTIO_NET_F_MAC)) && !is_valid_ether_addr(c->mac))
		return SNIC_ST_EINVAL;
	if (mtu < m->caps.min_mtu || mtu > m->caps.max_mtu)
		return SNIC_ST_EINVAL;
	if (!vqp || vqp > m->caps.max_vq_pairs ||
	    (vqp > 1 && !(features & BIT_ULL(VIRTIO_NET_F_MQ))))
		return SNIC_ST_EINVAL;

	fn->vqs = kcalloc(2 * vqp + cvq, sizeof(*fn->vqs), GFP_KERNEL);
	if (!fn->vqs)
		return SNIC_ST_ENOSPC;
	spin_lock_init(&fn->iotlb_lock);
	st = snic_model_as_init(m, fn);
	if (st)
		goto err_vqs;
	fn->m = m;
	fn->id = id;
	fn->nvqs = 2 * vqp + cvq;
	for (i = 0; i < fn->nvqs; i++)
		snic_model_vq_init(fn, i);
	fn->features = features;
	fn->driver_features = 0;
	fn->status = 0;
	fn->generation = 0;
	memcpy(fn->mac, c->mac, ETH_ALEN);
	memcpy(fn->prov_mac, c->mac, ETH_ALEN);
	/* The link is down until the port (representor) is brought up. */
	fn->net_status = 0;
	spin_lock_init(&fn->cfg_lock);
	fn->mtu = mtu;
	fn->max_vq_pairs = vqp;
	fn->config_vector = le16_to_cpu(c->config_vector);
	memset(fn->group_asid, 0, sizeof(fn->group_asid));
	snic_model_fn_rx_reset(fn);
	st = snic_model_port_create(m, fn, id);
	if (st)
		goto err_as;
	spin_lock_irqsave(&m->db_lock, flags);
	fn->in_use = true;
	spin_unlock_irqrestore(&m->db_lock, flags);
	return SNIC_ST_OK;

err_as:
	snic_model_as_fini(fn);
err_vqs:
	kfree(fn->vqs);
	/* Nothing of the refused function may remain (nvqs, vqs...). */
	memset(fn, 0, sizeof(*fn));
	return st;
}

/**
 * snic_model_fn_free() - give a function back to the NIC
 * @fn: the function
 */
void snic_model_fn_free(struct snic_model_fn *fn)
{
	unsigned long flags;
	unsigned int i;

	if (fn->m) {
		spin_lock_irqsave(&fn->m->db_lock, flags);
		fn->in_use = false;
		spin_unlock_irqrestore(&fn->m->db_lock, flags);
	}
	for (i = 0; i < fn->nvqs; i++)
		snic_model_vq_stop(&fn->vqs[i]);
	snic_model_port_destroy(fn);
	snic_model_log_stop_all(fn);
	for (i = 0; i < fn->nvqs; i++) {
		skb_queue_purge(&fn->vqs[i].backlog);
		snic_ring_free(&fn->vqs[i]);
	}
	snic_model_as_fini(fn);
	kfree(fn->vqs);
	memset(fn, 0, sizeof(*fn));
}

/* Stop a queue, and forget it: its registers, state and counters. */
static void snic_model_vq_clear(struct snic_model_vq *vq)
{
	snic_model_vq_stop(vq);
	snic_ring_free(vq);
	memset(&vq->r, 0, sizeof(vq->r));
	vq->broken = false;
	vq->received = 0;
	vq->completed = 0;
	vq->errors = 0;
}

/**
 * snic_model_fn_reset() - FN_RESET, and a status of 0
 * @fn: the function
 * @clean_map: empty its address spaces too
 */
void snic_model_fn_reset(struct snic_model_fn *fn, bool clean_map)
{
	unsigned int i;

	/* No DMA once the queues stopped: then the maps and logs may go. */
	for (i = 0; i < fn->nvqs; i++)
		snic_model_vq_clear(&fn->vqs[i]);
	snic_model_log_stop_all(fn);
	if (clean_map) {
		spin_lock(&fn->iotlb_lock);
		for (i = 0; i < SNIC_MODEL_NAS; i++) {
			vhost_iotlb_reset(fn->as[i].iotlb);
			fn->as[i].passthrough = false;
		}
		spin_unlock(&fn->iotlb_lock);
	}
	memset(fn->group_asid, 0, sizeof(fn->group_asid));
	fn->driver_features = 0;
	fn->status = 0;
	fn->suspended = false;
	WRITE_ONCE(fn->failed, false);
	/* A MAC the driver set through the CVQ lasts until the reset. */
	spin_lock_bh(&fn->cfg_lock);
	if (!ether_addr_equal(fn->mac, fn->prov_mac)) {
		ether_addr_copy(fn->mac, fn->prov_mac);
		fn->generation++;
	}
	spin_unlock_bh(&fn->cfg_lock);
	snic_model_fn_rx_reset(fn);
	snic_model_port_carrier(fn, false);
}

/* Start every queue the driver made ready. */
static u32 snic_model_fn_start_queues(struct snic_model_fn *fn)
{
	unsigned int i;

	for (i = 0; i < fn->nvqs; i++) {
		struct snic_model_vq *vq = &fn->vqs[i];

		if (vq->r.created && (vq->r.flags & SNIC_VQ_F_READY) &&
		    snic_model_vq_start(vq))
			return SNIC_ST_ENOSPC;
	}
	return SNIC_ST_OK;
}

static bool snic_model_fn_running(const struct snic_model_fn *fn)
{
	return (fn->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(fn->status & VIRTIO_CONFIG_S_NEEDS_RESET) && !fn->suspended;
}

/*
 * FN_SUSPEND: stopping a queue waits for its worker, which publishes the
 * used entries of every chain it took before it returns: afterwards each
 * queue's available index is its used index, and no DMA or interrupt
 * comes from the function.
 */
static u32 snic_model_fn_suspend(struct snic_model_fn *fn)
{
	unsigned int i;

	if (!(fn->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return SNIC_ST_EBUSY;
	fn->suspended = true;
	for (i = 0; i < fn->nvqs; i++)
		snic_model_vq_stop(&fn->vqs[i]);
	return SNIC_ST_OK;
}

static u32 snic_model_fn_resume(struct snic_model_fn *fn)
{
	if (!fn->suspended)
		return SNIC_ST_OK;
	fn->suspended = false;
	if (!snic_model_fn_running(fn))
		return SNIC_ST_OK;
	return snic_model_fn_start_queues(fn);
}

/* Whether the NIC accepts the features the driver set. */
static bool snic_model_features_ok(const struct snic_model_fn *fn)
{
	u64 f = fn->driver_features;
	int bit;

	return !(f & ~fn->features) && (f & BIT_ULL(VIRTIO_F_VERSION_1)) &&
	       !snic_feature_deps_missing(f, &bit);
}

static u32 snic_model_set_status(struct snic_model_fn *fn, u8 status)
{
	u8 added;

	if (!status) {
		snic_model_fn_reset(fn, false);
		return SNIC_ST_OK;
	}
	/* Only a reset clears status bits. */
	if (fn->status & ~status)
		return SNIC_ST_EINVAL;
	added = status & ~fn->status;
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) && !snic_model_features_ok(fn))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK))
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	fn->status = status;
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && snic_model_fn_running(fn)) {
		snic_model_fn_rx_reset(fn);
		if (snic_model_fn_start_queues(fn))
			fn->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		else
			snic_model_port_carrier(fn, true);
	}
	return SNIC_ST_OK;
}

static void snic_model_config(struct snic_model_fn *fn,
			      struct virtio_net_config *c)
{
	memset(c, 0, sizeof(*c));
	spin_lock_bh(&fn->cfg_lock);
	memcpy(c->mac, fn->mac, ETH_ALEN);
	c->status = (__force __virtio16)cpu_to_le16(fn->net_status);
	spin_unlock_bh(&fn->cfg_lock);
	c->max_virtqueue_pairs = (__force __virtio16)cpu_to_le16(fn->max_vq_pairs);
	c->mtu = (__force __virtio16)cpu_to_le16(fn->mtu);
}

static u32 snic_model_config_read(struct snic_model *m,
				  struct snic_model_fn *fn,
				  const struct snic_cmd_config *c)
{
	unsigned int off = le16_to_cpu(c->offset), len = le16_to_cpu(c->len);
	struct virtio_net_config cfg;

	if (!len || len > SNIC_CONFIG_MAX_LEN || off > sizeof(cfg) ||
	    len > sizeof(cfg) - off)
		return SNIC_ST_EINVAL;
	snic_model_config(fn, &cfg);
	memcpy(m->resp, (u8 *)&cfg + off, len);
	m->resp_len = len;
	return SNIC_ST_OK;
}

static u32 snic_model_config_write(struct snic_model_fn *fn,
				   const struct snic_cmd_config *c,
				   u32 cmd_len, bool *changed)
{
	unsigned int off = le16_to_cpu(c->offset), len = le16_to_cpu(c->len);

	if (cmd_len < sizeof(*c) + len)
		return SNIC_ST_EINVAL;
	if (off != offsetof(struct virtio_net_config, mac) || len != ETH_ALEN ||
	    !is_valid_ether_addr(c->data))
		return SNIC_ST_EPERM;
	spin_lock_bh(&fn->cfg_lock);
	/* The administrator's MAC: the one resets return to. */
	memcpy(fn->prov_mac, c->data, ETH_ALEN);
	if (!ether_addr_equal(fn->mac, c->data)) {
		memcpy(fn->mac, c->data, ETH_ALEN);
		fn->generation++;
		*changed = true;
	}
	spin_unlock_bh(&fn->cfg_lock);
	return SNIC_ST_OK;
}

/*
 * A ring position to start from: nothing in flight (the device has used
 * every buffer it took); for packed rings, slots within the ring and
 * wrap counters of 0 or 1.
 */
static bool snic_model_state_ok(u16 flags, u16 size,
				const struct snic_vq_state *st)
{
	if (st->avail_idx != st->used_idx)
		return false;
	if (!(flags & SNIC_VQ_F_PACKED))
		return true;
	return le16_to_cpu(st->avail_idx) < size && st->avail_wrap <= 1 &&
	       st->avail_wrap == st->used_wrap;
}

/**
 * snic_model_cvq_qid() - where a function's control queue is
 * @fn: the function
 *
 * virtio 1.3 section 5.1.2: with N = max_virtqueue_pairs if the driver
 * negotiated VIRTIO_NET_F_MQ or VIRTIO_NET_F_RSS, else N = 1, the data
 * queues are 0 to 2N - 1 and the CVQ is queue 2N.  The negotiated
 * features decide it: the queue is executed as the CVQ, in group 1,
 * from DRIVER_OK on.
 *
 * Return: the CVQ's index, or U16_MAX if VIRTIO_NET_F_CTRL_VQ was not
 * negotiated.
 */
u16 snic_model_cvq_qid(const struct snic_model_fn *fn)
{
	u64 f = fn->driver_features;

	if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return U16_MAX;
	return snic_net_cvq_index(f, fn->max_vq_pairs);
}

/**
 * snic_model_vq_check() - whether VQ_CREATE takes a queue's configuration
 * @m: the NIC
 * @features: the driver features it is for
 * @c: the command (its qid is not checked)
 *
 * Return: SNIC_ST_OK or SNIC_ST_EINVAL.
 */
u32 snic_model_vq_check(const struct snic_model *m, u64 features,
			const struct snic_cmd_vq_create *c)
{
	u16 size = le16_to_cpu(c->size), flags = le16_to_cpu(c->flags);
	u64 desc = le64_to_cpu(c->desc), drv = le64_to_cpu(c->driver);
	u64 dev = le64_to_cpu(c->device);

	if (flags & ~(SNIC_VQ_F_PACKED | SNIC_VQ_F_READY))
		return SNIC_ST_EINVAL;
	/* The ring layout is the one the driver negotiated. */
	if (!(flags & SNIC_VQ_F_PACKED) !=
	    !(features & BIT_ULL(VIRTIO_F_RING_PACKED)))
		return SNIC_ST_EINVAL;
	if (!size || size > m->caps.vq_num_max || (desc & 15))
		return SNIC_ST_EINVAL;
	/* Split: power-of-two size; packed: event structures 4-aligned. */
	if (flags & SNIC_VQ_F_PACKED ? (drv & 3) || (dev & 3) :
	    !is_power_of_2(size) || (drv & 1) || (dev & 3))
		return SNIC_ST_EINVAL;
	if (!snic_model_state_ok(flags, size, &c->state))
		return SNIC_ST_EINVAL;
	return SNIC_ST_OK;
}

/**
 * snic_model_vq_create() - VQ_CREATE
 * @m: the NIC
 * @fn: the function
 * @c: the command
 *
 * Return: the command's status.
 */
u32 snic_model_vq_create(struct snic_model *m, struct snic_model_fn *fn,
			 const struct snic_cmd_vq_create *c)
{
	u16 qid = le16_to_cpu(c->qid), flags = le16_to_cpu(c->flags);
	struct snic_model_vq *vq;
	u32 st;

	if (qid >= fn->nvqs)
		return SNIC_ST_ENOENT;
	vq = &fn->vqs[qid];
	if (vq->r.created)
		return SNIC_ST_EBUSY;
	st = snic_model_vq_check(m, fn->driver_features, c);
	if (st)
		return st;

	vq->r = (struct snic_model_ring) {
		.created = true,
		.desc = le64_to_cpu(c->desc),
		.driver = le64_to_cpu(c->driver),
		.device = le64_to_cpu(c->device),
		.size = le16_to_cpu(c->size),
		.vector = le16_to_cpu(c->vector),
		.flags = flags,
		.avail_idx = le16_to_cpu(c->state.avail_idx),
		.used_idx = le16_to_cpu(c->state.used_idx),
		.avail_wrap = c->state.avail_wrap,
		.used_wrap = c->state.used_wrap,
	};
	if (snic_ring_alloc(vq)) {
		memset(&vq->r, 0, sizeof(vq->r));
		return SNIC_ST_ENOSPC;
	}
	if ((flags & SNIC_VQ_F_READY) && snic_model_fn_running(fn))
		snic_model_vq_start(vq);
	return SNIC_ST_OK;
}

static struct snic_model_vq *snic_model_vq(struct snic_model_fn *fn, __le16 qid)
{
	u16 q = le16_to_cpu(qid);

	return q < fn->nvqs && fn->vqs[q].r.created ? &fn->vqs[q] : NULL;
}

static u32 snic_model_vq_modify(struct snic_model_fn *fn,
				const struct snic_cmd_vq_modify *c)
{
	struct snic_model_vq *vq = snic_model_vq(fn, c->qid);
	u16 mask = le16_to_cpu(c->mask);

	if (!vq)
		return SNIC_ST_ENOENT;
	if (mask & ~(SNIC_VQ_MODIFY_READY | SNIC_VQ_MODIFY_STATE))
		return SNIC_ST_EINVAL;
	if (mask & SNIC_VQ_MODIFY_STATE) {
		if ((vq->r.flags & SNIC_VQ_F_READY) && !fn->suspended)
			return SNIC_ST_EBUSY;
		if (!snic_model_state_ok(vq->r.flags, vq->r.size, &c->state))
			return SNIC_ST_EINVAL;
		vq->r.avail_idx = le16_to_cpu(c->state.avail_idx);
		vq->r.used_idx = le16_to_cpu(c->state.used_idx);
		vq->r.avail_wrap = c->state.avail_wrap;
		vq->r.used_wrap = c->state.used_wrap;
	}
	if (mask & SNIC_VQ_MODIFY_READY) {
		if (le16_to_cpu(c->ready) & 1) {
			vq->r.flags |= SNIC_VQ_F_READY;
			if (snic_model_fn_running(fn) && snic_model_vq_start(vq))
				return SNIC_ST_ENOSPC;
		} else {
			snic_model_vq_stop(vq);
			vq->r.flags &= ~SNIC_VQ_F_READY;
		}
	}
	return SNIC_ST_OK;
}

static u32 snic_model_vq_query(struct snic_model *m, struct snic_model_fn *fn,
			       const struct snic_cmd_qid *c)
{
	struct snic_model_vq *vq = snic_model_vq(fn, c->qid);
	struct snic_resp_vq_query *r = (void *)m->resp;

	if (!vq)
		return SNIC_ST_ENOENT;
	*r = (struct snic_resp_vq_query) {
		.state = {
			.avail_idx = cpu_to_le16(READ_ONCE(vq->r.avail_idx)),
			.used_idx = cpu_to_le16(READ_ONCE(vq->r.used_idx)),
			.avail_wrap = READ_ONCE(vq->r.avail_wrap),
			.used_wrap = READ_ONCE(vq->r.used_wrap),
		},
		.flags = cpu_to_le16((vq->r.flags & SNIC_VQ_F_READY) |
				     (READ_ONCE(vq->broken) ? SNIC_VQ_F_ERROR : 0)),
	};
	m->resp_len = sizeof(*r);
	return SNIC_ST_OK;
}

static u32 snic_model_vq_stats(struct snic_model *m, struct snic_model_fn *fn,
			       const struct snic_cmd_qid *c)
{
	struct snic_model_vq *vq = snic_model_vq(fn, c->qid);
	struct snic_resp_vq_stats *r = (void *)m->resp;

	if (!vq)
		return SNIC_ST_ENOENT;
	*r = (struct snic_resp_vq_stats) {
		.received = cpu_to_le64(READ_ONCE(vq->received)),
		.completed = cpu_to_le64(READ_ONCE(vq->completed)),
		.errors = cpu_to_le64(READ_ONCE(vq->errors)),
	};
	m->resp_len = sizeof(*r);
	return SNIC_ST_OK;
}

/* Each function command, with the smallest length it may have. */
static u32 snic_model_fn_cmd(struct snic_model *m, struct snic_model_fn *fn,
			     u16 op, u32 len, bool *config_changed)
{
	switch (op) {
	case SNIC_OP_FN_DESTROY:
		snic_model_fn_free(fn);
		return SNIC_ST_OK;
	case SNIC_OP_FN_SET_FEATURES: {
		const struct snic_cmd_u64 *c = CMD(m, struct snic_cmd_u64, len);

		if (!c)
			return SNIC_ST_EINVAL;
		if (fn->status & VIRTIO_CONFIG_S_FEATURES_OK)
			return SNIC_ST_EBUSY;
		fn->driver_features = le64_to_cpu(c->value);
		return SNIC_ST_OK;
	}
	case SNIC_OP_FN_SET_STATUS: {
		const struct snic_cmd_u32 *c = CMD(m, struct snic_cmd_u32, len);

		if (!c || le32_to_cpu(c->value) > U8_MAX)
			return SNIC_ST_EINVAL;
		return snic_model_set_status(fn, le32_to_cpu(c->value));
	}
	case SNIC_OP_FN_QUERY: {
		struct snic_resp_fn_query *r = (void *)m->resp;

		*r = (struct snic_resp_fn_query) {
			.driver_features = cpu_to_le64(fn->driver_features),
			.status = fn->status | (READ_ONCE(fn->failed) ?
						VIRTIO_CONFIG_S_NEEDS_RESET : 0),
			.config_generation = cpu_to_le16(READ_ONCE(fn->generation)),
		};
		m->resp_len = sizeof(*r);
		return SNIC_ST_OK;
	}
	case SNIC_OP_FN_RESET: {
		const struct snic_cmd_u32 *c = CMD(m, struct snic_cmd_u32, len);

		if (!c || (le32_to_cpu(c->value) & ~SNIC_FN_RESET_CLEAN_MAP))
			return SNIC_ST_EINVAL;
		snic_model_fn_reset(fn, le32_to_cpu(c->value) &
					SNIC_FN_RESET_CLEAN_MAP);
		return SNIC_ST_OK;
	}
	case SNIC_OP_IOTLB_MAP:
	case SNIC_OP_IOTLB_UNMAP:
	case SNIC_OP_IOTLB_RESET:
		return snic_model_iotlb_cmd(m, fn, op, len);
	case SNIC_OP_CONFIG_READ: {
		const struct snic_cmd_config *c = CMD(m, struct snic_cmd_config, len);

		return c ? snic_model_config_read(m, fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_CONFIG_WRITE: {
		const struct snic_cmd_config *c = CMD(m, struct snic_cmd_config, len);

		return c ? snic_model_config_write(fn, c, len, config_changed) :
			   SNIC_ST_EINVAL;
	}
	case SNIC_OP_VQ_CREATE: {
		const struct snic_cmd_vq_create *c =
			CMD(m, struct snic_cmd_vq_create, len);

		return c ? snic_model_vq_create(m, fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_VQ_MODIFY: {
		const struct snic_cmd_vq_modify *c =
			CMD(m, struct snic_cmd_vq_modify, len);

		return c ? snic_model_vq_modify(fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_VQ_QUERY: {
		const struct snic_cmd_qid *c = CMD(m, struct snic_cmd_qid, len);

		return c ? snic_model_vq_query(m, fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_VQ_DESTROY: {
		const struct snic_cmd_qid *c = CMD(m, struct snic_cmd_qid, len);
		struct snic_model_vq *vq = c ? snic_model_vq(fn, c->qid) : NULL;

		if (!vq)
			return c ? SNIC_ST_ENOENT : SNIC_ST_EINVAL;
		snic_model_vq_clear(vq);
		return SNIC_ST_OK;
	}
	case SNIC_OP_VQ_STATS: {
		const struct snic_cmd_qid *c = CMD(m, struct snic_cmd_qid, len);

		return c ? snic_model_vq_stats(m, fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_FN_SUSPEND:
		return snic_model_fn_suspend(fn);
	case SNIC_OP_FN_RESUME:
		return snic_model_fn_resume(fn);
	case SNIC_OP_GROUP_SET_ASID: {
		const struct snic_cmd_group_asid *c =
			CMD(m, struct snic_cmd_group_asid, len);
		u16 group, asid;

		if (!c)
			return SNIC_ST_EINVAL;
		group = le16_to_cpu(c->group);
		asid = le16_to_cpu(c->asid);
		if (group >= ARRAY_SIZE(fn->group_asid) || asid >= SNIC_MODEL_NAS)
			return SNIC_ST_EINVAL;
		if ((fn->status & VIRTIO_CONFIG_S_DRIVER_OK) && !fn->suspended)
			return SNIC_ST_EBUSY;
		fn->group_asid[group] = asid;
		return SNIC_ST_OK;
	}
	case SNIC_OP_DIRTY_LOG_START: {
		const struct snic_cmd_log_start *c =
			CMD(m, struct snic_cmd_log_start, len);

		return c ? snic_model_log_start(fn, c) : SNIC_ST_EINVAL;
	}
	case SNIC_OP_DIRTY_LOG_STOP:
	case SNIC_OP_DIRTY_LOG_SYNC: {
		const struct snic_cmd_asid *c = CMD(m, struct snic_cmd_asid, len);
		u16 asid;

		if (!c)
			return SNIC_ST_EINVAL;
		asid = le16_to_cpu(c->asid);
		return op == SNIC_OP_DIRTY_LOG_STOP ?
		       snic_model_log_stop(fn, asid) :
		       snic_model_log_sync(fn, asid);
	}
	case SNIC_OP_FN_STATE_SAVE:
	case SNIC_OP_FN_STATE_RESTORE: {
		const struct snic_cmd_state *c = CMD(m, struct snic_cmd_state, len);

		if (!c)
			return SNIC_ST_EINVAL;
		return op == SNIC_OP_FN_STATE_SAVE ?
		       snic_model_state_save(m, fn, c) :
		       snic_model_state_restore(m, fn, c);
	}
	default:
		return SNIC_ST_EOPNOTSUPP;
	}
}

/**
 * snic_model_exec() - execute the command in the command buffer
 * @m: the NIC, with @m->lock held
 *
 * Fills the response buffer and @m->resp_len.  A function whose config
 * space changed has its config vector put in @m->raise, for the caller
 * to raise once it dropped @m->lock.
 *
 * Return: the status code for ADMIN_STATUS.
 */
u32 snic_model_exec(struct snic_model *m)
{
	const struct snic_cmd_hdr *hdr = (void *)m->cmd;
	u32 len = le32_to_cpu(hdr->length);
	u16 op = le16_to_cpu(hdr->opcode);
	u16 f = le16_to_cpu(hdr->function);
	bool config_changed = false;
	struct snic_model_fn *fn;
	u32 st;

	lockdep_assert_held(&m->lock);
	m->resp_len = 0;
	if (len < sizeof(*hdr) || len > SNIC_ADMIN_BUF_SIZE)
		return SNIC_ST_EINVAL;
	if (f >= m->caps.max_functions)
		return SNIC_ST_ENOENT;
	fn = &m->fns[f];

	if (op == SNIC_OP_FN_CREATE) {
		const struct snic_cmd_fn_create *c =
			CMD(m, struct snic_cmd_fn_create, len);

		return c ? snic_model_fn_create(m, fn, f, c) : SNIC_ST_EINVAL;
	}
	if (!fn->in_use)
		return SNIC_ST_ENOENT;
	st = snic_model_fn_cmd(m, fn, op, len, &config_changed);
	if (config_changed)
		m->raise = fn->config_vector;
	return st;
}
