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
#define SNIC_SPY_REGS	8

/**
 * struct snic_spy_reg - a register that reads another value than the NIC's
 * @off: its offset
 * @val: the value it reads
 */
struct snic_spy_reg {
	u32 off;
	u32 val;
};

/**
 * struct snic_spy - a bus between the driver and a software NIC that
 *	records the commands and doorbells that cross it, and can make the
 *	NIC look different or refuse a command
 * @bus: what the driver uses
 * @inner: the NIC's own bus
 * @ops: opcodes of the commands issued, in order (refused ones too)
 * @nops: number of entries in @ops
 * @cmd0: first word of the command buffer, as last written
 * @cmd: every word of the command buffer, as last written
 * @kicks: doorbell writes, as (offset << 16 | value)
 * @nkicks: number of entries in @kicks
 * @handler: the driver's interrupt handler
 * @handler_priv: its argument
 * @regs: registers that read other values than the NIC's
 * @nregs: number of entries in @regs
 * @fail_op: opcode the NIC refuses without executing it (0: none)
 * @fail_status: the ADMIN_STATUS it refuses @fail_op with
 * @failed_seq: sequence number of the last command refused that way
 * @failing: the last command was refused: ADMIN_DONE, ADMIN_STATUS and
 *	ADMIN_RESP_LEN say so
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
	struct snic_spy_reg regs[SNIC_SPY_REGS];
	unsigned int nregs;
	u16 fail_op;
	u32 fail_status;
	u32 failed_seq;
	bool failing;
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
u32 snic_test_raw_cmd(struct snic_test_nic *t, const u32 *w, unsigned int n);
struct snic_test_nic *snic_test_nic_vectors(struct kunit *test, u16 nvectors);
struct snic_test_nic *snic_test_nic_regs(struct kunit *test,
					 const struct snic_spy_reg *regs,
					 unsigned int nregs);
struct snic_vdpa *snic_test_vdpa(struct kunit *test, struct snic_test_nic *t,
				 const struct snic_dev_params *p);

/* From now on the NIC refuses @op with @status, and executes nothing. */
static inline void snic_spy_fail(struct snic_spy *spy, u16 op, u32 status)
{
	spy->fail_op = op;
	spy->fail_status = status;
}

/* Forget what the spy saw so far. */
static inline void snic_spy_clear(struct snic_spy *spy)
{
	spy->nops = 0;
	spy->nkicks = 0;
}

#endif /* _SNIC_TEST_H */
