# SPDX-License-Identifier: GPL-2.0
# e2e: a nested QEMU guest whose virtio-net NIC does not offer
# VIRTIO_NET_F_MQ (QEMU's mq=off) on a device of 2 queue pairs with a
# control queue, through vhost_vdpa.  Virtio 1.3, 5.1.2 "Virtqueues":
# the control queue is queue 2N, where N is 1 unless VIRTIO_NET_F_MQ is
# negotiated (then max_virtqueue_pairs): so queue 2 here, not the last
# queue of the device (4).  QEMU 7.2 gives the guest's queue 2 to the
# device's queue 2 (vhost_net_start: the control queue's vhost device
# starts at index 2 * data queue pairs in use).  Uses qg_* of qemu.sh.

test_nested_guest_cvq_without_mq() {
	local mac=52:54:00:00:00:20 mac2=52:54:00:00:00:2a dev t0 out
	local nicfs=/sys/kernel/debug/snic_model/nic0/functions
	# QEMU maps guest RAM per contiguous run of pinned pages.
	rmmod vhost_vdpa 2>/dev/null || true
	modprobe vhost_vdpa max_iotlb_entries=131072
	"$VDPA" dev add name q0 mgmtdev "$MGMT" mac "$mac" max_vqp 2
	trap 'qg_stop; "$VDPA" dev del q0 2>/dev/null; rmmod vhost_vdpa 2>/dev/null' EXIT
	dev=$(ls -d /sys/bus/vdpa/devices/q0/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$dev" ] || fail "q0 is not bound to vhost_vdpa"
	ip addr add "$QH_IP/24" dev snic0f0
	ip link set snic0f0 up

	QG_MQ=off qg_boot "/dev/$(basename "$dev")" "$mac" 1
	# The features the guest negotiated: CTRL_VQ (17) and CTRL_MAC_ADDR
	# (23) on, MQ (22) off.
	out=$(qg_sh "cat /sys/class/net/eth0/device/features") || fail "guest: no features"
	expect_eq "guest's CTRL_VQ, MQ, CTRL_MAC_ADDR" "${out:17:1}${out:22:1}${out:23:1}" 101
	expect_match "NIC status" "$(cat "$nicfs")" "^function 0: status 0x0f "

	# (1) Pings both ways.
	out=$(qg_sh "cat /sys/class/net/eth0/carrier /sys/class/net/eth0/address") ||
		fail "guest: no eth0"
	expect_eq "guest carrier and MAC" "$(echo $out)" "1 $mac"
	qg_sh -t 90 "ping -c 3 -W 20 $QH_IP" || fail "the guest cannot ping the host"
	ping -c 3 -i 0.5 -W 10 "$QG_IP" || fail "the host cannot ping the guest"

	# (2) A command on the control queue, queue 2: MAC_ADDR_SET.  The
	# guest's driver waits for the device's answer; then the NIC holds
	# the new MAC and filters by it.
	t0=$(date +%s.%N)
	qg_sh -t 60 "ip link set eth0 address $mac2" ||
		fail "guest: no answer on the control queue (queue 2) to MAC_ADDR_SET:
$(grep -A 12 '^function 0:' "$nicfs")"
	echo "measure: guest MAC change through the CVQ at queue 2: $(elapsed "$t0") s"
	expect_match "NIC MAC" "$(cat "$nicfs")" "^  mac $mac2 "
	ip neigh flush dev snic0f0
	ping -c 3 -i 0.5 -W 10 "$QG_IP" || fail "the host cannot ping the guest at its new MAC"
	expect_match "host's neighbour" "$(ip neigh show "$QG_IP" dev snic0f0)" "lladdr $mac2"
	qg_sh -t 60 "ping -c 2 -W 20 $QH_IP" || fail "the guest cannot ping the host after its MAC change"
	ip neigh replace "$QG_IP" lladdr "$mac" dev snic0f0 nud permanent
	if ping -c 2 -i 0.5 -W 2 "$QG_IP"; then
		fail "frames to the old MAC still reach the guest"
	fi
	ip neigh del "$QG_IP" dev snic0f0

	# (3) RX mode through the same queue: promiscuous on and off.
	qg_sh -t 60 "ip link set eth0 promisc on" || fail "guest: no answer to RX_PROMISC"
	expect_match "NIC filter, promisc" "$(grep -m 1 '^  rx: ' "$nicfs")" " promisc"
	qg_sh -t 60 "ip link set eth0 promisc off" || fail "guest: no answer to RX_PROMISC off"
	out=$(grep -m 1 '^  rx: ' "$nicfs")
	if [[ $out == *promisc* ]]; then
		fail "NIC filter still promiscuous: $out"
	fi
	# One queue pair in use all along: without MQ there is no other.
	expect_match "pairs" "$out" "^  rx: pairs 1 "
	out=$(cat "$nicfs")
	if grep -Eq "ERROR|NEEDS_RESET" <<<"$out"; then
		fail "NIC reports an error: $out"
	fi
	qg_stop
	expect_match "NIC after the guest" "$(cat "$nicfs")" "^function 0: status 0x00 "
}
