# SPDX-License-Identifier: GPL-2.0
# e2e: the device bound to vhost_vdpa and driven by tests/vmm/snic-vmm, a
# userspace vhost-vdpa client that does what a VMM does, without a guest:
# the data path through /dev/vhost-vdpa-N on either kernel, with no
# nested QEMU.

# The client: build/vmm/snic-vmm (make vmm), or built into /tmp.
vmm_bin() {
	c_tool "$E2E_TOP/tests/vmm" "$E2E_TOP/build/vmm/snic-vmm"
}

# Add device NAME with ADD-ARGS, bound to vhost_vdpa; print its node.
vmm_dev() { # NAME [ADD-ARGS...]
	local name=$1 d
	shift
	mod_loaded vhost_vdpa || modprobe vhost_vdpa || return
	"$VDPA" dev add name "$name" mgmtdev "$MGMT" "$@" || return
	d=$(readlink "/sys/bus/vdpa/devices/$name/driver")
	[ "${d##*/}" = vhost_vdpa ] || { echo "$name is not bound to vhost_vdpa" >&2; return 1; }
	d=$(ls -d "/sys/bus/vdpa/devices/$name"/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$d" ] && [ -c "/dev/${d##*/}" ] ||
		{ echo "no /dev/vhost-vdpa-N for $name" >&2; return 1; }
	echo "/dev/${d##*/}"
}

# The last value of KEY in the client's output.
vmm_kv() { # OUTPUT KEY
	sed -n "s/^$2=//p" <<<"$1" | tail -n 1
}

# Frames both ways between the client's rings and the representor,
# payload-checked frame by frame in the client, with a suspend/resume in
# each direction: no frame lost or repeated, ring positions (GET_VRING_BASE)
# equal to the used index while suspended.  The CVQ runs in address
# space 1 and accepts RX_PROMISC.
test_vmm_traffic() {
	local bin dev out n=300 before after

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	dev=$(vmm_dev vm0 mac 02:00:00:00:0c:01 max_vqp 1) || fail "no vhost-vdpa device"
	ip link show snic0f0 >/dev/null || fail "no representor snic0f0 for vm0"
	# No IPv6 chatter from the representor into the device.
	sysctl -qw net.ipv6.conf.snic0f0.disable_ipv6=1 2>/dev/null || true
	ip link set snic0f0 up
	before=$(link_stat_vmm snic0f0)
	out=$("$bin" traffic --dev "$dev" --port snic0f0 --frames $n 2>&1) ||
		fail "snic-vmm traffic: $out"
	after=$(link_stat_vmm snic0f0)
	echo "$out"
	echo "measure: setup $(vmm_kv "$out" setup_ms) ms, $n frames out $(vmm_kv "$out" tx_ms) ms, in $(vmm_kv "$out" rx_ms) ms (with a suspend each)"
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	expect_match "backend" "$(vmm_kv "$out" backend)" \
		"IOTLB_MSG_V2 IOTLB_BATCH IOTLB_ASID SUSPEND RESUME"
	expect_eq "mac" "$(vmm_kv "$out" mac)" 02:00:00:00:0c:01
	expect_eq "queues" "$(vmm_kv "$out" vqs)" 3
	expect_eq "CVQ's address space" "$(vmm_kv "$out" asid_cvq)" 1
	expect_eq "RX_PROMISC ack" "$(vmm_kv "$out" cvq_promisc_ack)" 0
	expect_eq "frames transmitted" "$(vmm_kv "$out" tx_frames)" $n
	expect_eq "frames at the representor" "$(vmm_kv "$out" tx_at_port)" $n
	expect_eq "frames received" "$(vmm_kv "$out" rx_frames)" $n
	expect_eq "transmit ring while suspended" "$(vmm_kv "$out" tx_suspend_base)" \
		"$(vmm_kv "$out" tx_suspend_used)"
	expect_eq "receive ring while suspended" "$(vmm_kv "$out" rx_suspend_base)" \
		"$(vmm_kv "$out" rx_suspend_used)"
	expect_eq "transmit ring at the end" "$(vmm_kv "$out" tx_base)" $n
	# The representor's counters agree: it received exactly the client's
	# frames, and sent at least the client's into the device.
	set -- $before $after
	expect_eq "representor rx_packets" "$(($3 - $1))" $n
	[ $(($4 - $2)) -ge $n ] || fail "representor tx_packets grew by $(($4 - $2)), want >= $n"
	# Closing reset the device: the port has no carrier any more.
	expect_eq "representor's carrier after close" "$(cat /sys/class/net/snic0f0/carrier)" 0
	"$VDPA" dev del vm0
}

# "rx_packets tx_packets" of netdev DEV.
link_stat_vmm() { # DEV
	local rx tx
	read -r rx <"/sys/class/net/$1/statistics/rx_packets"
	read -r tx <"/sys/class/net/$1/statistics/tx_packets"
	echo "$rx $tx"
}

# A vhost user gets no access to memory it did not map.  The client
# builds a valid transmit ring in pages of its own, gives the device
# their host physical addresses as ring addresses without mapping them
# (then again with only an unrelated range mapped), DRIVER_OK, kick: no
# byte of those pages may change, and the device must refuse or report
# NEEDS_RESET (uAPI view: an ioctl fails, DRIVER_OK does not stick, or
# VHOST_VDPA_GET_STATUS has NEEDS_RESET).
test_vmm_unmapped_ring() {
	local bin dev out flags errs=

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	dev=$(vmm_dev vm0 mac 02:00:00:00:0c:02 max_vqp 1) || fail "no vhost-vdpa device"
	for flags in "" --map-unrelated; do
		echo "snic-vmm unmapped-ring $flags"
		if out=$("$bin" unmapped-ring --dev "$dev" $flags 2>&1); then
			echo "$out"
			expect_eq "pages touched${flags:+ ($flags)}" "$(vmm_kv "$out" touched)" no
			expect_match "verdict${flags:+ ($flags)}" "$(vmm_kv "$out" verdict)" \
				"^(refused|needs_reset)$"
		else
			echo "$out"
			errs+="${flags:-no map}: $(tail -n 1 <<<"$out"); "
		fi
	done
	[ -z "$errs" ] || fail "$errs"
	"$VDPA" dev del vm0
}

# A vhost user that frees receive memory (munmap, then IOTLB_INVALIDATE)
# while the device writes frames into it, round after round: Debian's
# vhost_vdpa unpins the pages before it asks the driver to unmap them, so
# the driver must hold them until the NIC has dropped the mapping (vendor
# interface, IOTLB_UNMAP); on the test kernel vhost_vdpa unmaps first
# (patches/linux-fixes/) and the driver holds them too.  With debugfs
# check_free on, the model refuses, and logs, any DMA through its IOTLB
# to a page without a reference (a freed one): none may be logged.  The
# client fails if the device never met the unmapped memory (the race did
# not run).  SNIC_UNMAP_DEBUG=1 shows each round.
test_vmm_unmap_race() {
	local bin dev out d0 free own rounds=${SNIC_UNMAP_ROUNDS:-100}

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	dev=$(vmm_dev vm0 mac 02:00:00:00:0c:06 max_vqp 1) || fail "no vhost-vdpa device"
	# Debian's vhost_vdpa lets a range's pages go before dma_unmap (the
	# test kernel's and the drop-in carry patches/linux-fixes/): on the
	# stock kernel the case must run Debian's own, so that what keeps the
	# NIC out of freed pages there is the driver's hold.
	if [ "$SNIC_KIND" = stock ]; then
		own=$(find "/lib/modules/$(uname -r)/kernel/drivers/vhost" -name 'vhost_vdpa.ko*' | head -n 1)
		expect_eq "vhost_vdpa is Debian's ($own)" \
			"$(cat /sys/module/vhost_vdpa/srcversion)" "$(modinfo -F srcversion "$own")"
	fi
	sysctl -qw net.ipv6.conf.snic0f0.disable_ipv6=1 2>/dev/null || true
	ip link set snic0f0 up
	d0=$(dmesg | wc -l)
	echo Y >/sys/kernel/debug/snic_model/nic0/check_free
	out=$(SNIC_UNMAP_DEBUG=${SNIC_UNMAP_DEBUG:-} "$bin" unmap-race --dev "$dev" \
		--port snic0f0 --rounds "$rounds" 2>&1) || fail "snic-vmm unmap-race: $out"
	echo N >/sys/kernel/debug/snic_model/nic0/check_free
	[ -z "${SNIC_UNMAP_DEBUG:-}" ] || grep "^round" <<<"$out" | sed 's/^/measure: /'
	free=$(dmesg | tail -n +$((d0 + 1)) | grep -c "the page is free" || true)
	echo "measure: $(vmm_kv "$out" rounds_raced) of $rounds rounds unmapped under the device's writes, $(vmm_kv "$out" rounds_ms) ms; DMA to free pages refused: $free"
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	expect_eq "DMA to free pages (model's log)" "$free" 0
	"$VDPA" dev del vm0
}

# The vhost_vdpa with the device dirty page log and device state
# (patches/linux/): the test kernel's own; on the stock kernel the drop-in
# module that scripts/setup built (scripts/build-vhost-vdpa), loaded
# instead of Debian's, and the driver reloaded with dirty_log=1
# device_state=1.  Arguments: vhost_vdpa's parameters.
vmm_log_vhost() {
	local dir=$SNIC_CACHE/vhost-vdpa

	if [ "$SNIC_KIND" != stock ]; then
		modprobe vhost_vdpa "$@"
		return 0
	fi
	[ -e "$dir/vhost_vdpa.ko" ] ||
		fail "no drop-in vhost_vdpa.ko in $dir (scripts/setup builds it)"
	[ "$(modinfo -F vermagic "$dir/vhost_vdpa.ko" | cut -d' ' -f1)" = "$(uname -r)" ] ||
		fail "$dir/vhost_vdpa.ko is not for $(uname -r): run scripts/setup"
	if mod_loaded vhost_vdpa; then
		rmmod vhost_vdpa
	fi
	modprobe -a vhost vhost_iotlb vdpa irqbypass
	insmod "$dir/vhost_vdpa.ko" "$@"
	# Built against the stock headers, the driver offers the log and
	# the device state only when told that vhost_vdpa knows them.
	rmmod snic_vdpa
	insmod "$SNIC_KO" dirty_log=1 device_state=1
	echo "measure: the drop-in $(readlink -f "$dir")/vhost_vdpa.ko, on $(uname -r)"
}

# The device's own dirty page log, checked against the NIC's write trace:
# the client runs the traffic of vmm_traffic with VHOST_F_LOG_ALL on and
# VHOST_SET_LOG_BASE given; after each direction it suspends the device
# and every page of the client's memory the NIC wrote in that window must
# have its bit.  Then a NIC that never logs one page in 7 (debugfs
# log_drop): the same check must fail, naming the pages it missed.
test_vmm_dirty_log() {
	local bin dev out n=300 fs=$SNIC_NICFS/nic0

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	vmm_log_vhost
	dev=$(vmm_dev vm0 mac 02:00:00:00:0c:03 max_vqp 1) || fail "no vhost-vdpa device"
	ip link show snic0f0 >/dev/null || fail "no representor snic0f0 for vm0"
	sysctl -qw net.ipv6.conf.snic0f0.disable_ipv6=1 2>/dev/null || true
	ip link set snic0f0 up
	# vm0 is function 0 of NIC 0 (its port is snic0f0).
	echo 0 >"$fs/write_trace"
	out=$("$bin" traffic --dev "$dev" --port snic0f0 --frames $n \
		--dirty-log "$fs/write_trace" 2>&1) || fail "snic-vmm traffic --dirty-log: $out"
	echo "$out"
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	expect_match "backend" "$(vmm_kv "$out" backend)" "LOG_ALL_DEVICE"
	expect_eq "windows checked" "$(vmm_kv "$out" log_windows)" 2
	echo "measure: transmit window: $(vmm_kv "$out" log_transmit); receive window: $(vmm_kv "$out" log_receive) (pages)"

	echo 7 >"$fs/log_drop"
	echo 0 >"$fs/write_trace"
	if out=$("$bin" traffic --dev "$dev" --port snic0f0 --frames $n \
		--dirty-log "$fs/write_trace" 2>&1); then
		echo "$out"
		fail "the log check passed a NIC that leaves out every 7th page"
	fi
	echo "$out"
	expect_match "the check's verdict on log_drop=7" "$(tail -n 1 <<<"$out")" \
		"dirty log: (transmit|receive): [1-9][0-9]* of [0-9]+ pages the NIC wrote have no bit"
	echo "measure: with log_drop=7: $(grep -o 'dirty log: .*' <<<"$out")"
	echo 0 >"$fs/log_drop"
	echo off >"$fs/write_trace"
	"$VDPA" dev del vm0
}

# Device state through vhost-vdpa (patches/linux/ 7-9): the client's
# device (two queue pairs, CVQ) gets a receive filter through its CVQ
# (MAC, one unicast and one multicast table entry, promiscuous and
# all-multicast off, VLAN 100, two pairs in use) and carries frames both
# ways; with transmit frames posted it is suspended, its state read
# and given to a device on another function of the same NIC, then from
# there to one on a second NIC, each resumed on the client's rings.  The
# client checks (tests/vmm/state.c, mode state): a damaged state refused with
# the device untouched; the state read back identical; ring positions
# kept; the frames posted at the source sent by the destination; no frame
# lost or repeated either way; probes into each representor (the MAC,
# table entries, a foreign unicast, another multicast, broadcast, VLAN 100
# and 200) delivered or dropped as virtio 1.3 says and as at the source.
# Then the deliberate fault: a state made promiscuous must be caught.
test_vmm_device_state() {
	local bin a b c out n=300

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	snic_unload
	snic_load nr_nics=2
	vmm_log_vhost
	a=$(vmm_dev sa mac 02:00:00:00:0d:01 max_vqp 2) || fail "no vhost-vdpa device sa"
	b=$(vmm_dev sb mac 02:00:00:00:0d:02 max_vqp 2) || fail "no vhost-vdpa device sb"
	c=$(MGMT=platform/snic-nic.1 vmm_dev sc mac 02:00:00:00:0d:03 max_vqp 2) ||
		fail "no vhost-vdpa device sc on the second NIC"
	for p in snic0f0 snic0f1 snic1f0; do
		ip link show "$p" >/dev/null || fail "no representor $p"
		sysctl -qw "net.ipv6.conf.$p.disable_ipv6=1" 2>/dev/null || true
		ip link set "$p" up
	done
	dmesg -C
	out=$("$bin" state --dev "$a" --port snic0f0 --dst "$b" --dst-port snic0f1 \
		--dst "$c" --dst-port snic1f0 --frames $n 2>&1) || fail "snic-vmm state: $out"
	echo "$out"
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	expect_match "backend" "$(vmm_kv "$out" backend)" "DEVICE_STATE"
	expect_eq "hops" "$(vmm_kv "$out" hops)" 2
	expect_eq "pairs in use" "$(vmm_kv "$out" state_pairs)" 2
	expect_eq "frames transmitted" "$(vmm_kv "$out" tx_frames)" $n
	expect_eq "frames at the representors" "$(vmm_kv "$out" tx_at_port)" $n
	expect_eq "frames received" "$(vmm_kv "$out" rx_frames)" $n
	expect_eq "source filter" "$(vmm_kv "$out" filter_source)" aadadaad
	expect_eq "filter on sb" "$(vmm_kv "$out" filter_dest1)" aadadaad
	expect_eq "filter on sc" "$(vmm_kv "$out" filter_dest2)" aadadaad
	expect_eq "status after the state" "$(vmm_kv "$out" state_status_2)" 0x0f
	# The refused state was named by the driver.
	expect_match "dmesg" "$(dmesg)" "device state refused by the NIC: wrong magic, at byte 0"
	# Each hop left a burst posted at the source for the destination.
	expect_eq "hops with the burst posted at the suspend" \
		"$(grep -c "^tx_posted_at_suspend=$(vmm_kv "$out" tx_burst)$" <<<"$out")" 2
	echo "measure: state of $(vmm_kv "$out" state_bytes_1) bytes; $(vmm_kv "$out" tx_burst) frames posted at each suspend, sent by the destination"
	# The probes catch a destination whose filter differs: the same
	# run, but the state given says promiscuous (a valid state).
	if out=$("$bin" state --dev "$a" --port snic0f0 --dst "$b" --dst-port snic0f1 \
		--frames 40 --fault promisc 2>&1); then
		echo "$out"
		fail "the filter probes passed a destination made promiscuous"
	fi
	echo "$out" | tail -n 3
	expect_match "the verdict on --fault promisc" "$(tail -n 1 <<<"$out")" \
		"dest1: probe foreign_uc \(3 of 3 delivered\): the filter should drop it"
	echo "measure: with --fault promisc: $(tail -n 1 <<<"$out" | sed 's/^snic-vmm: //')"
	"$VDPA" dev del sa
	"$VDPA" dev del sb
	"$VDPA" dev del sc
}

# A hostile vhost-vdpa user (snic-vmm hostile): a table of named cases,
# each doing one thing a VMM must not get away with (IOTLB ranges that
# are empty, wrap, overlap, leave the IOVA range or point at memory the
# process cannot pin; batches that switch address space or never end;
# ASIDs and queue indexes out of range; ring sizes 0, not a power of two
# or above the maximum; misaligned rings; bad eventfds; features not
# offered or after FEATURES_OK; status bits taken back; DRIVER_OK early;
# suspend/resume at the wrong time; every config offset and length;
# kicks before setup; state and log ioctls with bad arguments; closing in
# the middle) with the errno the uAPI gives, then a device that still
# works; then seeded random operations, with the device checked every
# 1000.  On the test kernel KASAN, lockdep and kmemleak watch it all.
test_vmm_hostile() {
	local bin dev out ops=${SNIC_HOSTILE_OPS:-3000} seed=${SNIC_HOSTILE_SEED:-7}

	bin=$(vmm_bin) || fail "cannot build the client (tests/vmm/)"
	vmm_log_vhost
	dev=$(vmm_dev vm0 mac 02:00:00:00:0c:05 max_vqp 1) || fail "no vhost-vdpa device"
	out=$("$bin" hostile --dev "$dev" --random $ops --seed $seed 2>&1) ||
		fail "snic-vmm hostile: $out"
	echo "$out"
	expect_eq "result" "$(vmm_kv "$out" result)" ok
	# The series' vhost_vdpa on both kernels: its state and log cases run.
	expect_eq "cases skipped" "$(vmm_kv "$out" hostile_skipped)" 0
	expect_eq "random operations" "$(vmm_kv "$out" hostile_random_ops)" $ops
	echo "measure: $(vmm_kv "$out" hostile_cases) named cases, $ops random operations (seed $seed)"
	echo "measure: ring state after a ring fault: $(vmm_kv "$out" vring_base_after_fault)"
	"$VDPA" dev del vm0
}
