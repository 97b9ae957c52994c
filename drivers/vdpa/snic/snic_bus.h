/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the driver reaches a NIC: 32-bit accesses to its BAR 0 and the
 * MSI-X vectors it raises.  A PCI NIC implements this with ioread32 /
 * iowrite32 on the mapped BAR and its MSI-X handlers; the software model
 * (snic_model.c) implements it in C.  The driver knows no more of a NIC.
 */
#ifndef _SNIC_BUS_H
#define _SNIC_BUS_H

#include <linux/types.h>

struct snic_bus;

/**
 * struct snic_bus_ops - register access
 * @read32: read the 32-bit register at byte offset @off
 * @write32: write the 32-bit register at byte offset @off
 */
struct snic_bus_ops {
	u32 (*read32)(struct snic_bus *bus, u32 off);
	void (*write32)(struct snic_bus *bus, u32 off, u32 val);
};

/**
 * struct snic_bus - a NIC as the driver sees it
 * @ops: register access
 * @irq: set by the driver: called when the NIC raises MSI-X vector @vec
 * @irq_priv: the driver's argument to @irq
 */
struct snic_bus {
	const struct snic_bus_ops *ops;
	void (*irq)(void *irq_priv, u16 vec);
	void *irq_priv;
};

#endif /* _SNIC_BUS_H */
