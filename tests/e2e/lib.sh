# SPDX-License-Identifier: GPL-2.0
# Helpers for the e2e cases; sourced by tests/e2e/run inside a rig VM.

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$E2E_TOP/scripts/lib.sh"

VDPA_TOOL=$(vdpa_tool)
MOD_DIR=$E2E_TOP/build/${SNIC_KIND:?not in a rig VM}/src
SNIC_KO=$MOD_DIR/drivers/vdpa/snic/snic_vdpa.ko
MODEL_KO=$MOD_DIR/drivers/snic_model/snic_model.ko
MGMT=platform/snic-nic.0
# The NICs' debugfs: nic<N>/functions (what each holds), nic<N>/settle.
SNIC_NICFS=/sys/kernel/debug/snic_model

# The NICs register a device's port (representor) on their own, just
# after `vdpa dev add` returned, and unregister it just after `dev del`:
# wait for that, as a user waits for a netdev to appear.
nic_settle() {
	local f
	for f in "$SNIC_NICFS"/nic*/settle; do
		[ -e "$f" ] && cat "$f" >/dev/null
	done
	return 0
}
# The vdpa tool, settled after the commands that make or take ports.
vdpa_settled() {
	local rc=0
	"$VDPA_TOOL" "$@" || rc=$?
	case "$*" in
	*"dev add"*|*"dev del"*) nic_settle ;;
	esac
	return $rc
}
VDPA=vdpa_settled
SNIC_TOP=$E2E_TOP

# A failed expectation ends the case with a message.
fail() { echo "    FAIL: $*" >&2; exit 1; }

# A C tool of the tests, from SRC: one C file, or a directory whose C
# files make one program (with the headers they include).  BUILT (by
# make vmm) when it is newer than every file of SRC, else built once per
# boot into /tmp (the VM's root is read-only); prints its path.
c_tool() { # SRC BUILT
	local src=$1 bin=$2 f fresh=1 stale=0
	local -a cs deps

	if [ -d "$src" ]; then
		cs=("$src"/*.c)
		deps=("${cs[@]}")
		for f in "$src"/*.h; do
			if [ -e "$f" ]; then deps+=("$f"); fi
		done
	else
		cs=("$src")
		deps=("$src")
	fi
	for f in "${deps[@]}"; do
		if ! [ "$bin" -nt "$f" ]; then fresh=0; fi
	done
	if [ -x "$bin" ] && [ $fresh = 1 ]; then
		echo "$bin"
		return
	fi
	bin=/tmp/${bin##*/}
	for f in "${deps[@]}"; do
		if [ "$f" -nt "$bin" ]; then stale=1; fi
	done
	if [ ! -x "$bin" ] || [ $stale = 1 ]; then
		cc -O2 -Wall -Wextra -Werror -o "$bin" "${cs[@]}" >&2 || return
	fi
	echo "$bin"
}
expect_eq() { # WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
expect_match() { # WHAT TEXT REGEX
	grep -Eq -- "$3" <<<"$2" || fail "$1: '$2' does not match /$3/"
}

# Whether module NAME is loaded: sysfs, since starting lsmod or modprobe
# takes long in the TCG VM, and this runs twice a case.
mod_loaded() { # NAME
	[ -e "/sys/module/$1/initstate" ]
}

# The NICs (the model, with PARAMS: nr_nics=, iotlb_entries=), then the
# driver, which binds them; either is left as it is if loaded.
snic_load() { # [MODEL PARAMS...]
	mod_loaded vdpa && mod_loaded vhost_iotlb || modprobe -a vdpa vhost_iotlb
	mod_loaded snic_model || insmod "$MODEL_KO" "$@"
	mod_loaded snic_vdpa || insmod "$SNIC_KO"
}
# The driver goes, then the NICs, and the vdpa bus drivers a case loaded:
# a device binds to whichever is loaded, so each case starts with neither.
snic_unload() {
	local m
	for m in snic_vdpa snic_model virtio_vdpa vhost_vdpa; do
		if mod_loaded "$m"; then
			rmmod "$m"
		fi
	done
}

# vdpa -j OBJECT... | jq FILTER, raw output.
vj() { # FILTER VDPA-ARGS...
	local filter=$1
	shift
	"$VDPA_TOOL" -j "$@" | jq -r "$filter"
}

# Names of all vdpa devices, one a line, sorted.
dev_names() { vj '.dev // {} | keys[]' dev show; }

# Run the vdpa tool expecting failure; prints its stderr.
vdpa_fails() {
	local err
	if err=$(vdpa_settled "$@" 2>&1); then
		fail "vdpa $* succeeded"
	fi
	echo "$err"
}
