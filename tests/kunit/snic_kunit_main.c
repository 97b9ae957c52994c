// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of snic_vdpa internals.  The suites run when this module
 * loads; snic_vdpa.ko must be loaded first.  This file holds what the
 * suites share: a software NIC behind a bus that records the commands.
 */
#include <kunit/device.h>
#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>

#include "snic_test.h"

static u32 snic_spy_read32(struct snic_bus *bus, u32 off)
{
	struct snic_spy *spy = container_of(bus, struct snic_spy, bus);
	unsigned int i;

	for (i = 0; i < spy->nregs; i++)
		if (spy->regs[i].off == off)
			return spy->regs[i].val;
	if (spy->failing) {
		switch (off) {
		case SNIC_REG_ADMIN_DONE:
			return spy->failed_seq;
		case SNIC_REG_ADMIN_STATUS:
			return spy->fail_status;
		case SNIC_REG_ADMIN_RESP_LEN:
			return 0;
		}
	}
	return spy->inner->ops->read32(spy->inner, off);
}

static void snic_spy_write32(struct snic_bus *bus, u32 off, u32 val)
{
	struct snic_spy *spy = container_of(bus, struct snic_spy, bus);

	if (off == SNIC_REG_ADMIN_CMD)
		spy->cmd0 = val;
	if (off >= SNIC_REG_ADMIN_CMD && off < SNIC_REG_ADMIN_CMD + SNIC_ADMIN_BUF_SIZE)
		spy->cmd[(off - SNIC_REG_ADMIN_CMD) / 4] = val;
	if (off == SNIC_REG_ADMIN_DOORBELL && spy->nops < SNIC_SPY_MAX)
		spy->ops[spy->nops++] = spy->cmd0 & 0xffff;
	if (off == SNIC_REG_ADMIN_DOORBELL) {
		/* A refused command completes at once, having done nothing. */
		spy->failing = spy->fail_op && (spy->cmd0 & 0xffff) == spy->fail_op;
		if (spy->failing) {
			spy->failed_seq = val;
			return;
		}
	}
	if (off >= SNIC_REG_DOORBELLS && spy->nkicks < SNIC_SPY_MAX)
		spy->kicks[spy->nkicks++] = (off - SNIC_REG_DOORBELLS) << 16 | val;
	spy->inner->ops->write32(spy->inner, off, val);
}

/* The NIC's vectors reach the driver through the spy. */
static void snic_spy_irq(void *priv, u16 vec)
{
	struct snic_spy *spy = priv;

	spy->handler(spy->handler_priv, vec);
}

static int snic_spy_irq_enable(struct snic_bus *bus, snic_irq_handler_t handler,
			       void *priv)
{
	struct snic_spy *spy = container_of(bus, struct snic_spy, bus);

	spy->handler = handler;
	spy->handler_priv = priv;
	return spy->inner->ops->irq_enable(spy->inner, snic_spy_irq, spy);
}

static void snic_spy_irq_disable(struct snic_bus *bus)
{
	struct snic_spy *spy = container_of(bus, struct snic_spy, bus);

	spy->inner->ops->irq_disable(spy->inner);
}

static const struct snic_bus_ops snic_spy_ops = {
	.read32 = snic_spy_read32,
	.write32 = snic_spy_write32,
	.irq_enable = snic_spy_irq_enable,
	.irq_disable = snic_spy_irq_disable,
};

static void snic_test_nic_free(void *data)
{
	struct snic_test_nic *t = data;

	ida_destroy(&t->nic.fn_ida);
	snic_nic_fini(&t->nic);
	snic_model_destroy(t->model);
}

static struct snic_test_nic *snic_test_nic_make(struct kunit *test,
						const struct snic_spy_reg *regs,
						unsigned int nregs, u16 nvectors)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct snic_caps caps = snic_test_caps();
	struct snic_test_nic *t;
	struct device *dev;
	char name[32];
	int err;

	KUNIT_ASSERT_LE(test, nregs, SNIC_SPY_REGS);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	snprintf(name, sizeof(name), "snic-kunit-%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* The NIC's DMA device, as a PCI function's would be. */
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);

	t->model = snic_model_create(&caps);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->model);
	t->spy.bus.ops = &snic_spy_ops;
	if (nregs)
		memcpy(t->spy.regs, regs, nregs * sizeof(*regs));
	t->spy.nregs = nregs;
	t->spy.inner = snic_model_bus(t->model);
	t->spy.bus.nvectors = nvectors ?: t->spy.inner->nvectors;
	err = snic_nic_init(&t->nic, dev, &t->spy.bus);
	if (err)
		snic_model_destroy(t->model);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "the driver did not identify the NIC");
	ida_init(&t->nic.fn_ida);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_test_nic_free, t), 0);
	return t;
}

/**
 * snic_test_nic_regs() - a software NIC whose registers read as given,
 *	identified by the driver
 * @test: the test that owns it
 * @regs: registers that read other values than the model's
 * @nregs: number of entries in @regs, at most SNIC_SPY_REGS
 *
 * Only the driver sees the values of @regs: the model goes on with its
 * own capabilities.
 *
 * Return: the NIC; freed when the test ends.
 */
struct snic_test_nic *snic_test_nic_regs(struct kunit *test,
					 const struct snic_spy_reg *regs,
					 unsigned int nregs)
{
	return snic_test_nic_make(test, regs, nregs, 0);
}

/**
 * snic_test_nic_vectors() - a software NIC with @nvectors MSI-X vectors
 * @test: the test that owns it
 * @nvectors: its vectors as the bus reports them, 0 for the model's own
 *
 * Return: the NIC; freed when the test ends.
 */
struct snic_test_nic *snic_test_nic_vectors(struct kunit *test, u16 nvectors)
{
	return snic_test_nic_make(test, NULL, 0, nvectors);
}

/**
 * snic_test_raw_cmd() - execute a command straight on the NIC's bus
 * @t: the NIC
 * @w: the command's 32-bit words
 * @n: how many
 *
 * Return: ADMIN_STATUS, or U32_MAX if the NIC did not complete it.
 */
u32 snic_test_raw_cmd(struct snic_test_nic *t, const u32 *w, unsigned int n)
{
	struct snic_bus *bus = snic_model_bus(t->model);
	unsigned int i;
	u32 seq;

	for (i = 0; i < n; i++)
		bus->ops->write32(bus, SNIC_REG_ADMIN_CMD + 4 * i, w[i]);
	seq = bus->ops->read32(bus, SNIC_REG_ADMIN_DONE) + 1;
	bus->ops->write32(bus, SNIC_REG_ADMIN_DOORBELL, seq);
	if (bus->ops->read32(bus, SNIC_REG_ADMIN_DONE) != seq)
		return U32_MAX;
	return bus->ops->read32(bus, SNIC_REG_ADMIN_STATUS);
}

/**
 * snic_test_nic() - a software NIC, identified by the driver
 * @test: the test that owns it
 *
 * Return: the NIC; freed when the test ends.
 */
struct snic_test_nic *snic_test_nic(struct kunit *test)
{
	return snic_test_nic_make(test, NULL, 0, 0);
}

static void snic_test_vdpa_free(void *data)
{
	struct snic_vdpa *sv = data;

	snic_vdpa_destroy(sv);
	put_device(&sv->vdpa.dev);
}

/**
 * snic_test_vdpa() - a vDPA device on @t, created but not registered
 * @test: the test that owns it
 * @t: the NIC
 * @p: its attributes
 *
 * Return: the device; destroyed when the test ends.
 */
struct snic_vdpa *snic_test_vdpa(struct kunit *test, struct snic_test_nic *t,
				 const struct snic_dev_params *p)
{
	struct snic_vdpa *sv;

	sv = snic_vdpa_create(&t->nic, "snic-kunit-dev", p);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sv);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_test_vdpa_free, sv), 0);
	return sv;
}

MODULE_DESCRIPTION("KUnit tests for snic_vdpa");
MODULE_LICENSE("GPL");
SNIC_IMPORT_KUNIT_NS();
