// SPDX-License-Identifier: GPL-2.0
/*
 * snic_vdpa: vDPA parent driver for the snic SmartNIC.
 *
 * The driver binds to SmartNIC devices, identifies each through its
 * vendor interface, and registers one vdpa management device per NIC.
 * The NICs are, for now, those of the software model (snic_model.c),
 * which hands the driver a &struct snic_bus as platform data.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "snic.h"

static void snic_nic_irq(void *priv, u16 vec)
{
	struct snic_nic *nic = priv;
	unsigned long flags;
	u16 fn, qid = 0;
	bool config;

	/* Vector 0 completes admin commands, which the driver polls. */
	if (vec == SNIC_ADMIN_VECTOR)
		return;
	config = vec < SNIC_VQ_VECTOR0;
	if (config) {
		fn = vec - SNIC_CONFIG_VECTOR(0);
	} else {
		fn = (vec - SNIC_VQ_VECTOR0) / SNIC_FN_VQS;
		qid = (vec - SNIC_VQ_VECTOR0) % SNIC_FN_VQS;
	}
	if (fn >= nic->caps.max_functions)
		return;
	spin_lock_irqsave(&nic->irq_lock, flags);
	if (nic->vdevs[fn] && config)
		snic_vdpa_config_irq(nic->vdevs[fn]);
	else if (nic->vdevs[fn])
		snic_vdpa_vq_irq(nic->vdevs[fn], qid);
	spin_unlock_irqrestore(&nic->irq_lock, flags);
}

/**
 * snic_nic_init() - identify a NIC and get ready to host devices on it
 * @nic: zeroed, to fill in
 * @dev: the NIC's device
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
	if ((nic->caps.features & SNIC_MANDATORY_FEATURES) !=
	    SNIC_MANDATORY_FEATURES || !nic->caps.max_vq_pairs ||
	    !nic->caps.max_functions || !nic->caps.vq_num_max ||
	    nic->caps.min_mtu > nic->caps.max_mtu) {
		dev_err(dev, "NIC reports unusable capabilities\n");
		err = -ENODEV;
		goto err_hw;
	}
	nic->vdevs = kcalloc(nic->caps.max_functions, sizeof(*nic->vdevs),
			     GFP_KERNEL);
	if (!nic->vdevs) {
		err = -ENOMEM;
		goto err_hw;
	}
	spin_lock_init(&nic->irq_lock);
	bus->irq_priv = nic;
	bus->irq = snic_nic_irq;
	return 0;

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
	nic->hw.bus->irq = NULL;
	kfree(nic->vdevs);
	snic_hw_fini(&nic->hw);
}
EXPORT_SYMBOL_IF_KUNIT(snic_nic_fini);

static int snic_probe(struct platform_device *pdev)
{
	struct snic_bus **bus = dev_get_platdata(&pdev->dev);
	struct snic_nic *nic;
	int err;

	if (!bus || !*bus) {
		dev_err(&pdev->dev, "no register access: not a snic NIC\n");
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
	dev_info(&pdev->dev, "vdpa management device ready: up to %u devices of %u queue pairs\n",
		 nic->caps.max_functions, nic->caps.max_vq_pairs);
	return 0;
}

static void snic_remove(struct platform_device *pdev)
{
	struct snic_nic *nic = platform_get_drvdata(pdev);

	snic_mgmt_unregister(nic);
	snic_nic_fini(nic);
}

static struct platform_driver snic_driver = {
	.driver = {
		.name = "snic-nic",
	},
	.probe = snic_probe,
	.remove = snic_remove,
};

static int __init snic_init(void)
{
	int err;

	err = platform_driver_register(&snic_driver);
	if (err)
		return err;
	err = snic_model_init();
	if (err)
		goto err_driver;
	return 0;

err_driver:
	platform_driver_unregister(&snic_driver);
	return err;
}

static void __exit snic_exit(void)
{
	snic_model_exit();
	platform_driver_unregister(&snic_driver);
}

module_init(snic_init);
module_exit(snic_exit);

MODULE_DESCRIPTION("vDPA parent driver for the snic SmartNIC");
MODULE_LICENSE("GPL");
