# SPDX-License-Identifier: GPL-2.0
# e2e: the rig itself, checked before its results are trusted.

# The rig's emulated CPU either does not offer CMPXCHG16B or executes it
# as the SDM says (tests/rig/cx16-flags).  Debian's QEMU 7.2 does not:
# every round leaves the low half of an earlier operand in RFLAGS, which
# crashed two rig VMs.  scripts/lib.sh's SNIC_RIG_CPU hides the
# instruction; `SNIC_VM_CPU=max scripts/vm -- tests/e2e/run rig_` shows
# this case failing without that.
test_rig_cmpxchg16b() {
	local bin out
	bin=$(c_tool "$SNIC_TOP/tests/rig/cx16-flags.c" "$SNIC_TOP/build/rig/cx16-flags") ||
		fail "cannot build tests/rig/cx16-flags.c"
	out=$("$bin" 20000) || fail "the CPU executes CMPXCHG16B wrongly: $out"
	tail -n 1 <<<"$out"
	if grep -qw cx16 /proc/cpuinfo; then
		expect_match "cx16-flags" "$out" "cmpxchg16b: 0 of 20000 rounds wrong"
	else
		expect_match "cx16-flags" "$out" "not offered by this CPU"
	fi
}
