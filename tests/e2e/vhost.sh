# SPDX-License-Identifier: GPL-2.0
# e2e: the device bound to vhost_vdpa, driven through /dev/vhost-vdpa-N
# as a VMM's control path drives it.

test_vhost_vdpa_control() {
	local dev out
	modprobe vhost_vdpa
	"$VDPA" dev add name vh mgmtdev "$MGMT" mac 02:00:00:00:0a:01 max_vqp 4
	[ "$(basename "$(readlink /sys/bus/vdpa/devices/vh/driver)")" = vhost_vdpa ] ||
		fail "vh is not bound to vhost_vdpa"
	dev=$(ls -d /sys/bus/vdpa/devices/vh/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$dev" ] && [ -c "/dev/$(basename "$dev")" ] || fail "no /dev/vhost-vdpa-N for vh"
	# vhost-vdpa pins what it maps: lift the 8 MiB default, as for a VM.
	out=$(ulimit -l unlimited && "$E2E_TOP/tests/e2e/vhost-probe" "/dev/$(basename "$dev")") ||
		fail "vhost-probe: $out"
	echo "$out"
	expect_match "device id" "$out" "^device_id=1$"
	expect_match "features" "$out" "^features=0x330cf99af$"
	expect_match "vring num" "$out" "^vring_num=1024$"
	expect_match "mac" "$out" "^mac=02:00:00:00:0a:01$"
	expect_match "vqs" "$out" "^vqs=9$"
	expect_match "groups" "$out" "^groups=2$"
	expect_match "address spaces" "$out" "^as=2$"
	expect_match "cvq group" "$out" "^group_of_last_vq=1$"
	expect_match "data group" "$out" "^group_of_vq0=0$"
	expect_match "asid 2" "$out" "^asid_2=Invalid argument$"
	expect_match "iotlb" "$out" "^iotlb=mapped and unmapped"
	"$VDPA" dev del vh
	[ -z "$(ls /dev/vhost-vdpa-* 2>/dev/null)" ] || fail "vhost-vdpa node left after del"
	rmmod vhost_vdpa
}
