/*
 * test_container.c: docker-proxy arguments, a container's addresses from
 * fib_trie and if_inet6, and container ids from cgroup paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "catalog.h"
#include "container.h"
#include "wso2alloc.h"

#define ARGV(s) s, sizeof s

static void
test_proxy_args(void **state)
{
	struct wa_ctr_pub p;

	(void)state;
	assert_int_equal(wa_ctr_proxy_parse(ARGV("/usr/bin/docker-proxy\0"
	    "-proto\0tcp\0-host-ip\0000.0.0.0\0-host-port\0009444\0"
	    "-container-ip\000172.17.0.2\0-container-port\0009443"), &p), 0);
	assert_int_equal(p.proto, WA_TCP);
	assert_int_equal(p.host_port, 9444);
	assert_int_equal(p.ctr_port, 9443);
	assert_string_equal(p.ctr_ip, "172.17.0.2");
	assert_string_equal(p.host_ip, "0.0.0.0");
	/* -k=v and --k, udp, and flags it does not know. */
	assert_int_equal(wa_ctr_proxy_parse(ARGV("docker-proxy\0--proto=udp\0"
	    "-use-listen-fd\0-host-port=8280\0-container-ip=fd00::2\0"
	    "-container-port\08280"), &p), 0);
	assert_int_equal(p.proto, WA_UDP);
	assert_string_equal(p.ctr_ip, "fd00::2");
	assert_int_equal(wa_ctr_proxy_parse(ARGV("/bin/sleep\0-host-port\0"
	    "1\0-container-ip\0001.2.3.4\0-container-port\0002"), &p),
	    WA_ENOTFOUND);
	assert_int_equal(wa_ctr_proxy_parse(ARGV("docker-proxy\0-host-port\0"
	    "99999\0-container-ip\0001.2.3.4\0-container-port\0002"), &p),
	    WA_EINVAL);
	assert_int_equal(wa_ctr_proxy_parse(ARGV("docker-proxy\0-host-port\0"
	    "80"), &p), WA_EINVAL);
}

static void
test_addresses(void **state)
{
	static const char fib[] =
	    "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n"
	    "        /0 universe UNICAST\n     +-- 127.0.0.0/8 2 0 2\n"
	    "        |-- 127.0.0.1\n           /32 host LOCAL\n"
	    "     +-- 172.17.0.0/16 2 0 2\n        |-- 172.17.0.0\n"
	    "           /16 link UNICAST\n        |-- 172.17.0.2\n"
	    "           /32 host LOCAL\n"
	    "Local:\n        |-- 172.17.0.2\n           /32 host LOCAL\n";
	static const char v6[] =
	    "00000000000000000000000000000001 01 80 10 80       lo\n"
	    "fe800000000000000242acfffe110002 05 40 20 80     eth0\n"
	    "fd000000000000000000000000000002 05 40 00 80     eth0\n";
	char a[4][WA_CTR_ADDRLEN];

	(void)state;
	assert_int_equal(wa_ctr_fib_local(fib, a, 4), 1);
	assert_string_equal(a[0], "172.17.0.2");
	assert_int_equal(wa_ctr_inet6_local(v6, a, 4), 1);
	assert_string_equal(a[0], "fd00::2");
	assert_true(wa_ctr_addr_eq("fd00::2", "fd00:0:0::2"));
	assert_false(wa_ctr_addr_eq("172.17.0.2", "172.17.0.20"));
}

static void
test_cgroup_id(void **state)
{
	static const char *const ids[] = {
	    "0::/system.slice/docker-%s.scope\n",
	    "12:pids:/docker/%s\n0::/\n",
	    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
	    "libpod-%s.scope/container\n",
	    "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-%s.scope\n",
	};
	static const char hex[] = "3f2a1b9c0d4e5f60718293a4b5c6d7e8f90a1b2c"
	    "3d4e5f60718293a4b5c6d7e8";
	static const char *const rt[] = { "docker", "docker", "podman",
	    "containerd" };
	char text[512], id[80];
	const char *r;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof text, ids[i], hex);
		assert_int_equal(wa_ctr_cgroup_id(text, id, sizeof id, &r), 0);
		assert_string_equal(id, hex);
		assert_string_equal(r, rt[i]);
	}
	assert_int_equal(wa_ctr_cgroup_id("0::/system.slice/docker.service\n",
	    id, sizeof id, &r), WA_ENOTFOUND);
	/* 65 hex digits are not an id. */
	snprintf(text, sizeof text, "0::/docker-%sf.scope\n", hex);
	assert_int_equal(wa_ctr_cgroup_id(text, id, sizeof id, &r),
	    WA_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_args),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_cgroup_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
