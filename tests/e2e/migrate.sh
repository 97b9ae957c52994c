# SPDX-License-Identifier: GPL-2.0
# e2e: live migration of a nested guest between two snic devices through
# vhost_vdpa and QEMU: 7.2 with x-svq=on (shadow virtqueues for the
# guest's lifetime), 10.0 in passthrough (shadow virtqueues only while a
# migration runs), and 7.2 with x-svq=off, "native": the data path stays
# in passthrough throughout and the NIC's own dirty-page log tells QEMU
# what it wrote (patches/linux/: the drop-in vhost_vdpa on the stock
# kernel, Documentation/dirty-log.rst).  Beside each, the same guest on a
# plain tap NIC, migrated the same way, is the baseline the numbers are
# compared with.
#
# Topology in the rig VM: vdpa devices m0 and m1 (functions 0 and 1 of NIC
# 0, both with MAC $MG_MAC), bound to vhost_vdpa; their representors
# snic0f0 and snic0f1 are ports of bridge br0, which holds $MG_HIP.  The
# guest ($MG_GIP) runs on one device, its destination QEMU is started with
# -incoming on the other; every hop starts a new destination QEMU.  The
# host pings the guest every 20 ms throughout, and during each hop the
# guest and the host send each other a UDP stream whose every datagram
# is checked against its sequence number (tests/stream/snic-stream.c): a
# page the destination never got shows as a corrupt datagram.
#
# Each QEMU is driven over QMP on a TCP port with bash's /dev/tcp (no QMP
# client is needed), the guest over its serial console.
#
# Cases (named nested_guest_* so that the test-kernel VM skips them):
#   nested_guest_migrate_qemu72, nested_guest_migrate_qemu10: round trips
#     on tap, then on the snic devices; "measure:" lines per hop and a
#     summary with the vdpa/tap ratios.
#   nested_guest_migrate_native_qemu72: round trips with the device's
#     dirty log, on a device without CTRL_VQ (QEMU 7.2 restores no
#     control queue state without shadowing it) and so with one queue
#     pair (VIRTIO_NET_F_MQ requires CTRL_VQ, virtio 1.3 5.1.3.1); each
#     hop must have started the source's log (a kprobe on
#     DIRTY_LOG_START) and kept the destination in passthrough.
#   nested_guest_migrate_abort_qemu72, nested_guest_migrate_abort_qemu10:
#     a cancelled migration, a killed destination, a killed source; the
#     devices are reused after each.
#
# SNIC_MIGRATE_ROUNDS=N round trips per case (default 1); make check runs
# one round trip on the snic devices alone (SNIC_MIGRATE_KINDS=vdpa), the
# full report is scripts/bench-migration (make bench-migration).
# SNIC_QEMU72=PATH runs that QEMU for 7.2 instead of Debian's binary:
# bench-migration and make soak set it to scripts/qemu72, QEMU 7.2 with
# patches/qemu-7.2/ (the fix of its shadow-virtqueue stop race, which
# crashes Debian's binary in x-svq=on hops; only with Debian's binary is
# that crash tolerated and the hop retried, mg_qemu72_svq_crash).
# Debugging aids: SNIC_MIGRATE_KINDS="vdpa" (no tap baseline),
# SNIC_MIGRATE_QEMU_ARGS (added to every QEMU), SNIC_MIGRATE_LOG_DROP=N
# (the native case on a NIC whose log leaves out every page whose number
# is a multiple of N, debugfs log_drop: the fault the case must catch),
# SNIC_MIGRATE_XTRACE=1
# (bash trace into $SNIC_JOB/migrate.xtrace).  SNIC_MIGRATE_TPUT=1 (set by
# bench-migration) adds the guest's throughput to each hop: a third
# stream, from the guest as fast as it can send, whose arrivals the host
# counts per 100 ms, MG_TPUT_BASE seconds before the migration starts
# (the baseline) and during the precopy (the migration's total time less
# its downtime), and that stops MG_TPUT_RUN seconds after the migrate
# command; progress goes live to
# $SNIC_JOB/migrate.log, and a failed case leaves QEMU logs, consoles,
# traces and dmesg in $SNIC_JOB/migrate/.

MG=/tmp/mg			# one directory per QEMU instance, logs
MG_GIP=10.9.0.1			# the guest
MG_HIP=10.9.0.2			# the rig VM, on br0
MG_MAC=52:54:00:00:00:20	# the vdpa devices' and the guest NIC's MAC
MG_GMAC=52:54:00:00:00:2a	# the MAC the guest sets before migrating
MG_PAIRS=2			# queue pairs of the devices and of the guest NIC
MG_PPS=50			# datagrams per second of each stream
MG_SIZE=1200			# bytes of each datagram
MG_TPUT=${SNIC_MIGRATE_TPUT:-}	# measure the guest's throughput per hop
MG_TPUT_BASE=3			# seconds of it measured before each hop
MG_TPUT_RUN=10			# seconds it runs from the migrate command on
MG_TPUT_SIZE=1472		# bytes of its datagrams (1500-byte frames)
MG_NICFS=/sys/kernel/debug/snic_model/nic0/functions
# Features QEMU 7.2's shadow virtqueue accepts: the defaults without
# CTRL_GUEST_OFFLOADS, CTRL_RX, CTRL_VLAN, CTRL_RX_EXTRA, INDIRECT_DESC.
MG_FEATURES_72=0x320c399ab
# QEMU 10.0 switches to shadow virtqueues when a migration starts and
# refuses it ("SVQ Invalid device feature flags") if the device offers
# INDIRECT_DESC: the defaults without it.
MG_FEATURES_10=0x320df99af
# The native case: MG_FEATURES_72 without CTRL_VQ and what needs it
# (CTRL_RX, CTRL_VLAN, GUEST_ANNOUNCE, MQ, CTRL_MAC_ADDR).
MG_FEATURES_NATIVE=0x3200199ab

# State of the running case (each case runs in its own subshell).
MG_N=0		# QEMU instances started
MG_CUR=		# the instance running the guest
MG_CON=		# fd of its console input
MG_PING=	# pid of the host's ping
MG_TX=		# pid of the host's stream sender
MG_RX=		# pid of the host's stream receiver
MG_TRX=		# pid of the host's throughput receiver
MG_STREAM=	# the host's snic-stream
MG_S=()		# the last streams' counts (mg_stream_stop)
MG_S_IN=	# and the guest receiver's report
MG_ST0=		# when they started
MG_ST1=		# when they stopped
MG_NATIVE=	# the case migrates with the device's dirty log
MG_HOP=0	# hops so far
MG_WANT_MAC=	# what the guest set before migrating
MG_WANT_PAIRS=
MG_WANT_PROMISC=
MG_CRASHED=	# the last hop lost the guest to QEMU 7.2's SVQ stop race

mg_rounds() { echo "${SNIC_MIGRATE_ROUNDS:-1}"; }

# Progress, in the case's log and, live, in the rig VM's job directory.
mg_log() {
	printf '[%(%T)T] %s\n' -1 "$*" | tee -a "${SNIC_JOB:-$MG}/migrate.log"
}

# Progress in the live log only (the steps after each hop: where a slow
# guest spends its time).
mg_note() {
	printf '[%(%T)T] %s\n' -1 "$*" >>"${SNIC_JOB:-$MG}/migrate.log"
}

# ---------------------------------------------------------------- QEMU

# Start QEMU instance q<N+1>: QEMU VER (7.2 or 10.0) with the guest NIC
# on NET (/dev/vhost-vdpa-N or tap:IFNAME), waiting for a migration with
# "incoming".  Its name goes to MG_LAST; returns once QMP answers.
mg_qemu() { # VER NET [incoming]
	local ver=$1 net=$2 inc=${3:-} id d netdev i
	local -a qemu args
	MG_N=$((MG_N + 1))
	id=q$MG_N
	d=$MG/$id
	mkdir -p "$d"
	mkfifo "$d/con.in" "$d/con.out"
	case "$ver" in
	7.2) qemu=("${SNIC_QEMU72:-qemu-system-x86_64}") ;;
	10.0) qemu=("$SNIC_TOP/scripts/qemu10" -audio none) ;;
	*) fail "unknown QEMU version $ver" ;;
	esac
	case "$net" in
	tap:*) netdev="type=tap,id=n0,ifname=${net#tap:},script=no,downscript=no,queues=$MG_PAIRS" ;;
	*) netdev="type=vhost-vdpa,vhostdev=$net,id=n0"
	   if [ -n "$MG_NATIVE" ]; then
		netdev+=",x-svq=off"
	   elif [ "$ver" = 7.2 ]; then
		netdev+=",x-svq=on"
	   fi ;;
	esac
	args=(-accel tcg -cpu "$SNIC_RIG_CPU" -m 256 -display none -vga none -monitor none
		-nic none -no-reboot -serial "pipe:$d/con"
		-qmp "tcp:127.0.0.1:$((4500 + MG_N)),server=on,wait=off"
		-netdev "$netdev"
		-device "virtio-net-pci,id=nic0,netdev=n0,mac=$MG_MAC,mq=$( ((MG_PAIRS > 1)) && echo on || echo off),vectors=$((2 * MG_PAIRS + 2))"
		-kernel "$(kernel_dir guest)/bzImage" -initrd "$MG_INITRD"
		-append "console=ttyS0 quiet no_timer_check snic_ip=$MG_GIP/24 panic=-1")
	[ -z "$inc" ] || args+=(-incoming "tcp:127.0.0.1:$((4600 + MG_N))")
	# A debugging aid, e.g. SNIC_MIGRATE_QEMU_ARGS="-trace vhost_vdpa_*".
	args+=(${SNIC_MIGRATE_QEMU_ARGS:-})
	echo "$ver" >"$d/ver"
	echo "$net" >"$d/net"
	# vhost-vdpa pins guest memory: lift the 8 MiB default.  A crash
	# leaves a core for mg_qemu72_svq_crash to look at.
	(ulimit -l unlimited && ulimit -c unlimited && exec "${qemu[@]}" "${args[@]}") </dev/null >"$d/qemu.log" 2>&1 &
	echo $! >"$d/pid"
	# QEMU opens both pipes read-write: this never blocks.
	cat "$d/con.out" >"$d/console" &
	MG_LAST=$id
	mg_log "$id: QEMU $ver on $net${inc:+, incoming}: pid $(cat "$d/pid")"
	for ((i = SECONDS + 300; SECONDS < i; )); do
		if mg_qmp "$id" '{"execute":"query-status"}' >/dev/null 2>&1; then
			# The binary the wrappers exec, for a core's backtrace.
			readlink "/proc/$(mg_pid "$id")/exe" >"$d/exe" || true
			return 0
		fi
		mg_alive "$id" || break
		sleep 0.2
	done
	fail "QEMU $id ($ver on $net) did not start: $(cat "$d/qemu.log")"
}

mg_pid() { cat "$MG/$1/pid"; }
mg_alive() { kill -0 "$(mg_pid "$1")" 2>/dev/null; }
# Whether process PID is gone or a zombie (dead, not yet waited for):
# kill -0 still reaches a zombie.
mg_dead() { # PID
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}

# What became of instance ID, for a failure message: alive, or how it
# ended (exit status or signal), then the end of its QEMU log and of its
# guest's console (a guest that panics makes QEMU exit: -no-reboot).
mg_fate() { # ID
	local pid rc=0 i
	pid=$(mg_pid "$1")
	if ! mg_dead "$pid"; then
		echo "$1 (pid $pid) is alive"
	else
		# Status 127: not a child of this shell, nothing to tell.
		wait "$pid" 2>/dev/null || rc=$?
		if [ "$rc" = 127 ]; then
			echo "$1 (pid $pid) has exited"
		elif ((rc > 128)); then
			echo "$1 (pid $pid) was killed by signal $((rc - 128))"
		else
			echo "$1 (pid $pid) exited with status $rc"
		fi
	fi
	echo "--- $1: the end of its QEMU log"
	tail -n 20 "$MG/$1/qemu.log" || true
	echo "--- $1: the end of its guest's console"
	tr -d '\r' <"$MG/$1/console" | tail -n 40 || true
	for i in "$MG"/core.*; do
		if [ -e "$i" ]; then
			echo "--- a core: $i"
		fi
	done
	if [ -s "$MG/core.$pid" ] && [ -s "$MG/$1/exe" ]; then
		echo "--- $1: its core's innermost frames"
		gdb -batch -nx -ex bt "$(cat "$MG/$1/exe")" "$MG/core.$pid" 2>/dev/null |
			grep '^#[0-9]' | uniq | head -n 12 || true
	fi
	# The cases run with set -e: this report must not end them.
	return 0
}

# Send QMP commands to instance ID, each after the previous one's answer;
# print the last answer (one JSON line), skipping events.  Fails if QEMU
# does not answer or answers with an error.
mg_qmp() { # ID JSON...
	local port=$((4500 + ${1#q})) fd line cmd
	shift
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
	if ! read -r -t 10 line <&"$fd"; then
		exec {fd}>&-
		return 1
	fi
	for cmd in '{"execute":"qmp_capabilities"}' "$@"; do
		printf '%s\n' "$cmd" >&"$fd"
		while read -r -t 30 line <&"$fd"; do
			case "$line" in *'"return"'*|*'"error"'*) break ;; esac
		done
	done
	exec {fd}>&-
	printf '%s\n' "$line"
	case "$line" in *'"return"'*) return 0 ;; esac
	return 1
}

# Stop instance ID: QMP quit, then SIGKILL if it lingers.
mg_quit() { # ID
	local pid i
	[ -e "$MG/$1/pid" ] || return 0
	pid=$(mg_pid "$1")
	# It may have exited already (a failed incoming migration).
	mg_qmp "$1" '{"execute":"quit"}' >/dev/null 2>&1 || true
	for ((i = SECONDS + 20; SECONDS < i; )); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$MG/$1/pid"
}

# ------------------------------------------------------------ the guest

# The console of the running guest; its input goes to instance ID.
mg_switch() { # ID
	[ -z "$MG_CON" ] || exec {MG_CON}>&-
	exec {MG_CON}<>"$MG/$1/con.in"
	MG_CUR=$1
}

mg_console() { tr -d '\r' <"$MG/$MG_CUR/console"; }

# Wait up to $2 seconds (wall clock: polls are slow on a loaded host)
# for a line of the guest's console matching $1.
mg_wait() { # REGEX SECS
	local end=$((SECONDS + $2)) kick=$((SECONDS + 5))
	while ((SECONDS < end)); do
		grep -Eq -- "$1" "$MG/$MG_CUR/console" && return 0
		mg_alive "$MG_CUR" || return 1
		# After a migration the guest's serial output sometimes stalls
		# (with tap as well): an empty input line, an RX interrupt,
		# gets its transmitter going again.
		if ((SECONDS >= kick)); then
			printf '\n' >&"$MG_CON"
			kick=$((SECONDS + 5))
		fi
		sleep 0.2
	done
	grep -Eq -- "$1" "$MG/$MG_CUR/console"
}

# What a guest whose shell stopped answering is doing: its CPU and local
# APIC as QEMU sees them, then what an interrupt (^C) to the foreground
# command lets through.
mg_stuck_why() {
	local c
	echo "--- QEMU's info lapic, registers, irq:"
	for c in "info lapic" "info registers" "info irq"; do
		mg_qmp "$MG_CUR" "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$c\"}}" |
			jq -r '.return // .' 2>/dev/null | head -n 40
	done
	printf '\003' >&"$MG_CON"
	sleep 20
	printf 'echo "after ^C: $(cat /proc/uptime)"; cat /proc/interrupts; ps\n' >&"$MG_CON"
	sleep 30
	echo "--- after ^C:"
	mg_console | tail -n 60
}

# Run a command line in the guest's shell; print its output and return
# its status (as tests/e2e/qemu.sh's qg_sh, on the current instance).
mg_sh() { # [-t SECS] COMMAND-LINE
	local t=180 n rc
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	n=$(($(cat "$MG/n" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$MG/n"
	# One line: the shell must not run a part while the tty still echoes
	# the rest.
	printf '%s\n' "echo '<''<$n'; $(tr '\n\t' '  ' <<<"$*"); echo \">>\"'$n':\$?" >&"$MG_CON"
	mg_wait "^>>$n:[0-9]+" "$t" || fail "guest on $MG_CUR: '$*' did not finish in $t s:
$(mg_console | tail -n 20)
$(mg_stuck_why)"
	mg_console | sed -n "/^<<$n\$/,/^>>$n:/p" | sed '1d;$d'
	rc=$(mg_console | sed -n "s/^>>$n:\([0-9]*\).*/\1/p")
	return "$rc"
}

# Whether the current guest's kernel died in start_kernel(), before init.
mg_early_death() {
	local con
	con=$(mg_console)
	grep -q 'start_kernel' <<<"$con" && grep -q 'end trace' <<<"$con" &&
		! grep -q 'snic-guest' <<<"$con"
}

# Boot the guest on a new QEMU VER with its NIC on NET; set the MAC, the
# queue pairs and promiscuous mode that must survive the migrations.
mg_boot() { # VER NET
	local start cur
	start=$(date +%s.%N)
	mg_qemu "$1" "$2"
	mg_switch "$MG_LAST"
	mg_log "$MG_CUR: booting"
	if ! mg_wait "snic-guest: up after" 600; then
		mg_early_death ||
			fail "guest did not come up: $(cat "$MG/$MG_CUR/qemu.log"; mg_console | tail -n 30)"
		# Seen once on a loaded host: the guest kernel oopsed in
		# start_kernel() (IO-APIC setup), before any device ran.  That
		# says nothing of the NIC: boot once more, and say so.
		echo "measure: qemu $1: the guest kernel died in start_kernel(), booted again"
		mg_quit "$MG_CUR"
		mg_qemu "$1" "$2"
		mg_switch "$MG_LAST"
		mg_log "$MG_CUR: booting again"
		mg_wait "snic-guest: up after" 600 ||
			fail "guest did not come up: $(cat "$MG/$MG_CUR/qemu.log"; mg_console | tail -n 30)"
	fi
	echo "measure: qemu $1, guest on ${2#/dev/}: shell after $(elapsed "$start") s"
	if [ -n "$MG_NATIVE" ]; then
		# No control queue: the guest can change none of these on the
		# device; what it has from boot must hold.
		MG_WANT_MAC=$MG_MAC MG_WANT_PAIRS=1 MG_WANT_PROMISC=0
		mg_guest_check "after boot"
		mg_sh "ping -c 2 -W 30 $MG_HIP >/dev/null" || fail "the guest cannot ping the host"
		mg_neigh_pin
		return 0
	fi
	MG_WANT_MAC=$MG_GMAC
	# Not the default channel count, so that a lost setting shows.
	cur=$(mg_sh "ethtool -l eth0" | awk '/^Current/ { c = 1 } c && /^Combined/ { print $2 }')
	MG_WANT_PAIRS=$((cur == 1 ? 2 : 1))
	MG_WANT_PROMISC=1
	mg_sh "ip link set eth0 address $MG_GMAC && ethtool -L eth0 combined $MG_WANT_PAIRS &&
		ip link set eth0 promisc on" || fail "guest could not set MAC, channels and promisc"
	mg_guest_check "after boot"
	# The host learns the new MAC.
	mg_sh "ping -c 2 -W 30 $MG_HIP >/dev/null" || fail "the guest cannot ping the host"
	mg_neigh_pin
}

# The rig VM's ARP entry for the guest, made permanent.  An outage longer
# than the entry's probes (a hop's is 3-6 s) leaves it unresolved: the
# host's datagrams then wait in the neighbour's queue until the guest
# answers an ARP request, and Linux sends that queue with the lock
# dropped between packets, so that datagrams sent meanwhile overtake it.
# A make check saw this as "16 datagrams out of order", with pings
# answered 1.1 s late in a burst.  The streams must show what the NIC and
# the migration do to the frames, not the host's ARP.
mg_neigh_pin() {
	ip neigh replace "$MG_GIP" lladdr "$MG_WANT_MAC" dev br0 nud permanent
}

# The guest still has the MAC, channels and RX mode it set.
mg_guest_check() { # WHEN
	local out
	out=$(mg_sh "cat /sys/class/net/eth0/address /sys/class/net/eth0/flags;
		ethtool -l eth0 | awk '/^Current/ { c = 1 } c && /^Combined/ { print \$2 }'") ||
		fail "guest: no eth0 $1"
	set -- "$1" $out
	expect_eq "guest MAC $1" "$2" "$MG_WANT_MAC"
	expect_eq "guest promisc flag $1" "$((($3 & 0x100) != 0))" "$MG_WANT_PROMISC"
	expect_eq "guest channels $1" "$4" "$MG_WANT_PAIRS"
}

# What the NIC holds for the function behind NET (debugfs): "mac M pairs
# P [promisc]".
mg_nic_state() { # NET
	local port
	port=snic0f$(mg_fn "$1")
	awk -v port="$port" '
		/^function/ { f = 0 }
		/^  mac / && $NF == port { f = 1; mac = $2 }
		f && /^  rx: / { printf "mac %s pairs %s%s\n", mac, $3, / promisc/ ? " promisc" : ""; f = 0 }
	' "$MG_NICFS"
}

# Function number of the vdpa device at NET (/dev/vhost-vdpa-N).
mg_fn() { # NET
	local d
	for d in m0 m1; do
		if [ -e "/sys/bus/vdpa/devices/$d/$(basename "$1")" ]; then
			echo "${d#m}"
			return
		fi
	done
	fail "no vdpa device has $1"
}

# The NIC function behind NET holds what the guest set.  QEMU 7.2 hides
# CTRL_RX from the guest, and the native case's device has none: there
# the NIC stays promiscuous from reset.
mg_nic_check() { # NET WHEN
	local want="mac $MG_WANT_MAC pairs $MG_WANT_PAIRS promisc"
	expect_eq "NIC function of $(basename "$1") $2" "$(mg_nic_state "$1")" "$want"
}

# -------------------------------------------------------- measurements

# The host's pings, every 20 ms, with timestamps, for the whole case.
mg_ping_start() {
	stdbuf -oL ping -D -n -i 0.02 -W 1 "$MG_GIP" >"$MG/ping.log" 2>&1 &
	MG_PING=$!
}

mg_ping_stop() {
	kill "$MG_PING" 2>/dev/null || true
	wait "$MG_PING" 2>/dev/null || true
	MG_PING=
}

# Wait until the guest answers a ping sent after time T (date +%s.%N);
# print the time of that reply.
mg_ping_after() { # T [SECS]
	local i r
	for ((i = SECONDS + ${2:-30}; SECONDS < i; )); do
		r=$(awk -v t="$1" -F'[][]' '/bytes from/ && $2 > t { print $2; exit }' "$MG/ping.log")
		if [ -n "$r" ]; then
			echo "$r"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# Longest gap between ping replies (ms), pings lost, and the time the
# guest did not answer (ms: the gaps' excess over the 20 ms interval,
# counting gaps over 60 ms), between times T0 and T1: "GAP_MS LOST
# AWAY_MS".
mg_ping_gap() { # T0 T1
	sed -nE 's/^\[([0-9.]+)\] [0-9]+ bytes from .* icmp_seq=([0-9]+) .*/\1 \2/p' "$MG/ping.log" |
		awk -v t0="$1" -v t1="$2" '
			$1 < t0 || $1 > t1 { next }
			n++ && $1 - pt > gap { gap = $1 - pt }
			n > 1 && $1 - pt > 0.06 { away += $1 - pt - 0.02 }
			n > 1 && $2 > ps + 1 { lost += $2 - ps - 1 }
			{ pt = $1; ps = $2 }
			END { printf "%d %d %d\n", gap * 1000, lost, away * 1000 }'
}

# The host's snic-stream (tests/stream; the guest's is in its initramfs).
mg_stream_bin() {
	c_tool "$SNIC_TOP/tests/stream/snic-stream.c" "$SNIC_TOP/build/stream/snic-stream"
}

# Checked UDP streams both ways: the guest's to the host's port 5201, the
# host's to the guest's port 5202, MG_PPS datagrams of MG_SIZE bytes per
# second each.
mg_stream_start() {
	local n0 i
	"$MG_STREAM" recv "$MG_HIP" 5201 >"$MG/rx-$MG_HOP" 2>&1 &
	MG_RX=$!
	# Each sender starts once its receiver listens: a datagram sent
	# before would count as lost.
	for ((i = SECONDS + 30; SECONDS < i; )); do
		grep -q '^listening' "$MG/rx-$MG_HOP" && break
		sleep 0.1
	done
	n0=$(mg_udp_in)
	MG_ST0=$(date +%s.%N)
	mg_sh "(snic-stream recv $MG_GIP 5202 >/tmp/rx 2>&1 &);
		i=0; while ! grep -q '^listening' /tmp/rx && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done;
		(snic-stream send $MG_HIP 5201 $MG_PPS $MG_SIZE >/tmp/tx 2>&1 &)" >/dev/null
	"$MG_STREAM" send "$MG_GIP" 5202 "$MG_PPS" "$MG_SIZE" >"$MG/tx-$MG_HOP" 2>&1 &
	MG_TX=$!
	# Flowing: the host received a second's worth of datagrams.
	for ((i = SECONDS + 180; SECONDS < i; )); do
		(($(mg_udp_in) >= n0 + MG_PPS)) && break
		sleep 0.5
	done
	(($(mg_udp_in) >= n0 + MG_PPS)) ||
		fail "the guest's stream did not start: $(mg_sh "cat /tmp/tx")"
	[ -n "$MG_TPUT" ] || return 0
	"$MG_STREAM" recv "$MG_HIP" 5203 100 >"$MG/tput-$MG_HOP" 2>&1 &
	MG_TRX=$!
	for ((i = SECONDS + 30; SECONDS < i; )); do
		grep -q '^listening' "$MG/tput-$MG_HOP" && break
		sleep 0.1
	done
	# It stops itself once the migration is over: a guest that sends as
	# fast as it can under TCG has no time left for the checks' commands.
	mg_sh "( (snic-stream send $MG_HIP 5203 100000 $MG_TPUT_SIZE >/tmp/tput 2>&1 & sleep $((MG_TPUT_BASE + MG_TPUT_RUN)); kill -INT \$! 2>/dev/null) >/dev/null 2>&1 &)" >/dev/null
}

# The guest's throughput, "BEFORE PRECOPY" (Mbit/s of datagrams the host
# received): in the MG_TPUT_BASE seconds before T0, and from T0 (the
# migrate command) to the end of the precopy (TC, the end of the
# migration, less the downtime); counted in the 100 ms buckets of the
# host's receiver whose middle falls in each window.
mg_tput() { # FILE T0 TC DOWNTIME-MS
	awk -v t0="$2" -v tc="$3" -v down="$4" -v base="$MG_TPUT_BASE" -v size="$MG_TPUT_SIZE" '
		function rate(a, b,   i, m, n) {
			for (i = 4; i <= NF; i++) {
				m = start + (i - 4 + 0.5) * ms / 1000
				if (m >= a && m < b)
					n += $i
			}
			return b > a ? n * size * 8 / 1e6 / (b - a) : -1
		}
		/^buckets / { start = $2; ms = $3
			printf "%.1f %.1f\n", rate(t0 - base, t0), rate(t0, tc - down / 1000); found = 1 }
		END { if (!found) print "-1 -1" }' "$1"
}

# UDP datagrams the host received so far.
mg_udp_in() { awk '/^Udp:/ && n++ { print $2 }' /proc/net/snmp; }

# Field NAME of a receiver's report line (0 without one).  An empty
# LINE is one empty line to awk: 0 too, or the sums below fail.
mg_stream_field() { # LINE NAME
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { v = $(i + 1); exit } } END { print (v == "" ? 0 : v) }' <<<"$1"
}

# Stop both streams; MG_S=(RECEIVED LOST REORDERED CORRUPT LEAST):
# datagrams received both ways, the larger of the two losses, reordered
# and corrupt ones both ways, and the fewer received of the two
# directions.  A loss is what its sender sent and its receiver did not
# get intact: each sender stops first, its receiver a second later.  The
# reports go to $MG/stream-$MG_HOP.  With --guest-gone (its QEMU died)
# only the host's end stops.
mg_stream_stop() {
	local out in hs gs g h
	MG_S=(0 0 0 0 0)
	MG_S_IN=
	MG_ST1=$(date +%s.%N)
	kill -INT "$MG_TX" 2>/dev/null || true
	wait "$MG_TX" 2>/dev/null || true
	MG_TX=
	# A guest under TCG that has just migrated is slow: everything it
	# runs is translated afresh, by the nested QEMU and then by the rig
	# VM's.  This command took 40-60 s in a rig VM alone on the host,
	# over 90 s with a host core busy.
	if [ "${1:-}" != --guest-gone ]; then
		mg_sh -t 300 "killall -INT snic-stream; sleep 1; cat /tmp/tx /tmp/rx" \
			>"$MG/guest-stream-$MG_HOP" || true
	else
		# Its QEMU crashed: the guest's side reports nothing.
		: >"$MG/guest-stream-$MG_HOP"
	fi
	kill -INT "$MG_RX" $MG_TRX 2>/dev/null || true
	wait "$MG_RX" $MG_TRX 2>/dev/null || true
	MG_RX= MG_TRX=
	out=$(grep -m1 '^received' "$MG/rx-$MG_HOP" || true)
	in=$(grep -m1 '^received' "$MG/guest-stream-$MG_HOP" || true)
	hs=$(awk '/^sent/ { print $2; exit }' "$MG/tx-$MG_HOP" || true)
	gs=$(awk '/^sent/ { print $2; exit }' "$MG/guest-stream-$MG_HOP" || true)
	echo "guest to host: sent ${gs:-?}, ${out:-no report}; host to guest: sent ${hs:-?}, ${in:-no report}" \
		>"$MG/stream-$MG_HOP"
	MG_S_IN=$in
	g=$(mg_stream_field "$out" received) h=$(mg_stream_field "$in" received)
	set -- $((${gs:-0} - g)) $((${hs:-0} - h))
	MG_S=($((g + h)) $(($1 > $2 ? $1 : $2))
		$(($(mg_stream_field "$out" reordered) + $(mg_stream_field "$in" reordered)))
		$(($(mg_stream_field "$out" corrupt) + $(mg_stream_field "$in" corrupt)))
		$((g < h ? g : h)))
}

# The streams' reports, for a failure message.
mg_stream_why() {
	cat "$MG/stream-$MG_HOP" 2>/dev/null
}

# Whether every datagram the guest received out of order (REPORT, its
# receiver's; each is listed in "late", up to 16) is one of the first the host sent after a run of lost ones
# (the outage), within a quarter of a second of it.  QEMU 7.2 starts the
# destination device with DRIVER_OK and only then sets its queue pairs
# through the CVQ (it knows no VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK).
# In between, the device uses one pair (virtio: the first until
# VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET), so the first datagrams after the
# outage land in receive queue 0 and the rest of their flow, hashed over
# two pairs, in another queue.  The resumed guest polls the queues in
# turn, 64 frames each (NAPI's budget), and may take the other queue's
# first: virtio-net orders frames only within a queue.  Any other
# datagram out of order fails.
mg_steered() { # REPORT
	awk -v win=$((MG_PPS / 4)) '
	{ for (i = 1; i < NF; i++) { if ($i == "runs") runs = $(i + 1); if ($i == "late") late = $(i + 1); if ($i == "reordered") o = $(i + 1) } }
	END {
		if (late == "" || late == "-" || runs == "" || runs == "-")
			exit 1
		m = split(runs, r, ",")
		for (j = 1; j <= m; j++) {
			split(r[j], x, "+")
			end[j] = x[1] + x[2]
		}
		n = split(late, l, ",")
		if (o != n)
			exit 1
		for (i = 1; i <= n; i++) {
			split(l[i], y, "<")
			ok = 0
			for (j = 1; j <= m; j++)
				if (y[1] >= end[j] && y[1] < end[j] + win)
					ok = 1
			if (!ok)
				exit 1
		}
	}' <<<"$1"
}

# The checks on the streams' report (MG_S), for WHAT: they flowed both
# ways, nothing corrupt or reordered (but with "steered", what
# mg_steered explains), and losses only while the guest did
# not answer the host's pings (the sum of the ping gaps in the streams'
# time: the switchover, and the moments the nested guest stalls under
# TCG).
mg_stream_check() { # WHAT [steered]
	local away steer=${2:-}
	away=$(mg_ping_gap "$MG_ST0" "$MG_ST1" | awk '{ print $3 }')
	set -- "$1" "${MG_S[@]}"
	[ "$6" -gt 0 ] || fail "$1: a stream did not flow: $(mg_stream_why)"
	[ "$5" = 0 ] || fail "$1: $5 corrupt datagrams: $(mg_stream_why)"
	if [ "$4" != 0 ]; then
		[ -n "$steer" ] && [ "$(mg_stream_field "$MG_S_IN" reordered)" = "$4" ] &&
			mg_steered "$MG_S_IN" ||
			fail "$1: $4 datagrams out of order: $(mg_stream_why)"
		mg_log "$1: $4 datagram(s) to the guest out of order, each among the first after the outage: steered by one queue pair before QEMU 7.2 restored the pair count"
	fi
	[ "$3" -le $((away * MG_PPS / 1000 + 5)) ] ||
		fail "$1: $3 datagrams lost, more than the $away ms the guest did not answer pings explain: $(mg_stream_why)"
}

# Kernel probes on the NIC commands that start and stop a function, to
# time suspend and the device's part of the outage.
MG_TR=/sys/kernel/tracing
mg_trace_start() {
	local p
	[ -e "$MG_TR/kprobe_events" ] || MG_TR=/sys/kernel/debug/tracing
	# Whatever an interrupted run left.
	mg_trace_stop || fail "could not remove the probes: $(cat "$MG_TR/kprobe_events")"
	echo 0 >"$MG_TR/tracing_on"
	grep -qw tai "$MG_TR/trace_clock" && echo tai >"$MG_TR/trace_clock"
	echo 8192 >"$MG_TR/buffer_size_kb"
	for p in 'p:mg/suspend snic_vdpa:snic_hw_fn_suspend fn=%si:u16' \
		 'r:mg/suspend_ret snic_vdpa:snic_hw_fn_suspend ret=$retval:s32' \
		 'p:mg/resume snic_vdpa:snic_hw_fn_resume fn=%si:u16' \
		 'p:mg/reset snic_vdpa:snic_hw_fn_reset fn=%si:u16' \
		 'r:mg/reset_ret snic_vdpa:snic_hw_fn_reset ret=$retval:s32' \
		 'p:mg/status snic_vdpa:snic_hw_fn_set_status fn=%si:u16 status=%dx:u8' \
		 'p:mg/vq_create snic_vdpa:snic_hw_vq_create fn=%si:u16 qid=%dx:u16' \
		 'p:mg/vq_ready snic_vdpa:snic_hw_vq_set_ready fn=%si:u16 qid=%dx:u16 ready=%cx:u8' \
		 'p:mg/map snic_vdpa:snic_hw_iotlb_map fn=%si:u16 asid=%dx:u16' \
		 'r:mg/map_ret snic_vdpa:snic_hw_iotlb_map ret=$retval:s32' \
		 'p:mg/log_start snic_vdpa:snic_hw_log_start fn=%si:u16' \
		 'p:mg/log_sync snic_vdpa:snic_hw_log_sync fn=%si:u16' \
		 'r:mg/log_sync_ret snic_vdpa:snic_hw_log_sync ret=$retval:s32'; do
		echo "$p" >>"$MG_TR/kprobe_events" || fail "kprobe '$p' refused"
	done
	echo 1 >"$MG_TR/events/mg/enable"
	echo >"$MG_TR/trace"
	echo 1 >"$MG_TR/tracing_on"
}

# Remove the probes (a kretprobe is listed as "rN:", N its maxactive).
mg_trace_stop() {
	[ -e "$MG_TR/events/mg/enable" ] || return 0
	echo 0 >"$MG_TR/events/mg/enable"
	echo >"$MG_TR/trace"
	grep -oE '^[pr][0-9]*:mg/[a-z_]+' "$MG_TR/kprobe_events" | sed -E 's/^[pr][0-9]*:/-:/' |
		while read -r p; do echo "$p" >>"$MG_TR/kprobe_events"; done
	[ ! -e "$MG_TR/events/mg/enable" ]
}

# The trace so far as "SECONDS PID EVENT fn=F ..." lines (realtime
# seconds), and empty it.
mg_trace_take() {
	local off
	# The trace clock's offset from the realtime clock.
	echo "mg-sync $(date +%s.%N)" >"$MG_TR/trace_marker"
	off=$(sed -nE 's/.* ([0-9]+\.[0-9]+): tracing_mark_write: mg-sync ([0-9.]+)$/\1 \2/p' \
		"$MG_TR/trace" | tail -n 1 | awk '{ printf "%.6f", $1 - $2 }')
	sed -nE 's/^.*-([0-9]+) +\[[0-9]+\] +[^ ]+ +([0-9]+\.[0-9]+): ([a-z_]+): \([^)]*\)(.*)$/\2 \1 \3\4/p' \
		"$MG_TR/trace" | awk -v off="${off:-0}" '{ $1 = sprintf("%.6f", $1 - off); print }'
	echo >"$MG_TR/trace"
}

# From the trace of a hop of QEMU VER from function SF to function DF:
# "SUSPEND_MS RESET_MS PAUSE_MS MAPS MAP_MS NIC_MS LOGS SYNCS SYNC_MS": how long the source's last
# suspend (QEMU 10) and the reset that stopped it took; the device pause,
# from the source's stop (that suspend; for 7.2, its first reset) to the
# destination's data path started for the last time (DRIVER_OK, a queue
# created or made ready); the destination's IOTLB maps in that pause, the
# time from the first to the last, and the time spent in their IOTLB_MAP
# commands (the rest is vhost_vdpa pinning the pages, and QEMU); the
# DIRTY_LOG_STARTs of the source, its DIRTY_LOG_SYNCs and their time.
mg_trace_hop() { # FILE VER SF DF
	awk -v ver="$2" -v sf="$3" -v df="$4" '
		function arg(k,   i) {
			for (i = 4; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		{ n++; t[n] = $1; pid[n] = $2; ev[n] = $3; fn[n] = arg("fn")
		  st[n] = arg("status"); rdy[n] = arg("ready") }
		# The return of the call at line i: the next return of its pid.
		function ret(i, name,   j) {
			for (j = i + 1; j <= n; j++)
				if (ev[j] == name && pid[j] == pid[i])
					return t[j] - t[i]
			return 0
		}
		END {
			for (i = 1; i <= n; i++) {
				if (ev[i] == "suspend" && fn[i] == sf)
					sus = i
				if (ev[i] == "log_start" && fn[i] == sf)
					logs++
				if (ev[i] == "log_sync" && fn[i] == sf) {
					syncs++
					sync += ret(i, "log_sync_ret")
				}
				if (ev[i] == "reset" && fn[i] == sf &&
				    (ver == "7.2" ? !rst : sus && i > sus && !rst))
					rst = i
			}
			stop = ver == "7.2" ? rst : sus
			for (i = stop + 1; stop && i <= n; i++) {
				if (fn[i] != df)
					continue
				if (ev[i] == "vq_create" || (ev[i] == "vq_ready" && rdy[i] == 1) ||
				    (ev[i] == "status" && int(st[i] / 4) % 2 == 1))
					ready = i
				if (ev[i] == "map") {
					if (!m0)
						m0 = i
					m1 = i
					maps++
					nic += ret(i, "map_ret")
				}
			}
			printf "%.2f %.2f %.0f %d %.0f %.1f %d %d %.2f\n",
				sus ? ret(sus, "suspend_ret") * 1000 : -1,
				rst ? ret(rst, "reset_ret") * 1000 : -1,
				stop && ready ? (t[ready] - t[stop]) * 1000 : -1,
				maps, m0 ? (t[m1] - t[m0]) * 1000 : 0, nic * 1000, logs,
				syncs, sync * 1000
		}' "$1"
}

# ----------------------------------------------------------- migration

# The rig VM's CPU time so far: "BUSY TOTAL" (clock ticks, all CPUs).
mg_cpu() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

# Percent of the CPUs busy between two mg_cpu readings.
mg_cpu_busy() { # "BUSY TOTAL" "BUSY TOTAL"
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.0f\n", (y[2] > x[2]) ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0 }'
}

# Poll query-migrate on instance ID until the migration ends (or SECS
# pass); print its last answer's "return" object.
mg_migrate_wait() { # ID SECS
	local i out st
	for ((i = SECONDS + $2; SECONDS < i; )); do
		out=$(mg_qmp "$1" '{"execute":"query-migrate"}') || break
		st=$(jq -r '.return.status' <<<"$out")
		case "$st" in completed|failed|cancelled) break ;; esac
		sleep 0.2
	done
	jq -c '.return // .' <<<"${out:-{\}}"
}

mg_migrate_cmd() { # DST-ID
	echo "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:$((4600 + ${1#q}))\"}}"
}

# Whether instance ID's data queue 0 runs in passthrough: the NIC's queue
# is the guest's ring (same addresses), not a shadow virtqueue.
mg_passthrough() { # ID NET
	local gdesc ndesc
	gdesc=$(mg_qmp "$1" '{"execute":"x-query-virtio-queue-status","arguments":{"path":"/machine/peripheral/nic0/virtio-backend","queue":0}}' |
		jq -r '.return["vring-desc"]')
	ndesc=$(awk -v port="snic0f$(mg_fn "$2")" '
		/^function/ { f = 0 } /^  mac / && $NF == port { f = 1 }
		f && /^  vq 0:/ { for (i = 1; i < NF; i++) if ($i == "desc") print $(i + 1) }' "$MG_NICFS")
	[ -n "$gdesc" ] && [ -n "$ndesc" ] && [ "$((gdesc))" = "$((ndesc))" ]
}

# Whether instance ID died of the QEMU 7.2 bug that a migration with
# x-svq=on runs into when the device completes a buffer while QEMU stops
# the VM: vhost_vdpa_dev_start(false) stops and frees each shadow
# virtqueue (vhost_svq_stop) while the device still runs (7.2 resets it
# only after the last one, and never suspends it), but leaves the
# handler of the device's call eventfd registered; a call signalled in
# that window runs vhost_svq_handle_call -> vhost_svq_flush on the
# stopped queue (its rings already freed), and virtqueue_fill() or
# virtqueue_flush() dereferences its NULL VirtQueue: which one depends on
# whether the freed used ring still shows a buffer.
# Any vhost-vdpa device that interrupts then hits it; QEMU 8.0 and later
# suspend (or reset) the device before stopping the shadow queues.  The
# evidence is the core: SIGSEGV with virtqueue_fill or virtqueue_flush
# innermost.
mg_qemu72_svq_crash() { # ID
	local pid rc core i bt
	pid=$(mg_pid "$1")
	# Only Debian's binary has the bug: a crash of the patched one
	# (SNIC_QEMU72) fails the case like any other.
	[ "$(cat "$MG/$1/ver")" = 7.2 ] && [ -z "${SNIC_QEMU72:-}" ] || return 1
	# Dead; not while it still writes its core.
	for ((i = SECONDS + 120; SECONDS < i; )); do
		mg_dead "$pid" && break
		sleep 0.2
	done
	mg_dead "$pid" || return 1
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	rm -f "$MG/$1/pid"
	core=$MG/core.$pid
	[ "$rc" = 139 ] && [ -s "$core" ] || return 1
	bt=$(gdb -batch -nx -ex bt "$(command -v qemu-system-x86_64)" "$core" 2>/dev/null |
		grep '^#[0-9]')
	rm -f "$core"
	mg_log "$1 died of SIGSEGV: $(head -n 4 <<<"$bt" | tr '\n' ' ')"
	grep -qE '^#0 .* in virtqueue_(fill|flush) ' <<<"$bt"
}

# Migrate the guest to a new QEMU (same version) with its NIC on NET,
# check that everything holds, and measure; the result goes as one line
# to $MG/results: KIND HOP DOWNTIME TOTAL SETUP PING_GAP PINGS_LOST
# PACKETS LOST OOO SUSPEND RESET PAUSE MAPS MAP_MS NIC_MS LOGS SYNCS
# SYNC_MS CPU TPUT_BEFORE TPUT_PRECOPY (milliseconds; CPU: the rig VM's
# CPUs busy during the migration, percent; TPUT: mg_tput, Mbit/s, -1 if
# not measured).
mg_hop() { # NET KIND
	local net=$1 kind=$2 src=$MG_CUR ver dst t0 tc tp st gap tr=(-1 -1 -1 0 0 0 0 0 0) s c0 cpu tput=(-1 -1)
	local i ans steer
	ver=$(cat "$MG/$src/ver")
	MG_HOP=$((MG_HOP + 1))
	mg_qemu "$ver" "$net" incoming
	dst=$MG_LAST
	mg_stream_start
	mg_note "hop $MG_HOP: streams flowing"
	[ "$kind" = tap ] || mg_trace_take >/dev/null
	[ -z "$MG_TPUT" ] || sleep "$MG_TPUT_BASE"
	t0=$(date +%s.%N)
	c0=$(mg_cpu)
	mg_log "hop $MG_HOP: $src -> $dst: migrate"
	mg_qmp "$src" "$(mg_migrate_cmd "$dst")" >/dev/null ||
		fail "hop $MG_HOP: migrate refused: $(mg_qmp "$src" "$(mg_migrate_cmd "$dst")")"
	st=$(mg_migrate_wait "$src" 600)
	tc=$(date +%s.%N)
	cpu=$(mg_cpu_busy "$c0" "$(mg_cpu)")
	mg_log "hop $MG_HOP: $st"
	MG_CRASHED=
	if [ "$(jq -r .status <<<"$st")" != completed ] && mg_qemu72_svq_crash "$src"; then
		mg_stream_stop --guest-gone >/dev/null
		mg_quit "$dst"
		MG_CRASHED=1
		echo "crash $MG_HOP" >>"$MG/results"
		echo "measure: qemu $ver $kind hop $MG_HOP ($(sed 's,.*/,,' "$MG/$src/net") -> ${net##*/}):" \
			"the source QEMU crashed (SIGSEGV in virtqueue_fill/flush: QEMU 7.2's shadow virtqueue stop race)"
		return 0
	fi
	[ "$(jq -r .status <<<"$st")" = completed ] ||
		fail "hop $MG_HOP ($src -> $dst): migration did not complete: $st
source: $(cat "$MG/$src/qemu.log")
destination: $(cat "$MG/$dst/qemu.log")"
	# The source completes once it has sent everything; the destination
	# runs once it has loaded it.
	for ((i = SECONDS + 60; SECONDS < i; )); do
		ans=$(mg_qmp "$dst" '{"execute":"query-status"}') || true
		grep -q '"status": *"running"' <<<"$ans" && break
		mg_alive "$dst" || break
		sleep 0.5
	done
	if ! grep -q '"status": *"running"' <<<"$ans"; then
		# Not in $(): only this shell can wait for its QEMUs.
		mg_fate "$dst" >"$MG/fate"
		fail "hop $MG_HOP: destination not running: $ans
$(cat "$MG/fate")"
	fi
	mg_quit "$src"
	mg_switch "$dst"
	tp=$(mg_ping_after "$tc" 60) ||
		fail "hop $MG_HOP: the guest does not answer pings after migrating to $net"
	mg_note "hop $MG_HOP: the guest answers pings"
	sleep 0.5
	gap=$(mg_ping_gap "$t0" "$(echo "$tp + 0.4" | bc)")
	[ "$kind" = tap ] || tr=($(mg_trace_take >"$MG/trace-$MG_HOP"; mg_trace_hop \
		"$MG/trace-$MG_HOP" "$ver" "$(mg_fn "$(cat "$MG/$src/net")")" "$(mg_fn "$net")"))
	mg_note "hop $MG_HOP: trace taken"
	mg_stream_stop
	mg_note "hop $MG_HOP: streams stopped"
	s=("${MG_S[@]}")
	[ -z "$MG_TPUT" ] || tput=($(mg_tput "$MG/tput-$MG_HOP" "$t0" "$tc" "$(jq -r .downtime <<<"$st")"))
	mg_guest_check "after hop $MG_HOP"
	mg_note "hop $MG_HOP: guest checked"
	if [ "$kind" = vdpa ]; then
		mg_nic_check "$net" "after hop $MG_HOP"
		if { [ "$ver" = 10.0 ] || [ -n "$MG_NATIVE" ]; } && ! mg_passthrough "$dst" "$net"; then
			fail "hop $MG_HOP: destination not in passthrough: $(cat "$MG_NICFS")"
		fi
		[ -z "$MG_NATIVE" ] || [ "${tr[6]}" -gt 0 ] ||
			fail "hop $MG_HOP: the source's dirty log was never started (no DIRTY_LOG_START): $(cat "$MG/$src/qemu.log")"
	fi
	# QEMU 7.2 with shadow virtqueues sets the destination's queue pairs
	# after DRIVER_OK (mg_steered).
	steer=
	[ "$kind" != vdpa ] || [ "$ver" != 7.2 ] || [ -n "$MG_NATIVE" ] ||
		[ "$MG_WANT_PAIRS" -le 1 ] || steer=steered
	mg_stream_check "hop $MG_HOP" $steer
	set -- $gap
	echo "$kind $MG_HOP $(jq -r '"\(.downtime) \(."total-time") \(."setup-time")"' <<<"$st")" \
		"$1 $2 ${s[0]} ${s[1]} ${s[2]} ${tr[*]} $cpu ${tput[*]}" >>"$MG/results"
	echo "measure: qemu $ver $kind hop $MG_HOP ($(cat "$MG/$src/net" | sed 's,.*/,,') -> ${net##*/}):" \
		"downtime $(jq -r .downtime <<<"$st") ms, total $(jq -r '."total-time"' <<<"$st") ms," \
		"ping gap $1 ms ($2 lost), streams: ${s[1]} lost of ${s[0]}, ${s[3]} corrupt" \
		"$([ "$kind" = tap ] || echo ", suspend ${tr[0]} ms, reset ${tr[1]} ms, device pause ${tr[2]} ms, ${tr[3]} maps in ${tr[4]} ms (${tr[5]} ms in IOTLB_MAP), ${tr[6]} dirty log starts, ${tr[7]} log syncs in ${tr[8]} ms")," \
		"CPU busy $cpu %," \
		"$([ -z "$MG_TPUT" ] || echo "guest sends ${tput[0]} Mbit/s before, ${tput[1]} Mbit/s in precopy,")" \
		"$(jq -r '.ram | "\(.transferred / 1048576 | floor) MiB at \(.mbps | floor) Mbit/s"' <<<"$st")"
}

# ---------------------------------------------------------- the cases

mg_setup() { # [DEVICE-FEATURES]
	local i
	MG_INITRD=$("$SNIC_TOP/scripts/mkinitramfs" guest)
	MG_STREAM=$(mg_stream_bin) || fail "cannot build tests/stream/snic-stream.c"
	[ -e "$(kernel_dir guest)/bzImage" ] || fail "no guest kernel: run scripts/setup"
	rm -rf "$MG"
	mkdir -p "$MG"
	trap mg_cleanup EXIT
	# Where the case stopped when a command failed under set -e.
	set -E
	trap 'mg_log "line $LINENO: SIGPIPE"' PIPE
	if [ -n "${SNIC_MIGRATE_XTRACE:-}" ] && [ -n "${SNIC_JOB:-}" ]; then
		exec {BASH_XTRACEFD}>>"$SNIC_JOB/migrate.xtrace"
		set -x
	fi
	trap '[[ $BASH_COMMAND == @(exit|return)* ]] || mg_log "line $LINENO: \"$BASH_COMMAND\" failed (status $?)"' ERR
	# A signal ends the case too: say which, and where.
	for i in INT TERM HUP; do
		trap "mg_log \"line \$LINENO: SIG$i during \\\"\$BASH_COMMAND\\\"\"; exit 1" "$i"
	done
	# QEMU maps guest RAM per contiguous run of pinned pages.
	rmmod vhost_vdpa 2>/dev/null || true
	if [ -n "$MG_NATIVE" ]; then
		# The series' vhost_vdpa and a driver that offers its log
		# (tests/e2e/vmm.sh).
		vmm_log_vhost max_iotlb_entries=131072
		echo "${SNIC_MIGRATE_LOG_DROP:-0}" >"${MG_NICFS%/*}/log_drop"
	else
		modprobe vhost_vdpa max_iotlb_entries=131072
	fi
	for i in 0 1; do
		"$VDPA" dev add name "m$i" mgmtdev "$MGMT" mac "$MG_MAC" max_vqp "$MG_PAIRS" \
			${1:+device_features "$1"}
	done
	ip link add br0 type bridge stp_state 0 forward_delay 0
	for i in snic0f0 snic0f1; do
		ip link set "$i" master br0
		ip link set "$i" up
	done
	ip addr add "$MG_HIP/24" dev br0
	ip link set br0 up
	# Cores of crashed QEMUs (mg_qemu72_svq_crash), in the case's directory.
	cat /proc/sys/kernel/core_pattern >"$MG/core_pattern.saved"
	echo "$MG/core.%p" >/proc/sys/kernel/core_pattern
	mg_trace_start
}

mg_cleanup() {
	local rc=$? d i
	# Everything below is tried, whatever fails (the case ran with -e).
	set +e
	trap - ERR
	if [ $rc != 0 ] && [ -n "${SNIC_JOB:-}" ]; then
		# What a failure leaves for the host to read.
		mkdir -p "$SNIC_JOB/migrate"
		for d in "$MG"/q*; do
			[ -d "$d" ] || continue
			cp "$d/qemu.log" "$SNIC_JOB/migrate/${d##*/}.qemu.log" 2>/dev/null
			tr -d '\r' <"$d/console" >"$SNIC_JOB/migrate/${d##*/}.console" 2>/dev/null
		done
		cp "$MG"/trace-* "$MG"/stream-* "$MG"/ping.log "$MG"/results "$SNIC_JOB/migrate/" 2>/dev/null
		# The hops it completed, for bench-migration's table.
		if [ -n "${MG_CASE:-}" ] && [ -s "$MG/results" ]; then
			mkdir -p "$SNIC_JOB/migrate-results"
			cp "$MG/results" "$SNIC_JOB/migrate-results/${MG_CASE#test_}.failed"
		fi
		cat "$MG_NICFS" >"$SNIC_JOB/migrate/nic0" 2>/dev/null
		dmesg >"$SNIC_JOB/migrate/dmesg"
	fi
	[ -z "$MG_PING" ] || kill "$MG_PING" 2>/dev/null
	[ -z "$MG_TX" ] || kill -9 "$MG_TX" 2>/dev/null
	[ -z "$MG_RX" ] || kill -9 "$MG_RX" 2>/dev/null
	[ -z "$MG_TRX" ] || kill -9 "$MG_TRX" 2>/dev/null
	for d in "$MG"/q*; do
		[ -e "$d/pid" ] && kill -9 "$(cat "$d/pid")" 2>/dev/null
	done
	# Gone for sure before the devices go: vhost_vdpa waits for its users.
	for d in "$MG"/q*; do
		[ -e "$d/pid" ] || continue
		for ((i = SECONDS + 30; SECONDS < i; )); do
			[ -e "/proc/$(cat "$d/pid")" ] || break
			sleep 0.2
		done
	done
	if [ $rc != 0 ]; then
		mg_log "case failed (status $rc): $(grep -v '^\[' "/tmp/${MG_CASE:-}.log" 2>/dev/null | tail -n 20)"
		for d in /proc/[0-9]*; do
			ls -l "$d/fd" 2>/dev/null | grep -q vhost-vdpa &&
				mg_log "still holding a vhost-vdpa device: $(tr '\0' ' ' <"$d/cmdline")"
		done
	fi
	mg_trace_stop || mg_log "kprobes left behind: $(cat "$MG_TR/kprobe_events")"
	[ ! -s "$MG/core_pattern.saved" ] || cat "$MG/core_pattern.saved" >/proc/sys/kernel/core_pattern
	rm -f "$MG"/core.*
	ip link del mgtap0 2>/dev/null
	ip link del mgtap1 2>/dev/null
	ip link del br0 2>/dev/null
	"$VDPA" dev del m0 2>/dev/null
	"$VDPA" dev del m1 2>/dev/null
	rmmod vhost_vdpa 2>/dev/null
	true
}

mg_vhost_dev() { # VDPA-DEV
	local d
	d=$(ls -d "/sys/bus/vdpa/devices/$1"/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$d" ] || fail "$1 is not bound to vhost_vdpa"
	echo "/dev/$(basename "$d")"
}

# A hop that completes: after a crash of the source through QEMU 7.2's
# bug (mg_qemu72_svq_crash), a fresh guest boots on the device the
# crashed QEMU had (which shows that the device is reusable after it)
# and migrates again; at most 3 times.
mg_hop_sure() { # NET KIND
	local try src
	for ((try = 0; try < 3; try++)); do
		src=$(cat "$MG/$MG_CUR/net")
		mg_hop "$1" "$2"
		[ -n "$MG_CRASHED" ] || return 0
		mg_boot "$(cat "$MG/$MG_CUR/ver")" "$src"
		[ "$2" = tap ] || mg_nic_check "$src" "after boot"
	done
	fail "QEMU crashed in 3 attempts at the same hop"
}

# ROUNDS round trips of the guest on KIND (tap or vdpa) with QEMU VER.
mg_round_trips() { # VER KIND ROUNDS
	local a b r
	if [ "$2" = tap ]; then
		modprobe tun
		for a in mgtap0 mgtap1; do
			ip tuntap add dev "$a" mode tap $( ((MG_PAIRS > 1)) && echo multi_queue)
			ip link set "$a" master br0
			ip link set "$a" up
		done
		a=tap:mgtap0 b=tap:mgtap1
	else
		a=$(mg_vhost_dev m0) b=$(mg_vhost_dev m1)
	fi
	mg_boot "$1" "$a"
	[ "$2" = tap ] || mg_nic_check "$a" "after boot"
	mg_ping_start
	for ((r = 0; r < $3; r++)); do
		mg_hop_sure "$b" "$2"
		mg_hop_sure "$a" "$2"
	done
	mg_ping_stop
	mg_quit "$MG_CUR"
	if [ "$2" = tap ]; then
		ip link del mgtap0
		ip link del mgtap1
	fi
}

# Median, minimum and maximum of column COL of the results of KIND, with
# DIGITS decimals (default 0); negative values (not measured) left out.
mg_stat() { # KIND COL [DIGITS]
	awk -v k="$1" -v c="$2" '$1 == k && $c >= 0 { print $c }' "$MG/results" | sort -g |
		awk -v d="${3:-0}" '{ v[NR] = $1 } END {
			if (!NR) { print "- - -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			f = "%." d "f"
			printf f " " f " " f "\n", m, v[1], v[NR] }'
}

mg_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.2f", a / b; else print "-" }'; }

# The case's report: per metric, the median [min-max] over its hops on
# the snic devices and on tap, and the ratio of the medians.
mg_summary() { # VER
	local row col name dig v t
	mg_row() { printf 'measure: %-34s %-22s %-22s %s\n' "$@"; }
	mg_cell() { if [ "$1" = - ]; then echo -; else echo "$1 [$2-$3]"; fi; }
	echo "measure: qemu $1: $(grep -c '^vdpa ' "$MG/results" || true) hops on snic," \
		"$(grep -c '^tap ' "$MG/results" || true) on tap; median [min-max]"
	mg_row "metric" "snic vdpa" "tap (baseline)" "snic/tap"
	for row in "3:0:downtime (query-migrate), ms" "6:0:outage (ping gap), ms" \
		   "7:0:pings lost (every 20 ms)" "4:0:total migration time, ms" \
		   "9:0:stream datagrams lost" "11:2:suspend (FN_SUSPEND), ms" \
		   "12:2:reset of the source, ms" "13:0:device pause, ms" \
		   "14:0:destination IOTLB maps" "15:0:  taking, ms" \
		   "16:1:  of which IOTLB_MAP commands, ms" \
		   "17:0:dirty log starts (source)" "18:0:dirty log syncs (source)" \
		   "19:2:  taking, ms" "20:0:CPU busy while migrating, %" \
		   "21:1:guest throughput before, Mbit/s" \
		   "22:1:  during precopy, Mbit/s"; do
		col=${row%%:*} dig=${row#*:} name=${dig#*:} dig=${dig%%:*}
		v=($(mg_stat vdpa "$col" "$dig"))
		if ((col <= 10 || col >= 20)); then
			t=($(mg_stat tap "$col" "$dig"))
			mg_row "$name" "$(mg_cell "${v[@]}")" "$(mg_cell "${t[@]}")" \
				"$(mg_ratio "${v[0]}" "${t[0]}")"
		else
			mg_row "$name" "$(mg_cell "${v[@]}")" "-" "-"
		fi
	done
	v=$(grep -c '^crash ' "$MG/results" || true)
	[ "$v" = 0 ] ||
		echo "measure: qemu $1: the source QEMU crashed in $v more attempts (QEMU 7.2's shadow virtqueue stop race)"
}

mg_case() { # VER [DEVICE-FEATURES]
	local rounds kind
	MG_CASE=${FUNCNAME[1]}
	rounds=$(mg_rounds)
	mg_setup "${2:-}"
	# SNIC_MIGRATE_KINDS: a debugging aid, e.g. "vdpa" alone.
	for kind in ${SNIC_MIGRATE_KINDS:-tap vdpa}; do
		mg_round_trips "$1" "$kind" "$rounds"
	done
	mg_summary "$1"
	# For scripts/bench-migration's table across the cases.
	if [ -n "${SNIC_JOB:-}" ]; then
		mkdir -p "$SNIC_JOB/migrate-results"
		cp "$MG/results" "$SNIC_JOB/migrate-results/${MG_CASE#test_}"
	fi
}

test_nested_guest_migrate_qemu72() { mg_case 7.2 "$MG_FEATURES_72"; }
test_nested_guest_migrate_qemu10() { mg_case 10.0 "$MG_FEATURES_10"; }
test_nested_guest_migrate_native_qemu72() {
	MG_NATIVE=1 MG_PAIRS=1
	mg_case 7.2 "$MG_FEATURES_NATIVE"
}

# ------------------------------------------------ aborted migrations

# Start a migration of the guest to a new QEMU on NET, slowed down so
# that it is still running after a few seconds; return once it has sent
# something (and, with QEMU 10, switched the device to shadow
# virtqueues).  The destination's name goes to MG_LAST.
mg_slow_migration() { # NET
	local src=$MG_CUR ver dst out i
	ver=$(cat "$MG/$src/ver")
	mg_qemu "$ver" "$1" incoming
	dst=$MG_LAST
	mg_qmp "$src" '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":1048576}}' \
		>/dev/null || fail "could not slow migration down"
	mg_qmp "$src" "$(mg_migrate_cmd "$dst")" >/dev/null || fail "migrate refused"
	for ((i = SECONDS + 60; SECONDS < i; )); do
		out=$(mg_qmp "$src" '{"execute":"query-migrate"}')
		if [ "$(jq -r '.return.status' <<<"$out")" = active ] &&
		   [ "$(jq -r '.return.ram.transferred // 0' <<<"$out")" -gt 1000000 ]; then
			if [ "$ver" = 7.2 ] || ! mg_passthrough "$src" "$(cat "$MG/$src/net")"; then
				mg_log "$src -> $dst: migrating slowly: $out"
				MG_LAST=$dst
				return 0
			fi
		fi
		sleep 0.5
	done
	fail "migration to $dst did not get going: $out"
}

# After a migration of the guest that did not complete, the source runs
# on, in passthrough again with QEMU 10, its guest reachable and its
# stream whole.  WHAT names the abort; T0 is when it began.
mg_source_runs_on() { # WHAT T0 STATUS
	local src=$MG_CUR ver st tp gap s
	ver=$(cat "$MG/$src/ver")
	st=$(mg_migrate_wait "$src" 60)
	mg_log "$1: $st"
	expect_eq "migration status after $1" "$(jq -r .status <<<"$st")" "$3"
	if ! mg_qmp "$src" '{"execute":"query-status"}' | grep -q '"status": *"running"'; then
		# Not in $(): only this shell can wait for its QEMUs.
		mg_fate "$src" >"$MG/fate"
		fail "$1: source not running: $(mg_qmp "$src" '{"execute":"query-status"}' || true)
$(cat "$MG/fate")"
	fi
	mg_qmp "$src" '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":134217728}}' \
		>/dev/null || fail "$1: could not restore the migration bandwidth"
	tp=$(mg_ping_after "$(date +%s.%N)" 60) || fail "$1: the guest does not answer pings"
	gap=($(mg_ping_gap "$2" "$tp"))
	mg_stream_stop
	mg_note "$1: streams stopped"
	s=("${MG_S[@]}")
	mg_stream_check "$1"
	mg_guest_check "after $1"
	mg_nic_check "$(cat "$MG/$src/net")" "after $1"
	if [ "$ver" = 10.0 ] && ! mg_passthrough "$src" "$(cat "$MG/$src/net")"; then
		fail "$1: source not back in passthrough: $(cat "$MG_NICFS")"
	fi
	echo "measure: qemu $ver $1: source kept running, ping gap ${gap[0]} ms" \
		"(${gap[1]} lost), streams: ${s[1]} lost of ${s[0]}, ${s[3]} corrupt"
}

# Wait up to SECS for instance ID to exit; then kill it.
mg_wait_exit() { # ID SECS
	local pid i
	pid=$(mg_pid "$1")
	for ((i = SECONDS + $2; SECONDS < i; )); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	mg_quit "$1"
}

mg_abort_case() { # VER [DEVICE-FEATURES]
	local a b t0 dst src
	MG_CASE=${FUNCNAME[1]}
	mg_setup "${2:-}"
	a=$(mg_vhost_dev m0) b=$(mg_vhost_dev m1)
	mg_boot "$1" "$a"
	mg_nic_check "$a" "after boot"
	mg_ping_start

	# Cancelled midway.
	MG_HOP=$((MG_HOP + 1))
	mg_stream_start
	t0=$(date +%s.%N)
	mg_slow_migration "$b"
	dst=$MG_LAST
	mg_qmp "$MG_CUR" '{"execute":"migrate_cancel"}' >/dev/null || fail "migrate_cancel refused"
	mg_source_runs_on "cancelled migration" "$t0" cancelled
	mg_wait_exit "$dst" 30

	# The destination killed.
	MG_HOP=$((MG_HOP + 1))
	mg_stream_start
	t0=$(date +%s.%N)
	mg_slow_migration "$b"
	kill -9 "$(mg_pid "$MG_LAST")"
	mg_source_runs_on "destination killed" "$t0" failed
	mg_wait_exit "$MG_LAST" 5
	# Its device takes the guest.
	mg_hop_sure "$b" vdpa

	# The source killed: the guest is gone, the destination gives up.
	mg_slow_migration "$a"
	dst=$MG_LAST src=$MG_CUR
	kill -9 "$(mg_pid "$src")"
	mg_wait_exit "$src" 5
	mg_wait_exit "$dst" 60
	mg_ping_stop
	# Both devices take a new guest.
	mg_boot "$1" "$b"
	mg_nic_check "$b" "after boot"
	mg_ping_start
	mg_hop_sure "$a" vdpa
	echo "measure: qemu $1: both devices reusable after SIGKILL of the destination and the source"
}

test_nested_guest_migrate_abort_qemu72() { mg_abort_case 7.2 "$MG_FEATURES_72"; }
test_nested_guest_migrate_abort_qemu10() { mg_abort_case 10.0 "$MG_FEATURES_10"; }
