/* SPDX-License-Identifier: ISC */
/*
 * admin_events.c: `userpatch-admin events prune --older-than DURATION`:
 * delete the change feed's events created more than DURATION ago (90d,
 * 12w, 36h, as the other prunes take it; a bare number is days), except
 * what an enabled webhook has not yet received (up_event_prune).  Run it
 * daily, from cron, like `usage fold`.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "admin_common.h"
#include "event.h"
#include "parse.h"

#define PRUNE_BATCH 5000

int admin_events(struct admin_env *env, int argc, char **argv)
{
	const char *age_text;
	char before[32];
	uint64_t seconds = 0, deleted = 0;
	struct tm tm;
	time_t cut;
	enum up_err rc;
	int bad = 0;

	age_text = admin_opt(argc, argv, 2, "--older-than", &bad);
	if (argc != 4 || strcmp(argv[1], "prune") != 0 || bad || age_text == NULL) {
		admin_err("usage: events prune --older-than DURATION");
		return 2;
	}
	if (up_parse_u64(age_text, 1, 36500, &seconds) == UP_OK)
		seconds *= 86400; /* a bare number: days */
	else if (up_parse_duration(age_text, &seconds) != UP_OK) {
		admin_err("--older-than takes a duration such as 90d, 12w or 36h (or a number "
		          "of days from 1 to 36500)");
		return 2;
	}
	cut = time(NULL) - (time_t)seconds;
	if (gmtime_r(&cut, &tm) == NULL ||
	    strftime(before, sizeof(before), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		admin_err("cannot work out the cut-off time");
		return 1;
	}
	rc = up_event_prune(env->db, before, PRUNE_BATCH, &deleted);
	if (rc != UP_OK) {
		admin_err("prune stopped after %llu events: %s", (unsigned long long)deleted,
		          up_err_message(rc));
		return 1;
	}
	printf("pruned %llu events created before %s UTC\n", (unsigned long long)deleted, before);
	return 0;
}
