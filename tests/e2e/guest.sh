# SPDX-License-Identifier: GPL-2.0
# e2e: the nested guest that later cases run VMs with.

# Boot the guest kernel and initramfs under TCG inside the rig VM, with
# one virtio-net NIC, and time it to init.
test_nested_guest_boots() {
	local kd initrd out secs start wall
	kd=$(kernel_dir guest)
	initrd=$("$SNIC_TOP/scripts/mkinitramfs" guest)
	[ -e "$kd/bzImage" ] || fail "no guest kernel: run scripts/setup"
	start=$(date +%s.%N)
	out=$(timeout 120 qemu-system-x86_64 -accel tcg -cpu "$SNIC_RIG_CPU" -m 256 \
		-display none -monitor none -serial stdio -no-reboot \
		-nic user,model=virtio-net-pci,mac=52:54:00:00:00:02 \
		-kernel "$kd/bzImage" -initrd "$initrd" \
		-append "console=ttyS0 quiet snic_ip=10.0.2.15/24 snic_halt=1 panic=-1" \
		</dev/null 2>&1) || fail "guest did not stop: $out"
	wall=$(elapsed "$start")
	expect_match "guest console" "$out" "snic-guest: up after [0-9.]+ s, nic=eth0 addr=10.0.2.15/24"
	secs=$(sed -n 's/.*snic-guest: up after \([0-9.]*\) s.*/\1/p' <<<"$out")
	# A number, not a verdict: under load the same boot takes twice as long.
	echo "measure: nested guest: init after $secs s (guest clock), whole run $wall s"
}
