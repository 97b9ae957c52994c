// SPDX-License-Identifier: GPL-2.0
/*
 * Mode state: the device state moved to other devices (the kernel
 * series of patches/linux/), with filter probes.
 */

#include "vmm.h"

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
long probe_check(const u8 *f, unsigned int len)
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
u8 *state_get(struct vmm *v, u32 *size)
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
int mode_state(struct vmm *v, const char *port, const char **dst,
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
