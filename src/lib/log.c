/* SPDX-License-Identifier: ISC */
/* log.c: the logger. */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static const char *log_prog = "userpatch";
static enum up_log_level log_level = UP_LOG_INFO;
static FILE *log_out;
static char log_rid[64] = "-";

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void up_log_init(const char *prog, enum up_log_level level, FILE *out)
{
	if (prog != NULL)
		log_prog = prog;
	log_level = level;
	log_out = out;
}

void up_log_set_request_id(const char *rid)
{
	if (rid == NULL || rid[0] == '\0') {
		strcpy(log_rid, "-");
		return;
	}
	strncpy(log_rid, rid, sizeof(log_rid) - 1);
	log_rid[sizeof(log_rid) - 1] = '\0';
}

void up_log(enum up_log_level level, const char *fmt, ...)
{
	FILE *out = log_out != NULL ? log_out : stderr;
	char stamp[32];
	char msg[1024];
	struct tm tm;
	time_t now;
	va_list ap;
	size_t i;

	if (level > log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One event, one line: never let a value break the line. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	fprintf(out, "%s %s[%ld] %s rid=%s %s\n", stamp, log_prog, (long)getpid(),
	        level_names[level], log_rid, msg);
	fflush(out);
}
