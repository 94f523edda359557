/*
 * ledger_bench.c: ledger commits per second, one lease per transaction
 * and batches of 8 and 64 leases per transaction (the daemon's group
 * commit), with synchronous FULL and NORMAL.
 *
 * Batched leases each run in a savepoint, as the daemon's requests do.
 *
 * --pairs: the floor the ledger puts under any daemon.  CLIENTS clients
 * with one request outstanding each: every transaction carries one
 * request of each, in its own savepoint, half of them leases of a new
 * name (as bench/load makes) and half releases, through the calls the
 * daemon makes for them (wa_ledger_find and wa_ledger_lease, and
 * wa_ledger_end).  Synchronous NORMAL: no fsync, the CPU alone.
 * Checkpoints run in line when the log holds 1,000 frames, as the
 * daemon's worker would.  Printed: pairs per second and the process's
 * CPU time per pair for the writes and commits, for the checkpoints and
 * for the name lookups (the last two apart: a daemon could move them
 * off its request path).
 *
 *   ledger_bench [DIR]     (default /var/tmp: a disk, not a tmpfs)
 *   ledger_bench --pairs CATALOG PRODUCT CLIENTS SECONDS [DIR]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "catalog.h"
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
wa_cpu(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* A client of --pairs: its offset, ports and lease. */
struct wa_client {
	struct wa_lease_port ports[128];
	size_t nports;
	char name[48];
	int offset;
	long seq;
	bool held;
};

struct wa_pairs {
	struct wa_ledger *l, *ckpt;
	const char *product;
	struct wa_client *c;
	int nclients;
	long pairs;
	double find_cpu, ckpt_cpu;      /* seconds */
};

/*
 * Each client's offset: the lowest whose ports no other client holds, as
 * the allocator would give 64 leases at once; kept for all its leases.
 */
static void
wa_pairs_offsets(struct wa_pairs *p, const struct wa_port_def **sel,
    size_t nsel)
{
	static bool used[2][65536];
	int off = 0;

	for (int k = 0; k < p->nclients; k++) {
		struct wa_client *c = &p->c[k];
		size_t i;

		for (;; off++) {
			for (i = 0; i < nsel; i++) {
				int port = wa_port_effective(sel[i], off);

				if (off > 65535 || port < 1 || port > 65535) {
					fprintf(stderr, "ledger_bench: no %d "
					    "leases at once\n", p->nclients);
					exit(1);
				}
				if (used[sel[i]->proto & 1][port])
					break;
			}
			if (i == nsel)
				break;
		}
		for (i = 0; i < nsel; i++) {
			c->ports[i] = (struct wa_lease_port){ sel[i]->name,
			    (uint16_t)wa_port_effective(sel[i], off),
			    sel[i]->proto };
			used[sel[i]->proto & 1][c->ports[i].port] = true;
		}
		c->nports = nsel;
		c->offset = off;
	}
}

/* Client k's next request: a lease of a new name, or its release. */
static void
wa_pairs_request(struct wa_pairs *p, int k)
{
	struct wa_client *c = &p->c[k];
	struct wa_instance in;
	double t0;
	int rc;

	if ((rc = wa_ledger_savepoint(p->l)) != 0)
		wa_die("savepoint", rc);
	if (c->held) {
		if ((rc = wa_ledger_end(p->l, c->name, WA_STATE_RELEASED,
		    getuid(), getpid(), NULL)) != 0)
			wa_die("end", rc);
		p->pairs++;
	} else {
		snprintf(c->name, sizeof c->name, "load-%d-%ld", k, c->seq++);
		/* The daemon looks the name up first: sticky offsets. */
		t0 = wa_cpu(CLOCK_THREAD_CPUTIME_ID);
		rc = wa_ledger_find(p->l, c->name, &in);
		wa_instance_clear(&in);
		p->find_cpu += wa_cpu(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (rc != WA_ENOTFOUND)
			wa_die("find", rc == 0 ? WA_EINTERNAL : rc);
		memset(&in, 0, sizeof in);
		in.name = c->name;
		in.product = (char *)p->product;
		in.offset = c->offset;
		in.owner_uid = getuid();
		in.ports = c->ports;
		in.nports = c->nports;
		if ((rc = wa_ledger_lease(p->l, &in, WA_EV_LEASED, NULL)) != 0)
			wa_die("lease", rc);
	}
	c->held = !c->held;
	if ((rc = wa_ledger_savepoint_release(p->l)) != 0)
		wa_die("savepoint release", rc);
}

/* One group commit: a request of every step-th client. */
static void
wa_pairs_tx(struct wa_pairs *p, int step)
{
	double t0;
	int rc;

	if ((rc = wa_ledger_begin(p->l)) != 0)
		wa_die("begin", rc);
	for (int k = 0; k < p->nclients; k += step)
		wa_pairs_request(p, k);
	if ((rc = wa_ledger_commit(p->l)) != 0)
		wa_die("commit", rc);
	if (wa_ledger_wal_frames(p->l) >= 1000) {
		t0 = wa_cpu(CLOCK_THREAD_CPUTIME_ID);
		if ((rc = wa_ledger_checkpoint(p->ckpt, NULL)) != 0)
			wa_die("checkpoint", rc);
		p->ckpt_cpu += wa_cpu(CLOCK_THREAD_CPUTIME_ID) - t0;
	}
}

static int
wa_pairs_main(int argc, char **argv)
{
	struct wa_ledger_opts o = { .sync = WA_SYNC_NORMAL,
	    .busy_timeout_ms = 5000, .manual_checkpoint = true };
	const struct wa_port_def *sel[128];
	const struct wa_product *prod;
	const char *dirs[1], *dir;
	struct wa_catalog *cat;
	struct wa_pairs p;
	char path[512], err[512];
	double secs, t0, cpu0, wall, cpu;
	size_t nsel;

	memset(&p, 0, sizeof p);
	if (argc < 4 || (p.nclients = atoi(argv[2])) < 2 ||
	    p.nclients % 2 != 0 || (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: ledger_bench --pairs CATALOG PRODUCT "
		    "CLIENTS(even) SECONDS [DIR]\n");
		return 64;
	}
	dir = argc > 4 ? argv[4] : "/var/tmp";
	dirs[0] = argv[0];
	if (wa_catalog_load(&cat, dirs, 1, err, sizeof err) != 0) {
		fprintf(stderr, "ledger_bench: %s\n", err);
		return 1;
	}
	snprintf(err, sizeof err, "no such product, or over 128 ports");
	if ((prod = wa_catalog_find(cat, argv[1])) == NULL ||
	    prod->nports > 128 || wa_port_select(prod, NULL, 0, NULL, 0, sel,
	    &nsel, err, sizeof err) != 0) {
		fprintf(stderr, "ledger_bench: %s: %s\n", argv[1], err);
		wa_catalog_free(cat);
		return 1;
	}
	p.product = prod->id;
	if ((p.c = calloc((size_t)p.nclients, sizeof *p.c)) == NULL)
		wa_die("clients", WA_ENOMEM);
	wa_pairs_offsets(&p, sel, nsel);
	snprintf(path, sizeof path, "%s/wa-ledger-pairs.db", dir);
	unlink(path);
	if (wa_ledger_open(&p.l, path, &o, err, sizeof err) != 0 ||
	    wa_ledger_checkpointer_open(p.l, &p.ckpt) != 0) {
		fprintf(stderr, "ledger_bench: %s: %s\n", path, err);
		return 1;
	}
	/* Half the clients hold a lease: each commit then carries as many
	 * leases as releases.  A second's warm-up is not counted. */
	wa_pairs_tx(&p, 2);
	for (t0 = wa_now(); wa_now() - t0 < 1;)
		wa_pairs_tx(&p, 1);
	p.pairs = 0;
	p.find_cpu = p.ckpt_cpu = 0;
	t0 = wa_now();
	cpu0 = wa_cpu(CLOCK_PROCESS_CPUTIME_ID);
	while (wa_now() - t0 < secs)
		wa_pairs_tx(&p, 1);
	cpu = wa_cpu(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	wall = wa_now() - t0;
	printf("pairs %-8s ports %3zu  batch %3d  pairs %7ld  %9.0f pairs/s  "
	    "cpu %7.1f us/pair  ckpt %6.1f us/pair  find %6.1f us/pair\n",
	    p.product, nsel, p.nclients, p.pairs, (double)p.pairs / wall,
	    (cpu - p.ckpt_cpu - p.find_cpu) / (double)p.pairs * 1e6,
	    p.ckpt_cpu / (double)p.pairs * 1e6,
	    p.find_cpu / (double)p.pairs * 1e6);
	wa_ledger_close(p.ckpt);
	wa_ledger_close(p.l);
	unlink(path);
	snprintf(path, sizeof path, "%s/wa-ledger-pairs.db.lock", dir);
	unlink(path);
	wa_catalog_free(cat);
	free(p.c);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp";
	static const int batches[] = { 1, 8, 64 };
	struct statfs fs;

	if (argc > 1 && strcmp(argv[1], "--pairs") == 0)
		return wa_pairs_main(argc - 2, argv + 2);
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
