/*
 * test_procnet.c: /proc/net tables, port sysctls and process identity,
 * parsed from recorded samples (tests/data/procnet) and the live /proc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procnet.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_PROCROOT WA_TEST_DATA "/procnet/proc"

struct wa_seen {
	int n;
	int proto[16];
	unsigned port[16];
	unsigned long inode[16];
};

static void
wa_seen_cb(void *arg, int proto, uint16_t port, unsigned long inode)
{
	struct wa_seen *s = arg;

	assert_true(s->n < 16);
	s->proto[s->n] = proto;
	s->port[s->n] = port;
	s->inode[s->n] = inode;
	s->n++;
}

/* As wa_seen_cb, for live tables: only sockets this process holds. */
static void
wa_seen_cb_ours(void *arg, int proto, uint16_t port, unsigned long inode)
{
	if (wa_proc_socket_owner("/proc", inode, NULL) == getpid())
		wa_seen_cb(arg, proto, port, inode);
}

static bool
wa_seen_has(const struct wa_seen *s, unsigned port, unsigned long *inode)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->port[i] == port) {
			if (inode != NULL)
				*inode = s->inode[i];
			return true;
		}
	return false;
}

static int
wa_parse_sample(const char *file, int proto, struct wa_seen *s)
{
	char path[512];
	char *text;
	int rc;

	snprintf(path, sizeof(path), "%s/net/%s", WA_PROCROOT, file);
	text = wa_file_read(path, NULL);
	assert_non_null(text);
	memset(s, 0, sizeof(*s));
	rc = wa_procnet_parse(text, proto, wa_seen_cb, s);
	free(text);
	return rc;
}

static void
test_tcp4_listen_only(void **state)
{
	struct wa_seen s;
	unsigned long inode = 0;
	int i;

	(void)state;
	assert_int_equal(wa_parse_sample("tcp", WA_TCP, &s), 3);
	assert_int_equal(s.n, 3);
	assert_true(wa_seen_has(&s, 22, NULL));
	assert_true(wa_seen_has(&s, 9443, &inode));
	assert_int_equal(inode, 91021);
	assert_true(wa_seen_has(&s, 8243, NULL));
	/* ESTABLISHED and TIME_WAIT sockets hold no listening port. */
	assert_false(wa_seen_has(&s, 51234, NULL));
	assert_false(wa_seen_has(&s, 8280, NULL));
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.proto[i], WA_TCP);
}

static void
test_tcp6_listen_only(void **state)
{
	struct wa_seen s;
	unsigned long inode = 0;

	(void)state;
	assert_int_equal(wa_parse_sample("tcp6", WA_TCP, &s), 2);
	assert_true(wa_seen_has(&s, 9763, &inode));
	assert_int_equal(inode, 91030);
	assert_true(wa_seen_has(&s, 11111, NULL));
	assert_false(wa_seen_has(&s, 54000, NULL));
}

static void
test_udp_bound(void **state)
{
	struct wa_seen s;
	unsigned long inode = 0;

	(void)state;
	assert_int_equal(wa_parse_sample("udp", WA_UDP, &s), 3);
	assert_true(wa_seen_has(&s, 53, NULL));
	assert_true(wa_seen_has(&s, 5353, NULL));
	/* A connected UDP socket still holds its local port. */
	assert_true(wa_seen_has(&s, 45564, &inode));
	assert_int_equal(inode, 94412);
	assert_int_equal(s.proto[0], WA_UDP);

	assert_int_equal(wa_parse_sample("udp6", WA_UDP, &s), 1);
	assert_true(wa_seen_has(&s, 8000, NULL));
}

static void
test_parse_malformed(void **state)
{
	const char *text =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr "
	    "tm->when retrnsmt   uid  timeout inode\n"
	    "garbage line\n"
	    "   1: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000  1000        0 5 1\n"
	    "   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000  1000        0 77 1 0000000000000000\n"
	    "   3: 0100007F:1F91 00000000:0000 0A\n";
	struct wa_seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(wa_procnet_parse(text, WA_TCP, wa_seen_cb, &s), 1);
	assert_true(wa_seen_has(&s, 8080, NULL));
	assert_int_equal(wa_procnet_parse("hello\nworld\n", WA_TCP, NULL,
	    NULL), WA_EINVAL);
	assert_int_equal(wa_procnet_parse("", WA_UDP, NULL, NULL), WA_EINVAL);
	assert_int_equal(wa_procnet_parse(text, 7, NULL, NULL), WA_EINVAL);
	/* A header alone is an empty table, not an error. */
	assert_int_equal(wa_procnet_parse("  sl  local_address rem_address\n",
	    WA_TCP, NULL, NULL), 0);
}

static void
test_scan_sample_root(void **state)
{
	struct wa_portmap *m = malloc(sizeof(*m));

	(void)state;
	assert_non_null(m);
	wa_portmap_init(m);
	wa_portmap_set(m, WA_LAYER_HOST, WA_TCP, 1234, true);
	assert_int_equal(wa_procnet_scan(m, WA_PROCROOT), 9);
	/* A rescan forgets ports no longer bound. */
	assert_int_equal(wa_portmap_state(m, WA_TCP, 1234, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, NULL),
	    WA_HOLD_HOST);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 11111, NULL),
	    WA_HOLD_HOST);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 51234, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 8000, NULL),
	    WA_HOLD_HOST);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8000, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 9443, NULL),
	    WA_HOLD_FREE);
	assert_true(wa_procnet_scan(m, WA_TEST_DATA "/nonexistent") < 0);
	free(m);
}

static void
test_inode_lookup(void **state)
{
	(void)state;
	assert_int_equal(wa_procnet_inode(WA_PROCROOT, WA_TCP, 9443), 91021);
	assert_int_equal(wa_procnet_inode(WA_PROCROOT, WA_TCP, 11111), 91031);
	assert_int_equal(wa_procnet_inode(WA_PROCROOT, WA_UDP, 45564), 94412);
	assert_int_equal(wa_procnet_inode(WA_PROCROOT, WA_TCP, 45564), 0);
	assert_int_equal(wa_procnet_inode(WA_PROCROOT, WA_TCP, 51234), 0);
}

static void
test_port_range(void **state)
{
	int lo = 0, hi = 0;

	(void)state;
	assert_int_equal(wa_parse_port_range("32768\t60999\n", &lo, &hi), 0);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(wa_parse_port_range("1024 65535", &lo, &hi), 0);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 65535);
	assert_int_equal(wa_parse_port_range("60999\t32768\n", &lo, &hi),
	    WA_EINVAL);
	assert_int_equal(wa_parse_port_range("0 10", &lo, &hi), WA_EINVAL);
	assert_int_equal(wa_parse_port_range("10 70000", &lo, &hi), WA_EINVAL);
	assert_int_equal(wa_parse_port_range("1 2 3", &lo, &hi), WA_EINVAL);
	assert_int_equal(wa_parse_port_range("abc", &lo, &hi), WA_EINVAL);
	assert_int_equal(wa_parse_port_range("", &lo, &hi), WA_EINVAL);
	assert_int_equal(lo, 1024);
}

static void
test_reserved_ports(void **state)
{
	struct wa_portmap *m = malloc(sizeof(*m));
	int p;

	(void)state;
	assert_non_null(m);
	wa_portmap_init(m);
	assert_int_equal(wa_parse_reserved_ports("8000-8010,9000\n", m), 0);
	for (p = 8000; p <= 8010; p++) {
		assert_int_equal(wa_portmap_state(m, WA_TCP, p, NULL),
		    WA_HOLD_RESERVED);
		assert_int_equal(wa_portmap_state(m, WA_UDP, p, NULL),
		    WA_HOLD_RESERVED);
	}
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9000, NULL),
	    WA_HOLD_RESERVED);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 7999, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8011, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 8999, NULL),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 9001, NULL),
	    WA_HOLD_FREE);

	/* The kernel writes an empty line when nothing is reserved. */
	assert_int_equal(wa_parse_reserved_ports("\n", m), 0);
	assert_int_equal(wa_parse_reserved_ports("", m), 0);
	assert_int_equal(wa_parse_reserved_ports("8010-8000", m), WA_EINVAL);
	assert_int_equal(wa_parse_reserved_ports("80a", m), WA_EINVAL);
	assert_int_equal(wa_parse_reserved_ports("1,,2", m), WA_EINVAL);
	assert_int_equal(wa_parse_reserved_ports("0-5", m), WA_EINVAL);
	/* A bad list marks nothing, not even its valid head. */
	assert_int_equal(wa_parse_reserved_ports("7000,bad", m), WA_EINVAL);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 7000, NULL),
	    WA_HOLD_FREE);
	free(m);
}

static void
test_sysctls(void **state)
{
	struct wa_portmap *m = malloc(sizeof(*m));
	int lo = 0, hi = 0;

	(void)state;
	assert_non_null(m);
	wa_portmap_init(m);
	wa_portmap_set(m, WA_LAYER_RESERVED, WA_TCP, 1234, true);
	assert_int_equal(wa_procnet_sysctls(WA_PROCROOT, &lo, &hi, m), 0);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8005, NULL),
	    WA_HOLD_RESERVED);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 9000, NULL),
	    WA_HOLD_RESERVED);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 1234, NULL),
	    WA_HOLD_FREE);
	lo = hi = 7;
	assert_true(wa_procnet_sysctls(WA_TEST_DATA "/nonexistent", &lo, &hi,
	    m) < 0);
	assert_int_equal(lo, 7);
	free(m);
}

static void
test_stat_start(void **state)
{
	unsigned long long start = 0;
	const char *tricky = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 "
	    "9512 0 12 0 310 95 0 0 20 0 61 0 987654 5843128320 120313 "
	    "18446744073709551615 1 1 0 0 0 0 0 3 16800972 0 0 0 17 1 0 0 0 "
	    "0 0\n";
	const char *paren = "77 ()) ) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
	    "16 17 18 123456789012 1 2\n";

	(void)state;
	assert_int_equal(wa_parse_stat_start(tricky, &start), 0);
	assert_int_equal(start, 987654);
	assert_int_equal(wa_parse_stat_start(paren, &start), 0);
	assert_int_equal(start, 123456789012ULL);
	assert_int_equal(wa_parse_stat_start("4242 java S 1 2 3", &start),
	    WA_EINVAL);
	assert_int_equal(wa_parse_stat_start("4242 (java) S 1 2 3 4\n",
	    &start), WA_EINVAL);
	assert_int_equal(wa_parse_stat_start("1 (x) S 1 2 3 4 5 6 7 8 9 10 "
	    "11 12 13 14 15 16 17 18 abc 1\n", &start), WA_EINVAL);
}

static void
test_proc_alive(void **state)
{
	unsigned long long start = 0;
	pid_t child;
	int status;

	(void)state;
	assert_int_equal(wa_proc_start_time(getpid(), &start), 0);
	assert_true(start > 0);
	assert_true(wa_proc_alive(getpid(), start));
	assert_true(wa_proc_alive(getpid(), 0));
	/* Same pid, another start time: a reused pid, not our process. */
	assert_false(wa_proc_alive(getpid(), start + 1));
	assert_false(wa_proc_alive(0, 0));
	assert_false(wa_proc_alive(-1, 0));

	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_false(wa_proc_alive(child, 0));
	assert_int_equal(wa_proc_start_time(child, &start), WA_ENOTFOUND);
}

static void
test_socket_owner(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned long inode;
	bool denied = true;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);

	inode = wa_procnet_inode("/proc", WA_TCP, ntohs(sa.sin_port));
	assert_true(inode != 0);
	assert_int_equal(wa_proc_socket_owner("/proc", inode, &denied),
	    getpid());
	assert_int_equal(wa_proc_socket_owner("/proc", 0, NULL), -1);
	close(fd);
	assert_int_equal(wa_proc_socket_owner("/proc", inode, NULL), -1);
}

/* Two sockets on one port (127.0.0.1 and 127.0.0.2): both inodes, both
 * held by us; and our uid. */
static void
wa_holder_count(void *arg, pid_t pid, size_t i)
{
	int *seen = arg;

	if (pid == getpid())
		seen[i]++;
}

static void
test_socket_holders(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned long inodes[4];
	int fd[2], seen[4] = { 0, 0, 0, 0 };
	bool denied = true;
	uid_t uid = 12345;

	(void)state;
	for (int i = 0; i < 2; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd[i] >= 0);
		if (i == 0)
			memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)i);
		assert_int_equal(bind(fd[i], (struct sockaddr *)&sa,
		    sizeof(sa)), 0);
		assert_int_equal(listen(fd[i], 1), 0);
		assert_int_equal(getsockname(fd[i], (struct sockaddr *)&sa,
		    &len), 0);
	}
	assert_int_equal(wa_procnet_inodes("/proc", WA_TCP,
	    ntohs(sa.sin_port), inodes, 4), 2);
	assert_int_equal(wa_procnet_inodes("/proc", WA_TCP,
	    ntohs(sa.sin_port), inodes, 1), 1);
	assert_int_equal(wa_procnet_inodes("/proc", WA_TCP,
	    ntohs(sa.sin_port), inodes, 4), 2);
	wa_proc_socket_holders("/proc", inodes, 2, wa_holder_count, seen,
	    &denied);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	close(fd[0]);
	close(fd[1]);
	assert_int_equal(wa_proc_uid("/proc", getpid(), &uid), 0);
	assert_int_equal(uid, getuid());
}

static void
test_status_uid(void **state)
{
	uid_t uid = 7;

	(void)state;
	assert_int_equal(wa_parse_status_uid("Name:\tjava\nUid:\t1000\t1000\t"
	    "1000\t1000\nGid:\t5\t5\t5\t5\n", &uid), 0);
	assert_int_equal(uid, 1000);
	/* A set-uid program runs for two users: no one uid. */
	assert_int_equal(wa_parse_status_uid("Uid:\t1000\t0\t0\t0\n", &uid),
	    WA_EINVAL);
	assert_int_equal(wa_parse_status_uid("Uid:\t0\t0\t0\t4242\n", &uid),
	    WA_EINVAL);
	/* Only at a line's start. */
	assert_int_equal(wa_parse_status_uid("Name:\tUid:\t1 1 1 1\n", &uid),
	    WA_EINVAL);
	assert_int_equal(wa_parse_status_uid("Uid:\t3\t3\n", &uid), WA_EINVAL);
	assert_int_equal(uid, 1000);
}

/* A socket of type on 127.0.0.1 with a kernel-chosen port. */
static int
wa_loopback_socket(int type, bool listening, unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (listening)
		assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* sock_diag must report what /proc/net/tcp and udp report: listeners and
 * bound UDP sockets with their inodes, never a bound TCP non-listener. */
static void
test_sockdiag_matches_proc(void **state)
{
	struct wa_seen diag_tcp = { 0 }, diag_udp = { 0 }, text = { 0 };
	unsigned lport, bport, uport;
	unsigned long a = 0, b = 0;
	char *tcp;
	int lfd, bfd, ufd;

	(void)state;
	lfd = wa_loopback_socket(SOCK_STREAM, true, &lport);
	bfd = wa_loopback_socket(SOCK_STREAM, false, &bport);
	ufd = wa_loopback_socket(SOCK_DGRAM, false, &uport);
	if (wa_sockdiag_each(WA_TCP, NULL, NULL) < 0)
		skip();   /* netlink refused here: the /proc/net path serves */
	/* The host may hold more than 16 sockets: count ours only. */
	assert_true(wa_sockdiag_each(WA_TCP, wa_seen_cb_ours, &diag_tcp) >= 1);
	assert_true(wa_sockdiag_each(WA_UDP, wa_seen_cb_ours, &diag_udp) >= 1);
	tcp = wa_file_read("/proc/net/tcp", NULL);
	assert_non_null(tcp);
	wa_procnet_parse(tcp, WA_TCP, wa_seen_cb_ours, &text);
	free(tcp);
	assert_true(wa_seen_has(&diag_tcp, lport, &a));
	assert_true(wa_seen_has(&text, lport, &b));
	assert_int_equal(a, b);
	assert_false(wa_seen_has(&diag_tcp, bport, NULL));
	assert_false(wa_seen_has(&text, bport, NULL));
	assert_true(wa_seen_has(&diag_udp, uport, &a));
	assert_int_equal(wa_procnet_inode("/proc", WA_UDP, (uint16_t)uport), a);
	assert_int_equal(wa_procnet_inode("/proc", WA_TCP, (uint16_t)bport), 0);
	close(lfd);
	close(bfd);
	close(ufd);
	/* Closed sockets are gone at once: nothing is cached. */
	assert_int_equal(wa_procnet_inode("/proc", WA_TCP, (uint16_t)lport), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_listen_only),
		cmocka_unit_test(test_tcp6_listen_only),
		cmocka_unit_test(test_udp_bound),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_scan_sample_root),
		cmocka_unit_test(test_inode_lookup),
		cmocka_unit_test(test_port_range),
		cmocka_unit_test(test_reserved_ports),
		cmocka_unit_test(test_sysctls),
		cmocka_unit_test(test_stat_start),
		cmocka_unit_test(test_proc_alive),
		cmocka_unit_test(test_socket_owner),
		cmocka_unit_test(test_socket_holders),
		cmocka_unit_test(test_status_uid),
		cmocka_unit_test(test_sockdiag_matches_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
