// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the NIC's DMA engine.  Every access to driver memory
 * goes through the function's IOTLB (or passthrough) and checks the
 * mapping's permissions: nothing outside the mapped ranges is ever read
 * or written.  A model has no bus to master; it reaches a bus address
 * through the kernel's page of it, which exists for every address the
 * vdpa bus drivers hand out (pinned user pages, or memory the DMA API
 * mapped).
 */
#include <linux/align.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/vhost_iotlb.h>

#include "snic_model.h"

/**
 * snic_model_bus_access() - access bus addresses [@addr, @addr + @len)
 * @addr: first bus address
 * @len: bytes
 * @actor: called with the kernel address of each piece, page by page
 * @arg: its argument
 *
 * The NIC's access to memory outside any address space: its own tables
 * the host gives by bus address (the dirty log's page list and pages).
 *
 * Return: 0, or -EFAULT when a page is not memory (the pieces before it
 * have been accessed).
 */
int snic_model_bus_access(u64 addr, u64 len, snic_dma_actor actor, void *arg)
{
	while (len) {
		unsigned long pfn = PHYS_PFN(addr);
		size_t off = offset_in_page(addr);
		size_t n = min_t(u64, len, PAGE_SIZE - off);
		void *kaddr;

		if (!pfn_valid(pfn))
			return -EFAULT;
		kaddr = kmap_local_page(pfn_to_page(pfn));
		actor(arg, kaddr + off, n);
		kunmap_local(kaddr);
		addr += n;
		len -= n;
	}
	return 0;
}

/*
 * debugfs check_free: whether every page of bus addresses [@addr, @addr +
 * @len) has a reference.  A vhost user's pinned pages always do, while
 * the driver maps them; a page without one was freed, and the host let
 * go of memory the NIC still maps.  (Not for any memory: the tail pages
 * of a high-order allocation without __GFP_COMP count no reference.)
 */
static bool snic_pages_live(u64 addr, u64 len)
{
	unsigned long pfn;

	for (pfn = PHYS_PFN(addr); pfn <= PHYS_PFN(addr + len - 1); pfn++) {
		if (pfn_valid(pfn) && !folio_ref_count(page_folio(pfn_to_page(pfn)))) {
			pr_err_ratelimited("snic_model: DMA to bus address 0x%llx refused: the page is free\n",
					   PFN_PHYS(pfn));
			return false;
		}
	}
	return true;
}

/**
 * snic_model_dma() - let the NIC access driver memory
 * @fn: the function making the access
 * @asid: the address space it is made in
 * @iova: first IOVA
 * @len: bytes
 * @perm: SNIC_IOTLB_PERM_READ or SNIC_IOTLB_PERM_WRITE
 * @actor: called with the kernel address of each piece of the range,
 *	in order, under a spinlock
 * @arg: its argument
 *
 * The range may span several mappings; each must grant @perm.  When it
 * does not, the pieces before the hole have been accessed.
 *
 * Return: 0, -EFAULT for an unmapped IOVA, -EPERM for a mapping without
 * @perm.
 */
int snic_model_dma(struct snic_model_fn *fn, u16 asid, u64 iova, u64 len,
		   u32 perm, snic_dma_actor actor, void *arg)
{
	struct snic_model_as *as;
	u64 last;
	int err = 0;

	if (!len)
		return 0;
	if (asid >= SNIC_MODEL_NAS || check_add_overflow(iova, len - 1, &last))
		return -EFAULT;
	as = &fn->as[asid];

	spin_lock(&fn->iotlb_lock);
	if (as->passthrough) {
		err = snic_model_bus_access(iova, len, actor, arg);
		goto out;
	}
	while (len) {
		const struct vhost_iotlb_map *map;
		u64 n;

		map = vhost_iotlb_itree_first(as->iotlb, iova, iova);
		if (!map) {
			err = -EFAULT;
			break;
		}
		if ((map->perm & perm) != perm) {
			err = -EPERM;
			break;
		}
		n = min(len, map->last - iova + 1);
		if (fn->m && READ_ONCE(fn->m->check_free) &&
		    !snic_pages_live(map->addr + (iova - map->start), n)) {
			err = -EFAULT;
			break;
		}
		err = snic_model_bus_access(map->addr + (iova - map->start), n,
					    actor, arg);
		if (perm & SNIC_IOTLB_PERM_WRITE)
			snic_model_log_write(fn, asid, iova, n);
		if (err)
			break;
		iova += n;
		len -= n;
	}
out:
	spin_unlock(&fn->iotlb_lock);
	return err;
}

/**
 * snic_dma_to_buf() - DMA actor: copy from driver memory into a buffer
 * @arg: the &struct snic_dma_buf
 * @kaddr: kernel address of the piece
 * @len: its length
 */
void snic_dma_to_buf(void *arg, void *kaddr, size_t len)
{
	struct snic_dma_buf *b = arg;

	memcpy(b->p, kaddr, len);
	b->p += len;
}

/**
 * snic_dma_from_buf() - DMA actor: copy from a buffer into driver memory
 * @arg: the &struct snic_dma_buf
 * @kaddr: kernel address of the piece
 * @len: its length
 */
void snic_dma_from_buf(void *arg, void *kaddr, size_t len)
{
	struct snic_dma_buf *b = arg;

	memcpy(kaddr, b->p, len);
	b->p += len;
}

/**
 * snic_model_dma_read() - read driver memory into a buffer
 * @fn: the function
 * @asid: its address space
 * @iova: first IOVA
 * @buf: destination
 * @len: bytes
 *
 * Return: as snic_model_dma().
 */
int snic_model_dma_read(struct snic_model_fn *fn, u16 asid, u64 iova,
			void *buf, size_t len)
{
	struct snic_dma_buf b = { .p = buf };

	return snic_model_dma(fn, asid, iova, len, SNIC_IOTLB_PERM_READ,
			      snic_dma_to_buf, &b);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_read);

/**
 * snic_model_dma_write() - write a buffer into driver memory
 * @fn: the function
 * @asid: its address space
 * @iova: first IOVA
 * @buf: source
 * @len: bytes
 *
 * Return: as snic_model_dma().
 */
int snic_model_dma_write(struct snic_model_fn *fn, u16 asid, u64 iova,
			 const void *buf, size_t len)
{
	struct snic_dma_buf b = { .p = (u8 *)buf };

	return snic_model_dma(fn, asid, iova, len, SNIC_IOTLB_PERM_WRITE,
			      snic_dma_from_buf, &b);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_write);

/**
 * struct snic_dma_once - one naturally aligned access of 2 or 4 bytes
 * @val: the value, as it sits in memory (little endian)
 * @size: 2 or 4
 * @write: store @val, else load it
 * @split: the field was not reached in one piece
 */
struct snic_dma_once {
	u32 val;
	unsigned int size;
	bool write;
	bool split;
};

/*
 * DMA actor: the access, as one load or store.  A field that comes in
 * pieces (two mappings meet inside it) or lands misaligned is not
 * touched.
 */
static void snic_dma_once_actor(void *arg, void *kaddr, size_t len)
{
	struct snic_dma_once *a = arg;

	if (len != a->size || !IS_ALIGNED((unsigned long)kaddr, a->size) ||
	    a->split) {
		a->split = true;
		return;
	}
	if (a->size == 2) {
		if (a->write)
			WRITE_ONCE(*(u16 *)kaddr, (u16)a->val);
		else
			a->val = READ_ONCE(*(u16 *)kaddr);
	} else {
		if (a->write)
			WRITE_ONCE(*(u32 *)kaddr, a->val);
		else
			a->val = READ_ONCE(*(u32 *)kaddr);
	}
}

static int snic_dma_once(struct snic_model_fn *fn, u16 asid, u64 iova,
			 struct snic_dma_once *a)
{
	int err;

	if (!IS_ALIGNED(iova, a->size))
		return -EINVAL;
	err = snic_model_dma(fn, asid, iova, a->size,
			     a->write ? SNIC_IOTLB_PERM_WRITE : SNIC_IOTLB_PERM_READ,
			     snic_dma_once_actor, a);
	if (!err && a->split)
		err = -EINVAL;
	return err;
}

/**
 * snic_model_dma_read16() - read a 16-bit field the driver may be writing
 * @fn: the function
 * @asid: its address space
 * @iova: the field's IOVA, 2-byte aligned
 * @v: the field as it sits in memory
 *
 * One load (READ_ONCE()), so a field the driver changes meanwhile is
 * seen either before or after the change, never half of each, as
 * virtio 1.3 sections 2.7 and 2.8 require for ring indexes and flags.
 * It is ordered with the accesses around it only by the caller's
 * barriers.
 *
 * Return: 0; -EINVAL if @iova is not aligned or the field is not
 * reached in one piece; else as snic_model_dma().
 */
int snic_model_dma_read16(struct snic_model_fn *fn, u16 asid, u64 iova,
			  __le16 *v)
{
	struct snic_dma_once a = { .size = 2 };
	int err = snic_dma_once(fn, asid, iova, &a);

	*v = (__force __le16)(u16)a.val;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_read16);

/**
 * snic_model_dma_write16() - write a 16-bit field the driver may be reading
 * @fn: the function
 * @asid: its address space
 * @iova: the field's IOVA, 2-byte aligned
 * @v: the field as it is to sit in memory
 *
 * One store (WRITE_ONCE()): the driver sees the old value or the new
 * one.
 *
 * Return: as snic_model_dma_read16().
 */
int snic_model_dma_write16(struct snic_model_fn *fn, u16 asid, u64 iova,
			   __le16 v)
{
	struct snic_dma_once a = {
		.val = (__force u16)v,
		.size = 2,
		.write = true,
	};

	return snic_dma_once(fn, asid, iova, &a);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_write16);

/**
 * snic_model_dma_read32() - read a 32-bit field in one load
 * @fn: the function
 * @asid: its address space
 * @iova: the field's IOVA, 4-byte aligned
 * @v: the field as it sits in memory
 *
 * Return: as snic_model_dma_read16().
 */
int snic_model_dma_read32(struct snic_model_fn *fn, u16 asid, u64 iova,
			  __le32 *v)
{
	struct snic_dma_once a = { .size = 4 };
	int err = snic_dma_once(fn, asid, iova, &a);

	*v = (__force __le32)a.val;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_read32);

/**
 * snic_model_dma_write32() - write a 32-bit field in one store
 * @fn: the function
 * @asid: its address space
 * @iova: the field's IOVA, 4-byte aligned
 * @v: the field as it is to sit in memory
 *
 * Return: as snic_model_dma_read16().
 */
int snic_model_dma_write32(struct snic_model_fn *fn, u16 asid, u64 iova,
			   __le32 v)
{
	struct snic_dma_once a = {
		.val = (__force u32)v,
		.size = 4,
		.write = true,
	};

	return snic_dma_once(fn, asid, iova, &a);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_dma_write32);
