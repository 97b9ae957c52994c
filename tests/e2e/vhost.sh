# SPDX-License-Identifier: GPL-2.0
# e2e: the device bound to vhost_vdpa, driven through /dev/vhost-vdpa-N
# as a VMM's control path drives it.

# From the NIC's view in vhost-probe's output, the range that the maps of
# address space $2 cover without gap or overlap, and their permissions.
nic_maps_cover() {
	local line cur=0 n=0 first last start=0 end=0 perms=
	while read -r line; do
		case "$line" in
		"mapped: as $2:"*) cur=1 ;;
		"mapped: as "* | "mapped: function"*) cur=0 ;;
		"mapped: 0x"*)
			[ $cur = 1 ] || continue
			set -- $line
			first=$((${2%-*})) last=$((${2#*-}))
			if [ $n = 0 ]; then
				start=$first
			elif [ $first != $((end + 1)) ]; then
				echo "gap or overlap at $2"
				return
			fi
			end=$last n=$((n + 1))
			[ -z "$perms" ] || [ "$perms" = "$5" ] || { echo "mixed permissions"; return; }
			perms=$5 ;;
		esac
	done <<<"$(sed 's/  */ /g' <<<"$1")"
	[ $n -gt 0 ] || { echo "no maps"; return; }
	printf '0x%x-0x%x %s\n' "$start" "$end" "$perms"
}

test_vhost_vdpa_control() {
	local dev out nicfs=/sys/kernel/debug/snic_model/nic0/functions
	# vhost_vdpa maps each physically contiguous run of pinned pages: with
	# fragmented memory 16 MiB can exceed its default of 2048 entries.
	modprobe vhost_vdpa max_iotlb_entries=131072
	"$VDPA" dev add name vh mgmtdev "$MGMT" mac 02:00:00:00:0a:01 max_vqp 4
	[ "$(basename "$(readlink /sys/bus/vdpa/devices/vh/driver)")" = vhost_vdpa ] ||
		fail "vh is not bound to vhost_vdpa"
	dev=$(ls -d /sys/bus/vdpa/devices/vh/vhost-vdpa-* 2>/dev/null | head -n 1)
	[ -n "$dev" ] && [ -c "/dev/$(basename "$dev")" ] || fail "no /dev/vhost-vdpa-N for vh"
	# vhost-vdpa pins what it maps: lift the 8 MiB default, as for a VM.
	out=$(ulimit -l unlimited && "$E2E_TOP/tests/e2e/vhost-probe" "/dev/$(basename "$dev")" "$nicfs") ||
		fail "vhost-probe: $out"
	echo "$out"
	expect_match "device id" "$out" "^device_id=1$"
	# The device's features; on the test kernel vhost_vdpa (with the
	# series of patches/linux/) adds VHOST_F_LOG_ALL (bit 26) for a
	# parent with the log ops.
	if [ "$SNIC_KIND" = test ]; then
		expect_match "features" "$out" "^features=0x334df99af$"
	else
		expect_match "features" "$out" "^features=0x330df99af$"
	fi
	# What a VMM needs to migrate the device.
	expect_match "backend features" "$out" \
		"^backend=.*SUSPEND RESUME ENABLE_AFTER_DRIVER_OK.*IOTLB_PERSIST"
	expect_match "vring num" "$out" "^vring_num=1024$"
	expect_match "mac" "$out" "^mac=02:00:00:00:0a:01$"
	expect_match "vqs" "$out" "^vqs=9$"
	expect_match "groups" "$out" "^groups=2$"
	expect_match "address spaces" "$out" "^as=2$"
	expect_match "cvq group" "$out" "^group_of_last_vq=1$"
	expect_match "cvq group without MQ" "$out" "^group_of_vq2_without_mq=1$"
	expect_match "no queue past the cvq without MQ" "$out" \
		"^group_of_last_vq_without_mq=Input/output error$"
	expect_match "data group" "$out" "^group_of_vq0=0$"
	expect_match "asid 2" "$out" "^asid_2=Invalid argument$"
	expect_match "iotlb" "$out" "^iotlb=mapped and unmapped"
	# The mappings and the CVQ's address space reached the NIC.
	expect_match "NIC groups" "$out" "^mapped:   groups: data asid 0, cvq asid 1$"
	# vhost_vdpa maps each physically contiguous run of pages apart: the
	# runs of each address space must tile the 16 MiB exactly.
	expect_eq "NIC as 0" "$(nic_maps_cover "$out" 0)" "0x100000-0x10fffff rw"
	expect_eq "NIC as 1" "$(nic_maps_cover "$out" 1)" "0x100000-0x10fffff rw"
	# Closing the device resets it and leaves its address spaces empty:
	# no passthrough, so its next user reaches nothing it did not map.
	out=$(cat "$nicfs")
	expect_match "NIC after close" "$out" "status 0x00 "
	expect_match "NIC after close" "$out" "as 0: 0 maps"
	expect_match "NIC after close" "$out" "as 1: 0 maps"
	"$VDPA" dev del vh
	[ -z "$(ls /dev/vhost-vdpa-* 2>/dev/null)" ] || fail "vhost-vdpa node left after del"
	rmmod vhost_vdpa
}

# A device moved from virtio_vdpa to vhost_vdpa: virtio_vdpa's config
# callback must be gone with it.  Link changes of the representor raise
# the config vector; with the old callback still set they reached a freed
# virtio device (RCU stall; KASAN on the test kernel).
test_rebind_config_callback() {
	local i
	modprobe -a virtio_vdpa virtio_net vhost_vdpa
	"$VDPA" dev add name rb mgmtdev "$MGMT"
	[ -e /sys/bus/vdpa/drivers/virtio_vdpa/rb ] || fail "rb is not on virtio_vdpa"
	echo rb >/sys/bus/vdpa/drivers/virtio_vdpa/unbind
	echo vhost_vdpa >/sys/bus/vdpa/devices/rb/driver_override
	echo rb >/sys/bus/vdpa/drivers_probe
	[ -e /sys/bus/vdpa/drivers/vhost_vdpa/rb ] || fail "rb is not on vhost_vdpa"
	for i in 1 2 3; do
		ip link set snic0f0 up
		ip link set snic0f0 down
	done
	"$VDPA" dev del rb
}
