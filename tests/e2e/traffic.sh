# SPDX-License-Identifier: GPL-2.0
# e2e: frames through the data path, with virtio_vdpa: the device's
# virtio-net netdev in netns "g" (10.9.0.1), its representor in netns "h"
# (10.9.0.2).

# Wait for the virtio-net netdev with MAC (its virtio device hangs off
# the NIC, not off the vdpa device); print its name.
virtio_netdev() { # MAC
	local i n
	for i in $(seq 100); do
		n=$(ip -o link | awk -v mac="$1" '$0 ~ "link/ether " mac && $2 !~ /^snic/ {
			sub(/:$/, "", $2); print $2 }')
		[ -n "$n" ] && { echo "$n"; return; }
		sleep 0.1
	done
	echo "no virtio-net netdev with MAC $1" >&2
	return 1
}

# Device NAME on function FN of NIC 0 with ADD-ARGS, MAC 02:00:00:00:00:FN
# (hex), wired as above in netns g$FN / h$FN with 10.9.FN.1 / 10.9.FN.2.
# Prints the netdev.
wire() { # NAME FN [ADD-ARGS...]
	local name=$1 fn=$2 nd mac
	shift 2
	mac=$(printf '02:00:00:00:00:%02x' "$fn")
	modprobe -a virtio_vdpa virtio_net
	"$VDPA" dev add name "$name" mgmtdev "$MGMT" mac "$mac" "$@"
	nd=$(virtio_netdev "$mac")
	ip netns add "g$fn"
	ip netns add "h$fn"
	ip link set "$nd" netns "g$fn"
	ip link set "snic0f$fn" netns "h$fn"
	ip -n "g$fn" addr add "10.9.$fn.1/24" dev "$nd"
	ip -n "h$fn" addr add "10.9.$fn.2/24" dev "snic0f$fn"
	ip -n "h$fn" link set "snic0f$fn" up
	ip -n "g$fn" link set "$nd" up
	ip -n "g$fn" link set lo up
	ip -n "h$fn" link set lo up
	echo "$nd"
}

unwire() { # FN...
	local fn
	for fn in "$@"; do
		ip netns del "g$fn" 2>/dev/null || true
		ip netns del "h$fn" 2>/dev/null || true
	done
}

# Counter NAME of netdev DEV in netns NS.
nstat_of() { # NS DEV NAME
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

test_ping_virtio() {
	local nd
	nd=$(wire v0 0) || fail "cannot wire v0"
	trap 'unwire 0' EXIT
	# The link is up once the representor is: the guest side sees carrier.
	ip netns exec g0 ping -c 3 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "netdev $nd cannot ping the representor"
	ip netns exec h0 ping -c 3 -i 0.2 -W 5 10.9.0.1 >/dev/null ||
		fail "the representor cannot ping $nd"
	# Large frames both ways, in pieces (MTU 1500).
	ip netns exec g0 ping -c 2 -s 8000 -W 5 10.9.0.2 >/dev/null ||
		fail "fragmented ping failed"
	# Link follows the representor: down, then up again.
	ip -n h0 link set snic0f0 down
	sleep 0.5
	expect_match "virtio-net link" "$(ip -n g0 -o link show "$nd")" "NO-CARRIER|state DOWN"
	ip -n h0 link set snic0f0 up
	sleep 0.5
	ip netns exec g0 ping -c 1 -W 5 10.9.0.2 >/dev/null || fail "no traffic after link up"
}
