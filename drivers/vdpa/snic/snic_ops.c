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

static struct snic_hw *snic_hw(struct snic_vdpa *sv)
{
	return &sv->nic->hw;
}

static bool snic_has_cvq(const struct snic_vdpa *sv)
{
	return sv->params.features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ);
}

static struct snic_vq *snic_vq(struct snic_vdpa *sv, u16 idx)
{
	if (idx >= sv->nvqs) {
		dev_dbg_ratelimited(&sv->vdpa.dev, "no virtqueue %u\n", idx);
		return NULL;
	}
	return &sv->vqs[idx];
}

static int snic_set_vq_address(struct vdpa_device *vdpa, u16 idx,
			       u64 desc_area, u64 driver_area, u64 device_area)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&sv->lock);
	vq->desc_addr = desc_area;
	vq->driver_addr = driver_area;
	vq->device_addr = device_area;
	mutex_unlock(&sv->lock);
	return 0;
}

static void snic_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	if (!vq)
		return;
	mutex_lock(&sv->lock);
	vq->num = num;
	mutex_unlock(&sv->lock);
}

static void snic_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	if (idx < sv->nvqs)
		snic_hw_kick(snic_hw(sv), sv->fn, idx);
}

static void snic_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
			   struct vdpa_callback *cb)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	unsigned long flags;

	if (!vq)
		return;
	spin_lock_irqsave(&sv->cb_lock, flags);
	vq->cb = *cb;
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

/* Whether the driver negotiated packed rings; false if the NIC is gone. */
static bool snic_packed(struct snic_vdpa *sv)
{
	struct snic_hw_fn_state st;

	return !snic_hw_fn_query(snic_hw(sv), sv->fn, &st) &&
	       (st.driver_features & BIT_ULL(VIRTIO_F_RING_PACKED));
}

/*
 * VQ_CREATE from the registers, in the layout of the negotiated
 * @features; a refusal means the driver set them wrong.
 */
static int snic_vq_create_hw(struct snic_vdpa *sv, u16 idx, u64 features)
{
	struct snic_vq *vq = &sv->vqs[idx];
	struct snic_hw_vq hv = {
		.desc = vq->desc_addr,
		.driver = vq->driver_addr,
		.device = vq->device_addr,
		.size = vq->num,
		.vector = SNIC_VQ_VECTOR(sv->fn, idx),
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
		dev_dbg(&sv->vdpa.dev, "virtqueue %u refused by the NIC: %pe\n",
			idx, ERR_PTR(err));
		sv->needs_reset = true;
		return err;
	}
	vq->in_hw = true;
	return 0;
}

/* Whether the driver runs the device; its negotiated features if so. */
static bool snic_driver_ok(struct snic_vdpa *sv, u64 *features)
{
	struct snic_hw_fn_state st;

	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st) ||
	    !(st.status & VIRTIO_CONFIG_S_DRIVER_OK))
		return false;
	*features = st.driver_features;
	return true;
}

static void snic_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);
	u64 features;

	if (!vq)
		return;
	mutex_lock(&sv->lock);
	vq->ready = ready;
	/* After DRIVER_OK a queue starts or stops at once. */
	if (vq->in_hw)
		snic_hw_vq_set_ready(snic_hw(sv), sv->fn, idx, ready);
	else if (ready && snic_driver_ok(sv, &features))
		snic_vq_create_hw(sv, idx, features);
	mutex_unlock(&sv->lock);
}

static bool snic_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);
	bool ready;

	if (!vq)
		return false;
	mutex_lock(&sv->lock);
	ready = vq->ready;
	mutex_unlock(&sv->lock);
	return ready;
}

static int snic_set_vq_state(struct vdpa_device *vdpa, u16 idx,
			     const struct vdpa_vq_state *state)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);
	struct snic_hw_vq_pos pos;
	int err = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&sv->lock);
	if (snic_packed(sv))
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
	if (vq->in_hw)
		err = snic_hw_vq_set_state(snic_hw(sv), sv->fn, idx, &pos);
	if (!err) {
		vq->pos = pos;
		vq->pos_lost = false;
	}
	mutex_unlock(&sv->lock);
	return err;
}

static int snic_get_vq_state(struct vdpa_device *vdpa, u16 idx,
			     struct vdpa_vq_state *state)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);
	struct snic_hw_vq_pos pos;
	bool ready, packed;
	int err = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&sv->lock);
	packed = snic_packed(sv);
	/*
	 * A queue that ran and was reset has no known position: not 0.
	 * QEMU 7.2 resets the device before it reads the CVQ's position
	 * (when it stops the last of its vhost devices); 0 would restart
	 * that ring from its start when the VM resumes, while an error makes
	 * QEMU take the used index in guest memory, where the ring stands.
	 */
	if (vq->in_hw)
		err = snic_hw_vq_query(snic_hw(sv), sv->fn, idx, &pos, &ready);
	else if (vq->pos_lost)
		err = -EAGAIN;
	else
		pos = vq->pos;
	mutex_unlock(&sv->lock);
	if (err)
		return err;
	if (packed)
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

static u32 snic_get_vq_group(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	if (snic_has_cvq(sv) && idx == sv->nvqs - 1)
		return SNIC_GROUP_CVQ;
	return SNIC_GROUP_DATA;
}

static int snic_set_group_asid(struct vdpa_device *vdpa, unsigned int group,
			       unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	if (group >= SNIC_NGROUPS || asid >= SNIC_NAS)
		return -EINVAL;
	return snic_hw_group_set_asid(snic_hw(sv), sv->fn, group, asid);
}

/*
 * DMA mappings go to the NIC's IOTLB of the address space.  An address
 * space with no mapping is in passthrough: that is how virtio_vdpa, which
 * maps nothing, works.
 */
static int snic_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
			u64 size, u64 pa, u32 perm, void *opaque)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	u32 p = 0;

	if (asid >= SNIC_NAS)
		return -EINVAL;
	if (perm & VHOST_MAP_RO)
		p |= SNIC_IOTLB_PERM_READ;
	if (perm & VHOST_MAP_WO)
		p |= SNIC_IOTLB_PERM_WRITE;
	return snic_hw_iotlb_map(snic_hw(sv), sv->fn, asid, iova, size, pa, p);
}

static int snic_dma_unmap(struct vdpa_device *vdpa, unsigned int asid,
			  u64 iova, u64 size)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	if (asid >= SNIC_NAS)
		return -EINVAL;
	return snic_hw_iotlb_unmap(snic_hw(sv), sv->fn, asid, iova, size);
}

static int snic_reset_map(struct vdpa_device *vdpa, unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	if (asid >= SNIC_NAS)
		return -EINVAL;
	return snic_hw_iotlb_reset(snic_hw(sv), sv->fn, asid,
				   SNIC_IOTLB_RESET_PASSTHROUGH);
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

static u16 snic_get_vq_num_min(struct vdpa_device *vdpa)
{
	return SNIC_VQ_NUM_MIN;
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
	struct snic_hw_vq_stats st;
	int err;

	if (idx >= sv->nvqs) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "queue %u does not exist: the device has queues 0-%u",
				       idx, sv->nvqs - 1);
		return -EINVAL;
	}
	mutex_lock(&sv->lock);
	if (!sv->vqs[idx].in_hw) {
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

	/* A NIC that does not answer needs a reset. */
	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		return VIRTIO_CONFIG_S_NEEDS_RESET;
	return st.status | (READ_ONCE(sv->needs_reset) ?
			    VIRTIO_CONFIG_S_NEEDS_RESET : 0);
}

static void snic_reset_locked(struct snic_vdpa *sv, u32 hw_flags)
{
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&sv->lock);
	/* The NIC stops every queue and their interrupts first. */
	snic_hw_fn_reset(snic_hw(sv), sv->fn, hw_flags);
	spin_lock_irqsave(&sv->cb_lock, flags);
	for (i = 0; i < sv->nvqs; i++)
		sv->vqs[i] = (struct snic_vq) {
			.pos_lost = sv->vqs[i].in_hw || sv->vqs[i].pos_lost,
		};
	spin_unlock_irqrestore(&sv->cb_lock, flags);
	sv->needs_reset = false;
}

static void snic_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_hw_fn_state st;
	u16 i;

	mutex_lock(&sv->lock);
	if (!status) {
		snic_reset_locked(sv, 0);
		goto out;
	}
	if (snic_hw_fn_query(snic_hw(sv), sv->fn, &st))
		goto out;
	/* DRIVER_OK starts the queues the driver made ready: create them. */
	if ((status & ~st.status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (st.status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		for (i = 0; i < sv->nvqs; i++) {
			if (sv->vqs[i].ready && !sv->vqs[i].in_hw &&
			    snic_vq_create_hw(sv, i, st.driver_features))
				break;
		}
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

	mutex_lock(&sv->lock);
	snic_reset_locked(sv, 0);
	mutex_unlock(&sv->lock);
	return 0;
}

/*
 * Userspace that does not know mappings persist across reset
 * (VHOST_BACKEND_F_IOTLB_PERSIST) gets them cleared, as it expects.
 */
static int snic_compat_reset(struct vdpa_device *vdpa, u32 flags)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	snic_reset_locked(sv, flags & VDPA_RESET_F_CLEAN_MAP ?
			  SNIC_FN_RESET_CLEAN_MAP : 0);
	mutex_unlock(&sv->lock);
	return 0;
}

static int snic_suspend(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_hw_fn_suspend(snic_hw(sv), sv->fn);
	mutex_unlock(&sv->lock);
	if (err)
		dev_err(&vdpa->dev, "the NIC did not suspend the device: %pe\n",
			ERR_PTR(err));
	return err;
}

static int snic_resume(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	mutex_lock(&sv->lock);
	err = snic_hw_fn_resume(snic_hw(sv), sv->fn);
	mutex_unlock(&sv->lock);
	if (err)
		dev_err(&vdpa->dev, "the NIC did not resume the device: %pe\n",
			ERR_PTR(err));
	return err;
}

/* Queues enabled after DRIVER_OK start at once, without a kick. */
static u64 snic_get_backend_features(const struct vdpa_device *vdpa)
{
	return BIT_ULL(VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK);
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

static void snic_set_config(struct vdpa_device *vdpa, unsigned int offset,
			    const void *buf, unsigned int len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err = -EINVAL;

	if (snic_netcfg_in_range(offset, len))
		err = snic_hw_config_write(snic_hw(sv), sv->fn, offset, buf, len);
	if (err)
		dev_dbg_ratelimited(&vdpa->dev, "config write of %u bytes at %u refused: %pe\n",
				    len, offset, ERR_PTR(err));
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

	kfree(sv->vqs);
	mutex_destroy(&sv->lock);
}

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
	.free = snic_free,
};

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
	struct snic_vdpa *sv;
	int err;

	sv = vdpa_alloc_device(struct snic_vdpa, vdpa, nic->dev, &snic_vdpa_ops,
			       SNIC_NGROUPS, SNIC_NAS, name, false);
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

	err = ida_alloc_max(&nic->fn_ida, nic->caps.max_functions - 1,
			    GFP_KERNEL);
	if (err < 0)
		goto err_put;
	sv->fn = err;
	err = snic_hw_fn_create(&nic->hw, sv->fn, p, SNIC_CONFIG_VECTOR(sv->fn));
	if (err) {
		ida_free(&nic->fn_ida, sv->fn);
		goto err_put;
	}
	spin_lock_irq(&nic->irq_lock);
	nic->vdevs[sv->fn] = sv;
	spin_unlock_irq(&nic->irq_lock);
	return sv;

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

	if (sv->fn < 0)
		return;
	spin_lock_irq(&nic->irq_lock);
	nic->vdevs[sv->fn] = NULL;
	spin_unlock_irq(&nic->irq_lock);
	snic_hw_fn_destroy(&nic->hw, sv->fn);
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
