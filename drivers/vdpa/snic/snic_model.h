/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The software model of the snic SmartNIC: what the NIC does behind its
 * vendor interface (Documentation/vendor-interface.rst).
 */
#ifndef _SNIC_MODEL_H
#define _SNIC_MODEL_H

#include <linux/mutex.h>
#include <linux/spinlock.h>

#include <snic/snic_caps.h>
#include <snic/snic_if.h>

#include "snic_bus.h"
#include "snic.h"

/**
 * struct snic_model_vq - a virtqueue as the NIC holds it
 * @created: VQ_CREATE made it
 * @desc: IOVA of the descriptor area
 * @driver: IOVA of the driver area
 * @device: IOVA of the device area
 * @size: entries
 * @vector: MSI-X vector
 * @flags: SNIC_VQ_F_*
 * @avail_idx: next available index it reads
 * @used_idx: next used index it writes
 * @avail_wrap: packed rings: wrap counter of @avail_idx
 * @used_wrap: packed rings: wrap counter of @used_idx
 */
struct snic_model_vq {
	bool created;
	u64 desc;
	u64 driver;
	u64 device;
	u16 size;
	u16 vector;
	u16 flags;
	u16 avail_idx;
	u16 used_idx;
	u8 avail_wrap;
	u8 used_wrap;
};

/**
 * struct snic_model_as - one address space of a function
 * @iotlb: its mappings
 * @passthrough: no mapping yet: IOVA = bus address
 */
struct snic_model_as {
	struct vhost_iotlb *iotlb;
	bool passthrough;
};

/**
 * struct snic_model_fn - one virtio-net function of the NIC
 * @in_use: FN_CREATE took it
 * @features: features it offers
 * @driver_features: features the driver set
 * @status: virtio device status
 * @generation: config generation
 * @mac: config space: MAC address
 * @net_status: config space: VIRTIO_NET_S_* bits
 * @mtu: config space: MTU
 * @max_vq_pairs: config space: data queue pairs
 * @config_vector: MSI-X vector of config interrupts
 * @nvqs: number of queues
 * @vqs: the queues
 * @group_asid: address space of each virtqueue group
 * @as: its address spaces
 * @port: its uplink port (representor netdev)
 * @cfg_lock: protects @net_status, @mac and @generation, which the port
 *	changes outside the NIC's lock
 */
struct snic_model_fn {
	bool in_use;
	u64 features;
	u64 driver_features;
	u8 status;
	u16 generation;
	u8 mac[6];
	u16 net_status;
	u16 mtu;
	u16 max_vq_pairs;
	u16 config_vector;
	u16 nvqs;
	struct snic_model_vq *vqs;
	u16 group_asid[2];
	struct snic_model_as as[SNIC_NAS];
	struct net_device *port;
	spinlock_t cfg_lock;	/* see above */
};

/**
 * struct snic_model - one software SmartNIC
 * @bus: its BAR and vectors, as the driver reaches them
 * @index: its number, in the names of its ports
 * @caps: what it can do
 * @iotlb_max: IOTLB entries per address space (0: unlimited)
 * @lock: serialises register accesses that execute commands
 * @done: ADMIN_DONE
 * @status: ADMIN_STATUS
 * @resp_len: ADMIN_RESP_LEN
 * @raise: vector to raise after the command, besides the admin vector,
 *	or -1
 * @cmd: the command buffer
 * @resp: the response buffer
 * @fns: its functions
 * @debugfs: its debugfs directory
 */
struct snic_model {
	struct snic_bus bus;
	unsigned int index;
	struct snic_caps caps;
	unsigned int iotlb_max;
	struct mutex lock;	/* see above */
	u32 done;
	u32 status;
	u32 resp_len;
	int raise;
	u8 cmd[SNIC_ADMIN_BUF_SIZE] __aligned(8);
	u8 resp[SNIC_ADMIN_BUF_SIZE] __aligned(8);
	struct snic_model_fn *fns;
	struct dentry *debugfs;
};

/* snic_model_admin.c */
u32 snic_model_exec(struct snic_model *m);
void snic_model_fn_free(struct snic_model_fn *fn);

void snic_model_raise(struct snic_model *m, u16 vec);

/* snic_model_port.c */
u32 snic_model_port_create(struct snic_model *m, struct snic_model_fn *fn,
			   u16 id);
void snic_model_port_destroy(struct snic_model_fn *fn);
void snic_model_port_carrier(struct snic_model_fn *fn, bool on);

/* snic_model_debugfs.c */
void snic_model_debugfs_add(struct snic_model *m);
void snic_model_debugfs_remove(struct snic_model *m);
void snic_model_debugfs_exit(void);

/* snic_model_iotlb.c */
u32 snic_model_as_init(struct snic_model *m, struct snic_model_fn *fn);
void snic_model_as_fini(struct snic_model_fn *fn);
u32 snic_model_iotlb_cmd(struct snic_model *m, struct snic_model_fn *fn,
			 u16 op, u32 len);
bool snic_model_translate(struct snic_model_fn *fn, u16 asid, u64 iova,
			  u64 len, u32 perm, u64 *addr);

#endif /* _SNIC_MODEL_H */
