// SPDX-License-Identifier: GPL-2.0
/*
 * Mode hostile: the cases of rings, features, status, config, kicks,
 * close, state and log, and the table of all cases.
 */

#include "vmm.h"

static void hc_vring_num_zero(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 0, .num = 0 };

	EXPECT_ERR("num 0", xioctl(v, VHOST_SET_VRING_NUM, &s), EINVAL);
}

static void hc_vring_num_not_pow2(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 0, .num = 100 };

	EXPECT_ERR("num 100", xioctl(v, VHOST_SET_VRING_NUM, &s), EINVAL);
}

static void hc_vring_num_above_max(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 0, .num = 2 * v->vq_num_max };

	EXPECT_ERR("num twice the maximum", xioctl(v, VHOST_SET_VRING_NUM, &s), EINVAL);
	s.num = 65536;
	EXPECT_ERR("num 65536", xioctl(v, VHOST_SET_VRING_NUM, &s), EINVAL);
}

static void hc_vring_index_out_of_range(struct vmm *v)
{
	struct vhost_vring_state s = { .index = v->nvqs, .num = 64 };
	struct vhost_vring_file f = { .index = v->nvqs, .fd = v->tx->kick };

	EXPECT_ERR("SET_VRING_NUM", xioctl(v, VHOST_SET_VRING_NUM, &s), ENOBUFS);
	EXPECT_ERR("GET_VRING_BASE", xioctl(v, VHOST_GET_VRING_BASE, &s), ENOBUFS);
	EXPECT_ERR("SET_VRING_BASE", xioctl(v, VHOST_SET_VRING_BASE, &s), ENOBUFS);
	EXPECT_ERR("SET_VRING_ENABLE", xioctl(v, VHOST_VDPA_SET_VRING_ENABLE, &s), ENOBUFS);
	EXPECT_ERR("GET_VRING_GROUP", xioctl(v, VHOST_VDPA_GET_VRING_GROUP, &s), ENOBUFS);
	EXPECT_ERR("SET_VRING_KICK", xioctl(v, VHOST_SET_VRING_KICK, &f), ENOBUFS);
	s.index = ~0U;
	EXPECT_ERR("index ~0", xioctl(v, VHOST_SET_VRING_NUM, &s), ENOBUFS);
}

static void hc_vring_addr_unaligned(struct vmm *v)
{
	struct vhost_vring_addr a = vmm_vring_addr(v->tx, 0);

	a.avail_user_addr += 1;
	EXPECT_ERR("avail ring at an odd address", xioctl(v, VHOST_SET_VRING_ADDR, &a), EINVAL);
	a = vmm_vring_addr(v->tx, 0);
	a.used_user_addr += 2;
	EXPECT_ERR("used ring not 4-aligned", xioctl(v, VHOST_SET_VRING_ADDR, &a), EINVAL);
	a = vmm_vring_addr(v->tx, 0);
	a.flags = 1u << 5;
	EXPECT_ERR("unknown ring flag", xioctl(v, VHOST_SET_VRING_ADDR, &a), EOPNOTSUPP);
}

/* A descriptor table vhost takes but the device cannot: NEEDS_RESET. */
static void hc_vring_desc_unaligned(struct vmm *v)
{
	struct vhost_vring_addr a;
	u8 s;

	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->tx, true);
	a = vmm_vring_addr(v->tx, 0);
	a.desc_user_addr += 8;
	EXPECT_ERR("desc table 8 bytes off", xioctl(v, VHOST_SET_VRING_ADDR, &a), 0);
	s = vmm_get_status(v) | VIRTIO_CONFIG_S_DRIVER_OK;
	vmm_set_status(v, s);
	s = vmm_get_status(v);
	if ((s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET))
		die("misaligned descriptor table taken: status 0x%02x", s);
}

static void hc_vring_base_too_big(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1, .num = 0x10000 };

	EXPECT_ERR("base 0x10000 on a split ring", xioctl(v, VHOST_SET_VRING_BASE, &s), EINVAL);
}

static void hc_vring_bad_fds(struct vmm *v)
{
	struct vhost_vring_file f = { .index = 1, .fd = 12345 };
	int p[2];

	EXPECT_ERR("kick fd 12345", xioctl(v, VHOST_SET_VRING_KICK, &f), EBADF);
	EXPECT_ERR("call fd 12345", xioctl(v, VHOST_SET_VRING_CALL, &f), EBADF);
	if (pipe(p))
		die_errno("pipe");
	f.fd = p[0];
	EXPECT_ERR("kick fd a pipe", xioctl(v, VHOST_SET_VRING_KICK, &f), EINVAL);
	EXPECT_ERR("call fd a pipe", xioctl(v, VHOST_SET_VRING_CALL, &f), EINVAL);
	close(p[0]);
	close(p[1]);
	f.fd = -1;
	EXPECT_ERR("kick fd -1 (none)", xioctl(v, VHOST_SET_VRING_KICK, &f), 0);
}

static void hc_vring_running(struct vmm *v)
{
	struct vhost_vring_addr a;
	struct vhost_vring_state s = { .index = 1, .num = 64 };

	h_start(v);
	a = vmm_vring_addr(v->tx, 0);
	a.desc_user_addr += PAGE_SZ;
	EXPECT_ERR("move a running ring", xioctl(v, VHOST_SET_VRING_ADDR, &a), EINVAL);
	/* Its size: vhost takes it, the device keeps the running ring's. */
	EXPECT_ERR("resize a running ring", xioctl(v, VHOST_SET_VRING_NUM, &s), 0);
	s.num = 0;
	EXPECT_ERR("ring state while running", xioctl(v, VHOST_GET_VRING_BASE, &s), 0);
}

/*
 * A queue the device stopped on bad input.  Whether it took the bad
 * chain, or wrote the good chain's used entry, is the device's affair
 * (vendor interface, VQ_QUERY: ERROR); what the driver owes the VMM is a
 * position it can resume from or none: EIO (the VMM then takes the used
 * index in guest memory), or exactly that used index.  Any other number
 * would make the VMM skip buffers or give them twice.  Both chains go
 * out with one avail index store and one kick, so the device meets them
 * in one pass.
 */
static void hc_vring_base_after_fault(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1 };
	struct vq *q = v->tx;
	u64 end = now_ms() + 2000;
	u16 used;
	int err;
	u8 st;

	h_start(v);
	q->desc[0] = (struct vring_desc) {
		.addr = htole64(q->bufs_iova), .len = htole32(64),
	};
	/* Past the only mapping: a DMA the device cannot make. */
	q->desc[1] = (struct vring_desc) {
		.addr = htole64(MEM_IOVA + MEM_SIZE), .len = htole32(64),
	};
	q->avail->ring[0] = htole16(0);
	q->avail->ring[1] = htole16(1);
	q->inflight[0] = 1;
	q->inflight[1] = 1;
	q->avail_idx = 2;
	__atomic_store_n(&q->avail->idx, htole16(2), __ATOMIC_RELEASE);
	vmm_kick(q);
	while (!((st = vmm_get_status(v)) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		if (now_ms() > end)
			die("a buffer at an unmapped IOVA, and no NEEDS_RESET (status 0x%02x)", st);
		sleep_ms(10);
	}
	err = xioctl(v, VHOST_GET_VRING_BASE, &s);
	used = le16toh(__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE));
	/* Which of the two it was, past the cases' quiet (a child: flush). */
	quiet = false;
	if (err == EIO)
		kv("vring_base_after_fault", "EIO, used index %u in memory", used);
	else if (!err && s.num == used)
		kv("vring_base_after_fault", "position %u, the used index in memory", s.num);
	fflush(stdout);
	quiet = true;
	if (!err && s.num != used)
		die("ring state after a ring fault: position %u, used index in memory %u",
		    s.num, used);
	if (err && err != EIO)
		die("ring state after a ring fault: %s, want EIO or the used index",
		    errname(err));
}

static void hc_features_not_offered(struct vmm *v)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1);
	unsigned int b;

	for (b = 63; b > 40 && (v->dev_features & BIT_ULL(b)); b--)
		;
	f |= BIT_ULL(b);
	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, true);
	/*
	 * vhost_vdpa passes the features on; the device refuses them when
	 * the driver sets FEATURES_OK, which must then not stick (virtio 1.3
	 * 3.1.1; vendor interface FN_SET_STATUS).
	 */
	EXPECT_ERR("a feature not offered", xioctl(v, VHOST_SET_FEATURES, &f), 0);
	vmm_add_status(v, VIRTIO_CONFIG_S_FEATURES_OK, false);
	if (vmm_get_status(v) & VIRTIO_CONFIG_S_FEATURES_OK)
		die("FEATURES_OK kept with feature bit %u, which the device lacks", b);
}

static void hc_features_after_features_ok(struct vmm *v)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1);

	h_features(v);
	EXPECT_ERR("features after FEATURES_OK", xioctl(v, VHOST_SET_FEATURES, &f), EBUSY);
}

static void hc_status_remove_bits(struct vmm *v)
{
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	h_features(v);
	EXPECT_ERR("clear FEATURES_OK", xioctl(v, VHOST_VDPA_SET_STATUS, &s), EINVAL);
}

static void hc_status_driver_ok_early(struct vmm *v)
{
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	       VIRTIO_CONFIG_S_DRIVER_OK;

	xioctl(v, VHOST_VDPA_SET_STATUS, &s);
	s = vmm_get_status(v);
	if ((s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET))
		die("DRIVER_OK without FEATURES_OK: status 0x%02x", s);
}

static void hc_status_failed(struct vmm *v)
{
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED;

	EXPECT_ERR("FAILED", xioctl(v, VHOST_VDPA_SET_STATUS, &s), 0);
}

static void hc_backend_features_bad(struct vmm *v)
{
	u64 f = BIT_ULL(40) | BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2);

	EXPECT_ERR("unknown backend bit", xioctl(v, VHOST_SET_BACKEND_FEATURES, &f),
		   EOPNOTSUPP);
	f = BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2) | BIT_ULL(VHOST_BACKEND_F_DESC_ASID);
	EXPECT_ERR("DESC_ASID without IOTLB_ASID",
		   xioctl(v, VHOST_SET_BACKEND_FEATURES, &f), EINVAL);
	f |= BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID);
	EXPECT_ERR("DESC_ASID, which the device lacks",
		   xioctl(v, VHOST_SET_BACKEND_FEATURES, &f), EOPNOTSUPP);
	f = v->backend;
	EXPECT_ERR("back to what was set", xioctl(v, VHOST_SET_BACKEND_FEATURES, &f), 0);
}

static void hc_group_asid_out_of_range(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 0, .num = v->nas };

	EXPECT_ERR("asid = number of address spaces",
		   xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s), EINVAL);
	s = (struct vhost_vring_state) { .index = v->ngroups, .num = 0 };
	EXPECT_ERR("group = number of groups", xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s),
		   v->ngroups < v->nvqs ? EINVAL : ENOBUFS);
}

static void hc_suspend_early(struct vmm *v)
{
	EXPECT_ERR("suspend before DRIVER_OK", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	EXPECT_ERR("resume before DRIVER_OK", xioctl(v, VHOST_VDPA_RESUME, NULL), 0);
}

static void hc_suspend_twice(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1, .num = 5 };

	h_start(v);
	EXPECT_ERR("suspend", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	EXPECT_ERR("suspend again", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	EXPECT_ERR("set a suspended ring's base", xioctl(v, VHOST_SET_VRING_BASE, &s), 0);
	s.num = 0;
	EXPECT_ERR("read it", xioctl(v, VHOST_GET_VRING_BASE, &s), 0);
	if (s.num != 5)
		die("ring base %u after setting 5 while suspended", s.num);
	EXPECT_ERR("resume", xioctl(v, VHOST_VDPA_RESUME, NULL), 0);
	EXPECT_ERR("resume again", xioctl(v, VHOST_VDPA_RESUME, NULL), 0);
}

static void hc_config_every_range(struct vmm *v)
{
	struct vhost_vdpa_config *c;
	u32 size, off, len;

	VMM_IOCTL(v, VHOST_VDPA_GET_CONFIG_SIZE, &size);
	c = calloc(1, sizeof(*c) + size + 16);
	if (!c)
		die("out of memory");
	for (off = 0; off < size; off++)
		for (len = 1; off + len <= size; len++) {
			c->off = off;
			c->len = len;
			if (xioctl(v, VHOST_VDPA_GET_CONFIG, c))
				die("config read at %u length %u: %s", off, len,
				    strerror(errno));
		}
	c->off = 0;
	c->len = 0;
	EXPECT_ERR("length 0", xioctl(v, VHOST_VDPA_GET_CONFIG, c), EINVAL);
	c->off = size + 1;
	c->len = 1;
	EXPECT_ERR("offset past the end", xioctl(v, VHOST_VDPA_GET_CONFIG, c), EINVAL);
	c->off = size - 1;
	c->len = 2;
	EXPECT_ERR("running past the end", xioctl(v, VHOST_VDPA_GET_CONFIG, c), EINVAL);
	c->off = 0;
	c->len = 1u << 30;
	EXPECT_ERR("1 GiB", xioctl(v, VHOST_VDPA_GET_CONFIG, c), EINVAL);
	EXPECT_ERR("write 1 GiB", xioctl(v, VHOST_VDPA_SET_CONFIG, c), EINVAL);
	c->off = size - 1;
	c->len = 2;
	EXPECT_ERR("write past the end", xioctl(v, VHOST_VDPA_SET_CONFIG, c), EINVAL);
	free(c);
}

static void hc_kick_before_setup(struct vmm *v)
{
	struct vhost_vring_file f = { .index = 1, .fd = v->tx->kick };

	EXPECT_ERR("kick fd", xioctl(v, VHOST_SET_VRING_KICK, &f), 0);
	vmm_kick(v->tx);
	vmm_kick(v->tx);
	sleep_ms(20);
}

static void hc_close_running(struct vmm *v)
{
	h_start(v);
	/* The runner closes the file with the device running. */
}

static void hc_close_suspended(struct vmm *v)
{
	h_start(v);
	EXPECT_ERR("suspend", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
}

static void hc_state_get_wrong_time(struct vmm *v)
{
	struct vhost_vdpa_state st = {};

	EXPECT_ERR("state of a device not started", xioctl(v, VHOST_VDPA_GET_STATE, &st),
		   EBUSY);
	h_start(v);
	EXPECT_ERR("state of a running device", xioctl(v, VHOST_VDPA_GET_STATE, &st),
		   EBUSY);
	EXPECT_ERR("suspend", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	st.flags = 1;
	EXPECT_ERR("flags 1", xioctl(v, VHOST_VDPA_GET_STATE, &st), EINVAL);
	st.flags = 0;
	st.size = 64;
	st.addr = 16;
	EXPECT_ERR("too small a buffer", xioctl(v, VHOST_VDPA_GET_STATE, &st), ENOSPC);
	st.addr = 16;
	EXPECT_ERR("a buffer at address 16", xioctl(v, VHOST_VDPA_GET_STATE, &st), EFAULT);
}

static void hc_state_set_bad(struct vmm *v)
{
	struct vhost_vdpa_state st = { .addr = UA(v), .size = 512 };
	u8 s;

	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, true);
	memset(v->mem, 0xa5, 512);
	EXPECT_ERR("512 bytes of 0xa5", xioctl(v, VHOST_VDPA_SET_STATE, &st), EINVAL);
	s = vmm_get_status(v);
	if (s != (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER))
		die("status 0x%02x after a refused state, want 0x03", s);
	st.size = 0;
	EXPECT_ERR("size 0", xioctl(v, VHOST_VDPA_SET_STATE, &st), EINVAL);
	st.size = 2u << 20;
	EXPECT_ERR("2 MiB", xioctl(v, VHOST_VDPA_SET_STATE, &st), E2BIG);
	st.size = 100;
	st.addr = 16;
	EXPECT_ERR("at address 16", xioctl(v, VHOST_VDPA_SET_STATE, &st), EFAULT);
	st.addr = UA(v);
	st.flags = 2;
	EXPECT_ERR("flags 2", xioctl(v, VHOST_VDPA_SET_STATE, &st), EINVAL);
	st.flags = 0;
	h_features(v);
	EXPECT_ERR("after FEATURES_OK", xioctl(v, VHOST_VDPA_SET_STATE, &st), EBUSY);
}

static void hc_log_base_bad(struct vmm *v)
{
	u64 base = 16;

	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	EXPECT_ERR("log base at address 16", xioctl(v, VHOST_SET_LOG_BASE, &base), EFAULT);
}

static void hc_vring_num_max(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 0, .num = v->vq_num_max };

	EXPECT_ERR("the maximum size", xioctl(v, VHOST_SET_VRING_NUM, &s), 0);
	s.num = 1;
	EXPECT_ERR("size 1", xioctl(v, VHOST_SET_VRING_NUM, &s), 0);
}

static void hc_status_reset_repeated(struct vmm *v)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		h_start(v);
		vmm_set_status(v, 0);
		vmm_set_status(v, 0);
		if (vmm_get_status(v))
			die("status 0x%02x after reset %u", vmm_get_status(v), i);
		/* A reset keeps vhost-vdpa's maps (IOTLB): h_start maps again. */
		vmm_unmap(v, 0, MEM_IOVA, MEM_SIZE);
	}
}

static void hc_config_write_every_range(struct vmm *v)
{
	struct vhost_vdpa_config *c;
	u32 size, off;

	VMM_IOCTL(v, VHOST_VDPA_GET_CONFIG_SIZE, &size);
	c = calloc(1, sizeof(*c) + size);
	if (!c)
		die("out of memory");
	c->off = 0;
	c->len = size;
	VMM_IOCTL(v, VHOST_VDPA_GET_CONFIG, c);
	/* The device's own values written back, byte by byte. */
	for (off = 0; off < size; off++) {
		struct {
			struct vhost_vdpa_config h;
			u8 b;
		} w = { .h = { .off = off, .len = 1 }, .b = c->buf[off] };

		EXPECT_ERR("config write of one byte", xioctl(v, VHOST_VDPA_SET_CONFIG, &w), 0);
	}
	free(c);
}

static void hc_group_asid_rules(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1, .num = 1 };

	EXPECT_ERR("group 1 to AS 1", xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s), 0);
	s.num = 0;
	EXPECT_ERR("and back", xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s), 0);
	h_start(v);
	s.num = 1;
	EXPECT_ERR("while running", xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s), EBUSY);
	EXPECT_ERR("suspend", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	EXPECT_ERR("while suspended", xioctl(v, VHOST_VDPA_SET_GROUP_ASID, &s), 0);
}

static void hc_suspend_reset_resume(struct vmm *v)
{
	h_start(v);
	EXPECT_ERR("suspend", xioctl(v, VHOST_VDPA_SUSPEND, NULL), 0);
	vmm_set_status(v, 0);
	EXPECT_ERR("resume after the reset", xioctl(v, VHOST_VDPA_RESUME, NULL), 0);
	if (vmm_get_status(v))
		die("status 0x%02x: resume started a reset device", vmm_get_status(v));
}

static void hc_vring_base_before_start(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1, .num = 7 };

	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	EXPECT_ERR("base 7", xioctl(v, VHOST_SET_VRING_BASE, &s), 0);
	s.num = 0;
	EXPECT_ERR("read before DRIVER_OK", xioctl(v, VHOST_GET_VRING_BASE, &s), 0);
	if (s.num != 7)
		die("ring base %u before DRIVER_OK, 7 set", s.num);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
	s.num = 0;
	EXPECT_ERR("read after DRIVER_OK", xioctl(v, VHOST_GET_VRING_BASE, &s), 0);
	if (s.num != 7)
		die("ring base %u after DRIVER_OK, 7 set", s.num);
}

static void hc_vring_setup_before_features(struct vmm *v)
{
	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, true);
	vmm_vq_setup(v, v->tx, true);
	h_features(v);
}

static void hc_features_twice(struct vmm *v)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1);

	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, true);
	EXPECT_ERR("features", xioctl(v, VHOST_SET_FEATURES, &f), 0);
	f |= BIT_ULL(VIRTIO_NET_F_MAC);
	EXPECT_ERR("other features before FEATURES_OK", xioctl(v, VHOST_SET_FEATURES, &f), 0);
}

static void hc_call_fd_running(struct vmm *v)
{
	struct vhost_vring_file f = { .index = 1 };
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	h_start(v);
	f.fd = fd;
	EXPECT_ERR("new call fd while running", xioctl(v, VHOST_SET_VRING_CALL, &f), 0);
	f.fd = -1;
	EXPECT_ERR("no call fd while running", xioctl(v, VHOST_SET_VRING_CALL, &f), 0);
	close(fd);
	f.fd = v->tx->call;
	EXPECT_ERR("the first again", xioctl(v, VHOST_SET_VRING_CALL, &f), 0);
}

static void hc_config_call_bad_fd(struct vmm *v)
{
	int fd = 12345;

	EXPECT_ERR("config call fd 12345", xioctl(v, VHOST_VDPA_SET_CONFIG_CALL, &fd), EBADF);
	fd = eventfd(0, EFD_CLOEXEC);
	EXPECT_ERR("config call eventfd", xioctl(v, VHOST_VDPA_SET_CONFIG_CALL, &fd), 0);
	close(fd);
	fd = -1;
	EXPECT_ERR("no config call", xioctl(v, VHOST_VDPA_SET_CONFIG_CALL, &fd), 0);
}

static void hc_unknown_ioctl(struct vmm *v)
{
	struct vhost_vring_state s = {};

	if (ioctl(v->fd, _IOW(VHOST_VIRTIO, 0xee, struct vhost_vring_state), &s) >= 0 ||
	    errno != ENOTTY)
		die("ioctl 0xee: %s, want ENOTTY", errno ? strerror(errno) : "taken");
}

static void hc_owner_twice(struct vmm *v)
{
	EXPECT_ERR("SET_OWNER again", xioctl(v, VHOST_SET_OWNER, NULL), EBUSY);
}

static void hc_second_open(struct vmm *v)
{
	int fd = open(v->path, O_RDWR);

	if (fd >= 0) {
		close(fd);
		die("a second open of %s succeeded", v->path);
	}
	if (errno != EBUSY)
		die("a second open: %s, want EBUSY", strerror(errno));
}

static void hc_kick_after_reset(struct vmm *v)
{
	h_start(v);
	vmm_set_status(v, 0);
	vmm_kick(v->tx);
	vmm_kick(v->rx);
	sleep_ms(20);
	if (vmm_get_status(v))
		die("status 0x%02x after kicks of a reset device", vmm_get_status(v));
}

static void hc_vring_enable_running(struct vmm *v)
{
	struct vhost_vring_state s = { .index = 1, .num = 0 };

	h_start(v);
	EXPECT_ERR("stop a running ring", xioctl(v, VHOST_VDPA_SET_VRING_ENABLE, &s), 0);
	s.num = 1;
	EXPECT_ERR("start it again", xioctl(v, VHOST_VDPA_SET_VRING_ENABLE, &s), 0);
}

static void hc_log_all_toggle(struct vmm *v)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VHOST_F_LOG_ALL);

	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, true);
	EXPECT_ERR("LOG_ALL before FEATURES_OK, no log base",
		   xioctl(v, VHOST_SET_FEATURES, &f), 0);
	vmm_add_status(v, VIRTIO_CONFIG_S_FEATURES_OK, true);
	f &= ~BIT_ULL(VHOST_F_LOG_ALL);
	EXPECT_ERR("LOG_ALL off after FEATURES_OK", xioctl(v, VHOST_SET_FEATURES, &f), 0);
	f |= BIT_ULL(VIRTIO_NET_F_MAC);
	EXPECT_ERR("another feature after FEATURES_OK", xioctl(v, VHOST_SET_FEATURES, &f),
		   EBUSY);
}

/* A log one page long cannot cover a map at 1 TiB: the map is refused. */
static void hc_log_grow_beyond_base(struct vmm *v)
{
	u8 *log = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u64 base = (uintptr_t)log;

	if (log == MAP_FAILED || mprotect(log + PAGE_SZ, PAGE_SZ, PROT_NONE))
		die_errno("log pages");
	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	EXPECT_ERR("log base", xioctl(v, VHOST_SET_LOG_BASE, &base), 0);
	if ((1ULL << 40) + MEM_SIZE - 1 <= v->range.last)
		EXPECT_ERR("a writable map the log cannot cover",
			   xiotlb(v, 0, VHOST_IOTLB_UPDATE, 1ULL << 40, MEM_SIZE, UA(v), RW),
			   EREFUSED);
	vmm_set_status(v, 0);
	munmap(log, 2 * PAGE_SZ);
}

const struct hcase hcases[] = {
#define HC(n) { #n, hc_##n, 0 }
#define HCB(n, b) { #n, hc_##n, b }
	HC(iotlb_zero_size),
	HC(iotlb_wrap),
	HC(iotlb_past_range),
	HC(iotlb_overlap),
	HC(iotlb_unmapped_uaddr),
	HC(iotlb_huge),
	HC(iotlb_bad_type),
	HC(iotlb_asid_out_of_range),
	HC(iotlb_invalidate_no_space),
	HC(iotlb_invalidate_unmapped),
	HC(batch_asid_switch),
	HC(batch_unbalanced),
	HC(batch_open_at_close),
	HC(iotlb_short_write),
	HC(iotlb_cvq_space_from_data),
	HC(vring_num_zero),
	HC(vring_num_not_pow2),
	HC(vring_num_above_max),
	HC(vring_index_out_of_range),
	HC(vring_addr_unaligned),
	HC(vring_desc_unaligned),
	HC(vring_base_too_big),
	HC(vring_bad_fds),
	HC(vring_running),
	HC(vring_base_after_fault),
	HC(features_not_offered),
	HC(features_after_features_ok),
	HC(status_remove_bits),
	HC(status_driver_ok_early),
	HC(status_failed),
	HC(backend_features_bad),
	HC(group_asid_out_of_range),
	HC(suspend_early),
	HC(suspend_twice),
	HC(config_every_range),
	HC(kick_before_setup),
	HC(iotlb_remap),
	HC(vring_num_max),
	HC(status_reset_repeated),
	HC(config_write_every_range),
	HC(group_asid_rules),
	HC(suspend_reset_resume),
	HC(vring_base_before_start),
	HC(vring_setup_before_features),
	HC(features_twice),
	HC(call_fd_running),
	HC(config_call_bad_fd),
	HC(unknown_ioctl),
	HC(owner_twice),
	HC(second_open),
	HC(iotlb_read_only_ring),
	HC(iotlb_unmap_running),
	HC(batch_end_other_asid),
	HC(batch_across_reset),
	HC(kick_after_reset),
	HC(vring_enable_running),
	HC(close_running),
	HC(close_suspended),
	HCB(state_get_wrong_time, VHOST_BACKEND_F_DEVICE_STATE),
	HCB(state_set_bad, VHOST_BACKEND_F_DEVICE_STATE),
	HCB(log_base_bad, VHOST_BACKEND_F_LOG_ALL_DEVICE),
	HCB(log_all_toggle, VHOST_BACKEND_F_LOG_ALL_DEVICE),
	HCB(log_grow_beyond_base, VHOST_BACKEND_F_LOG_ALL_DEVICE),
#undef HC
#undef HCB
};

const unsigned int nr_hcases = ARRAY_SIZE(hcases);
