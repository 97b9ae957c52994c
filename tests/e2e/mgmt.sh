# SPDX-License-Identifier: GPL-2.0
# e2e: the management plane through the real `vdpa` tool.

test_mgmtdev_show() {
	local m=".mgmtdev[\"$MGMT\"]" feats f
	expect_eq "mgmtdevs" "$(vj '.mgmtdev | keys | join(" ")' mgmtdev show)" "$MGMT"
	expect_eq "classes" "$(vj "$m.supported_classes | join(\" \")" mgmtdev show)" net
	expect_eq "max vqs" "$(vj "$m.max_supported_vqs" mgmtdev show)" 33
	feats=$(vj "$m.dev_features | join(\" \")" mgmtdev show)
	for f in VERSION_1 ACCESS_PLATFORM MAC MTU STATUS CTRL_VQ MQ CTRL_RX CTRL_VLAN CTRL_MAC_ADDR; do
		expect_match "dev_features" "$feats" "(^| )$f( |$)"
	done
}

test_nr_nics() {
	snic_unload
	snic_load nr_nics=3
	expect_eq "mgmtdevs" "$(vj '.mgmtdev | keys | join(" ")' mgmtdev show)" \
		"platform/snic-nic.0 platform/snic-nic.1 platform/snic-nic.2"
	"$VDPA" dev add name a mgmtdev platform/snic-nic.2
	expect_eq "mgmtdev of a" "$(vj .dev.a.mgmtdev dev show a)" platform/snic-nic.2
	snic_unload
	# Out-of-range module parameters are refused, with a reason.
	dmesg -C
	if insmod "$MODEL_KO" nr_nics=0 2>/dev/null; then fail "nr_nics=0 loaded"; fi
	expect_match "dmesg" "$(dmesg)" "nr_nics=0: use 1 to 16"
}

test_add_show_del() {
	"$VDPA" dev add name v0 mgmtdev "$MGMT" mac 02:11:22:33:44:55 mtu 9000 max_vqp 4
	expect_eq "dev show" "$(vj '.dev.v0 | [.type, .mgmtdev, .vendor_id, .max_vqs, .max_vq_size] | join(" ")' dev show v0)" \
		"network $MGMT $((0x1f0c)) 9 1024"
	expect_eq "config" "$(vj '.config.v0 | [.mac, .mtu, .max_vq_pairs] | join(" ")' dev config show v0)" \
		"02:11:22:33:44:55 9000 4"
	# The link follows the representor (the function's uplink port).
	expect_match "link" "$("$VDPA" dev config show v0)" "link down"
	ip link set snic0f0 up
	expect_match "link" "$("$VDPA" dev config show v0)" "link up"
	# The device is on the vdpa bus, with its virtqueue count.
	[ -d /sys/bus/vdpa/devices/v0 ] || fail "no /sys/bus/vdpa/devices/v0"
	"$VDPA" dev del v0
	expect_eq "devices after del" "$(dev_names)" ""
	[ ! -e /sys/bus/vdpa/devices/v0 ] || fail "v0 still on the bus"
}

test_add_defaults() {
	local mac
	"$VDPA" dev add name d mgmtdev "$MGMT"
	mac=$(vj .config.d.mac dev config show d)
	# Random, unicast, locally administered.
	expect_match "mac" "$mac" '^[0-9a-f][26ae]:([0-9a-f]{2}:){4}[0-9a-f]{2}$'
	expect_eq "mtu, pairs" "$(vj '.config.d | [.mtu, .max_vq_pairs] | join(" ")' dev config show d)" "1500 1"
	expect_eq "max_vqs" "$(vj .dev.d.max_vqs dev show d)" 3
	"$VDPA" dev add name e mgmtdev "$MGMT"
	[ "$(vj .config.e.mac dev config show e)" != "$mac" ] ||
		fail "two devices got the same random MAC"
}

# The vdpa core shows a config field only when the device offers its
# feature, and the driver logs the features it provisioned.
test_device_features() {
	dmesg -C
	# VERSION_1 | ACCESS_PLATFORM | MAC: no CVQ, no MQ, no MTU, no STATUS.
	"$VDPA" dev add name f mgmtdev "$MGMT" device_features 0x300000020
	expect_eq "config fields" "$(vj '.config.f | keys | join(" ")' dev config show f)" mac
	expect_eq "max_vqs (1 pair, no cvq)" "$(vj .dev.f.max_vqs dev show f)" 2
	expect_match "dmesg" "$(dmesg)" "added f: .* features 0x300000020\$"
	# QEMU 7.2's shadow virtqueue set: CSUM MAC MTU STATUS CTRL_VQ MQ.
	"$VDPA" dev add name g mgmtdev "$MGMT" max_vqp 2 device_features 0x300430029
	expect_eq "config" "$(vj '.config.g | [.mtu, .max_vq_pairs, .["link "]] | join(" ")' dev config show g)" \
		"1500 2 down"
	expect_eq "max_vqs" "$(vj .dev.g.max_vqs dev show g)" 5
	expect_match "dmesg" "$(dmesg)" "added g: .* 2 queue pairs, features 0x300430029\$"
}

test_dev_set_mac() {
	local err
	"$VDPA" dev add name m mgmtdev "$MGMT" mac 02:00:00:00:00:01
	"$VDPA" dev set name m mac 02:00:00:00:00:02
	expect_eq "mac" "$(vj .config.m.mac dev config show m)" 02:00:00:00:00:02
	err=$(vdpa_fails dev set name m mac 01:00:00:00:00:01)
	expect_match "error" "$err" "Invalid MAC address"
	expect_eq "mac unchanged" "$(vj .config.m.mac dev config show m)" 02:00:00:00:00:02
}

# Each bad request fails, says why (netlink extack where the vdpa core
# checks, the kernel log where the driver does: the core gives drivers no
# extack), and leaves no device behind.
bad_add() { # ERRNO-TEXT MESSAGE-REGEX ARGS...
	local want_err=$1 want_msg=$2 err
	shift 2
	dmesg -C
	err=$(vdpa_fails dev add name bad mgmtdev "$MGMT" "$@")
	expect_match "vdpa dev add $* (stderr)" "$err" "kernel answers: $want_err"
	expect_match "vdpa dev add $* (reason)" "$err$(dmesg)" "$want_msg"
	expect_eq "devices left after vdpa dev add $*" "$(dev_names)" ""
}

test_bad_input() {
	bad_add "Invalid argument" "mac 00:00:00:00:00:00 is all zeroes: give a unicast address" \
		mac 00:00:00:00:00:00
	bad_add "Invalid argument" "mac 01:00:5e:00:00:01 is a multicast address" \
		mac 01:00:5e:00:00:01
	bad_add "Invalid argument" "mac ff:ff:ff:ff:ff:ff is a multicast address" \
		mac ff:ff:ff:ff:ff:ff
	bad_add "Numerical result out of range" "integer out of range" mtu 67
	bad_add "Invalid argument" "mtu 9001 is out of range: use 68 to 9000" mtu 9001
	bad_add "Invalid argument" "At least one pair of VQs is required" max_vqp 0
	bad_add "Invalid argument" "max_vqp 17 is out of range: use 1 to 16" max_vqp 17
	bad_add "Operation not supported" "has bits 0x1000000000000000 this NIC does not support" \
		device_features 0x1000000300000000
	bad_add "Invalid argument" "must include VERSION_1 \(bit 32\) and ACCESS_PLATFORM \(bit 33\)" \
		device_features 0x200000020
	bad_add "Invalid argument" "must include VERSION_1" device_features 0x100000020
	bad_add "Invalid argument" "has MQ \(bit 22\), which needs CTRL_VQ \(bit 17\) too" \
		device_features 0x300400000
	bad_add "Invalid argument" "Missing features 0x20 for provided attributes" \
		mac 02:00:00:00:00:01 device_features 0x300000000
	bad_add "Invalid argument" "Missing features 0x400000 for provided attributes" \
		max_vqp 4 device_features 0x300020000

	local err
	"$VDPA" dev add name dup mgmtdev "$MGMT"
	dmesg -C
	err=$(vdpa_fails dev add name dup mgmtdev "$MGMT")
	expect_match "duplicate" "$err" "kernel answers: File exists"
	expect_match "duplicate" "$(dmesg)" "a vdpa device with this name exists: choose another name"
	expect_eq "devices" "$(dev_names)" dup

	err=$(vdpa_fails dev add name x mgmtdev platform/snic-nic.9)
	expect_match "unknown mgmtdev" "$err" "Fail to find the specified management device"
	expect_eq "devices" "$(dev_names)" dup
}

test_many_devices() {
	local i want=
	for i in $(seq 0 15); do
		"$VDPA" dev add name m$i mgmtdev "$MGMT" max_vqp $((i % 4 + 1))
		want+="m$i "
	done
	expect_eq "devices" "$(dev_names | sort -V | xargs)" "${want% }"
	for i in 0 5 15; do
		expect_eq "max_vqs of m$i" "$(vj ".dev.m$i.max_vqs" dev show m$i)" \
			$((2 * (i % 4 + 1) + 1))
	done
	expect_eq "distinct MACs" "$(vj '[.config[].mac] | unique | length' dev config show)" 16
	for i in $(seq 0 15); do "$VDPA" dev del m$i; done
	expect_eq "devices" "$(dev_names)" ""
}

# A NIC has 64 virtio functions: the 65th device is refused, and a freed
# function is reused.
test_function_limit() {
	local i err
	for i in $(seq 1 64); do "$VDPA" dev add name f$i mgmtdev "$MGMT"; done
	dmesg -C
	err=$(vdpa_fails dev add name f65 mgmtdev "$MGMT")
	expect_match "65th" "$err" "No space left on device"
	expect_match "65th" "$(dmesg)" "all 64 functions of this NIC are in use: delete a device first"
	"$VDPA" dev del f7
	"$VDPA" dev add name f65 mgmtdev "$MGMT"
	expect_eq "devices" "$(dev_names | wc -l)" 64
}

# Each pair count once: every size of function the NIC makes, made and
# given back (kmemleak, on the test kernel, checks nothing stays).
test_add_del_cycles() {
	local i
	for i in $(seq 1 16); do
		"$VDPA" dev add name c mgmtdev "$MGMT" max_vqp $((i % 16 + 1))
		expect_eq "cycle $i" "$(dev_names)" c
		"$VDPA" dev del c
		expect_eq "cycle $i" "$(dev_names)" ""
	done
}

test_rmmod_with_devices() {
	snic_unload
	snic_load nr_nics=2
	"$VDPA" dev add name r0 mgmtdev platform/snic-nic.0 max_vqp 2
	"$VDPA" dev add name r1 mgmtdev platform/snic-nic.0
	"$VDPA" dev add name r2 mgmtdev platform/snic-nic.1 max_vqp 16
	rmmod snic_vdpa
	expect_eq "devices after rmmod" "$(dev_names)" ""
	expect_eq "mgmtdevs after rmmod" "$(vj '.mgmtdev // {} | length' mgmtdev show)" 0
	# And it comes back as new.
	snic_load
	"$VDPA" dev add name r0 mgmtdev "$MGMT"
	expect_eq "devices" "$(dev_names)" r0
}

# A netdev already has the name the NIC gives the new device's port
# (snic<NIC>f<function>): the add fails and says which name is in the
# way; nothing is left behind and everything unloads cleanly after.
test_port_name_taken() {
	local err
	ip link add snic0f0 type veth peer name snic-peer
	dmesg -C
	err=$(vdpa_fails dev add name a mgmtdev "$MGMT")
	expect_match "vdpa dev add (stderr)" "$err" "File exists"
	expect_match "reason in the kernel log" "$(dmesg)" \
		"netdev has its name \(snic<NIC>f0\)"
	expect_eq "devices left" "$(dev_names)" ""
	expect_eq "the veth kept its name" "$(cat /sys/class/net/snic0f0/ifindex >/dev/null && echo yes)" yes
	# The next function is free: another device can be made.
	ip link del snic0f0
	"$VDPA" dev add name b mgmtdev "$MGMT"
	[ -e /sys/class/net/snic0f0 ] || fail "no port snic0f0 for device b"
	"$VDPA" dev del b
	rmmod snic_vdpa
	rmmod snic_model
	expect_eq "ports left after rmmod" "$(ls /sys/class/net | grep -c '^snic')" 0
}

# Loading the NICs after the driver, and the driver with no NIC: the
# driver binds whatever appears, and idles without.
test_driver_without_nic() {
	snic_unload
	insmod "$SNIC_KO"
	expect_eq "mgmtdevs without NIC" "$(vj '.mgmtdev // {} | length' mgmtdev show)" 0
	insmod "$MODEL_KO" nr_nics=2
	expect_eq "mgmtdevs" "$(vj '.mgmtdev | keys | join(" ")' mgmtdev show)" \
		"platform/snic-nic.0 platform/snic-nic.1"
	expect_match "driver of the NIC" "$(readlink /sys/bus/platform/devices/snic-nic.0/driver)" "snic_vdpa$"
}

# Surprise removal: the NICs vanish (the model unloads) while one device
# carries traffic on virtio_vdpa and another is held open by a vhost-vdpa
# user.  The virtio_vdpa device goes at once; the driver's remove waits
# for the vhost user (vhost_vdpa's rule), whose ioctls now fail; once it
# closes, everything unloads.  The VM fails the case on any kernel report.
test_surprise_removal() {
	local holder rmpid st
	modprobe -a virtio_vdpa virtio_net
	"$VDPA" dev add name sv mgmtdev "$MGMT" mac 02:00:00:00:5e:01
	ip link set snic0f0 up
	modprobe vhost_vdpa
	"$VDPA" dev add name sh mgmtdev "$MGMT"
	echo sh >/sys/bus/vdpa/drivers/virtio_vdpa/unbind
	echo vhost_vdpa >/sys/bus/vdpa/devices/sh/driver_override
	echo sh >/sys/bus/vdpa/drivers_probe
	[ -e /sys/bus/vdpa/devices/sh/vhost-vdpa-0 ] || fail "sh is not on vhost_vdpa"
	# Traffic on the virtio_vdpa device while the NIC goes.
	local nd
	nd=$(virtio_netdev 02:00:00:00:5e:01) || fail "no netdev on virtio_vdpa"
	ip addr add 10.77.0.1/24 dev "$nd"
	ip link set "$nd" up
	ping -q -i 0.05 -c 400 -W 1 10.77.0.2 >/dev/null 2>&1 &
	# The vhost user: opens, takes ownership, then waits for a line.
	coproc holder { python3 -c '
import fcntl, os, sys
fd = os.open("/dev/vhost-vdpa-0", os.O_RDWR)
fcntl.ioctl(fd, 0xaf01)
print("open", flush=True)
sys.stdin.readline()
try:
    st = bytearray(1)
    fcntl.ioctl(fd, (2 << 30) | (1 << 16) | (0xaf << 8) | 0x71, st)
    print("status", st[0], flush=True)
except OSError as e:
    print("status-error", e.errno, flush=True)
os.close(fd)
print("closed", flush=True)
'; }
	read -r -t 30 st <&"${holder[0]}" || fail "the vhost user did not start"
	expect_eq "vhost user" "$st" open
	sleep 0.5
	rmmod snic_model &
	rmpid=$!
	# The virtio_vdpa device and its netdev go; the driver's remove then
	# waits for the vhost fd.
	local i
	for i in $(seq 1 100); do
		[ -e /sys/bus/vdpa/devices/sv ] || break
		sleep 0.1
	done
	[ ! -e /sys/bus/vdpa/devices/sv ] || fail "virtio_vdpa device still there"
	kill -0 $rmpid 2>/dev/null || fail "rmmod snic_model returned while a vhost user held a device"
	# The vhost user sees the device failed, then closes.
	echo go >&"${holder[1]}"
	read -r -t 30 st <&"${holder[0]}" || fail "no status from the vhost user"
	# NEEDS_RESET (0x40) alone: the NIC answers nothing any more.
	expect_match "status after removal" "$st" "^status 64$|^status-error"
	wait $rmpid || fail "rmmod snic_model failed"
	expect_eq "devices left" "$(ls /sys/bus/vdpa/devices | wc -l)" 0
	rmmod snic_vdpa
	expect_eq "ports left" "$(ls /sys/class/net | grep -c '^snic')" 0
	expect_match "the driver noticed" "$(dmesg)" "the NIC is gone"
}
