// SPDX-License-Identifier: GPL-2.0
/*
 * vdpa_config_ops of a snic device: what vhost_vdpa and virtio_vdpa ask
 * of one virtio-net function of the SmartNIC.
 *
 * The device part (features, status, reset, config space, virtqueue
 * layout, groups and address spaces) is complete.  Virtqueue processing
 * and DMA mapping belong to the data path, which is not implemented yet:
 * the queue registers are kept, but no buffer is consumed.
 */
#include <linux/slab.h>
#include <linux/virtio_byteorder.h>
#include <uapi/linux/virtio_ids.h>

#include "snic.h"

static bool snic_is_le(const struct snic_vdpa *sv)
{
	return virtio_legacy_is_little_endian() ||
	       (sv->driver_features & BIT_ULL(VIRTIO_F_VERSION_1));
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
	/* The doorbell: the data path that answers it is not there yet. */
}

static void snic_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
			   struct vdpa_callback *cb)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	if (!vq)
		return;
	mutex_lock(&sv->lock);
	vq->cb = *cb;
	mutex_unlock(&sv->lock);
}

static void snic_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	if (!vq)
		return;
	mutex_lock(&sv->lock);
	vq->ready = ready;
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

	if (!vq)
		return -EINVAL;
	mutex_lock(&sv->lock);
	vq->avail_idx = state->split.avail_index;
	mutex_unlock(&sv->lock);
	return 0;
}

static int snic_get_vq_state(struct vdpa_device *vdpa, u16 idx,
			     struct vdpa_vq_state *state)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct snic_vq *vq = snic_vq(sv, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&sv->lock);
	state->split.avail_index = vq->avail_idx;
	mutex_unlock(&sv->lock);
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
	mutex_lock(&sv->lock);
	sv->group_asid[group] = asid;
	mutex_unlock(&sv->lock);
	return 0;
}

static u64 snic_get_device_features(struct vdpa_device *vdpa)
{
	return vdpa_to_snic(vdpa)->params.features;
}

static int snic_set_driver_features(struct vdpa_device *vdpa, u64 features)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	sv->driver_features = features;
	mutex_unlock(&sv->lock);
	return 0;
}

static u64 snic_get_driver_features(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	u64 features;

	mutex_lock(&sv->lock);
	features = sv->driver_features;
	mutex_unlock(&sv->lock);
	return features;
}

static void snic_set_config_cb(struct vdpa_device *vdpa,
			       struct vdpa_callback *cb)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	sv->config_cb = *cb;
	mutex_unlock(&sv->lock);
}

static u16 snic_get_vq_num_max(struct vdpa_device *vdpa)
{
	return vdpa_to_snic(vdpa)->nic->caps.vq_num_max;
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
	u8 status;

	mutex_lock(&sv->lock);
	status = sv->status;
	mutex_unlock(&sv->lock);
	return status;
}

/* Whether the device can accept the features the driver wrote. */
static bool snic_driver_features_ok(struct snic_vdpa *sv)
{
	u64 f = sv->driver_features;
	int bit;

	if (f & ~sv->params.features) {
		dev_dbg(&sv->vdpa.dev, "driver accepted unoffered features 0x%llx\n",
			f & ~sv->params.features);
		return false;
	}
	if (!(f & BIT_ULL(VIRTIO_F_VERSION_1))) {
		dev_dbg(&sv->vdpa.dev, "driver did not accept VERSION_1: no legacy interface\n");
		return false;
	}
	if (snic_feature_deps_missing(f, &bit)) {
		dev_dbg(&sv->vdpa.dev, "driver accepted feature %d without its dependency\n",
			bit);
		return false;
	}
	return true;
}

static void snic_reset_locked(struct snic_vdpa *sv)
{
	unsigned int i;

	lockdep_assert_held(&sv->lock);
	for (i = 0; i < sv->nvqs; i++)
		sv->vqs[i] = (struct snic_vq) {};
	memset(sv->group_asid, 0, sizeof(sv->group_asid));
	sv->driver_features = 0;
	sv->status = 0;
}

static void snic_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	u8 added;

	mutex_lock(&sv->lock);
	if (!status) {
		snic_reset_locked(sv);
		goto out;
	}
	if (sv->status & ~status) {
		/* Only a reset clears status bits. */
		dev_dbg_ratelimited(&vdpa->dev, "status 0x%x clears bits of 0x%x: ignored\n",
				    status, sv->status);
		goto out;
	}
	added = status & ~sv->status;
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !snic_driver_features_ok(sv))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		dev_dbg_ratelimited(&vdpa->dev, "DRIVER_OK without FEATURES_OK\n");
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	}
	sv->status = status;
out:
	mutex_unlock(&sv->lock);
}

static int snic_reset(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	snic_reset_locked(sv);
	mutex_unlock(&sv->lock);
	return 0;
}

static size_t snic_get_config_size(struct vdpa_device *vdpa)
{
	return sizeof(struct virtio_net_config);
}

static void snic_get_config(struct vdpa_device *vdpa, unsigned int offset,
			    void *buf, unsigned int len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	snic_netcfg_read(&sv->cfg, snic_is_le(sv), offset, buf, len);
	mutex_unlock(&sv->lock);
}

static void snic_set_config(struct vdpa_device *vdpa, unsigned int offset,
			    const void *buf, unsigned int len)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	mutex_lock(&sv->lock);
	if (snic_netcfg_write(&sv->cfg, offset, buf, len))
		sv->generation++;
	mutex_unlock(&sv->lock);
}

static u32 snic_get_generation(struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	u32 gen;

	mutex_lock(&sv->lock);
	gen = sv->generation;
	mutex_unlock(&sv->lock);
	return gen;
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
	.get_vq_num_max = snic_get_vq_num_max,
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
	.free = snic_free,
};

/**
 * snic_vdpa_alloc() - allocate a vDPA device on @nic, not yet registered
 * @nic: the NIC that will host it
 * @name: its name
 * @p: its attributes, already checked by snic_resolve_params()
 *
 * Release it with put_device(&sv->vdpa.dev).
 *
 * Return: the device, or an ERR_PTR().
 */
struct snic_vdpa *snic_vdpa_alloc(struct snic_nic *nic, const char *name,
				  const struct snic_dev_params *p)
{
	struct snic_vdpa *sv;

	sv = vdpa_alloc_device(struct snic_vdpa, vdpa, nic->dev, &snic_vdpa_ops,
			       SNIC_NGROUPS, SNIC_NAS, name, false);
	if (IS_ERR(sv))
		return sv;

	/* From here on snic_free() runs when the last reference goes. */
	mutex_init(&sv->lock);
	sv->nic = nic;
	sv->fn = -1;
	sv->params = *p;
	sv->nvqs = 2 * p->max_vq_pairs +
		   !!(p->features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ));
	sv->vqs = kcalloc(sv->nvqs, sizeof(*sv->vqs), GFP_KERNEL);
	if (!sv->vqs) {
		put_device(&sv->vdpa.dev);
		return ERR_PTR(-ENOMEM);
	}
	snic_netcfg_init(&sv->cfg, p);
	sv->vdpa.dma_dev = nic->dev;
	return sv;
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_alloc);

/**
 * snic_vdpa_set_mac() - change the MAC address from the host side
 * @sv: the device
 * @mac: a valid unicast address
 *
 * Raises a config-change interrupt, as the NIC does when its
 * administrator changes the address.
 */
void snic_vdpa_set_mac(struct snic_vdpa *sv, const u8 *mac)
{
	struct vdpa_callback cb = {};

	mutex_lock(&sv->lock);
	if (!ether_addr_equal(sv->cfg.mac, mac)) {
		ether_addr_copy(sv->cfg.mac, mac);
		ether_addr_copy(sv->params.mac, mac);
		sv->generation++;
		cb = sv->config_cb;
	}
	mutex_unlock(&sv->lock);
	if (cb.callback)
		cb.callback(cb.private);
}
EXPORT_SYMBOL_IF_KUNIT(snic_vdpa_set_mac);
