// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the uplink port of each function, as a host netdev
 * (its representor), named snic<NIC>f<function>.  The port's
 * administrative state is the function's link: bringing the representor
 * up or down sets VIRTIO_NET_S_LINK_UP in the config space and raises the
 * config vector.  Its carrier is on while the function's driver is
 * running (DRIVER_OK).  Frames the driver transmits are received by the
 * representor; frames sent into the representor go to the driver
 * (snic_model_net.c).  It has one transmit queue per queue pair, each
 * with its qdisc, so that a queue pair whose driver is slow to post
 * buffers holds back only its own flows (without a qdisc the stack would
 * drop them and fail the senders with -ENETDOWN).
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <uapi/linux/virtio_net.h>

#include "snic_model.h"

/**
 * struct snic_port - private data of a representor
 * @m: the NIC
 * @fn: the function it is the port of
 */
struct snic_port {
	struct snic_model *m;
	struct snic_model_fn *fn;
};

static void snic_port_set_link(struct net_device *nd, bool up)
{
	struct snic_port *port = netdev_priv(nd);
	struct snic_model_fn *fn = port->fn;
	bool changed;
	u16 vec;

	spin_lock_bh(&fn->cfg_lock);
	changed = !!(fn->net_status & VIRTIO_NET_S_LINK_UP) != up;
	if (changed) {
		fn->net_status ^= VIRTIO_NET_S_LINK_UP;
		fn->generation++;
	}
	vec = fn->config_vector;
	spin_unlock_bh(&fn->cfg_lock);
	if (changed && (fn->features & BIT_ULL(VIRTIO_NET_F_STATUS)))
		snic_model_raise(port->m, vec);
}

static int snic_port_open(struct net_device *nd)
{
	snic_port_set_link(nd, true);
	return 0;
}

static int snic_port_stop(struct net_device *nd)
{
	snic_port_set_link(nd, false);
	return 0;
}

static netdev_tx_t snic_port_xmit(struct sk_buff *skb, struct net_device *nd)
{
	struct snic_port *port = netdev_priv(nd);

	return snic_model_net_from_port(port->fn, skb);
}

static u16 snic_port_select_queue(struct net_device *nd, struct sk_buff *skb,
				  struct net_device *sb_dev)
{
	struct snic_port *port = netdev_priv(nd);

	return snic_model_net_pick_queue(port->fn, skb);
}

static const struct net_device_ops snic_port_ops = {
	.ndo_open = snic_port_open,
	.ndo_stop = snic_port_stop,
	.ndo_start_xmit = snic_port_xmit,
	.ndo_select_queue = snic_port_select_queue,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/**
 * snic_model_port_create() - give a new function its uplink port
 * @m: the NIC
 * @fn: the function
 * @id: its function number
 *
 * Registering a netdev needs RTNL, which the NIC cannot take while it
 * executes a command: the driver may hold it (virtio-net's probe calls
 * the config ops under RTNL).  So FN_CREATE and FN_DESTROY are issued
 * with RTNL held (snic_hw_fn_create(), snic_hw_fn_destroy()).
 *
 * Return: SNIC_ST_OK or SNIC_ST_ENOSPC.
 */
u32 snic_model_port_create(struct snic_model *m, struct snic_model_fn *fn,
			   u16 id)
{
	struct net_device *nd;
	struct snic_port *port;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "snic%uf%u", m->index, id);
	nd = alloc_netdev_mqs(sizeof(*port), name, NET_NAME_PREDICTABLE,
			      ether_setup, fn->max_vq_pairs, fn->max_vq_pairs);
	if (!nd)
		return SNIC_ST_ENOSPC;
	port = netdev_priv(nd);
	port->m = m;
	port->fn = fn;
	nd->netdev_ops = &snic_port_ops;
	/* Frames are queued (linked) for the driver: never one skb twice. */
	nd->priv_flags &= ~IFF_TX_SKB_SHARING;
	nd->min_mtu = m->caps.min_mtu;
	nd->max_mtu = m->caps.max_mtu;
	nd->mtu = fn->mtu;
	nd->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	/* What cannot reach the driver so is done in software on the way. */
	nd->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO |
			  NETIF_F_TSO6 | NETIF_F_HIGHDMA;
	nd->features = nd->hw_features;
	eth_hw_addr_random(nd);
	netif_carrier_off(nd);
	ASSERT_RTNL();
	if (register_netdevice(nd)) {
		free_netdev(nd);
		return SNIC_ST_ENOSPC;
	}
	fn->port = nd;
	return SNIC_ST_OK;
}

/**
 * snic_model_port_destroy() - remove a function's uplink port
 * @fn: the function
 *
 * With RTNL held, as for snic_model_port_create(); the netdev's memory
 * goes when RTNL is released.
 */
void snic_model_port_destroy(struct snic_model_fn *fn)
{
	if (!fn->port)
		return;
	ASSERT_RTNL();
	unregister_netdevice(fn->port);
	free_netdev(fn->port);
	fn->port = NULL;
}

/**
 * snic_model_port_carrier() - the function's driver started or stopped
 * @fn: the function
 * @on: whether it runs (DRIVER_OK)
 */
void snic_model_port_carrier(struct snic_model_fn *fn, bool on)
{
	if (!fn->port)
		return;
	if (on)
		netif_carrier_on(fn->port);
	else
		netif_carrier_off(fn->port);
}
