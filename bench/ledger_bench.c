/*
 * ledger_bench.c: ledger commits per second, one lease per transaction
 * and batches of 8 and 64 leases per transaction (the daemon's group
 * commit), with synchronous FULL and NORMAL.
 *
 * Batched leases each run in a savepoint, as the daemon's requests do.
 *
 *   ledger_bench [DIR]     (default /var/tmp: a disk, not a tmpfs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "wso2alloc.h"

static double
wa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
wa_die(const char *what, int rc)
{
	fprintf(stderr, "ledger_bench: %s: %s\n", what, wa_strerror(rc));
	exit(1);
}

static double
wa_run(const char *dir, enum wa_sync sync, int batch, int total)
{
	struct wa_ledger_opts o = { .sync = sync, .busy_timeout_ms = 5000 };
	struct wa_lease_port ports[4];
	struct wa_instance in;
	struct wa_ledger *l;
	char path[512], name[32], err[256];
	double t0;
	int n = 0, rc;

	snprintf(path, sizeof path, "%s/wa-ledger-bench.db", dir);
	unlink(path);
	if (wa_ledger_open(&l, path, &o, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	t0 = wa_now();
	while (n < total) {
		if (batch > 1 && (rc = wa_ledger_begin(l)) != 0)
			wa_die("begin", rc);
		for (int b = 0; b < batch && n < total; b++, n++) {
			memset(&in, 0, sizeof in);
			snprintf(name, sizeof name, "b-%d", n);
			for (int k = 0; k < 4; k++)
				ports[k] = (struct wa_lease_port){ "p",
				    (uint16_t)(1 + n * 4 + k), 0 };
			in.name = name;
			in.product = "mi-4";
			in.offset = n;
			in.ports = ports;
			in.nports = 4;
			if (batch > 1 && (rc = wa_ledger_savepoint(l)) != 0)
				wa_die("savepoint", rc);
			if ((rc = wa_ledger_lease(l, &in, WA_EV_LEASED,
			    NULL)) != 0)
				wa_die("lease", rc);
			if (batch > 1 && (rc = wa_ledger_savepoint_release(l)) != 0)
				wa_die("release", rc);
		}
		if (batch > 1 && (rc = wa_ledger_commit(l)) != 0)
			wa_die("commit", rc);
	}
	t0 = wa_now() - t0;
	wa_ledger_close(l);
	unlink(path);
	/* The ledger's lock file stays beside it by design: not here. */
	snprintf(path, sizeof path, "%s/wa-ledger-bench.db.lock", dir);
	unlink(path);
	return (double)total / t0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp";
	static const int batches[] = { 1, 8, 64 };
	struct statfs fs;

	/* A tmpfs never syncs: its FULL figures would mean nothing. */
	if (statfs(dir, &fs) == 0 && fs.f_type == 0x01021994)
		printf("warning: %s is a tmpfs: fsync costs nothing\n", dir);
	printf("ledger in %s: leases (4 ports each) per second, and commits "
	    "per second; best of 3 runs\n", dir);
	printf("%-8s %8s %12s %12s\n", "sync", "batch", "leases/s",
	    "commits/s");
	for (int s = 0; s < 2; s++)
		for (int b = 0; b < 3; b++) {
			double best = 0, r;

			for (int k = 0; k < 3; k++) {
				r = wa_run(dir, s == 0 ? WA_SYNC_FULL :
				    WA_SYNC_NORMAL, batches[b], b == 0 ? 2048 :
				    8192);
				best = r > best ? r : best;
			}
			printf("%-8s %8d %12.0f %12.0f\n", s == 0 ? "full" :
			    "normal", batches[b], best, best / batches[b]);
		}
	return 0;
}
