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

# Deterministic: snic-vmm fail-nth (tests/vmm/snic-vmm.c) fails the 1st,
# 2nd, ... allocation made with snic_vdpa on the stack (failslab's stack
# filter, the task's fail-nth) in vdpa dev add (which sets up the
# representor), then through /dev/vhost-vdpa-N in an IOTLB update, an
# IOTLB batch, DRIVER_OK (queue creation), suspend, resume and the start
# of the dirty log, until each runs unfailed.  Each failure must return
# an error and leave nothing, or leave the device not started or
# NEEDS_RESET; after each the device must work.  KASAN watches the error
# paths, the final kmemleak scan their leaks.
test_fault_injection_sweep() {
	local fs=/sys/kernel/debug/failslab bin out base size

	[ -e /proc/self/fail-nth ] && [ -e "$fs/require-start" ] ||
		fail "kernel lacks fail-nth or failslab's stack filter (run on the test kernel)"
	bin=$(vmm_bin) || fail "cannot build tests/vmm/snic-vmm.c"
	vmm_log_vhost
	! mod_loaded virtio_vdpa || rmmod virtio_vdpa
	read -r base </sys/module/snic_vdpa/sections/.text
	size=$(awk '$1 == "snic_vdpa" { print $2 }' /proc/modules)
	echo 0 >"$fs/probability"
	echo N >"$fs/ignore-gfp-wait"
	echo 0 >"$fs/verbose"
	echo 32 >"$fs/stacktrace-depth"
	echo "$base" >"$fs/require-start"
	printf '0x%x\n' $((base + size)) >"$fs/require-end"
	out=$("$bin" fail-nth --mgmt "$MGMT" --name fn0 2>&1) || fail "snic-vmm fail-nth: $out"
	echo "$out" | grep '^failnth_'
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	[ "$(vmm_kv "$out" failnth_dev_add_points)" -gt 0 ] ||
		fail "dev add made no allocation under snic_vdpa: the filter is wrong"
	echo "measure: fail-nth: $(vmm_kv "$out" failnth_points) allocations failed in turn:" \
		"dev add $(vmm_kv "$out" failnth_dev_add_points)," \
		"$(sed -n 's/^failnth_op=\([a-z_]*\) \([0-9]*\) .*/\1 \2/p' <<<"$out" | paste -sd, | sed 's/,/, /g')"
	expect_eq "devices left" "$(dev_names)" ""
}
