/*
 * test_podman.c: rootful podman's port mappings from a container config
 * (podman 4's newPortMappings, podman 3's portMappings), found in a bolt
 * file's bytes or a SQLite state, and conmon's arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "podman.h"
#include "wso2alloc.h"

#define ID "725f16d7f3a29e3b0dabf7dc6e30388502bfef8c72b4cfda535b4e2f3a3e7385"
#define ID2 "0000000000000000000000000000000000000000000000000000000000000002"
/* As podman 4.3 writes it (trimmed). */
#define CFG(id, hport) "{\"spec\":{\"ociVersion\":\"1.0.2-dev\",\"process\":" \
	"{\"args\":[\"/opt/java/bin/java\"]}},\"id\":\"" id "\",\"name\":" \
	"\"podx\",\"newPortMappings\":[{\"host_ip\":\"\",\"container_port\":" \
	"9443,\"host_port\":" hport ",\"range\":1,\"protocol\":\"tcp\"}," \
	"{\"host_ip\":\"127.0.0.1\",\"container_port\":8280,\"host_port\":" \
	"18280,\"range\":3,\"protocol\":\"tcp,udp\"}],\"networkMode\":" \
	"\"bridge\"}"

static void
test_config_maps(void **state)
{
	struct wa_podman_map m[8];
	const char *hip = NULL;
	json_t *cfg = json_loads(CFG(ID, "9445"), 0, NULL);
	size_t n;

	(void)state;
	assert_non_null(cfg);
	n = wa_podman_config_maps(cfg, m, 8);
	assert_int_equal(n, 2);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 9445, &hip), 9443);
	assert_string_equal(hip, "");
	/* A range maps port by port; its protocols both. */
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 18282, &hip), 8282);
	assert_string_equal(hip, "127.0.0.1");
	assert_int_equal(wa_podman_ctr_port(m, n, WA_UDP, 18281, NULL), 8281);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 18283, NULL), 0);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_UDP, 9445, NULL), 0);
	assert_int_equal(wa_podman_config_maps(cfg, m, 1), 1);
	json_decref(cfg);
	/* Podman 3 kept CNI's names. */
	cfg = json_loads("{\"portMappings\":[{\"hostPort\":9444,"
	    "\"containerPort\":9443,\"protocol\":\"tcp\",\"hostIP\":\"\"},"
	    "{\"hostPort\":0,\"containerPort\":1}]}", 0, NULL);
	n = wa_podman_config_maps(cfg, m, 8);
	assert_int_equal(n, 1);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 9444, NULL), 9443);
	json_decref(cfg);
}

/* Numbers out of range in a config: no mapping past port 65535, and a
 * port that only wraps into range is no port. */
static void
test_config_bounds(void **state)
{
	struct wa_podman_map m[4];
	json_t *cfg;
	size_t n;

	(void)state;
	cfg = json_loads("{\"newPortMappings\":[{\"container_port\":60000,"
	    "\"host_port\":9445,\"range\":70000},{\"container_port\":9443,"
	    "\"host_port\":20000,\"range\":2147483647},{\"container_port\":"
	    "9443,\"host_port\":4294977739}]}", 0, NULL);
	assert_non_null(cfg);
	n = wa_podman_config_maps(cfg, m, 4);
	assert_int_equal(n, 2);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 9445, NULL), 60000);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 14980, NULL), 65535);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 14981, NULL), 0);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 65535, NULL), 54978);
	assert_int_equal(wa_podman_ctr_port(m, n, WA_TCP, 20001, NULL), 9444);
	json_decref(cfg);
}

/* The config among a bolt file's bytes: other containers' configs, the
 * id elsewhere (a name index), binary page headers. */
static void
test_bolt_scan(void **state)
{
	char buf[4096];
	size_t len = 0;
	json_t *cfg;
	struct wa_podman_map m[4];

	(void)state;
	memset(buf, 0, sizeof buf);
	len += (size_t)snprintf(buf + len, sizeof buf - len, "\x01\x02"
	    "\"id\":\"" ID "\"");
	buf[len++] = '\0';
	buf[len++] = '\xff';
	len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", CFG(ID2,
	    "1111"));
	buf[len++] = '\x10';
	len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", CFG(ID,
	    "9445"));
	buf[len++] = '\x00';
	len += (size_t)snprintf(buf + len, sizeof buf - len, "{\"spec\":{},"
	    "\"id\":\"" ID "\" truncated");
	cfg = wa_podman_bolt_config(buf, len, ID);
	assert_non_null(cfg);
	assert_int_equal(wa_podman_config_maps(cfg, m, 4), 2);
	assert_int_equal(wa_podman_ctr_port(m, 2, WA_TCP, 9445, NULL), 9443);
	json_decref(cfg);
	cfg = wa_podman_bolt_config(buf, len, ID2);
	assert_non_null(cfg);
	assert_int_equal(wa_podman_config_maps(cfg, m, 4), 2);
	assert_int_equal(wa_podman_ctr_port(m, 2, WA_TCP, 1111, NULL), 9443);
	json_decref(cfg);
	assert_null(wa_podman_bolt_config(buf, len, "ab"));
	assert_null(wa_podman_bolt_config(buf, 40, ID));
}

/* Podman 5's default: a SQLite file, ContainerConfig(ID, ..., JSON). */
static void
test_sqlite_state(void **state)
{
	char dir[] = "/tmp/wa-podman-XXXXXX", path[256];
	struct wa_podman_map m[4];
	sqlite3 *db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/db.sql", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE ContainerConfig(ID "
	    "TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, PodID TEXT,"
	    " JSON TEXT NOT NULL); INSERT INTO ContainerConfig VALUES('" ID
	    "', 'podx', NULL, '" CFG(ID, "9446") "')", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(wa_podman_maps_in(dir, ID, m, 4), 2);
	assert_int_equal(wa_podman_ctr_port(m, 2, WA_TCP, 9446, NULL), 9443);
	assert_int_equal(wa_podman_maps_in(dir, ID2, m, 4), 0);
	/* Not an id: nothing is looked up. */
	assert_int_equal(wa_podman_maps_in(dir, "' OR 1=1 --", m, 4), 0);
	unlink(path);
	/* Neither file: nothing, and nothing created. */
	assert_int_equal(wa_podman_maps_in(dir, ID, m, 4), 0);
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
}

static void
test_conmon_args(void **state)
{
	static const char cmd[] = "/usr/bin/conmon\0--api-version\0001\0-c\0"
	    ID "\0-u\0" ID "\0-n\0podx\0--exit-dir\0/run/libpod/exits\0";
	static const char eq[] = "conmon\0--cid=" ID "\0--name\0web\0-n\0";
	char out[128];

	(void)state;
	assert_int_equal(wa_podman_conmon_arg(cmd, sizeof cmd - 1, "-c",
	    "--cid", out, sizeof out), 0);
	assert_string_equal(out, ID);
	assert_int_equal(wa_podman_conmon_arg(cmd, sizeof cmd - 1, "-n",
	    "--name", out, sizeof out), 0);
	assert_string_equal(out, "podx");
	assert_int_equal(wa_podman_conmon_arg(eq, sizeof eq - 1, "-c",
	    "--cid", out, sizeof out), 0);
	assert_string_equal(out, ID);
	assert_int_equal(wa_podman_conmon_arg(eq, sizeof eq - 1, "-n",
	    "--name", out, sizeof out), 0);
	assert_string_equal(out, "web");
	/* A flag last, with no value. */
	assert_int_equal(wa_podman_conmon_arg(eq, sizeof eq - 1, "-u",
	    "--cuuid", out, sizeof out), WA_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_maps),
		cmocka_unit_test(test_config_bounds),
		cmocka_unit_test(test_bolt_scan),
		cmocka_unit_test(test_sqlite_state),
		cmocka_unit_test(test_conmon_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
