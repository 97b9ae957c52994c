# SPDX-License-Identifier: GPL-2.0
# e2e: ring layouts.  Packed rings are offered only when provisioned.

# Features a default device offers, from the driver's log line.
default_features() {
	"$VDPA" dev add name probe mgmtdev "$MGMT"
	dmesg | sed -n 's/.*added probe: .* features \(0x[0-9a-f]*\)$/\1/p' | tail -n 1
	"$VDPA" dev del probe
}

test_packed_ring_virtio() {
	local f nd
	f=$(default_features)
	[ -n "$f" ] || fail "no features in the driver's log"
	# Bit 34: VIRTIO_F_RING_PACKED.
	[ $((f >> 34 & 1)) = 0 ] || fail "default device offers packed rings ($f)"
	f=$(printf '0x%x' $((f | 1 << 34)))
	nd=$(wire pk 0 device_features "$f" max_vqp 2) || fail "cannot wire pk"
	trap 'unwire 0' EXIT
	expect_match "negotiated" "$(vj '.config.pk.negotiated_features // [] | join(" ")' dev config show pk)" \
		"RING_PACKED"
	ip netns exec g0 ping -c 3 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "no ping over packed rings"
	ip netns exec g0 ping -c 2 -s 20000 -W 5 10.9.0.2 >/dev/null ||
		fail "no large ping over packed rings"
	ip netns exec h0 iperf3 -s -1 -D >/dev/null
	sleep 0.3
	ip netns exec g0 iperf3 -c 10.9.0.2 -t 2 >/dev/null || fail "iperf3 over packed rings"
}
