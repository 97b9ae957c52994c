// SPDX-License-Identifier: GPL-2.0
/*
 * Mode fail-nth: each allocation failed in turn under vdpa dev add and
 * the vhost-vdpa operations.
 */

#include "vmm.h"

/*
 * Deterministic allocation failures, with the kernel's per-task fail-nth
 * (Documentation/fault-injection/fault-injection.rst): N written to
 * /proc/thread-self/fail-nth makes the N-th allocation of this task that
 * passes the filters of failslab or fail_page_alloc fail.  The e2e case
 * points both stack filters at snic_vdpa's code, so what counts is every
 * slab and page allocation made while the driver is on the stack: the
 * driver's own, and those of the NIC, the vdpa core, the driver core and
 * vhost_vdpa's probe under it.  For each operation N = 1, 2, ... until a
 * run in which the counter did not reach 0: the operation made fewer
 * allocations, ran unfailed and must have succeeded.  A run with a failed
 * allocation must return an error and leave nothing behind, or leave the
 * device not started or NEEDS_RESET (or succeed: an allocation it can do
 * without); after each run the device must work (h_usable), and the final
 * kmemleak scan of the test kernel sees what the error paths leaked.
 */
static int failnth_fd = -1;

/* The next @n-th allocation fails (0: none). */
static void failnth_arm(unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	if (failnth_fd < 0) {
		failnth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (failnth_fd < 0)
			die_errno("/proc/thread-self/fail-nth (needs CONFIG_FAULT_INJECTION)");
	}
	if (pwrite(failnth_fd, b, len, 0) != len)
		die_errno("fail-nth %u", n);
}

/* Disarm: whether the armed allocation failed. */
static bool failnth_fired(void)
{
	char b[16] = "";
	ssize_t r = pread(failnth_fd, b, sizeof(b) - 1, 0);

	if (r <= 0)
		die_errno("read fail-nth");
	failnth_arm(0);
	return strtoul(b, NULL, 10) == 0;
}

/*
 * vdpa dev add, failing each allocation in turn (and with it the
 * representor's setup, which the add does): a failed add leaves no
 * device; one that succeeds leaves a whole one, deleted again.
 */
static unsigned int fn_dev_add(struct vdpa_nl *nl, const char *name)
{
	static const u8 mac[6] = { 0x02, 0, 0, 0, 0x0f, 0x01 };
	unsigned int n, points = 0, tolerated = 0;

	for (n = 1;; n++) {
		bool fired, exists;
		int err;

		step = "fail-nth dev add";
		failnth_arm(n);
		err = vdpa_dev_add(nl, name, mac, 2);
		fired = failnth_fired();
		exists = !vdpa_dev_cmd(nl, VDPA_CMD_DEV_GET, name);
		if (!fired) {
			if (err || !exists)
				die("dev add with %u allocations unfailed: %s, device %s", n - 1,
				    strerror(-err), exists ? "there" : "missing");
			break;
		}
		points++;
		if (err && exists)
			die("allocation %u failed: dev add said %s but the device exists", n,
			    strerror(-err));
		if (!err && !exists)
			die("allocation %u failed: dev add succeeded, no device", n);
		if (!err)
			tolerated++;
		if (exists && vdpa_dev_cmd(nl, VDPA_CMD_DEV_DEL, name))
			die("dev del after allocation %u failed", n);
	}
	kv("failnth_dev_add_points", "%u", points);
	kv("failnth_dev_add_tolerated", "%u", tolerated);
	return points;
}

enum fop {
	F_MAP, F_BATCH, F_DRIVER_OK, F_SUSPEND, F_RESUME, F_LOG_START,
	F_GET_STATE, F_SET_STATE, F_NR
};

/* A state saved unfailed, for F_SET_STATE; a buffer for F_GET_STATE. */
static u8 *f_state, *f_state_buf;
static u32 f_state_size;

static const char *const fop_name[F_NR] = {
	[F_MAP] = "iotlb_update",
	[F_BATCH] = "iotlb_batch",
	[F_DRIVER_OK] = "driver_ok",
	[F_SUSPEND] = "suspend",
	[F_RESUME] = "resume",
	[F_LOG_START] = "log_start",
	[F_GET_STATE] = "get_state",
	[F_SET_STATE] = "set_state",
};

/* Everything an operation needs before it, unfailed. */
static void f_prepare(struct vmm *v, enum fop op)
{
	step = fop_name[op];
	if (op == F_SET_STATE) {
		/* A reset device with its memory: what a destination has. */
		vmm_set_status(v, 0);
		vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE, true);
		vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER, true);
		vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
		return;
	}
	h_features(v);
	if (op == F_MAP || op == F_BATCH)
		return;
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	if (op == F_DRIVER_OK)
		return;
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
	if (op == F_RESUME || op == F_GET_STATE)
		VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
}

/* The operation: 0 if it took effect, else the errno or -1. */
static int f_run(struct vmm *v, enum fop op, u64 log_base)
{
	u64 f;
	int e;

	switch (op) {
	case F_MAP:
		return xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW);
	case F_BATCH:
		e = xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0);
		e = e ?: xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW);
		e = e ?: xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
		return e;
	case F_DRIVER_OK: {
		u8 s = vmm_get_status(v) | VIRTIO_CONFIG_S_DRIVER_OK;

		e = xioctl(v, VHOST_VDPA_SET_STATUS, &s);
		if (e)
			return e;
		s = vmm_get_status(v);
		return (s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET) ?
		       0 : -1;
	}
	case F_SUSPEND:
		return xioctl(v, VHOST_VDPA_SUSPEND, NULL);
	case F_RESUME:
		return xioctl(v, VHOST_VDPA_RESUME, NULL);
	case F_LOG_START:
		/* As QEMU 7.2 at migration start: the log base, then LOG_ALL. */
		e = xioctl(v, VHOST_SET_LOG_BASE, &log_base);
		f = v->features | BIT_ULL(VHOST_F_LOG_ALL);
		return e ?: xioctl(v, VHOST_SET_FEATURES, &f);
	case F_GET_STATE: {
		struct vhost_vdpa_state st = {
			.addr = (uintptr_t)f_state_buf, .size = f_state_size,
		};

		e = xioctl(v, VHOST_VDPA_GET_STATE, &st);
		if (e)
			return e;
		/* The device was not touched since f_state: the same bytes. */
		return st.size == f_state_size &&
		       !memcmp(f_state_buf, f_state, f_state_size) ? 0 : -1;
	}
	case F_SET_STATE: {
		struct vhost_vdpa_state st = {
			.addr = (uintptr_t)f_state, .size = f_state_size,
		};

		e = xioctl(v, VHOST_VDPA_SET_STATE, &st);
		if (e)
			return e;
		return vmm_get_status(v) == VMM_STATUS_RUNNING ? 0 : -1;
	}
	default:
		return -1;
	}
}

/*
 * Allocations failed one by one up to F_EXHAUSTIVE; past it, one in
 * every n/8: an IOTLB update of pinned memory allocates once per
 * physically contiguous run (hundreds of times when memory is
 * fragmented), the same call each time, so past the first runs a
 * geometric sample keeps the unwinding at every depth tested without a
 * sweep of many minutes.
 */
#define F_EXHAUSTIVE	64

static unsigned int f_next(unsigned int n)
{
	return n < F_EXHAUSTIVE ? n + 1 : n + n / 8;
}

/* One operation failed at each allocation in turn; the points covered. */
static unsigned int f_sweep(struct vmm *v, enum fop op, u64 log_base)
{
	unsigned int n, points = 0, tolerated = 0;
	char what[64];

	for (n = 1;; n = f_next(n)) {
		bool fired;
		int e;

		f_prepare(v, op);
		step = fop_name[op];
		failnth_arm(n);
		e = f_run(v, op, log_base);
		fired = failnth_fired();
		if (!fired) {
			if (e)
				die("%s with %u allocations unfailed: %s", fop_name[op], n - 1,
				    e < 0 ? "device not started" : strerror(e));
			break;
		}
		points++;
		if (!e)
			tolerated++;
		/* A refused map is not there: the same map goes in again. */
		if (e && (op == F_MAP || op == F_BATCH))
			EXPECT_ERR("the map again, unfailed",
				   xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW),
				   0);
		snprintf(what, sizeof(what), "after %s with allocation %u failed",
			 fop_name[op], n);
		h_usable(v, what);
	}
	h_usable(v, fop_name[op]);
	quiet = false;
	kv("failnth_op", "%s %u %u", fop_name[op], points, tolerated);
	quiet = true;
	return points;
}

int mode_fail_nth(struct vmm *v, const char *mgmt, const char *name)
{
	unsigned int points, op;
	struct vdpa_nl nl;
	char path[128];
	u8 *log;
	glob_t g;

	vdpa_nl_open(&nl, mgmt);
	points = fn_dev_add(&nl, name);

	/* The device the last, unfailed add left: its vhost-vdpa node. */
	snprintf(path, sizeof(path), "/sys/bus/vdpa/devices/%s/vhost-vdpa-*", name);
	if (glob(path, 0, NULL, &g) || g.gl_pathc != 1)
		die("no vhost-vdpa node for %s (is vhost_vdpa its driver?)", name);
	snprintf(path, sizeof(path), "/dev/%s", strrchr(g.gl_pathv[0], '/') + 1);
	globfree(&g);
	h_open(v, path);
	vmm_mem(v);
	/* A log for the whole IOVA range the client maps. */
	log = calloc(1, (MEM_IOVA + MEM_SIZE) / PAGE_SZ / 8 + 8);
	if (!log)
		die("out of memory");
	quiet = true;
	if (h_has(v, VHOST_BACKEND_F_DEVICE_STATE)) {
		/* The state of a started, suspended device, saved unfailed. */
		h_start(v);
		VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
		f_state = state_get(v, &f_state_size);
		f_state_buf = malloc(f_state_size);
		if (!f_state_buf)
			die("out of memory");
		h_usable(v, "after saving the state");
	}
	for (op = 0; op < F_NR; op++) {
		if (op == F_LOG_START && !h_has(v, VHOST_BACKEND_F_LOG_ALL_DEVICE))
			continue;
		if ((op == F_GET_STATE || op == F_SET_STATE) &&
		    !h_has(v, VHOST_BACKEND_F_DEVICE_STATE))
			continue;
		if ((op == F_SUSPEND || op == F_RESUME) &&
		    !h_has(v, VHOST_BACKEND_F_SUSPEND))
			continue;
		points += f_sweep(v, op, (uintptr_t)log);
	}
	quiet = false;
	step = "close";
	if (close(v->fd))
		die_errno("close");
	v->fd = -1;
	free(log);
	free(f_state);
	free(f_state_buf);
	step = "dev del";
	if (vdpa_dev_cmd(&nl, VDPA_CMD_DEV_DEL, name))
		die("dev del %s", name);
	kv("failnth_points", "%u", points);
	return 0;
}
