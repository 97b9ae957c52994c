/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bus contract: how the driver (snic_vdpa.ko) reaches a snic NIC, and
 * so everything a backend must provide, be it a PCI function (BAR 0 and
 * MSI-X) or the software model (snic_model.ko).  Documentation/
 * vendor-interface.rst, "Bus contract", is the specification; the driver
 * knows no more of a NIC than this header and include/snic/snic_if.h.
 *
 * Discovery: a NIC is a device on the platform bus named
 * %SNIC_BUS_DEVICE_NAME whose platform data is one pointer to its
 * &struct snic_bus.  The driver binds it by that device id (the module
 * alias makes udev load the driver when a NIC appears).  The bound device
 * is the NIC's DMA device: every address the driver hands the NIC (IOTLB
 * entries, rings in passthrough) is a DMA address of that device, from
 * the DMA API.
 *
 * Lifetime: the backend keeps @bus valid until the driver's remove
 * callback for the device returned.  A NIC that is surprise-removed
 * first reads as all ones (0xffffffff from every register, as a PCI read
 * of a vanished function), ignores writes and raises no vector; the
 * driver's remove runs later.
 */
#ifndef _SNIC_BUS_H
#define _SNIC_BUS_H

#include <linux/types.h>

/* Device id (platform device name) of a snic NIC of interface v1. */
#define SNIC_BUS_DEVICE_NAME	"snic-nic"

/* MSI-X allows at most this many vectors per function. */
#define SNIC_BUS_MAX_VECTORS	2048

/* What a read of a register returns once the NIC is gone. */
#define SNIC_BUS_GONE		0xffffffffU

struct snic_bus;

/**
 * typedef snic_irq_handler_t - the driver's interrupt handler
 * @priv: the argument given to &snic_bus_ops.irq_enable
 * @vec: the MSI-X vector the NIC raised
 *
 * Called in atomic context (hard IRQ on PCI): it must not sleep.
 */
typedef void (*snic_irq_handler_t)(void *priv, u16 vec);

/**
 * struct snic_bus_ops - what a backend implements
 * @read32: read the 32-bit register at byte offset @off of BAR 0.
 *	Registers are little-endian (ioread32()); the value is returned in
 *	CPU order.  Only 4-byte aligned offsets are valid.
 * @write32: write the 32-bit register at byte offset @off (iowrite32()).
 *	Mailbox registers carry a byte stream: the word at offset 4*i holds
 *	bytes 4*i..4*i+3 of the stream, byte 4*i in bits 7:0 (the stream
 *	read as little-endian words), on any CPU.
 * @irq_enable: from now on deliver every vector the NIC raises to
 *	@handler(@priv, vector), vectors 0 to &snic_bus.nvectors - 1.
 *	Return: 0 or a negative errno (e.g. no MSI-X vectors).
 * @irq_disable: stop delivering vectors, and wait until no handler runs
 *	(free_irq() semantics): when it returns, @handler is never called
 *	again and @priv may go.
 */
struct snic_bus_ops {
	u32 (*read32)(struct snic_bus *bus, u32 off);
	void (*write32)(struct snic_bus *bus, u32 off, u32 val);
	int (*irq_enable)(struct snic_bus *bus, snic_irq_handler_t handler,
			  void *priv);
	void (*irq_disable)(struct snic_bus *bus);
};

/**
 * struct snic_bus - a NIC as the driver sees it
 * @ops: register access and interrupts
 * @nvectors: MSI-X vectors the NIC has (its table size, at most
 *	%SNIC_BUS_MAX_VECTORS); vector 0 completes admin commands
 */
struct snic_bus {
	const struct snic_bus_ops *ops;
	u16 nvectors;
};

#endif /* _SNIC_BUS_H */
