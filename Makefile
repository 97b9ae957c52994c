# SPDX-License-Identifier: GPL-2.0
#
# snic-vdpa: out-of-tree build and the project's commands.
#
#   make [KDIR=...]       build the modules (default: the running kernel's
#                         build tree if it has one, else Debian's 6.12)
#   make install          install them into /lib/modules/<release>/extra
#   make check            the whole test suite (static checks, KUnit, e2e)
#   make demo             boot the rig and show the driver at work
#   make bench            throughput and packet rate next to veth and
#                         vdpa_sim (numbers, not pass/fail; not in check)
#   make bench-migration  live migration, 10 round trips per QEMU version,
#                         snic beside tap: the report (over two hours)
#   make bench-dirty-log  the host's cost per round of the device's dirty
#                         log by guest size, push beside pull (minutes)
#   make vmm              build/vmm/snic-vmm, the userspace vhost-vdpa
#                         client of the e2e cases (tests/vmm), and
#                         build/stream/snic-stream, the migration cases'
#                         checked UDP stream (tests/stream)
#   make clean

# Kbuild reads ./Kbuild, never this file.
KDIR ?= $(shell scripts/kdir)
PWD := $(shell pwd)

modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers or give KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf build

check:
	scripts/check

# Hours: every e2e case on both kernels, DPDK, the hostile client and
# live migration at scale.  Not in CI.
soak:
	SNIC_SUITE=soak scripts/check

demo:
	scripts/demo

bench:
	scripts/bench

bench-migration:
	scripts/bench-migration

bench-dirty-log:
	scripts/bench-dirty-log

vmm: build/vmm/snic-vmm build/stream/snic-stream

# One program from every C file of tests/vmm, which all include vmm.h.
build/vmm/snic-vmm: $(wildcard tests/vmm/*.c) tests/vmm/vmm.h
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $(filter %.c,$^)

build/stream/snic-stream: tests/stream/snic-stream.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: modules install clean check soak demo bench bench-migration bench-dirty-log vmm
