/*
 * srv-log.c: one line per event on stderr.  Under systemd (JOURNAL_STREAM
 * set) lines carry <N> priority prefixes instead of timestamps, since the
 * journal adds its own.  While the loop serves, lines wait in a buffer
 * and go out in one write per loop iteration (wa_log_flush).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

/* The longest line: a timestamp, the pid and a message of 1023 bytes. */
#define WA_LOG_LINE 1152

static bool wa_log_journal;
static int wa_log_max = WA_LOG_INFO;
static long wa_log_pid;
/*
 * Held lines are lost if the daemon is killed or crashes before the
 * loop's next flush: at most one iteration's, all of changes already
 * committed (the ledger's history has them), never a change unlogged
 * that the ledger lacks.
 */
static char wa_log_buf[64 * 1024];
static size_t wa_log_len;
static bool wa_log_held;
static time_t wa_log_sec = -1;
static char wa_log_ts[32];

int
wa_log_set_level(const char *name)
{
	static const char *const names[] = { "err", "warning", "notice",
	    "info", "debug" };

	for (int i = 0; i < 5; i++)
		if (strcmp(name, names[i]) == 0) {
			wa_log_max = WA_LOG_ERR + i;
			return 0;
		}
	return WA_EINVAL;
}

void
wa_log_init(void)
{
	wa_log_journal = getenv("JOURNAL_STREAM") != NULL;
}

/* What is held, in as few writes as stderr takes; dropped if it fails. */
void
wa_log_flush(void)
{
	size_t off = 0;
	ssize_t w;

	while (off < wa_log_len) {
		w = write(STDERR_FILENO, wa_log_buf + off, wa_log_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	wa_log_len = 0;
}

/* Whether lines wait for wa_log_flush; off writes what waits. */
void
wa_log_hold(bool on)
{
	wa_log_held = on;
	if (!on)
		wa_log_flush();
}

/* The second's timestamp, formatted once a second. */
static const char *
wa_log_stamp(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != wa_log_sec) {
		gmtime_r(&now, &tm);
		strftime(wa_log_ts, sizeof wa_log_ts, "%Y-%m-%dT%H:%M:%SZ",
		    &tm);
		wa_log_sec = now;
	}
	return wa_log_ts;
}

void
wa_log(int prio, const char *fmt, ...)
{
	char line[1024], *p;
	size_t room;
	va_list ap;
	int n;

	if (prio > wa_log_max)
		return;
	/* The daemon never forks: its pid is read once. */
	if (wa_log_pid == 0)
		wa_log_pid = (long)getpid();
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (sizeof wa_log_buf - wa_log_len < WA_LOG_LINE)
		wa_log_flush();
	p = wa_log_buf + wa_log_len;
	room = sizeof wa_log_buf - wa_log_len;
	if (wa_log_journal)
		n = snprintf(p, room, "<%d>%s\n", prio, line);
	else
		n = snprintf(p, room, "%s wso2-allocd[%ld]: %s\n",
		    wa_log_stamp(), wa_log_pid, line);
	if (n > 0)
		wa_log_len += (size_t)n < room ? (size_t)n : room - 1;
	if (!wa_log_held)
		wa_log_flush();
}

/*
 * A change is logged once it is durable: inside a batch its line waits
 * for the commit (wa_logq_flush) and goes with a rolled-back request
 * (wa_logq_drop); outside one it is logged at once.
 */
void
wa_log_change(struct wa_daemon *d, int prio, const char *fmt, ...)
{
	struct wa_logq *q = &d->logq;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (!q->held) {
		wa_log(prio, "%s", line);
		return;
	}
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct wa_blog *nv = realloc(q->v, ncap * sizeof *nv);

		if (nv == NULL)
			return;
		q->v = nv;
		q->cap = ncap;
	}
	if ((q->v[q->n].line = strdup(line)) == NULL)
		return;
	q->v[q->n++].prio = prio;
}

/* A request's changes begin: theirs wait, and can be dropped alone. */
void
wa_logq_begin(struct wa_daemon *d)
{
	d->logq.held = true;
	d->logq.mark = d->logq.n;
}

/* The batch is over: what follows is logged at once. */
void
wa_logq_release(struct wa_daemon *d)
{
	d->logq.held = false;
}

void
wa_logq_drop(struct wa_daemon *d, bool all)
{
	struct wa_logq *q = &d->logq;
	size_t mark = all ? 0 : q->mark;

	while (q->n > mark)
		free(q->v[--q->n].line);
}

void
wa_logq_flush(struct wa_daemon *d)
{
	struct wa_logq *q = &d->logq;

	for (size_t i = 0; i < q->n; i++)
		wa_log(q->v[i].prio, "%s", q->v[i].line);
	wa_logq_drop(d, true);
}

void
wa_logq_free(struct wa_daemon *d)
{
	wa_logq_drop(d, true);
	free(d->logq.v);
	memset(&d->logq, 0, sizeof d->logq);
}
