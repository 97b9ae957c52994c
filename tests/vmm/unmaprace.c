// SPDX-License-Identifier: GPL-2.0
/*
 * Mode unmap-race: the client unmaps receive buffers while the device is
 * writing frames into them, after it gave the pages back to the kernel.
 *
 * vhost_vdpa pins the pages of each IOTLB update and unpins them when the
 * range is invalidated; 6.12 unpins a range's pages before it calls the
 * parent's dma_unmap.  If the process no longer maps those pages (it
 * munmapped them first, as a VMM freeing memory may), the unpin frees
 * them, and a device still writing there until dma_unmap returns writes
 * into pages the kernel may already have handed out again.  The driver
 * must not let that happen.  KASAN does not see such a write (the page
 * is reused before it lands); the model's debugfs check_free does, and
 * the e2e case turns it on.
 *
 * A child process sends full-size frames into the representor all along.
 * Each round: a fresh open of the device, the receive ring mapped, its
 * 128 chains of two descriptors posted together when the device's backlog
 * has filled: the virtio-net header of every chain in one page, the
 * frames in buffers of their own.  While the device writes a header
 * into that page for each frame, the client munmaps it and invalidates
 * it, then the buffers.  Every invalidate must succeed, and the device
 * must be running or report NEEDS_RESET (it met the unmapped memory).
 * The rounds where it reports NEEDS_RESET are those where its writes and
 * the unmap overlapped: the client counts them and fails if none did,
 * since then the race was never run.
 */

#include <signal.h>
#include <sys/prctl.h>

#include "vmm.h"

/*
 * The receive buffers' IOVAs, after the rings, apart from them; then the
 * page that holds the virtio-net header of every receive chain.
 */
#define BUFS_IOVA	(MEM_IOVA + MEM_SIZE)
#define HDRS_IOVA	(BUFS_IOVA + BUF_AREA)
#define HDR_SLOT	16
/* Time the sender has to fill the device's backlog, each round. */
#define BACKLOG_MS	100

/* The sender: full-size frames into the representor until killed. */
static pid_t start_sender(struct vmm *v, struct port *p)
{
	unsigned int seq = 0;
	u8 *frame;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* vhost-vdpa has one user at a time: the parent. */
	close(v->fd);
	/* The parent must not wait for a CPU when it sees the device write. */
	if (nice(19) < 0)
		die_errno("nice");
	frame = malloc(FRAME_MAX);
	if (!frame)
		die("out of memory");
	step = "sender";
	for (;;) {
		frame_fill(frame, seq++, FRAME_MAX, v->mac, p->mac, 'R');
		port_send(p, frame, FRAME_MAX);
	}
}

/* Receive chain @i: its header in the header page, its frame in a buffer. */
static void post_chain(struct vq *q, unsigned int i)
{
	u16 h = 2 * i;

	q->desc[h] = (struct vring_desc) {
		.addr = htole64(HDRS_IOVA + i * HDR_SLOT),
		.len = htole32(NET_HDR_LEN),
		.flags = htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT),
		.next = htole16(h + 1),
	};
	q->desc[h + 1] = (struct vring_desc) {
		.addr = htole64(BUFS_IOVA + i * BUF_SIZE),
		.len = htole32(BUF_SIZE),
		.flags = htole16(VRING_DESC_F_WRITE),
	};
	vq_publish(q, h);
}

/* One round; returns whether the device met the unmapped memory. */
static bool unmap_round(struct vmm *v, struct port *p, unsigned int r)
{
	unsigned int i, chains, watch;
	struct vq *q = v->rx;
	u8 *bufs, *hdrs, st;
	u64 deadline;
	u16 *nb, used;

	vmm_backend(v);
	vmm_probe(v);
	h_features(v);

	step = "receive memory";
	/*
	 * The header page first: the buffers' pages after it push it out of
	 * the kernel's per-CPU LRU batch, whose reference would keep it.
	 */
	hdrs = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	bufs = mmap(NULL, BUF_AREA, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (bufs == MAP_FAILED || hdrs == MAP_FAILED)
		die_errno("mmap");
	memset(v->mem, 0, RING_AREA);
	memset(q->inflight, 0, q->num);
	q->avail_idx = 0;
	q->used_seen = 0;
	vmm_map(v, 0, MEM_IOVA, RING_AREA, v->mem);
	vmm_map(v, 0, BUFS_IOVA, BUF_AREA, bufs);
	vmm_map(v, 0, HDRS_IOVA, PAGE_SZ, hdrs);
	vmm_vq_setup(v, q, true);
	step = "status DRIVER_OK";
	vmm_add_status(v, VIRTIO_CONFIG_S_DRIVER_OK, true);
	port_wait_up(p);

	/*
	 * No buffer yet: the frames wait in the device's backlog.  Then all
	 * chains at once, so that it writes them back to back.
	 */
	step = "backlog";
	sleep_ms(BACKLOG_MS);
	chains = q->num / 2;
	for (i = 0; i < chains; i++)
		post_chain(q, i);
	vmm_kick(q);

	/*
	 * Once the device has written chain @watch (its header's
	 * num_buffers is set), the client lets go of the header page
	 * (munmap) and unmaps it from the device, while the device goes on
	 * writing a header there for every frame.  Where the watch is
	 * changes from round to round.  Then the buffers go too.
	 */
	step = "device writes";
	watch = r % (chains / 4);
	nb = (void *)(hdrs + watch * HDR_SLOT +
		      offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers));
	deadline = now_ms() + WAIT_MS;
	while (!__atomic_load_n(nb, __ATOMIC_ACQUIRE) && now_ms() < deadline)
		;
	step = "munmap and invalidate under the device";
	if (munmap(hdrs, PAGE_SZ))
		die_errno("munmap");
	vmm_unmap(v, 0, HDRS_IOVA, PAGE_SZ);
	if (munmap(bufs, BUF_AREA))
		die_errno("munmap");
	vmm_unmap(v, 0, BUFS_IOVA, BUF_AREA);

	used = vq_used_idx(q);
	st = vmm_get_status(v);
	if (getenv("SNIC_UNMAP_DEBUG"))
		fprintf(stderr, "round %u: watch %u, used %u, status 0x%02x\n",
			r, watch, used, st);
	if (!(st & VIRTIO_CONFIG_S_DRIVER_OK))
		die("round %u: status 0x%02x after the invalidate", r, st);
	if (used > chains)
		die("round %u: used index %u past %u chains", r, used, chains);

	step = "close";
	if (close(v->fd))
		die_errno("%s", v->path);
	v->fd = -1;
	return st & VIRTIO_CONFIG_S_NEEDS_RESET;
}

int mode_unmap_race(struct vmm *v, const char *port, unsigned int rounds)
{
	unsigned int r, raced = 0;
	struct port p;
	u64 t0 = now_ms();
	pid_t sender;

	port_open(&p, port);
	vmm_backend(v);
	vmm_probe(v);
	vmm_mem(v);
	sender = start_sender(v, &p);
	step = "unmap rounds";
	quiet = true;
	for (r = 0; r < rounds; r++) {
		if (r)
			vmm_open(v, v->path);
		raced += unmap_round(v, &p, r);
	}
	quiet = false;
	kill(sender, SIGKILL);
	waitpid(sender, NULL, 0);
	kv("rounds", "%u", rounds);
	kv("rounds_raced", "%u", raced);
	kv("rounds_ms", "%llu", (unsigned long long)(now_ms() - t0));
	if (!raced)
		die("in no round did the device meet the unmapped memory: no race ran");
	return 0;
}
