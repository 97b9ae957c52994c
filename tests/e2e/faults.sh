# SPDX-License-Identifier: GPL-2.0
# e2e (test kernel only): allocation failures injected into vdpa dev add.

# failslab, restricted by its stack filter to allocations made while
# snic_vdpa's code is on the stack (ours and those of the vdpa core and
# driver core under dev_add), fails 1% of them (dev_add makes over a
# hundred allocations since it registers the representor).  Every add either
# fails, leaving nothing behind, or yields a whole device.  KASAN and the
# final kmemleak scan watch the error paths.
test_fault_injection() {
	local fs=/sys/kernel/debug/failslab i ok=0 refused=0 base size
	[ -e "$fs/require-start" ] ||
		fail "kernel lacks failslab's stack filter (run on the test kernel)"
	read -r base </sys/module/snic_vdpa/sections/.text
	size=$(awk '$1 == "snic_vdpa" { print $2 }' /proc/modules)
	echo N >"$fs/ignore-gfp-wait"
	echo N >"$fs/task-filter"
	echo 0 >"$fs/verbose"
	echo 1 >"$fs/interval"
	echo -1 >"$fs/times"
	echo "$base" >"$fs/require-start"
	printf '0x%x\n' $((base + size)) >"$fs/require-end"
	dmesg -C
	echo 1 >"$fs/probability"
	for i in $(seq 1 60); do
		if "$VDPA" dev add name fi$i mgmtdev "$MGMT" max_vqp 4 2>/dev/null; then
			ok=$((ok + 1))
		else
			refused=$((refused + 1))
		fi
	done
	echo 0 >"$fs/probability"
	echo "measure: fault injection: $ok adds succeeded, $refused failed"
	[ $ok -gt 0 ] && [ $refused -gt 0 ] ||
		fail "injection hit no or every add ($ok ok, $refused failed)"
	# Whatever the tool heard, a device that exists is whole and goes.
	for i in $(dev_names); do
		expect_eq "max_vq_pairs of $i" "$(vj ".config.$i.max_vq_pairs" dev config show "$i")" 4
		"$VDPA" dev del "$i"
	done
	expect_eq "devices left" "$(dev_names)" ""
	# And the NIC still works, with all its functions free.
	for i in $(seq 1 64); do "$VDPA" dev add name after$i mgmtdev "$MGMT"; done
}
