/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snic_vdpa internals shared by the driver's files and its KUnit tests.
 */
#ifndef _SNIC_H
#define _SNIC_H

#include <linux/etherdevice.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vdpa.h>

#include <snic/snic_caps.h>

#include "snic_compat.h"
#include "snic_hw.h"

/* Virtqueue groups: the data queues share one, the CVQ has its own. */
#define SNIC_GROUP_DATA		0
#define SNIC_GROUP_CVQ		1
#define SNIC_NGROUPS		2
/*
 * Address spaces a device has at most, each with its own IOTLB in the
 * NIC: one for the data queues, one for the CVQ.  NUM_AS may say fewer.
 */
#define SNIC_NAS		2

struct snic_vdpa;

/* MSI-X vector of the config interrupts of function @fn. */
#define SNIC_CONFIG_VECTOR(fn)	(1 + (fn))
/* Queues of one function, at most: the data queues and the CVQ. */
#define SNIC_FN_VQS		(2 * SNIC_MAX_VQ_PAIRS + 1)
/* MSI-X vector of queue @qid of function @fn, after the config vectors. */
#define SNIC_VQ_VECTOR0		SNIC_CONFIG_VECTOR(SNIC_MAX_FUNCTIONS)
#define SNIC_VQ_VECTOR(fn, qid)	(SNIC_VQ_VECTOR0 + (fn) * SNIC_FN_VQS + (qid))

/**
 * struct snic_nic - one SmartNIC and its vdpa management device
 * @dev: the NIC's device (its PCI function on real hardware)
 * @hw: its vendor interface
 * @caps: what the NIC can do
 * @mgmt: vdpa management device through which `vdpa dev add` reaches it
 * @id_table: device classes the management device creates
 * @fn_ida: allocator of the NIC's virtio functions, one per vDPA device
 * @irq_lock: protects @vdevs against the interrupt path
 * @vdevs: the vDPA device of each function, for interrupt routing
 */
struct snic_nic {
	struct device *dev;
	struct snic_hw hw;
	struct snic_caps caps;
	struct vdpa_mgmt_dev mgmt;
	struct virtio_device_id id_table[2];
	struct ida fn_ida;
	spinlock_t irq_lock;	/* see above */
	struct snic_vdpa **vdevs;
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
 * struct snic_vq - the driver's registers of one virtqueue
 * @desc_addr: IOVA of the descriptor area
 * @driver_addr: IOVA of the driver (available) area
 * @device_addr: IOVA of the device (used) area
 * @num: queue size
 * @ready: whether the driver enabled the queue
 * @pos: ring position the device starts from
 * @in_hw: the NIC holds the queue (VQ_CREATE was issued)
 * @stale: the driver changed @desc_addr, @driver_addr, @device_addr or
 *	@num since the NIC took them
 * @pos_lost: a reset destroyed the queue in the NIC, and with it the
 *	position it had reached; no state was set since
 * @cb: interrupt callback
 *
 * Until DRIVER_OK the NIC holds no queue: the registers are kept here,
 * and DRIVER_OK creates the queues from them.
 */
struct snic_vq {
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u32 num;
	bool ready;
	struct snic_hw_vq_pos pos;
	bool in_hw;
	bool stale;
	bool pos_lost;
	struct vdpa_callback cb;
};

/**
 * struct snic_vdpa - one vDPA device, backed by one virtio function of a NIC
 * @vdpa: the vdpa core's device
 * @nic: the NIC hosting it
 * @fn: function number on @nic, or -1 when none is held
 * @lock: serialises the control operations and protects @vqs
 * @params: attributes it was provisioned with
 * @needs_reset: the driver saw an error the NIC cannot report
 * @suspended: FN_SUSPEND stopped the function, no FN_RESUME or reset since
 * @cb_lock: protects @config_cb and the queues' @cb against the
 *	interrupt path
 * @config_cb: config-change interrupt callback
 * @nvqs: most virtqueues the device can have (with MQ: the data queues,
 *	then the CVQ if any); without MQ the CVQ is queue 2
 * @vqs: the virtqueues
 *
 * Status, features, config space and queue state live in the NIC.
 */
struct snic_vdpa {
	struct vdpa_device vdpa;
	struct snic_nic *nic;
	int fn;
	struct mutex lock;	/* see above */
	struct snic_dev_params params;
	bool needs_reset;
	bool suspended;
	spinlock_t cb_lock;	/* see above */
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

/* snic_main.c */
int snic_nic_init(struct snic_nic *nic, struct device *dev,
		  struct snic_bus *bus);
void snic_nic_fini(struct snic_nic *nic);

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
struct snic_vdpa *snic_vdpa_create(struct snic_nic *nic, const char *name,
				   const struct snic_dev_params *p);
void snic_vdpa_destroy(struct snic_vdpa *sv);
int snic_vdpa_set_mac(struct snic_vdpa *sv, const u8 *mac);
void snic_vdpa_config_irq(struct snic_vdpa *sv);
void snic_vdpa_vq_irq(struct snic_vdpa *sv, u16 qid);

/* snic_netcfg.c */
bool snic_netcfg_in_range(unsigned int offset, unsigned int len);
void snic_netcfg_to_driver(struct virtio_net_config *cfg, bool little_endian);
void snic_netcfg_window(const struct virtio_net_config *cfg,
			unsigned int offset, void *buf, unsigned int len);

/* snic_model.c: the software SmartNICs */
struct snic_model;
struct snic_model *snic_model_create(const struct snic_caps *caps);
void snic_model_destroy(struct snic_model *m);
struct snic_bus *snic_model_bus(struct snic_model *m);
int snic_model_init(void);
void snic_model_exit(void);

#endif /* _SNIC_H */
