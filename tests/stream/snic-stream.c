// SPDX-License-Identifier: GPL-2.0
/*
 * snic-stream: a UDP stream whose every datagram can be checked on its
 * own, for the live migration cases (tests/e2e/migrate.sh).
 *
 *   snic-stream send ADDR PORT PPS SIZE [BAD]
 *	sends SIZE-byte datagrams to ADDR:PORT, PPS per second, until
 *	SIGINT or SIGTERM; then prints "sent N".  With BAD, one payload
 *	byte of every BAD-th datagram is wrong: the fault that shows the
 *	receiver's check catching one.
 *   snic-stream recv ADDR PORT [BUCKET_MS]
 *	receives on ADDR:PORT, printing "listening" once it can, until
 *	SIGINT or SIGTERM; then prints
 *	"received R corrupt C lost L duplicate D reordered O last S
 *	 longest_gap G runs FIRST+N,...": the runs of lost datagrams, the
 *	first 16 of them (sequence number of the first one, and how many);
 *	then "late S<L@MS,...": the first 16 datagrams that came after a
 *	later one (S), the highest one received before it (L), and when it
 *	came (MS milliseconds after the receiver began to listen).
 *	With BUCKET_MS, also "buckets START MS N0 N1 ...": how many intact
 *	datagrams arrived in each MS milliseconds from START (seconds of
 *	CLOCK_REALTIME, when it began to listen) on, by the kernel's
 *	arrival time of each, not the time this program got to read it:
 *	the throughput of a stream over time.
 *
 * A datagram is a 16-byte header (magic, sequence number, length, all
 * little-endian) and a payload that is a function of the sequence number
 * and the byte's offset.  A datagram that a migration delivered from a
 * page the destination never got (stale bytes where the NIC had written)
 * fails that check and counts as corrupt: it is not the one its header,
 * if any, says.  Lost counts the sequence numbers up to the last one
 * received that never came; the tail still in flight at the end is not
 * lost.  longest_gap is the largest run of consecutive lost ones.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

#define STREAM_MAGIC	0x736e6963u	/* "snic" */
#define HDR_SIZE	16
#define MAX_SIZE	1472		/* one 1500-byte frame */

static int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

/* Whether SIGINT or SIGTERM came. */
static int stop(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED);
}

static void die(const char *what)
{
	fprintf(stderr, "snic-stream: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Byte @i of the payload of datagram @seq (a xorshift of both). */
static u8 payload_byte(u64 seq, unsigned int i)
{
	u64 x = seq * 0x9e3779b97f4a7c15ull + (i / 8) + 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x >> (8 * (i % 8));
}

static void fill(u8 *buf, u64 seq, unsigned int size)
{
	u32 magic = htole32(STREAM_MAGIC), len = htole32(size);
	u64 s = htole64(seq);
	unsigned int i;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &len, 4);
	memcpy(buf + 8, &s, 8);
	for (i = HDR_SIZE; i < size; i++)
		buf[i] = payload_byte(seq, i);
}

/* The sequence number of a datagram that checks out, or -1. */
static s64 check(const u8 *buf, size_t n)
{
	u32 magic, len;
	u64 seq;
	unsigned int i;

	if (n < HDR_SIZE)
		return -1;
	memcpy(&magic, buf, 4);
	memcpy(&len, buf + 4, 4);
	memcpy(&seq, buf + 8, 8);
	if (le32toh(magic) != STREAM_MAGIC || le32toh(len) != n ||
	    le64toh(seq) > INT64_MAX)
		return -1;
	seq = le64toh(seq);
	for (i = HDR_SIZE; i < n; i++)
		if (buf[i] != payload_byte(seq, i))
			return -1;
	return seq;
}

static int udp_socket(const char *addr, const char *port,
		      struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(atoi(port));
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
		fprintf(stderr, "snic-stream: bad address %s\n", addr);
		exit(2);
	}
	return fd;
}

static int do_send(const char *addr, const char *port, long pps,
		   unsigned int size, unsigned long bad)
{
	struct timespec next;
	struct sockaddr_in sa;
	u8 buf[MAX_SIZE];
	u64 seq = 0;
	int fd;

	if (pps < 1 || pps > 100000 || size < HDR_SIZE || size > MAX_SIZE) {
		fprintf(stderr, "snic-stream: PPS 1-100000, SIZE %d-%d\n",
			HDR_SIZE, MAX_SIZE);
		return 2;
	}
	fd = udp_socket(addr, port, &sa);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop()) {
		fill(buf, seq, size);
		if (bad && size > HDR_SIZE && seq % bad == bad - 1)
			buf[size - 1] ^= 0x40;
		/* A full queue or no route for a moment is loss, not an end. */
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) == (ssize_t)size)
			seq++;
		next.tv_nsec += 1000000000L / pps;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (!stop() &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
	printf("sent %llu\n", (unsigned long long)seq);
	return 0;
}

/* Per-bucket arrival counts of a receiver asked for its throughput. */
struct buckets {
	struct timespec start;
	long ms;
	unsigned long *n;
	size_t nr;
};

/* Nanoseconds from @from to @t. */
static s64 ns_since(const struct timespec *from, const struct timespec *t)
{
	return (s64)(t->tv_sec - from->tv_sec) * 1000000000LL +
	       (t->tv_nsec - from->tv_nsec);
}

static void bucket_add(struct buckets *b, const struct timespec *t)
{
	s64 ns = ns_since(&b->start, t);
	size_t i;

	if (ns < 0)
		ns = 0;
	i = ns / (b->ms * 1000000LL);
	/* A day of buckets at most: a clock that jumps is not a stream. */
	if (i >= (size_t)(86400000 / b->ms))
		return;
	if (i >= b->nr) {
		size_t want = (i + 1) * 2;
		unsigned long *p = realloc(b->n, want * sizeof(*p));

		if (!p)
			die("realloc");
		memset(p + b->nr, 0, (want - b->nr) * sizeof(*p));
		b->n = p;
		b->nr = want;
	}
	b->n[i]++;
}

static void buckets_print(const struct buckets *b)
{
	size_t i, last = 0;

	for (i = 0; i < b->nr; i++)
		if (b->n[i])
			last = i + 1;
	printf("buckets %lld.%09ld %ld", (long long)b->start.tv_sec,
	       b->start.tv_nsec, b->ms);
	for (i = 0; i < last; i++)
		printf(" %lu", b->n[i]);
	printf("\n");
}

/* Receive one datagram into @buf; its kernel arrival time into @t. */
static ssize_t recv_stamped(int fd, u8 *buf, size_t size, struct timespec *t)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return n;
	clock_gettime(CLOCK_REALTIME, t);
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(t, CMSG_DATA(c), sizeof(*t));
	return n;
}

static int do_recv(const char *addr, const char *port, long bucket_ms)
{
	struct buckets b = { .ms = bucket_ms };
	struct timespec t;
	int one = 1;
	unsigned long long received = 0, corrupt = 0, dup = 0, reordered = 0;
	unsigned long long lost = 0, gap = 0, run = 0, nruns = 0;
	char runs[16 * 42] = "-", late[16 * 64] = "-";
	size_t used = 0, lused = 0;
	u8 *seen = NULL, buf[MAX_SIZE + 1];
	size_t seen_size = 0;
	struct sockaddr_in sa;
	s64 last = -1, s;
	int fd, rcvbuf = 16 << 20;

	fd = udp_socket(addr, port, &sa);
	/*
	 * Seconds of the stream, so that a receiver the scheduler leaves
	 * aside for a while (a nested guest under TCG) loses nothing: only
	 * the network may.  Past rmem_max needs CAP_NET_ADMIN.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bucket_ms &&
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		die("SO_TIMESTAMPNS");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	clock_gettime(CLOCK_REALTIME, &b.start);
	/* A sender may start now. */
	printf("listening\n");
	while (!stop()) {
		ssize_t n = recv_stamped(fd, buf, sizeof(buf), &t);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		s = check(buf, n);
		if (s < 0) {
			corrupt++;
			continue;
		}
		if (bucket_ms)
			bucket_add(&b, &t);
		if ((u64)s / 8 >= seen_size) {
			size_t want = ((u64)s / 8 + 1) * 2;
			u8 *p = realloc(seen, want);

			if (!p)
				die("realloc");
			memset(p + seen_size, 0, want - seen_size);
			seen = p;
			seen_size = want;
		}
		if (seen[s / 8] & (1u << (s % 8))) {
			dup++;
			continue;
		}
		seen[s / 8] |= 1u << (s % 8);
		received++;
		if (s > last) {
			last = s;
		} else if (reordered++ < 16) {
			lused += snprintf(late + lused, sizeof(late) - lused,
					  "%s%lld<%lld@%lld", lused ? "," : "",
					  (long long)s, (long long)last,
					  (long long)(ns_since(&b.start, &t) / 1000000));
		}
	}
	for (s = 0; s <= last + 1; s++) {
		if (s <= last && !(seen[s / 8] & (1u << (s % 8)))) {
			lost++;
			if (++run > gap)
				gap = run;
			continue;
		}
		/* A run of lost ones ended before @s. */
		if (run && nruns++ < 16)
			used += snprintf(runs + used, sizeof(runs) - used,
					 "%s%lld+%llu", used ? "," : "",
					 (long long)(s - run), run);
		run = 0;
	}
	printf("received %llu corrupt %llu lost %llu duplicate %llu",
	       received, corrupt, lost, dup);
	printf(" reordered %llu last %lld longest_gap %llu runs %s late %s\n",
	       reordered, (long long)last, gap, runs, late);
	if (bucket_ms)
		buckets_print(&b);
	free(b.n);
	free(seen);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal ends a blocked recv(). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], atol(argv[4]), atoi(argv[5]),
			       argc == 7 ? strtoul(argv[6], NULL, 0) : 0);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "recv")) {
		long ms = argc == 5 ? atol(argv[4]) : 0;

		if (argc == 5 && (ms < 1 || ms > 60000)) {
			fprintf(stderr, "snic-stream: BUCKET_MS 1-60000\n");
			return 2;
		}
		return do_recv(argv[2], argv[3], ms);
	}
	fprintf(stderr, "usage: snic-stream send ADDR PORT PPS SIZE [BAD]\n"
			"       snic-stream recv ADDR PORT [BUCKET_MS]\n");
	return 2;
}
