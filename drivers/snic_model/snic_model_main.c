// SPDX-License-Identifier: GPL-2.0
/*
 * snic_model: the software model of the snic SmartNIC, the "hardware" of
 * snic_vdpa.ko.  Loading the module plugs in nr_nics NICs, each a device
 * on the platform bus named SNIC_BUS_DEVICE_NAME, as a real NIC is a PCI
 * function; its platform data is the &struct snic_bus through which the
 * driver reaches it (include/snic/snic_bus.h).  Unloading the module
 * while a driver uses the NICs is a surprise removal: each NIC first
 * vanishes (its registers read as all ones, its queues stop, it raises no
 * vector), then its device is unregistered, which unbinds the driver.
 *
 * This file holds the NIC's register file and interrupt delivery.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>

#include "snic_model.h"

static unsigned int nr_nics = 1;
module_param(nr_nics, uint, 0444);
MODULE_PARM_DESC(nr_nics, "Number of software SmartNICs to create (1-16, default 1)");

static unsigned int iotlb_entries = 32768;
module_param(iotlb_entries, uint, 0444);
MODULE_PARM_DESC(iotlb_entries,
		 "IOTLB entries per address space of each software NIC function (0: unlimited, default 32768)");

#define SNIC_MODEL_MAX_NICS	16
/* MSI-X table size of the model: the most MSI-X allows. */
#define SNIC_MODEL_VECTORS	SNIC_BUS_MAX_VECTORS

static const struct snic_caps snic_model_caps = {
	.features = SNIC_SUPPORTED_FEATURES,
	.max_vq_pairs = SNIC_MAX_VQ_PAIRS,
	.max_functions = SNIC_MAX_FUNCTIONS,
	.vq_num_max = SNIC_VQ_NUM_MAX,
	.min_mtu = SNIC_MIN_MTU,
	.max_mtu = SNIC_MAX_MTU,
};

static struct snic_model *bus_to_model(struct snic_bus *bus)
{
	return container_of(bus, struct snic_model, bus);
}

static u32 snic_model_read32(struct snic_bus *bus, u32 off)
{
	struct snic_model *m = bus_to_model(bus);

	if (READ_ONCE(m->gone))
		return SNIC_BUS_GONE;
	switch (off) {
	case SNIC_REG_MAGIC:
		return SNIC_MAGIC;
	case SNIC_REG_VERSION:
		return SNIC_VERSION_MAJOR << 16 | SNIC_VERSION_MINOR;
	case SNIC_REG_CAPS:
		return SNIC_CAP_SUSPEND | SNIC_CAP_VQ_STATE | SNIC_CAP_PACKED |
		       SNIC_CAP_STATS | SNIC_CAP_DIRTY_LOG | SNIC_CAP_STATE;
	case SNIC_REG_MAX_FUNCTIONS:
		return m->caps.max_functions;
	case SNIC_REG_FEATURES_LO:
		return lower_32_bits(m->caps.features);
	case SNIC_REG_FEATURES_HI:
		return upper_32_bits(m->caps.features);
	case SNIC_REG_MAX_VQ_PAIRS:
		return m->caps.max_vq_pairs;
	case SNIC_REG_VQ_SIZE_MAX:
		return m->caps.vq_num_max;
	case SNIC_REG_MTU_RANGE:
		return m->caps.max_mtu << 16 | m->caps.min_mtu;
	case SNIC_REG_IOTLB_MAX:
		return m->iotlb_max;
	case SNIC_REG_NUM_AS:
		return SNIC_MODEL_NAS;
	case SNIC_REG_DEV_STATUS:
		return SNIC_DEV_STATUS_READY;
	case SNIC_REG_ADMIN_DONE:
		return READ_ONCE(m->done);
	case SNIC_REG_ADMIN_STATUS:
		return READ_ONCE(m->status);
	case SNIC_REG_ADMIN_RESP_LEN:
		return READ_ONCE(m->resp_len);
	}
	if (off >= SNIC_REG_ADMIN_RESP && off < SNIC_REG_ADMIN_RESP + SNIC_ADMIN_BUF_SIZE &&
	    IS_ALIGNED(off, 4)) {
		/* The mailbox is a byte stream in little-endian words. */
		return get_unaligned_le32(m->resp + off - SNIC_REG_ADMIN_RESP);
	}
	/* Write-only and unknown registers read as zero. */
	return 0;
}

/**
 * snic_model_raise() - raise an MSI-X vector
 * @m: the NIC
 * @vec: the vector
 *
 * Delivered to the driver's handler if it enabled interrupts and the NIC
 * is present.  Call without @m->lock held.
 */
void snic_model_raise(struct snic_model *m, u16 vec)
{
	unsigned long flags;

	if (vec >= m->bus.nvectors)
		return;
	spin_lock_irqsave(&m->irq_lock, flags);
	if (m->irq_handler && !READ_ONCE(m->gone))
		m->irq_handler(m->irq_priv, vec);
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

static int snic_model_irq_enable(struct snic_bus *bus,
				 snic_irq_handler_t handler, void *priv)
{
	struct snic_model *m = bus_to_model(bus);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&m->irq_lock, flags);
	if (m->irq_handler) {
		err = -EBUSY;
	} else {
		m->irq_handler = handler;
		m->irq_priv = priv;
	}
	spin_unlock_irqrestore(&m->irq_lock, flags);
	return err;
}

/* Handlers run under irq_lock: taking it waits for the one running. */
static void snic_model_irq_disable(struct snic_bus *bus)
{
	struct snic_model *m = bus_to_model(bus);
	unsigned long flags;

	spin_lock_irqsave(&m->irq_lock, flags);
	m->irq_handler = NULL;
	m->irq_priv = NULL;
	spin_unlock_irqrestore(&m->irq_lock, flags);
}

static void snic_model_doorbell(struct snic_model *m, u32 seq)
{
	int raise;

	mutex_lock(&m->lock);
	if (m->gone) {
		mutex_unlock(&m->lock);
		return;
	}
	m->raise = -1;
	WRITE_ONCE(m->status, snic_model_exec(m));
	raise = m->raise;
	WRITE_ONCE(m->done, seq);
	mutex_unlock(&m->lock);

	snic_model_raise(m, SNIC_ADMIN_VECTOR);
	if (raise >= 0)
		snic_model_raise(m, raise);
}

/* A queue's doorbell: run its worker if the queue runs. */
static void snic_model_queue_doorbell(struct snic_model *m, u16 f, u16 qid)
{
	struct snic_model_fn *fn = &m->fns[f];
	unsigned long flags;

	spin_lock_irqsave(&m->db_lock, flags);
	if (fn->in_use && qid < fn->nvqs && fn->vqs[qid].running)
		queue_work(m->wq, &fn->vqs[qid].work);
	spin_unlock_irqrestore(&m->db_lock, flags);
}

static void snic_model_write32(struct snic_bus *bus, u32 off, u32 val)
{
	struct snic_model *m = bus_to_model(bus);
	unsigned int i;

	if (READ_ONCE(m->gone))
		return;
	if (off >= SNIC_REG_ADMIN_CMD && off < SNIC_REG_ADMIN_CMD + SNIC_ADMIN_BUF_SIZE &&
	    IS_ALIGNED(off, 4)) {
		put_unaligned_le32(val, m->cmd + off - SNIC_REG_ADMIN_CMD);
		return;
	}
	switch (off) {
	case SNIC_REG_ADMIN_DOORBELL:
		snic_model_doorbell(m, val);
		return;
	case SNIC_REG_DEV_CTRL:
		if (val & SNIC_DEV_CTRL_RESET) {
			mutex_lock(&m->lock);
			for (i = 0; i < m->caps.max_functions; i++)
				snic_model_fn_free(&m->fns[i]);
			mutex_unlock(&m->lock);
		}
		return;
	}
	if (off >= SNIC_REG_DOORBELLS &&
	    off < SNIC_REG_DOORBELLS + m->caps.max_functions * SNIC_DOORBELL_STRIDE &&
	    !(off & (SNIC_DOORBELL_STRIDE - 1))) {
		snic_model_queue_doorbell(m, (off - SNIC_REG_DOORBELLS) /
					  SNIC_DOORBELL_STRIDE, val & 0xffff);
		return;
	}
	/* Other writes are ignored, as writes to read-only registers are. */
}

static const struct snic_bus_ops snic_model_bus_ops = {
	.read32 = snic_model_read32,
	.write32 = snic_model_write32,
	.irq_enable = snic_model_irq_enable,
	.irq_disable = snic_model_irq_disable,
};

/**
 * snic_model_create() - make a software NIC
 * @caps: what it can do
 *
 * Return: the NIC, or an ERR_PTR().
 */
struct snic_model *snic_model_create(const struct snic_caps *caps)
{
	static atomic_t next_index = ATOMIC_INIT(0);
	struct snic_model *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->fns = kvcalloc(caps->max_functions, sizeof(*m->fns), GFP_KERNEL);
	if (!m->fns)
		goto err_free;
	m->index = atomic_inc_return(&next_index) - 1;
	m->wq = alloc_workqueue("snic_nic%u", WQ_UNBOUND, 0, m->index);
	if (!m->wq)
		goto err_free;
	m->port_wq = alloc_ordered_workqueue("snic_nic%u_ports", 0, m->index);
	if (!m->port_wq)
		goto err_wq;
	m->caps = *caps;
	m->iotlb_max = iotlb_entries;
	m->bus.ops = &snic_model_bus_ops;
	m->bus.nvectors = SNIC_MODEL_VECTORS;
	mutex_init(&m->lock);
	spin_lock_init(&m->db_lock);
	spin_lock_init(&m->irq_lock);
	m->trace_fn = -1;
	xa_init(&m->trace);
	return m;

err_wq:
	destroy_workqueue(m->wq);
err_free:
	kvfree(m->fns);
	kfree(m);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_create);

/**
 * snic_model_destroy() - remove a software NIC and every function on it
 * @m: the NIC, from snic_model_create(); NULL is ignored
 */
void snic_model_destroy(struct snic_model *m)
{
	unsigned int i;

	if (!m)
		return;
	mutex_lock(&m->lock);
	for (i = 0; i < m->caps.max_functions; i++)
		snic_model_fn_free(&m->fns[i]);
	mutex_unlock(&m->lock);
	destroy_workqueue(m->port_wq);
	destroy_workqueue(m->wq);
	xa_destroy(&m->trace);
	mutex_destroy(&m->lock);
	kvfree(m->fns);
	kfree(m);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_destroy);

/**
 * snic_model_bus() - how the driver reaches a software NIC
 * @m: the NIC
 *
 * Return: its bus.
 */
struct snic_bus *snic_model_bus(struct snic_model *m)
{
	return &m->bus;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_bus);

/**
 * snic_model_unplug() - surprise removal: the NIC vanishes from its bus
 * @m: the NIC
 *
 * From now on its registers read as all ones and take no writes, it runs
 * no command and no queue, and raises no vector; whatever a driver still
 * holds of it stays valid memory until snic_model_destroy().
 */
void snic_model_unplug(struct snic_model *m)
{
	unsigned int i, q;

	mutex_lock(&m->lock);
	WRITE_ONCE(m->gone, true);
	for (i = 0; i < m->caps.max_functions; i++) {
		struct snic_model_fn *fn = &m->fns[i];

		if (!fn->in_use)
			continue;
		for (q = 0; q < fn->nvqs; q++)
			snic_model_vq_stop(&fn->vqs[q]);
		snic_model_port_carrier(fn, false);
	}
	mutex_unlock(&m->lock);
	/* A handler running now finishes; no other starts. */
	spin_lock_irq(&m->irq_lock);
	spin_unlock_irq(&m->irq_lock);
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_unplug);

static struct {
	struct snic_model *model;
	struct platform_device *pdev;
} snic_model_nics[SNIC_MODEL_MAX_NICS];

static void snic_model_remove_all(void)
{
	unsigned int i;

	/* All vanish first, as when the NICs' slots lose power. */
	for (i = 0; i < SNIC_MODEL_MAX_NICS; i++)
		if (snic_model_nics[i].model)
			snic_model_unplug(snic_model_nics[i].model);
	for (i = 0; i < SNIC_MODEL_MAX_NICS; i++) {
		/* Unbinds the driver: waits for its remove. */
		platform_device_unregister(snic_model_nics[i].pdev);
		if (snic_model_nics[i].model)
			snic_model_debugfs_remove(snic_model_nics[i].model);
		snic_model_destroy(snic_model_nics[i].model);
		snic_model_nics[i].pdev = NULL;
		snic_model_nics[i].model = NULL;
	}
	snic_model_debugfs_exit();
}

static int __init snic_model_init(void)
{
	unsigned int i;
	int err;

	if (!nr_nics || nr_nics > SNIC_MODEL_MAX_NICS) {
		pr_err("snic_model: nr_nics=%u: use 1 to %u\n", nr_nics,
		       SNIC_MODEL_MAX_NICS);
		return -EINVAL;
	}
	for (i = 0; i < nr_nics; i++) {
		struct snic_model *m = snic_model_create(&snic_model_caps);
		struct snic_bus *bus;
		struct platform_device *pdev;

		if (IS_ERR(m)) {
			err = PTR_ERR(m);
			goto err;
		}
		snic_model_nics[i].model = m;
		snic_model_debugfs_add(m);
		bus = &m->bus;
		pdev = platform_device_register_data(NULL, SNIC_BUS_DEVICE_NAME,
						     i, &bus, sizeof(bus));
		if (IS_ERR(pdev)) {
			err = PTR_ERR(pdev);
			goto err;
		}
		snic_model_nics[i].pdev = pdev;
	}
	return 0;

err:
	snic_model_remove_all();
	return err;
}

static void __exit snic_model_exit(void)
{
	snic_model_remove_all();
}

module_init(snic_model_init);
module_exit(snic_model_exit);

MODULE_DESCRIPTION("Software model of the snic SmartNIC: the hardware behind snic_vdpa");
MODULE_LICENSE("GPL");
