/*
 * ledger_bench.c: ledger commits per second, one lease per transaction
 * and batches of 8 and 64 leases per transaction (the daemon's group
 * commit), with synchronous FULL and NORMAL.
 *
 *   ledger_bench [DIR]     (default /var/tmp: a disk, not a tmpfs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"

static double
wa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wa_run(const char *dir, enum wa_sync sync, int batch, int total)
{
	struct wa_ledger_opts o = { sync, 5000, false };
	struct wa_lease_port ports[4];
	struct wa_instance in;
	struct wa_ledger *l;
	char path[512], name[32], err[256];
	double t0;
	int n = 0;

	snprintf(path, sizeof path, "%s/wa-ledger-bench.db", dir);
	unlink(path);
	if (wa_ledger_open(&l, path, &o, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	t0 = wa_now();
	while (n < total) {
		if (batch > 1)
			wa_ledger_begin(l);
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
			if (wa_ledger_lease(l, &in, WA_EV_LEASED, NULL) != 0)
				exit(1);
		}
		if (batch > 1 && wa_ledger_commit(l) != 0)
			exit(1);
	}
	t0 = wa_now() - t0;
	wa_ledger_close(l);
	unlink(path);
	return (double)total / t0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp";
	static const int batches[] = { 1, 8, 64 };

	printf("ledger commits in %s: leases (4 ports each) per second\n", dir);
	printf("%-8s %12s %12s %12s\n", "sync", "1/commit", "8/commit",
	    "64/commit");
	for (int s = 0; s < 2; s++) {
		printf("%-8s", s == 0 ? "full" : "normal");
		for (int b = 0; b < 3; b++)
			printf(" %12.0f", wa_run(dir, s == 0 ? WA_SYNC_FULL :
			    WA_SYNC_NORMAL, batches[b], 8192 / (s == 0 && b == 0 ?
			    4 : 1)));
		printf("\n");
	}
	return 0;
}
