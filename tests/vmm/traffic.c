// SPDX-License-Identifier: GPL-2.0
/*
 * Mode traffic: frames both ways, a suspend/resume in each direction;
 * its transmit and receive loops and the start of the device are
 * mode state's too.
 */

#include "vmm.h"

void tx_post(struct traffic *t)
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
void tx_reap(struct traffic *t)
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
void tx_run(struct traffic *t, unsigned int last)
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

void rx_reap(struct traffic *t)
{
	rx_reap_queue(t, t->v->rx);
	if (t->v->rx1)
		rx_reap_queue(t, t->v->rx1);
}

/* Send frames into the representor until @last; wait for them all. */
void rx_run(struct traffic *t, unsigned int last)
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
unsigned int vmm_frame_max(const struct vmm *v)
{
	if ((v->features & BIT_ULL(VIRTIO_NET_F_MTU)) &&
	    (unsigned int)v->mtu + ETH_HLEN < FRAME_MAX)
		return v->mtu + ETH_HLEN;
	return FRAME_MAX;
}

/* The client's memory, with the first receive and transmit queues. */
void vmm_mem(struct vmm *v)
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
unsigned int vmm_cvq_asid(struct vmm *v)
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
void vmm_start(struct vmm *v, struct traffic *t, const char *port)
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

int mode_traffic(struct vmm *v, const char *port, unsigned int frames,
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
