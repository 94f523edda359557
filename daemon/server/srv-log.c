/*
 * srv-log.c: one line per event on stderr.  Under systemd (JOURNAL_STREAM
 * set) lines carry <N> priority prefixes instead of timestamps, since the
 * journal adds its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

static bool wa_log_journal;
static int wa_log_max = WA_LOG_INFO;

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

void
wa_log(int prio, const char *fmt, ...)
{
	char line[1024], ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (prio > wa_log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (wa_log_journal) {
		fprintf(stderr, "<%d>%s\n", prio, line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s wso2-allocd[%ld]: %s\n", ts, (long)getpid(), line);
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
