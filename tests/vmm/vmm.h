/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of snic-vmm share: includes, the uAPI definitions
 * Debian 12 lacks, the client's types and memory layout, and the
 * functions one file gives the others.
 *
 * Only the uAPI headers are used.  Debian 12's are those of Linux 6.1: the
 * few definitions added later are given below, with the values of
 * include/uapi/linux/vhost*.h.
 */
#ifndef SNIC_VMM_H
#define SNIC_VMM_H

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

/* The program's name, and the step it is at (for die()). */
extern const char *prog;
extern const char *step;
/* Mode hostile: no KEY=VALUE lines from the steps of each case. */
extern bool quiet;

#define die_errno(fmt, ...) die(fmt ": %s", ##__VA_ARGS__, strerror(errno))

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

#define VMM_IOCTL(v, req, arg) vmm_ioctl(v, req, arg, #req)

struct port {
	int fd;
	int ifindex;
	u8 mac[6];
	const char *name;
};

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

struct vdpa_nl {
	int fd;
	u16 family;
	char bus[64], dev[64];	/* the management device, as bus/dev */
};

/* A case of mode hostile: hostile-cases.c has the table of them. */
struct hcase {
	const char *name;
	void (*fn)(struct vmm *v);
	unsigned int needs;	/* a backend bit, or 0 */
};

extern const struct hcase hcases[];
extern const unsigned int nr_hcases;

/* What vhost_vdpa answers to any IOTLB message it refuses (xiotlb()). */
#define EREFUSED	EFAULT

#define EXPECT_ERR(what, got, want) do {				\
		int __g = (got), __w = (want);				\
		if (__g != __w)						\
			die("%s: %s, want %s", what, errname(__g),	\
			    errname(__w));				\
	} while (0)

#define RW	VHOST_ACCESS_RW
#define UA(v)	((u64)(uintptr_t)(v)->mem)

/* vmm.c: die(), kv(), time; the vhost-vdpa steps; rings; the CVQ */
void __noreturn __printf(1, 2) die(const char *fmt, ...);
void __printf(2, 3) kv(const char *key, const char *fmt, ...);
u64 now_ms(void);
void sleep_ms(unsigned int ms);
void vmm_ioctl(struct vmm *v, unsigned long req, void *arg,
	       const char *name);
u8 vmm_get_status(struct vmm *v);
void vmm_set_status(struct vmm *v, u8 s);
void vmm_add_status(struct vmm *v, u8 bits, bool check);
void vmm_open(struct vmm *v, const char *path);
void vmm_backend(struct vmm *v);
void vmm_probe(struct vmm *v);
unsigned int vmm_vq_group(struct vmm *v, unsigned int idx);
void vmm_negotiate(struct vmm *v, u64 want, u64 need);
void vmm_map(struct vmm *v, unsigned int asid, u64 iova,
	     u64 size, void *uaddr);
void vmm_unmap(struct vmm *v, unsigned int asid, u64 iova,
	       u64 size);
struct vq *vmm_vq_init(struct vmm *v, unsigned int slot,
		       unsigned int idx);
struct vhost_vring_addr vmm_vring_addr(const struct vq *q,
				       unsigned int flags);
void vmm_vq_setup(struct vmm *v, struct vq *q, bool enable);
unsigned int vmm_vring_base(struct vmm *v, struct vq *q);
void vmm_kick(struct vq *q);
u16 vq_used_idx(const struct vq *q);
void vq_publish(struct vq *q, u16 head);
bool vq_pop_used(struct vq *q, u16 *id, u32 *len);
void vq_wait_call(struct vq *q, int ms);
u8 vmm_cvq_cmd(struct vmm *v, u8 class, u8 cmd, const void *data,
	       size_t len);

/* io.c: frames, and the representor's packet socket */
unsigned int frame_len(unsigned int seq, unsigned int max);
void frame_fill(u8 *f, unsigned int seq, unsigned int len,
		const u8 *dst, const u8 *src, u8 dir);
long frame_check(const u8 *f, unsigned int len, u8 dir,
		 const char *where);
void port_open(struct port *p, const char *name);
ssize_t port_recv(struct port *p, u8 *buf, size_t size);
void port_send(struct port *p, const u8 *f, size_t len);
void port_wait_up(struct port *p);

/* log.c: the dirty page log */
void log_start(struct vmm *v);
void log_check(struct vmm *v, const char *what);
void log_stop(struct vmm *v);

/* traffic.c: mode traffic, and the start it shares with mode state */
void tx_post(struct traffic *t);
void tx_reap(struct traffic *t);
void tx_run(struct traffic *t, unsigned int last);
void rx_reap(struct traffic *t);
void rx_run(struct traffic *t, unsigned int last);
unsigned int vmm_frame_max(const struct vmm *v);
void vmm_mem(struct vmm *v);
unsigned int vmm_cvq_asid(struct vmm *v);
void vmm_start(struct vmm *v, struct traffic *t, const char *port);
int mode_traffic(struct vmm *v, const char *port, unsigned int frames,
		 bool suspend, bool use_cvq);

/* unmapped.c: mode unmapped-ring */
int mode_unmapped_ring(struct vmm *v, bool map_unrelated);

/* state.c: mode state */
long probe_check(const u8 *f, unsigned int len);
u8 *state_get(struct vmm *v, u32 *size);
int mode_state(struct vmm *v, const char *port, const char **dst,
	       const char **dst_port, unsigned int ndst,
	       unsigned int frames);

/* unmaprace.c: mode unmap-race */
int mode_unmap_race(struct vmm *v, const char *port, unsigned int rounds);

/* logcost.c: mode log-cost */
int mode_log_cost(struct vmm *v, const char *sizes, unsigned int rounds);

/* hostile.c: mode hostile, and the helpers mode fail-nth shares */
int xioctl(struct vmm *v, unsigned long req, void *arg);
int xiotlb(struct vmm *v, u32 asid, u8 type, u64 iova, u64 size,
	   u64 uaddr, u8 perm);
const char *errname(int e);
void h_features(struct vmm *v);
void h_start(struct vmm *v);
bool h_has(struct vmm *v, unsigned int bit);
void h_usable(struct vmm *v, const char *after);
void h_open(struct vmm *v, const char *path);
int mode_hostile(struct vmm *v, const char *path, const char *only,
		 unsigned int random_ops, unsigned int seed);

/* hostile-iotlb.c: the IOTLB cases, in hostile-cases.c's table */
void hc_iotlb_zero_size(struct vmm *v);
void hc_iotlb_wrap(struct vmm *v);
void hc_iotlb_past_range(struct vmm *v);
void hc_iotlb_overlap(struct vmm *v);
void hc_iotlb_unmapped_uaddr(struct vmm *v);
void hc_iotlb_huge(struct vmm *v);
void hc_iotlb_bad_type(struct vmm *v);
void hc_iotlb_asid_out_of_range(struct vmm *v);
void hc_iotlb_invalidate_no_space(struct vmm *v);
void hc_iotlb_invalidate_unmapped(struct vmm *v);
void hc_batch_asid_switch(struct vmm *v);
void hc_batch_unbalanced(struct vmm *v);
void hc_batch_open_at_close(struct vmm *v);
void hc_iotlb_short_write(struct vmm *v);
void hc_iotlb_cvq_space_from_data(struct vmm *v);
void hc_iotlb_remap(struct vmm *v);
void hc_iotlb_read_only_ring(struct vmm *v);
void hc_iotlb_unmap_running(struct vmm *v);
void hc_batch_end_other_asid(struct vmm *v);
void hc_batch_across_reset(struct vmm *v);

/* failnth.c: mode fail-nth */
int mode_fail_nth(struct vmm *v, const char *mgmt, const char *name);

/* vdpa-nl.c: vdpa generic netlink, for mode fail-nth */
void vdpa_nl_open(struct vdpa_nl *nl, const char *mgmt);
int vdpa_dev_add(struct vdpa_nl *nl, const char *name, const u8 *mac, u16 pairs);
int vdpa_dev_cmd(struct vdpa_nl *nl, u8 cmd, const char *name);

#endif /* SNIC_VMM_H */
