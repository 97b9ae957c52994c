/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel API differences.  Prefer a test for the
 * feature itself; fall back to the version only where nothing else tells.
 */
#ifndef _SNIC_COMPAT_H
#define _SNIC_COMPAT_H

#include <linux/version.h>
#include <kunit/visibility.h>

/*
 * MODULE_IMPORT_NS() takes a string literal since 6.13 and a bare
 * identifier before.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define SNIC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define SNIC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* _SNIC_COMPAT_H */
