// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the virtio-net control queue, which the NIC executes
 * itself (RX mode, MAC address and table, VLAN filter, queue pairs, guest
 * offloads), and the receive filter those commands program.  Every
 * command is checked whole before it changes anything; a malformed one,
 * or one of a class the driver did not negotiate, is answered
 * VIRTIO_NET_ERR.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/slab.h>
#include <uapi/linux/virtio_net.h>

#include "snic_model.h"

/* Largest command taken: a full MAC table of 64 + 64 entries and then some. */
#define SNIC_CVQ_MAX		4096

/**
 * snic_model_rx_defaults() - the receive state a reset leaves
 * @f: the driver features
 * @rxf: the receive filter
 * @vq_pairs: queue pairs in use
 * @guest_offloads: guest offloads taken
 *
 * Everything is received (as with no CTRL_RX) until the driver says
 * otherwise; with CTRL_VLAN negotiated, tagged frames only for the VLANs
 * it adds.  One queue pair; the guest offloads it negotiated.
 */
void snic_model_rx_defaults(u64 f, struct snic_model_rxf *rxf, u16 *vq_pairs,
			    u64 *guest_offloads)
{
	memset(rxf, 0, sizeof(*rxf));
	rxf->promisc = true;
	rxf->vlan_filter = f & BIT_ULL(VIRTIO_NET_F_CTRL_VLAN);
	*vq_pairs = 1;
	*guest_offloads = f & SNIC_GUEST_OFFLOADS;
}

/**
 * snic_model_fn_rx_reset() - the receive state of a function after a reset
 * @fn: the function
 */
void snic_model_fn_rx_reset(struct snic_model_fn *fn)
{
	spin_lock_bh(&fn->cfg_lock);
	snic_model_rx_defaults(fn->driver_features, &fn->rxf, &fn->vq_pairs,
			       &fn->guest_offloads);
	spin_unlock_bh(&fn->cfg_lock);
}

static bool snic_mac_in(const u8 (*table)[ETH_ALEN], unsigned int n,
			const u8 *mac)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ether_addr_equal(table[i], mac))
			return true;
	return false;
}

/**
 * snic_model_rx_accept() - whether the function's driver wants a frame
 * @fn: the function
 * @skb: the frame, its Ethernet header at @skb->data
 *
 * Return: true to deliver it.
 */
bool snic_model_rx_accept(struct snic_model_fn *fn, const struct sk_buff *skb)
{
	const struct snic_model_rxf *f = &fn->rxf;
	const struct ethhdr *eth;
	__be16 tci;
	bool ok;

	if (skb_headlen(skb) < ETH_HLEN)
		return false;
	eth = (const struct ethhdr *)skb->data;

	spin_lock_bh(&fn->cfg_lock);
	/* The tag may lie past the linear part, or past the frame. */
	if (f->vlan_filter && eth_type_vlan(eth->h_proto) &&
	    (skb_copy_bits(skb, ETH_HLEN, &tci, sizeof(tci)) ||
	     !test_bit(ntohs(tci) & VLAN_VID_MASK, f->vlans)))
		ok = false;
	else if (f->promisc)
		ok = true;
	else if (is_broadcast_ether_addr(eth->h_dest))
		ok = !f->nobcast;
	else if (is_multicast_ether_addr(eth->h_dest))
		ok = !f->nomulti &&
		     (f->allmulti || f->mc_overflow ||
		      snic_mac_in(f->mc, f->n_mc, eth->h_dest));
	else
		ok = ether_addr_equal(eth->h_dest, fn->mac) ||
		     (!f->nouni &&
		      (f->alluni || f->uc_overflow ||
		       snic_mac_in(f->uc, f->n_uc, eth->h_dest)));
	spin_unlock_bh(&fn->cfg_lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_rx_accept);

static bool snic_has(const struct snic_model_vq *vq, unsigned int bit)
{
	return vq->features & BIT_ULL(bit);
}

static u8 snic_cvq_rx(struct snic_model_vq *vq, u8 cmd, const u8 *data,
		      unsigned int len)
{
	struct snic_model_fn *fn = vq->fn;
	struct snic_model_rxf *f = &fn->rxf;
	bool *flag, on;

	if (!snic_has(vq, VIRTIO_NET_F_CTRL_RX) || len != 1)
		return VIRTIO_NET_ERR;
	switch (cmd) {
	case VIRTIO_NET_CTRL_RX_PROMISC:
		flag = &f->promisc;
		break;
	case VIRTIO_NET_CTRL_RX_ALLMULTI:
		flag = &f->allmulti;
		break;
	case VIRTIO_NET_CTRL_RX_ALLUNI:
		flag = &f->alluni;
		break;
	case VIRTIO_NET_CTRL_RX_NOMULTI:
		flag = &f->nomulti;
		break;
	case VIRTIO_NET_CTRL_RX_NOUNI:
		flag = &f->nouni;
		break;
	case VIRTIO_NET_CTRL_RX_NOBCAST:
		flag = &f->nobcast;
		break;
	default:
		return VIRTIO_NET_ERR;
	}
	if (cmd > VIRTIO_NET_CTRL_RX_ALLMULTI &&
	    !snic_has(vq, VIRTIO_NET_F_CTRL_RX_EXTRA))
		return VIRTIO_NET_ERR;
	if (data[0] > 1)
		return VIRTIO_NET_ERR;
	on = data[0];
	spin_lock_bh(&fn->cfg_lock);
	*flag = on;
	spin_unlock_bh(&fn->cfg_lock);
	return VIRTIO_NET_OK;
}

/* One table of MAC_TABLE_SET: its entry count and where it ends. */
static bool snic_mac_table(const u8 *data, unsigned int len, unsigned int *off,
			   u32 *n)
{
	__le32 raw;

	if (len - *off < sizeof(raw))
		return false;
	memcpy(&raw, data + *off, sizeof(raw));
	*n = le32_to_cpu(raw);
	*off += sizeof(raw);
	if (*n > (len - *off) / ETH_ALEN)
		return false;
	*off += *n * ETH_ALEN;
	return true;
}

static u8 snic_cvq_mac(struct snic_model_vq *vq, u8 cmd, const u8 *data,
		       unsigned int len)
{
	struct snic_model_fn *fn = vq->fn;
	struct snic_model_rxf *f = &fn->rxf;
	unsigned int off = 0, uc_off, mc_off, i;
	u32 n_uc, n_mc;

	switch (cmd) {
	case VIRTIO_NET_CTRL_MAC_ADDR_SET:
		if (!snic_has(vq, VIRTIO_NET_F_CTRL_MAC_ADDR) ||
		    len != ETH_ALEN || !is_valid_ether_addr(data))
			return VIRTIO_NET_ERR;
		spin_lock_bh(&fn->cfg_lock);
		ether_addr_copy(fn->mac, data);
		spin_unlock_bh(&fn->cfg_lock);
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC_TABLE_SET:
		if (!snic_has(vq, VIRTIO_NET_F_CTRL_RX))
			return VIRTIO_NET_ERR;
		uc_off = off + sizeof(__le32);
		if (!snic_mac_table(data, len, &off, &n_uc))
			return VIRTIO_NET_ERR;
		mc_off = off + sizeof(__le32);
		if (!snic_mac_table(data, len, &off, &n_mc) || off != len)
			return VIRTIO_NET_ERR;
		for (i = 0; i < n_uc; i++)
			if (is_multicast_ether_addr(data + uc_off + i * ETH_ALEN))
				return VIRTIO_NET_ERR;
		for (i = 0; i < n_mc; i++)
			if (!is_multicast_ether_addr(data + mc_off + i * ETH_ALEN))
				return VIRTIO_NET_ERR;
		spin_lock_bh(&fn->cfg_lock);
		f->uc_overflow = n_uc > SNIC_MAC_TABLE_MAX;
		f->n_uc = f->uc_overflow ? 0 : n_uc;
		memcpy(f->uc, data + uc_off, f->n_uc * ETH_ALEN);
		f->mc_overflow = n_mc > SNIC_MAC_TABLE_MAX;
		f->n_mc = f->mc_overflow ? 0 : n_mc;
		memcpy(f->mc, data + mc_off, f->n_mc * ETH_ALEN);
		spin_unlock_bh(&fn->cfg_lock);
		return VIRTIO_NET_OK;
	}
	return VIRTIO_NET_ERR;
}

static u8 snic_cvq_vlan(struct snic_model_vq *vq, u8 cmd, const u8 *data,
			unsigned int len)
{
	struct snic_model_fn *fn = vq->fn;
	__le16 raw;
	u16 vid;

	if (!snic_has(vq, VIRTIO_NET_F_CTRL_VLAN) || len != sizeof(raw))
		return VIRTIO_NET_ERR;
	memcpy(&raw, data, sizeof(raw));
	vid = le16_to_cpu(raw);
	if (vid >= VLAN_N_VID ||
	    (cmd != VIRTIO_NET_CTRL_VLAN_ADD && cmd != VIRTIO_NET_CTRL_VLAN_DEL))
		return VIRTIO_NET_ERR;
	spin_lock_bh(&fn->cfg_lock);
	if (cmd == VIRTIO_NET_CTRL_VLAN_ADD)
		set_bit(vid, fn->rxf.vlans);
	else
		clear_bit(vid, fn->rxf.vlans);
	spin_unlock_bh(&fn->cfg_lock);
	return VIRTIO_NET_OK;
}

static u8 snic_cvq_mq(struct snic_model_vq *vq, u8 cmd, const u8 *data,
		      unsigned int len)
{
	struct snic_model_fn *fn = vq->fn;
	__le16 raw;
	u16 pairs;

	if (!snic_has(vq, VIRTIO_NET_F_MQ) ||
	    cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len != sizeof(raw))
		return VIRTIO_NET_ERR;
	memcpy(&raw, data, sizeof(raw));
	pairs = le16_to_cpu(raw);
	if (!pairs || pairs > fn->max_vq_pairs)
		return VIRTIO_NET_ERR;
	WRITE_ONCE(fn->vq_pairs, pairs);
	return VIRTIO_NET_OK;
}

static u8 snic_cvq_offloads(struct snic_model_vq *vq, u8 cmd, const u8 *data,
			    unsigned int len)
{
	u64 offloads, allowed = vq->features & SNIC_GUEST_OFFLOADS;
	__le64 raw;

	if (!snic_has(vq, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
	    cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || len != sizeof(raw))
		return VIRTIO_NET_ERR;
	memcpy(&raw, data, sizeof(raw));
	offloads = le64_to_cpu(raw);
	if (offloads & ~allowed)
		return VIRTIO_NET_ERR;
	/* Segmentation offloads need the checksum offload. */
	if ((offloads & ~BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)) &&
	    !(offloads & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)))
		return VIRTIO_NET_ERR;
	WRITE_ONCE(vq->fn->guest_offloads, offloads);
	return VIRTIO_NET_OK;
}

/* Execute one command: class, command, then its data. */
static u8 snic_cvq_exec(struct snic_model_vq *vq, const u8 *cmd,
			unsigned int len)
{
	const u8 *data = cmd + 2;

	len -= 2;
	switch (cmd[0]) {
	case VIRTIO_NET_CTRL_RX:
		return snic_cvq_rx(vq, cmd[1], data, len);
	case VIRTIO_NET_CTRL_MAC:
		return snic_cvq_mac(vq, cmd[1], data, len);
	case VIRTIO_NET_CTRL_VLAN:
		return snic_cvq_vlan(vq, cmd[1], data, len);
	case VIRTIO_NET_CTRL_MQ:
		return snic_cvq_mq(vq, cmd[1], data, len);
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		return snic_cvq_offloads(vq, cmd[1], data, len);
	}
	return VIRTIO_NET_ERR;
}

/*
 * One chain of the CVQ: the command is executed and answered.  Returns
 * the bytes written (the ack), or a negative errno when it cannot be
 * answered (no writable byte, buffers not reachable): a driver error
 * that stops the queue.
 */
static int snic_cvq_one(struct snic_model_vq *vq, const struct snic_chain *c)
{
	u8 ack = VIRTIO_NET_ERR;
	u8 *buf = NULL;
	int err = 0;

	if (!c->in_len)
		return -EINVAL;
	/* Without memory for it, the command fails; the queue goes on. */
	if (c->out_len >= 2 && c->out_len <= SNIC_CVQ_MAX)
		buf = kmalloc(c->out_len, GFP_KERNEL);
	if (buf) {
		err = snic_chain_pull(vq, c, 0, buf, c->out_len);
		if (!err)
			ack = snic_cvq_exec(vq, buf, c->out_len);
		kfree(buf);
	}
	if (!err)
		err = snic_chain_push(vq, c, 0, &ack, sizeof(ack));
	if (err)
		return err;
	if (ack != VIRTIO_NET_OK)
		vq->errors++;
	return sizeof(ack);
}

/**
 * snic_model_cvq_process() - the CVQ's worker
 * @vq: the CVQ
 */
void snic_model_cvq_process(struct snic_model_vq *vq)
{
	snic_model_vq_serve(vq, snic_cvq_one);
}
