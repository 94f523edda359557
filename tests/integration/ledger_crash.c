/*
 * ledger_crash.c: crash safety of the ledger itself.  A child leases in a
 * loop and reports each acknowledged (committed) lease on a pipe; the
 * parent SIGKILLs it at a random moment, reopens the ledger, and checks
 * integrity_check, that every acknowledged lease is there, and that no
 * two active instances share a port.  20 rounds.
 *
 *   ledger_crash DIR [ROUNDS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ledger.h"
#include "wso2alloc.h"

static void
wa_child(const char *path, int round, int fd)
{
	struct wa_ledger *l;
	struct wa_lease_port p[2];
	struct wa_instance in;
	char name[64], line[80];
	int n;

	if (wa_ledger_open(&l, path, NULL, NULL, 0) != 0)
		_exit(2);
	for (int i = 0; ; i++) {
		memset(&in, 0, sizeof in);
		snprintf(name, sizeof name, "r%d-%d", round, i);
		p[0] = (struct wa_lease_port){ "a", (uint16_t)(1 + (i * 2) % 65534), 0 };
		p[1] = (struct wa_lease_port){ "b", (uint16_t)(2 + (i * 2) % 65534), 0 };
		in.name = name;
		in.product = "mi-4";
		in.offset = i % 65536;
		in.ports = p;
		in.nports = 2;
		if (wa_ledger_lease(l, &in, WA_EV_LEASED, NULL) != 0)
			_exit(3);
		/* Acknowledged only now, after the commit returned. */
		n = snprintf(line, sizeof line, "%s\n", name);
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
	}
}

static long
wa_scalar(const char *path, const char *sql, char *text, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		if (text != NULL)
			snprintf(text, len, "%s", sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static int
wa_round(const char *path, int round)
{
	struct wa_ledger *l;
	struct wa_instance in;
	char buf[1 << 16], integrity[64], *line, *save;
	size_t len = 0;
	ssize_t r;
	int fds[2], status, lost = 0, acked = 0;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		close(fds[0]);
		wa_child(path, round, fds[1]);
	}
	close(fds[1]);
	usleep((useconds_t)(5000 + rand() % 150000));
	kill(pid, SIGKILL);
	while (len < sizeof buf - 1 && (r = read(fds[0], buf + len,
	    sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	wa_scalar(path, "PRAGMA integrity_check", integrity, sizeof integrity);
	if (wa_ledger_open(&l, path, NULL, NULL, 0) != 0)
		return 1;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		acked++;
		if (wa_ledger_find(l, line, &in) != 0 ||
		    in.state != WA_STATE_ACTIVE)
			lost++;
		wa_instance_clear(&in);
	}
	/* The next round starts from no active lease. */
	wa_ledger_exec(l, "UPDATE instances SET state = 'released'; "
	    "DELETE FROM leased_ports");
	wa_ledger_close(l);
	printf("# round %d: %d acknowledged, %d lost, integrity %s\n", round,
	    acked, lost, integrity);
	return lost != 0 || strcmp(integrity, "ok") != 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	int rounds = argc > 2 ? atoi(argv[2]) : 20, failed = 0;

	if (argc < 2)
		return 64;
	snprintf(path, sizeof path, "%s/crash.db", argv[1]);
	srand((unsigned)time(NULL));
	for (int r = 1; r <= rounds; r++)
		failed += wa_round(path, r);
	if (wa_scalar(path, "SELECT count(*) FROM (SELECT proto, port FROM "
	    "leased_ports GROUP BY proto, port HAVING count(*) > 1)", NULL,
	    0) != 0)
		failed++;
	printf("%d passed, %d failed\n", rounds - failed, failed);
	return failed != 0;
}
