// SPDX-License-Identifier: GPL-2.0
/*
 * snic_vdpa: vDPA parent driver for the snic SmartNIC.
 *
 * The driver binds every NIC that appears on the bus contract of
 * include/snic/snic_bus.h (a device named SNIC_BUS_DEVICE_NAME: the
 * software model's NICs today, a PCI function's backend tomorrow),
 * identifies it through its vendor interface, and registers one vdpa
 * management device per NIC.  It loads and idles with no NIC present.
 *
 * Lock order, for the whole driver, outermost first:
 *   vdpa core (vdpa_dev_lock, cf_lock) and RTNL, in the callers' order
 *   &snic_vdpa.lock        control operations of one device
 *   &snic_hw.lock          one admin command at a time, per NIC
 * and, in interrupt context, the backend's delivery, then
 *   &snic_nic.irq_lock     vector → device routing
 *   &snic_vdpa.cb_lock     the device's callbacks
 * The driver takes RTNL nowhere: the NIC's ports are the NIC's business.
 */
#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "snic.h"

static void snic_nic_irq(void *priv, u16 vec)
{
	struct snic_nic *nic = priv;
	struct snic_vdpa *sv;
	unsigned long flags;

	/* Vector 0 completes admin commands, which the driver polls. */
	if (vec == SNIC_ADMIN_VECTOR || vec >= nic->nvectors)
		return;
	spin_lock_irqsave(&nic->irq_lock, flags);
	sv = nic->vec_owner[vec];
	if (sv && vec == sv->vec_base)
		snic_vdpa_config_irq(sv);
	else if (sv)
		snic_vdpa_vq_irq(sv, vec - sv->vec_base - 1);
	spin_unlock_irqrestore(&nic->irq_lock, flags);
}

/**
 * snic_nic_vectors_get() - take the MSI-X vectors of a new device
 * @nic: the NIC
 * @sv: the device: its config vector, then one per queue
 *
 * Sets @sv->vec_base; the vectors route to @sv from now on.
 *
 * Return: 0, or -ENOSPC when the NIC has not that many vectors left.
 */
int snic_nic_vectors_get(struct snic_nic *nic, struct snic_vdpa *sv)
{
	unsigned int n = 1 + sv->nvqs, base, i;

	spin_lock_irq(&nic->irq_lock);
	base = bitmap_find_next_zero_area(nic->vec_map, nic->nvectors, 1, n, 0);
	if (base >= nic->nvectors) {
		spin_unlock_irq(&nic->irq_lock);
		return -ENOSPC;
	}
	bitmap_set(nic->vec_map, base, n);
	sv->vec_base = base;
	for (i = 0; i < n; i++)
		nic->vec_owner[base + i] = sv;
	spin_unlock_irq(&nic->irq_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_nic_vectors_get);

/**
 * snic_nic_vectors_put() - give a device's vectors back
 * @nic: the NIC
 * @sv: the device
 *
 * When it returns, no interrupt handler reaches @sv any more.
 */
void snic_nic_vectors_put(struct snic_nic *nic, struct snic_vdpa *sv)
{
	unsigned int n = 1 + sv->nvqs, i;

	spin_lock_irq(&nic->irq_lock);
	for (i = 0; i < n; i++)
		nic->vec_owner[sv->vec_base + i] = NULL;
	bitmap_clear(nic->vec_map, sv->vec_base, n);
	spin_unlock_irq(&nic->irq_lock);
}
EXPORT_SYMBOL_IF_KUNIT(snic_nic_vectors_put);

/**
 * snic_nic_init() - identify a NIC and get ready to host devices on it
 * @nic: zeroed, to fill in
 * @dev: the NIC's device, also its DMA device
 * @bus: how to reach it
 *
 * Return: 0 or a negative errno.
 */
int snic_nic_init(struct snic_nic *nic, struct device *dev,
		  struct snic_bus *bus)
{
	int err;

	nic->dev = dev;
	err = snic_hw_init(&nic->hw, bus, dev);
	if (err)
		return err;
	nic->caps = nic->hw.caps;
	nic->caps.features &= SNIC_SUPPORTED_FEATURES;
	nic->caps.max_vq_pairs = min_t(u16, nic->caps.max_vq_pairs,
				       SNIC_MAX_VQ_PAIRS);
	nic->caps.max_functions = min_t(u16, nic->caps.max_functions,
					SNIC_MAX_FUNCTIONS);
	nic->nvectors = min_t(u16, bus->nvectors, SNIC_BUS_MAX_VECTORS);
	/* The admin vector, and a device's config and queue vectors. */
	if ((nic->caps.features & SNIC_MANDATORY_FEATURES) !=
	    SNIC_MANDATORY_FEATURES || !nic->caps.max_vq_pairs ||
	    !nic->caps.max_functions || !nic->caps.vq_num_max ||
	    nic->caps.min_mtu > nic->caps.max_mtu || nic->nvectors < 4) {
		dev_err(dev, "NIC reports unusable capabilities\n");
		err = -ENODEV;
		goto err_hw;
	}
	nic->vec_owner = kcalloc(nic->nvectors, sizeof(*nic->vec_owner),
				 GFP_KERNEL);
	nic->vec_map = bitmap_zalloc(nic->nvectors, GFP_KERNEL);
	if (!nic->vec_owner || !nic->vec_map) {
		err = -ENOMEM;
		goto err_free;
	}
	bitmap_set(nic->vec_map, SNIC_ADMIN_VECTOR, 1);
	snic_vdpa_ops_init(nic);
	spin_lock_init(&nic->irq_lock);
	err = bus->ops->irq_enable(bus, snic_nic_irq, nic);
	if (err) {
		dev_err(dev, "cannot enable the NIC's interrupts: %pe\n",
			ERR_PTR(err));
		goto err_free;
	}
	return 0;

err_free:
	bitmap_free(nic->vec_map);
	kfree(nic->vec_owner);
err_hw:
	snic_hw_fini(&nic->hw);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_nic_init);

/**
 * snic_nic_fini() - undo snic_nic_init(), once no device is left
 * @nic: the NIC
 */
void snic_nic_fini(struct snic_nic *nic)
{
	/* Waits for a handler still running. */
	nic->hw.bus->ops->irq_disable(nic->hw.bus);
	bitmap_free(nic->vec_map);
	kfree(nic->vec_owner);
	snic_hw_fini(&nic->hw);
}
EXPORT_SYMBOL_IF_KUNIT(snic_nic_fini);

static int snic_probe(struct platform_device *pdev)
{
	struct snic_bus **bus = dev_get_platdata(&pdev->dev);
	struct snic_nic *nic;
	int err;

	if (!bus || !*bus || !(*bus)->ops) {
		dev_err(&pdev->dev, "no bus contract in the platform data: not a snic NIC\n");
		return -ENODEV;
	}
	/* The NIC reaches all of memory. */
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err) {
		dev_err(&pdev->dev, "cannot use 64-bit DMA: %pe\n", ERR_PTR(err));
		return err;
	}
	nic = devm_kzalloc(&pdev->dev, sizeof(*nic), GFP_KERNEL);
	if (!nic)
		return -ENOMEM;
	err = snic_nic_init(nic, &pdev->dev, *bus);
	if (err)
		return err;

	err = snic_mgmt_register(nic);
	if (err) {
		dev_err(&pdev->dev, "cannot register vdpa management device: %pe\n",
			ERR_PTR(err));
		snic_nic_fini(nic);
		return err;
	}
	platform_set_drvdata(pdev, nic);
	dev_info(&pdev->dev, "vdpa management device ready: up to %u devices of %u queue pairs, %u vectors\n",
		 nic->caps.max_functions, nic->caps.max_vq_pairs, nic->nvectors);
	return 0;
}

static void snic_remove(struct platform_device *pdev)
{
	struct snic_nic *nic = platform_get_drvdata(pdev);

	snic_mgmt_unregister(nic);
	snic_nic_fini(nic);
}

static const struct platform_device_id snic_id_table[] = {
	{ .name = SNIC_BUS_DEVICE_NAME },
	{ }
};
MODULE_DEVICE_TABLE(platform, snic_id_table);

static struct platform_driver snic_driver = {
	.driver = {
		.name = "snic_vdpa",
	},
	.id_table = snic_id_table,
	.probe = snic_probe,
	.remove = snic_remove,
};
module_platform_driver(snic_driver);

MODULE_DESCRIPTION("vDPA parent driver for the snic SmartNIC");
MODULE_LICENSE("GPL");
