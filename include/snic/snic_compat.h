/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel API differences.  Each difference is
 * detected by a feature test in the top-level Kbuild (which greps the
 * target kernel's headers) and named SNIC_HAVE_* / SNIC_OLD_*; nothing
 * else in the tree looks at kernel versions.
 */
#ifndef _SNIC_COMPAT_H
#define _SNIC_COMPAT_H

#include <linux/module.h>
#include <kunit/visibility.h>

/*
 * MODULE_IMPORT_NS() took a bare identifier until 6.12 and takes a
 * string literal since 6.13.
 */
#ifdef SNIC_OLD_IMPORT_NS
#define SNIC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define SNIC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

/*
 * The dirty-page log ops and the device state ops of struct
 * vdpa_config_ops, which the series in patches/linux/ proposes.  It
 * appends them after .free, so a parent can offer them to a vhost_vdpa
 * built with the series (the drop-in module of scripts/build-vhost-vdpa)
 * even when the kernel's own header lacks them: struct snic_vdpa_ops is
 * then the kernel's structure followed by the five members, in the
 * series' order, at the offsets the series gives them.  vhost_vdpa reads
 * them only from a parent that reports VHOST_BACKEND_F_LOG_ALL_DEVICE,
 * respectively VHOST_BACKEND_F_DEVICE_STATE.
 */
#include <linux/vdpa.h>

#if defined(SNIC_HAVE_VDPA_LOG) != defined(SNIC_HAVE_VDPA_STATE)
#error "this kernel's vdpa.h has only part of the series of patches/linux/: apply all of it"
#endif

#ifdef SNIC_HAVE_VDPA_LOG
struct snic_vdpa_ops {
	struct vdpa_config_ops vdpa;
};

#define snic_log_ops(o)	(&(o)->vdpa)
#define snic_state_ops(o)	(&(o)->vdpa)
#define SNIC_KERNEL_HAS_VDPA_LOG	true
#else
#define VDPA_LOG_PAGE_SHIFT	12
#define VDPA_LOG_PAGE_SIZE	BIT_ULL(VDPA_LOG_PAGE_SHIFT)

/* As in the series' include/linux/vdpa.h. */
struct vdpa_log {
	struct page **pages;
	unsigned long npages;
	unsigned int offset;
	u64 nbits;
};

struct snic_vdpa_ops {
	struct vdpa_config_ops vdpa;
	int (*log_start)(struct vdpa_device *vdev, unsigned int asid,
			 const struct vdpa_log *log);
	int (*log_stop)(struct vdpa_device *vdev, unsigned int asid);
	int (*log_sync)(struct vdpa_device *vdev, unsigned int asid);
	ssize_t (*get_state)(struct vdpa_device *vdev, void *buf, size_t len);
	int (*set_state)(struct vdpa_device *vdev, const void *buf,
			 size_t len);
};

/* Where the series puts them: right after the last member, .free. */
static_assert(offsetof(struct snic_vdpa_ops, log_start) ==
	      offsetofend(struct vdpa_config_ops, free));

#define snic_log_ops(o)	(o)
#define snic_state_ops(o)	(o)
#define SNIC_KERNEL_HAS_VDPA_LOG	false
#endif

/* The state ops came with the log ops (one series). */
#define SNIC_KERNEL_HAS_VDPA_STATE	SNIC_KERNEL_HAS_VDPA_LOG

#ifndef VHOST_BACKEND_F_LOG_ALL_DEVICE
#define VHOST_BACKEND_F_LOG_ALL_DEVICE	0x9
#endif
#ifndef VHOST_BACKEND_F_DEVICE_STATE
#define VHOST_BACKEND_F_DEVICE_STATE	0xA
#endif

#endif /* _SNIC_COMPAT_H */
