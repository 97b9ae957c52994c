// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty-page log of a snic device: the vdpa log ops (proposed by
 * patches/linux/, see snic_compat.h) on the NIC's DIRTY_LOG_* commands.
 *
 * The bus driver hands a bitmap in its user's pinned pages, in vhost's
 * format; the NIC writes into it itself (Documentation/vendor-interface.rst,
 * "Dirty-page logging").  The driver maps each page of it for the NIC's
 * device, gives the NIC the list of their bus addresses, and unmaps them
 * once the NIC let the bitmap go: after DIRTY_LOG_STOP, a DIRTY_LOG_START
 * that replaced it, or a reset.  The bitmap is read and cleared by the
 * CPU while the NIC sets bits: like the rings, it needs a DMA-coherent
 * device.
 */
#include <linux/dma-mapping.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "snic.h"

/*
 * Only a vhost_vdpa with the series knows VHOST_BACKEND_F_LOG_ALL_DEVICE;
 * Debian's passes a parent's backend bits to userspace as they are, then
 * refuses the bit in VHOST_SET_BACKEND_FEATURES: a VMM that acknowledges
 * what it is offered would fail.  So the log is offered by default only
 * where the kernel's own vdpa.h has the log ops.
 */
static bool dirty_log = SNIC_KERNEL_HAS_VDPA_LOG;
module_param(dirty_log, bool, 0444);
MODULE_PARM_DESC(dirty_log,
		 "Offer the NIC's dirty page log to vhost_vdpa; it needs a vhost_vdpa built with the series of patches/linux/ (the drop-in module on a stock kernel). Default: on if the kernel has the log ops");

/* NIC pages (4 KiB) in one CPU page. */
#define SNIC_LOG_PER_PAGE	(PAGE_SIZE / SNIC_LOG_PAGE_SIZE)

static void snic_log_unmap(struct snic_vdpa *sv, dma_addr_t *dma,
			   unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		dma_unmap_page(sv->nic->dev, dma[i], PAGE_SIZE,
			       DMA_BIDIRECTIONAL);
	kvfree(dma);
}

/**
 * snic_log_reset() - the NIC let the device's log go: give its pages back
 * @sv: the device, with its lock held (or being freed)
 *
 * After DIRTY_LOG_STOP, a DIRTY_LOG_START that replaced the log, or a
 * reset of the device, which ends its log.
 */
void snic_log_reset(struct snic_vdpa *sv)
{
	if (sv->log.dma)
		snic_log_unmap(sv, sv->log.dma, sv->log.npages);
	sv->log = (struct snic_log) {};
}

/* Map the pages of @log for the NIC; their bus addresses go into @dma. */
static int snic_log_map(struct snic_vdpa *sv, const struct vdpa_log *log,
			dma_addr_t *dma)
{
	struct device *dev = sv->nic->dev;
	unsigned long i;

	for (i = 0; i < log->npages; i++) {
		dma[i] = dma_map_page(dev, log->pages[i], 0, PAGE_SIZE,
				      DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, dma[i])) {
			while (i--)
				dma_unmap_page(dev, dma[i], PAGE_SIZE,
					       DMA_BIDIRECTIONAL);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * DIRTY_LOG_START with the list of the NIC pages that hold @log's bitmap,
 * from the one of its first byte on.
 */
static int snic_log_start_hw(struct snic_vdpa *sv, unsigned int asid,
			     const struct vdpa_log *log, const dma_addr_t *dma)
{
	struct device *dev = sv->nic->dev;
	unsigned long first = log->offset / SNIC_LOG_PAGE_SIZE;
	unsigned long n = log->npages * SNIC_LOG_PER_PAGE - first, i;
	dma_addr_t list_dma;
	__le64 *list;
	int err;

	if (n > SNIC_LOG_MAX_PAGES)
		return -E2BIG;
	list = dma_alloc_coherent(dev, n * sizeof(*list), &list_dma, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned long k = first + i;

		list[i] = cpu_to_le64(dma[k / SNIC_LOG_PER_PAGE] +
				      (k % SNIC_LOG_PER_PAGE) * SNIC_LOG_PAGE_SIZE);
	}
	/* The NIC reads the list during the command only. */
	err = snic_hw_log_start(snic_hw(sv), sv->fn, asid, list_dma, n,
				log->offset % SNIC_LOG_PAGE_SIZE, log->nbits);
	dma_free_coherent(dev, n * sizeof(*list), list, list_dma);
	return err;
}

/**
 * snic_log_start() - vdpa log_start: log the writes into @asid in @log
 * @vdpa: the device
 * @asid: the address space
 * @log: the bitmap, in its user's pinned pages
 *
 * Replaces the log the device had, if any, once the NIC took the new
 * one.
 *
 * Return: 0 or a negative errno.
 */
VISIBLE_IF_KUNIT int snic_log_start(struct vdpa_device *vdpa,
				    unsigned int asid,
				    const struct vdpa_log *log)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	dma_addr_t *dma;
	int err;

	if (asid >= vdpa->nas || !log->npages || !log->nbits ||
	    log->offset >= PAGE_SIZE ||
	    (u64)log->npages * PAGE_SIZE <
	    log->offset + DIV_ROUND_UP_ULL(log->nbits, BITS_PER_BYTE))
		return -EINVAL;
	if (log->nbits > SNIC_LOG_MAX_NBITS)
		return -E2BIG;
	dma = kvmalloc_array(log->npages, sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;
	err = snic_log_map(sv, log, dma);
	if (err) {
		kvfree(dma);
		return err;
	}

	mutex_lock(&sv->lock);
	/* One log per device: another address space's goes first. */
	if (sv->log.dma && sv->log.asid != asid) {
		err = snic_hw_log_stop(snic_hw(sv), sv->fn, sv->log.asid);
		if (err)
			goto err_unlock;
		snic_log_reset(sv);
	}
	err = snic_log_start_hw(sv, asid, log, dma);
	if (err)
		goto err_unlock;
	/* The NIC no longer touches the old bitmap. */
	snic_log_reset(sv);
	sv->log = (struct snic_log) {
		.asid = asid,
		.dma = dma,
		.npages = log->npages,
	};
	mutex_unlock(&sv->lock);
	return 0;

err_unlock:
	mutex_unlock(&sv->lock);
	dev_err(&vdpa->dev, "the NIC did not take the dirty-page log of address space %u (%pe)\n",
		asid, ERR_PTR(err));
	snic_log_unmap(sv, dma, log->npages);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_log_start);

/**
 * snic_log_stop() - vdpa log_stop: stop logging @asid
 * @vdpa: the device
 * @asid: the address space
 *
 * Return: 0, -ENOENT if @asid is not logged, or another negative errno.
 */
VISIBLE_IF_KUNIT int snic_log_stop(struct vdpa_device *vdpa, unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err = -ENOENT;

	mutex_lock(&sv->lock);
	if (sv->log.dma && sv->log.asid == asid) {
		err = snic_hw_log_stop(snic_hw(sv), sv->fn, asid);
		/* Kept mapped if the NIC may still write into it. */
		if (!err)
			snic_log_reset(sv);
	}
	mutex_unlock(&sv->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_log_stop);

/**
 * snic_log_sync() - vdpa log_sync: make every earlier write's bit visible
 * @vdpa: the device
 * @asid: the address space
 *
 * Return: 0, -ENOENT if @asid is not logged, or another negative errno.
 */
VISIBLE_IF_KUNIT int snic_log_sync(struct vdpa_device *vdpa, unsigned int asid)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err = -ENOENT;

	mutex_lock(&sv->lock);
	if (sv->log.dma && sv->log.asid == asid)
		err = snic_hw_log_sync(snic_hw(sv), sv->fn, asid);
	mutex_unlock(&sv->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_log_sync);

/**
 * snic_log_ops_init() - the log ops, for a NIC that logs (and the module
 *	parameter dirty_log on)
 * @nic: the NIC, identified
 */
void snic_log_ops_init(struct snic_nic *nic)
{
	struct snic_vdpa_ops *ops = &nic->ops;

	if (!(nic->hw.devcaps & SNIC_CAP_DIRTY_LOG) || !dirty_log)
		return;
	snic_log_ops(ops)->log_start = snic_log_start;
	snic_log_ops(ops)->log_stop = snic_log_stop;
	snic_log_ops(ops)->log_sync = snic_log_sync;
}
