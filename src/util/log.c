/* log.c - one line per event on stderr (or syslog), request id in every line. */
#include "util/log.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

static const char *log_prog = "ispbill";
static int log_syslog;
static enum log_level log_lvl = LOG_LVL_INFO;
static char log_rid[64];

static const char *const lvl_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *prog, int use_syslog)
{
	log_prog = prog;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level lvl)
{
	log_lvl = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(lvl_names) / sizeof(lvl_names[0]); i++) {
		if (strcasecmp(s, lvl_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void
log_set_request_id(const char *rid)
{
	if (rid == NULL)
		log_rid[0] = '\0';
	else
		snprintf(log_rid, sizeof(log_rid), "%s", rid);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048], ts[40];
	va_list ap;
	int n, m;

	if (lvl > log_lvl)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
		n = vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		(void)n;
		if (log_rid[0])
			syslog(prio[lvl], "rid=%s %s", log_rid, line);
		else
			syslog(prio[lvl], "%s", line);
		return;
	}
	time_iso8601_now(ts, sizeof(ts), 1);
	n = snprintf(line, sizeof(line), "%s %s[%ld] %s%s%s ", ts, log_prog,
	    (long)getpid(), lvl_names[lvl], log_rid[0] ? " rid=" : "", log_rid);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	/* one line, one write: no newline inside an event */
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
