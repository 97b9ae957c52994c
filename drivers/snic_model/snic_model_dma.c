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
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/vhost_iotlb.h>

#include "snic_model.h"

/* Apply @actor to [addr, addr + len) of physical memory, page by page. */
static int snic_dma_phys(u64 addr, u64 len, snic_dma_actor actor, void *arg)
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
		err = snic_dma_phys(iova, len, actor, arg);
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
		err = snic_dma_phys(map->addr + (iova - map->start), n, actor,
				    arg);
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
