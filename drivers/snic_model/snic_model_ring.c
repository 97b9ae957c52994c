// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the virtqueue engine, split rings.  It reads rings and
 * descriptors, and writes used entries, through the NIC's DMA engine
 * (snic_model_dma.c), so every access is checked against the IOTLB.
 *
 * The rings belong to the driver, and through vhost-vdpa to a guest:
 * nothing read from them is trusted.  A fault (a loop, a chain longer
 * than the ring, an index out of range, an available index that jumps by
 * more than the ring size, an IOVA that is not mapped or not writable)
 * is returned as a negative errno, for the caller to stop the queue
 * (snic_model_fn_fail()).
 *
 * Packed rings: snic_model_packed.c, behind the same calls.
 *
 * The kernel's vringh would serve for the ring walk, but Debian's stock
 * 6.12 kernel is built without it (CONFIG_VHOST_RING), and the NIC's
 * engine has to run there.
 */
#include <linux/slab.h>
#include <uapi/linux/virtio_ring.h>

#include "snic_model.h"

/* Layout of a split ring, in bytes from the start of each area. */
#define SNIC_DESC_SIZE			16
#define SNIC_AVAIL_FLAGS		0
#define SNIC_AVAIL_IDX			2
#define SNIC_AVAIL_RING(i)		(4 + 2 * (u64)(i))
#define SNIC_USED_IDX			2
#define SNIC_USED_RING(i)		(4 + 8 * (u64)(i))

/**
 * struct snic_desc - a split-ring descriptor as it sits in memory
 * @addr: buffer IOVA
 * @len: buffer length
 * @flags: VRING_DESC_F_*
 * @next: next descriptor of the chain
 */
struct snic_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/*
 * The 16-bit fields of the driver and device areas (flags, indexes,
 * used_event, avail_event): the driver reads and writes them while the
 * device does, so each access is one naturally aligned load or store,
 * never a byte-wise copy that could see or leave half of an update.
 */
static int snic_ring_read16(struct snic_model_vq *vq, u64 iova, u16 *v)
{
	__le16 raw;
	int err;

	err = snic_model_dma_read16(vq->fn, vq->asid, iova, &raw);
	*v = le16_to_cpu(raw);
	return err;
}

static int snic_ring_write16(struct snic_model_vq *vq, u64 iova, u16 v)
{
	return snic_model_dma_write16(vq->fn, vq->asid, iova, cpu_to_le16(v));
}

static bool snic_ring_event_idx(const struct snic_model_vq *vq)
{
	return vq->features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
}

/**
 * snic_ring_alloc() - give a queue its scratch space
 * @vq: the queue, with its ring registers set
 *
 * Return: 0 or -ENOMEM.
 */
int snic_ring_alloc(struct snic_model_vq *vq)
{
	u16 n = vq->r.size;

	vq->chain[0].seg = kcalloc(n, sizeof(struct snic_seg), GFP_KERNEL);
	vq->chain[1].seg = kcalloc(n, sizeof(struct snic_seg), GFP_KERNEL);
	vq->used = kcalloc(n, sizeof(*vq->used), GFP_KERNEL);
	vq->pop_log = kcalloc(n, sizeof(*vq->pop_log), GFP_KERNEL);
	vq->ndesc = kcalloc(n, sizeof(*vq->ndesc), GFP_KERNEL);
	if (!vq->chain[0].seg || !vq->chain[1].seg || !vq->used ||
	    !vq->pop_log || !vq->ndesc) {
		snic_ring_free(vq);
		return -ENOMEM;
	}
	vq->nused = 0;
	vq->pop_head = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_alloc);

/**
 * snic_ring_free() - drop a queue's scratch space
 * @vq: the queue, stopped
 */
void snic_ring_free(struct snic_model_vq *vq)
{
	kfree(vq->chain[0].seg);
	kfree(vq->chain[1].seg);
	kfree(vq->used);
	kfree(vq->pop_log);
	kfree(vq->ndesc);
	vq->chain[0].seg = NULL;
	vq->chain[1].seg = NULL;
	vq->used = NULL;
	vq->pop_log = NULL;
	vq->ndesc = NULL;
	vq->nused = 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_free);

/* Walk the chain starting at @head into @c. */
static int snic_ring_walk(struct snic_model_vq *vq, u16 head,
			  struct snic_chain *c)
{
	u64 table = vq->r.desc;
	unsigned int max = vq->r.size, visited = 0, nseg = 0, i = head;
	bool indirect = false;
	struct snic_desc d;
	u16 flags;
	int err;

	c->head = head;
	c->nout = 0;
	c->nin = 0;
	c->out_len = 0;
	c->in_len = 0;
	for (;;) {
		/* More descriptors than the table holds: the chain loops. */
		if (++visited > max)
			return -ELOOP;
		err = snic_model_dma_read(vq->fn, vq->asid,
					  table + (u64)i * SNIC_DESC_SIZE,
					  &d, sizeof(d));
		if (err)
			return err;
		flags = le16_to_cpu(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			u32 len = le32_to_cpu(d.len);

			if (indirect || (flags & VRING_DESC_F_NEXT) ||
			    !(vq->features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)) ||
			    !len || len % SNIC_DESC_SIZE ||
			    len / SNIC_DESC_SIZE > vq->r.size)
				return -EINVAL;
			indirect = true;
			table = le64_to_cpu(d.addr);
			max = len / SNIC_DESC_SIZE;
			visited = 0;
			i = 0;
			continue;
		}

		/* A chain longer than the ring. */
		if (nseg == vq->r.size)
			return -E2BIG;
		c->seg[nseg].iova = le64_to_cpu(d.addr);
		c->seg[nseg].len = le32_to_cpu(d.len);
		nseg++;
		if (flags & VRING_DESC_F_WRITE) {
			c->nin++;
			c->in_len += le32_to_cpu(d.len);
		} else {
			/* Readable buffers come first. */
			if (c->nin)
				return -EINVAL;
			c->nout++;
			c->out_len += le32_to_cpu(d.len);
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16_to_cpu(d.next);
		if (i >= max)
			return -EINVAL;
	}
}

static int snic_split_pop(struct snic_model_vq *vq, struct snic_chain *c)
{
	u16 avail, head;
	int err;

	err = snic_ring_read16(vq, vq->r.driver + SNIC_AVAIL_IDX, &avail);
	if (err)
		return err;
	if (avail == vq->r.avail_idx)
		return 0;
	if ((u16)(avail - vq->r.avail_idx) > vq->r.size)
		return -EINVAL;
	/* Read the entry only after the index that published it. */
	virt_rmb();
	err = snic_ring_read16(vq, vq->r.driver +
			       SNIC_AVAIL_RING(vq->r.avail_idx & (vq->r.size - 1)),
			       &head);
	if (err)
		return err;
	if (head >= vq->r.size)
		return -EINVAL;
	err = snic_ring_walk(vq, head, c);
	if (err)
		return err;
	vq->r.avail_idx++;
	return 1;
}

static bool snic_ring_packed(const struct snic_model_vq *vq)
{
	return vq->r.flags & SNIC_VQ_F_PACKED;
}

/**
 * snic_ring_pop() - take the next available descriptor chain
 * @vq: the queue
 * @c: where to put the chain (its @seg array has room for the ring size)
 *
 * Return: 1 with @c filled, 0 when the ring is empty, or a negative errno
 * when the ring or the chain is malformed; the queue cannot go on then.
 */
int snic_ring_pop(struct snic_model_vq *vq, struct snic_chain *c)
{
	struct snic_ring_pos pos = {
		.idx = vq->r.avail_idx,
		.wrap = vq->r.avail_wrap,
	};
	int r;

	r = snic_ring_packed(vq) ? snic_packed_pop(vq, c) : snic_split_pop(vq, c);
	if (r <= 0)
		return r;
	/*
	 * A driver has at most a ring's worth of buffers outstanding: one
	 * more is one it offered again before the device used it, and
	 * there is no room to complete it.
	 */
	if (vq->received - vq->completed >= vq->r.size)
		return -EINVAL;
	vq->pop_log[vq->pop_head] = pos;
	vq->pop_head = vq->pop_head + 1 < vq->r.size ? vq->pop_head + 1 : 0;
	vq->received++;
	return 1;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_pop);

/**
 * snic_ring_unpop() - give back chains taken but not used
 * @vq: the queue
 * @n: how many of the last ones taken (at most the ring size)
 */
void snic_ring_unpop(struct snic_model_vq *vq, u16 n)
{
	struct snic_ring_pos pos;

	if (!n)
		return;
	vq->pop_head = (vq->pop_head + vq->r.size - n) % vq->r.size;
	vq->received -= n;
	pos = vq->pop_log[vq->pop_head];
	vq->r.avail_idx = pos.idx;
	vq->r.avail_wrap = pos.wrap;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_unpop);

/**
 * snic_chain_xfer() - access a byte range of a chain's buffers
 * @vq: the queue the chain came from
 * @c: the chain
 * @in: the device-writable part (else the readable part)
 * @off: first byte, counted from the start of that part
 * @len: bytes
 * @actor: called on each piece, as by snic_model_dma()
 * @arg: its argument
 *
 * Return: 0, -EINVAL if the part is shorter than @off + @len, or the
 * error of snic_model_dma().
 */
int snic_chain_xfer(struct snic_model_vq *vq, const struct snic_chain *c,
		    bool in, u64 off, u64 len, snic_dma_actor actor, void *arg)
{
	unsigned int i = in ? c->nout : 0, end = in ? c->nout + c->nin : c->nout;
	u32 perm = in ? SNIC_IOTLB_PERM_WRITE : SNIC_IOTLB_PERM_READ;
	int err;

	if (off + len > (in ? c->in_len : c->out_len))
		return -EINVAL;
	for (; i < end && len; i++) {
		const struct snic_seg *s = &c->seg[i];
		u64 n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = min_t(u64, len, s->len - off);
		err = snic_model_dma(vq->fn, vq->asid, s->iova + off, n, perm,
				     actor, arg);
		if (err)
			return err;
		off = 0;
		len -= n;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_chain_xfer);

/**
 * snic_chain_pull() - copy bytes out of a chain's readable buffers
 * @vq: the queue
 * @c: the chain
 * @off: first byte
 * @buf: destination
 * @len: bytes
 *
 * Return: as snic_chain_xfer().
 */
int snic_chain_pull(struct snic_model_vq *vq, const struct snic_chain *c,
		    u64 off, void *buf, size_t len)
{
	struct snic_dma_buf b = { .p = buf };

	return snic_chain_xfer(vq, c, false, off, len, snic_dma_to_buf, &b);
}
EXPORT_SYMBOL_IF_KUNIT(snic_chain_pull);

/**
 * snic_chain_push() - copy bytes into a chain's writable buffers
 * @vq: the queue
 * @c: the chain
 * @off: first byte
 * @buf: source
 * @len: bytes
 *
 * Return: as snic_chain_xfer().
 */
int snic_chain_push(struct snic_model_vq *vq, const struct snic_chain *c,
		    u64 off, const void *buf, size_t len)
{
	struct snic_dma_buf b = { .p = (u8 *)buf };

	return snic_chain_xfer(vq, c, true, off, len, snic_dma_from_buf, &b);
}
EXPORT_SYMBOL_IF_KUNIT(snic_chain_push);

/**
 * snic_ring_add_used() - record a used chain, to publish with the next flush
 * @vq: the queue
 * @head: the chain's head
 * @len: bytes the device wrote into it
 */
void snic_ring_add_used(struct snic_model_vq *vq, u16 head, u32 len)
{
	/* At most one entry per chain taken: never more than the ring size. */
	vq->used[vq->nused].id = cpu_to_le32(head);
	vq->used[vq->nused].len = cpu_to_le32(len);
	vq->nused++;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_add_used);

/**
 * snic_ring_flush() - publish the recorded used entries
 * @vq: the queue
 * @notify: set when the driver asked for an interrupt for them
 *
 * The entries are written first, then the used index, once: the driver
 * sees all of a merged receive buffer's chains at the same time.
 *
 * Return: 0 or the DMA error.
 */
int snic_ring_flush(struct snic_model_vq *vq, bool *notify)
{
	u16 old = vq->r.used_idx, new = old + vq->nused, first, n, event, flags;
	u16 size = vq->r.size;
	int err;

	if (snic_ring_packed(vq))
		return snic_packed_flush(vq, notify);
	if (!vq->nused)
		return 0;
	first = old & (size - 1);
	n = min_t(u16, vq->nused, size - first);
	err = snic_model_dma_write(vq->fn, vq->asid,
				   vq->r.device + SNIC_USED_RING(first),
				   vq->used, n * sizeof(*vq->used));
	if (!err && n < vq->nused)
		err = snic_model_dma_write(vq->fn, vq->asid,
					   vq->r.device + SNIC_USED_RING(0),
					   vq->used + n,
					   (vq->nused - n) * sizeof(*vq->used));
	if (err)
		return err;
	/* Entries before the index that publishes them. */
	virt_wmb();
	err = snic_ring_write16(vq, vq->r.device + SNIC_USED_IDX, new);
	if (err)
		return err;
	vq->r.used_idx = new;
	vq->completed += vq->nused;
	vq->nused = 0;

	/* The index is visible before the driver's wishes are read. */
	virt_mb();
	if (snic_ring_event_idx(vq)) {
		err = snic_ring_read16(vq, vq->r.driver + SNIC_AVAIL_RING(size),
				       &event);
		*notify |= !err && vring_need_event(event, new, old);
	} else {
		err = snic_ring_read16(vq, vq->r.driver + SNIC_AVAIL_FLAGS,
				       &flags);
		*notify |= !err && !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_flush);

/**
 * snic_ring_wait_kick() - ask for a doorbell when the driver adds buffers
 * @vq: the queue, found empty
 *
 * With VIRTIO_RING_F_EVENT_IDX the NIC publishes the available index it
 * wants a doorbell for; without it, the driver always rings.  Buffers
 * added meanwhile are then found by checking again.
 *
 * Return: 1 if buffers arrived meanwhile, 0 if the queue may sleep until
 * its doorbell, or the DMA error.
 */
int snic_ring_wait_kick(struct snic_model_vq *vq)
{
	u16 avail;
	int err;

	if (snic_ring_packed(vq))
		return snic_packed_wait_kick(vq);
	if (snic_ring_event_idx(vq)) {
		err = snic_ring_write16(vq, vq->r.device +
					SNIC_USED_RING(vq->r.size),
					vq->r.avail_idx);
		if (err)
			return err;
	}
	/* The wish is visible before the index is read again. */
	virt_mb();
	err = snic_ring_read16(vq, vq->r.driver + SNIC_AVAIL_IDX, &avail);
	if (err)
		return err;
	return avail != vq->r.avail_idx;
}
EXPORT_SYMBOL_IF_KUNIT(snic_ring_wait_kick);
