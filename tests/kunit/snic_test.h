/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the snic_vdpa KUnit suites. */
#ifndef _SNIC_TEST_H
#define _SNIC_TEST_H

#include <kunit/test.h>

#include "snic.h"

/* The reference NIC's capabilities, as the model reports them. */
static inline struct snic_caps snic_test_caps(void)
{
	return (struct snic_caps) {
		.features = SNIC_SUPPORTED_FEATURES,
		.max_vq_pairs = SNIC_MAX_VQ_PAIRS,
		.max_functions = SNIC_MAX_FUNCTIONS,
		.vq_num_max = SNIC_VQ_NUM_MAX,
		.min_mtu = SNIC_MIN_MTU,
		.max_mtu = SNIC_MAX_MTU,
	};
}

#endif /* _SNIC_TEST_H */
