// SPDX-License-Identifier: GPL-2.0
/*
 * snic_vdpa: vDPA parent driver for the snic SmartNIC.
 *
 * The driver binds to SmartNIC devices, learns what each can do, and
 * registers one vdpa management device per NIC.  The NICs are, for now,
 * those of the software model (snic_model.c).
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "snic.h"

static int snic_probe(struct platform_device *pdev)
{
	const struct snic_caps *caps = dev_get_platdata(&pdev->dev);
	struct snic_nic *nic;
	int err;

	if (!caps) {
		dev_err(&pdev->dev, "no capabilities: not a snic NIC\n");
		return -ENODEV;
	}
	nic = devm_kzalloc(&pdev->dev, sizeof(*nic), GFP_KERNEL);
	if (!nic)
		return -ENOMEM;
	nic->dev = &pdev->dev;
	nic->caps = *caps;
	nic->caps.features &= SNIC_SUPPORTED_FEATURES;
	if ((nic->caps.features & SNIC_MANDATORY_FEATURES) !=
	    SNIC_MANDATORY_FEATURES || !nic->caps.max_vq_pairs ||
	    !nic->caps.max_functions || !nic->caps.vq_num_max) {
		dev_err(&pdev->dev, "NIC reports unusable capabilities\n");
		return -ENODEV;
	}

	err = snic_mgmt_register(nic);
	if (err) {
		dev_err(&pdev->dev, "cannot register vdpa management device: %pe\n",
			ERR_PTR(err));
		return err;
	}
	platform_set_drvdata(pdev, nic);
	dev_info(&pdev->dev, "vdpa management device ready: up to %u devices of %u queue pairs\n",
		 nic->caps.max_functions, nic->caps.max_vq_pairs);
	return 0;
}

static void snic_remove(struct platform_device *pdev)
{
	snic_mgmt_unregister(platform_get_drvdata(pdev));
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
