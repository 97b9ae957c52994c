// SPDX-License-Identifier: GPL-2.0
/*
 * Mode hostile: the runner of the cases (hostile-cases.c,
 * hostile-iotlb.c), the random operations, and the helpers the
 * cases and mode fail-nth share.
 */

#include "vmm.h"

/*
 * What a VMM must not be able to do to the kernel or the device, case by
 * case, each with the answer the uAPI gives (vhost's and vhost-vdpa's
 * ioctls, IOTLB messages, the device status rules of virtio 1.3 2.1.1),
 * and after each the device must still work: reset, negotiate, map, set
 * up two rings, DRIVER_OK, read the ring state, reset (or report
 * NEEDS_RESET and then work after a reset).  The test kernel's KASAN,
 * lockdep and kmemleak watch every case.
 */
int xioctl(struct vmm *v, unsigned long req, void *arg)
{
	return ioctl(v->fd, req, arg) < 0 ? errno : 0;
}

/*
 * One IOTLB v2 message, whatever its fields; 0 or the errno.  A message
 * vhost_vdpa refuses (overlap, range, type, ASID, batch rules) is EFAULT
 * to the writer whatever the reason (vhost_chr_write_iter()); only a
 * short write and an UPDATE of size 0 are EINVAL, checked before.
 */
int xiotlb(struct vmm *v, u32 asid, u8 type, u64 iova, u64 size,
	   u64 uaddr, u8 perm)
{
	struct vhost_msg_v2 m = {
		.type = VHOST_IOTLB_MSG_V2,
		.asid = asid,
		.iotlb = {
			.iova = iova, .size = size, .uaddr = uaddr,
			.perm = perm, .type = type,
		},
	};

	return write(v->fd, &m, sizeof(m)) < 0 ? errno : 0;
}

const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case ENOBUFS: return "ENOBUFS";
	case EBUSY: return "EBUSY";
	case EBADF: return "EBADF";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case EIO: return "EIO";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/* Status ACKNOWLEDGE | DRIVER, features VERSION_1 (+ACCESS_PLATFORM). */
void h_features(struct vmm *v)
{
	vmm_negotiate(v, BIT_ULL(VIRTIO_F_VERSION_1) |
		      BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
		      BIT_ULL(VIRTIO_F_VERSION_1));
}

/* Features, the client's memory mapped, rx0 and tx0 set up, DRIVER_OK. */
void h_start(struct vmm *v)
{
	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
}

bool h_has(struct vmm *v, unsigned int bit)
{
	return v->backend & BIT_ULL(bit);
}

/* The device works after a case: reset, start, ring state, reset. */
void h_usable(struct vmm *v, const char *after)
{
	struct vhost_vring_state s = { .index = 1 };
	unsigned int a;
	u8 st;

	step = after;
	/*
	 * An IOTLB batch belongs to the file, not to the device: a reset
	 * does not end it, and while it is open vhost_vdpa refuses every
	 * other address space's message.  End one left open, whichever
	 * address space it is in (in the others it ends nothing).
	 */
	for (a = 0; a < v->nas; a++)
		xiotlb(v, a, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
	vmm_set_status(v, 0);
	st = vmm_get_status(v);
	if (st)
		die("status 0x%02x after a reset", st);
	/* Whatever the case mapped goes (AS 1 may have none: EINVAL). */
	xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, v->range.first,
	       v->range.last - v->range.first, 0, 0);
	xiotlb(v, 1, VHOST_IOTLB_INVALIDATE, v->range.first,
	       v->range.last - v->range.first, 0, 0);
	memset(v->mem, 0, 3 * VQ_AREA);
	v->rx->avail_idx = 0;
	v->tx->avail_idx = 0;
	v->rx->used_seen = 0;
	v->tx->used_seen = 0;
	h_start(v);
	st = vmm_get_status(v);
	if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
		die("NEEDS_RESET on a fresh start (status 0x%02x)", st);
	VMM_IOCTL(v, VHOST_GET_VRING_BASE, &s);
	if (s.num)
		die("a fresh ring at position %u", s.num);
	vmm_set_status(v, 0);
	vmm_unmap(v, 0, MEM_IOVA, MEM_SIZE);
}

/* Open @path as a VMM would, quietly. */
void h_open(struct vmm *v, const char *path)
{
	vmm_open(v, path);
	v->want_state = true;
	v->want_log = true;
	vmm_backend(v);
	vmm_probe(v);
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245 + 12345;
	return (*seed >> 8) % n;
}

/* One random operation, arguments near the edges; the answer is ignored. */
static void h_random_op(struct vmm *v, unsigned int *seed)
{
	static const u64 sizes[] = { 0, 1, 4096, 8192, MEM_SIZE, 1ULL << 40, ~0ULL };
	static const u64 iovas[] = { 0, MEM_IOVA, MEM_IOVA + 4096, ~0ULL - 4095, 1ULL << 47 };
	struct vhost_vring_state s = {
		.index = rnd(seed, v->nvqs + 2),
		.num = rnd(seed, 4) ? 1u << rnd(seed, 12) : rnd(seed, 70000),
	};
	struct vhost_vdpa_state st = { .addr = UA(v), .size = rnd(seed, 4096) };
	struct vhost_vring_file f = { .index = s.index };
	struct vhost_vring_addr a;
	u8 status;
	u64 f64;

	switch (rnd(seed, 16)) {
	case 0:
		xiotlb(v, rnd(seed, v->nas + 1), VHOST_IOTLB_UPDATE,
		       iovas[rnd(seed, ARRAY_SIZE(iovas))], sizes[rnd(seed, ARRAY_SIZE(sizes))],
		       UA(v) + 4096 * rnd(seed, 4), 1 + rnd(seed, 3));
		break;
	case 1:
		xiotlb(v, rnd(seed, v->nas + 1), VHOST_IOTLB_INVALIDATE,
		       iovas[rnd(seed, ARRAY_SIZE(iovas))], sizes[rnd(seed, ARRAY_SIZE(sizes))],
		       0, 0);
		break;
	case 2:
		xiotlb(v, rnd(seed, v->nas + 1), rnd(seed, 2) ? VHOST_IOTLB_BATCH_BEGIN :
		       VHOST_IOTLB_BATCH_END, 0, 0, 0, 0);
		break;
	case 3:
		xioctl(v, VHOST_SET_VRING_NUM, &s);
		break;
	case 4:
		a = vmm_vring_addr(rnd(seed, 2) ? v->rx : v->tx, 0);
		a.index = s.index;
		a.desc_user_addr += 8 * rnd(seed, 3);
		a.flags = rnd(seed, 8) ? 0 : 1u << rnd(seed, 8);
		xioctl(v, VHOST_SET_VRING_ADDR, &a);
		break;
	case 5:
		xioctl(v, rnd(seed, 2) ? VHOST_SET_VRING_BASE : VHOST_GET_VRING_BASE, &s);
		break;
	case 6:
		s.num = rnd(seed, 2);
		xioctl(v, VHOST_VDPA_SET_VRING_ENABLE, &s);
		break;
	case 7:
		f.fd = rnd(seed, 2) ? v->tx->kick : v->tx->call;
		xioctl(v, rnd(seed, 2) ? VHOST_SET_VRING_KICK : VHOST_SET_VRING_CALL, &f);
		break;
	case 8:
		status = vmm_get_status(v) | (1u << rnd(seed, 8));
		if (!rnd(seed, 6))
			status = 0;
		xioctl(v, VHOST_VDPA_SET_STATUS, &status);
		break;
	case 9:
		f64 = (u64)rand_r(seed) << 32 | rand_r(seed);
		f64 &= v->dev_features | (rnd(seed, 2) ? 0 : ~0ULL);
		xioctl(v, VHOST_SET_FEATURES, &f64);
		break;
	case 10:
		xioctl(v, rnd(seed, 2) ? VHOST_VDPA_SUSPEND : VHOST_VDPA_RESUME, NULL);
		break;
	case 11:
		s.num = rnd(seed, v->nas + 1);
		s.index = rnd(seed, v->ngroups + 1);
		xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s);
		break;
	case 12:
		vmm_kick(rnd(seed, 2) ? v->rx : v->tx);
		break;
	case 13:
		xioctl(v, VHOST_VDPA_GET_STATE, &st);
		break;
	case 14:
		memset(v->mem, rnd(seed, 256), st.size);
		xioctl(v, VHOST_VDPA_SET_STATE, &st);
		break;
	default: {
		struct {
			struct vhost_vdpa_config c;
			u8 buf[64];
		} c = { .c = { .off = rnd(seed, 40), .len = rnd(seed, 40) } };

		xioctl(v, rnd(seed, 4) ? VHOST_VDPA_GET_CONFIG : VHOST_VDPA_SET_CONFIG, &c);
		break;
	}
	}
}

/* Exit code of a case's child whose backend bit is missing. */
#define H_SKIPPED	3

/* Run case @c on a file of its own, then check the device: the exit code. */
static int h_case(struct vmm *v, const char *path, const struct hcase *c)
{
	h_open(v, path);
	if (c->needs && !h_has(v, c->needs))
		return H_SKIPPED;
	step = c->name;
	c->fn(v);
	/* Closing in the middle of it: a new file finds the device whole. */
	if (!strncmp(c->name, "close_", 6) || !strcmp(c->name, "batch_open_at_close")) {
		if (close(v->fd))
			die_errno("close");
		h_open(v, path);
	}
	h_usable(v, c->name);
	if (close(v->fd))
		die_errno("close");
	fflush(stdout);
	return 0;
}

int mode_hostile(struct vmm *v, const char *path, const char *only,
		 unsigned int random_ops, unsigned int seed)
{
	unsigned int i, ran = 0, skipped = 0, failed = 0;

	quiet = true;
	h_open(v, path);
	vmm_mem(v);
	if (close(v->fd))
		die_errno("close");
	for (i = 0; i < nr_hcases; i++) {
		const struct hcase *c = &hcases[i];
		int status;
		pid_t pid;

		if (only && strcmp(only, c->name))
			continue;
		/*
		 * Each case in a child of its own: one that fails says why on
		 * stderr and the next still runs; its exit closes the device
		 * file, which resets the device.
		 */
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die_errno("fork");
		if (!pid)
			_exit(h_case(v, path, c));
		if (waitpid(pid, &status, 0) != pid)
			die_errno("waitpid");
		if (WIFEXITED(status) && WEXITSTATUS(status) == H_SKIPPED) {
			skipped++;
			continue;
		}
		ran++;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			quiet = false;
			kv("hostile_failed_case", "%s", c->name);
			quiet = true;
		}
	}
	quiet = false;
	kv("hostile_cases", "%u", ran);
	kv("hostile_skipped", "%u", skipped);
	kv("hostile_failed", "%u", failed);

	if (random_ops) {
		static char after[64];

		quiet = true;
		h_open(v, path);
		for (i = 0; i < random_ops; i++) {
			h_random_op(v, &seed);
			if (i % 1000 == 999) {
				snprintf(after, sizeof(after),
					 "random operations %u-%u", i - 999, i);
				h_usable(v, after);
				if (!rnd(&seed, 2)) {
					close(v->fd);
					h_open(v, path);
				}
			}
		}
		h_usable(v, "random operations");
		close(v->fd);
		quiet = false;
		kv("hostile_random_ops", "%u", random_ops);
	}
	v->fd = -1;
	return failed ? 1 : 0;
}
