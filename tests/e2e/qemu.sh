# SPDX-License-Identifier: GPL-2.0
# e2e: a nested QEMU guest on the device through vhost_vdpa, as a VM runs
# on it: the guest's virtio-net NIC is the vdpa device, its peer is the
# representor in the rig VM.  The guest's shell is driven over its serial
# console (see qg_sh), QEMU over its monitor (qg_mon).

QG=/tmp/qg		# the running guest's files: console pipes and logs
QG_IP=10.9.0.1		# the guest
QH_IP=10.9.0.2		# the rig VM, on the representor

# Boot the nested guest on vhost-vdpa device $1 with virtio-net MAC $2 and
# $3 queue pairs, its NIC at $QG_IP/24 (scripts/initramfs/guest-init);
# return once its shell runs.  QEMU's pid is in $QG/pid.  QG_MQ=off
# boots it with virtio-net's mq=off (VIRTIO_NET_F_MQ not offered).
qg_boot() { # VHOST-DEV MAC PAIRS
	local kd initrd start
	kd=$(kernel_dir guest)
	initrd=$("$SNIC_TOP/scripts/mkinitramfs" guest)
	[ -e "$kd/bzImage" ] || fail "no guest kernel: run scripts/setup"
	rm -rf "$QG"
	mkdir -p "$QG"
	mkfifo "$QG/con.in" "$QG/con.out" "$QG/mon.in" "$QG/mon.out"
	: >"$QG/console"
	start=$(date +%s.%N)
	# vhost-vdpa pins guest memory: lift the 8 MiB default.
	(ulimit -l unlimited && exec qemu-system-x86_64 -accel tcg -cpu "$SNIC_RIG_CPU" -m 256 \
		-display none -vga none -nic none -no-reboot \
		-serial "pipe:$QG/con" -monitor "pipe:$QG/mon" \
		-netdev "type=vhost-vdpa,vhostdev=$1,id=n0" \
		-device "virtio-net-pci,netdev=n0,mac=$2,mq=${QG_MQ:-on},vectors=$((2 * $3 + 2))" \
		-kernel "$kd/bzImage" -initrd "$initrd" \
		-append "console=ttyS0 quiet snic_ip=$QG_IP/24 panic=-1" \
		</dev/null >"$QG/qemu.log" 2>&1) &
	echo $! >"$QG/pid"
	# QEMU opens both pipes read-write: neither open below blocks.
	cat "$QG/con.out" >"$QG/console" &
	cat "$QG/mon.out" >"$QG/monitor" &
	exec {QG_FD}<>"$QG/con.in" {QG_MON}<>"$QG/mon.in"
	qg_wait "snic-guest: up after" 120 ||
		fail "guest did not come up: $(cat "$QG/qemu.log"; qg_console | tail -n 30)"
	echo "measure: nested guest on vhost-vdpa: shell after $(elapsed "$start") s" \
		"(guest clock $(qg_console | sed -n 's/.*snic-guest: up after \([0-9.]*\) s.*/\1/p'))"
}

qg_console() { tr -d '\r' <"$QG/console"; }

# Wait up to $2 seconds for a console line matching regex $1.
qg_wait() { # REGEX SECS
	local i pid
	read -r pid <"$QG/pid"
	for ((i = 0; i < $2 * 5; i++)); do
		grep -Eq -- "$1" "$QG/console" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# Run a command line in the guest's shell (default limit 60 s); print its
# output and return its status.  Markers around it are split by empty
# quotes, so that the shell's echo of the line never matches them.
qg_sh() { # [-t SECS] COMMAND-LINE
	local t=60 n rc
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	# Counted in a file: callers may run this in a command substitution.
	n=$(($(cat "$QG/n" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$QG/n"
	printf '%s\n' "echo '<''<$n'; $*; echo \">>\"'$n':\$?" >&"$QG_FD"
	qg_wait "^>>$n:[0-9]+" "$t" || fail "guest: '$*' did not finish in $t s:
$(qg_console | tail -n 20)"
	qg_console | sed -n "/^<<$n\$/,/^>>$n:/p" | sed '1d;$d'
	rc=$(qg_console | sed -n "s/^>>$n:\([0-9]*\).*/\1/p")
	return "$rc"
}

# A command to QEMU's monitor (HMP); its answers go to $QG/monitor.
qg_mon() { printf '%s\n' "$*" >&"$QG_MON"; }

# Stop the guest: a reboot, which -no-reboot turns into QEMU's exit.
qg_stop() {
	local pid i
	[ -e "$QG/pid" ] || return 0
	pid=$(cat "$QG/pid")
	printf 'reboot -f\n' >&"$QG_FD" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	exec {QG_FD}>&- {QG_MON}>&-
	rm -f "$QG/pid"
}

# completed_desc of queue $2 of vdpa device $1 (vendor stats, printed
# as "... completed_desc N ...").
vq_completed() { # DEV QIDX
	"$VDPA" dev vstats show "$1" qidx "$2" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "completed_desc") print $(i + 1) }'
}

# Send $1 UDP datagrams to the guest, each from a new socket (a new
# source port: a new flow, which the NIC steers by hash).
udp_flows() { # N
	local i
	for i in $(seq "$1"); do
		echo "flow $i" >"/dev/udp/$QG_IP/$((7000 + i))"
	done
}

# Frames that receive queues 0 and 2 of q0 completed since they stood at
# $1 and $2.
rx_seen() { # RXQ0 RXQ2
	echo $(($(vq_completed q0 0) - $1 + $(vq_completed q0 2) - $2))
}

# Wait up to 20 s until receive queues 0 and 2 of q0 completed $3 frames
# since they stood at $1 and $2.
rx_wait() { # RXQ0 RXQ2 N
	local i
	for i in $(seq 40); do
		[ "$(rx_seen "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.5
	done
	return 1
}

# With one pair in use, 32 flows into the representor all reach receive
# queue 0 of q0.
flows_on_one_pair() { # WHEN
	local a b
	a=$(vq_completed q0 0)
	b=$(vq_completed q0 2)
	udp_flows 32
	rx_wait "$a" "$b" 32 || fail "32 flows over one pair ($1): $(rx_seen "$a" "$b") frames arrived"
	expect_eq "rxq 2 with one pair ($1)" "$(vq_completed q0 2)" "$b"
}

# Wait up to 30 s until function 0 of the NIC has device status $1.
nic_status_wait() { # STATUS
	local i
	for i in $(seq 60); do
		grep -q "^function 0: status $1 " /sys/kernel/debug/snic_model/nic0/functions &&
			return 0
		sleep 0.5
	done
	return 1
}

# The "rx:" line of function 0 in the NIC's debugfs: its receive filter
# and the queue pairs in use.
nic_rx() { grep -m 1 '^  rx: ' /sys/kernel/debug/snic_model/nic0/functions; }

test_nested_guest_vhost_vdpa() {
	local mac=52:54:00:00:00:10 mac2=52:54:00:00:00:1a dev out t0 a b c
	local nicfs=/sys/kernel/debug/snic_model/nic0/functions
	# QEMU maps guest RAM per contiguous run of pinned pages: far more
	# than vhost_vdpa's default of 2048 entries when RAM is fragmented.
	rmmod vhost_vdpa 2>/dev/null || true
	modprobe vhost_vdpa max_iotlb_entries=131072
	"$VDPA" dev add name q0 mgmtdev "$MGMT" mac "$mac" max_vqp 2
	trap 'qg_stop; "$VDPA" dev del q0 2>/dev/null; rmmod vhost_vdpa 2>/dev/null' EXIT
	dev=$(ls -d /sys/bus/vdpa/devices/q0/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$dev" ] || fail "q0 is not bound to vhost_vdpa"
	ip addr add "$QH_IP/24" dev snic0f0
	ip link set snic0f0 up

	qg_boot "/dev/$(basename "$dev")" "$mac" 2
	out=$(cat "$nicfs")
	expect_match "NIC status" "$out" "^function 0: status 0x0f "
	expect_match "NIC queues" "$out" "vq 4: size [0-9]+ ready running"

	# (1) Link, and pings both ways.
	t0=$(date +%s.%N)
	qg_sh true
	echo "measure: one command through the guest's console: $(elapsed "$t0") s"
	out=$(qg_sh "cat /sys/class/net/eth0/carrier /sys/class/net/eth0/address") ||
		fail "guest: no eth0"
	expect_eq "guest carrier and MAC" "$(echo $out)" "1 $mac"
	t0=$(date +%s.%N)
	qg_sh -t 90 "ping -c 3 -W 20 $QH_IP" || fail "the guest cannot ping the host"
	echo "measure: guest pings host: 3 replies after $(elapsed "$t0") s"
	t0=$(date +%s.%N)
	ping -c 3 -i 0.5 -W 10 "$QG_IP" || fail "the host cannot ping the guest"
	echo "measure: host pings guest: 3 replies after $(elapsed "$t0") s"

	# (2) A new MAC, set through the CVQ (MAC_ADDR_SET): the NIC filters
	# by it, so frames to the new MAC arrive and frames to the old don't.
	t0=$(date +%s.%N)
	qg_sh "ip link set eth0 address $mac2" || fail "guest: cannot change its MAC"
	echo "measure: guest MAC change through the CVQ: $(elapsed "$t0") s"
	expect_match "NIC MAC" "$(cat "$nicfs")" "^  mac $mac2 "
	expect_match "NIC filter" "$(nic_rx)" "^  rx: pairs [0-9]+ offloads 0x[0-9a-f]+ uc"
	ip neigh flush dev snic0f0
	ping -c 3 -i 0.5 -W 10 "$QG_IP" || fail "the host cannot ping the guest at its new MAC"
	expect_match "host's neighbour" "$(ip neigh show "$QG_IP" dev snic0f0)" "lladdr $mac2"
	qg_sh -t 60 "ping -c 2 -W 20 $QH_IP" || fail "the guest cannot ping the host after its MAC change"
	ip neigh replace "$QG_IP" lladdr "$mac" dev snic0f0 nud permanent
	if ping -c 2 -i 0.5 -W 2 "$QG_IP"; then
		fail "frames to the old MAC still reach the guest"
	fi
	ip neigh del "$QG_IP" dev snic0f0

	# (3) Queue pairs through the CVQ (MQ_VQ_PAIRS_SET): the one-CPU guest
	# starts with one; frames go to receive queue 2 only while it uses two.
	# Counters are read once the pairs in use are what the guest set.
	expect_match "pairs at boot" "$(nic_rx)" "^  rx: pairs 1 "
	ping -c 1 -W 10 "$QG_IP" >/dev/null || fail "no traffic before the pairs test"
	flows_on_one_pair "boot"
	t0=$(date +%s.%N)
	out=$(qg_sh "time -p ethtool -L eth0 combined 2 2>&1") ||
		fail "guest: ethtool -L eth0 combined 2 failed: $out"
	echo "measure: ethtool -L combined 2: $(elapsed "$t0") s," \
		"$(sed -n 's/^real /in the guest /p' <<<"$out") s"
	expect_match "pairs after combined 2" "$(nic_rx)" "^  rx: pairs 2 "
	a=$(vq_completed q0 0)
	b=$(vq_completed q0 2)
	udp_flows 32
	rx_wait "$a" "$b" 32 || fail "32 flows over two pairs: $(rx_seen "$a" "$b") frames arrived"
	c=$(vq_completed q0 2)
	[ "$c" -gt "$b" ] || fail "rxq 2 carried no frame with two pairs"
	echo "measure: 32 flows over two pairs: rxq 0 $(($(vq_completed q0 0) - a)), rxq 2 $((c - b)) frames"
	qg_sh "ethtool -L eth0 combined 1" || fail "guest: ethtool -L eth0 combined 1 failed"
	expect_match "pairs after combined 1" "$(nic_rx)" "^  rx: pairs 1 "
	flows_on_one_pair "combined 1"

	# (4) The VM paused and resumed (HMP stop, cont).  QEMU 7.2 stops the
	# device with a reset, then reads each ring's position: the driver
	# must not answer 0 there, or the rings restart from their beginning
	# at cont (the CVQ then reads stale buffers: NEEDS_RESET).
	qg_mon stop
	nic_status_wait 0x03 || fail "stop: the device was not reset: $(cat "$nicfs")"
	t0=$(date +%s.%N)
	qg_mon cont
	nic_status_wait 0x0f || fail "cont: the device did not restart: $(cat "$nicfs")"
	ping -c 1 -W 20 "$QG_IP" >/dev/null || fail "the host cannot ping the guest after stop, cont"
	echo "measure: cont to the host's first reply from the guest: $(elapsed "$t0") s"
	qg_sh -t 60 "ping -c 2 -W 20 $QH_IP" || fail "the guest cannot ping the host at the end"
	qg_sh "ethtool -L eth0 combined 2" || fail "guest: no CVQ after stop, cont"
	expect_match "pairs after stop, cont" "$(nic_rx)" "^  rx: pairs 2 "
	out=$(cat "$nicfs")
	if grep -Eq "ERROR|failed" <<<"$out"; then
		fail "NIC reports an error: $out"
	fi
	qg_stop
	expect_match "NIC after the guest" "$(cat "$nicfs")" "^function 0: status 0x00 "
}
