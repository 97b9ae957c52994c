// SPDX-License-Identifier: GPL-2.0
/*
 * Mode log-cost: what the device's dirty log costs the host per
 * synchronisation round, by guest size, for the push design of
 * Documentation/vendor-interface.rst ("Dirty-page logging") and the
 * numbers a pull design (reports read through the mailbox) would start
 * from.  Measured on a running device with its log on:
 *
 * - the VMM's read-and-clear of the bitmap, word by word with an atomic
 *   exchange as QEMU's vhost_dev_sync_region() does (the whole per-round
 *   cost of push: the NIC set the bits by DMA meanwhile);
 * - one DIRTY_LOG_SYNC (what push adds once, before the ring state is
 *   read): GET_VRING_BASE of a suspended device with the log on (sync and
 *   VQ_QUERY) less the same with the log off (VQ_QUERY alone);
 * - one admin command's round trip through the mailbox (VQ_QUERY via
 *   GET_VRING_BASE), the unit of a pull design's reports (4 KiB each);
 * - switching the log on (SET_FEATURES with VHOST_F_LOG_ALL: the kernel
 *   pins the bitmap and the NIC gets its page list).
 *
 * Each size G maps one more page at IOVA G - 4 KiB, so that the log
 * covers G of IOVA as it would for a guest of that size.
 */

#include "vmm.h"

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median ns of @rounds GET_VRING_BASE of the receive queue. */
static u64 time_vring_base(struct vmm *v, u64 *t, unsigned int rounds)
{
	unsigned int i;
	u64 t0;

	for (i = 0; i < rounds; i++) {
		t0 = now_ns();
		vmm_vring_base(v, v->rx);
		t[i] = now_ns() - t0;
	}
	return median(t, rounds);
}

/*
 * Median ns of reading and clearing the bitmap as a VMM does each round:
 * an atomic exchange of each 64-bit word, then each set bit visited.
 * One page in 64 is dirtied before each pass (a guest writing a page
 * in 64 per round is a busy one; the exchange of each word dominates).
 */
static u64 time_scan(u64 *bits, u64 words, u64 *t, unsigned int rounds,
		     u64 *found)
{
	unsigned int i;
	u64 w, x, t0;

	for (i = 0; i < rounds; i++) {
		for (w = 0; w < words; w++)
			bits[w] |= 1ULL << (w % 64);
		*found = 0;
		t0 = now_ns();
		for (w = 0; w < words; w++) {
			if (!__atomic_load_n(&bits[w], __ATOMIC_RELAXED))
				continue;
			x = __atomic_exchange_n(&bits[w], 0, __ATOMIC_ACQ_REL);
			while (x) {
				(*found)++;
				x &= x - 1;
			}
		}
		t[i] = now_ns() - t0;
	}
	return median(t, rounds);
}

int mode_log_cost(struct vmm *v, const char *sizes, unsigned int rounds)
{
	u64 need = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_NET_F_MAC);
	u64 want = need | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	u64 *t, query, base, logf, gib, top = 0, found = 0, t0;
	char list[256], *tok, *save;
	void *old = NULL;
	u8 *page;

	t = calloc(rounds, sizeof(*t));
	page = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!t || page == MAP_FAILED)
		die("out of memory");
	v->want_log = true;
	vmm_backend(v);
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE)))
		die("no device dirty log: vhost_vdpa without patches/linux/, or no parent log ops");
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_SUSPEND)) ||
	    !(v->backend & BIT_ULL(VHOST_BACKEND_F_RESUME)))
		die("the backend does not offer SUSPEND and RESUME");
	vmm_probe(v);
	vmm_negotiate(v, want, need);
	vmm_mem(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	step = "status DRIVER_OK";
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);

	step = "mailbox round trip";
	VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
	query = time_vring_base(v, t, rounds);
	VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);
	kv("cmd_ns", "%llu", (unsigned long long)query);

	snprintf(list, sizeof(list), "%s", sizes);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		u64 bytes, sync, scan, start;
		void *bits;

		gib = strtoull(tok, NULL, 0);
		if (!gib || gib > 1024)
			die("guest size %s: 1 to 1024 GiB", tok);
		step = "guest size";
		if (gib << 30 > v->range.last)
			die("%llu GiB is beyond the device's IOVA range (last 0x%llx)",
			    (unsigned long long)gib,
			    (unsigned long long)v->range.last);
		bytes = (gib << 30) / PAGE_SZ / 8;
		if (posix_memalign(&bits, PAGE_SZ, bytes))
			die("out of memory");
		memset(bits, 0, bytes);
		/*
		 * The log first, as QEMU grows it before it maps more: the
		 * kernel sizes the log it pins to the highest mapping.
		 */
		step = "dirty log base";
		base = (uintptr_t)bits;
		VMM_IOCTL(v, VHOST_SET_LOG_BASE, &base);
		free(old);
		old = bits;
		if (top)
			vmm_unmap(v, 0, top, PAGE_SZ);
		top = (gib << 30) - PAGE_SZ;
		vmm_map(v, 0, top, PAGE_SZ, page);

		step = "dirty log on";
		logf = v->features | BIT_ULL(VHOST_F_LOG_ALL);
		t0 = now_ns();
		VMM_IOCTL(v, VHOST_SET_FEATURES, &logf);
		start = now_ns() - t0;

		step = "dirty log sync";
		VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
		sync = time_vring_base(v, t, rounds);
		VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);

		step = "bitmap scan";
		scan = time_scan(bits, bytes / 8, t, rounds, &found);
		if (found != bytes / 8)
			die("scan found %llu bits, %llu set",
			    (unsigned long long)found,
			    (unsigned long long)(bytes / 8));

		step = "dirty log off";
		VMM_IOCTL(v, VHOST_SET_FEATURES, &v->features);
		kv("log_size", "gib=%llu bytes=%llu start_ns=%llu sync_ns=%llu scan_ns=%llu",
		   (unsigned long long)gib, (unsigned long long)bytes,
		   (unsigned long long)start,
		   (unsigned long long)(sync > query ? sync - query : 0),
		   (unsigned long long)scan);
	}

	step = "reset";
	vmm_set_status(v, 0);
	if (top)
		vmm_unmap(v, 0, top, PAGE_SZ);
	vmm_unmap(v, 0, MEM_IOVA, MEM_SIZE);
	free(old);
	munmap(page, PAGE_SZ);
	free(t);
	return 0;
}
