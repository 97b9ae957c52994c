// SPDX-License-Identifier: GPL-2.0
/*
 * The wire: the frames the client sends and checks, and the
 * representor's side of them (a raw packet socket).
 */

#include "vmm.h"

/* ---- frames ---- */

/* Frame @seq: its length, and its bytes from @src to @dst. */
unsigned int frame_len(unsigned int seq, unsigned int max)
{
	return FRAME_MIN + (seq * 97) % (max - FRAME_MIN + 1);
}

void frame_fill(u8 *f, unsigned int seq, unsigned int len,
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
long frame_check(const u8 *f, unsigned int len, u8 dir,
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

void port_open(struct port *p, const char *name)
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
ssize_t port_recv(struct port *p, u8 *buf, size_t size)
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

void port_send(struct port *p, const u8 *f, size_t len)
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
void port_wait_up(struct port *p)
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
