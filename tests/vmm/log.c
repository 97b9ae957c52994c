// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty page log (mode traffic --dirty-log), checked against the
 * NIC's write trace.
 */

#include "vmm.h"

/* Read the NIC's write trace (which forgets what it returns). */
static u64 *trace_read(struct vmm *v, unsigned int *n)
{
	unsigned int size = 0;
	u64 *pages = NULL;
	char line[64];
	FILE *f;

	f = fopen(v->log.trace, "r");
	if (!f)
		die_errno("%s", v->log.trace);
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "lost", 4))
			die("the write trace lost pages: it cannot check the log");
		if (*n == size) {
			size = size ? 2 * size : 256;
			pages = realloc(pages, size * sizeof(*pages));
			if (!pages)
				die("out of memory");
		}
		pages[(*n)++] = strtoull(line, NULL, 16);
	}
	fclose(f);
	return pages;
}

static bool log_bit(const struct dlog *l, u64 n)
{
	return __atomic_load_n(&l->bits[n / 8], __ATOMIC_ACQUIRE) & (1u << (n % 8));
}

/*
 * Switch the log on as QEMU does at migration start: the log's address,
 * VHOST_F_LOG_ALL added to the features while running, the used rings'
 * log flag.  The log covers the client's IOVA range.
 */
void log_start(struct vmm *v)
{
	struct dlog *l = &v->log;
	u64 base, features = v->features | BIT_ULL(VHOST_F_LOG_ALL);
	unsigned int i, n;

	step = "dirty log start";
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE)) ||
	    !(v->dev_features & BIT_ULL(VHOST_F_LOG_ALL)))
		die("no device dirty log: vhost_vdpa without patches/linux/, or no parent log ops");
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_SUSPEND)))
		die("the log check suspends the device: the backend cannot");
	l->nbits = (MEM_IOVA + MEM_SIZE) / PAGE_SZ;
	l->bits = calloc(1, (l->nbits + 63) / 64 * 8);
	if (!l->bits)
		die("out of memory");
	base = (uintptr_t)l->bits;
	VMM_IOCTL(v, VHOST_SET_LOG_BASE, &base);
	VMM_IOCTL(v, VHOST_SET_FEATURES, &features);
	for (i = 0; i < MAX_VQS; i++) {
		struct vq *q = &v->vqs[i];
		struct vhost_vring_addr a =
			vmm_vring_addr(q, 1u << VHOST_VRING_F_LOG);

		if (q->used_by_client)
			VMM_IOCTL(v, VHOST_SET_VRING_ADDR, &a);
	}
	/* The window starts now: what the NIC wrote before is not in it. */
	free(trace_read(v, &n));
	kv("log_bits", "%llu", (unsigned long long)l->nbits);
}

/*
 * End a window: suspend (vhost_vdpa syncs the log), then every page the
 * NIC wrote since the last window must have its bit; clear the log and
 * resume.  A window must have writes, or the check proves nothing.
 */
void log_check(struct vmm *v, const char *what)
{
	struct dlog *l = &v->log;
	unsigned int n, i, missed = 0, logged = 0;
	u64 *pages, first_missed = 0, p;
	char key[64];

	step = "dirty log check";
	VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
	pages = trace_read(v, &n);
	for (i = 0; i < n; i++) {
		if (pages[i] >= l->nbits)
			die("%s: the NIC wrote page 0x%llx, beyond the IOVA the client mapped",
			    what, (unsigned long long)pages[i]);
		if (!log_bit(l, pages[i]) && !missed++)
			first_missed = pages[i];
	}
	for (p = 0; p < l->nbits; p++)
		logged += log_bit(l, p);
	snprintf(key, sizeof(key), "log_%s", what);
	kv(key, "written %u logged %u missed %u", n, logged, missed);
	if (!n)
		die("%s: the NIC wrote nothing in the window: nothing checked", what);
	if (missed)
		die("dirty log: %s: %u of %u pages the NIC wrote have no bit (first IOVA 0x%llx)",
		    what, missed, n, (unsigned long long)(first_missed * PAGE_SZ));
	free(pages);
	memset(l->bits, 0, (l->nbits + 63) / 64 * 8);
	l->windows++;
	VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);
}

/* Logging off again (migration over), as QEMU does. */
void log_stop(struct vmm *v)
{
	step = "dirty log stop";
	VMM_IOCTL(v, VHOST_SET_FEATURES, &v->features);
	kv("log_windows", "%u", v->log.windows);
}
