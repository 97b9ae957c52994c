// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of snic_vdpa internals.  The suites run when this module
 * loads; snic_vdpa.ko must be loaded first.
 */
#include <linux/module.h>

#include "snic.h"

MODULE_DESCRIPTION("KUnit tests for snic_vdpa");
MODULE_LICENSE("GPL");
SNIC_IMPORT_KUNIT_NS();
