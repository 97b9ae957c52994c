// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the uplink port of each function, as a host netdev
 * (its representor), named snic<NIC>f<function>.  The port's
 * administrative state is the function's link: bringing the representor
 * up or down sets VIRTIO_NET_S_LINK_UP in the config space and raises the
 * config vector.  Its carrier is on while the function's driver is
 * running (DRIVER_OK).  Frames the driver transmits are received by the
 * representor; frames sent into the representor go to the driver
 * (snic_model_net.c).  A port appears shortly after FN_CREATE and goes
 * shortly after FN_DESTROY (see &struct snic_port).  It has one transmit
 * queue per queue pair, each with its qdisc, so that a queue pair whose
 * driver is slow to post buffers holds back only its own flows (without
 * a qdisc the stack would drop them and fail the senders with
 * -ENETDOWN).
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <uapi/linux/virtio_net.h>

#include "snic_model.h"

/**
 * struct snic_port - private data of a representor
 * @m: the NIC
 * @nd: its netdev
 * @fn: the function it is the port of; NULL once the function is gone
 *	(then the port only waits to be unregistered)
 * @reg_work: registers the netdev
 * @unreg_work: unregisters and frees it
 * @registered: @reg_work succeeded
 *
 * The NIC's switch owns its ports: it registers and unregisters them on
 * its own ordered workqueue, outside the execution of admin commands, so
 * that no command ever waits for RTNL (which a driver may hold while it
 * waits for a command: virtio-net's probe calls the config ops under
 * RTNL).  FN_CREATE only checks that the name is free and allocates.
 */
struct snic_port {
	struct snic_model *m;
	struct net_device *nd;
	struct snic_model_fn __rcu *fn;
	struct work_struct reg_work;
	struct work_struct unreg_work;
	bool registered;
};

static void snic_port_set_link(struct net_device *nd, bool up)
{
	struct snic_port *port = netdev_priv(nd);
	struct snic_model_fn *fn;
	bool changed;
	u16 vec;

	rcu_read_lock();
	fn = rcu_dereference(port->fn);
	if (!fn) {
		rcu_read_unlock();
		return;
	}
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
	rcu_read_unlock();
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

/* Called under rcu_read_lock_bh(), as ndo_select_queue is. */
static netdev_tx_t snic_port_xmit(struct sk_buff *skb, struct net_device *nd)
{
	struct snic_port *port = netdev_priv(nd);
	struct snic_model_fn *fn = rcu_dereference_bh(port->fn);

	if (!fn) {
		dev_core_stats_tx_dropped_inc(nd);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	return snic_model_net_from_port(fn, skb);
}

static u16 snic_port_select_queue(struct net_device *nd, struct sk_buff *skb,
				  struct net_device *sb_dev)
{
	struct snic_port *port = netdev_priv(nd);
	struct snic_model_fn *fn = rcu_dereference_bh(port->fn);

	return fn ? snic_model_net_pick_queue(fn, skb) : 0;
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

static void snic_port_reg_work(struct work_struct *work)
{
	struct snic_port *port = container_of(work, struct snic_port, reg_work);
	int err;

	err = register_netdev(port->nd);
	if (err) {
		pr_err("snic_model: nic%u: cannot register port %s: %pe; its function has no uplink\n",
		       port->m->index, port->nd->name, ERR_PTR(err));
		return;
	}
	port->registered = true;
}

/* May free the work item's own memory: the workqueue allows that. */
static void snic_port_unreg_work(struct work_struct *work)
{
	struct snic_port *port = container_of(work, struct snic_port, unreg_work);
	struct net_device *nd = port->nd;

	if (port->registered)
		unregister_netdev(nd);
	free_netdev(nd);
}

/* Whether a netdev named @name exists that is not a port on its way out. */
static bool snic_port_name_taken(const char *name)
{
	struct net_device *nd;
	bool taken = false;

	rcu_read_lock();
	nd = dev_get_by_name_rcu(&init_net, name);
	if (nd)
		taken = nd->netdev_ops != &snic_port_ops ||
			rcu_access_pointer(((struct snic_port *)netdev_priv(nd))->fn);
	rcu_read_unlock();
	return taken;
}

/**
 * snic_model_port_create() - give a new function its uplink port
 * @m: the NIC
 * @fn: the function
 * @id: its function number
 *
 * The port is named snic<NIC>f<function>; it is registered shortly after,
 * by the NIC's port workqueue (snic_model_ports_settle() waits for it).
 *
 * Return: SNIC_ST_OK, SNIC_ST_EEXIST if a netdev has the port's name, or
 * SNIC_ST_ENOSPC.
 */
u32 snic_model_port_create(struct snic_model *m, struct snic_model_fn *fn,
			   u16 id)
{
	struct net_device *nd;
	struct snic_port *port;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "snic%uf%u", m->index, id);
	if (snic_port_name_taken(name)) {
		pr_warn("snic_model: nic%u function %u: a netdev named %s exists: its port cannot take the name\n",
			m->index, id, name);
		return SNIC_ST_EEXIST;
	}
	nd = alloc_netdev_mqs(sizeof(*port), name, NET_NAME_PREDICTABLE,
			      ether_setup, fn->max_vq_pairs, fn->max_vq_pairs);
	if (!nd)
		return SNIC_ST_ENOSPC;
	port = netdev_priv(nd);
	port->m = m;
	port->nd = nd;
	RCU_INIT_POINTER(port->fn, fn);
	INIT_WORK(&port->reg_work, snic_port_reg_work);
	INIT_WORK(&port->unreg_work, snic_port_unreg_work);
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
	fn->port = nd;
	queue_work(m->port_wq, &port->reg_work);
	return SNIC_ST_OK;
}

/**
 * snic_model_port_destroy() - take a function's uplink port away
 * @fn: the function, whose queues no longer run
 *
 * The port stops reaching @fn at once; it is unregistered and freed by
 * the port workqueue.
 */
void snic_model_port_destroy(struct snic_model_fn *fn)
{
	struct net_device *nd = fn->port;
	struct snic_port *port;

	if (!nd)
		return;
	port = netdev_priv(nd);
	RCU_INIT_POINTER(port->fn, NULL);
	fn->port = NULL;
	/* Transmits and link changes in flight are done with @fn after this. */
	synchronize_net();
	queue_work(port->m->port_wq, &port->unreg_work);
}

/**
 * snic_model_ports_settle() - wait until the NIC's ports are registered
 *	or gone, as created or destroyed so far
 * @m: the NIC
 */
void snic_model_ports_settle(struct snic_model *m)
{
	flush_workqueue(m->port_wq);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_ports_settle);

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
