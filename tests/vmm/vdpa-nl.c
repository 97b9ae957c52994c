// SPDX-License-Identifier: GPL-2.0
/*
 * The vdpa generic netlink requests of mode fail-nth (dev add, get, del).
 */

#include "vmm.h"

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

void vdpa_nl_open(struct vdpa_nl *nl, const char *mgmt)
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
int vdpa_dev_add(struct vdpa_nl *nl, const char *name, const u8 *mac, u16 pairs)
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

int vdpa_dev_cmd(struct vdpa_nl *nl, u8 cmd, const char *name)
{
	struct nlreq r;

	nl_init(&r, nl->family, cmd);
	nl_put_str(&r, VDPA_ATTR_DEV_NAME, name);
	return nl_talk(nl->fd, &r, NULL);
}
