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
