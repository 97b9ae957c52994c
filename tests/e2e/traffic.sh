# SPDX-License-Identifier: GPL-2.0
# e2e: frames through the data path, with virtio_vdpa: the virtio-net
# netdev of the device on function FN in netns gFN (10.9.FN.1), its
# representor snic0fFN in netns hFN (10.9.FN.2).
#
# In the TCG VM starting a process costs a tenth of a second or more:
# the cases batch their ip commands and read counters in few processes.

# The model's view of NIC 0 (snic_model_debugfs.c).
SNIC_DEBUGFS=/sys/kernel/debug/snic_model/nic0/functions

# Netdev of each wired function, by function number.
declare -a NDS

# Find the virtio-net netdevs of functions FN... (MAC 02:00:00:00:00:FN)
# and put their names in NDS, waiting for them: their virtio devices
# hang off the NIC, not off the vdpa devices.
find_netdevs() { # FN...
	local i a m n fn missing
	local -A by_mac
	for ((i = 0; i < 100; i++)); do
		by_mac=()
		for a in /sys/class/net/*/address; do
			n=${a%/address}
			n=${n##*/}
			[[ $n == snic* ]] || { read -r m <"$a" && by_mac[$m]=$n; }
		done
		missing=
		for fn in "$@"; do
			printf -v m '02:00:00:00:00:%02x' "$fn"
			NDS[fn]=${by_mac[$m]:-}
			[ -n "${NDS[fn]}" ] || missing+=" $m"
		done
		[ -n "$missing" ] || return 0
		sleep 0.1
	done
	echo "no virtio-net netdev with MAC$missing" >&2
	return 1
}

# Wait for the virtio-net netdev with MAC; print its name.
virtio_netdev() { # MAC
	local i a m n
	for ((i = 0; i < 100; i++)); do
		for a in /sys/class/net/*/address; do
			n=${a%/address}
			n=${n##*/}
			if [[ $n != snic* ]] && read -r m <"$a" && [ "$m" = "$1" ]; then
				echo "$n"
				return
			fi
		done
		sleep 0.1
	done
	echo "no virtio-net netdev with MAC $1" >&2
	return 1
}

# Add device NAME on function FN of NIC 0 with ADD-ARGS, MAC
# 02:00:00:00:00:FN (hex).
wire_add() { # NAME FN [ADD-ARGS...]
	local name=$1 mac
	printf -v mac '02:00:00:00:00:%02x' "$2"
	shift 2
	"$VDPA" dev add name "$name" mgmtdev "$MGMT" mac "$mac" "$@"
}

# virtio_vdpa and virtio_net, unless loaded.
virtio_load() {
	mod_loaded virtio_vdpa && mod_loaded virtio_net ||
		modprobe -a virtio_vdpa virtio_net
}

# Put the netdevs of the devices on functions FN... (added by wire_add)
# in their netns as above, addressed and up; their names go to NDS.
wire_ns() { # FN...
	local fn pids=() pid
	find_netdevs "$@" || return
	for fn in "$@"; do
		echo "netns add g$fn"
		echo "netns add h$fn"
		echo "link set ${NDS[fn]} netns g$fn"
		echo "link set snic0f$fn netns h$fn"
	done | ip -b - || return
	for fn in "$@"; do
		printf 'addr add 10.9.%s.2/24 dev snic0f%s\nlink set snic0f%s up\nlink set lo up\n' \
			"$fn" "$fn" "$fn" | ip -n "h$fn" -b - &
		pids+=($!)
		printf 'addr add 10.9.%s.1/24 dev %s\nlink set %s up\nlink set lo up\n' \
			"$fn" "${NDS[fn]}" "${NDS[fn]}" | ip -n "g$fn" -b - &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || return
	done
}

# Device NAME on function FN of NIC 0 with ADD-ARGS, bound to virtio_vdpa,
# wired as above.  Prints the netdev.
wire() { # NAME FN [ADD-ARGS...]
	virtio_load
	wire_add "$@" || return
	wire_ns "$2" || return
	echo "${NDS[$2]}"
}

# Undo wire() for functions FN..., with the iperf3 servers started there.
unwire() { # FN...
	local fn pid f
	for fn in "$@"; do
		for f in "/tmp/iperf3-g$fn.pid" "/tmp/iperf3-h$fn.pid"; do
			[ -f "$f" ] || continue
			read -r pid <"$f" && kill "$pid" 2>/dev/null || true
			rm -f "$f"
		done
	done
	for fn in "$@"; do
		echo "netns del g$fn"
		echo "netns del h$fn"
	done | ip -force -b - 2>/dev/null || true
}

# Counter NAME of netdev DEV in netns NS.
nstat_of() { # NS DEV NAME
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# Counter FIELD (packets, dropped, ...) of direction DIR (rx, tx) of
# netdev DEV in netns NS, in one process; with more DIR FIELD pairs, the
# counters on one line.
link_stat() { # NS DEV DIR FIELD [DIR FIELD...]
	local j out=
	j=$(ip -n "$1" -j -s link show dev "$2") || return
	shift 2
	while [ $# -ge 2 ]; do
		[[ $j =~ \"$1\":\{[^}]*\"$2\":([0-9]+) ]] ||
			{ echo "no $1 $2 counter in $j" >&2; return 1; }
		out+=" ${BASH_REMATCH[1]}"
		shift 2
	done
	echo "${out# }"
}

# expect_match without a grep process.
expect_re() { # WHAT TEXT REGEX
	[[ $2 =~ $3 ]] || fail "$1: '$2' does not match /$3/"
}

# The model's receive state of function FN: "pairs N offloads X [promisc]
# [allmulti] ... uc N mc N vlan filter on|off".
model_rx() { # FN
	local all l fn=
	# Read whole: line by line, each read would walk the seq_file again.
	all=$(<"$SNIC_DEBUGFS")
	while IFS= read -r l; do
		case "$l" in
		"function $1: "*) fn=1 ;;
		function*) fn= ;;
		"  rx: "*) [ -z "$fn" ] || { echo "${l#  rx: }"; return; } ;;
		esac
	done <<<"$all"
}

# Wait until the model's receive state of function FN matches REGEX
# (virtio-net sends RX mode commands from a work item).
wait_model_rx() { # FN REGEX
	local i rx
	for ((i = 0; i < 50; i++)); do
		rx=$(model_rx "$1")
		[[ $rx =~ $2 ]] && return
		sleep 0.1
	done
	fail "function $1 receive state '$rx' does not match /$2/"
}

# Counters of queues QIDX... of vdpa device DEV, a line each:
# "received_desc completed_desc error_desc".
vq_stats() { # DEV QIDX...
	local dev=$1 q j
	shift
	for q in "$@"; do
		j=$("$VDPA" -j dev vstats show "$dev" qidx "$q") || return
		[[ $j =~ \"received_desc\":([0-9]+),\"completed_desc\":([0-9]+),\"error_desc\":([0-9]+) ]] ||
			{ echo "queue $q of $dev: no counters in $j" >&2; return 1; }
		echo "${BASH_REMATCH[*]:1}"
	done
}

# error_desc of queues QIDX... of vdpa device DEV, space-separated.
vq_errors() { # DEV QIDX...
	local e out=
	while read -r _ _ e; do
		out+=" $e"
	done <<<"$(vq_stats "$@")"
	echo "${out# }"
}

# Fail unless RATE (from iperf_mbps) is a throughput above zero.
expect_rate() { # WHAT RATE
	[[ $2 =~ ^[0-9]+\.[0-9]$ ]] || fail "$1: $2"
	[ "$2" != 0.0 ] || fail "$1: 0.0 Mbit/s"
}

# An iperf3 server in netns NS, until unwire.
iperf_server() { # NS
	ip netns exec "$1" iperf3 -s -D -I "/tmp/iperf3-$1.pid" >/dev/null
}

# Run iperf3 -c ADDR ARGS in netns NS; print what the receiver measured,
# in Mbit/s with one decimal, or the error.  Retries while the server is
# still starting.  The client waits on its control connection without a
# limit of its own: it gets a minute (the cases run it for 1-2 s).
iperf_mbps() { # NS ADDR IPERF3-ARGS...
	local ns=$1 addr=$2 out i k
	shift 2
	for ((i = 0; i < 20; i++)); do
		out=$(timeout 60 ip netns exec "$ns" iperf3 -J -c "$addr" "$@") && break
		if [ $? = 124 ]; then
			echo "iperf3 -c $addr $* still ran after 60 s"
			return
		fi
		[[ $out == *"unable to connect"* ]] || break
		sleep 0.2
	done
	# Parsed here: jq takes long to start in the VM.
	if [[ $out =~ \"sum_received\":[[:space:]]*\{[^}]*\"bits_per_second\":[[:space:]]*([0-9.e+]+) ]]; then
		printf -v out '%.0f' "${BASH_REMATCH[1]}"
		k=$(((out + 50000) / 100000))
		echo "$((k / 10)).$((k % 10))"
	elif [[ $out =~ \"error\":[[:space:]]*(\"[^\"]*\") ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "no result"
	fi
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

# TCP both ways, with the offloads virtio-net negotiates (TSO, checksum);
# then UDP into the guest faster than it takes it: the representor holds
# the senders back, it does not fail them.
test_iperf_virtio() {
	local tx rx udp
	wire i0 0 >/dev/null || fail "cannot wire i0"
	trap 'unwire 0' EXIT
	iperf_server h0
	iperf_server g0
	tx=$(iperf_mbps g0 10.9.0.2 -t 2)
	rx=$(iperf_mbps g0 10.9.0.2 -t 2 -R)
	udp=$(iperf_mbps h0 10.9.0.1 -u -b 0 -l 1400 -P 8 -t 1)
	echo "measure: iperf3 TCP guest -> representor: $tx Mbit/s"
	echo "measure: iperf3 TCP representor -> guest: $rx Mbit/s"
	echo "measure: iperf3 UDP representor -> guest, 8 unlimited streams: $udp Mbit/s received"
	expect_rate "guest -> representor" "$tx"
	expect_rate "representor -> guest" "$rx"
	expect_rate "UDP representor -> guest" "$udp"
	# The port's queue was stopped and started again, not left stopped.
	ip netns exec h0 ping -c 1 -W 5 10.9.0.1 >/dev/null ||
		fail "no ping into the guest after the UDP flood"
	expect_eq "error_desc of queues 0-2" "$(vq_errors i0 0 1 2)" "0 0 0"
}

# Jumbo frames: 9000 bytes cross both ways unfragmented; more do not.
test_mtu_9000() {
	local nd drops
	nd=$(wire j0 0 mtu 9000) || fail "cannot wire j0"
	trap 'unwire 0' EXIT
	expect_re "guest netdev" "$(ip -n g0 -o link show "$nd")" " mtu 9000 "
	expect_re "representor" "$(ip -n h0 -o link show snic0f0)" " mtu 9000 "
	ip netns exec g0 ping -M do -s 8972 -c 2 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "9000-byte frames guest -> representor"
	ip netns exec h0 ping -M do -s 8972 -c 2 -i 0.2 -W 5 10.9.0.1 >/dev/null ||
		fail "9000-byte frames representor -> guest"
	# 9001 is beyond the device's MTU, on either side.
	! ip -n g0 link set "$nd" mtu 9001 2>/dev/null || fail "guest netdev took mtu 9001"
	! ip -n h0 link set snic0f0 mtu 9001 2>/dev/null || fail "representor took mtu 9001"
	! ip netns exec g0 ping -M do -s 8973 -c 1 -W 1 10.9.0.2 >/dev/null 2>&1 ||
		fail "a 9001-byte frame left the guest"
	! ip netns exec h0 ping -M do -s 8973 -c 1 -W 1 10.9.0.1 >/dev/null 2>&1 ||
		fail "a 9001-byte frame left the representor"
	# A frame over the uplink's MTU is dropped by the NIC, and counted.
	ip -n h0 link set snic0f0 mtu 8000
	drops=$(link_stat h0 snic0f0 rx dropped)
	! ip netns exec g0 ping -M do -s 8972 -c 1 -W 1 10.9.0.2 >/dev/null ||
		fail "a 9000-byte frame crossed an 8000-byte uplink"
	[ "$(link_stat h0 snic0f0 rx dropped)" -gt "$drops" ] ||
		fail "the frame over the uplink's MTU is not in its rx_dropped"
	ip netns exec g0 ping -M do -s 7972 -c 1 -W 5 10.9.0.2 >/dev/null ||
		fail "8000-byte frames after the uplink's MTU changed"
}

# Flows spread over 4 queue pairs both ways: each data queue in use
# carries traffic (the NIC steers to the guest by flow hash; the guest
# transmits by flow hash once XPS is off).
test_multiqueue_spread() {
	local nd q e pairs qs=() round idle before after tx rx b a out
	nd=$(wire q0 0 max_vqp 4) || fail "cannot wire q0"
	trap 'unwire 0' EXIT
	# virtio-net enables one pair per CPU: all 4 with ethtool.
	if command -v ethtool >/dev/null; then
		ip netns exec g0 ethtool -L "$nd" combined 4
		out=$(ip netns exec g0 ethtool -l "$nd")
		[[ $out =~ Current\ hardware\ settings:.*Combined:[[:space:]]+([0-9]+) ]] &&
			[ "${BASH_REMATCH[1]}" = 4 ] || fail "ethtool -l: $out"
		wait_model_rx 0 "^pairs 4 "
	fi
	[[ $(model_rx 0) =~ ^pairs\ ([0-9]+) ]] || fail "no pairs in '$(model_rx 0)'"
	pairs=${BASH_REMATCH[1]}
	for ((q = 0; q < 2 * pairs; q++)); do
		qs+=("$q")
	done
	# XPS ties transmit queues to CPUs.
	ip netns exec g0 sh -c "for f in /sys/class/net/$nd/queues/tx-*/xps_cpus; do echo 0 >\$f; done"
	iperf_server h0
	readarray -t before <<<"$(vq_stats q0 "${qs[@]}")"
	# Flow hashes are random: a queue may draw no flow in a round.
	for round in 1 2 3; do
		tx=$(iperf_mbps g0 10.9.0.2 -t 1 -P 8)
		rx=$(iperf_mbps g0 10.9.0.2 -t 1 -P 8 -R)
		expect_rate "guest -> representor" "$tx"
		expect_rate "representor -> guest" "$rx"
		readarray -t after <<<"$(vq_stats q0 "${qs[@]}")"
		idle=
		for q in "${qs[@]}"; do
			read -r b _ _ <<<"${before[q]}"
			read -r a _ e <<<"${after[q]}"
			[ "$e" = 0 ] || fail "queue $q: error_desc $e"
			[ $((a - b)) -ge 16 ] || idle+=" $q"
		done
		[ -n "$idle" ] || break
	done
	echo "measure: iperf3 -P 8, $pairs pairs: guest -> representor $tx Mbit/s, representor -> guest $rx Mbit/s (round $round)"
	out=
	for q in "${qs[@]}"; do
		read -r b _ _ <<<"${before[q]}"
		read -r a _ _ <<<"${after[q]}"
		out+=" $q:$((a - b))"
	done
	echo "measure: descriptors per queue:$out"
	[ -z "$idle" ] || fail "queues$idle carried no traffic"
	expect_eq "cvq error_desc" "$(vq_errors q0 8)" 0
}

# Fail unless a counter went from BEFORE to AFTER by N to N + SLACK.
expect_growth() { # WHAT BEFORE AFTER N SLACK
	local d=$(($3 - $2))
	[ $d -ge "$4" ] && [ $d -le $(($4 + $5)) ] ||
		fail "$1 grew by $d, want $4 (up to $5 more)"
}

# The queue counters follow the frames: N pings are N chains taken and
# used on the transmit queue, and N on the receive queue.
test_vstats_traffic() {
	local n=32 out st0 st1 rep0 rep1 rx0 rx1 tx0 tx1
	wire s0 0 >/dev/null || fail "cannot wire s0"
	trap 'unwire 0' EXIT
	# Resolve the neighbours first: only the pings are counted.
	ip netns exec g0 ping -c 1 -W 5 10.9.0.2 >/dev/null || fail "no ping"
	rep0=($(link_stat h0 snic0f0 rx packets tx packets))
	readarray -t st0 <<<"$(vq_stats s0 0 1)"
	out=$(ip netns exec g0 ping -c $n -i 0.01 -W 5 -q 10.9.0.2) || fail "ping: $out"
	expect_re "ping" "$out" "$n packets transmitted, $n received"
	readarray -t st1 <<<"$(vq_stats s0 0 1)"
	rep1=($(link_stat h0 snic0f0 rx packets tx packets))
	# received, completed, errors of the receive and the transmit queue.
	read -r -a rx0 <<<"${st0[0]}"
	read -r -a rx1 <<<"${st1[0]}"
	read -r -a tx0 <<<"${st0[1]}"
	read -r -a tx1 <<<"${st1[1]}"
	echo "measure: $n pings: $((rx1[0] - rx0[0])) descriptors on the rx queue, $((tx1[0] - tx0[0])) on the tx queue"
	# Background frames (IPv6 autoconfiguration) may add a few.
	expect_growth "rx queue received_desc" "${rx0[0]}" "${rx1[0]}" $n 6
	expect_growth "rx queue completed_desc" "${rx0[1]}" "${rx1[1]}" $n 6
	expect_growth "tx queue received_desc" "${tx0[0]}" "${tx1[0]}" $n 6
	expect_growth "tx queue completed_desc" "${tx0[1]}" "${tx1[1]}" $n 6
	expect_eq "error_desc rx, tx" "${rx1[2]} ${tx1[2]}" "0 0"
	expect_growth "representor rx_packets" "${rep0[0]}" "${rep1[0]}" $n 6
	expect_growth "representor tx_packets" "${rep0[1]}" "${rep1[1]}" $n 6
}

# 16 devices of 4 queue pairs, all in use, each in its own pair of netns,
# all pinging at once.
test_many_devices_ping() {
	local n=16 fn pids=() fns=()
	for ((fn = 0; fn < n; fn++)); do
		fns+=("$fn")
	done
	trap "unwire ${fns[*]}" EXIT
	virtio_load
	for fn in "${fns[@]}"; do
		wire_add "m$fn" "$fn" max_vqp 4 || fail "cannot add m$fn"
	done
	# virtio-net enables one pair per CPU.
	if command -v ethtool >/dev/null; then
		find_netdevs "${fns[@]}" || fail "no netdevs"
		for fn in "${fns[@]}"; do
			ethtool -L "${NDS[fn]}" combined 4 &
			pids[fn]=$!
		done
		for fn in "${fns[@]}"; do
			wait "${pids[fn]}" || fail "m$fn: ethtool -L ${NDS[fn]} combined 4 failed"
		done
	fi
	wire_ns "${fns[@]}" || fail "cannot wire the devices"
	for fn in "${fns[@]}"; do
		ip netns exec "g$fn" ping -c 2 -i 0.2 -W 5 -q "10.9.$fn.2" >/dev/null &
		pids[fn]=$!
	done
	for fn in "${fns[@]}"; do
		wait "${pids[fn]}" || fail "m$fn: no ping"
	done
	if command -v ethtool >/dev/null; then
		expect_eq "functions using 4 pairs" "$(grep -c '^  rx: pairs 4 ' "$SNIC_DEBUGFS")" $n
	fi
}

# Frames a guest receives: by destination MAC, as the driver programs the
# NIC through the control queue (MAC_ADDR_SET, RX PROMISC and ALLMULTI,
# MAC_TABLE_SET).  The representor's static neighbour
# entry sends the guest's pings to a given MAC; the guest's rx_packets
# shows which reach it.
test_cvq_rx_filter() {
	local nd n=20 mac=02:00:00:00:01:00 d rx mc to=

	# N pings from the representor to MAC; set d to the growth of the
	# guest's rx_packets since the last call.
	pings_to() { # MAC
		local r
		[ "$1" = "$to" ] ||
			ip -n h0 neigh replace 10.9.0.1 lladdr "$1" dev snic0f0 nud permanent
		to=$1
		ip netns exec h0 ping -c $n -i 0.01 -W 0.1 -q 10.9.0.1 >/dev/null 2>&1 || true
		r=$(link_stat g0 "$nd" rx packets)
		d=$((r - rx))
		rx=$r
	}

	nd=$(wire c0 0) || fail "cannot wire c0"
	trap 'unwire 0' EXIT
	ip netns exec g0 ping -c 1 -W 5 10.9.0.2 >/dev/null || fail "no ping"
	# Once up, the driver turns the NIC's promiscuous default off.
	wait_model_rx 0 '^pairs 1 offloads [0-9a-fx]+ uc'
	# MAC_ADDR_SET: the NIC takes the new MAC, the old one is foreign.
	ip -n g0 link set "$nd" address "$mac"
	expect_re "model" "$(<"$SNIC_DEBUGFS")" "mac $mac "
	ip -n h0 neigh flush dev snic0f0
	ip netns exec h0 ping -c 2 -i 0.2 -W 5 10.9.0.1 >/dev/null ||
		fail "no ping to the guest's new MAC"
	ip netns exec g0 ping -c 2 -i 0.2 -W 5 10.9.0.2 >/dev/null ||
		fail "no ping from the guest's new MAC"
	# A foreign unicast MAC: dropped, unless promiscuous.
	rx=$(link_stat g0 "$nd" rx packets)
	pings_to 02:00:00:00:00:00
	[ "$d" -le 2 ] || fail "$d frames to a foreign MAC reached the guest"
	ip -n g0 link set "$nd" promisc on
	wait_model_rx 0 ' promisc'
	pings_to 02:00:00:00:00:00
	[ "$d" -ge $n ] || fail "promiscuous: $d of $n frames to a foreign MAC reached the guest"
	ip -n g0 link set "$nd" promisc off
	wait_model_rx 0 '^pairs 1 offloads [0-9a-fx]+ uc'
	# A multicast group the guest did not join: dropped, unless allmulti
	# or in the MAC table (MAC_TABLE_SET).
	pings_to 01:00:5e:7f:01:02
	[ "$d" -le 2 ] || fail "$d frames to an unjoined group reached the guest"
	ip -n g0 link set "$nd" allmulticast on
	wait_model_rx 0 ' allmulti'
	pings_to 01:00:5e:7f:01:02
	[ "$d" -ge $n ] || fail "allmulti: $d of $n frames to a group reached the guest"
	ip -n g0 link set "$nd" allmulticast off
	wait_model_rx 0 '^pairs 1 offloads [0-9a-fx]+ uc'
	[[ $(model_rx 0) =~ \ mc\ ([0-9]+)\  ]] || fail "no mc table in '$(model_rx 0)'"
	mc=${BASH_REMATCH[1]}
	ip -n g0 maddr add 01:00:5e:7f:01:02 dev "$nd"
	wait_model_rx 0 " mc $((mc + 1)) "
	pings_to 01:00:5e:7f:01:02
	[ "$d" -ge $n ] || fail "joined: $d of $n frames to a group reached the guest"
	# A second unicast address: in the MAC table too.
	bridge -n g0 fdb add 02:00:00:00:02:00 dev "$nd" self permanent
	wait_model_rx 0 " uc 1 "
	pings_to 02:00:00:00:02:00
	[ "$d" -ge $n ] || fail "MAC table: $d of $n frames to a second address reached the guest"
	# Every command the driver sent was taken.
	expect_eq "cvq error_desc" "$(vq_errors c0 2)" 0
}

# pktgen is a module of the stock kernel; the test kernel has none.
# Returns 1 (and says why) where the kernel has no pktgen at all.
pktgen_load() {
	[ -d /proc/net/pktgen ] && return
	if ! modinfo pktgen >/dev/null 2>&1; then
		echo "skip: this kernel has no pktgen (CONFIG_NET_PKTGEN)"
		return 1
	fi
	modprobe pktgen || fail "modprobe pktgen failed"
}

# Write pktgen commands, a line each, into /proc/net/pktgen/FILE in netns
# NS, in one process; fail with pktgen's answer on the first refused.
pg() { # NS FILE CMD...
	local ns=$1 f=/proc/net/pktgen/$2
	shift 2
	ip netns exec "$ns" bash -c '
		f=$1
		shift
		for c in "$@"; do
			echo "$c" >"$f" 2>/dev/null && continue
			echo "pktgen refused \"$c\": $(grep -m1 "^Result:" "$f")" >&2
			exit 1
		done' pg "$f" "$@"
}

# pktgen into the representor, on every one of its transmit queues
# (queue_map_min/max: pktgen calls ndo_start_xmit on the queue it picks,
# past ndo_select_queue), while the guest uses one queue pair of a
# max_vqp 4 device: every frame reaches the guest.  (virtio-net keeps
# the rings of the pairs it stops running, so frames steered there
# arrive too: the case where those queues do not run, MQ not
# negotiated, is the KUnit case snic_vq_rx_any_port_queue.)  Then with "burst 8",
# which makes pktgen hand the same skb to the driver 8 times (only to
# netdevs with IFF_TX_SKB_SHARING: the representor queues skbs, it must
# not have it), while the guest takes no frames, and the device deleted
# with frames waiting in its backlog: no kernel report.
test_pktgen_representor() {
	local nd n=2000 rx0 rx1 drop0 drop1 out i
	pktgen_load || return 0
	nd=$(wire k0 0 max_vqp 4) || fail "cannot wire k0"
	trap 'unwire 0' EXIT
	# virtio-net starts with a pair per CPU.
	out=$(ip netns exec g0 ethtool -l "$nd")
	[[ $out =~ Current\ hardware\ settings:.*Combined:[[:space:]]+1($'\n'|$) ]] ||
		ip netns exec g0 ethtool -L "$nd" combined 1 ||
		fail "ethtool -L $nd combined 1 failed"
	wait_model_rx 0 "^pairs 1 "
	ip netns exec g0 ping -c 1 -W 5 10.9.0.2 >/dev/null || fail "no ping"
	# Only pktgen's frames from here on: no IPv6 chatter from the stack
	# (one such frame was once dropped while pktgen filled the backlog).
	ip netns exec h0 sysctl -qw net.ipv6.conf.snic0f0.disable_ipv6=1
	ip netns exec g0 sysctl -qw "net.ipv6.conf.$nd.disable_ipv6=1"

	pg h0 kpktgend_0 "rem_device_all" "add_device snic0f0"
	pg h0 snic0f0 "count $n" "pkt_size 60" "delay 0" "dst 10.9.0.1" \
		"dst_mac 02:00:00:00:00:00" "queue_map_min 0" "queue_map_max 3"
	rx0=$(link_stat g0 "$nd" rx packets)
	drop0=$(link_stat h0 snic0f0 tx dropped)
	pg h0 pgctrl start
	out=$(ip netns exec h0 cat /proc/net/pktgen/snic0f0)
	expect_re "pktgen" "$out" "Result: OK: .* usec, $n \\("
	# The last frames may still be on their way.
	for ((i = 0; i < 50; i++)); do
		rx1=$(link_stat g0 "$nd" rx packets)
		[ $((rx1 - rx0)) -lt $n ] || break
		sleep 0.1
	done
	drop1=$(link_stat h0 snic0f0 tx dropped)
	echo "measure: pktgen on 4 transmit queues, 1 pair in use: $((rx1 - rx0)) of $n frames reached the guest, $((drop1 - drop0)) dropped"
	expect_eq "frames the representor dropped" $((drop1 - drop0)) 0
	# IPv6 autoconfiguration may add a few.
	[ $((rx1 - rx0)) -ge $n ] && [ $((rx1 - rx0)) -le $((n + 6)) ] ||
		fail "$((rx1 - rx0)) of $n frames reached the guest"

	# The guest takes no more frames: they wait in the NIC's backlog.
	ip -n g0 link set "$nd" down
	if pg h0 snic0f0 "burst 8" 2>/dev/null; then
		echo "the representor takes pktgen's burst 8 (shared skbs)"
	else
		echo "burst 8 refused: the representor does not share skbs"
	fi
	pg h0 snic0f0 "count 0"
	ip netns exec h0 bash -c 'echo start >/proc/net/pktgen/pgctrl' &
	sleep 2
	pg h0 pgctrl stop
	wait
	out=$(ip netns exec h0 cat /proc/net/pktgen/snic0f0)
	expect_re "pktgen" "$out" "Result: OK: "
	echo "measure: pktgen with the guest down: ${out##*Result: }"
	# Deleted (reset first) with frames in the backlog.
	"$VDPA" dev del k0
}
