// SPDX-License-Identifier: GPL-2.0
/*
 * Address spaces of a snic device: what memory the NIC may reach for it.
 *
 * Each address space is in one of three states:
 *  - empty: the NIC reaches no memory through it.  A device starts so,
 *    and returns to it at every reset of its mappings: a userspace
 *    (vhost_vdpa) owner gets no access to memory it did not map;
 *  - mapped: vhost_vdpa's dma_map()/dma_unmap() gave it IOVA ranges of
 *    pinned pages.  The driver maps each range for the NIC's device with
 *    the DMA API, hands the NIC the DMA address, and keeps the range in
 *    its own IOTLB to unmap it later, with a reference to its pages until
 *    the NIC has dropped it;
 *  - passthrough: an in-kernel bus driver (virtio_vdpa) asked for the DMA
 *    device of a queue in this address space (get_vq_dma_dev), so it uses
 *    the DMA API of that device itself and its IOVAs are DMA addresses.
 *    Passthrough ends at the next reset; virtio_vdpa asks again when it
 *    sets up its queues after one.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/vhost_types.h>

#include "snic.h"

static enum dma_data_direction snic_dma_dir(u32 perm)
{
	switch (perm & VHOST_MAP_RW) {
	case VHOST_MAP_RO:
		return DMA_TO_DEVICE;
	case VHOST_MAP_WO:
		return DMA_FROM_DEVICE;
	default:
		return DMA_BIDIRECTIONAL;
	}
}

static void snic_pages_release(struct page *first, unsigned long n)
{
	while (n--)
		folio_put(page_folio(nth_page(first, n)));
}

/*
 * A reference to each of the @n pages from @first, which stays until the
 * NIC dropped the mapping: vhost_vdpa unpins a range before it calls
 * dma_unmap(), so a page of a user that let go of it first (munmap, then
 * IOTLB_INVALIDATE) would otherwise be freed, and reused, while the NIC
 * can still write there.  Fails for a page that has no reference.
 */
static bool snic_pages_hold(struct page *first, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (!folio_try_get(page_folio(nth_page(first, i))))
			goto undo;
	return true;

undo:
	snic_pages_release(first, i);
	return false;
}

/* After the NIC dropped the mapping: its DMA mapping, then its pages. */
static void snic_dma_unmap_entry(struct snic_vdpa *sv, struct vhost_iotlb *tlb,
				 struct vhost_iotlb_map *map)
{
	dma_unmap_page_attrs(sv->nic->dev, map->addr, map->size,
			     snic_dma_dir(map->perm), DMA_ATTR_SKIP_CPU_SYNC);
	snic_pages_release(map->opaque, DIV_ROUND_UP(map->size, PAGE_SIZE));
	vhost_iotlb_map_free(tlb, map);
}

/* Drop the driver's record of every mapping of @as: the NIC has none. */
static void snic_as_unmap_all(struct snic_vdpa *sv, struct snic_as *as)
{
	struct vhost_iotlb_map *map;

	while ((map = vhost_iotlb_itree_first(as->maps, 0, U64_MAX)))
		snic_dma_unmap_entry(sv, as->maps, map);
}

/**
 * snic_as_init() - a new device's address spaces, all empty
 * @sv: the device
 *
 * Return: 0 or -ENOMEM.
 */
int snic_as_init(struct snic_vdpa *sv)
{
	unsigned int i;

	for (i = 0; i < SNIC_NAS; i++) {
		/*
		 * No limit of its own (0 would take no mapping at all): the
		 * NIC enforces IOTLB_MAX.
		 */
		sv->as[i].maps = vhost_iotlb_alloc(UINT_MAX, 0);
		if (!sv->as[i].maps) {
			snic_as_fini(sv);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * snic_as_fini() - unmap and free what the address spaces hold
 * @sv: the device, whose function the NIC no longer runs (destroyed, or
 *	the NIC is gone)
 */
void snic_as_fini(struct snic_vdpa *sv)
{
	unsigned int i;

	for (i = 0; i < SNIC_NAS; i++) {
		if (!sv->as[i].maps)
			continue;
		snic_as_unmap_all(sv, &sv->as[i]);
		vhost_iotlb_free(sv->as[i].maps);
		sv->as[i].maps = NULL;
	}
}

/**
 * snic_as_reset() - the function was reset: update the address spaces
 * @sv: the device
 * @clean_map: the reset cleared the NIC's IOTLBs (VDPA_RESET_F_CLEAN_MAP)
 *
 * Mappings survive a reset unless @clean_map; passthrough never does.
 */
void snic_as_reset(struct snic_vdpa *sv, bool clean_map)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&sv->lock);
	for (i = 0; i < SNIC_NGROUPS; i++)
		sv->group_asid[i] = 0;
	for (i = 0; i < SNIC_NAS; i++) {
		struct snic_as *as = &sv->as[i];

		if (clean_map) {
			snic_as_unmap_all(sv, as);
			as->passthrough = false;
		} else if (as->passthrough) {
			err = snic_hw_iotlb_reset(snic_hw(sv), sv->fn, i, 0);
			if (err && err != -ENODEV)
				dev_err(&sv->vdpa.dev, "the NIC did not end passthrough of address space %u: %pe\n",
					i, ERR_PTR(err));
			as->passthrough = false;
		}
	}
}

/**
 * snic_as_set_group() - record which address space a group uses
 * @sv: the device
 * @group: the group
 * @asid: its address space, as the NIC accepted
 */
void snic_as_set_group(struct snic_vdpa *sv, unsigned int group,
		       unsigned int asid)
{
	mutex_lock(&sv->lock);
	sv->group_asid[group] = asid;
	mutex_unlock(&sv->lock);
}

/**
 * snic_dma_map() - vdpa_config_ops.dma_map: map [@iova, @iova + @size)
 *	to the pinned pages at @pa for the NIC
 * @vdpa: the device
 * @asid: the address space
 * @iova: first IOVA
 * @size: bytes
 * @pa: physical address of the (contiguous) pages, page aligned
 * @perm: VHOST_MAP_*
 * @opaque: unused (no VA mappings)
 *
 * Return: 0 or a negative errno; on error nothing is mapped.
 */
int snic_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		 u64 size, u64 pa, u32 perm, void *opaque)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct device *dev = sv->nic->dev;
	unsigned long npages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct snic_as *as;
	struct page *page;
	dma_addr_t dma;
	u64 last;
	u32 p = 0;
	int err;

	/* vhost_vdpa maps runs of whole pinned pages. */
	if (asid >= vdpa->nas || !size || check_add_overflow(iova, size - 1, &last) ||
	    size > SIZE_MAX || !(perm & VHOST_MAP_RW) || !PAGE_ALIGNED(pa) ||
	    !pfn_valid(PHYS_PFN(pa)) || !pfn_valid(PHYS_PFN(pa + size - 1)))
		return -EINVAL;
	page = pfn_to_page(PHYS_PFN(pa));
	if (perm & VHOST_MAP_RO)
		p |= SNIC_IOTLB_PERM_READ;
	if (perm & VHOST_MAP_WO)
		p |= SNIC_IOTLB_PERM_WRITE;

	mutex_lock(&sv->lock);
	as = &sv->as[asid];
	/* Overlaps are refused, as the NIC would refuse them. */
	if (vhost_iotlb_itree_first(as->maps, iova, last)) {
		err = -EINVAL;
		goto out;
	}
	if (!snic_pages_hold(page, npages)) {
		err = -EINVAL;
		goto out;
	}
	dma = dma_map_page_attrs(dev, page, 0, size, snic_dma_dir(perm),
				 DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(dev, dma)) {
		err = -ENOMEM;
		goto err_release;
	}
	err = vhost_iotlb_add_range_ctx(as->maps, iova, last, dma, perm, page);
	if (err)
		goto err_unmap;
	err = snic_hw_iotlb_map(snic_hw(sv), sv->fn, asid, iova, size, dma, p);
	if (err)
		goto err_del;
	as->passthrough = false;
	mutex_unlock(&sv->lock);
	return 0;

err_del:
	vhost_iotlb_del_range(as->maps, iova, last);
err_unmap:
	dma_unmap_page_attrs(dev, dma, size, snic_dma_dir(perm),
			     DMA_ATTR_SKIP_CPU_SYNC);
err_release:
	snic_pages_release(page, npages);
out:
	mutex_unlock(&sv->lock);
	return err;
}

/**
 * snic_dma_unmap() - vdpa_config_ops.dma_unmap: unmap whole mappings
 * @vdpa: the device
 * @asid: the address space
 * @iova: first IOVA
 * @size: bytes
 *
 * The NIC drops the range before the DMA mappings go.
 *
 * Return: 0, or -EINVAL if the range cuts a mapping in two (nothing is
 * unmapped then).
 */
int snic_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		   u64 size)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	struct vhost_iotlb_map *map;
	struct snic_as *as;
	u64 last;
	int err;

	if (asid >= vdpa->nas || !size || check_add_overflow(iova, size - 1, &last))
		return -EINVAL;
	mutex_lock(&sv->lock);
	as = &sv->as[asid];
	for (map = vhost_iotlb_itree_first(as->maps, iova, last); map;
	     map = vhost_iotlb_itree_next(map, iova, last)) {
		if (map->start < iova || map->last > last) {
			err = -EINVAL;
			goto out;
		}
	}
	/* A NIC that is gone reaches no memory: the mappings may go. */
	err = snic_hw_iotlb_unmap(snic_hw(sv), sv->fn, asid, iova, size);
	if (err == -ENODEV)
		err = 0;
	if (err)
		goto out;
	while ((map = vhost_iotlb_itree_first(as->maps, iova, last)))
		snic_dma_unmap_entry(sv, as->maps, map);
out:
	mutex_unlock(&sv->lock);
	return err;
}

/**
 * snic_reset_map() - vdpa_config_ops.reset_map: back to empty
 * @vdpa: the device
 * @asid: the address space
 *
 * Return: 0 or a negative errno.
 */
int snic_reset_map(struct vdpa_device *vdpa, unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	if (asid >= vdpa->nas)
		return -EINVAL;
	mutex_lock(&sv->lock);
	err = snic_hw_iotlb_reset(snic_hw(sv), sv->fn, asid, 0);
	if (err == -ENODEV)
		err = 0;
	if (!err) {
		snic_as_unmap_all(sv, &sv->as[asid]);
		sv->as[asid].passthrough = false;
	}
	mutex_unlock(&sv->lock);
	return err;
}

/**
 * snic_get_vq_dma_dev() - vdpa_config_ops.get_vq_dma_dev
 * @vdpa: the device
 * @idx: a queue
 *
 * An in-kernel driver asks which device to map the queue's memory for: it
 * will hand the NIC DMA addresses of that device, so the queue's address
 * space goes to passthrough, unless a userspace owner mapped memory in it.
 *
 * Return: the NIC's device.
 */
struct device *snic_get_vq_dma_dev(struct vdpa_device *vdpa, u16 idx)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	unsigned int asid, group;
	struct snic_as *as;
	int err;

	if (idx >= sv->nvqs)
		return sv->nic->dev;
	group = vdpa->config->get_vq_group(vdpa, idx);
	if (group >= SNIC_NGROUPS)
		return sv->nic->dev;
	mutex_lock(&sv->lock);
	asid = sv->group_asid[group];
	as = &sv->as[asid];
	if (as->passthrough || vhost_iotlb_itree_first(as->maps, 0, U64_MAX))
		goto out;
	err = snic_hw_iotlb_reset(snic_hw(sv), sv->fn, asid,
				  SNIC_IOTLB_RESET_PASSTHROUGH);
	if (err)
		dev_err(&vdpa->dev, "the NIC refused passthrough for address space %u: %pe\n",
			asid, ERR_PTR(err));
	else
		as->passthrough = true;
out:
	mutex_unlock(&sv->lock);
	return sv->nic->dev;
}
EXPORT_SYMBOL_IF_KUNIT(snic_get_vq_dma_dev);
