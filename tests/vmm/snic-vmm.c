// SPDX-License-Identifier: GPL-2.0
/*
 * snic-vmm: a userspace vhost-vdpa client that drives /dev/vhost-vdpa-N as
 * a VMM does, without a guest: control path, IOTLB maps of its own memory,
 * split rings in that memory, and traffic with the device's representor.
 *
 *   snic-vmm traffic --dev /dev/vhost-vdpa-N --port snic0f0 [--frames N]
 *		[--no-suspend] [--no-cvq]
 *	negotiate, map, set up RX/TX (and the CVQ in its own address space),
 *	DRIVER_OK, N frames each way, checked seq by seq and byte by byte,
 *	a suspend/resume in each direction with the ring positions checked,
 *	then reset and close.
 *
 *   snic-vmm traffic ... --dirty-log TRACE
 *	the same with the device's dirty page log (the kernel series of
 *	patches/linux/): VHOST_SET_LOG_BASE, VHOST_F_LOG_ALL switched on at
 *	DRIVER_OK as QEMU does at migration start; after the transmit and
 *	the receive traffic the device is suspended (vhost_vdpa syncs the
 *	log) and every page the NIC wrote, as its write trace TRACE lists
 *	them (debugfs snic_model/nic<N>/write_trace, started on the
 *	function by the caller), must have its bit in the log.
 *
 *   snic-vmm unmapped-ring --dev /dev/vhost-vdpa-N [--map-unrelated]
 *	point the TX ring at host physical addresses of the client's own
 *	pages (found in /proc/self/pagemap), which it never mapped, go to
 *	DRIVER_OK and kick: the device must not touch those pages, and must
 *	either refuse or report NEEDS_RESET.
 *
 *   snic-vmm state --dev /dev/vhost-vdpa-N --port REP
 *		--dst /dev/vhost-vdpa-M --dst-port REP2 [--dst ... --dst-port ...]
 *		[--frames N] [--fault promisc]
 *	device state (the kernel series of patches/linux/): a device with
 *	a CVQ (and two queue pairs in use if it has them) gets a receive
 *	filter through the CVQ (MAC, MAC tables, promiscuous and
 *	all-multicast off, a VLAN) and carries traffic both ways; with
 *	transmit frames posted (not kicked) it is suspended, its state read
 *	(VHOST_VDPA_GET_STATE) and given (VHOST_VDPA_SET_STATE, after a
 *	damaged copy that must be refused) to each --dst in turn, which is
 *	resumed on the client's same rings: the posted frames leave from
 *	the destination, no frame is lost or repeated either way, the
 *	state reads back the same, and filter probes sent into each
 *	representor fare as at the source.  --fault promisc sets the
 *	promiscuous flag in the state given (still a valid state): the
 *	probes must catch the destination's wrong filter.
 *
 * Results are KEY=VALUE lines on stdout; the first failure ends the
 * program with a message on stderr and exit status 1 (2 for bad usage).
 *
 * Only the uAPI headers are used.  Debian 12's are those of Linux 6.1: the
 * few definitions added later are given below, with the values of
 * include/uapi/linux/vhost*.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <linux/if_ether.h>
#include <linux/genetlink.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/vdpa.h>
#include <linux/vhost.h>
#include <linux/vhost_types.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef VHOST_BACKEND_F_RESUME
#define VHOST_BACKEND_F_RESUME			0x5
#endif

/* The status a device is in after a restored state: the driver's four bits. */
#define VMM_STATUS_RUNNING (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
			    VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

#ifndef VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK
#define VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK	0x6
#endif
#ifndef VHOST_BACKEND_F_DESC_ASID
#define VHOST_BACKEND_F_DESC_ASID		0x7
#endif
#ifndef VHOST_BACKEND_F_IOTLB_PERSIST
#define VHOST_BACKEND_F_IOTLB_PERSIST		0x8
#endif
#ifndef VHOST_BACKEND_F_LOG_ALL_DEVICE
#define VHOST_BACKEND_F_LOG_ALL_DEVICE		0x9
#endif
#ifndef VHOST_VDPA_RESUME
#define VHOST_VDPA_RESUME			_IO(VHOST_VIRTIO, 0x7E)
#endif
/* The device state of the series of patches/linux/ (not in any release). */
#ifndef VHOST_BACKEND_F_DEVICE_STATE
#define VHOST_BACKEND_F_DEVICE_STATE		0xA
#endif
#ifndef VHOST_VDPA_GET_STATE
struct vhost_vdpa_state {
	__u64 addr;
	__u32 size;
	__u32 flags;
};

#define VHOST_VDPA_STATE_MAX			0x100000U
#define VHOST_VDPA_GET_STATE	_IOWR(VHOST_VIRTIO, 0x90, struct vhost_vdpa_state)
#define VHOST_VDPA_SET_STATE	_IOW(VHOST_VIRTIO, 0x91, struct vhost_vdpa_state)
#endif

/* Kernel names for the uAPI types and attributes. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#define __snic_attr(x)		__attribute__(x)
#define __printf(a, b)		__snic_attr((format(printf, a, b)))
#define __noreturn		__snic_attr((noreturn))
#define __packed		__snic_attr((packed))

#define BIT_ULL(n)		(1ULL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PAGE_SZ			4096UL

/* Where the client's memory sits in the device's address spaces. */
#define MEM_IOVA		0x100000ULL
#define MEM_SIZE		(4UL << 20)
/* Each queue: desc, avail and used rings a page each, then its buffers. */
#define VQ_NUM_WANTED		256
#define RING_AREA		(4 * PAGE_SZ)
#define BUF_SIZE		2048
#define BUF_AREA		(VQ_NUM_WANTED * BUF_SIZE)
#define VQ_AREA			(RING_AREA + BUF_AREA)
#define MAX_VQS			4

/* The frames the client sends and expects: a local experimental type. */
#define ETH_P_SNIC_VMM		0x88b5
#define MAGIC			"snic-vmm"
#define FRAME_MIN		60
#define FRAME_MAX		1514
/* The header of VIRTIO_F_VERSION_1, with or without MRG_RXBUF. */
#define NET_HDR_LEN		sizeof(struct virtio_net_hdr_mrg_rxbuf)

#define WAIT_MS			5000

static const char *prog = "snic-vmm";
static const char *step = "start";
/* Mode hostile: no KEY=VALUE lines from the steps of each case. */
static bool quiet;

static void __noreturn __printf(1, 2) die(const char *fmt, ...)
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

#define die_errno(fmt, ...) die(fmt ": %s", ##__VA_ARGS__, strerror(errno))

static void __printf(2, 3) kv(const char *key, const char *fmt, ...)
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

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One virtqueue of the client: split rings and buffers in its memory. */
struct vq {
	unsigned int idx;
	unsigned int num;
	bool used_by_client;
	unsigned int group;
	unsigned int asid;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	u64 desc_iova, avail_iova, used_iova;
	u8 *bufs;
	u64 bufs_iova;
	int kick, call;
	u16 avail_idx;	/* next avail index the client publishes */
	u16 used_seen;	/* used entries the client has consumed */
	u8 *inflight;	/* per descriptor id: posted, not yet used */
};

/* The dirty page log, and the NIC's write trace that checks it. */
struct dlog {
	const char *trace;	/* NULL: no log */
	u8 *bits;		/* one bit per page of IOVA */
	u64 nbits;
	unsigned int windows;
};

struct vmm {
	int fd;
	const char *path;
	u64 dev_features;
	u64 features;
	u64 backend;
	unsigned int nvqs, ngroups, nas;
	unsigned int vq_num_max;
	struct vhost_vdpa_iova_range range;
	u8 mac[6];
	u16 mtu;
	u16 max_pairs;
	u8 *mem;
	struct vq vqs[MAX_VQS];	/* rx0, tx0, cvq, rx1 */
	struct vq *rx, *tx, *cvq, *rx1;
	struct dlog log;
	bool want_state;	/* VHOST_BACKEND_F_DEVICE_STATE */
	bool want_log;		/* VHOST_BACKEND_F_LOG_ALL_DEVICE, no trace */
	bool fault_promisc;	/* mode state: give destinations promisc on */
};

/* ---- the steps: ioctls and messages, each failing loudly ---- */

static void vmm_ioctl(struct vmm *v, unsigned long req, void *arg,
		      const char *name)
{
	if (ioctl(v->fd, req, arg) < 0)
		die_errno("%s", name);
}

#define VMM_IOCTL(v, req, arg) vmm_ioctl(v, req, arg, #req)

static u8 vmm_get_status(struct vmm *v)
{
	u8 s;

	VMM_IOCTL(v, VHOST_VDPA_GET_STATUS, &s);
	return s;
}

static void vmm_set_status(struct vmm *v, u8 s)
{
	VMM_IOCTL(v, VHOST_VDPA_SET_STATUS, &s);
}

/* Add status bits; with @check, read them back. */
static void vmm_add_status(struct vmm *v, u8 bits, bool check)
{
	u8 s = vmm_get_status(v) | bits;

	vmm_set_status(v, s);
	if (check && (vmm_get_status(v) & bits) != bits)
		die("status 0x%02x: the device did not keep 0x%02x (reads 0x%02x)",
		    s, bits, vmm_get_status(v));
}

static void vmm_open(struct vmm *v, const char *path)
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
static void vmm_backend(struct vmm *v)
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
static void vmm_probe(struct vmm *v)
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

static unsigned int vmm_vq_group(struct vmm *v, unsigned int idx)
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
static void vmm_negotiate(struct vmm *v, u64 want, u64 need)
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
static void vmm_map(struct vmm *v, unsigned int asid, u64 iova,
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

static void vmm_unmap(struct vmm *v, unsigned int asid, u64 iova,
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
static struct vq *vmm_vq_init(struct vmm *v, unsigned int slot,
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
static struct vhost_vring_addr vmm_vring_addr(const struct vq *q,
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
static void vmm_vq_setup(struct vmm *v, struct vq *q, bool enable)
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

static unsigned int vmm_vring_base(struct vmm *v, struct vq *q)
{
	struct vhost_vring_state s = { .index = q->idx };

	VMM_IOCTL(v, VHOST_GET_VRING_BASE, &s);
	return s.num;
}

static void vmm_kick(struct vq *q)
{
	u64 one = 1;

	if (write(q->kick, &one, sizeof(one)) != sizeof(one))
		die_errno("kick queue %u", q->idx);
}

static u16 vq_used_idx(const struct vq *q)
{
	return le16toh(__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE));
}

/* Post descriptor chain @head (its descriptors already written). */
static void vq_publish(struct vq *q, u16 head)
{
	q->avail->ring[q->avail_idx % q->num] = htole16(head);
	q->inflight[head] = 1;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, htole16(q->avail_idx),
			 __ATOMIC_RELEASE);
}

/* The next used entry, if any: its id (checked to be in flight) and len. */
static bool vq_pop_used(struct vq *q, u16 *id, u32 *len)
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
static void vq_wait_call(struct vq *q, int ms)
{
	struct pollfd p = { .fd = q->call, .events = POLLIN };
	u64 n;

	if (poll(&p, 1, ms) > 0 && read(q->call, &n, sizeof(n)) < 0 &&
	    errno != EAGAIN)
		die_errno("call eventfd of queue %u", q->idx);
}

/* ---- the control queue ---- */

static u8 vmm_cvq_cmd(struct vmm *v, u8 class, u8 cmd, const void *data,
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

/* ---- frames ---- */

/* Frame @seq: its length, and its bytes from @src to @dst. */
static unsigned int frame_len(unsigned int seq, unsigned int max)
{
	return FRAME_MIN + (seq * 97) % (max - FRAME_MIN + 1);
}

static void frame_fill(u8 *f, unsigned int seq, unsigned int len,
		       const u8 *dst, const u8 *src, u8 dir)
{
	unsigned int i;
	u32 be;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_P_SNIC_VMM >> 8;
	f[13] = ETH_P_SNIC_VMM & 0xff;
	memcpy(f + 14, MAGIC, 8);
	f[22] = dir;
	be = htonl(seq);
	memcpy(f + 23, &be, 4);
	be = htonl(len);
	memcpy(f + 27, &be, 4);
	for (i = 31; i < len; i++)
		f[i] = (u8)(seq * 7 + i);
}

/*
 * Check a received frame of @len bytes: one of the client's, in direction
 * @dir, whole.  Returns its seq, -1 if it is not one of the client's
 * frames at all; dies if it is one but damaged.
 */
static long frame_check(const u8 *f, unsigned int len, u8 dir,
			const char *where)
{
	u32 seq, flen;
	unsigned int i;

	if (len < 31 || f[12] != ETH_P_SNIC_VMM >> 8 ||
	    f[13] != (ETH_P_SNIC_VMM & 0xff) || memcmp(f + 14, MAGIC, 8) ||
	    f[22] != dir)
		return -1;
	memcpy(&seq, f + 23, 4);
	memcpy(&flen, f + 27, 4);
	seq = ntohl(seq);
	flen = ntohl(flen);
	if (flen != len)
		die("%s: frame %u is %u bytes long, it was sent with %u", where,
		    seq, len, flen);
	for (i = 31; i < len; i++)
		if (f[i] != (u8)(seq * 7 + i))
			die("%s: frame %u: byte %u is 0x%02x, want 0x%02x", where,
			    seq, i, f[i], (u8)(seq * 7 + i));
	return seq;
}

/* ---- the representor's side: a raw packet socket ---- */

struct port {
	int fd;
	int ifindex;
	u8 mac[6];
	const char *name;
};

static void port_open(struct port *p, const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = {};
	int sz = 8 << 20;

	step = "port";
	p->name = name;
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       htons(ETH_P_SNIC_VMM));
	if (p->fd < 0)
		die_errno("packet socket");
	p->ifindex = if_nametoindex(name);
	if (!p->ifindex)
		die_errno("representor %s", name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr) < 0)
		die_errno("MAC address of %s", name);
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) &&
	    setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		die_errno("receive buffer");
	sll.sll_protocol = htons(ETH_P_SNIC_VMM);
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die_errno("bind to %s", name);
}

/* A frame the representor received, or 0 if none is waiting. */
static ssize_t port_recv(struct port *p, u8 *buf, size_t size)
{
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(p->fd, buf, size, MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			die_errno("receive on %s", p->name);
		if (from.sll_pkttype != PACKET_OUTGOING)
			return n;
	}
}

static void port_send(struct port *p, const u8 *f, size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = p->ifindex,
		.sll_halen = 6,
	};

	memcpy(to.sll_addr, f, 6);
	while (sendto(p->fd, f, len, 0, (struct sockaddr *)&to,
		      sizeof(to)) != (ssize_t)len) {
		/* A full qdisc: let the device catch up. */
		if (errno == ENOBUFS || errno == EAGAIN) {
			sleep_ms(1);
			continue;
		}
		die_errno("send into %s", p->name);
	}
}

/*
 * Wait until the representor's carrier, which DRIVER_OK turns on, has
 * reached its qdisc (linkwatch): before that, frames sent into it are
 * dropped without an error.
 */
static void port_wait_up(struct port *p)
{
	u64 deadline = now_ms() + WAIT_MS;
	char path[128], state[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", p->name);
	while (now_ms() < deadline) {
		f = fopen(path, "r");
		if (!f)
			die_errno("%s", path);
		if (!fgets(state, sizeof(state), f))
			state[0] = 0;
		fclose(f);
		if (!strncmp(state, "up", 2))
			return;
		sleep_ms(20);
	}
	die("%s is not up (operstate %.*s): is its link set up?", p->name,
	    (int)strcspn(state, "\n"), state);
}

/* ---- the dirty page log ---- */

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
static void log_start(struct vmm *v)
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
static void log_check(struct vmm *v, const char *what)
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
static void log_stop(struct vmm *v)
{
	step = "dirty log stop";
	VMM_IOCTL(v, VHOST_SET_FEATURES, &v->features);
	kv("log_windows", "%u", v->log.windows);
}

/* ---- mode traffic ---- */

struct traffic {
	struct vmm *v;
	struct port port;
	unsigned int frames;
	unsigned int max_len;
	/* transmit: frames posted, completed, seen on the representor */
	unsigned int tx_posted, tx_done, tx_seen, tx_errlen;
	/* receive: frames sent into the representor, received whole */
	unsigned int rx_sent, rx_ok, rx_other;
	/* with two receive queues (rx1): which frames arrived, by seq */
	u8 *rx_seen;
	/* filter probes received, by probe (mode state) */
	unsigned int probes[16];
	u8 frame[65536];
};

static void tx_post(struct traffic *t)
{
	struct vmm *v = t->v;
	struct vq *q = v->tx;
	u16 head = q->avail_idx % q->num;
	u8 *buf = q->bufs + head * BUF_SIZE;
	unsigned int len = frame_len(t->tx_posted, t->max_len);

	if (q->inflight[head])
		die("transmit descriptor %u still in flight", head);
	memset(buf, 0, NET_HDR_LEN);
	frame_fill(buf + NET_HDR_LEN, t->tx_posted, len, t->port.mac, v->mac,
		   'T');
	q->desc[head] = (struct vring_desc) {
		.addr = htole64(q->bufs_iova + head * BUF_SIZE),
		.len = htole32(NET_HDR_LEN + len),
	};
	vq_publish(q, head);
	t->tx_posted++;
}

/* Reap transmit completions and frames at the representor. */
static void tx_reap(struct traffic *t)
{
	struct vq *q = t->v->tx;
	u32 len;
	u16 id;
	ssize_t n;
	long seq;

	while (vq_pop_used(q, &id, &len))
		t->tx_done++;
	while ((n = port_recv(&t->port, t->frame, sizeof(t->frame))) > 0) {
		seq = frame_check(t->frame, n, 'T', t->port.name);
		if (seq < 0)
			continue;
		if (seq != t->tx_seen)
			die("%s received frame %ld, want %u (lost or repeated frames)",
			    t->port.name, seq, t->tx_seen);
		t->tx_seen++;
	}
}

/* Transmit until @last frames have been posted; wait for all of them. */
static void tx_run(struct traffic *t, unsigned int last)
{
	struct vq *q = t->v->tx;
	u64 deadline = now_ms() + WAIT_MS;
	unsigned int before = t->tx_seen;

	while (t->tx_seen < last) {
		bool posted = false;

		while (t->tx_posted < last &&
		       t->tx_posted - t->tx_done < q->num / 2) {
			tx_post(t);
			posted = true;
		}
		if (posted)
			vmm_kick(q);
		vq_wait_call(q, 10);
		tx_reap(t);
		if (t->tx_seen != before) {
			before = t->tx_seen;
			deadline = now_ms() + WAIT_MS;
		}
		if (now_ms() > deadline)
			die("transmit stuck: %u posted, %u used, %u at %s (status 0x%02x)",
			    t->tx_posted, t->tx_done, t->tx_seen, t->port.name,
			    vmm_get_status(t->v));
	}
	/* A frame may leave before the device publishes its used entry. */
	deadline = now_ms() + WAIT_MS;
	while (t->tx_done < t->tx_seen && now_ms() < deadline) {
		vq_wait_call(q, 10);
		tx_reap(t);
	}
	if (t->tx_done != t->tx_seen)
		die("transmit: %u frames completed but %u reached %s",
		    t->tx_done, t->tx_seen, t->port.name);
}

static void rx_post_queue(struct vq *q)
{
	u16 head;

	while ((u16)(q->avail_idx - q->used_seen) < q->num) {
		head = q->avail_idx % q->num;
		if (q->inflight[head])
			die("receive descriptor %u still in flight", head);
		q->desc[head] = (struct vring_desc) {
			.addr = htole64(q->bufs_iova + head * BUF_SIZE),
			.len = htole32(BUF_SIZE),
			.flags = htole16(VRING_DESC_F_WRITE),
		};
		vq_publish(q, head);
	}
}

static void rx_post_all(struct traffic *t)
{
	rx_post_queue(t->v->rx);
	if (t->v->rx1)
		rx_post_queue(t->v->rx1);
}

static long probe_check(const u8 *f, unsigned int len);

/*
 * Receive what the device wrote on @q, check it, give the buffers back.
 * With one receive queue frames must come in order; with two (rx1, the
 * second pair in use), each once.
 */
static void rx_reap_queue(struct traffic *t, struct vq *q)
{
	struct virtio_net_hdr_mrg_rxbuf *h;
	bool any = false;
	u32 len;
	u16 id;
	long seq;

	while (vq_pop_used(q, &id, &len)) {
		any = true;
		h = (void *)(q->bufs + id * BUF_SIZE);
		if (len < NET_HDR_LEN + ETH_HLEN || len > BUF_SIZE)
			die("receive: used length %u for buffer %u", len, id);
		seq = frame_check((u8 *)h + NET_HDR_LEN,
				  len - NET_HDR_LEN, 'R', "receive queue");
		if (seq < 0) {
			seq = probe_check((u8 *)h + NET_HDR_LEN,
					  len - NET_HDR_LEN);
			if (seq >= 0)
				t->probes[seq]++;
			else
				t->rx_other++;
			continue;
		}
		if (le16toh(h->num_buffers) != 1 ||
		    h->hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			die("receive: frame %ld: header num_buffers %u gso_type %u, want 1 and 0",
			    seq, le16toh(h->num_buffers), h->hdr.gso_type);
		if (!t->v->rx1 && seq != t->rx_ok)
			die("receive: frame %ld, want %u (lost or repeated frames)",
			    seq, t->rx_ok);
		if (t->rx_seen) {
			if (seq >= t->rx_sent || t->rx_seen[seq])
				die("receive: frame %ld %s (%u sent)", seq,
				    seq >= t->rx_sent ? "never sent" : "repeated",
				    t->rx_sent);
			t->rx_seen[seq] = 1;
		}
		t->rx_ok++;
	}
	if (any) {
		rx_post_queue(q);
		vmm_kick(q);
	}
}

static void rx_reap(struct traffic *t)
{
	rx_reap_queue(t, t->v->rx);
	if (t->v->rx1)
		rx_reap_queue(t, t->v->rx1);
}

/* Send frames into the representor until @last; wait for them all. */
static void rx_run(struct traffic *t, unsigned int last)
{
	struct vq *q = t->v->rx;
	u64 deadline = now_ms() + WAIT_MS;
	unsigned int before = t->rx_ok, len;

	while (t->rx_ok < last) {
		while (t->rx_sent < last && t->rx_sent - t->rx_ok < q->num / 2) {
			len = frame_len(t->rx_sent, t->max_len);
			frame_fill(t->frame, t->rx_sent, len, t->v->mac,
				   t->port.mac, 'R');
			port_send(&t->port, t->frame, len);
			t->rx_sent++;
		}
		vq_wait_call(q, 10);
		rx_reap(t);
		if (t->rx_ok != before) {
			before = t->rx_ok;
			deadline = now_ms() + WAIT_MS;
		}
		if (now_ms() > deadline)
			die("receive stuck: %u sent into %s, %u received (status 0x%02x)",
			    t->rx_sent, t->port.name, t->rx_ok,
			    vmm_get_status(t->v));
	}
}

/*
 * Suspend with frames in flight on the transmit queue: every chain the
 * device took must be used (GET_VRING_BASE == used index) and have left,
 * nothing must move while suspended, even when kicked; after resume the
 * stream goes on with no frame lost or repeated.
 */
static void tx_suspend_resume(struct traffic *t)
{
	struct vmm *v = t->v;
	struct vq *q = v->tx;
	unsigned int base, used, i, burst = q->num / 4, seen = t->tx_seen;
	struct pollfd p = { .fd = t->port.fd, .events = POLLIN };
	u64 deadline;

	step = "transmit suspend";
	for (i = 0; i < burst && t->tx_posted < t->frames; i++)
		tx_post(t);
	vmm_kick(q);
	/* Suspend while the device works on the burst: at its first frame. */
	deadline = now_ms() + 1000;
	while (t->tx_seen == seen && now_ms() < deadline) {
		poll(&p, 1, 1);
		tx_reap(t);
	}
	VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
	kv("tx_seen_before_suspend", "%u", t->tx_seen - seen);
	base = vmm_vring_base(v, q);
	used = vq_used_idx(q);
	kv("tx_suspend_base", "%u", base);
	kv("tx_suspend_used", "%u", used);
	kv("tx_suspend_posted", "%u", q->avail_idx);
	if ((u16)base != (u16)used)
		die("suspended: next available index %u, used index %u: buffers taken, not used",
		    base, used);
	if ((u16)(q->avail_idx - base) > burst)
		die("suspended at available index %u, beyond %u posted", base,
		    q->avail_idx);
	/* Nothing moves while suspended, kicked or not. */
	for (i = 0; i < burst / 2 && t->tx_posted < t->frames; i++)
		tx_post(t);
	vmm_kick(q);
	sleep_ms(300);
	tx_reap(t);
	if (vq_used_idx(q) != used)
		die("suspended, the device used buffers: used index %u -> %u",
		    used, vq_used_idx(q));
	if (t->tx_seen != t->tx_done)
		die("suspended: %u frames completed, %u reached %s", t->tx_done,
		    t->tx_seen, t->port.name);
	if (vmm_vring_base(v, q) != base)
		die("suspended, the available index moved: %u -> %u", base,
		    vmm_vring_base(v, q));
	step = "transmit resume";
	VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);
	kv("tx_suspended_frames", "%u", t->tx_posted - t->tx_done);
}

/*
 * Suspend the receive queue between frames: the device's next available
 * index is the used index (it took no buffer it did not fill), and
 * frames flow again after resume.
 */
static void rx_suspend_resume(struct traffic *t)
{
	struct vmm *v = t->v;
	struct vq *q = v->rx;
	unsigned int base, used;

	step = "receive suspend";
	VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
	base = vmm_vring_base(v, q);
	used = vq_used_idx(q);
	kv("rx_suspend_base", "%u", base);
	kv("rx_suspend_used", "%u", used);
	if ((u16)base != (u16)used)
		die("suspended: the device's next available index is %u but the used index is %u",
		    base, used);
	step = "receive resume";
	VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);
}

/* The longest frame the negotiated MTU lets through. */
static unsigned int vmm_frame_max(const struct vmm *v)
{
	if ((v->features & BIT_ULL(VIRTIO_NET_F_MTU)) &&
	    (unsigned int)v->mtu + ETH_HLEN < FRAME_MAX)
		return v->mtu + ETH_HLEN;
	return FRAME_MAX;
}

/* The client's memory, with the first receive and transmit queues. */
static void vmm_mem(struct vmm *v)
{
	step = "memory";
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (v->mem == MAP_FAILED)
		die_errno("mmap %lu bytes", MEM_SIZE);
	v->rx = vmm_vq_init(v, 0, 0);
	v->tx = vmm_vq_init(v, 1, 1);
}

/*
 * As QEMU does: the CVQ alone in its group, in AS 1, when the device can
 * do that.  Returns the CVQ's address space.
 */
static unsigned int vmm_cvq_asid(struct vmm *v)
{
	struct vhost_vring_state s = { .index = v->cvq->group, .num = 1 };

	v->cvq->asid = 0;
	if (v->cvq->group != v->rx->group && v->nas > 1 &&
	    (v->backend & BIT_ULL(VHOST_BACKEND_F_IOTLB_ASID))) {
		step = "group asid";
		VMM_IOCTL(v, VHOST_VDPA_SET_GROUP_ASID, &s);
		v->cvq->asid = 1;
	}
	kv("asid_cvq", "%u", v->cvq->asid);
	return v->cvq->asid;
}

/*
 * All of the client's memory, at the same IOVAs in each address space
 * used; its queues; the representor; receive buffers posted; DRIVER_OK.
 */
static void vmm_start(struct vmm *v, struct traffic *t, const char *port)
{
	unsigned int i;

	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	if (v->cvq && v->cvq->asid)
		vmm_map(v, v->cvq->asid, MEM_IOVA, MEM_SIZE, v->mem);
	for (i = 0; i < MAX_VQS; i++)
		if (v->vqs[i].used_by_client)
			vmm_vq_setup(v, &v->vqs[i], true);
	port_open(&t->port, port);
	rx_post_all(t);

	step = "status DRIVER_OK";
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
	if (vmm_get_status(v) & VIRTIO_CONFIG_S_NEEDS_RESET)
		die("NEEDS_RESET after DRIVER_OK (status 0x%02x)",
		    vmm_get_status(v));
	kv("status", "0x%02x", vmm_get_status(v));
	vmm_kick(v->rx);
	if (v->rx1)
		vmm_kick(v->rx1);
}

static int mode_traffic(struct vmm *v, const char *port, unsigned int frames,
			bool suspend, bool use_cvq)
{
	u64 want, need, t0 = now_ms(), t1;
	struct traffic *t;
	unsigned int cvq_idx = 2, asid_cvq = 0;
	u8 ack, on = 1;

	t = calloc(1, sizeof(*t));
	if (!t)
		die("out of memory");
	t->v = v;
	t->frames = frames;
	vmm_backend(v);
	vmm_probe(v);
	need = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_NET_F_MAC);
	want = need | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |
	       BIT_ULL(VIRTIO_NET_F_MTU) | BIT_ULL(VIRTIO_NET_F_STATUS) |
	       BIT_ULL(VIRTIO_NET_F_MRG_RXBUF);
	if (use_cvq && (v->dev_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		want |= BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |
			BIT_ULL(VIRTIO_NET_F_CTRL_RX) | BIT_ULL(VIRTIO_NET_F_MQ);
	if (suspend && (!(v->backend & BIT_ULL(VHOST_BACKEND_F_SUSPEND)) ||
			!(v->backend & BIT_ULL(VHOST_BACKEND_F_RESUME))))
		die("the backend does not offer SUSPEND and RESUME");

	vmm_negotiate(v, want, need);
	t->max_len = vmm_frame_max(v);
	if (v->features & BIT_ULL(VIRTIO_NET_F_MQ))
		cvq_idx = 2 * v->max_pairs;

	vmm_mem(v);
	step = "vring groups";
	v->rx->group = vmm_vq_group(v, 0);
	v->tx->group = vmm_vq_group(v, 1);
	kv("group_rx", "%u", v->rx->group);
	kv("group_tx", "%u", v->tx->group);
	if (v->features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) {
		if (cvq_idx >= v->nvqs)
			die("control queue %u, but the device has %u queues",
			    cvq_idx, v->nvqs);
		v->cvq = vmm_vq_init(v, 2, cvq_idx);
		v->cvq->group = vmm_vq_group(v, cvq_idx);
		kv("group_cvq", "%u", v->cvq->group);
		asid_cvq = vmm_cvq_asid(v);
	}

	vmm_start(v, t, port);
	if (v->log.trace)
		log_start(v);

	if (v->cvq && (v->features & BIT_ULL(VIRTIO_NET_F_CTRL_RX))) {
		step = "control queue";
		ack = vmm_cvq_cmd(v, VIRTIO_NET_CTRL_RX,
				  VIRTIO_NET_CTRL_RX_PROMISC, &on, 1);
		kv("cvq_promisc_ack", "%u", ack);
		if (ack != VIRTIO_NET_OK)
			die("RX_PROMISC answered %u, want VIRTIO_NET_OK", ack);
	}

	t1 = now_ms();
	kv("setup_ms", "%llu", (unsigned long long)(t1 - t0));
	step = "transmit";
	tx_run(t, frames / 2);
	if (suspend)
		tx_suspend_resume(t);
	step = "transmit";
	tx_run(t, frames);
	kv("tx_frames", "%u", t->tx_posted);
	kv("tx_completed", "%u", t->tx_done);
	kv("tx_at_port", "%u", t->tx_seen);
	kv("tx_ms", "%llu", (unsigned long long)(now_ms() - t1));
	if (v->log.trace)
		log_check(v, "transmit");
	t1 = now_ms();

	step = "receive";
	port_wait_up(&t->port);
	rx_run(t, frames / 2);
	if (suspend)
		rx_suspend_resume(t);
	step = "receive";
	rx_run(t, frames);
	kv("rx_frames_sent", "%u", t->rx_sent);
	kv("rx_frames", "%u", t->rx_ok);
	kv("rx_other", "%u", t->rx_other);
	kv("rx_ms", "%llu", (unsigned long long)(now_ms() - t1));
	if (v->log.trace) {
		log_check(v, "receive");
		log_stop(v);
	}

	step = "ring positions";
	if (vmm_vring_base(v, v->tx) != v->tx->avail_idx)
		die("transmit: the device's next available index is %u, %u posted",
		    vmm_vring_base(v, v->tx), v->tx->avail_idx);
	kv("tx_base", "%u", vmm_vring_base(v, v->tx));
	kv("rx_base", "%u", vmm_vring_base(v, v->rx));
	kv("status_end", "0x%02x", vmm_get_status(v));
	if (vmm_get_status(v) & VIRTIO_CONFIG_S_NEEDS_RESET)
		die("NEEDS_RESET after the traffic");

	step = "reset";
	vmm_set_status(v, 0);
	if (vmm_get_status(v))
		die("status 0x%02x after reset", vmm_get_status(v));
	vmm_unmap(v, 0, MEM_IOVA, MEM_SIZE);
	if (asid_cvq)
		vmm_unmap(v, asid_cvq, MEM_IOVA, MEM_SIZE);
	close(t->port.fd);
	free(t);
	return 0;
}

/* ---- mode unmapped-ring ---- */

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
static int mode_unmapped_ring(struct vmm *v, bool map_unrelated)
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
	vmm_negotiate(v, BIT_ULL(VIRTIO_F_VERSION_1) |
		      BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
		      BIT_ULL(VIRTIO_F_VERSION_1));

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

/* ---- mode state ---- */

/*
 * Filter probes: frames sent into the representor whose fate (delivered
 * or dropped) shows the receive filter of the device: a destination MAC
 * and a VLAN tag (0: none) each.  Their payload says which probe they
 * are.  The expected fate is that of virtio 1.3, 5.1.6.5 for the state
 * the client sets: MAC, one unicast and one multicast table entry,
 * promiscuous and all-multicast off, VLAN 100 added.
 */
#define PROBE_MAGIC		"snic-prb"
#define PROBE_COPIES		3
#define STATE_MAC		{ 0x02, 0x00, 0x00, 0x00, 0x5a, 0x01 }
#define STATE_UC		{ 0x02, 0x00, 0x00, 0x00, 0x5a, 0x02 }
#define STATE_MC		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }
#define STATE_VLAN		100

static const struct probe {
	const char *name;
	u8 dst[6];
	u16 vlan;
	bool accept;
} probes[] = {
	{ "mac", STATE_MAC, 0, true },
	{ "table_uc", STATE_UC, 0, true },
	{ "foreign_uc", { 0x02, 0x00, 0x00, 0x00, 0x5a, 0x99 }, 0, false },
	{ "table_mc", STATE_MC, 0, true },
	{ "other_mc", { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfc }, 0, false },
	{ "broadcast", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 0, true },
	{ "vlan_added", STATE_MAC, STATE_VLAN, true },
	{ "vlan_other", STATE_MAC, 200, false },
	/* Last: the fence, after which the others have arrived. */
	{ "fence", STATE_MAC, 0, true },
};

#define PROBE_FENCE		(ARRAY_SIZE(probes) - 1)

/* Probe @id's frame, from @src, into @f; returns its length. */
static unsigned int probe_fill(u8 *f, unsigned int id, const u8 *src)
{
	const struct probe *p = &probes[id];
	unsigned int off = 12;

	memset(f, 0, FRAME_MIN);
	memcpy(f, p->dst, 6);
	memcpy(f + 6, src, 6);
	if (p->vlan) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = p->vlan >> 8;
		f[15] = p->vlan & 0xff;
		off = 16;
	}
	f[off] = ETH_P_SNIC_VMM >> 8;
	f[off + 1] = ETH_P_SNIC_VMM & 0xff;
	memcpy(f + off + 2, PROBE_MAGIC, 8);
	f[off + 10] = id;
	return FRAME_MIN;
}

/* The probe a received frame is, or -1. */
static long probe_check(const u8 *f, unsigned int len)
{
	unsigned int off = 12;

	if (len >= 16 && f[12] == 0x81 && f[13] == 0x00)
		off = 16;
	if (len < off + 11 || f[off] != ETH_P_SNIC_VMM >> 8 ||
	    f[off + 1] != (ETH_P_SNIC_VMM & 0xff) ||
	    memcmp(f + off + 2, PROBE_MAGIC, 8) || f[off + 10] >= ARRAY_SIZE(probes))
		return -1;
	return f[off + 10];
}

/*
 * Send every probe PROBE_COPIES times, then the fence; wait for the fence
 * and a little more (the probes may take the other receive queue).  The
 * fate of each probe goes into @verdict as a letter: 'a' delivered
 * (every copy), 'd' dropped (none), '?' some.  Dies on a fate that is
 * not the expected one.
 */
static void probe_run(struct traffic *t, char *verdict, const char *where)
{
	u64 deadline = now_ms() + WAIT_MS;
	unsigned int i, c, len;
	char key[64];

	step = "filter probes";
	memset(t->probes, 0, sizeof(t->probes));
	port_wait_up(&t->port);
	for (c = 0; c < PROBE_COPIES; c++)
		for (i = 0; i < PROBE_FENCE; i++) {
			len = probe_fill(t->frame, i, t->port.mac);
			port_send(&t->port, t->frame, len);
		}
	len = probe_fill(t->frame, PROBE_FENCE, t->port.mac);
	port_send(&t->port, t->frame, len);
	while (!t->probes[PROBE_FENCE]) {
		if (now_ms() > deadline)
			die("%s: the fence probe did not arrive in %d ms (status 0x%02x)",
			    where, WAIT_MS, vmm_get_status(t->v));
		vq_wait_call(t->v->rx, 10);
		rx_reap(t);
	}
	deadline = now_ms() + 200;
	while (now_ms() < deadline) {
		vq_wait_call(t->v->rx, 10);
		rx_reap(t);
	}
	for (i = 0; i < PROBE_FENCE; i++) {
		verdict[i] = t->probes[i] == PROBE_COPIES ? 'a' :
			     t->probes[i] ? '?' : 'd';
		snprintf(key, sizeof(key), "filter_%s_%s", where, probes[i].name);
		kv(key, "%u/%u", t->probes[i], PROBE_COPIES);
	}
	verdict[PROBE_FENCE] = 0;
	snprintf(key, sizeof(key), "filter_%s", where);
	kv(key, "%s", verdict);
	for (i = 0; i < PROBE_FENCE; i++)
		if (verdict[i] != (probes[i].accept ? 'a' : 'd'))
			die("%s: probe %s (%u of %u delivered): the filter should %s it",
			    where, probes[i].name, t->probes[i], PROBE_COPIES,
			    probes[i].accept ? "deliver" : "drop");
}

/* Program the receive filter of the probes, and the queue pairs in use. */
static void state_program(struct vmm *v)
{
	static const u8 mac[6] = STATE_MAC;
	struct {
		u32 n_uc;
		u8 uc[6];
		u32 n_mc;
		u8 mc[6];
	} __packed table = {
		.n_uc = htole32(1), .uc = STATE_UC,
		.n_mc = htole32(1), .mc = STATE_MC,
	};
	u16 vid = htole16(STATE_VLAN), pairs = htole16(2);
	u8 off = 0;

	step = "control queue: state";
#define CMD(class, cmd, data, len) do {					\
		u8 ack = vmm_cvq_cmd(v, class, cmd, data, len);		\
		if (ack != VIRTIO_NET_OK)					\
			die("%s answered %u, want VIRTIO_NET_OK", #cmd, ack); \
	} while (0)
	CMD(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6);
	CMD(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, &table,
	    sizeof(table));
	CMD(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1);
	CMD(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &off, 1);
	CMD(VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2);
	if (v->rx1)
		CMD(VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		    &pairs, 2);
#undef CMD
	memcpy(v->mac, mac, 6);
	kv("state_pairs", "%u", v->rx1 ? 2 : 1);
}

/*
 * The deliberate fault of --fault promisc: the state's RX_PROMISC part
 * (device-state.rst: part 0x0200, selector class 0 command 0, one byte)
 * says on.  The state stays valid; only the destination's filter is
 * wrong, which the probes must catch.
 */
static void state_set_promisc(u8 *blob, u32 size)
{
	u32 off = 16, len;

	while (off + 16 <= size) {
		len = blob[off + 12] | blob[off + 13] << 8 |
		      blob[off + 14] << 16 | (u32)blob[off + 15] << 24;
		if (len > size - off - 16)
			break;
		if (blob[off] == 0x00 && blob[off + 1] == 0x02 &&
		    blob[off + 4] == VIRTIO_NET_CTRL_RX &&
		    blob[off + 5] == VIRTIO_NET_CTRL_RX_PROMISC && len == 1) {
			blob[off + 16] = 1;
			kv("fault", "promisc on in the state given");
			return;
		}
		off += 16 + len;
	}
	die("--fault promisc: no RX_PROMISC part in the state");
}

/* VHOST_VDPA_GET_STATE: size query (ENOSPC), then the state. */
static u8 *state_get(struct vmm *v, u32 *size)
{
	struct vhost_vdpa_state st = {};
	u8 *blob;

	step = "get state";
	if (ioctl(v->fd, VHOST_VDPA_GET_STATE, &st) == 0 || errno != ENOSPC)
		die("VHOST_VDPA_GET_STATE with size 0: %s, want ENOSPC",
		    errno == ENOSPC ? "success" : strerror(errno));
	if (!st.size || st.size > VHOST_VDPA_STATE_MAX)
		die("state size %u", st.size);
	blob = malloc(st.size);
	if (!blob)
		die("out of memory");
	st.addr = (uintptr_t)blob;
	VMM_IOCTL(v, VHOST_VDPA_GET_STATE, &st);
	*size = st.size;
	return blob;
}

/* Positions of the client's data queues, from VHOST_GET_VRING_BASE. */
static void state_bases(struct vmm *v, unsigned int *b)
{
	b[0] = vmm_vring_base(v, v->rx);
	b[1] = vmm_vring_base(v, v->tx);
	b[2] = v->rx1 ? vmm_vring_base(v, v->rx1) : 0;
}

/*
 * Move the device to @path: suspend it, read its state, reset and close
 * it; open @path, give it what the client's memory and queues need
 * (address spaces, mappings, eventfds), first a damaged copy of the state
 * (refused, device untouched), then the state; read it back (the same
 * bytes) and the ring positions (the same), and resume.
 */
static void state_move(struct vmm *v, struct traffic *t, const char *path,
		       const char *port, unsigned int hop)
{
	unsigned int b0[3], b1[3], i, asid_cvq = v->cvq->asid;
	struct vhost_vdpa_state st = {};
	u8 *blob, *bad, *again, status;
	u32 size, size2;
	char key[64];

	u64 deadline;
	u8 mac[6];

	step = "suspend";
	VMM_IOCTL(v, VHOST_VDPA_SUSPEND, NULL);
	/* What the source sent before it stopped reaches its representor. */
	deadline = now_ms() + 2000;
	do {
		sleep_ms(10);
		tx_reap(t);
	} while (t->tx_seen < t->tx_done && now_ms() < deadline);
	kv("tx_posted_at_suspend", "%u", t->tx_posted - t->tx_done);
	state_bases(v, b0);
	blob = state_get(v, &size);
	snprintf(key, sizeof(key), "state_bytes_%u", hop);
	kv(key, "%u", size);
	step = "source reset";
	vmm_set_status(v, 0);
	if (close(v->fd))
		die_errno("close %s", v->path);
	close(t->port.fd);

	vmm_open(v, path);
	vmm_backend(v);
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_DEVICE_STATE)))
		die("%s: no DEVICE_STATE: vhost_vdpa without patches/linux/?", path);
	/* The MAC is the state's, not the destination's own. */
	memcpy(mac, v->mac, 6);
	vmm_probe(v);
	memcpy(v->mac, mac, 6);
	step = "destination setup";
	vmm_set_status(v, 0);
	vmm_add_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE, true);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER, true);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	if (asid_cvq)
		vmm_map(v, asid_cvq, MEM_IOVA, MEM_SIZE, v->mem);
	for (i = 0; i < MAX_VQS; i++) {
		struct vq *q = &v->vqs[i];
		struct vhost_vring_file f = { .index = q->idx };

		if (!q->used_by_client)
			continue;
		f.fd = q->kick;
		VMM_IOCTL(v, VHOST_SET_VRING_KICK, &f);
		f.fd = q->call;
		VMM_IOCTL(v, VHOST_SET_VRING_CALL, &f);
	}

	step = "set damaged state";
	bad = malloc(size);
	if (!bad)
		die("out of memory");
	memcpy(bad, blob, size);
	bad[0] ^= 0xff;		/* the magic */
	st.addr = (uintptr_t)bad;
	st.size = size;
	if (ioctl(v->fd, VHOST_VDPA_SET_STATE, &st) == 0 || errno != EINVAL)
		die("a state with a wrong magic: %s, want EINVAL",
		    errno == EINVAL ? "taken" : strerror(errno));
	status = vmm_get_status(v);
	if (status != (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER))
		die("status 0x%02x after a refused state, want 0x03", status);
	free(bad);
	kv("state_damaged_refused", "yes");

	if (v->fault_promisc)
		state_set_promisc(blob, size);
	step = "set state";
	st.addr = (uintptr_t)blob;
	VMM_IOCTL(v, VHOST_VDPA_SET_STATE, &st);
	status = vmm_get_status(v);
	snprintf(key, sizeof(key), "state_status_%u", hop);
	kv(key, "0x%02x", status);
	if (status != VMM_STATUS_RUNNING)
		die("status 0x%02x after the state, want 0x%02x", status,
		    VMM_STATUS_RUNNING);
	again = state_get(v, &size2);
	if (size2 != size || memcmp(again, blob, size))
		die("the state read back (%u bytes) is not the one given (%u bytes)",
		    size2, size);
	free(again);
	free(blob);
	state_bases(v, b1);
	for (i = 0; i < 3; i++)
		if (b0[i] != b1[i])
			die("ring %u: position %u after the state, %u before",
			    i, b1[i], b0[i]);
	snprintf(key, sizeof(key), "state_bases_%u", hop);
	kv(key, "%u %u %u", b1[0], b1[1], b1[2]);
	/* Groups exist now that the features do: the CVQ's to its space. */
	if (asid_cvq) {
		struct vhost_vring_state s = {
			.index = vmm_vq_group(v, v->cvq->idx), .num = asid_cvq,
		};

		step = "destination group asid";
		VMM_IOCTL(v, VHOST_VDPA_SET_GROUP_ASID, &s);
	}
	port_open(&t->port, port);
	step = "resume";
	VMM_IOCTL(v, VHOST_VDPA_RESUME, NULL);
	if (vmm_get_status(v) & VIRTIO_CONFIG_S_NEEDS_RESET)
		die("NEEDS_RESET after resume");
}

/*
 * A device with a control queue carries traffic and has its receive
 * filter set through it; it is suspended, its state read, and given to
 * the device of each --dst in turn, the client's rings continuing there:
 * transmit frames posted at the source and not yet sent leave from the
 * destination, nothing is lost or repeated either way, and every
 * destination filters as the source did.
 */
static int mode_state(struct vmm *v, const char *port, const char **dst,
		      const char **dst_port, unsigned int ndst,
		      unsigned int frames)
{
	unsigned int cvq_idx, asid_cvq = 0, i, hop, per, burst;
	char verdict_src[ARRAY_SIZE(probes)], verdict[ARRAY_SIZE(probes)];
	char where[16];
	struct traffic *t;
	u64 need;

	t = calloc(1, sizeof(*t));
	if (!t)
		die("out of memory");
	t->v = v;
	v->want_state = true;
	vmm_backend(v);
	if (!(v->backend & BIT_ULL(VHOST_BACKEND_F_DEVICE_STATE)))
		die("no DEVICE_STATE backend feature: vhost_vdpa without patches/linux/?");
	vmm_probe(v);
	need = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_NET_F_MAC) |
	       BIT_ULL(VIRTIO_NET_F_CTRL_VQ) | BIT_ULL(VIRTIO_NET_F_CTRL_RX) |
	       BIT_ULL(VIRTIO_NET_F_CTRL_VLAN) |
	       BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR);
	vmm_negotiate(v, need | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |
		      BIT_ULL(VIRTIO_NET_F_MTU) | BIT_ULL(VIRTIO_NET_F_STATUS) |
		      BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) | BIT_ULL(VIRTIO_NET_F_MQ),
		      need);
	t->max_len = vmm_frame_max(v);
	cvq_idx = v->features & BIT_ULL(VIRTIO_NET_F_MQ) ? 2 * v->max_pairs : 2;
	if (cvq_idx >= v->nvqs)
		die("control queue %u, but the device has %u queues", cvq_idx,
		    v->nvqs);

	vmm_mem(v);
	v->cvq = vmm_vq_init(v, 2, cvq_idx);
	if (cvq_idx >= 4)
		v->rx1 = vmm_vq_init(v, 3, 2);
	t->rx_seen = calloc(frames, 1);
	if (!t->rx_seen)
		die("out of memory");
	step = "vring groups";
	v->rx->group = vmm_vq_group(v, 0);
	v->cvq->group = vmm_vq_group(v, cvq_idx);
	asid_cvq = vmm_cvq_asid(v);
	vmm_start(v, t, port);
	state_program(v);
	probe_run(t, verdict_src, "source");

	/*
	 * Each hop: a share of the frames each way, then a transmit burst
	 * posted but not kicked before the suspend: the source does not look
	 * at it, so the state says where the device stopped and the
	 * destination must send exactly those frames.
	 */
	per = frames / (ndst + 1);
	burst = v->tx->num / 4;
	kv("tx_burst", "%u", burst);
	for (hop = 0; hop <= ndst; hop++) {
		unsigned int last = hop == ndst ? frames : (hop + 1) * per;

		step = "transmit";
		tx_run(t, last);
		step = "receive";
		port_wait_up(&t->port);
		rx_run(t, last);
		if (hop == ndst)
			break;
		step = "transmit burst";
		for (i = 0; i < burst && t->tx_posted < frames; i++)
			tx_post(t);
		state_move(v, t, dst[hop], dst_port[hop], hop + 1);
		snprintf(where, sizeof(where), "dest%u", hop + 1);
		probe_run(t, verdict, where);
		if (strcmp(verdict, verdict_src))
			die("%s filters as %s, the source as %s", dst[hop],
			    verdict, verdict_src);
	}
	kv("tx_frames", "%u", t->tx_posted);
	kv("tx_at_port", "%u", t->tx_seen);
	kv("rx_frames_sent", "%u", t->rx_sent);
	kv("rx_frames", "%u", t->rx_ok);
	kv("hops", "%u", ndst);
	for (i = 0; i < t->rx_sent; i++)
		if (!t->rx_seen[i])
			die("receive: frame %u never arrived", i);

	step = "reset";
	vmm_set_status(v, 0);
	vmm_unmap(v, 0, MEM_IOVA, MEM_SIZE);
	if (asid_cvq)
		vmm_unmap(v, asid_cvq, MEM_IOVA, MEM_SIZE);
	close(t->port.fd);
	free(t->rx_seen);
	free(t);
	return 0;
}

/* ---- mode hostile ---- */

/*
 * What a VMM must not be able to do to the kernel or the device, case by
 * case, each with the answer the uAPI gives (vhost's and vhost-vdpa's
 * ioctls, IOTLB messages, the device status rules of virtio 1.3 2.1.1),
 * and after each the device must still work: reset, negotiate, map, set
 * up two rings, DRIVER_OK, read the ring state, reset (or report
 * NEEDS_RESET and then work after a reset).  The test kernel's KASAN,
 * lockdep and kmemleak watch every case.
 */
static int xioctl(struct vmm *v, unsigned long req, void *arg)
{
	return ioctl(v->fd, req, arg) < 0 ? errno : 0;
}

/*
 * One IOTLB v2 message, whatever its fields; 0 or the errno.  A message
 * vhost_vdpa refuses (overlap, range, type, ASID, batch rules) is EFAULT
 * to the writer whatever the reason (vhost_chr_write_iter()); only a
 * short write and an UPDATE of size 0 are EINVAL, checked before.
 */
#define EREFUSED	EFAULT
static int xiotlb(struct vmm *v, u32 asid, u8 type, u64 iova, u64 size,
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

static const char *errname(int e)
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

#define EXPECT_ERR(what, got, want) do {				\
		int __g = (got), __w = (want);				\
		if (__g != __w)						\
			die("%s: %s, want %s", what, errname(__g),	\
			    errname(__w));				\
	} while (0)

#define RW	VHOST_ACCESS_RW
#define UA(v)	((u64)(uintptr_t)(v)->mem)

/* Status ACKNOWLEDGE | DRIVER, features VERSION_1 (+ACCESS_PLATFORM). */
static void h_features(struct vmm *v)
{
	vmm_negotiate(v, BIT_ULL(VIRTIO_F_VERSION_1) |
		      BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
		      BIT_ULL(VIRTIO_F_VERSION_1));
}

/* Features, the client's memory mapped, rx0 and tx0 set up, DRIVER_OK. */
static void h_start(struct vmm *v)
{
	h_features(v);
	vmm_map(v, 0, MEM_IOVA, MEM_SIZE, v->mem);
	vmm_vq_setup(v, v->rx, true);
	vmm_vq_setup(v, v->tx, true);
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
}

static void hc_iotlb_zero_size(struct vmm *v)
{
	EXPECT_ERR("size 0", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 0, UA(v), RW), EINVAL);
}

static void hc_iotlb_wrap(struct vmm *v)
{
	EXPECT_ERR("iova + size wraps", xiotlb(v, 0, VHOST_IOTLB_UPDATE, ~0ULL - 4095,
					       8192, UA(v), RW), EREFUSED);
}

static void hc_iotlb_past_range(struct vmm *v)
{
	EXPECT_ERR("range past the last IOVA",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, v->range.last & ~4095ULL,
			  8192, UA(v), RW), EREFUSED);
}

static void hc_iotlb_overlap(struct vmm *v)
{
	EXPECT_ERR("first map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 8192, UA(v), RW), 0);
	EXPECT_ERR("overlapping map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA + 4096,
					     8192, UA(v), RW), EREFUSED);
	EXPECT_ERR("the same map again", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA,
						8192, UA(v), RW), EREFUSED);
}

static void hc_iotlb_unmapped_uaddr(struct vmm *v)
{
	void *p = mmap(NULL, 16384, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap");
	EXPECT_ERR("map of PROT_NONE memory",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 16384, (uintptr_t)p, RW),
		   EREFUSED);
	munmap(p, 16384);
}

static void hc_iotlb_huge(struct vmm *v)
{
	int e = xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 1ULL << 40, UA(v), RW);

	if (e != EREFUSED)
		die("1 TiB map of 4 MiB: %s, want %s", errname(e), errname(EREFUSED));
}

static void hc_iotlb_bad_type(struct vmm *v)
{
	EXPECT_ERR("message type 42", xiotlb(v, 0, 42, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
}

static void hc_iotlb_asid_out_of_range(struct vmm *v)
{
	EXPECT_ERR("asid = number of address spaces",
		   xiotlb(v, v->nas, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW),
		   EREFUSED);
	EXPECT_ERR("asid ~0", xiotlb(v, ~0U, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW),
		   EREFUSED);
}

static void hc_iotlb_invalidate_no_space(struct vmm *v)
{
	EXPECT_ERR("invalidate in an address space never used",
		   xiotlb(v, 1, VHOST_IOTLB_INVALIDATE, MEM_IOVA, 4096, 0, 0), EREFUSED);
}

static void hc_iotlb_invalidate_unmapped(struct vmm *v)
{
	EXPECT_ERR("map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("invalidate elsewhere",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA + MEM_SIZE, 1 << 20, 0, 0), 0);
	EXPECT_ERR("invalidate part of the map",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, 1, 0, 0), 0);
}

static void hc_batch_asid_switch(struct vmm *v)
{
	EXPECT_ERR("begin in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update in AS 1 inside it",
		   xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
	EXPECT_ERR("end in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
}

static void hc_batch_unbalanced(struct vmm *v)
{
	EXPECT_ERR("begin", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("begin again", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("end", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
	EXPECT_ERR("end again", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
	EXPECT_ERR("the batch's map is there",
		   xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), EREFUSED);
}

static void hc_batch_open_at_close(struct vmm *v)
{
	EXPECT_ERR("begin", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("update", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
	/* The runner closes the file with the batch open. */
}

static void hc_iotlb_short_write(struct vmm *v)
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

static void hc_iotlb_cvq_space_from_data(struct vmm *v)
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

static bool h_has(struct vmm *v, unsigned int bit)
{
	return v->backend & BIT_ULL(bit);
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

static void hc_iotlb_remap(struct vmm *v)
{
	EXPECT_ERR("map", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
	EXPECT_ERR("unmap", xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, MEM_SIZE, 0, 0), 0);
	EXPECT_ERR("map again", xiotlb(v, 0, VHOST_IOTLB_UPDATE, MEM_IOVA, MEM_SIZE, UA(v), RW), 0);
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

/* Rings in memory mapped read-only: the device must not write there. */
static void hc_iotlb_read_only_ring(struct vmm *v)
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

static void hc_iotlb_unmap_running(struct vmm *v)
{
	h_start(v);
	EXPECT_ERR("unmap everything under running rings",
		   xiotlb(v, 0, VHOST_IOTLB_INVALIDATE, MEM_IOVA, MEM_SIZE, 0, 0), 0);
	if (h_tx_used(v))
		die("the device used a ring whose memory was unmapped");
}

static void hc_batch_end_other_asid(struct vmm *v)
{
	EXPECT_ERR("map in AS 1", xiotlb(v, 1, VHOST_IOTLB_UPDATE, MEM_IOVA, 4096, UA(v), RW), 0);
	EXPECT_ERR("begin in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, 0, 0), 0);
	EXPECT_ERR("end in AS 1", xiotlb(v, 1, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), EREFUSED);
	EXPECT_ERR("end in AS 0", xiotlb(v, 0, VHOST_IOTLB_BATCH_END, 0, 0, 0, 0), 0);
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

static const struct hcase {
	const char *name;
	void (*fn)(struct vmm *v);
	unsigned int needs;	/* a backend bit, or 0 */
} hcases[] = {
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

/* The device works after a case: reset, start, ring state, reset. */
static void h_usable(struct vmm *v, const char *after)
{
	struct vhost_vring_state s = { .index = 1 };
	u8 st;

	step = after;
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
static void h_open(struct vmm *v, const char *path)
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

static int mode_hostile(struct vmm *v, const char *path, const char *only,
			unsigned int random_ops, unsigned int seed)
{
	unsigned int i, ran = 0, skipped = 0, failed = 0;

	quiet = true;
	h_open(v, path);
	vmm_mem(v);
	if (close(v->fd))
		die_errno("close");
	for (i = 0; i < ARRAY_SIZE(hcases); i++) {
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
		quiet = true;
		h_open(v, path);
		for (i = 0; i < random_ops; i++) {
			h_random_op(v, &seed);
			if (i % 1000 == 999) {
				h_usable(v, "random operations");
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

/* ---- mode fail-nth ---- */

/*
 * Deterministic allocation failures, with the kernel's per-task fail-nth
 * (Documentation/fault-injection/fault-injection.rst): N written to
 * /proc/thread-self/fail-nth makes the N-th allocation of this task that
 * passes failslab's filters fail.  The e2e case points failslab's stack
 * filter at snic_vdpa's code, so what counts is every slab allocation
 * made while the driver is on the stack: the driver's own, and those of
 * the NIC, the vdpa core, the driver core and vhost_vdpa's probe under
 * it.  For each operation N = 1, 2, ... until a run in which the counter
 * did not reach 0: the operation made fewer allocations, ran unfailed
 * and must have succeeded.  A run with a failed allocation must return
 * an error and leave nothing behind, or leave the device not started or
 * NEEDS_RESET (or succeed: an allocation it can do without); after each
 * run the device must work (h_usable), and the final kmemleak scan of
 * the test kernel sees what the error paths leaked.
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

/* A generic netlink request: header, family header, attributes. */
struct nlreq {
	struct nlmsghdr h;
	struct genlmsghdr g;
	char attrs[256];
};

static void nl_init(struct nlreq *r, u16 family, u8 cmd)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->h.nlmsg_type = family;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->g.cmd = cmd;
	r->g.version = 1;
}

static void nl_put(struct nlreq *r, u16 type, const void *data, u16 len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	if (NLMSG_ALIGN(r->h.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(*r))
		die("netlink request too long");
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void nl_put_str(struct nlreq *r, u16 type, const char *s)
{
	nl_put(r, type, s, strlen(s) + 1);
}

/* Whether attribute @a is whole within the @left bytes it starts. */
static bool nla_fits(const struct nlattr *a, int left)
{
	return left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
}

/*
 * Send @r and read until its ack: 0 or -errno.  With @family, the
 * CTRL_ATTR_FAMILY_ID of a CTRL_CMD_NEWFAMILY answer goes there.
 */
static int nl_talk(int fd, struct nlreq *r, u16 *family)
{
	static u32 seq;
	char buf[8192];

	r->h.nlmsg_seq = ++seq;
	if (send(fd, r, r->h.nlmsg_len, 0) != (ssize_t)r->h.nlmsg_len)
		die_errno("netlink send");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			die_errno("netlink recv");
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (family && h->nlmsg_type == GENL_ID_CTRL) {
				struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
				int left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				for (; nla_fits(a, left); left -= NLA_ALIGN(a->nla_len),
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						memcpy(family, (char *)a + NLA_HDRLEN, 2);
			}
		}
	}
}

struct vdpa_nl {
	int fd;
	u16 family;
	char bus[64], dev[64];	/* the management device, as bus/dev */
};

static void vdpa_nl_open(struct vdpa_nl *nl, const char *mgmt)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	const char *slash = strchr(mgmt, '/');
	struct nlreq r;
	int err;

	step = "netlink";
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0 || bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("generic netlink socket");
	nl_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	nl_put_str(&r, CTRL_ATTR_FAMILY_NAME, VDPA_GENL_NAME);
	nl->family = 0;
	err = nl_talk(nl->fd, &r, &nl->family);
	if (err || !nl->family)
		die("no generic netlink family " VDPA_GENL_NAME ": %s", strerror(-err));
	nl->bus[0] = 0;
	snprintf(nl->dev, sizeof(nl->dev), "%s", mgmt);
	if (slash) {
		snprintf(nl->bus, sizeof(nl->bus), "%.*s", (int)(slash - mgmt), mgmt);
		snprintf(nl->dev, sizeof(nl->dev), "%s", slash + 1);
	}
}

/* vdpa dev add name @name mgmtdev ... mac @mac max_vqp @pairs: 0 or -errno. */
static int vdpa_dev_add(struct vdpa_nl *nl, const char *name, const u8 *mac, u16 pairs)
{
	struct nlreq r;

	nl_init(&r, nl->family, VDPA_CMD_DEV_NEW);
	if (nl->bus[0])
		nl_put_str(&r, VDPA_ATTR_MGMTDEV_BUS_NAME, nl->bus);
	nl_put_str(&r, VDPA_ATTR_MGMTDEV_DEV_NAME, nl->dev);
	nl_put_str(&r, VDPA_ATTR_DEV_NAME, name);
	nl_put(&r, VDPA_ATTR_DEV_NET_CFG_MACADDR, mac, 6);
	nl_put(&r, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, &pairs, sizeof(pairs));
	return nl_talk(nl->fd, &r, NULL);
}

static int vdpa_dev_cmd(struct vdpa_nl *nl, u8 cmd, const char *name)
{
	struct nlreq r;

	nl_init(&r, nl->family, cmd);
	nl_put_str(&r, VDPA_ATTR_DEV_NAME, name);
	return nl_talk(nl->fd, &r, NULL);
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

static int mode_fail_nth(struct vmm *v, const char *mgmt, const char *name)
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

/* ---- main ---- */

static void __noreturn usage(void)
{
	fprintf(stderr,
		"Usage: %s traffic --dev /dev/vhost-vdpa-N --port REPRESENTOR [--frames N] [--no-suspend] [--no-cvq] [--dirty-log TRACE]\n"
		"       %s unmapped-ring --dev /dev/vhost-vdpa-N [--map-unrelated]\n"
		"       %s hostile --dev /dev/vhost-vdpa-N [--case NAME] [--random N] [--seed S]\n"
		"       %s fail-nth --mgmt MGMTDEV --name NAME\n"
		"       %s state --dev /dev/vhost-vdpa-N --port REPRESENTOR {--dst /dev/vhost-vdpa-M --dst-port REPRESENTOR}... [--frames N] [--fault promisc]\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'n' },
		{ "no-suspend", no_argument, NULL, 's' },
		{ "no-cvq", no_argument, NULL, 'c' },
		{ "map-unrelated", no_argument, NULL, 'u' },
		{ "dirty-log", required_argument, NULL, 'l' },
		{ "dst", required_argument, NULL, 'D' },
		{ "dst-port", required_argument, NULL, 'P' },
		{ "fault", required_argument, NULL, 'F' },
		{ "case", required_argument, NULL, 'C' },
		{ "random", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "mgmt", required_argument, NULL, 'M' },
		{ "name", required_argument, NULL, 'N' },
		{ }
	};
	const char *mode, *dev = NULL, *port = NULL, *dst[4], *dst_port[4];
	unsigned int ndst = 0, ndst_port = 0, random_ops = 0, seed = 1;
	const char *only = NULL, *mgmt = NULL, *name = NULL;
	bool suspend = true, cvq = true, unrelated = false;
	unsigned int frames = 200;
	struct vmm v = { .fd = -1 };
	int c, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'n':
			frames = strtoul(optarg, NULL, 0);
			break;
		case 's':
			suspend = false;
			break;
		case 'c':
			cvq = false;
			break;
		case 'u':
			unrelated = true;
			break;
		case 'l':
			v.log.trace = optarg;
			break;
		case 'D':
			if (ndst == ARRAY_SIZE(dst))
				usage();
			dst[ndst++] = optarg;
			break;
		case 'P':
			if (ndst_port == ARRAY_SIZE(dst_port))
				usage();
			dst_port[ndst_port++] = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "promisc"))
				usage();
			v.fault_promisc = true;
			break;
		case 'C':
			only = optarg;
			break;
		case 'R':
			random_ops = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'M':
			mgmt = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!dev && strcmp(mode, "fail-nth")))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "traffic")) {
		if (!port || frames < 2)
			usage();
		vmm_open(&v, dev);
		rc = mode_traffic(&v, port, frames, suspend, cvq);
	} else if (!strcmp(mode, "unmapped-ring")) {
		vmm_open(&v, dev);
		rc = mode_unmapped_ring(&v, unrelated);
	} else if (!strcmp(mode, "state")) {
		if (!port || !ndst || ndst != ndst_port || frames < 2 * (ndst + 1))
			usage();
		vmm_open(&v, dev);
		rc = mode_state(&v, port, dst, dst_port, ndst, frames);
	} else if (!strcmp(mode, "fail-nth")) {
		if (!mgmt || !name)
			usage();
		rc = mode_fail_nth(&v, mgmt, name);
	} else if (!strcmp(mode, "hostile")) {
		rc = mode_hostile(&v, dev, only, random_ops, seed);
	} else {
		usage();
	}
	step = "close";
	if (v.fd >= 0 && close(v.fd))
		die_errno("%s", v.path);
	kv("result", "%s", rc ? "fail" : "ok");
	return rc;
}
