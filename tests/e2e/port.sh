# SPDX-License-Identifier: GPL-2.0
# e2e: each device's uplink port, the representor netdev snic<NIC>f<fn>.

test_representor() {
	"$VDPA" dev add name p0 mgmtdev "$MGMT" mtu 9000
	"$VDPA" dev add name p1 mgmtdev "$MGMT"
	ip link show snic0f0 >/dev/null || fail "no representor snic0f0 for p0"
	expect_match "p0's port" "$(ip -o link show snic0f0)" "mtu 9000 .*state DOWN"
	expect_match "p1's port" "$(ip -o link show snic0f1)" "mtu 1500 "
	# Up: the device's link comes up; no driver yet, so no carrier.
	ip link set snic0f0 up
	expect_match "p0 link" "$("$VDPA" dev config show p0)" "link up"
	expect_match "p1 link" "$("$VDPA" dev config show p1)" "link down"
	expect_match "p0's port" "$(ip -o link show snic0f0)" "NO-CARRIER"
	ip link set snic0f0 down
	expect_match "p0 link" "$("$VDPA" dev config show p0)" "link down"
	# The port goes with its device, and its function's name is reused.
	"$VDPA" dev del p0
	! ip link show snic0f0 >/dev/null 2>&1 || fail "snic0f0 left after vdpa dev del"
	"$VDPA" dev add name p2 mgmtdev "$MGMT"
	ip link show snic0f0 >/dev/null || fail "function 0 not reused"
	rmmod snic_vdpa
	nic_settle
	! ip link show snic0f1 >/dev/null 2>&1 || fail "snic0f1 left after rmmod"
}
