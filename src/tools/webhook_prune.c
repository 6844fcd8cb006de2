/* SPDX-License-Identifier: ISC */
/*
 * webhook_prune.c: `userpatch-admin webhooks prune (--before TIME |
 * --older-than DURATION)`: delete the delivery attempts made before the cut
 * and the deliveries that were due before it and are finished (delivered,
 * or given up); a pending delivery is never deleted.  Each in chunks of
 * PRUNE_CHUNK rows, each chunk its own short statement, through the
 * tables' time indexes (schema/013_webhooks.sql).  Run it daily from cron,
 * like `events prune`.
 */
#include <stdio.h>
#include <string.h>
#include "admin_common.h"

#define PRUNE_CHUNK 10000

static const char sql_attempts[] = "DELETE FROM webhook_attempts WHERE attempted_at < ? "
                                   "ORDER BY attempted_at LIMIT ?";
static const char sql_deliveries[] =
        "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') "
        "AND next_attempt_at < ? LIMIT ?";

/* Run sql (cut, chunk) until a chunk deletes fewer rows; *pruned the count. */
static enum up_err prune_all(struct up_db *db, const char *sql, const char *before,
                             uint64_t *pruned)
{
	struct up_db_param p[2] = {UP_P_STR(before), UP_P_U64(PRUNE_CHUNK)};
	struct up_db_info info;
	enum up_err rc;

	*pruned = 0;
	do {
		rc = up_db_exec(db, sql, p, 2, &info);
		if (rc == UP_OK)
			*pruned += info.affected;
	} while (rc == UP_OK && info.affected == PRUNE_CHUNK);
	return rc;
}

int admin_webhooks_prune(struct admin_env *env, int argc, char **argv)
{
	char before[27];
	uint64_t attempts = 0, deliveries = 0;
	enum up_err rc;

	if (argc != 4) {
		admin_err("usage: webhooks prune --before TIME | --older-than DURATION");
		return 2;
	}
	if (admin_cut(argc, argv, 2, before) != 0)
		return 2;
	rc = prune_all(env->db, sql_attempts, before, &attempts);
	if (rc == UP_OK)
		rc = prune_all(env->db, sql_deliveries, before, &deliveries);
	if (rc != UP_OK) {
		admin_err("webhooks prune stopped after %llu attempts and %llu deliveries: %s",
		          (unsigned long long)attempts, (unsigned long long)deliveries,
		          up_err_message(rc));
		return 1;
	}
	printf("pruned %llu delivery attempts and %llu finished deliveries\n",
	       (unsigned long long)attempts, (unsigned long long)deliveries);
	return 0;
}
