// SPDX-License-Identifier: GPL-2.0
/*
 * The client's steps as a VMM takes them: die() and KEY=VALUE output,
 * time, and the vhost-vdpa control path (open, backend and device
 * features, IOTLB maps, virtqueue setup, used rings, CVQ commands).
 */

#include "vmm.h"

const char *prog = "snic-vmm";
const char *step = "start";
bool quiet;

void __noreturn __printf(1, 2) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stdout);
	exit(1);
}

void __printf(2, 3) kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	printf("%s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the steps: ioctls and messages, each failing loudly ---- */

void vmm_ioctl(struct vmm *v, unsigned long req, void *arg,
	       const char *name)
{
	if (ioctl(v->fd, req, arg) < 0)
		die_errno("%s", name);
}

u8 vmm_get_status(struct vmm *v)
{
	u8 s;

	VMM_IOCTL(v, VHOST_VDPA_GET_STATUS, &s);
	return s;
}

void vmm_set_status(struct vmm *v, u8 s)
{
	VMM_IOCTL(v, VHOST_VDPA_SET_STATUS, &s);
}

/* Add status bits; with @check, read them back. */
void vmm_add_status(struct vmm *v, u8 bits, bool check)
{
	u8 s = vmm_get_status(v) | bits;

	vmm_set_status(v, s);
	if (check && (vmm_get_status(v) & bits) != bits)
		die("status 0x%02x: the device did not keep 0x%02x (reads 0x%02x)",
		    s, bits, vmm_get_status(v));
}

void vmm_open(struct vmm *v, const char *path)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	u32 id;

	step = "open";
	/* vhost-vdpa pins what is mapped: as a VMM, lift the memlock limit. */
	setrlimit(RLIMIT_MEMLOCK, &rl);
	v->path = path;
	v->fd = open(path, O_RDWR);
	if (v->fd < 0)
		die_errno("%s", path);
	step = "set owner";
	VMM_IOCTL(v, VHOST_SET_OWNER, NULL);
	step = "device id";
	VMM_IOCTL(v, VHOST_VDPA_GET_DEVICE_ID, &id);
	kv("device_id", "%u", id);
	if (id != VIRTIO_ID_NET)
		die("device id %u is not a network device (%u)", id,
		    VIRTIO_ID_NET);
}

static const char *const backend_names[] = {
	[VHOST_BACKEND_F_IOTLB_MSG_V2] = "IOTLB_MSG_V2",
	[VHOST_BACKEND_F_IOTLB_BATCH] = "IOTLB_BATCH",
	[VHOST_BACKEND_F_IOTLB_ASID] = "IOTLB_ASID",
	[VHOST_BACKEND_F_SUSPEND] = "SUSPEND",
	[VHOST_BACKEND_F_RESUME] = "RESUME",
	[VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK] = "ENABLE_AFTER_DRIVER_OK",
	[VHOST_BACKEND_F_DESC_ASID] = "DESC_ASID",
	[VHOST_BACKEND_F_IOTLB_PERSIST] = "IOTLB_PERSIST",
	[VHOST_BACKEND_F_LOG_ALL_DEVICE] = "LOG_ALL_DEVICE",
	[VHOST_BACKEND_F_DEVICE_STATE] = "DEVICE_STATE",
};

static void print_backend(const char *key, u64 f)
{
	char buf[256] = "";
	unsigned int i;

	for (i = 0; i < 64; i++) {
		if (!(f & BIT_ULL(i)))
			continue;
		if (i < ARRAY_SIZE(backend_names) && backend_names[i])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%s%s", *buf ? " " : "", backend_names[i]);
		else
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%sbit%u", *buf ? " " : "", i);
	}
	kv(key, "%s", buf);
}

/* Backend features: the message format and what the client can use. */
void vmm_backend(struct vmm *v)
{
	u64 offered, want;

	step = "backend features";
	VMM_IOCTL(v, VHOST_GET_BACKEND_FEATURES, &offered);
	print_backend("backend_offered", offered);
	if (!(offered & BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2)))
		die("the backend does not offer IOTLB_MSG_V2");
	want = BIT_ULL(VHOST_BACKEND_F_IOTLB_MSG_V2) |
	       BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH) |
	       BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID) |
	       BIT_ULL(VHOST_BACKEND_F_SUSPEND) |
	       BIT_ULL(VHOST_BACKEND_F_RESUME);
	if (v->log.trace || v->want_log)
		want |= BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE);
	if (v->want_state)
		want |= BIT_ULL(VHOST_BACKEND_F_DEVICE_STATE);
	v->backend = offered & want;
	VMM_IOCTL(v, VHOST_SET_BACKEND_FEATURES, &v->backend);
	print_backend("backend", v->backend);
}

/* What the device is: queues, groups, address spaces, config space. */
void vmm_probe(struct vmm *v)
{
	struct vhost_vdpa_config *cfg;
	struct virtio_net_config nc;
	u32 n, size;
	u16 num;

	step = "device features";
	VMM_IOCTL(v, VHOST_GET_FEATURES, &v->dev_features);
	kv("dev_features", "0x%llx", (unsigned long long)v->dev_features);
	step = "vring num";
	VMM_IOCTL(v, VHOST_VDPA_GET_VRING_NUM, &num);
	v->vq_num_max = num;
	kv("vring_num_max", "%u", num);
	step = "vqs count";
	VMM_IOCTL(v, VHOST_VDPA_GET_VQS_COUNT, &n);
	v->nvqs = n;
	step = "groups";
	VMM_IOCTL(v, VHOST_VDPA_GET_GROUP_NUM, &n);
	v->ngroups = n;
	step = "address spaces";
	VMM_IOCTL(v, VHOST_VDPA_GET_AS_NUM, &n);
	v->nas = n;
	kv("vqs", "%u", v->nvqs);
	kv("groups", "%u", v->ngroups);
	kv("as", "%u", v->nas);
	step = "iova range";
	VMM_IOCTL(v, VHOST_VDPA_GET_IOVA_RANGE, &v->range);
	if (v->range.first > MEM_IOVA ||
	    v->range.last < MEM_IOVA + MEM_SIZE - 1)
		die("IOVA range 0x%llx-0x%llx does not hold 0x%llx-0x%llx",
		    (unsigned long long)v->range.first,
		    (unsigned long long)v->range.last, MEM_IOVA,
		    MEM_IOVA + MEM_SIZE - 1);

	step = "config";
	VMM_IOCTL(v, VHOST_VDPA_GET_CONFIG_SIZE, &size);
	if (size < offsetof(struct virtio_net_config, mtu) + 2)
		die("config space of %u bytes is too small", size);
	cfg = calloc(1, sizeof(*cfg) + sizeof(nc));
	if (!cfg)
		die("out of memory");
	cfg->off = 0;
	cfg->len = size < sizeof(nc) ? size : sizeof(nc);
	VMM_IOCTL(v, VHOST_VDPA_GET_CONFIG, cfg);
	memset(&nc, 0, sizeof(nc));
	memcpy(&nc, cfg->buf, cfg->len);
	free(cfg);
	memcpy(v->mac, nc.mac, 6);
	v->mtu = le16toh(nc.mtu);
	v->max_pairs = le16toh(nc.max_virtqueue_pairs);
	kv("mac", "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1],
	   v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
	kv("config_status", "0x%x", le16toh(nc.status));
	kv("config_mtu", "%u", v->mtu);
	kv("config_max_pairs", "%u", v->max_pairs);
}

unsigned int vmm_vq_group(struct vmm *v, unsigned int idx)
{
	struct vhost_vring_state s = { .index = idx };

	VMM_IOCTL(v, VHOST_VDPA_GET_VRING_GROUP, &s);
	if (s.num >= v->ngroups)
		die("queue %u in group %u of %u", idx, s.num, v->ngroups);
	return s.num;
}

/*
 * Status ACKNOWLEDGE and DRIVER, the features (those of @want the device
 * offers; @need must be among them), FEATURES_OK read back.
 */
void vmm_negotiate(struct vmm *v, u64 want, u64 need)
{
	step = "reset";
	vmm_set_status(v, 0);
	if (vmm_get_status(v))
		die("status 0x%02x after reset", vmm_get_status(v));
	step = "status ACKNOWLEDGE";
	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE, true);
	step = "status DRIVER";
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER, true);
	step = "set features";
	if ((v->dev_features & need) != need)
		die("the device lacks features 0x%llx",
		    (unsigned long long)(need & ~v->dev_features));
	v->features = v->dev_features & want;
	VMM_IOCTL(v, VHOST_SET_FEATURES, &v->features);
	kv("features", "0x%llx", (unsigned long long)v->features);
	step = "status FEATURES_OK";
	vmm_add_status(v, VIRTIO_CONFIG_S_FEATURES_OK, true);
}

/* One IOTLB v2 message; asid only with IOTLB_ASID negotiated. */
static void vmm_iotlb(struct vmm *v, unsigned int asid, u8 type,
		      u64 iova, u64 size, void *uaddr)
{
	struct vhost_msg_v2 m = {
		.type = VHOST_IOTLB_MSG_V2,
		.asid = asid,
		.iotlb = {
			.iova = iova,
			.size = size,
			.uaddr = (uintptr_t)uaddr,
			.perm = VHOST_ACCESS_RW,
			.type = type,
		},
	};

	if (asid && !(v->backend & BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID)))
		die("address space %u without IOTLB_ASID", asid);
	if (write(v->fd, &m, sizeof(m)) != sizeof(m))
		die_errno("IOTLB message type %u asid %u iova 0x%llx size 0x%llx",
			  type, asid, (unsigned long long)iova,
			  (unsigned long long)size);
}

/* Map [iova, iova + size) to @uaddr in @asid, in a batch if offered. */
void vmm_map(struct vmm *v, unsigned int asid, u64 iova,
	     u64 size, void *uaddr)
{
	bool batch = v->backend & BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH);

	step = "iotlb map";
	if (batch)
		vmm_iotlb(v, asid, VHOST_IOTLB_BATCH_BEGIN, 0, 0, NULL);
	vmm_iotlb(v, asid, VHOST_IOTLB_UPDATE, iova, size, uaddr);
	if (batch)
		vmm_iotlb(v, asid, VHOST_IOTLB_BATCH_END, 0, 0, NULL);
}

void vmm_unmap(struct vmm *v, unsigned int asid, u64 iova,
	       u64 size)
{
	bool batch = v->backend & BIT_ULL(VHOST_BACKEND_F_IOTLB_BATCH);

	step = "iotlb unmap";
	if (batch)
		vmm_iotlb(v, asid, VHOST_IOTLB_BATCH_BEGIN, 0, 0, NULL);
	vmm_iotlb(v, asid, VHOST_IOTLB_INVALIDATE, iova, size, NULL);
	if (batch)
		vmm_iotlb(v, asid, VHOST_IOTLB_BATCH_END, 0, 0, NULL);
}

static u64 mem_iova(struct vmm *v, const void *p)
{
	return MEM_IOVA + ((const u8 *)p - v->mem);
}

/* Lay queue @slot of the client's memory out as virtqueue @idx. */
struct vq *vmm_vq_init(struct vmm *v, unsigned int slot,
		       unsigned int idx)
{
	struct vq *q = &v->vqs[slot];
	u8 *base = v->mem + slot * VQ_AREA;

	q->idx = idx;
	q->num = v->vq_num_max < VQ_NUM_WANTED ? v->vq_num_max : VQ_NUM_WANTED;
	q->used_by_client = true;
	q->desc = (void *)base;
	q->avail = (void *)(base + PAGE_SZ);
	q->used = (void *)(base + 2 * PAGE_SZ);
	q->bufs = base + RING_AREA;
	q->desc_iova = mem_iova(v, q->desc);
	q->avail_iova = mem_iova(v, q->avail);
	q->used_iova = mem_iova(v, q->used);
	q->bufs_iova = mem_iova(v, q->bufs);
	q->inflight = calloc(q->num, 1);
	if (!q->inflight)
		die("out of memory");
	q->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick < 0 || q->call < 0)
		die_errno("eventfd");
	return q;
}

/*
 * The ring addresses of @q for VHOST_SET_VRING_ADDR: vhost-vdpa takes
 * IOVAs; with VHOST_VRING_F_LOG in @flags the used ring is logged at its
 * IOVA (the log is indexed by IOVA).
 */
struct vhost_vring_addr vmm_vring_addr(const struct vq *q,
				       unsigned int flags)
{
	return (struct vhost_vring_addr) {
		.index = q->idx,
		.flags = flags,
		.desc_user_addr = q->desc_iova,
		.avail_user_addr = q->avail_iova,
		.used_user_addr = q->used_iova,
		.log_guest_addr = flags & (1u << VHOST_VRING_F_LOG) ?
				  q->used_iova : 0,
	};
}

/* SET_VRING_NUM/ADDR/BASE/KICK/CALL/ENABLE for queue @q. */
void vmm_vq_setup(struct vmm *v, struct vq *q, bool enable)
{
	struct vhost_vring_state s = { .index = q->idx };
	struct vhost_vring_addr a = vmm_vring_addr(q, 0);
	struct vhost_vring_file f = { .index = q->idx };

	step = "vring setup";
	s.num = q->num;
	VMM_IOCTL(v, VHOST_SET_VRING_NUM, &s);
	VMM_IOCTL(v, VHOST_SET_VRING_ADDR, &a);
	s.num = 0;
	VMM_IOCTL(v, VHOST_SET_VRING_BASE, &s);
	f.fd = q->kick;
	VMM_IOCTL(v, VHOST_SET_VRING_KICK, &f);
	f.fd = q->call;
	VMM_IOCTL(v, VHOST_SET_VRING_CALL, &f);
	s.num = enable;
	VMM_IOCTL(v, VHOST_VDPA_SET_VRING_ENABLE, &s);
}

unsigned int vmm_vring_base(struct vmm *v, struct vq *q)
{
	struct vhost_vring_state s = { .index = q->idx };

	VMM_IOCTL(v, VHOST_GET_VRING_BASE, &s);
	return s.num;
}

void vmm_kick(struct vq *q)
{
	u64 one = 1;

	if (write(q->kick, &one, sizeof(one)) != sizeof(one))
		die_errno("kick queue %u", q->idx);
}

u16 vq_used_idx(const struct vq *q)
{
	return le16toh(__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE));
}

/* Post descriptor chain @head (its descriptors already written). */
void vq_publish(struct vq *q, u16 head)
{
	q->avail->ring[q->avail_idx % q->num] = htole16(head);
	q->inflight[head] = 1;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, htole16(q->avail_idx),
			 __ATOMIC_RELEASE);
}

/* The next used entry, if any: its id (checked to be in flight) and len. */
bool vq_pop_used(struct vq *q, u16 *id, u32 *len)
{
	struct vring_used_elem *e;
	u16 used = vq_used_idx(q);

	if (used == q->used_seen)
		return false;
	if ((u16)(used - q->used_seen) > q->num)
		die("queue %u: used index %u is %u ahead of %u, more than the ring size %u",
		    q->idx, used, (u16)(used - q->used_seen), q->used_seen,
		    q->num);
	e = &q->used->ring[q->used_seen % q->num];
	*id = le32toh(e->id);
	*len = le32toh(e->len);
	if (*id >= q->num || !q->inflight[*id])
		die("queue %u: used entry %u returns id %u, which is not in flight",
		    q->idx, q->used_seen, *id);
	q->inflight[*id] = 0;
	q->used_seen++;
	return true;
}

/* Wait for the call eventfd of @q, or @ms; clears it. */
void vq_wait_call(struct vq *q, int ms)
{
	struct pollfd p = { .fd = q->call, .events = POLLIN };
	u64 n;

	if (poll(&p, 1, ms) > 0 && read(q->call, &n, sizeof(n)) < 0 &&
	    errno != EAGAIN)
		die_errno("call eventfd of queue %u", q->idx);
}

/* ---- the control queue ---- */

u8 vmm_cvq_cmd(struct vmm *v, u8 class, u8 cmd, const void *data,
	       size_t len)
{
	struct vq *q = v->cvq;
	u8 *out = q->bufs, *ack = q->bufs + BUF_SIZE;
	u64 deadline = now_ms() + WAIT_MS;
	/* Each command is a pair of descriptors: header and data, ack. */
	u16 head = (u16)(q->avail_idx * 2) % q->num, id;
	u32 ulen;

	if (q->inflight[head])
		die("control queue busy");
	out[0] = class;
	out[1] = cmd;
	memcpy(out + 2, data, len);
	*ack = 0xff;
	q->desc[head] = (struct vring_desc) {
		.addr = htole64(mem_iova(v, out)),
		.len = htole32(2 + len),
		.flags = htole16(VRING_DESC_F_NEXT),
		.next = htole16((head + 1) % q->num),
	};
	q->desc[(head + 1) % q->num] = (struct vring_desc) {
		.addr = htole64(mem_iova(v, ack)),
		.len = htole32(1),
		.flags = htole16(VRING_DESC_F_WRITE),
	};
	vq_publish(q, head);
	vmm_kick(q);
	while (!vq_pop_used(q, &id, &ulen)) {
		if (now_ms() > deadline)
			die("control command %u/%u: no answer in %d ms", class,
			    cmd, WAIT_MS);
		vq_wait_call(q, 10);
	}
	if (id != head || ulen < 1)
		die("control command %u/%u: used id %u len %u, want id %u len >= 1",
		    class, cmd, id, ulen, head);
	return __atomic_load_n(ack, __ATOMIC_ACQUIRE);
}
