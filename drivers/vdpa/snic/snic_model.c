// SPDX-License-Identifier: GPL-2.0
/*
 * The software model of the snic SmartNIC: a number of NICs, each a
 * device on the platform bus, as a real NIC is a PCI function.
 */
#include <linux/module.h>
#include <linux/platform_device.h>

#include "snic.h"

static unsigned int nr_nics = 1;
module_param(nr_nics, uint, 0444);
MODULE_PARM_DESC(nr_nics, "Number of software SmartNICs to create (1-16, default 1)");

#define SNIC_MODEL_MAX_NICS	16

static const struct snic_caps snic_model_caps = {
	.features = SNIC_SUPPORTED_FEATURES,
	.max_vq_pairs = SNIC_MAX_VQ_PAIRS,
	.max_functions = SNIC_MAX_FUNCTIONS,
	.vq_num_max = SNIC_VQ_NUM_MAX,
	.min_mtu = SNIC_MIN_MTU,
	.max_mtu = SNIC_MAX_MTU,
};

static struct platform_device *snic_model_nics[SNIC_MODEL_MAX_NICS];

/**
 * snic_model_init() - create the software NICs
 *
 * Return: 0 or a negative errno.
 */
int snic_model_init(void)
{
	unsigned int i;

	if (!nr_nics || nr_nics > SNIC_MODEL_MAX_NICS) {
		pr_err("snic_vdpa: nr_nics=%u: use 1 to %u\n", nr_nics,
		       SNIC_MODEL_MAX_NICS);
		return -EINVAL;
	}
	for (i = 0; i < nr_nics; i++) {
		struct platform_device *pdev;

		pdev = platform_device_register_data(NULL, "snic-nic", i,
						     &snic_model_caps,
						     sizeof(snic_model_caps));
		if (IS_ERR(pdev)) {
			snic_model_exit();
			return PTR_ERR(pdev);
		}
		snic_model_nics[i] = pdev;
	}
	return 0;
}

/**
 * snic_model_exit() - remove the software NICs, with their devices
 */
void snic_model_exit(void)
{
	unsigned int i;

	for (i = 0; i < SNIC_MODEL_MAX_NICS; i++) {
		platform_device_unregister(snic_model_nics[i]);
		snic_model_nics[i] = NULL;
	}
}
