// SPDX-License-Identifier: GPL-2.0
/*
 * The device state of a snic device: the vdpa state ops (proposed by
 * patches/linux/, see snic_compat.h) on the NIC's FN_STATE_SAVE and
 * FN_STATE_RESTORE.
 *
 * The blob is the NIC's (Documentation/device-state.rst: virtio 1.4
 * device parts): the NIC checks it whole before it applies any of it and
 * says which field it refused; the driver moves it through a DMA buffer
 * and mirrors what the NIC restored.  Only two things are the driver's:
 * a queue's vector, which must be the one this driver gives that queue
 * (the config vector's + 1 + index, so interrupts reach the right
 * callback), and the address space of each virtqueue group, which the
 * bus driver set before and which the reset a restore needs must keep.
 */
#include <linux/dma-mapping.h>
#include <linux/moduleparam.h>

#include "snic.h"
#include <snic/snic_state.h>

/*
 * As for the log (snic_log.c): a vhost_vdpa without the series would
 * pass the backend bit to userspace and then refuse it.
 */
static bool device_state = SNIC_KERNEL_HAS_VDPA_STATE;
module_param(device_state, bool, 0444);
MODULE_PARM_DESC(device_state,
		 "Offer the NIC's device state save/restore to vhost_vdpa; it needs a vhost_vdpa built with the series of patches/linux/ (the drop-in module on a stock kernel). Default: on if the kernel has the state ops");

/* What FN_STATE_RESTORE's reasons mean, for the log. */
static const char *const snic_state_reasons[] = {
	[SNIC_STATE_BAD_MAGIC] = "wrong magic",
	[SNIC_STATE_BAD_VERSION] = "unsupported version",
	[SNIC_STATE_BAD_DEVICE] = "not a network device's state",
	[SNIC_STATE_BAD_LENGTH] = "length field not the blob's length",
	[SNIC_STATE_BAD_COUNT] = "part count not the number of parts",
	[SNIC_STATE_TRUNCATED] = "part runs past the end",
	[SNIC_STATE_RESERVED] = "reserved bits or bytes set",
	[SNIC_STATE_UNKNOWN_PART] = "unknown part, not optional",
	[SNIC_STATE_PART_LENGTH] = "part length wrong for its type",
	[SNIC_STATE_DUPLICATE] = "part repeated",
	[SNIC_STATE_ORDER] = "part out of order",
	[SNIC_STATE_MISSING] = "required part missing",
	[SNIC_STATE_NOT_OFFERED] = "feature this device does not offer",
	[SNIC_STATE_NOT_NEGOTIATED] = "part for a feature not negotiated",
	[SNIC_STATE_BAD_STATUS] = "device status not restorable",
	[SNIC_STATE_BAD_QUEUE] = "queue index beyond this device's queues",
	[SNIC_STATE_BAD_VQ_CFG] = "queue configuration refused",
	[SNIC_STATE_BAD_VQ_STATE] = "queue position refused",
	[SNIC_STATE_RANGE] = "value out of range",
	[SNIC_STATE_ATTR_MISMATCH] = "MTU or queue pairs differ from this device's",
};

static const char *snic_state_reason(u16 reason)
{
	if (reason < ARRAY_SIZE(snic_state_reasons) && snic_state_reasons[reason])
		return snic_state_reasons[reason];
	return "unreadable blob";
}

/* The queue parts of a blob, by queue index (arrays of the device's nvqs). */
struct snic_state_vqs {
	const struct snic_part_vq_cfg **cfg;
	const struct snic_part_vq_state **pos;
};

/*
 * Find the queue parts of @buf for queues below @nvqs.  Only the walk is
 * checked here (the NIC checks everything): a blob the walk cannot
 * follow is left for the NIC to refuse with the precise reason, and its
 * queue parts are not looked at.
 */
static void snic_state_find_vqs(const u8 *buf, size_t len, u16 nvqs,
				struct snic_state_vqs *q)
{
	const struct snic_part_hdr *h;
	size_t off = sizeof(struct snic_state_hdr);
	u32 plen;
	u16 idx;

	while (off + sizeof(*h) <= len) {
		h = (const void *)(buf + off);
		plen = le32_to_cpu(h->length);
		off += sizeof(*h);
		if (plen > len - off)
			return;
		idx = h->sel[0] | h->sel[1] << 8;
		if (idx < nvqs) {
			if (le16_to_cpu(h->type) == SNIC_PART_VQ_CFG &&
			    plen == sizeof(*q->cfg[0]))
				q->cfg[idx] = (const void *)(buf + off);
			else if (le16_to_cpu(h->type) == SNIC_PART_VQ_STATE &&
				 plen == sizeof(*q->pos[0]))
				q->pos[idx] = (const void *)(buf + off);
		}
		off += plen;
	}
}

/*
 * ssize_t get_state: FN_STATE_SAVE of the suspended function, into a
 * buffer the NIC can reach.  Return: the state's bytes (written into @buf
 * only if they fit in @len) or a negative errno.
 */
VISIBLE_IF_KUNIT ssize_t snic_get_state(struct vdpa_device *vdpa, void *buf,
					size_t len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct device *dev = sv->nic->dev;
	dma_addr_t dma;
	u32 size, alloc;
	void *blob;
	int err;

	mutex_lock(&sv->lock);
	if (!sv->suspended) {
		err = -EBUSY;
		goto out;
	}
	err = snic_hw_state_save(snic_hw(sv), sv->fn, 0, 0, &size);
	if (err != -ENOSPC)
		goto out;
	err = 0;
	if (!size || size > SNIC_STATE_MAX) {
		dev_err(&vdpa->dev, "the NIC reports a state of %u bytes\n", size);
		err = -EIO;
		goto out;
	}
	if (!buf || len < size)
		goto out;
	alloc = size;
	blob = dma_alloc_coherent(dev, alloc, &dma, GFP_KERNEL);
	if (!blob) {
		err = -ENOMEM;
		goto out;
	}
	err = snic_hw_state_save(snic_hw(sv), sv->fn, dma, alloc, &size);
	if (!err && size > alloc)
		err = -EIO;
	if (!err)
		memcpy(buf, blob, size);
	dma_free_coherent(dev, alloc, blob, dma);
out:
	mutex_unlock(&sv->lock);
	if (err && err != -EBUSY)
		dev_err(&vdpa->dev, "the NIC did not save the device's state: %pe\n",
			ERR_PTR(err));
	return err ? err : (ssize_t)size;
}
EXPORT_SYMBOL_IF_KUNIT(snic_get_state);

/*
 * The driver's checks: each queue's vector is the one this driver gives
 * it.  Return: 0 or -EINVAL, said in the log.
 */
static int snic_state_check(struct snic_vdpa *sv,
			    const struct snic_state_vqs *q)
{
	u16 i, vec;

	for (i = 0; i < sv->nvqs; i++) {
		if (!q->cfg[i])
			continue;
		vec = le16_to_cpu(q->cfg[i]->vector);
		if (vec != SNIC_STATE_NO_VECTOR && vec != 1 + i) {
			dev_err(&sv->vdpa.dev,
				"device state refused: queue %u has vector %u; this driver gives queue n vector n + 1 (from the config vector)\n",
				i, vec);
			return -EINVAL;
		}
	}
	return 0;
}

/* The NIC restored @q: the driver's registers say what the NIC holds. */
static void snic_state_mirror(struct snic_vdpa *sv,
			      const struct snic_state_vqs *q)
{
	const struct snic_part_vq_state *p;
	const struct snic_part_vq_cfg *c;
	u16 i;

	for (i = 0; i < sv->nvqs; i++) {
		c = q->cfg[i];
		p = q->pos[i];
		if (!c)
			continue;
		sv->vqs[i].desc_addr = le64_to_cpu(c->desc);
		sv->vqs[i].driver_addr = le64_to_cpu(c->driver);
		sv->vqs[i].device_addr = le64_to_cpu(c->device);
		sv->vqs[i].num = le16_to_cpu(c->size);
		sv->vqs[i].ready = le16_to_cpu(c->enabled);
		sv->vqs[i].in_hw = true;
		sv->vqs[i].stale = false;
		sv->vqs[i].pos_lost = false;
		if (p)
			sv->vqs[i].pos = (struct snic_hw_vq_pos) {
				.avail_idx = le16_to_cpu(p->avail_idx),
				.used_idx = le16_to_cpu(p->used_idx),
				.avail_wrap = p->avail_wrap,
				.used_wrap = p->used_wrap,
			};
	}
}

/*
 * FN_STATE_RESTORE needs a reset function (status 0).  Reset it, keeping
 * what the bus driver set before the state: callbacks, mappings, and the
 * address space of each group (the NIC puts groups back in AS 0).
 */
static int snic_state_reset_fn(struct snic_vdpa *sv)
{
	unsigned int g;
	int err;

	err = snic_hw_fn_reset(snic_hw(sv), sv->fn, 0);
	/* It ends a log too (none runs before FEATURES_OK anyway). */
	if (!err)
		snic_log_reset(sv);
	for (g = 0; !err && g < sv->vdpa.ngroups; g++)
		if (sv->group_asid[g])
			err = snic_hw_group_set_asid(snic_hw(sv), sv->fn, g,
						     sv->group_asid[g]);
	return err;
}

/*
 * int set_state: FN_STATE_RESTORE into the function, which has not
 * negotiated features; on success it is suspended at DRIVER_OK.
 */
VISIBLE_IF_KUNIT int snic_set_state(struct vdpa_device *vdpa, const void *buf,
				    size_t len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct device *dev = sv->nic->dev;
	struct snic_hw_state_err why;
	struct snic_hw_fn_state st;
	struct snic_state_vqs q;
	dma_addr_t dma;
	bool busy;
	void *blob;
	int err;
	u16 i;

	if (!len || len > SNIC_STATE_MAX) {
		dev_err(&vdpa->dev, "device state refused: %zu bytes, the NIC takes 1 to %u\n",
			len, SNIC_STATE_MAX);
		return -EINVAL;
	}
	q.cfg = kcalloc(sv->nvqs, sizeof(*q.cfg), GFP_KERNEL);
	q.pos = kcalloc(sv->nvqs, sizeof(*q.pos), GFP_KERNEL);
	if (!q.cfg || !q.pos) {
		err = -ENOMEM;
		goto free_q;
	}
	blob = dma_alloc_coherent(dev, len, &dma, GFP_KERNEL);
	if (!blob) {
		err = -ENOMEM;
		goto free_q;
	}
	memcpy(blob, buf, len);

	mutex_lock(&sv->lock);
	err = snic_hw_fn_query(snic_hw(sv), sv->fn, &st);
	if (err)
		goto unlock;
	busy = st.status & VIRTIO_CONFIG_S_FEATURES_OK;
	for (i = 0; i < sv->nvqs; i++)
		busy |= sv->vqs[i].in_hw;
	if (busy) {
		dev_err(&vdpa->dev, "device state refused: the device negotiated features already; reset it first\n");
		err = -EBUSY;
		goto unlock;
	}
	snic_state_find_vqs(blob, len, sv->nvqs, &q);
	err = snic_state_check(sv, &q);
	if (err)
		goto unlock;

	err = snic_state_reset_fn(sv);
	if (!err)
		err = snic_hw_state_restore(snic_hw(sv), sv->fn, dma, len, &why);
	if (err == -EINVAL && why.reason)
		dev_err(&vdpa->dev,
			"device state refused by the NIC: %s, at byte %u (part type 0x%04x), value %u\n",
			snic_state_reason(why.reason), why.offset, why.type,
			why.value);
	else if (err)
		dev_err(&vdpa->dev, "the NIC did not restore the device's state: %pe\n",
			ERR_PTR(err));
	if (err) {
		/* As before: the status the driver had set, no queue. */
		if (st.status &&
		    snic_hw_fn_set_status(snic_hw(sv), sv->fn, st.status))
			sv->needs_reset = true;
		goto unlock;
	}
	snic_state_mirror(sv, &q);
	sv->needs_reset = false;
	sv->suspended = true;
	WRITE_ONCE(sv->gone_reset, false);
unlock:
	mutex_unlock(&sv->lock);
	dma_free_coherent(dev, len, blob, dma);
free_q:
	kfree(q.pos);
	kfree(q.cfg);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_set_state);

/**
 * snic_state_ops_init() - the state ops, for a NIC that saves and
 *	restores functions, with suspend (and the module parameter
 *	device_state on)
 * @nic: the NIC, identified
 */
void snic_state_ops_init(struct snic_nic *nic)
{
	struct snic_vdpa_ops *ops = &nic->ops;

	if (!(nic->hw.devcaps & SNIC_CAP_STATE) || !ops->vdpa.suspend ||
	    !device_state)
		return;
	snic_state_ops(ops)->get_state = snic_get_state;
	snic_state_ops(ops)->set_state = snic_set_state;
}
