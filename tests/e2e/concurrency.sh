# SPDX-License-Identifier: GPL-2.0
# e2e: the control paths at once.  Several loops run side by side for the
# same time, each doing one thing a user may do while the others do
# theirs: add and delete devices, read vendor stats and the NIC's
# debugfs, open a vhost-vdpa device and run traffic through it, open its
# node from a second process, start QEMU on another vhost-vdpa device and
# kill it at a random moment, and ping through a virtio_vdpa device.
# What each loop must see is what it would see alone (the second opener
# excepted: EBUSY while the first holds the node, vhost_vdpa's rule).  On
# the test kernel lockdep, KASAN and kmemleak watch the interleavings.

# Seconds the loops run: SNIC_CONC_SECS (make soak gives more).
CC_SECS=${SNIC_CONC_SECS:-40}

# Run CMD... until $CC_END (epoch seconds); count its successes, its
# failures and its exits with 75 (busy: the other opener held the node)
# into $CC/NAME.count, its output into $CC/NAME.log.
cc_loop() { # NAME CMD...
	local name=$1 ok=0 bad=0 busy=0 rc
	shift
	while [ "$(date +%s)" -lt "$CC_END" ]; do
		# (The case runs under set -e: the status is taken in an if.)
		if "$@" >>"$CC/$name.log" 2>&1; then rc=0; else rc=$?; fi
		case $rc in
		0) ok=$((ok + 1)) ;;
		75) busy=$((busy + 1)) ;;
		*) bad=$((bad + 1))
		   echo "-- failed ($rc): $*" >>"$CC/$name.log" ;;
		esac
	done
	echo "$ok $bad $busy" >"$CC/$name.count"
}

# The client's traffic; 75 if its open met the second opener (EBUSY).
cc_vmm() { # CLIENT NODE
	local out
	out=$("$1" traffic --dev "$2" --port snic0f1 --frames 100 2>&1) && return
	echo "$out"
	grep -q "^snic-vmm: open: .*: Device or resource busy" <<<"$out" && return 75
	return 1
}

# A device that comes and goes, bound to virtio_vdpa (a netdev each
# time), its config read while it exists.
cc_churn() {
	"$VDPA" dev add name cc mgmtdev "$MGMT" max_vqp 2 || return
	if ! "$VDPA_TOOL" dev config show cc >/dev/null; then
		"$VDPA" dev del cc
		return 1
	fi
	"$VDPA" dev del cc
}

# Vendor stats of both queues of a running device.
cc_stats() { # DEV
	"$VDPA_TOOL" dev vstats show "$1" qidx 0 >/dev/null &&
		"$VDPA_TOOL" dev vstats show "$1" qidx 1 >/dev/null
}

# Vendor stats of the client's device: 75 when vdpa said its features
# are not negotiated or the device said its queue is not running or not
# there (the client resets it each round), a failure for any other
# answer.
cc_vmstats() {
	local out
	out=$("$VDPA_TOOL" dev vstats show vm0 qidx 0 2>&1) && return
	echo "$out"
	grep -Eq "is not running|does not exist with the features|feature negotiation not complete" <<<"$out" && return 75
	return 1
}

# QEMU as a VMM that starts and dies: QEMU 7.2 and 10.0 in turn open
# vm1's node and boot from its network ROM (iPXE drives the device:
# features, rings, DRIVER_OK, a DHCP request), and are killed with
# SIGKILL at a random moment 0.5-12 s in.  vhost_vdpa's release must
# clean up whatever they left (maps, an open batch, a running device),
# and the next QEMU must get a clean device.  A QEMU that exits by
# itself fails the loop.  What the device had reached at each kill goes
# to $CC/qemu.reached.
cc_qemu() { # NODE FUNCTION
	local q pid t reached
	CC_QN=$((${CC_QN:-0} + 1))
	if ((CC_QN % 2)); then
		q=(qemu-system-x86_64)
	else
		q=("$SNIC_TOP/scripts/qemu10" -audio none)
	fi
	# vhost-vdpa pins guest memory: lift the 8 MiB default.
	(ulimit -l unlimited && exec "${q[@]}" -accel tcg -cpu "$SNIC_RIG_CPU" -m 64 -nodefaults \
		-display none -vga none -no-reboot -boot order=n \
		-netdev "type=vhost-vdpa,vhostdev=$1,id=n0" \
		-device "virtio-net-pci,netdev=n0,mq=off,romfile=$CC_ROM" \
		</dev/null) &
	pid=$!
	t=$((RANDOM % 116 + 5))
	sleep "$((t / 10)).$((t % 10))"
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid || true
		echo "${q[0]##*/} exited by itself within $t/10 s"
		return 1
	fi
	reached=$(cc_fn_reached "$2")
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	echo "$reached" >>"$CC/qemu.reached"
	echo "${q[0]##*/} killed after $t/10 s: $reached"
}

# How far function FN has come, from the NIC's debugfs: "driver_ok"
# (queues running), "mapped" (maps in address space 0) or "opened".
cc_fn_reached() { # FN
	local fns st maps
	# One read: each holds the NIC's module for its duration.
	fns=$(cat /sys/kernel/debug/snic_model/nic0/functions)
	st=$(sed -n "s/^function $1: status \(0x[0-9a-f]*\).*/\1/p" <<<"$fns")
	maps=$(sed -n "/^function $1:/,/^function /s/^  as 0: \([0-9]*\) maps.*/\1/p" <<<"$fns" | head -n 1)
	if [ -n "$st" ] && ((st & 4)); then
		echo driver_ok
	elif [ "${maps:-0}" -gt 0 ]; then
		echo mapped
	else
		echo opened
	fi
}

# Every file of the NIC's debugfs that reads without side effects.
cc_debugfs() {
	local d=/sys/kernel/debug/snic_model/nic0
	cat "$d/functions" "$d/settle" "$d/log_drop" >/dev/null
}

# A second opener of the vhost-vdpa node: it gets the device or EBUSY.
cc_open() { # NODE
	python3 -c '
import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_RDWR))
except OSError as e:
    if e.errno != errno.EBUSY:
        raise
' "$1"
}

# "ok failed" of loop NAME.
cc_count() { # NAME
	cat "$CC/$1.count" 2>/dev/null || echo "missing"
}

# Expect loop NAME to have run at least once and never failed.
cc_expect_clean() { # NAME
	local ok bad busy
	read -r ok bad busy < <(cc_count "$1")
	[ "$bad" = 0 ] && [ "$ok" -gt 0 ] 2>/dev/null && return
	tail -n 20 "$CC/$1.log" >&2
	fail "loop $1: $ok passes, $bad failures"
}

# Device NAME with MAC on vhost_vdpa (it binds to virtio_vdpa, loaded
# first, then moves); prints its node.
cc_vhost_dev() { # NAME MAC
	local node
	"$VDPA" dev add name "$1" mgmtdev "$MGMT" mac "$2" max_vqp 1 || return
	echo "$1" >/sys/bus/vdpa/drivers/virtio_vdpa/unbind
	echo vhost_vdpa >"/sys/bus/vdpa/devices/$1/driver_override"
	echo "$1" >/sys/bus/vdpa/drivers_probe
	node=$(ls -d "/sys/bus/vdpa/devices/$1"/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$node" ] || { echo "$1 is not on vhost_vdpa" >&2; return 1; }
	echo "/dev/${node##*/}"
}

# Devices for the loops: cv on function 0 through virtio_vdpa, wired
# into netns g0/h0 (traffic.sh); vm0 on function 1 and vm1 on function
# 2 through vhost_vdpa.  Sets CC (a scratch directory), CC_BIN (the
# client), CC_NODE (vm0's node), CC_QNODE and CC_QFN (vm1's node and
# function, for QEMU) and CC_ROM (the network ROM QEMU boots from).
cc_setup() {
	local out
	CC_BIN=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	CC=$(mktemp -d /tmp/cc.XXXXXX)
	wire cv 0 >/dev/null || fail "cannot wire cv"
	modprobe vhost_vdpa
	CC_NODE=$(cc_vhost_dev vm0 02:00:00:00:0c:09) || fail "no vhost-vdpa device vm0"
	# vm1 for QEMU (cc_qemu), its function found by its MAC.
	CC_QNODE=$(cc_vhost_dev vm1 02:00:00:00:0c:0b) || fail "no vhost-vdpa device vm1"
	CC_QFN=$(grep -B1 "mac 02:00:00:00:0c:0b" /sys/kernel/debug/snic_model/nic0/functions |
		sed -n 's/^function \([0-9]*\):.*/\1/p')
	[ -n "$CC_QFN" ] || fail "vm1's function is not in the NIC's debugfs"
	CC_ROM=/usr/lib/ipxe/qemu/efi-virtio.rom
	[ -r "$CC_ROM" ] || fail "no $CC_ROM (package ipxe-qemu: run scripts/setup)"
	sysctl -qw net.ipv6.conf.snic0f1.disable_ipv6=1 2>/dev/null || true
	ip link set snic0f1 up
	# Alone first: the client's traffic passes.
	out=$("$CC_BIN" traffic --dev "$CC_NODE" --port snic0f1 --frames 100 2>&1) ||
		fail "snic-vmm traffic alone: $out"
}

# Start the loops and a ping through cv for CC_SECS; their pids go to
# CC_PIDS.
cc_start() {
	CC_END=$(( $(date +%s) + CC_SECS ))
	ip netns exec g0 ping -q -i 0.1 -c $((CC_SECS * 10)) -w $((CC_SECS + 20)) \
		10.9.0.2 >"$CC/ping.log" 2>&1 &
	CC_PIDS=($!)
	cc_loop churn cc_churn &
	CC_PIDS+=($!)
	cc_loop stats cc_stats cv &
	CC_PIDS+=($!)
	cc_loop vmstats cc_vmstats &
	CC_PIDS+=($!)
	cc_loop debugfs cc_debugfs &
	CC_PIDS+=($!)
	cc_loop vmm cc_vmm "$CC_BIN" "$CC_NODE" &
	CC_PIDS+=($!)
	cc_loop open cc_open "$CC_NODE" &
	CC_PIDS+=($!)
	cc_loop qemu cc_qemu "$CC_QNODE" "$CC_QFN" &
	CC_PIDS+=($!)
}

# Wait for the loops; print what each did.
cc_wait() {
	local l ok bad busy
	# ping's own status says whether every reply came: judged apart.
	wait "${CC_PIDS[@]}" || true
	for l in churn stats vmstats debugfs vmm open qemu; do
		read -r ok bad busy < <(cc_count $l)
		echo "measure: $l: $ok passes, $bad failures, $busy busy in ${CC_SECS} s"
	done
	echo "measure: QEMU killed with the device $(sort "$CC/qemu.reached" 2>/dev/null |
		uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')"
}

test_concurrent_control() {
	local out sent got ok bad busy
	trap 'unwire 0' EXIT
	cc_setup
	cc_start
	cc_wait
	cc_expect_clean churn
	cc_expect_clean stats
	cc_expect_clean debugfs
	cc_expect_clean vmm
	cc_expect_clean open
	cc_expect_clean qemu
	# Vendor stats of vm0: answered, or refused as not running.
	read -r ok bad busy < <(cc_count vmstats)
	[ "$bad" = 0 ] || { tail -n 20 "$CC/vmstats.log" >&2; fail "vstats of vm0: $bad unexpected failures"; }
	read -r sent got < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$CC/ping.log")
	echo "measure: ping through cv: $got of $sent replies"
	[ -n "$got" ] && [ "$got" -ge $((sent * 9 / 10)) ] ||
		fail "ping through cv during the loops: $(tail -n 2 "$CC/ping.log")"

	# After: nothing left over, both devices still work.
	expect_eq "devices" "$(dev_names | tr '\n' ' ')" "cv vm0 vm1 "
	ip netns exec g0 ping -c 2 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "cv does not pass traffic after the loops"
	out=$("$CC_BIN" traffic --dev "$CC_NODE" --port snic0f1 --frames 100 2>&1) ||
		fail "snic-vmm traffic after the loops: $out"
	# vm1, after every QEMU on it was killed, works for the next user.
	sysctl -qw "net.ipv6.conf.snic0f$CC_QFN.disable_ipv6=1" 2>/dev/null || true
	ip link set "snic0f$CC_QFN" up
	out=$("$CC_BIN" traffic --dev "$CC_QNODE" --port "snic0f$CC_QFN" --frames 100 2>&1) ||
		fail "snic-vmm traffic on vm1 after the killed QEMUs: $out"
	"$VDPA" dev del vm1
	"$VDPA" dev del vm0
	"$VDPA" dev del cv
	rm -rf "$CC"
}

# The NIC goes (rmmod snic_model: surprise removal, as in mgmt.sh's
# surprise_removal) halfway through the loops.  From then on the loops
# fail, as they should; the kernel reports nothing, rmmod returns once
# the vhost user has closed, nothing is left, and the driver unloads.
test_surprise_removal_under_load() {
	local rmpid
	trap 'unwire 0' EXIT
	cc_setup
	cc_start
	sleep $((CC_SECS / 2))
	# A debugfs read in flight (the debugfs and QEMU loops read the
	# NIC's files) holds the module for a moment: rmmod refuses then
	# ("in use") rather than waiting.  Try again for up to 10 s.
	(for i in $(seq 1 100); do
		out=$(rmmod snic_model 2>&1) && exit 0
		grep -q "in use" <<<"$out" || { echo "$out"; exit 1; }
		sleep 0.1
	done; echo "$out"; exit 1) &
	rmpid=$!
	cc_wait
	wait $rmpid || fail "rmmod snic_model failed"
	expect_eq "devices left" "$(ls /sys/bus/vdpa/devices | wc -l)" 0
	rmmod snic_vdpa
	expect_eq "ports left" "$(ls /sys/class/net | grep -c '^snic')" 0
	expect_match "the driver noticed" "$(dmesg)" "the NIC is gone"
	rm -rf "$CC"
}

# rmmod of the driver while a vhost-vdpa user runs traffic.  What a user
# gets (Documentation/testing.rst): rmmod waits for the user to close
# the node (vhost_vdpa's remove waits for its opener), the device keeps
# working meanwhile, then the device goes and rmmod returns 0.
test_rmmod_with_vhost_user() {
	local bin node out vmpid rmpid i t0
	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	node=$(vmm_dev vr mac 02:00:00:00:0c:0a max_vqp 1) || fail "no vhost-vdpa device"
	sysctl -qw net.ipv6.conf.snic0f0.disable_ipv6=1 2>/dev/null || true
	ip link set snic0f0 up
	out=/tmp/rmmod-vmm.out
	"$bin" traffic --dev "$node" --port snic0f0 --frames 1000 >"$out" 2>&1 &
	vmpid=$!
	# Once its rings run (the first measurement follows the setup).
	for i in $(seq 1 300); do
		grep -q '^setup_ms=' "$out" && break
		kill -0 $vmpid 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^setup_ms=' "$out" || fail "the client did not start: $(cat "$out")"
	t0=$(date +%s.%N)
	rmmod snic_vdpa &
	rmpid=$!
	# rmmod must not return while the client runs.
	while kill -0 $vmpid 2>/dev/null; do
		if ! kill -0 $rmpid 2>/dev/null && kill -0 $vmpid 2>/dev/null; then
			fail "rmmod returned while the vhost user ran"
		fi
		sleep 0.1
	done
	echo "measure: the client ran $(elapsed "$t0") s after rmmod began"
	wait $vmpid || fail "the client failed while rmmod waited: $(tail -n 5 "$out")"
	expect_eq "client's result" "$(vmm_kv "$(cat "$out")" result)" ok
	expect_eq "frames received" "$(vmm_kv "$(cat "$out")" rx_frames)" 1000
	for i in $(seq 1 300); do
		kill -0 $rmpid 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $rmpid 2>/dev/null && fail "rmmod still waits 30 s after the client closed"
	wait $rmpid || fail "rmmod snic_vdpa failed"
	expect_eq "devices left" "$(ls /sys/bus/vdpa/devices | wc -l)" 0
	expect_eq "ports left" "$(ls /sys/class/net | grep -c '^snic')" 0
	rm -f "$out"
}
