/* log.c: stderr/syslog logging with a level threshold. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static char log_prog[32] = "certmint";
static enum cm_log_level log_threshold = CM_LOG_INFO;
static int log_syslog;

void
cm_log_init(const char *progname, enum cm_log_level level, int use_syslog)
{
	snprintf(log_prog, sizeof(log_prog), "%s", progname ? progname : "certmint");
	log_threshold = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(log_prog, LOG_PID, LOG_DAEMON);
}

int
cm_log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void
cm_log(enum cm_log_level level, const char *fmt, ...)
{
	static const char *tags[] = { "error", "warn", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024];
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line per message: a peer-supplied newline must not forge lines. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_syslog) {
		syslog(prio[level], "%s", msg);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	char ts[32];
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%d] %s: %s\n", ts, log_prog, (int)getpid(), tags[level], msg);
}
