# SPDX-License-Identifier: GPL-2.0
# Common settings for the scripts: sourced, never run.

SNIC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SNIC_CACHE=${SNIC_CACHE:-/var/cache/snic-vdpa}

# The Debian 12 kernel series the project targets (stock and test kernels).
SNIC_KSERIES=6.12

# The CPU of every VM the rig emulates: the rig VMs (scripts/vm) and the
# nested guests inside them.  Debian's QEMU 7.2 gets CMPXCHG16B wrong under
# TCG: its helper takes the flags the instruction leaves unchanged from a
# stale lazy-flags state, and RFLAGS can come out as the low half of an
# earlier operand (DF, NT, TF...), which an interrupt right after saves and
# its IRET restores.  The kernel's SLUB issues that instruction on every
# allocation; two rig VMs died of it (double faults with saved EFLAGS no
# CPU can hold, one a register's low half).  Without CX16 the kernel uses
# its fallbacks.
# tests/rig/cx16-flags shows the fault; test_rig_cmpxchg16b checks the rig.
SNIC_RIG_CPU=max,cx16=off

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
# Seconds since START (a `date +%s.%N` reading), with one decimal.
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Version of the newest installed Debian stock kernel of the series,
# e.g. "6.12.117+deb12-amd64"; empty when none is installed.
stock_kver() {
	local v
	for v in $(ls /lib/modules | grep -E "^${SNIC_KSERIES//./\\.}\.[0-9]+\+deb12-amd64\$" | sort -V); do
		[ -e "/lib/modules/$v/build/Makefile" ] && [ -e "/boot/vmlinuz-$v" ] && echo "$v"
	done | tail -n 1
}

# The unpacked linux-source tree of the series (for kunit.py,
# checkpatch.pl, kernel-doc and the test and guest kernel builds).
linux_src() { echo "$SNIC_CACHE/src/linux-source-$SNIC_KSERIES"; }

# The kernel patches, in the order they apply to linux-source, cover
# letters left out: first patches/linux-fixes/ (fixes posted on their
# own), then patches/linux/ (the series we propose).
kernel_patches() {
	local p
	for p in "$SNIC_TOP"/patches/linux-fixes/0*.patch "$SNIC_TOP"/patches/linux/0*.patch; do
		[ "${p##*/}" = 0000-cover-letter.patch ] || [ ! -e "$p" ] || echo "$p"
	done
}

# Directory of a prepared kernel (test or guest), via its stable link.
kernel_dir() { echo "$SNIC_CACHE/kernels/$1"; }

# Publish TMP, a build made aside, as OUT: marked complete and renamed
# (if a concurrent build got there first, its OUT stands).  With LINK,
# LINK then names OUT and the other builds beside it (OUT's name up to
# its last "-", then anything) go, the ones still being made aside kept.
cache_publish() { # TMP OUT [LINK]
	local tmp=$1 out=$2 link=${3:-} old
	touch "$tmp/.done"
	rm -rf "$out"
	mv "$tmp" "$out" 2>/dev/null || [ -e "$out/.done" ] || die "cannot move $tmp to $out"
	[ -n "$link" ] || return 0
	ln -sfn "$(basename "$out")" "$link"
	for old in "${out%-*}"-*; do
		[ "$old" = "$out" ] || [ "${old%.tmp.*}" != "$old" ] || rm -rf "$old"
	done
}

# The vdpa tool with device_features support (iproute2 >= 6.2), unpacked
# from bookworm-backports by scripts/setup.
vdpa_tool() {
	local t="$SNIC_CACHE/iproute2/sbin/vdpa"
	[ -x "$t" ] && echo "$t" || echo /usr/sbin/vdpa
}
