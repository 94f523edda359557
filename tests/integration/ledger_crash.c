/*
 * ledger_crash.c: crash safety of the ledger itself.  A child leases in a
 * loop and reports each acknowledged (committed) lease on a pipe; the
 * parent SIGKILLs it at a random moment, reopens the ledger, and checks
 * integrity_check, that every acknowledged lease is there, that no two
 * active instances share a port, and that each lease's row lists as many
 * ports as the keys it holds.  20 rounds; odd rounds commit in
 * batches of 8 (the daemon's group commit) and acknowledge after COMMIT.
 *
 *   ledger_crash DIR [ROUNDS]
 */
#include <errno.h>
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

#define WA_BATCH 8

static void
wa_child(const char *path, int round, int fd)
{
	struct wa_ledger *l;
	struct wa_lease_port p[2];
	struct wa_instance in;
	char name[64], acks[WA_BATCH * 32];
	int batch = round % 2 ? WA_BATCH : 1;
	size_t n = 0;

	if (wa_ledger_open(&l, path, NULL, NULL, 0) != 0)
		_exit(2);
	/* 32,767 leases of two ports each fit before the ports wrap. */
	for (int i = 0; i < 32767; i++) {
		if (batch > 1 && i % batch == 0 && wa_ledger_begin(l) != 0)
			_exit(3);
		memset(&in, 0, sizeof in);
		snprintf(name, sizeof name, "r%d-%d", round, i);
		p[0] = (struct wa_lease_port){ "a", (uint16_t)(1 + i * 2), 0 };
		p[1] = (struct wa_lease_port){ "b", (uint16_t)(2 + i * 2), 0 };
		in.name = name;
		in.product = "mi-4";
		in.offset = i;
		in.ports = p;
		in.nports = 2;
		if (wa_ledger_lease(l, &in, WA_EV_LEASED, NULL) != 0)
			_exit(3);
		n += (size_t)snprintf(acks + n, sizeof acks - n, "%s\n", name);
		if (batch > 1 && (i + 1) % batch != 0)
			continue;
		if (batch > 1 && wa_ledger_commit(l) != 0)
			_exit(3);
		/* Acknowledged only now, after the commit returned. */
		if (write(fd, acks, n) != (ssize_t)n)
			_exit(4);
		n = 0;
	}
	_exit(5);
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
wa_round(const char *path, int round, long *total)
{
	struct wa_ledger *l;
	struct wa_instance in;
	static char buf[1 << 20];
	char integrity[64], err[512], *line, *save;
	size_t len = 0;
	ssize_t r;
	int fds[2], status, lost = 0, acked = 0, bad, rc;
	long dup, stray, split;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		printf("# round %d: %s\n", round, strerror(errno));
		return 1;
	}
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
	/* A child that died of its own error proves nothing. */
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("# round %d: child was not killed (status %#x)\n",
		    round, status);
		return 1;
	}
	wa_scalar(path, "PRAGMA integrity_check", integrity, sizeof integrity);
	if ((rc = wa_ledger_open(&l, path, NULL, err, sizeof err)) != 0) {
		printf("# round %d: reopen: %s (%s)\n", round, err,
		    wa_strerror(rc));
		return 1;
	}
	/* The database's own view, after the reopen (a child killed before
	 * its migrations left no tables): no port twice, none on an ended
	 * lease. */
	dup = wa_scalar(path, "SELECT count(*) FROM (SELECT proto, port FROM "
	    "leased_ports GROUP BY proto, port HAVING count(*) > 1)", NULL, 0);
	stray = wa_scalar(path, "SELECT count(*) FROM leased_ports p JOIN "
	    "instances i ON i.id = p.instance_id WHERE i.state != 'active'",
	    NULL, 0);
	/* Each active lease's row lists exactly as many ports as the keys
	 * it holds. */
	split = wa_scalar(path, "SELECT count(*) FROM instances i LEFT JOIN "
	    "(SELECT instance_id, count(*) AS n FROM leased_ports GROUP BY "
	    "instance_id) p ON p.instance_id = i.id WHERE i.state = 'active' "
	    "AND coalesce(p.n, 0) <> coalesce(length(i.ports) - "
	    "length(replace(i.ports, ',', '')) + 1, 0)", NULL, 0);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		acked++;
		if (wa_ledger_find(l, line, &in) != 0 ||
		    in.state != WA_STATE_ACTIVE || in.nports != 2)
			lost++;
		wa_instance_clear(&in);
	}
	/* The next round starts from no active lease. */
	bad = wa_ledger_exec(l, "UPDATE instances SET state = 'released'; "
	    "DELETE FROM leased_ports");
	if (bad != 0)
		printf("# round %d: reset: %s (%s)\n", round, wa_strerror(bad),
		    wa_ledger_errmsg(l));
	wa_ledger_close(l);
	printf("# round %d (%s): %d acknowledged, %d lost, integrity %s, "
	    "%ld shared ports, %ld ports of ended leases, %ld rows unlike "
	    "their keys\n", round, round % 2 ? "batches of 8" :
	    "one per commit", acked, lost, integrity, dup, stray, split);
	*total += acked;
	return bad != 0 || lost != 0 || strcmp(integrity, "ok") != 0 ||
	    dup != 0 || stray != 0 || split != 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	int rounds = argc > 2 ? atoi(argv[2]) : 20, failed = 0;
	long total = 0;

	if (argc < 2)
		return 64;
	snprintf(path, sizeof path, "%s/crash.db", argv[1]);
	srand((unsigned)time(NULL));
	for (int r = 1; r <= rounds; r++)
		failed += wa_round(path, r, &total);
	printf("%d passed, %d failed, %ld leases acknowledged\n",
	    rounds - failed, failed, total);
	/* Killed before any commit every time: nothing was tested. */
	return failed != 0 || total == 0;
}
