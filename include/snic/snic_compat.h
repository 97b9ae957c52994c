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

#endif /* _SNIC_COMPAT_H */
