// SPDX-License-Identifier: GPL-2.0
/*
 * snic-vmm's command line: usage() and main().  The modes are in files
 * of their own: traffic.c, unmapped.c, state.c, hostile.c, failnth.c,
 * logcost.c, unmaprace.c.
 *
 * snic-vmm: a userspace vhost-vdpa client that drives /dev/vhost-vdpa-N as
 * a VMM does, without a guest: control path, IOTLB maps of its own memory,
 * split rings in that memory, and traffic with the device's representor.
 *
 *   snic-vmm traffic --dev /dev/vhost-vdpa-N --port snic0f0 [--frames N]
 *		[--no-suspend] [--no-cvq]
 *	negotiate, map, set up RX/TX (and the CVQ in its own address space),
 *	DRIVER_OK, N frames each way, checked seq by seq and byte by byte,
 *	a suspend/resume in each direction with the ring positions checked,
 *	then reset and close.
 *
 *   snic-vmm traffic ... --dirty-log TRACE
 *	the same with the device's dirty page log (the kernel series of
 *	patches/linux/): VHOST_SET_LOG_BASE, VHOST_F_LOG_ALL switched on at
 *	DRIVER_OK as QEMU does at migration start; after the transmit and
 *	the receive traffic the device is suspended (vhost_vdpa syncs the
 *	log) and every page the NIC wrote, as its write trace TRACE lists
 *	them (debugfs snic_model/nic<N>/write_trace, started on the
 *	function by the caller), must have its bit in the log.
 *
 *   snic-vmm unmapped-ring --dev /dev/vhost-vdpa-N [--map-unrelated]
 *	point the TX ring at host physical addresses of the client's own
 *	pages (found in /proc/self/pagemap), which it never mapped, go to
 *	DRIVER_OK and kick: the device must not touch those pages, and must
 *	either refuse or report NEEDS_RESET.
 *
 *   snic-vmm state --dev /dev/vhost-vdpa-N --port REP
 *		--dst /dev/vhost-vdpa-M --dst-port REP2 [--dst ... --dst-port ...]
 *		[--frames N] [--fault promisc]
 *	device state (the kernel series of patches/linux/): a device with
 *	a CVQ (and two queue pairs in use if it has them) gets a receive
 *	filter through the CVQ (MAC, MAC tables, promiscuous and
 *	all-multicast off, a VLAN) and carries traffic both ways; with
 *	transmit frames posted (not kicked) it is suspended, its state read
 *	(VHOST_VDPA_GET_STATE) and given (VHOST_VDPA_SET_STATE, after a
 *	damaged copy that must be refused) to each --dst in turn, which is
 *	resumed on the client's same rings: the posted frames leave from
 *	the destination, no frame is lost or repeated either way, the
 *	state reads back the same, and filter probes sent into each
 *	representor fare as at the source.  --fault promisc sets the
 *	promiscuous flag in the state given (still a valid state): the
 *	probes must catch the destination's wrong filter.
 *
 *   snic-vmm log-cost --dev /dev/vhost-vdpa-N [--sizes G,G,...] [--rounds N]
 *	what the device's dirty log costs per round for guests of G GiB
 *	(default 1,16,64,256), median of N (default 50): the VMM's
 *	read-and-clear of the bitmap, one DIRTY_LOG_SYNC, switching the
 *	log on, and one mailbox round trip (logcost.c).  A benchmark.
 *
 *   snic-vmm unmap-race --dev /dev/vhost-vdpa-N --port REP [--rounds N]
 *	N rounds (default 50) of: receive chains posted, frames sent into
 *	the representor, the chains' memory munmapped and invalidated while
 *	the device writes into it (unmaprace.c).  The kernel must not let
 *	the device write into pages it freed; the model's debugfs
 *	check_free refuses and logs such writes.
 *
 * Results are KEY=VALUE lines on stdout; the first failure ends the
 * program with a message on stderr and exit status 1 (2 for bad usage).
 */

#include "vmm.h"

static void __noreturn usage(void)
{
	fprintf(stderr,
		"Usage: %s traffic --dev /dev/vhost-vdpa-N --port REPRESENTOR [--frames N] [--no-suspend] [--no-cvq] [--dirty-log TRACE]\n"
		"       %s unmapped-ring --dev /dev/vhost-vdpa-N [--map-unrelated]\n"
		"       %s hostile --dev /dev/vhost-vdpa-N [--case NAME] [--random N] [--seed S]\n"
		"       %s fail-nth --mgmt MGMTDEV --name NAME\n"
		"       %s state --dev /dev/vhost-vdpa-N --port REPRESENTOR {--dst /dev/vhost-vdpa-M --dst-port REPRESENTOR}... [--frames N] [--fault promisc]\n"
		"       %s log-cost --dev /dev/vhost-vdpa-N [--sizes GIB,GIB,...] [--rounds N]\n"
		"       %s unmap-race --dev /dev/vhost-vdpa-N --port REPRESENTOR [--rounds N]\n",
		prog, prog, prog, prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'n' },
		{ "no-suspend", no_argument, NULL, 's' },
		{ "no-cvq", no_argument, NULL, 'c' },
		{ "map-unrelated", no_argument, NULL, 'u' },
		{ "dirty-log", required_argument, NULL, 'l' },
		{ "dst", required_argument, NULL, 'D' },
		{ "dst-port", required_argument, NULL, 'P' },
		{ "fault", required_argument, NULL, 'F' },
		{ "case", required_argument, NULL, 'C' },
		{ "random", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "mgmt", required_argument, NULL, 'M' },
		{ "name", required_argument, NULL, 'N' },
		{ "sizes", required_argument, NULL, 'Z' },
		{ "rounds", required_argument, NULL, 'r' },
		{ }
	};
	const char *mode, *dev = NULL, *port = NULL, *dst[4], *dst_port[4];
	unsigned int ndst = 0, ndst_port = 0, random_ops = 0, seed = 1;
	const char *only = NULL, *mgmt = NULL, *name = NULL;
	const char *sizes = "1,16,64,256";
	unsigned int rounds = 50;
	bool suspend = true, cvq = true, unrelated = false;
	unsigned int frames = 200;
	struct vmm v = { .fd = -1 };
	int c, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'n':
			frames = strtoul(optarg, NULL, 0);
			break;
		case 's':
			suspend = false;
			break;
		case 'c':
			cvq = false;
			break;
		case 'u':
			unrelated = true;
			break;
		case 'l':
			v.log.trace = optarg;
			break;
		case 'D':
			if (ndst == ARRAY_SIZE(dst))
				usage();
			dst[ndst++] = optarg;
			break;
		case 'P':
			if (ndst_port == ARRAY_SIZE(dst_port))
				usage();
			dst_port[ndst_port++] = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "promisc"))
				usage();
			v.fault_promisc = true;
			break;
		case 'C':
			only = optarg;
			break;
		case 'R':
			random_ops = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'M':
			mgmt = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		case 'Z':
			sizes = optarg;
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!dev && strcmp(mode, "fail-nth")))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "traffic")) {
		if (!port || frames < 2)
			usage();
		vmm_open(&v, dev);
		rc = mode_traffic(&v, port, frames, suspend, cvq);
	} else if (!strcmp(mode, "unmapped-ring")) {
		vmm_open(&v, dev);
		rc = mode_unmapped_ring(&v, unrelated);
	} else if (!strcmp(mode, "state")) {
		if (!port || !ndst || ndst != ndst_port || frames < 2 * (ndst + 1))
			usage();
		vmm_open(&v, dev);
		rc = mode_state(&v, port, dst, dst_port, ndst, frames);
	} else if (!strcmp(mode, "fail-nth")) {
		if (!mgmt || !name)
			usage();
		rc = mode_fail_nth(&v, mgmt, name);
	} else if (!strcmp(mode, "log-cost")) {
		if (!rounds || rounds > 100000)
			usage();
		vmm_open(&v, dev);
		rc = mode_log_cost(&v, sizes, rounds);
	} else if (!strcmp(mode, "unmap-race")) {
		if (!port || !rounds || rounds > 100000)
			usage();
		vmm_open(&v, dev);
		rc = mode_unmap_race(&v, port, rounds);
	} else if (!strcmp(mode, "hostile")) {
		rc = mode_hostile(&v, dev, only, random_ops, seed);
	} else {
		usage();
	}
	step = "close";
	if (v.fd >= 0 && close(v.fd))
		die_errno("%s", v.path);
	kv("result", "%s", rc ? "fail" : "ok");
	return rc;
}
