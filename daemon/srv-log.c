/*
 * srv-log.c: one line per event on stderr.  Under systemd (JOURNAL_STREAM
 * set) lines carry <N> priority prefixes instead of timestamps, since the
 * journal adds its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"

static bool wa_log_journal;

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
