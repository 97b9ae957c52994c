// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the virtqueue engine for packed rings (virtio 1.2
 * section 2.8), behind the same calls as the split engine
 * (snic_model_ring.c dispatches here for SNIC_VQ_F_PACKED queues).
 *
 * The ring position is an index below the ring size plus a wrap
 * counter, for what the device reads next (@avail_idx, @avail_wrap) and
 * writes next (@used_idx, @used_wrap).  A chain takes as many ring slots
 * as it has descriptors (one for an indirect table); its used entry goes
 * to the next used slot and the used position moves on by that many.
 * The device requires Buffer IDs below the ring size (the ID of a used
 * entry names the chain it completes); a larger one is a ring error.
 */
#include <uapi/linux/virtio_ring.h>

#include "snic_model.h"

#define SNIC_PDESC_SIZE		16
#define SNIC_PDESC_LEN		8
#define SNIC_PDESC_ID		12
#define SNIC_PDESC_FLAGS	14

/**
 * struct snic_pdesc - a packed-ring descriptor as it sits in memory
 * @addr: buffer IOVA
 * @len: buffer length
 * @id: Buffer ID
 * @flags: VRING_DESC_F_* and the AVAIL/USED bits
 */
struct snic_pdesc {
	__le64 addr;
	__le32 len;
	__le16 id;
	__le16 flags;
};

/*
 * An event suppression structure is two 16-bit fields, off_wrap (the
 * descriptor event offset and wrap counter) then flags
 * (VRING_PACKED_EVENT_FLAG_*): read and written as one 32-bit word, so
 * that the device sees, and leaves, both at once.
 */
#define SNIC_PEVENT_OFF_WRAP(w)	((u16)(w))
#define SNIC_PEVENT_FLAGS(w)	((u16)((w) >> 16))

static u16 snic_pflags(bool wrap)
{
	return wrap ? BIT(VRING_PACKED_DESC_F_AVAIL) | BIT(VRING_PACKED_DESC_F_USED) : 0;
}

static int snic_packed_read_desc(struct snic_model_vq *vq, u16 i,
				 struct snic_pdesc *d)
{
	return snic_model_dma_read(vq->fn, vq->asid,
				   vq->r.desc + (u64)i * SNIC_PDESC_SIZE,
				   d, sizeof(*d));
}

/*
 * Whether the descriptor at the device's next position is available:
 * its flags, which the driver writes last, in one load; when it is, the
 * rest of the chain is read only after them (acquire).
 */
static int snic_packed_avail(struct snic_model_vq *vq)
{
	__le16 raw;
	u16 flags;
	int err;

	err = snic_model_dma_read16(vq->fn, vq->asid,
				    vq->r.desc + (u64)vq->r.avail_idx * SNIC_PDESC_SIZE +
				    SNIC_PDESC_FLAGS, &raw);
	if (err)
		return err;
	/* With the load above, an acquire. */
	virt_rmb();
	flags = le16_to_cpu(raw);
	return !!(flags & BIT(VRING_PACKED_DESC_F_AVAIL)) == vq->r.avail_wrap &&
	       !!(flags & BIT(VRING_PACKED_DESC_F_USED)) != vq->r.avail_wrap;
}

/* Add one buffer to @c, readable ones first. */
static int snic_packed_seg(struct snic_model_vq *vq, struct snic_chain *c,
			   const struct snic_pdesc *d)
{
	unsigned int n = c->nout + c->nin;

	if (n == vq->r.size)
		return -E2BIG;
	c->seg[n].iova = le64_to_cpu(d->addr);
	c->seg[n].len = le32_to_cpu(d->len);
	if (le16_to_cpu(d->flags) & VRING_DESC_F_WRITE) {
		c->nin++;
		c->in_len += c->seg[n].len;
	} else {
		if (c->nin)
			return -EINVAL;
		c->nout++;
		c->out_len += c->seg[n].len;
	}
	return 0;
}

static int snic_packed_indirect(struct snic_model_vq *vq, struct snic_chain *c,
				const struct snic_pdesc *d)
{
	u32 len = le32_to_cpu(d->len);
	u64 table = le64_to_cpu(d->addr);
	struct snic_pdesc e;
	unsigned int i;
	int err;

	if (!(vq->features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)) ||
	    !len || len % SNIC_PDESC_SIZE || len / SNIC_PDESC_SIZE > vq->r.size)
		return -EINVAL;
	for (i = 0; i < len / SNIC_PDESC_SIZE; i++) {
		err = snic_model_dma_read(vq->fn, vq->asid,
					  table + (u64)i * SNIC_PDESC_SIZE,
					  &e, sizeof(e));
		if (err)
			return err;
		if (le16_to_cpu(e.flags) & VRING_DESC_F_INDIRECT)
			return -EINVAL;
		err = snic_packed_seg(vq, c, &e);
		if (err)
			return err;
	}
	return 0;
}

/**
 * snic_packed_pop() - take the next available chain of a packed ring
 * @vq: the queue
 * @c: where to put it
 *
 * Return: as snic_ring_pop().
 */
int snic_packed_pop(struct snic_model_vq *vq, struct snic_chain *c)
{
	u16 i = vq->r.avail_idx, flags, n = 0;
	bool wrap = vq->r.avail_wrap;
	struct snic_pdesc d;
	int err;

	/* The rest of the chain is read after its flags made it ours. */
	err = snic_packed_avail(vq);
	if (err <= 0)
		return err;
	c->nout = 0;
	c->nin = 0;
	c->out_len = 0;
	c->in_len = 0;
	for (;;) {
		err = snic_packed_read_desc(vq, i, &d);
		if (err)
			return err;
		flags = le16_to_cpu(d.flags);
		if (++n > vq->r.size)
			return -E2BIG;
		if (flags & VRING_DESC_F_INDIRECT) {
			if (n > 1 || (flags & VRING_DESC_F_NEXT))
				return -EINVAL;
			err = snic_packed_indirect(vq, c, &d);
		} else {
			err = snic_packed_seg(vq, c, &d);
		}
		if (err)
			return err;
		if (++i == vq->r.size) {
			i = 0;
			wrap = !wrap;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
	}
	/* The last descriptor names the buffer. */
	c->head = le16_to_cpu(d.id);
	if (c->head >= vq->r.size)
		return -EINVAL;
	vq->ndesc[c->head] = n;
	vq->r.avail_idx = i;
	vq->r.avail_wrap = wrap;
	return 1;
}

/**
 * snic_packed_flush() - publish the recorded used entries of a packed ring
 * @vq: the queue
 * @notify: set when the driver asked for an interrupt for them
 *
 * Every entry is written, the first one's flags last: the driver sees
 * the batch at once.
 *
 * Return: 0 or the DMA error.
 */
int snic_packed_flush(struct snic_model_vq *vq, bool *notify)
{
	u16 pos = vq->r.used_idx, first = pos, moved = 0, i, id, event, off_wrap;
	bool wrap = vq->r.used_wrap, first_wrap = wrap;
	__le32 ev;
	u32 w;
	int err;

	for (i = 0; i < vq->nused; i++) {
		u64 at = vq->r.desc + (u64)pos * SNIC_PDESC_SIZE;
		struct {
			__le32 len;
			__le16 id;
		} __packed e = {
			.len = vq->used[i].len,
			.id = cpu_to_le16(le32_to_cpu(vq->used[i].id)),
		};

		err = snic_model_dma_write(vq->fn, vq->asid, at + SNIC_PDESC_LEN,
					   &e, sizeof(e));
		if (err)
			return err;
		if (i) {
			/*
			 * Its id and length before the flags that hand it
			 * over, in one store (release).
			 */
			virt_wmb();
			err = snic_model_dma_write16(vq->fn, vq->asid,
						     at + SNIC_PDESC_FLAGS,
						     cpu_to_le16(snic_pflags(wrap)));
			if (err)
				return err;
		}
		id = le32_to_cpu(vq->used[i].id);
		moved += vq->ndesc[id];
		pos += vq->ndesc[id];
		if (pos >= vq->r.size) {
			pos -= vq->r.size;
			wrap = !wrap;
		}
	}
	if (!vq->nused)
		return 0;
	/* The whole batch before the first flags that publish it (release). */
	virt_wmb();
	err = snic_model_dma_write16(vq->fn, vq->asid,
				     vq->r.desc + (u64)first * SNIC_PDESC_SIZE +
				     SNIC_PDESC_FLAGS,
				     cpu_to_le16(snic_pflags(first_wrap)));
	if (err)
		return err;
	vq->r.used_idx = pos;
	vq->r.used_wrap = wrap;
	vq->completed += vq->nused;
	vq->nused = 0;

	/* The entries are visible before the driver's wishes are read. */
	virt_mb();
	err = snic_model_dma_read32(vq->fn, vq->asid, vq->r.driver, &ev);
	if (err)
		return err;
	w = le32_to_cpu(ev);
	off_wrap = SNIC_PEVENT_OFF_WRAP(w);
	switch (SNIC_PEVENT_FLAGS(w)) {
	case VRING_PACKED_EVENT_FLAG_ENABLE:
		*notify = true;
		break;
	case VRING_PACKED_EVENT_FLAG_DESC:
		event = off_wrap & ~BIT(VRING_PACKED_EVENT_F_WRAP_CTR);
		if (!!(off_wrap & BIT(VRING_PACKED_EVENT_F_WRAP_CTR)) != wrap)
			event -= vq->r.size;
		*notify |= vring_need_event(event, pos, (u16)(pos - moved));
		break;
	}
	return 0;
}

/**
 * snic_packed_wait_kick() - check a packed ring once more before sleeping
 * @vq: the queue, found empty
 *
 * The device never suppresses doorbells (its event structure stays
 * "enable"), so only buffers added meanwhile need finding.
 *
 * Return: as snic_ring_wait_kick().
 */
int snic_packed_wait_kick(struct snic_model_vq *vq)
{
	/* off_wrap 0, flags "enable", in one store. */
	__le32 ev = cpu_to_le32((u32)VRING_PACKED_EVENT_FLAG_ENABLE << 16);
	int err;

	err = snic_model_dma_write32(vq->fn, vq->asid, vq->r.device, ev);
	if (err)
		return err;
	/* "Notify" is visible before the ring is checked again. */
	virt_mb();
	return snic_packed_avail(vq);
}
