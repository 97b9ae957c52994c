// SPDX-License-Identifier: GPL-2.0
/*
 * Mode hostile: the cases of IOTLB messages (maps, batches, address
 * spaces); hostile-cases.c lists them.
 */

#include "vmm.h"

void hc_iotlb_zero_size(struct vmm *v)
{
	EXPECT_ERR("size 0", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 0, UA(v), RW), EINVAL);
}

void hc_iotlb_wrap(struct vmm *v)
{
	EXPECT_ERR("iova + size wraps", xiotlb(v, 0, VHOST_IOTLB_UPDATE, ~0ULL - 4095,
					       8192, UA(v), RW), EREFUSED);
}

void hc_iotlb_past_range(struct vmm *v)
{
	EXPECT_ERR("range past the last IOVA",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, v->range.last & ~4095ULL,
			  8192, UA(v), RW), EREFUSED);
}

void hc_iotlb_overlap(struct vmm *v)
{
	EXPECT_ERR("first map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 8192, UA(v), RW), 0);
	EXPECT_ERR("overlapping map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA + 4096,
					     8192, UA(v), RW), EREFUSED);
	EXPECT_ERR("the same map again", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA,
						8192, UA(v), RW), EREFUSED);
}

void hc_iotlb_unmapped_uaddr(struct vmm *v)
{
	void *p = mmap(NULL, 16384, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap");
	EXPECT_ERR("map of PROT_NONE memory",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 16384, (uintptr_t)p, RW),
		   EREFUSED);
	munmap(p, 16384);
}

void hc_iotlb_huge(struct vmm *v)
{
	int e = xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 1ULL << 40, UA(v), RW);

	if (e != EREFUSED)
		die("1 TiB map of 4 MiB: %s, want %s", errname(e), errname(EREFUSED));
}

void hc_iotlb_bad_type(struct vmm *v)
{
	EXPECT_ERR("message type 42", xiotlb(v, 0, 42, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
}

void hc_iotlb_asid_out_of_range(struct vmm *v)
{
	EXPECT_ERR("asid = number of address spaces",
		   xiotlb(v, v->nas, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW),
		   EREFUSED);
	EXPECT_ERR("asid ~0", xiotlb(v, ~0U, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW),
		   EREFUSED);
}

void hc_iotlb_invalidate_no_space(struct vmm *v)
{
	EXPECT_ERR("invalidate in an address space never used",
		   xiotlb(v, 1, VHOST_IOTLB_INVALIDATE, MEM_IOVA, 4096, 0, 0), EREFUSED);
}

void hc_iotlb_invalidate_unmapped(struct vmm *v)
{
	EXPECT_ERR("map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("invalidate elsewhere",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA + MEM_SIZE, 1 << 20, 0, 0), 0);
	EXPECT_ERR("invalidate part of the map",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, 1, 0, 0), 0);
}

void hc_batch_asid_switch(struct vmm *v)
{
	EXPECT_ERR("begin in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update in AS 1 inside it",
		   xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
	EXPECT_ERR("end in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
}

void hc_batch_unbalanced(struct vmm *v)
{
	EXPECT_ERR("begin", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("begin again", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("end", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
	EXPECT_ERR("end again", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
	EXPECT_ERR("the batch's map is there",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
}

void hc_batch_open_at_close(struct vmm *v)
{
	EXPECT_ERR("begin", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
	/* The runner closes the file with the batch open. */
}

void hc_iotlb_short_write(struct vmm *v)
{
	u32 type = VHOST_IOTLB_MSG_V2;

	if (write(v->fd, &type, 2) >= 0 || errno != EINVAL)
		die("a 2-byte message: %s, want EINVAL", errno ? strerror(errno) : "taken");
}

/* One 64-byte frame on tx0, kicked: whether the device used it in 50 ms. */
static bool h_tx_used(struct vmm *v)
{
	v->tx->desc[0] = (struct vring_desc) {
		.addr = htole64(v->tx->bufs_iova), .len = htole32(64),
	};
	vq_publish(v->tx, 0);
	vmm_kick(v->tx);
	sleep_ms(50);
	return vq_used_idx(v->tx) != 0;
}

void hc_iotlb_cvq_space_from_data(struct vmm *v)
{
	/* AS 1 may hold maps before any group is in it; the data group is not. */
	h_features(v);
	EXPECT_ERR("map in AS 1", xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE,
					 UA(v), RW), 0);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, false);
	/* The data rings' IOVAs are mapped only in AS 1: no access. */
	if (h_tx_used(v))
		die("the data queue used memory mapped only in AS 1");
}

void hc_iotlb_remap(struct vmm *v)
{
	EXPECT_ERR("map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
	EXPECT_ERR("unmap", xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, MEM_SIZE, 0, 0), 0);
	EXPECT_ERR("map again", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
}

/* Rings in memory mapped read-only: the device must not write there. */
void hc_iotlb_read_only_ring(struct vmm *v)
{
	u8 st;

	h_features(v);
	EXPECT_ERR("read-only map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE,
					   UA(v), VHOST_ACCESS_RO), 0);
	vmm_vq_setup(v, v->tx, true);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, false);
	if (h_tx_used(v))
		die("the device wrote a used entry into read-only memory");
	st = vmm_get_status(v);
	if ((st & VIRTIO_CONFIG_S_DRIVER_OK) && !(st & VIRTIO_CONFIG_S_NEEDS_RESET))
		die("status 0x%02x: a used ring it cannot write, and no NEEDS_RESET", st);
}

void hc_iotlb_unmap_running(struct vmm *v)
{
	h_start(v);
	EXPECT_ERR("unmap everything under running rings",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, MEM_SIZE, 0, 0), 0);
	if (h_tx_used(v))
		die("the device used a ring whose memory was unmapped");
}

void hc_batch_end_other_asid(struct vmm *v)
{
	EXPECT_ERR("map in AS 1", xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("begin in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("end in AS 1", xiotlb(v, 1, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), EREFUSED);
	EXPECT_ERR("end in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
}

/*
 * A batch is the file's, not the device's: a reset (SET_STATUS 0) in
 * the middle of one leaves it open, so other address spaces stay
 * refused until it ends, and its update stays in the file's IOTLB (a
 * dma_map parent got it when it was sent, a set_map one gets it at the
 * end).
 */
void hc_batch_across_reset(struct vmm *v)
{
	u8 st;

	EXPECT_ERR("begin in AS 1", xiotlb(v, 1, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update in AS 1", xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096,
					    UA(v), RW), 0);
	vmm_set_status(v, 0);
	st = vmm_get_status(v);
	if (st)
		die("status 0x%02x after a reset", st);
	EXPECT_ERR("begin in AS 0 after the reset",
		   xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), EREFUSED);
	EXPECT_ERR("end in AS 1", xiotlb(v, 1, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
	EXPECT_ERR("the batch's map is there",
		   xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
	EXPECT_ERR("begin in AS 0 once it ended",
		   xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("end in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
}
