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

#include <snic/snic_bus.h>
#include <snic/snic_caps.h>
#include <snic/snic_compat.h>
#include <snic/snic_virtio_net.h>

#include "snic_hw.h"

/*
 * Address spaces a device has at most, each with its own IOTLB in the
 * NIC: one for the data queues, one for the CVQ.  NUM_AS may say fewer.
 */
#define SNIC_NAS		2

struct snic_vdpa;

/**
 * struct snic_nic - one SmartNIC and its vdpa management device
 * @dev: the NIC's device (its PCI function on real hardware)
 * @hw: its vendor interface
 * @caps: what the NIC can do
 * @mgmt: vdpa management device through which `vdpa dev add` reaches it
 * @id_table: device classes the management device creates
 * @fn_ida: allocator of the NIC's virtio functions, one per vDPA device
 * @nvectors: MSI-X vectors of the NIC
 * @irq_lock: protects @vec_map and @vec_owner against the interrupt path
 * @vec_map: vectors in use (0, the admin vector, always)
 * @vec_owner: the device each vector routes to
 * @ops: the config ops of its devices, by its capabilities (with the
 *	dirty-page log ops where the NIC logs)
 */
struct snic_nic {
	struct device *dev;
	struct snic_hw hw;
	struct snic_caps caps;
	struct vdpa_mgmt_dev mgmt;
	struct virtio_device_id id_table[2];
	struct ida fn_ida;
	u16 nvectors;
	spinlock_t irq_lock;	/* see above */
	unsigned long *vec_map;
	struct snic_vdpa **vec_owner;
	struct snic_vdpa_ops ops;
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
 * struct snic_as - one address space of a device (see snic_dma.c)
 * @maps: the mappings the NIC holds, IOVA → DMA address, to unmap them
 * @passthrough: an in-kernel driver uses DMA addresses as IOVAs
 */
struct snic_as {
	struct vhost_iotlb *maps;
	bool passthrough;
};

/**
 * struct snic_log - the dirty-page log the NIC keeps for a device
 *	(see snic_log.c)
 * @asid: the address space it logs
 * @dma: the bus address of each page of the bitmap, mapped for the NIC;
 *	NULL: the NIC keeps no log
 * @npages: entries in @dma
 */
struct snic_log {
	u16 asid;
	dma_addr_t *dma;
	unsigned long npages;
};

/**
 * struct snic_vdpa - one vDPA device, backed by one virtio function of a NIC
 * @vdpa: the vdpa core's device
 * @nic: the NIC hosting it
 * @fn: function number on @nic, or -1 when none is held
 * @lock: serialises the control operations and protects @vqs
 * @params: attributes it was provisioned with
 * @needs_reset: the driver saw an error the NIC cannot report
 * @gone_reset: the NIC is gone and the driver reset the device since: it
 *	reads as reset (status 0), as the virtio core expects after remove
 * @suspended: FN_SUSPEND stopped the function, no FN_RESUME or reset since
 * @cb_lock: protects @config_cb and the queues' @cb against the
 *	interrupt path
 * @config_cb: config-change interrupt callback
 * @nvqs: most virtqueues the device can have (with MQ: the data queues,
 *	then the CVQ if any); without MQ the CVQ is queue 2
 * @vqs: the virtqueues
 * @vec_base: its MSI-X vectors: the config vector, then one per queue
 * @as: its address spaces, under @lock
 * @group_asid: the address space of each virtqueue group, under @lock
 * @log: its dirty-page log, under @lock
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
	bool gone_reset;
	bool suspended;
	spinlock_t cb_lock;	/* see above */
	struct vdpa_callback config_cb;
	u16 nvqs;
	struct snic_vq *vqs;
	u16 vec_base;
	struct snic_as as[SNIC_NAS];
	u8 group_asid[SNIC_NGROUPS];
	struct snic_log log;
};

/* The NIC's command layer (snic_hw.c) that serves device @sv. */
static inline struct snic_hw *snic_hw(struct snic_vdpa *sv)
{
	return &sv->nic->hw;
}

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
int snic_nic_vectors_get(struct snic_nic *nic, struct snic_vdpa *sv);
void snic_nic_vectors_put(struct snic_nic *nic, struct snic_vdpa *sv);

/* snic_mgmt.c */
int snic_mgmt_register(struct snic_nic *nic);
void snic_mgmt_unregister(struct snic_nic *nic);
#if IS_ENABLED(CONFIG_KUNIT)
int snic_resolve_params(const struct snic_caps *caps,
			const struct vdpa_dev_set_config *req,
			struct snic_dev_params *p, char *why, size_t why_len);
#endif

/* snic_log.c */
void snic_log_ops_init(struct snic_nic *nic);
void snic_log_reset(struct snic_vdpa *sv);
#if IS_ENABLED(CONFIG_KUNIT)
int snic_log_start(struct vdpa_device *vdpa, unsigned int asid,
		   const struct vdpa_log *log);
int snic_log_stop(struct vdpa_device *vdpa, unsigned int asid);
int snic_log_sync(struct vdpa_device *vdpa, unsigned int asid);
#endif

/* snic_state.c */
void snic_state_ops_init(struct snic_nic *nic);
#if IS_ENABLED(CONFIG_KUNIT)
ssize_t snic_get_state(struct vdpa_device *vdpa, void *buf, size_t len);
int snic_set_state(struct vdpa_device *vdpa, const void *buf, size_t len);
#endif

/* snic_ops.c */
void snic_vdpa_ops_init(struct snic_nic *nic);
struct snic_vdpa *snic_vdpa_create(struct snic_nic *nic, const char *name,
				   const struct snic_dev_params *p);
void snic_vdpa_destroy(struct snic_vdpa *sv);
int snic_vdpa_set_mac(struct snic_vdpa *sv, const u8 *mac);
void snic_vdpa_config_irq(struct snic_vdpa *sv);
void snic_vdpa_vq_irq(struct snic_vdpa *sv, u16 qid);

/* snic_dma.c */
int snic_as_init(struct snic_vdpa *sv);
void snic_as_fini(struct snic_vdpa *sv);
void snic_as_reset(struct snic_vdpa *sv, bool clean_map);
void snic_as_set_group(struct snic_vdpa *sv, unsigned int group,
		       unsigned int asid);
int snic_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		 u64 size, u64 pa, u32 perm, void *opaque);
int snic_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova,
		   u64 size);
int snic_reset_map(struct vdpa_device *vdpa, unsigned int asid);
struct device *snic_get_vq_dma_dev(struct vdpa_device *vdpa, u16 idx);

/* snic_netcfg.c */
bool snic_netcfg_in_range(unsigned int offset, unsigned int len);
void snic_netcfg_to_driver(struct virtio_net_config *cfg, bool little_endian);
void snic_netcfg_window(const struct virtio_net_config *cfg,
			unsigned int offset, void *buf, unsigned int len);

#endif /* _SNIC_H */
