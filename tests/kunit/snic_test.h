/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the snic_vdpa KUnit suites. */
#ifndef _SNIC_TEST_H
#define _SNIC_TEST_H

#include <kunit/test.h>

#include "snic.h"
#include "snic_model.h"

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

#define SNIC_SPY_MAX	64

/**
 * struct snic_spy - a bus between the driver and a software NIC that
 *	records the commands and doorbells that cross it
 * @bus: what the driver uses
 * @inner: the NIC's own bus
 * @ops: opcodes of the commands executed, in order
 * @nops: number of entries in @ops
 * @cmd0: first word of the command buffer, as last written
 * @cmd: every word of the command buffer, as last written
 * @kicks: doorbell writes, as (offset << 16 | value)
 * @nkicks: number of entries in @kicks
 * @handler: the driver's interrupt handler
 * @handler_priv: its argument
 */
struct snic_spy {
	struct snic_bus bus;
	struct snic_bus *inner;
	u16 ops[SNIC_SPY_MAX];
	unsigned int nops;
	u32 cmd0;
	u32 cmd[SNIC_ADMIN_BUF_SIZE / 4];
	u32 kicks[SNIC_SPY_MAX];
	unsigned int nkicks;
	snic_irq_handler_t handler;
	void *handler_priv;
};

/**
 * struct snic_test_nic - a software NIC the driver has identified
 * @nic: the driver's NIC
 * @model: the NIC itself
 * @spy: the bus between them
 */
struct snic_test_nic {
	struct snic_nic nic;
	struct snic_model *model;
	struct snic_spy spy;
};

struct snic_test_nic *snic_test_nic(struct kunit *test);
struct snic_test_nic *snic_test_nic_vectors(struct kunit *test, u16 nvectors);
struct snic_vdpa *snic_test_vdpa(struct kunit *test, struct snic_test_nic *t,
				 const struct snic_dev_params *p);

/* Forget what the spy saw so far. */
static inline void snic_spy_clear(struct snic_spy *spy)
{
	spy->nops = 0;
	spy->nkicks = 0;
}

#endif /* _SNIC_TEST_H */
