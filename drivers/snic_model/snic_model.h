/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The software model of the snic SmartNIC: what the NIC does behind its
 * vendor interface (Documentation/vendor-interface.rst).
 */
#ifndef _SNIC_MODEL_H
#define _SNIC_MODEL_H

#include <linux/if_vlan.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/virtio_ring.h>

#include <snic/snic_bus.h>
#include <snic/snic_caps.h>
#include <snic/snic_compat.h>
#include <snic/snic_if.h>
#include <snic/snic_virtio_net.h>

/* Address spaces of each function (register NUM_AS). */
#define SNIC_MODEL_NAS		2

/**
 * struct snic_model_ring - ring registers of a virtqueue, as VQ_CREATE set them
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
struct snic_model_ring {
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
 * struct snic_seg - one buffer of a descriptor chain
 * @iova: its IOVA
 * @len: its length
 */
struct snic_seg {
	u64 iova;
	u32 len;
};

/**
 * struct snic_chain - a descriptor chain the NIC took from a ring
 * @head: index of its first descriptor
 * @nout: device-readable buffers, first in @seg
 * @nin: device-writable buffers, after them
 * @out_len: bytes the device may read
 * @in_len: bytes the device may write
 * @seg: the buffers, room for a chain as long as the ring
 */
struct snic_chain {
	u16 head;
	u16 nout;
	u16 nin;
	u64 out_len;
	u64 in_len;
	struct snic_seg *seg;
};

/**
 * struct snic_used_elem - a used-ring entry as it sits in memory
 * @id: head of the chain
 * @len: bytes written into it
 */
struct snic_used_elem {
	__le32 id;
	__le32 len;
};

/**
 * struct snic_ring_pos - where the device reads a ring next
 * @idx: available index (split: free-running; packed: slot)
 * @wrap: packed rings: its wrap counter
 */
struct snic_ring_pos {
	u16 idx;
	u8 wrap;
};

/**
 * struct snic_model_vq - a virtqueue as the NIC holds it
 * @r: its ring registers; cleared by VQ_DESTROY and resets
 * @fn: the function it belongs to
 * @qid: its index
 * @asid: address space its rings and buffers are in, fixed when it starts
 * @features: the driver features, fixed when it starts
 * @running: its worker may process it (created, ready, DRIVER_OK, not
 *	suspended, no error); changed under &snic_model.db_lock
 * @broken: stopped on bad input (VQ_QUERY flag ERROR)
 * @work: its worker
 * @chain: scratch chains of the worker (the second for merged RX buffers)
 * @used: used entries the worker has yet to publish
 * @nused: how many
 * @pop_log: ring position before each of the last chains taken, for
 *	snic_ring_unpop()
 * @pop_head: the slot of @pop_log for the next chain taken (below the
 *	ring size, which a packed ring need not have a power of two)
 * @ndesc: packed rings: ring slots of the chain with each Buffer ID
 * @backlog: frames from the port waiting for receive buffers
 * @received: descriptor chains taken
 * @completed: descriptor chains used
 * @errors: chains dropped for bad contents, and ring errors
 */
struct snic_model_vq {
	struct snic_model_ring r;
	struct snic_model_fn *fn;
	u16 qid;
	u16 asid;
	u64 features;
	bool running;
	bool broken;
	struct work_struct work;
	struct snic_chain chain[2];
	struct snic_used_elem *used;
	u16 nused;
	struct snic_ring_pos *pop_log;
	u16 pop_head;
	u16 *ndesc;
	struct sk_buff_head backlog;
	u64 received;
	u64 completed;
	u64 errors;
};

#define SNIC_MAC_TABLE_MAX	64

/* Guest offloads GUEST_OFFLOADS_SET may turn on, if negotiated. */
#define SNIC_GUEST_OFFLOADS	(BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) | \
				 BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) | \
				 BIT_ULL(VIRTIO_NET_F_GUEST_TSO6) | \
				 BIT_ULL(VIRTIO_NET_F_GUEST_ECN) | \
				 BIT_ULL(VIRTIO_NET_F_GUEST_UFO))

/**
 * struct snic_model_rxf - what the function's driver wants to receive
 *	(the CVQ's RX, MAC and VLAN classes)
 * @promisc: every frame
 * @allmulti: every multicast frame
 * @alluni: every unicast frame
 * @nomulti: no multicast frame
 * @nouni: no unicast frame but to its MAC
 * @nobcast: no broadcast frame
 * @uc_overflow: the unicast table was larger than the NIC holds: accept all
 * @mc_overflow: likewise for multicast
 * @n_uc: unicast table entries
 * @n_mc: multicast table entries
 * @uc: unicast table
 * @mc: multicast table
 * @vlan_filter: VLAN filtering on (CTRL_VLAN negotiated)
 * @vlans: VLAN IDs it accepts
 */
struct snic_model_rxf {
	bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
	bool uc_overflow, mc_overflow;
	u16 n_uc, n_mc;
	u8 uc[SNIC_MAC_TABLE_MAX][ETH_ALEN];
	u8 mc[SNIC_MAC_TABLE_MAX][ETH_ALEN];
	bool vlan_filter;
	DECLARE_BITMAP(vlans, VLAN_N_VID);
};

/**
 * struct snic_model_log - the dirty-page log of an address space
 * @pages: bus addresses of the bitmap's 4 KiB pages; NULL: not logged
 * @npages: entries in @pages
 * @offset: byte offset of bit 0 in the first page
 * @nbits: bits in the bitmap
 */
struct snic_model_log {
	u64 *pages;
	u32 npages;
	u32 offset;
	u64 nbits;
};

/**
 * struct snic_model_as - one address space of a function
 * @iotlb: its mappings
 * @passthrough: no mapping yet: IOVA = bus address
 * @log: its dirty-page log (DIRTY_LOG_START)
 */
struct snic_model_as {
	struct vhost_iotlb *iotlb;
	bool passthrough;
	struct snic_model_log log;
};

/**
 * struct snic_model_fn - one virtio-net function of the NIC
 * @in_use: FN_CREATE took it
 * @features: features it offers
 * @driver_features: features the driver set
 * @status: virtio device status
 * @generation: config generation
 * @mac: config space: MAC address
 * @prov_mac: the MAC FN_CREATE or CONFIG_WRITE gave it, which a reset
 *	restores (MAC_ADDR_SET changes @mac only)
 * @net_status: config space: VIRTIO_NET_S_* bits
 * @mtu: config space: MTU
 * @max_vq_pairs: config space: data queue pairs
 * @config_vector: MSI-X vector of config interrupts
 * @nvqs: number of queues
 * @vqs: the queues
 * @group_asid: address space of each virtqueue group
 * @as: its address spaces
 * @port: its uplink port (representor netdev)
 * @cfg_lock: protects @net_status, @mac, @generation, @rxf, @vq_pairs and
 *	@guest_offloads, which the port and the CVQ use outside the NIC's lock
 * @m: the NIC
 * @id: its function number
 * @iotlb_lock: protects @as against the workers reaching guest memory
 * @failed: a queue met bad input: the function reports NEEDS_RESET
 * @rxf: receive filter
 * @vq_pairs: queue pairs in use (MQ_VQ_PAIRS_SET)
 * @guest_offloads: offloads the driver takes (GUEST_OFFLOADS_SET)
 * @suspended: FN_SUSPEND stopped it
 */
struct snic_model_fn {
	bool in_use;
	u64 features;
	u64 driver_features;
	u8 status;
	u16 generation;
	u8 mac[6];
	u8 prov_mac[ETH_ALEN];
	u16 net_status;
	u16 mtu;
	u16 max_vq_pairs;
	u16 config_vector;
	u16 nvqs;
	struct snic_model_vq *vqs;
	u16 group_asid[2];
	struct snic_model_as as[SNIC_MODEL_NAS];
	struct net_device *port;
	spinlock_t cfg_lock;	/* see above */
	struct snic_model *m;
	u16 id;
	spinlock_t iotlb_lock;	/* see above */
	bool failed;
	struct snic_model_rxf rxf;
	u16 vq_pairs;
	u64 guest_offloads;
	bool suspended;
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
 * @wq: runs the queue workers
 * @port_wq: registers and unregisters its ports, in order
 * @db_lock: serialises doorbells and queue starts against queue stops
 * @irq_lock: serialises interrupt delivery against the driver's
 *	irq_enable and irq_disable
 * @irq_handler: the driver's interrupt handler, while enabled
 * @irq_priv: its argument
 * @gone: surprise-removed: registers read as all ones, no command runs,
 *	no queue runs, no vector is raised
 * @trace_fn: debug: the function whose writes into address space 0 go
 *	into @trace, or -1
 * @trace: debug: IOVA page numbers that function's writes touched
 * @trace_lost: debug: @trace could not take a page
 * @log_drop: debug fault: the log leaves out the pages whose number is a
 *	multiple of this (0: none)
 * @check_free: debug: refuse and log DMA through an IOTLB mapping to a
 *	page that has no reference (a freed page, when the mapped memory
 *	is a vhost user's pinned pages)
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
	struct workqueue_struct *wq;
	struct workqueue_struct *port_wq;
	spinlock_t db_lock;	/* see above */
	spinlock_t irq_lock;	/* see above */
	snic_irq_handler_t irq_handler;
	void *irq_priv;
	bool gone;
	int trace_fn;
	struct xarray trace;
	bool trace_lost;
	u32 log_drop;
	bool check_free;
};

/* snic_model_main.c */
struct snic_model *snic_model_create(const struct snic_caps *caps);
void snic_model_destroy(struct snic_model *m);
struct snic_bus *snic_model_bus(struct snic_model *m);
void snic_model_unplug(struct snic_model *m);

/* snic_model_admin.c */
u32 snic_model_exec(struct snic_model *m);
void snic_model_fn_free(struct snic_model_fn *fn);
u16 snic_model_cvq_qid(const struct snic_model_fn *fn);
void snic_model_fn_reset(struct snic_model_fn *fn, bool clean_map);
u32 snic_model_vq_check(const struct snic_model *m, u64 features,
			const struct snic_cmd_vq_create *c);
u32 snic_model_vq_create(struct snic_model *m, struct snic_model_fn *fn,
			 const struct snic_cmd_vq_create *c);

void snic_model_raise(struct snic_model *m, u16 vec);

/* snic_model_port.c */
u32 snic_model_port_create(struct snic_model *m, struct snic_model_fn *fn,
			   u16 id);
void snic_model_port_destroy(struct snic_model_fn *fn);
void snic_model_ports_settle(struct snic_model *m);
void snic_model_port_carrier(struct snic_model_fn *fn, bool on);

/* snic_model_debugfs.c */
void snic_model_debugfs_add(struct snic_model *m);
void snic_model_debugfs_remove(struct snic_model *m);
void snic_model_debugfs_exit(void);

/* snic_model_iotlb.c */
u32 snic_model_as_init(struct snic_model *m, struct snic_model_fn *fn);
void snic_model_as_fini(struct snic_model_fn *fn);
void snic_model_log_write(struct snic_model_fn *fn, u16 asid, u64 iova,
			  u64 len);
u32 snic_model_log_start(struct snic_model_fn *fn,
			 const struct snic_cmd_log_start *c);
u32 snic_model_log_stop(struct snic_model_fn *fn, u16 asid);
u32 snic_model_log_sync(struct snic_model_fn *fn, u16 asid);
void snic_model_log_stop_all(struct snic_model_fn *fn);
u32 snic_model_iotlb_cmd(struct snic_model *m, struct snic_model_fn *fn,
			 u16 op, u32 len);
bool snic_model_translate(struct snic_model_fn *fn, u16 asid, u64 iova,
			  u64 len, u32 perm, u64 *addr);

/* snic_model_dma.c */
typedef void (*snic_dma_actor)(void *arg, void *kaddr, size_t len);

/**
 * struct snic_dma_buf - a kernel buffer that DMA actors copy to or from
 * @p: the next byte
 */
struct snic_dma_buf {
	u8 *p;
};

int snic_model_bus_access(u64 addr, u64 len, snic_dma_actor actor, void *arg);
void snic_dma_to_buf(void *arg, void *kaddr, size_t len);
void snic_dma_from_buf(void *arg, void *kaddr, size_t len);
int snic_model_dma(struct snic_model_fn *fn, u16 asid, u64 iova, u64 len,
		   u32 perm, snic_dma_actor actor, void *arg);
int snic_model_dma_read(struct snic_model_fn *fn, u16 asid, u64 iova,
			void *buf, size_t len);
int snic_model_dma_write(struct snic_model_fn *fn, u16 asid, u64 iova,
			 const void *buf, size_t len);
int snic_model_dma_read16(struct snic_model_fn *fn, u16 asid, u64 iova,
			  __le16 *v);
int snic_model_dma_write16(struct snic_model_fn *fn, u16 asid, u64 iova,
			   __le16 v);
int snic_model_dma_read32(struct snic_model_fn *fn, u16 asid, u64 iova,
			  __le32 *v);
int snic_model_dma_write32(struct snic_model_fn *fn, u16 asid, u64 iova,
			   __le32 v);

/* snic_model_ring.c */
int snic_ring_alloc(struct snic_model_vq *vq);
void snic_ring_free(struct snic_model_vq *vq);
int snic_ring_pop(struct snic_model_vq *vq, struct snic_chain *c);
void snic_ring_unpop(struct snic_model_vq *vq, u16 n);
int snic_chain_xfer(struct snic_model_vq *vq, const struct snic_chain *c,
		    bool in, u64 off, u64 len, snic_dma_actor actor, void *arg);
int snic_chain_pull(struct snic_model_vq *vq, const struct snic_chain *c,
		    u64 off, void *buf, size_t len);
int snic_chain_push(struct snic_model_vq *vq, const struct snic_chain *c,
		    u64 off, const void *buf, size_t len);
void snic_ring_add_used(struct snic_model_vq *vq, u16 head, u32 len);
int snic_ring_flush(struct snic_model_vq *vq, bool *notify);
int snic_ring_wait_kick(struct snic_model_vq *vq);

/* snic_model_packed.c */
int snic_packed_pop(struct snic_model_vq *vq, struct snic_chain *c);
int snic_packed_flush(struct snic_model_vq *vq, bool *notify);
int snic_packed_wait_kick(struct snic_model_vq *vq);

/* snic_model_net.c */
void snic_model_vq_init(struct snic_model_fn *fn, u16 qid);
int snic_model_vq_start(struct snic_model_vq *vq);
void snic_model_vq_stop(struct snic_model_vq *vq);
void snic_model_vq_kick(struct snic_model_vq *vq);
void snic_model_vq_serve(struct snic_model_vq *vq,
			 int (*one)(struct snic_model_vq *vq,
				    const struct snic_chain *c));
void snic_model_fn_fail(struct snic_model_vq *vq, int err);
void snic_model_fn_rx_reset(struct snic_model_fn *fn);
netdev_tx_t snic_model_net_from_port(struct snic_model_fn *fn,
				     struct sk_buff *skb);
u16 snic_model_net_pick_queue(struct snic_model_fn *fn, struct sk_buff *skb);

/* snic_model_cvq.c */
void snic_model_cvq_process(struct snic_model_vq *vq);
bool snic_model_rx_accept(struct snic_model_fn *fn, const struct sk_buff *skb);
void snic_model_rx_defaults(u64 f, struct snic_model_rxf *rxf, u16 *vq_pairs,
			    u64 *guest_offloads);

/* snic_model_state.c */
u32 snic_model_state_save(struct snic_model *m, struct snic_model_fn *fn,
			  const struct snic_cmd_state *c);
u32 snic_model_state_restore(struct snic_model *m, struct snic_model_fn *fn,
			     const struct snic_cmd_state *c);

#endif /* _SNIC_MODEL_H */
