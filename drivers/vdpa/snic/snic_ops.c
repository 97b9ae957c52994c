// SPDX-License-Identifier: GPL-2.0
/*
 * vdpa_config_ops of a snic device: what vhost_vdpa and virtio_vdpa ask
 * of one virtio-net function of the SmartNIC, translated into commands
 * of its vendor interface (snic_hw.c).
 *
 * Status, features, config space and queue state live in the NIC.  The
 * driver keeps the virtqueue registers until DRIVER_OK, which creates the
 * queues in the NIC.
 */
#include <linux/slab.h>
#include <linux/vhost_iotlb.h>
#include <linux/virtio_byteorder.h>
#include <net/netlink.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/vhost_types.h>
#include <uapi/linux/virtio_ids.h>

#include "snic.h"

/*
 * The queues of a device under the features the driver set (virtio 1.3,
 * 5.1.2): receive 2n and transmit 2n + 1 for n < N, then the CVQ at 2N
 * with CTRL_VQ.  N is max_virtqueue_pairs with MQ (or RSS) negotiated, 1
 * without: queues past the CVQ do not exist then.
 */
static u16 snic_cvq_index(const struct snic_vdpa *sv, u64 features)
{
	return snic_net_cvq_index(features & sv->params.features,
				  sv->params.max_vq_pairs);
}

static bool snic_is_cvq(const struct snic_vdpa *sv, u64 features, u16 idx)
{
	return (features & sv->params.features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) &&
	       idx == snic_cvq_index(sv, features);
}

static bool snic_vq_exists(const struct snic_vdpa *sv, u64 features, u16 idx)
{
	return idx < sv->nvqs && (idx < snic_cvq_index(sv, features) ||
				  snic_is_cvq(sv, features, idx));
}

/*
 * Queue @idx, if the device has it under the features the driver set,
 * else an ERR_PTR() (queue indexes come from userspace).  @st gets what
 * FN_QUERY reported.
 */
static struct snic_vq *snic_vq(struct snic_vdpa *sv, u16 idx,
			       struct snic_hw_fn_state *st)
{
	int err;

	/* Past the most queues the device can have: no need to ask. */
	if (idx < sv->nvqs) {
		err = snic_hw_fn_query(snic_hw(sv), sv->fn, st);
		if (err)
			return ERR_PTR(err);
		if (snic_vq_exists(sv, st->driver_features, idx))
			return &sv->vqs[idx];
	}
	dev_dbg_ratelimited(&sv->vdpa.dev,
			    "no virtqueue %u with the features the driver set\n",
			    idx);
	return ERR_PTR(-EINVAL);
}

/* A queue the NIC runs: its registers cannot change. */
static bool snic_vq_running(const struct snic_vdpa *sv, const struct snic_vq *vq)
{
	return vq->in_hw && vq->ready && !sv->suspended;
}

static int snic_set_vq_address(struct vdpa_device *vdpa, u16 idx,
			       u64 desc_area, u64 driver_area, u64 device_area)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_vq *vq;
	int err = 0;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	if (IS_ERR(vq)) {
		err = PTR_ERR(vq);
	} else if (snic_vq_running(sv, vq)) {
		dev_dbg_ratelimited(&vdpa->dev, "virtqueue %u runs: suspend the device to move it\n",
				    idx);
		err = -EBUSY;
	} else {
		vq->desc_addr = desc_area;
		vq->driver_addr = driver_area;
		vq->device_addr = device_area;
		/* The NIC gets them when the queue resumes or is enabled. */
		vq->stale = vq->in_hw;
	}
	mutex_unlock(&sv->lock);
	return err;
}

static void snic_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_vq *vq;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	if (IS_ERR(vq) || vq->num == num)
		goto out;
	if (snic_vq_running(sv, vq)) {
		dev_dbg_ratelimited(&vdpa->dev, "virtqueue %u runs: suspend the device to resize it\n",
				    idx);
		goto out;
	}
	vq->num = num;
	vq->stale = vq->in_hw;
out:
	mutex_unlock(&sv->lock);
}

static void snic_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	/* Atomic context: the NIC ignores doorbells of queues not ready. */
	if (idx < sv->nvqs)
		snic_hw_kick(snic_hw(sv), sv->fn, idx);
}

/*
 * Any queue the device can have: a VMM sets the callbacks of all its
 * queues before it sets the features that make them exist.
 */
static void snic_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
			   struct vdpa_callback *cb)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	unsigned long flags;

	if (idx >= sv->nvqs)
		return;
	spin_lock_irqsave(&sv->cb_lock, flags);
	sv->vqs[idx].cb = *cb;
	spin_unlock_irqrestore(&sv->cb_lock, flags);
}

/* Signal a callback: its eventfd directly when it has one. */
static void snic_callback(const struct vdpa_callback *cb)
{
	if (cb->trigger)
		eventfd_signal(cb->trigger);
	else if (cb->callback)
		cb->callback(cb->private);
}

/**
 * snic_vdpa_vq_irq() - the NIC raised the vector of queue @qid of @sv
 * @sv: the device
 * @qid: the queue
 *
 * Called from the NIC's interrupt handler.
 */
void snic_vdpa_vq_irq(struct snic_vdpa *sv, u16 qid)
{
	unsigned long flags;

	if (qid >= sv->nvqs)
		return;
	spin_lock_irqsave(&sv->cb_lock, flags);
	snic_callback(&sv->vqs[qid].cb);
	spin_unlock_irqrestore(&sv->cb_lock, flags);
}

/*
 * VQ_CREATE from the registers, in the layout of the negotiated
 * @features; a refusal means the driver set them wrong, and the device
 * needs a reset.
 */
static int snic_vq_create_hw(struct snic_vdpa *sv, u16 idx, u64 features)
{
	struct snic_vq *vq = &sv->vqs[idx];
	struct snic_hw_vq hv = {
		.desc = vq->desc_addr,
		.driver = vq->driver_addr,
		.device = vq->device_addr,
		.size = vq->num,
		.vector = sv->vec_base + 1 + idx,
		.ready = vq->ready,
		.packed = features & BIT_ULL(VIRTIO_F_RING_PACKED),
		.pos = vq->pos,
	};
	int err;

	lockdep_assert_held(&sv->lock);
	if (vq->num > U16_MAX)
		err = -EINVAL;
	else
		err = snic_hw_vq_create(snic_hw(sv), sv->fn, idx, &hv);
	if (err) {
		dev_err_ratelimited(&sv->vdpa.dev,
				    "virtqueue %u refused by the NIC (%pe): its size must be a power of two up to %u and its areas aligned; the device needs a reset\n",
				    idx, ERR_PTR(err), sv->nic->caps.vq_num_max);
		sv->needs_reset = true;
		return err;
	}
	vq->in_hw = true;
	vq->stale = false;
	return 0;
}

/*
 * The vendor interface changes a queue's areas and size only through
 * VQ_CREATE: a queue whose registers changed while the NIC held it is
 * created again, from the position it stopped at.
 */
static int snic_vq_recreate(struct snic_vdpa *sv, u16 idx, u64 features)
{
	struct snic_vq *vq = &sv->vqs[idx];
	u16 flags;
	int err;

	lockdep_assert_held(&sv->lock);
	err = snic_hw_vq_query(snic_hw(sv), sv->fn, idx, &vq->pos, &flags);
	if (!err)
		err = snic_hw_vq_destroy(snic_hw(sv), sv->fn, idx);
	if (err) {
		dev_err_ratelimited(&sv->vdpa.dev,
				    "virtqueue %u: the NIC did not give it up to take new registers (%pe); the device needs a reset\n",
				    idx, ERR_PTR(err));
		sv->needs_reset = true;
		return err;
	}
	vq->in_hw = false;
	vq->pos_lost = false;
	return snic_vq_create_hw(sv, idx, features);
}

static void snic_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_vq *vq;
	int err;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	if (IS_ERR(vq))
		goto out;
	if (vq->in_hw && ready && vq->stale) {
		vq->ready = true;
		snic_vq_recreate(sv, idx, st.driver_features);
	} else if (vq->in_hw) {
		/* After DRIVER_OK a queue starts or stops at once. */
		err = snic_hw_vq_set_ready(snic_hw(sv), sv->fn, idx, ready);
		if (err) {
			dev_err_ratelimited(&vdpa->dev,
					    "the NIC did not %s virtqueue %u (%pe); the device needs a reset\n",
					    ready ? "start" : "stop", idx,
					    ERR_PTR(err));
			sv->needs_reset = true;
		} else {
			vq->ready = ready;
		}
	} else {
		vq->ready = ready;
		if (ready && (st.status & VIRTIO_CONFIG_S_DRIVER_OK))
			snic_vq_create_hw(sv, idx, st.driver_features);
	}
out:
	mutex_unlock(&sv->lock);
}

static bool snic_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_vq *vq;
	bool ready;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	ready = !IS_ERR(vq) && vq->ready;
	mutex_unlock(&sv->lock);
	return ready;
}

static int snic_set_vq_state(struct vdpa_device *vdpa, u16 idx,
			     const struct vdpa_vq_state *state)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_hw_vq_pos pos;
	struct snic_vq *vq;
	int err = 0;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	if (IS_ERR(vq)) {
		err = PTR_ERR(vq);
		goto out;
	}
	if (st.driver_features & BIT_ULL(VIRTIO_F_RING_PACKED))
		pos = (struct snic_hw_vq_pos) {
			.avail_idx = state->packed.last_avail_idx,
			.avail_wrap = state->packed.last_avail_counter,
			.used_idx = state->packed.last_used_idx,
			.used_wrap = state->packed.last_used_counter,
		};
	else
		pos = (struct snic_hw_vq_pos) {
			.avail_idx = state->split.avail_index,
			.used_idx = state->split.avail_index,
		};
	/* The NIC takes it while the queue is stopped or suspended. */
	if (vq->in_hw)
		err = snic_hw_vq_set_state(snic_hw(sv), sv->fn, idx, &pos);
	if (!err) {
		vq->pos = pos;
		vq->pos_lost = false;
	}
out:
	mutex_unlock(&sv->lock);
	return err;
}

static int snic_get_vq_state(struct vdpa_device *vdpa, u16 idx,
			     struct vdpa_vq_state *state)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	struct snic_hw_vq_pos pos;
	struct snic_vq *vq;
	u16 flags = 0;
	int err = 0;

	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &st);
	/*
	 * A queue that ran and was reset has no known position: not 0.
	 * QEMU 7.2 resets the device before it reads the CVQ's position
	 * (when it stops the last of its vhost devices); 0 would restart
	 * that ring from its start when the VM resumes, while an error makes
	 * QEMU take the used index in guest memory, where the ring stands.
	 * (Past queue 1, a reset device has no queue until the driver sets
	 * features again: an error too.)
	 */
	if (IS_ERR(vq))
		err = PTR_ERR(vq);
	else if (vq->in_hw)
		err = snic_hw_vq_query(snic_hw(sv), sv->fn, idx, &pos, &flags);
	else if (vq->pos_lost)
		err = -EAGAIN;
	else
		pos = vq->pos;
	mutex_unlock(&sv->lock);
	if (err)
		return err;
	/*
	 * A queue the NIC stopped on bad input stands wherever the fault
	 * left it.  If it took buffers it never used (avail past used), its
	 * next available index is no place to resume from: an error, as for
	 * a reset queue, makes the VMM take the used index in guest memory.
	 * If it took nothing it did not use, its position holds.
	 */
	if ((flags & SNIC_VQ_F_ERROR) &&
	    (pos.avail_idx != pos.used_idx || pos.avail_wrap != pos.used_wrap)) {
		dev_warn_ratelimited(&vdpa->dev,
				     "virtqueue %u stopped on bad input: its position is unknown (avail %u, used %u); the device needs a reset\n",
				     idx, pos.avail_idx, pos.used_idx);
		return -EIO;
	}
	if (st.driver_features & BIT_ULL(VIRTIO_F_RING_PACKED))
		state->packed = (struct vdpa_vq_state_packed) {
			.last_avail_idx = pos.avail_idx,
			.last_avail_counter = pos.avail_wrap,
			.last_used_idx = pos.used_idx,
			.last_used_counter = pos.used_wrap,
		};
	else
		state->split.avail_index = pos.avail_idx;
	return 0;
}

static u32 snic_get_vq_align(struct vdpa_device *vdpa)
{
	return PAGE_SIZE;
}

/*
 * The CVQ alone in its group, when the NIC has an address space for it.
 * A queue the device does not have is in no group (vhost_vdpa answers
 * EIO).
 */
static u32 snic_get_vq_group(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;

	if (idx >= sv->nvqs || snic_hw_fn_query(snic_hw(sv), sv->fn, &st) ||
	    !snic_vq_exists(sv, st.driver_features, idx))
		return vdpa->ngroups;
	if (vdpa->ngroups > SNIC_GROUP_CVQ &&
	    snic_is_cvq(sv, st.driver_features, idx))
		return SNIC_GROUP_CVQ;
	return SNIC_GROUP_DATA;
}

static int snic_set_group_asid(struct vdpa_device *vdpa, unsigned int group,
			       unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	int err;

	if (group >= vdpa->ngroups || asid >= vdpa->nas)
		return -EINVAL;
	err = snic_hw_group_set_asid(snic_hw(sv), sv->fn, group, asid);
	if (!err)
		snic_as_set_group(sv, group, asid);
	return err;
}

static u64 snic_get_device_features(struct vdpa_device *vdpa)
{
	return vdpa_to_snic(vdpa)->params.features;
}

static int snic_set_driver_features(struct vdpa_device *vdpa, u64 features)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	return snic_hw_fn_set_features(snic_hw(sv), sv->fn, features);
}

static u64 snic_get_driver_features(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;

	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		return 0;
	return st.driver_features;
}

static void snic_set_config_cb(struct vdpa_device *vdpa,
			       struct vdpa_callback *cb)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	unsigned long flags;

	spin_lock_irqsave(&sv->cb_lock, flags);
	sv->config_cb = *cb;
	spin_unlock_irqrestore(&sv->cb_lock, flags);
}

/**
 * snic_vdpa_config_irq() - the NIC raised the config vector of @sv
 * @sv: the device
 *
 * Called in interrupt context.
 */
void snic_vdpa_config_irq(struct snic_vdpa *sv)
{
	unsigned long flags;

	spin_lock_irqsave(&sv->cb_lock, flags);
	snic_callback(&sv->config_cb);
	spin_unlock_irqrestore(&sv->cb_lock, flags);
}

static u16 snic_get_vq_num_max(struct vdpa_device *vdpa)
{
	return vdpa_to_snic(vdpa)->nic->caps.vq_num_max;
}

/*
 * The NIC takes any power of two up to its maximum: this is only how far
 * virtio_vdpa may shrink a ring when memory is short.
 */
static u16 snic_get_vq_num_min(struct vdpa_device *vdpa)
{
	return min_t(u16, SNIC_VQ_NUM_MIN, vdpa_to_snic(vdpa)->nic->caps.vq_num_max);
}

static int snic_put_stat(struct sk_buff *msg, const char *name, u64 value)
{
	if (nla_put_string(msg, VDPA_ATTR_DEV_VENDOR_ATTR_NAME, name) ||
	    nla_put_u64_64bit(msg, VDPA_ATTR_DEV_VENDOR_ATTR_VALUE, value,
			      VDPA_ATTR_PAD))
		return -EMSGSIZE;
	return 0;
}

static int snic_get_vendor_vq_stats(struct vdpa_device *vdpa, u16 idx,
				    struct sk_buff *msg,
				    struct netlink_ext_ack *extack)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state fst;
	struct snic_hw_vq_stats st;
	struct snic_vq *vq;
	int err;

	if (!(sv->nic->hw.devcaps & SNIC_CAP_STATS)) {
		NL_SET_ERR_MSG_MOD(extack, "this NIC does not count per-queue statistics");
		return -EOPNOTSUPP;
	}
	mutex_lock(&sv->lock);
	vq = snic_vq(sv, idx, &fst);
	if (IS_ERR(vq)) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "queue %u does not exist with the features the driver negotiated",
				       idx);
		err = PTR_ERR(vq);
	} else if (!vq->in_hw) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "queue %u is not running: its driver has not started it",
				       idx);
		err = -EAGAIN;
	} else {
		err = snic_hw_vq_stats(snic_hw(sv), sv->fn, idx, &st);
		if (err)
			NL_SET_ERR_MSG_MOD(extack, "the NIC did not report the queue's counters");
	}
	mutex_unlock(&sv->lock);
	if (err)
		return err;
	return snic_put_stat(msg, "received_desc", st.received) ?:
	       snic_put_stat(msg, "completed_desc", st.completed) ?:
	       snic_put_stat(msg, "error_desc", st.errors);
}

static u32 snic_get_device_id(struct vdpa_device *vdpa)
{
	return VIRTIO_ID_NET;
}

static u32 snic_get_vendor_id(struct vdpa_device *vdpa)
{
	return SNIC_VENDOR_ID;
}

static u8 snic_get_status(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;

	/*
	 * A NIC that does not answer needs a reset; one that is gone runs
	 * nothing, so once the driver reset the device it reads as reset.
	 */
	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		return READ_ONCE(sv->gone_reset) ? 0 : VIRTIO_CONFIG_S_NEEDS_RESET;
	return st.status | (READ_ONCE(sv->needs_reset) ?
			    VIRTIO_CONFIG_S_NEEDS_RESET : 0);
}

/*
 * Forget the callbacks of the bus driver: it sets them again after a
 * reset, and may free what they point to (vhost_vdpa puts its eventfds)
 * as soon as the reset returns, whatever it returned.  A callback left
 * from a driver bound before (virtio_vdpa, then vhost_vdpa) must not be
 * called once that driver is gone either.
 */
static void snic_forget_callbacks(struct snic_vdpa *sv)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sv->cb_lock, flags);
	for (i = 0; i < sv->nvqs; i++)
		sv->vqs[i].cb = (struct vdpa_callback) {};
	sv->config_cb = (struct vdpa_callback) {};
	spin_unlock_irqrestore(&sv->cb_lock, flags);
}

/*
 * FN_RESET.  If the NIC fails it, its queues may still reach memory that
 * the caller is about to unmap: the error goes back, the driver keeps
 * the queues as they were, and the device reports NEEDS_RESET until a
 * reset succeeds.  The callbacks go in any case.
 */
static int snic_reset_locked(struct snic_vdpa *sv, u32 hw_flags)
{
	unsigned long flags;
	unsigned int i;
	int err;

	lockdep_assert_held(&sv->lock);
	/* The NIC stops every queue and their interrupts first. */
	err = snic_hw_fn_reset(snic_hw(sv), sv->fn, hw_flags);
	snic_forget_callbacks(sv);
	/* A NIC that is gone stopped everything: the reset is as done. */
	WRITE_ONCE(sv->gone_reset, err == -ENODEV);
	if (err == -ENODEV)
		err = 0;
	if (err) {
		dev_err_ratelimited(&sv->vdpa.dev,
				    "the NIC did not reset the device (%pe): its queues may still run; it reports NEEDS_RESET until a reset succeeds\n",
				    ERR_PTR(err));
		sv->needs_reset = true;
		return err;
	}
	spin_lock_irqsave(&sv->cb_lock, flags);
	for (i = 0; i < sv->nvqs; i++)
		sv->vqs[i] = (struct snic_vq) {
			.pos_lost = sv->vqs[i].in_hw || sv->vqs[i].pos_lost,
		};
	spin_unlock_irqrestore(&sv->cb_lock, flags);
	sv->needs_reset = false;
	sv->suspended = false;
	snic_log_reset(sv);
	snic_as_reset(sv, hw_flags & SNIC_FN_RESET_CLEAN_MAP);
	return 0;
}

/*
 * DRIVER_OK starts the queues the driver made ready: create them.  If the
 * NIC refuses one, it does not get DRIVER_OK: the device reports
 * NEEDS_RESET instead.  Return: the status to set.
 */
static u8 snic_start_queues(struct snic_vdpa *sv, u64 features, u8 status)
{
	u16 i;

	for (i = 0; i < sv->nvqs; i++) {
		if (!snic_vq_exists(sv, features, i) || !sv->vqs[i].ready ||
		    sv->vqs[i].in_hw)
			continue;
		if (snic_vq_create_hw(sv, i, features))
			return status & ~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	return status;
}

static void snic_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;

	mutex_lock(&sv->lock);
	if (!status) {
		snic_reset_locked(sv, 0);
		goto out;
	}
	WRITE_ONCE(sv->gone_reset, false);
	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		goto out;
	if ((status & ~st.status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (st.status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		status = snic_start_queues(sv, st.driver_features, status);
		if (status == st.status)
			goto out;
	}
	if (snic_hw_fn_set_status(snic_hw(sv), sv->fn, status))
		dev_dbg_ratelimited(&vdpa->dev, "status 0x%x refused by the NIC\n",
				    status);
out:
	mutex_unlock(&sv->lock);
}

static int snic_reset(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_reset_locked(sv, 0);
	mutex_unlock(&sv->lock);
	return err;
}

/*
 * Userspace that does not know mappings persist across reset
 * (VHOST_BACKEND_F_IOTLB_PERSIST) gets them cleared, as it expects.
 */
static int snic_compat_reset(struct vdpa_device *vdpa, u32 flags)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_reset_locked(sv, flags & VDPA_RESET_F_CLEAN_MAP ?
				SNIC_FN_RESET_CLEAN_MAP : 0);
	mutex_unlock(&sv->lock);
	return err;
}

static int snic_suspend(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_hw_fn_suspend(snic_hw(sv), sv->fn);
	if (!err)
		sv->suspended = true;
	mutex_unlock(&sv->lock);
	if (err)
		dev_err(&vdpa->dev, "the NIC did not suspend the device: %pe\n",
			ERR_PTR(err));
	return err;
}

/* Queues whose registers changed while the NIC held them get them now. */
static int snic_vqs_apply(struct snic_vdpa *sv)
{
	struct snic_hw_fn_state st;
	bool queried = false;
	int err;
	u16 i;

	for (i = 0; i < sv->nvqs; i++) {
		if (!sv->vqs[i].in_hw || !sv->vqs[i].stale)
			continue;
		if (!queried) {
			err = snic_hw_fn_query(snic_hw(sv), sv->fn, &st);
			if (err)
				return err;
			queried = true;
		}
		err = snic_vq_recreate(sv, i, st.driver_features);
		if (err)
			return err;
	}
	return 0;
}

static int snic_resume(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_vqs_apply(sv) ?: snic_hw_fn_resume(snic_hw(sv), sv->fn);
	if (!err)
		sv->suspended = false;
	mutex_unlock(&sv->lock);
	if (err)
		dev_err(&vdpa->dev, "the NIC did not resume the device: %pe\n",
			ERR_PTR(err));
	return err;
}

/*
 * Queues enabled after DRIVER_OK start at once, without a kick.  With the
 * log ops (snic_log.c) or the state ops (snic_state.c) the device says
 * so: vhost_vdpa built with the series of patches/linux/ reads them only
 * then.
 */
static u64 snic_get_backend_features(const struct vdpa_device *vdpa)
{
	const struct snic_vdpa *sv = container_of(vdpa, struct snic_vdpa, vdpa);
	u64 features = BIT_ULL(VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK);

	if (snic_log_ops(&sv->nic->ops)->log_start)
		features |= BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE);
	if (snic_state_ops(&sv->nic->ops)->get_state)
		features |= BIT_ULL(VHOST_BACKEND_F_DEVICE_STATE);
	return features;
}

static size_t snic_get_config_size(struct vdpa_device *vdpa)
{
	return sizeof(struct virtio_net_config);
}

static void snic_get_config(struct vdpa_device *vdpa, unsigned int offset,
			    void *buf, unsigned int len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct virtio_net_config cfg = {};
	struct snic_hw_fn_state st;
	bool le;

	/* Little-endian unless a legacy driver on a big-endian host. */
	le = virtio_legacy_is_little_endian() ||
	     (!snic_hw_fn_query(snic_hw(sv), sv->fn, &st) &&
	      (st.driver_features & BIT_ULL(VIRTIO_F_VERSION_1)));
	if (snic_hw_config_read(snic_hw(sv), sv->fn, 0, &cfg, sizeof(cfg)))
		memset(&cfg, 0, sizeof(cfg));
	snic_netcfg_to_driver(&cfg, le);
	snic_netcfg_window(&cfg, offset, buf, len);
}

/*
 * Every field of the virtio-net config space is read-only for the driver
 * (virtio 1.3, 5.1.4; the NIC has no legacy interface).  The MAC changes
 * through the CVQ's MAC_ADDR_SET, or from the host with `vdpa dev set`.
 */
static void snic_set_config(struct vdpa_device *vdpa, unsigned int offset,
			    const void *buf, unsigned int len)
{
	dev_info_ratelimited(&vdpa->dev,
			     "config write of %u bytes at offset %u ignored: the virtio-net config space is read-only; set the MAC with the CVQ (MAC_ADDR_SET) or `vdpa dev set`\n",
			     len, offset);
}

static u32 snic_get_generation(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;

	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		return 0;
	return st.generation;
}

static void snic_free(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	/*
	 * The DMA mappings go even if the NIC did not let the function go:
	 * behind an IOMMU, that is what stops a stuck function's DMA into
	 * pages its user is about to free.
	 */
	snic_log_reset(sv);
	snic_as_fini(sv);
	kfree(sv->vqs);
	mutex_destroy(&sv->lock);
}

/* For a NIC with CAP_SUSPEND. */
static const struct vdpa_config_ops snic_vdpa_ops = {
	.set_vq_address = snic_set_vq_address,
	.set_vq_num = snic_set_vq_num,
	.kick_vq = snic_kick_vq,
	.set_vq_cb = snic_set_vq_cb,
	.set_vq_ready = snic_set_vq_ready,
	.get_vq_ready = snic_get_vq_ready,
	.set_vq_state = snic_set_vq_state,
	.get_vq_state = snic_get_vq_state,
	.get_vq_align = snic_get_vq_align,
	.get_vq_group = snic_get_vq_group,
	.get_device_features = snic_get_device_features,
	.set_driver_features = snic_set_driver_features,
	.get_driver_features = snic_get_driver_features,
	.set_config_cb = snic_set_config_cb,
	.get_backend_features = snic_get_backend_features,
	.suspend = snic_suspend,
	.resume = snic_resume,
	.compat_reset = snic_compat_reset,
	.get_vq_num_max = snic_get_vq_num_max,
	.get_vq_num_min = snic_get_vq_num_min,
	.get_vendor_vq_stats = snic_get_vendor_vq_stats,
	.get_device_id = snic_get_device_id,
	.get_vendor_id = snic_get_vendor_id,
	.get_status = snic_get_status,
	.set_status = snic_set_status,
	.reset = snic_reset,
	.get_config_size = snic_get_config_size,
	.get_config = snic_get_config,
	.set_config = snic_set_config,
	.get_generation = snic_get_generation,
	.set_group_asid = snic_set_group_asid,
	.dma_map = snic_dma_map,
	.dma_unmap = snic_dma_unmap,
	.reset_map = snic_reset_map,
	.get_vq_dma_dev = snic_get_vq_dma_dev,
	.free = snic_free,
};

/**
 * snic_vdpa_ops_init() - the ops a NIC's devices get, by its capabilities
 * @nic: the NIC, identified
 *
 * Without SNIC_CAP_SUSPEND there is no .suspend nor .resume, so that
 * vhost_vdpa offers neither.
 */
void snic_vdpa_ops_init(struct snic_nic *nic)
{
	nic->ops = (struct snic_vdpa_ops) { .vdpa = snic_vdpa_ops };
	if (!(nic->hw.devcaps & SNIC_CAP_SUSPEND)) {
		nic->ops.vdpa.suspend = NULL;
		nic->ops.vdpa.resume = NULL;
	}
	snic_log_ops_init(nic);
	snic_state_ops_init(nic);
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_ops_init);
/**
 * snic_vdpa_create() - a vDPA device on a new function of @nic
 * @nic: the NIC that will host it
 * @name: its name
 * @p: its attributes, already checked by snic_resolve_params()
 *
 * Takes a function of the NIC and creates it there; the device is not
 * registered.  Undo with snic_vdpa_destroy(), then put_device().
 *
 * Return: the device, or an ERR_PTR(): -ENOSPC when every function of
 * the NIC is in use.
 */
struct snic_vdpa *snic_vdpa_create(struct snic_nic *nic, const char *name,
				   const struct snic_dev_params *p)
{
	/* With one address space the CVQ is not apart: one group for all. */
	unsigned int ngroups = nic->hw.nas > 1 ? SNIC_NGROUPS : 1;
	struct snic_vdpa *sv;
	int err;

	sv = vdpa_alloc_device(struct snic_vdpa, vdpa, nic->dev, &nic->ops.vdpa, ngroups,
			       nic->hw.nas, name, false);
	if (IS_ERR(sv))
		return sv;

	/* From here on snic_free() runs when the last reference goes. */
	mutex_init(&sv->lock);
	spin_lock_init(&sv->cb_lock);
	sv->nic = nic;
	sv->fn = -1;
	sv->params = *p;
	sv->nvqs = 2 * p->max_vq_pairs +
		   !!(p->features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ));
	sv->vqs = kcalloc(sv->nvqs, sizeof(*sv->vqs), GFP_KERNEL);
	if (!sv->vqs) {
		err = -ENOMEM;
		goto err_put;
	}
	sv->vdpa.dma_dev = nic->dev;
	err = snic_as_init(sv);
	if (err)
		goto err_put;

	err = ida_alloc_max(&nic->fn_ida, nic->caps.max_functions - 1,
			    GFP_KERNEL);
	if (err < 0)
		goto err_put;
	sv->fn = err;
	err = snic_nic_vectors_get(nic, sv);
	if (err) {
		dev_err(nic->dev, "vdpa dev add %s: the NIC has not %u MSI-X vectors left for its %u queues: use fewer queue pairs, or delete a device\n",
			name, 1 + sv->nvqs, sv->nvqs);
		goto err_fn;
	}
	err = snic_hw_fn_create(&nic->hw, sv->fn, p, sv->vec_base);
	if (err == -EEXIST)
		dev_err(nic->dev, "vdpa dev add %s: the NIC cannot name function %d's uplink port: a netdev has its name (snic<NIC>f%d); rename or delete that netdev\n",
			name, sv->fn, sv->fn);
	if (err)
		goto err_vec;
	return sv;

err_vec:
	snic_nic_vectors_put(nic, sv);
err_fn:
	ida_free(&nic->fn_ida, sv->fn);
	sv->fn = -1;
err_put:
	put_device(&sv->vdpa.dev);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_create);

/**
 * snic_vdpa_destroy() - give the function of @sv back to the NIC
 * @sv: a device from snic_vdpa_create(), not registered (any more)
 *
 * The caller still holds a reference to @sv.
 */
void snic_vdpa_destroy(struct snic_vdpa *sv)
{
	struct snic_nic *nic = sv->nic;
	int err;

	if (sv->fn < 0)
		return;
	snic_nic_vectors_put(nic, sv);
	err = snic_hw_fn_destroy(&nic->hw, sv->fn);
	/* A NIC that is gone holds nothing any more. */
	if (err && err != -ENODEV)
		dev_err(nic->dev,
			"%s: the NIC did not destroy function %d (%pe): it may still be in use and stays reserved; the NIC hosts one device fewer\n",
			dev_name(&sv->vdpa.dev), sv->fn, ERR_PTR(err));
	else
		ida_free(&nic->fn_ida, sv->fn);
	sv->fn = -1;
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_destroy);

/**
 * snic_vdpa_set_mac() - change the MAC address from the host side
 * @sv: the device
 * @mac: a valid unicast address
 *
 * The NIC raises a config-change interrupt when the address changes.
 *
 * Return: 0 or a negative errno.
 */
int snic_vdpa_set_mac(struct snic_vdpa *sv, const u8 *mac)
{
	return snic_hw_config_write(snic_hw(sv), sv->fn,
				    offsetof(struct virtio_net_config, mac),
				    mac, ETH_ALEN);
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_set_mac);
