// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: what the NIC holds, in debugfs, for whoever debugs the
 * driver or writes firmware against the same interface:
 * /sys/kernel/debug/snic_model/nic<N>/functions lists each function in
 * use with its status, features, link, queues, groups, IOTLBs and logs;
 * write_trace and log_drop are the dirty log's debug knobs
 * (snic_model_log.c); check_free makes the DMA engine refuse and log
 * writes into freed pages (snic_model_dma.c).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vhost_iotlb.h>

#include "snic_model.h"

static struct dentry *snic_debugfs_root;

static void snic_debugfs_fn(struct seq_file *s, u16 id,
			    struct snic_model_fn *fn)
{
	struct vhost_iotlb_map *map;
	unsigned int i;

	seq_printf(s, "function %u: status 0x%02x features 0x%llx driver_features 0x%llx\n",
		   id, fn->status, fn->features, fn->driver_features);
	seq_printf(s, "  mac %pM mtu %u pairs %u link %s generation %u port %s\n",
		   fn->mac, fn->mtu, fn->max_vq_pairs,
		   fn->net_status & VIRTIO_NET_S_LINK_UP ? "up" : "down",
		   fn->generation, fn->port ? netdev_name(fn->port) : "-");
	seq_printf(s, "  groups: data asid %u, cvq asid %u%s%s\n",
		   fn->group_asid[0], fn->group_asid[1],
		   fn->suspended ? ", suspended" : "",
		   READ_ONCE(fn->failed) ? ", failed (NEEDS_RESET)" : "");
	spin_lock_bh(&fn->cfg_lock);
	seq_printf(s, "  rx: pairs %u offloads 0x%llx%s%s%s%s%s%s uc %u%s mc %u%s vlan filter %s\n",
		   fn->vq_pairs, fn->guest_offloads,
		   fn->rxf.promisc ? " promisc" : "",
		   fn->rxf.allmulti ? " allmulti" : "",
		   fn->rxf.alluni ? " alluni" : "",
		   fn->rxf.nomulti ? " nomulti" : "",
		   fn->rxf.nouni ? " nouni" : "",
		   fn->rxf.nobcast ? " nobcast" : "",
		   fn->rxf.n_uc, fn->rxf.uc_overflow ? "+" : "",
		   fn->rxf.n_mc, fn->rxf.mc_overflow ? "+" : "",
		   fn->rxf.vlan_filter ? "on" : "off");
	spin_unlock_bh(&fn->cfg_lock);
	for (i = 0; i < fn->nvqs; i++) {
		const struct snic_model_vq *vq = &fn->vqs[i];

		if (!vq->r.created)
			continue;
		seq_printf(s, "  vq %u: size %u %s%s%s avail %u used %u desc 0x%llx driver 0x%llx device 0x%llx\n",
			   i, vq->r.size, vq->r.flags & SNIC_VQ_F_READY ? "ready" : "stopped",
			   READ_ONCE(vq->running) ? " running" : "",
			   READ_ONCE(vq->broken) ? " ERROR" : "",
			   READ_ONCE(vq->r.avail_idx), READ_ONCE(vq->r.used_idx),
			   vq->r.desc, vq->r.driver, vq->r.device);
		seq_printf(s, "    received %llu completed %llu errors %llu backlog %u\n",
			   READ_ONCE(vq->received), READ_ONCE(vq->completed),
			   READ_ONCE(vq->errors), skb_queue_len(&vq->backlog));
	}
	for (i = 0; i < SNIC_MODEL_NAS; i++) {
		const struct snic_model_as *as = &fn->as[i];

		if (as->passthrough) {
			seq_printf(s, "  as %u: passthrough\n", i);
			continue;
		}
		seq_printf(s, "  as %u: %u maps", i, as->iotlb->nmaps);
		if (as->log.pages)
			seq_printf(s, ", dirty log of %llu bits in %u pages",
				   as->log.nbits, as->log.npages);
		seq_putc(s, '\n');
		for (map = vhost_iotlb_itree_first(as->iotlb, 0, U64_MAX); map;
		     map = vhost_iotlb_itree_next(map, 0, U64_MAX))
			seq_printf(s, "    0x%llx-0x%llx -> 0x%llx %s%s\n", map->start,
				   map->last, map->addr,
				   map->perm & VHOST_MAP_RO ? "r" : "",
				   map->perm & VHOST_MAP_WO ? "w" : "");
	}
}

static int snic_debugfs_functions_show(struct seq_file *s, void *unused)
{
	struct snic_model *m = s->private;
	unsigned int i;

	mutex_lock(&m->lock);
	for (i = 0; i < m->caps.max_functions; i++) {
		if (m->fns[i].in_use)
			snic_debugfs_fn(s, i, &m->fns[i]);
	}
	mutex_unlock(&m->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(snic_debugfs_functions);

/* Reading "settle" waits until the ports created or destroyed so far are. */
static int snic_debugfs_settle_show(struct seq_file *s, void *unused)
{
	snic_model_ports_settle(s->private);
	seq_puts(s, "settled\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(snic_debugfs_settle);

/*
 * "write_trace": write a function number to record the pages of its
 * address space 0 the NIC writes, "off" to stop.  Reading lists the IOVA
 * page numbers recorded since the last read (hex, ascending), then
 * "lost" if the record could not take one, and forgets them.
 */
static int snic_debugfs_trace_show(struct seq_file *s, void *unused)
{
	struct snic_model *m = s->private;
	unsigned long index;
	void *entry;

	xa_for_each(&m->trace, index, entry) {
		seq_printf(s, "%lx\n", index);
		xa_erase(&m->trace, index);
	}
	if (READ_ONCE(m->trace_lost))
		seq_puts(s, "lost\n");
	WRITE_ONCE(m->trace_lost, false);
	return 0;
}

static int snic_debugfs_trace_open(struct inode *inode, struct file *file)
{
	return single_open(file, snic_debugfs_trace_show, inode->i_private);
}

static ssize_t snic_debugfs_trace_write(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct snic_model *m = file_inode(file)->i_private;
	char buf[16];
	unsigned int fn;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "off")) {
		WRITE_ONCE(m->trace_fn, -1);
		return len;
	}
	if (kstrtouint(buf, 0, &fn) || fn >= m->caps.max_functions)
		return -EINVAL;
	WRITE_ONCE(m->trace_fn, -1);
	xa_destroy(&m->trace);
	WRITE_ONCE(m->trace_lost, false);
	WRITE_ONCE(m->trace_fn, fn);
	return len;
}

static const struct file_operations snic_debugfs_trace_fops = {
	.owner = THIS_MODULE,
	.open = snic_debugfs_trace_open,
	.read = seq_read,
	.write = snic_debugfs_trace_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * snic_model_debugfs_add() - show a NIC in debugfs
 * @m: the NIC
 */
void snic_model_debugfs_add(struct snic_model *m)
{
	char name[16];

	if (!snic_debugfs_root)
		snic_debugfs_root = debugfs_create_dir("snic_model", NULL);
	snprintf(name, sizeof(name), "nic%u", m->index);
	m->debugfs = debugfs_create_dir(name, snic_debugfs_root);
	debugfs_create_file("functions", 0400, m->debugfs, m,
			    &snic_debugfs_functions_fops);
	debugfs_create_file("settle", 0400, m->debugfs, m,
			    &snic_debugfs_settle_fops);
	debugfs_create_file("write_trace", 0600, m->debugfs, m,
			    &snic_debugfs_trace_fops);
	debugfs_create_u32("log_drop", 0600, m->debugfs, &m->log_drop);
	debugfs_create_bool("check_free", 0600, m->debugfs, &m->check_free);
}

/**
 * snic_model_debugfs_remove() - withdraw a NIC from debugfs
 * @m: the NIC
 */
void snic_model_debugfs_remove(struct snic_model *m)
{
	debugfs_remove_recursive(m->debugfs);
	m->debugfs = NULL;
}

/**
 * snic_model_debugfs_exit() - remove the top directory, at module exit
 */
void snic_model_debugfs_exit(void)
{
	debugfs_remove_recursive(snic_debugfs_root);
	snic_debugfs_root = NULL;
}
