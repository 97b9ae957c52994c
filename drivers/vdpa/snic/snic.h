/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snic_vdpa internals shared by the driver's files and its KUnit tests.
 */
#ifndef _SNIC_H
#define _SNIC_H

#include <linux/etherdevice.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/vdpa.h>

#include <snic/snic_caps.h>

#include "snic_compat.h"

/* Virtqueue groups: the data queues share one, the CVQ has its own. */
#define SNIC_GROUP_DATA		0
#define SNIC_GROUP_CVQ		1
#define SNIC_NGROUPS		2
/* Address spaces (each with its own IOTLB in the NIC). */
#define SNIC_NAS		2

/**
 * struct snic_nic - one SmartNIC and its vdpa management device
 * @dev: the NIC's device (its PCI function on real hardware)
 * @caps: what the NIC can do
 * @mgmt: vdpa management device through which `vdpa dev add` reaches it
 * @id_table: device classes the management device creates
 * @fn_ida: allocator of the NIC's virtio functions, one per vDPA device
 */
struct snic_nic {
	struct device *dev;
	struct snic_caps caps;
	struct vdpa_mgmt_dev mgmt;
	struct virtio_device_id id_table[2];
	struct ida fn_ida;
};

/**
 * struct snic_dev_params - a vDPA device's provisioned attributes
 * @features: virtio features the device offers
 * @mac: its MAC address
 * @mtu: its MTU
 * @max_vq_pairs: number of data queue pairs
 */
struct snic_dev_params {
	u64 features;
	u8 mac[ETH_ALEN];
	u16 mtu;
	u16 max_vq_pairs;
};

/**
 * struct snic_net_cfg - virtio-net config space, in CPU byte order
 * @mac: the device MAC address
 * @status: VIRTIO_NET_S_* bits
 * @max_vq_pairs: number of data queue pairs
 * @mtu: the device MTU
 *
 * Encoded into &struct virtio_net_config by snic_netcfg_read().
 */
struct snic_net_cfg {
	u8 mac[ETH_ALEN];
	u16 status;
	u16 max_vq_pairs;
	u16 mtu;
};

/**
 * struct snic_vq - driver-visible state of one virtqueue
 * @desc_addr: IOVA of the descriptor area
 * @driver_addr: IOVA of the driver (available) area
 * @device_addr: IOVA of the device (used) area
 * @num: queue size
 * @ready: whether the driver enabled the queue
 * @avail_idx: next available index the device will read
 * @cb: interrupt callback
 */
struct snic_vq {
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u32 num;
	bool ready;
	u16 avail_idx;
	struct vdpa_callback cb;
};

/**
 * struct snic_vdpa - one vDPA device, backed by one virtio function of a NIC
 * @vdpa: the vdpa core's device
 * @nic: the NIC hosting it
 * @fn: function number on @nic, or -1 when none is held
 * @lock: serialises the control operations below
 * @params: attributes it was provisioned with
 * @cfg: its config space
 * @driver_features: features the driver wrote
 * @status: virtio device status
 * @generation: config generation, bumped on every config change
 * @group_asid: address space of each virtqueue group
 * @config_cb: config-change interrupt callback
 * @nvqs: number of virtqueues (data queues, then the CVQ if any)
 * @vqs: the virtqueues
 */
struct snic_vdpa {
	struct vdpa_device vdpa;
	struct snic_nic *nic;
	int fn;
	struct mutex lock;	/* see above */
	struct snic_dev_params params;
	struct snic_net_cfg cfg;
	u64 driver_features;
	u8 status;
	u32 generation;
	u32 group_asid[SNIC_NGROUPS];
	struct vdpa_callback config_cb;
	u16 nvqs;
	struct snic_vq *vqs;
};

static inline struct snic_vdpa *vdpa_to_snic(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct snic_vdpa, vdpa);
}

/*
 * Functions below are exported to the KUnit module (and only there) when
 * the kernel has KUnit.
 */

/* snic_mgmt.c */
int snic_mgmt_register(struct snic_nic *nic);
void snic_mgmt_unregister(struct snic_nic *nic);
u64 snic_feature_deps_missing(u64 features, int *bit);
#if IS_ENABLED(CONFIG_KUNIT)
int snic_resolve_params(const struct snic_caps *caps,
			const struct vdpa_dev_set_config *req,
			struct snic_dev_params *p, char *why, size_t why_len);
#endif

/* snic_ops.c */
struct snic_vdpa *snic_vdpa_alloc(struct snic_nic *nic, const char *name,
				  const struct snic_dev_params *p);
void snic_vdpa_set_mac(struct snic_vdpa *sv, const u8 *mac);

/* snic_netcfg.c */
void snic_netcfg_init(struct snic_net_cfg *cfg,
		      const struct snic_dev_params *p);
void snic_netcfg_read(const struct snic_net_cfg *cfg, bool little_endian,
		      unsigned int offset, void *buf, unsigned int len);
bool snic_netcfg_write(struct snic_net_cfg *cfg, unsigned int offset,
		       const void *buf, unsigned int len);

/* snic_model.c: the software SmartNICs */
int snic_model_init(void);
void snic_model_exit(void);

#endif /* _SNIC_H */
