// SPDX-License-Identifier: GPL-2.0
/*
 * Mode unmapped-ring: rings at host physical addresses never mapped.
 */

#include "vmm.h"

#define CANARY_PAGES		4
#define CANARY_BYTE		0xa5
/* Far from any physical address the canary pages can have. */
#define UNRELATED_IOVA		BIT_ULL(46)

/* Physical address of the page at @p, from /proc/self/pagemap (root). */
static u64 phys_of(const void *p)
{
	u64 e, off = (uintptr_t)p / PAGE_SZ * 8;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die_errno("/proc/self/pagemap");
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		die_errno("pagemap entry of %p", p);
	close(fd);
	if (!(e & BIT_ULL(63)))
		die("page %p is not present", p);
	if (!(e & (BIT_ULL(55) - 1)))
		die("pagemap hides frame numbers: run as root");
	return (e & (BIT_ULL(55) - 1)) * PAGE_SZ;
}

/*
 * What a vhost user must not be able to do: before its first IOTLB
 * update, point a ring at host physical memory.  The client builds a
 * valid transmit ring in pages of its own (desc page, avail page with
 * idx 1, used page, a frame buffer), filled with a canary elsewhere, and
 * gives the device their physical addresses as IOVAs, mapped nowhere.
 * Pass: no byte of those pages changes, and the device either refuses
 * (an ioctl fails, DRIVER_OK does not stick) or reports NEEDS_RESET.
 */
int mode_unmapped_ring(struct vmm *v, bool map_unrelated)
{
	u8 *pg, *saved, *unrelated = NULL;
	u64 pa[CANARY_PAGES], deadline;
	struct vring_desc *d;
	struct vring_avail *a;
	struct vring_used *u;
	const char *refused = NULL;
	struct vq *q = &v->vqs[1];
	unsigned int i, num = 64;
	u8 status;
	bool touched = false;

	vmm_backend(v);
	vmm_probe(v);
	h_features(v);

	step = "canary pages";
	pg = mmap(NULL, CANARY_PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pg == MAP_FAILED)
		die_errno("mmap");
	if (mlock(pg, CANARY_PAGES * PAGE_SZ))
		die_errno("mlock");
	memset(pg, CANARY_BYTE, CANARY_PAGES * PAGE_SZ);
	for (i = 0; i < CANARY_PAGES; i++)
		pa[i] = phys_of(pg + i * PAGE_SZ);
	/* page 0: descriptor 0, a 64-byte frame in page 3 */
	d = (void *)pg;
	d[0] = (struct vring_desc) {
		.addr = htole64(pa[3]),
		.len = htole32(64),
	};
	/* page 1: avail ring, flags 0, idx 1, ring[0] = 0 */
	a = (void *)(pg + PAGE_SZ);
	a->flags = 0;
	a->idx = htole16(1);
	a->ring[0] = 0;
	/* page 2: used ring, flags 0, idx 0 */
	u = (void *)(pg + 2 * PAGE_SZ);
	u->flags = 0;
	u->idx = 0;
	/* page 3: header and a frame from the device's own MAC */
	memset(pg + 3 * PAGE_SZ, 0, NET_HDR_LEN);
	frame_fill(pg + 3 * PAGE_SZ + NET_HDR_LEN, 0, 64 - NET_HDR_LEN,
		   (const u8 *)"\xff\xff\xff\xff\xff\xff", v->mac, 'T');
	saved = malloc(CANARY_PAGES * PAGE_SZ);
	if (!saved)
		die("out of memory");
	memcpy(saved, pg, CANARY_PAGES * PAGE_SZ);
	for (i = 0; i < CANARY_PAGES; i++)
		kv("canary_pa", "%u:0x%llx", i, (unsigned long long)pa[i]);

	if (map_unrelated) {
		step = "unrelated map";
		unrelated = mmap(NULL, 16 * PAGE_SZ, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				 -1, 0);
		if (unrelated == MAP_FAILED)
			die_errno("mmap");
		vmm_map(v, 0, UNRELATED_IOVA, 16 * PAGE_SZ, unrelated);
		kv("mapped", "0x%llx-0x%llx", UNRELATED_IOVA,
		   UNRELATED_IOVA + 16 * PAGE_SZ - 1);
	}

	/* The transmit queue, on the physical addresses. */
	q->idx = 1;
	q->num = num;
	q->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick < 0 || q->call < 0)
		die_errno("eventfd");
	q->desc_iova = pa[0];
	q->avail_iova = pa[1];
	q->used_iova = pa[2];
	step = "vring setup";
	{
		struct vhost_vring_state s = { .index = q->idx, .num = num };
		struct vhost_vring_addr ad = vmm_vring_addr(q, 0);
		struct vhost_vring_file f = { .index = q->idx };

		if (ioctl(v->fd, VHOST_SET_VRING_NUM, &s) ||
		    ioctl(v->fd, VHOST_SET_VRING_ADDR, &ad)) {
			refused = "SET_VRING_NUM/ADDR";
			goto check;
		}
		s.num = 0;
		if (ioctl(v->fd, VHOST_SET_VRING_BASE, &s)) {
			refused = "SET_VRING_BASE";
			goto check;
		}
		f.fd = q->kick;
		VMM_IOCTL(v, VHOST_SET_VRING_KICK, &f);
		f.fd = q->call;
		VMM_IOCTL(v, VHOST_SET_VRING_CALL, &f);
		s.num = 1;
		if (ioctl(v->fd, VHOST_VDPA_SET_VRING_ENABLE, &s)) {
			refused = "SET_VRING_ENABLE";
			goto check;
		}
	}

	step = "status DRIVER_OK";
	status = vmm_get_status(v) | VIRTIO_CONFIG_S_DRIVER_OK;
	if (ioctl(v->fd, VHOST_VDPA_SET_STATUS, &status)) {
		refused = "SET_STATUS DRIVER_OK";
		goto check;
	}
	vmm_kick(q);
	/* Give the device time to act, watching the pages. */
	deadline = now_ms() + 1000;
	while (now_ms() < deadline) {
		vq_wait_call(q, 50);
		if (memcmp(pg, saved, CANARY_PAGES * PAGE_SZ))
			break;
	}

check:
	step = "verdict";
	status = vmm_get_status(v);
	if (!refused && !(status & VIRTIO_CONFIG_S_DRIVER_OK))
		refused = "DRIVER_OK did not stick";
	kv("status", "0x%02x", status);
	kv("refused", "%s", refused ? refused : "no");
	for (i = 0; i < CANARY_PAGES * PAGE_SZ; i++) {
		if (pg[i] == saved[i])
			continue;
		if (!touched)
			kv("touched", "page %lu offset %lu: 0x%02x -> 0x%02x (physical 0x%llx)",
			   i / PAGE_SZ, i % PAGE_SZ, saved[i], pg[i],
			   (unsigned long long)(pa[i / PAGE_SZ] + i % PAGE_SZ));
		touched = true;
	}
	if (!touched)
		kv("touched", "no");
	kv("used_idx", "%u", le16toh(u->idx));
	if (touched)
		die("the device wrote memory never mapped: used ring at 0x%llx, idx %u",
		    (unsigned long long)pa[2], le16toh(u->idx));
	if (!refused && !(status & VIRTIO_CONFIG_S_NEEDS_RESET))
		die("unmapped rings accepted and no NEEDS_RESET (status 0x%02x)",
		    status);
	kv("verdict", "%s", refused ? "refused" : "needs_reset");

	step = "reset";
	vmm_set_status(v, 0);
	if (vmm_get_status(v))
		die("status 0x%02x after reset", vmm_get_status(v));
	if (unrelated)
		vmm_unmap(v, 0, UNRELATED_IOVA, 16 * PAGE_SZ);
	return 0;
}
