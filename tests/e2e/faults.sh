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

# Fault attribute directory DIR fails only allocations made with code in
# [START, END) on the stack (its first 32 frames), sleeping ones too, and
# only when the task's fail-nth says so, never at random.  START as sysfs
# shows a module's base; END a number.
fault_filter() { # DIR START END
	echo 0 >"$1/probability"
	echo N >"$1/ignore-gfp-wait"
	echo 0 >"$1/verbose"
	echo 32 >"$1/stacktrace-depth"
	echo "$2" >"$1/require-start"
	printf '0x%x\n' "$3" >"$1/require-end"
}

# Deterministic: snic-vmm fail-nth (tests/vmm/failnth.c) fails the 1st,
# 2nd, ... allocation made with snic_vdpa on the stack (failslab's stack
# filter, the task's fail-nth) in vdpa dev add (which sets up the
# representor), then through /dev/vhost-vdpa-N in an IOTLB update, an
# IOTLB batch, DRIVER_OK (queue creation), suspend, resume, the start
# of the dirty log, and the device state's save and restore (the NIC's
# commands run in the caller's task: their allocations count too), until
# each runs unfailed.  Each failure must return
# an error and leave nothing, or leave the device not started or
# NEEDS_RESET; after each the device must work.  KASAN watches the error
# paths, the final kmemleak scan their leaks.
test_fault_injection_sweep() {
	local fs=/sys/kernel/debug/failslab fp=/sys/kernel/debug/fail_page_alloc
	local bin out base size

	[ -e /proc/self/fail-nth ] && [ -e "$fs/require-start" ] ||
		fail "kernel lacks fail-nth or failslab's stack filter (run on the test kernel)"
	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	vmm_log_vhost
	! mod_loaded virtio_vdpa || rmmod virtio_vdpa
	read -r base </sys/module/snic_vdpa/sections/.text
	size=$(awk '$1 == "snic_vdpa" { print $2 }' /proc/modules)
	fault_filter "$fs" "$base" $((base + size))
	# Page allocations too, of every order and kind, with the same
	# filter: the rings, the NIC's DMA memory, and the slab pages behind
	# the allocations failslab sees.
	if [ -d "$fp" ]; then
		fault_filter "$fp" "$base" $((base + size))
		echo N >"$fp/ignore-gfp-highmem"
		echo 0 >"$fp/min-order"
	fi
	out=$("$bin" fail-nth --mgmt "$MGMT" --name fn0 2>&1) || fail "snic-vmm fail-nth: $out"
	[ ! -d "$fp" ] || echo 1 >"$fp/min-order"
	echo "$out" | grep '^failnth_'
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	[ "$(vmm_kv "$out" failnth_dev_add_points)" -gt 0 ] ||
		fail "dev add made no allocation under snic_vdpa: the filter is wrong"
	# The state's save and restore allocate (the restore's queue
	# arrays, the NIC's copies of the blob): each was swept.
	local op pts
	for op in get_state set_state; do
		pts=$(sed -n "s/^failnth_op=$op \([0-9]*\) .*/\1/p" <<<"$out")
		[ "${pts:-0}" -gt 0 ] || fail "no allocation failed in $op (points '${pts}')"
	done
	echo "measure: fail-nth: $(vmm_kv "$out" failnth_points) allocations failed in turn" \
		"($([ -d "$fp" ] && echo "slab and page" || echo slab) allocations):" \
		"dev add $(vmm_kv "$out" failnth_dev_add_points)," \
		"$(sed -n 's/^failnth_op=\([a-z_]*\) \([0-9]*\) .*/\1 \2/p' <<<"$out" | paste -sd, | sed 's/,/, /g')"
	expect_eq "devices left" "$(dev_names)" ""
}

# "START END" of text symbol NAME of the loaded module whose .ko is KO:
# its offset and size in the .ko's .text (objdump), from the base of the
# module's .text (sysfs).  Reading /proc/kallsyms instead takes minutes
# on the test kernel under TCG.
ksym_range() { # KO NAME
	local base off size mod
	mod=$(basename "$1" .ko)
	read -r base <"/sys/module/$mod/sections/.text"
	read -r off size < <(objdump -t "$1" |
		awk -v n="$2" '$4 == ".text" && $6 == n { print $1, $5; exit }')
	[ -n "$size" ] || return 1
	printf '0x%x 0x%x\n' $((base + 0x$off)) $((base + 0x$off + 0x$size))
}

# A control-queue command is executed by the NIC's worker, not by the
# caller, so the task's fail-nth cannot reach it: failslab fails the one
# allocation of the NIC's CVQ path instead (times 1, its stack filter
# narrowed to snic_cvq_one, the function that executes one command, its
# task filter to kernel threads: every one, and kthreadd, whose children
# inherit the mark, so that a worker started meanwhile has it too).
# virtio 1.3, 5.1.6.5: a command the device could not execute is
# answered VIRTIO_NET_ERR; the queue goes on.  Seen from the guest side:
# `ethtool -L combined 1` (VIRTIO_NET_CTRL_MQ) fails and the NIC keeps
# 2 pairs; the same command then succeeds and the NIC has 1 pair; the
# device still passes traffic.
kthreads_fail() { # 0|1
	local p
	for p in 2 $(ps -o pid= --ppid 2); do
		echo "$1" >"/proc/$p/make-it-fail" 2>/dev/null || true
	done
}

test_fault_injection_cvq() {
	local fs=/sys/kernel/debug/failslab nd range start end left
	[ -e "$fs/require-start" ] ||
		fail "kernel lacks failslab's stack filter (run on the test kernel)"
	nd=$(wire fq 0 max_vqp 2) || fail "cannot wire fq"
	trap 'echo 0 >'"$fs"'/probability; echo N >'"$fs"'/task-filter; kthreads_fail 0; unwire 0' EXIT
	# 2 pairs in use (ethtool fails on a count already set: no matter).
	ip netns exec g0 ethtool -L "$nd" combined 2 2>/dev/null || true
	expect_match "NIC queue pairs before" "$(nic_rx)" "^  rx: pairs 2 "
	range=$(ksym_range "$MODEL_KO" snic_cvq_one)
	read -r start end <<<"$range"
	[ -n "$end" ] || fail "no snic_cvq_one in $MODEL_KO's symbols, or its .text not in /sys/module/snic_model/sections"
	echo N >"$fs/ignore-gfp-wait"
	echo Y >"$fs/task-filter"
	echo 0 >"$fs/verbose"
	echo 1 >"$fs/interval"
	echo 32 >"$fs/stacktrace-depth"
	echo "$start" >"$fs/require-start"
	echo "$end" >"$fs/require-end"
	echo 1 >"$fs/times"
	kthreads_fail 1
	echo 100 >"$fs/probability"
	! ip netns exec g0 ethtool -L "$nd" combined 1 2>/dev/null ||
		fail "ethtool -L combined 1 succeeded with the NIC's allocation failed"
	read -r left <"$fs/times"
	echo 0 >"$fs/probability"
	kthreads_fail 0
	expect_eq "failslab shots left" "$left" 0
	expect_match "NIC queue pairs after the failed command" "$(nic_rx)" "^  rx: pairs 2 "
	ip netns exec g0 ethtool -L "$nd" combined 1 ||
		fail "ethtool -L combined 1 failed after the injection"
	expect_match "NIC queue pairs after" "$(nic_rx)" "^  rx: pairs 1 "
	ip netns exec g0 ping -c 2 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "no traffic after the failed command"
}
