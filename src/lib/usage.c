/* SPDX-License-Identifier: ISC */
/* usage.c: per-worker request counts, written into the worker's slot rows. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "mono.h"
#include "proc.h"
#include "usage.h"

#define MAX_PENDING 64

/* Counts of one token and day not yet committed. */
struct pending {
	uint64_t token_id;
	char day[11];
	uint64_t count;    /* counted, not yet committed */
	uint64_t inflight; /* of count, written in the open transaction */
};

static struct pending pending[MAX_PENDING];
static size_t npending;
static long long oldest_ms; /* when the oldest waiting count was made; 0: none */
static pid_t owner;         /* the process the counts belong to */

/* A forked child starts with no counts: its parent writes its own. */
static void check_owner(void)
{
	if (owner == up_proc_id())
		return;
	owner = up_proc_id();
	npending = 0;
	oldest_ms = 0;
}

static const char sql_add[] =
        "INSERT INTO api_usage_slot (token_id, day, slot, count) VALUES (?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE count = count + VALUES(count)";

void up_usage_today(char day[11])
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL || strftime(day, 11, "%Y-%m-%d", &tm) != 10)
		snprintf(day, 11, "1970-01-01");
}

static struct pending *find(uint64_t token_id, const char *day)
{
	size_t i;

	for (i = 0; i < npending; i++)
		if (pending[i].token_id == token_id && strcmp(pending[i].day, day) == 0)
			return &pending[i];
	return NULL;
}

/* Drop the entries whose counts are all committed. */
static void compact(void)
{
	size_t i, j = 0;

	for (i = 0; i < npending; i++)
		if (pending[i].count > 0)
			pending[j++] = pending[i];
	npending = j;
	if (npending == 0)
		oldest_ms = 0;
}

/* Write one entry's counts; the statement's own commit (autocommit) or the open transaction's. */
static enum up_err write_one(struct up_db *db, struct pending *e)
{
	struct up_db_param p[4] = {UP_P_U64(e->token_id), UP_P_STR(e->day),
	                           UP_P_U64((uint64_t)(up_proc_id() % UP_USAGE_SLOTS)),
	                           UP_P_U64(e->count)};

	return up_db_exec(db, sql_add, p, 4, NULL);
}

static enum up_err flush_autocommit(struct up_db *db)
{
	enum up_err rc = UP_OK;
	size_t i;

	for (i = 0; i < npending && rc == UP_OK; i++) {
		if (pending[i].count == 0)
			continue;
		rc = write_one(db, &pending[i]);
		if (rc == UP_OK)
			pending[i].count = 0;
	}
	compact();
	if (rc != UP_OK)
		up_log(UP_LOG_WARN, "usage counts kept in memory: %s", up_err_message(rc));
	else
		oldest_ms = 0;
	return rc;
}

int up_usage_count(uint64_t token_id, const char *day)
{
	struct pending *e;

	check_owner();
	e = find(token_id, day);

	if (e == NULL && npending == MAX_PENDING)
		return -1;
	if (e == NULL) {
		e = &pending[npending++];
		memset(e, 0, sizeof(*e));
		e->token_id = token_id;
		snprintf(e->day, sizeof(e->day), "%s", day);
	}
	e->count++;
	if (oldest_ms == 0)
		oldest_ms = up_mono_ms();
	return 0;
}

uint64_t up_usage_unwritten(uint64_t token_id, const char *day)
{
	uint64_t n = 0;
	size_t i;

	check_owner();
	for (i = 0; i < npending; i++)
		if (pending[i].token_id == token_id &&
		    (day == NULL || strcmp(pending[i].day, day) == 0))
			n += pending[i].count;
	return n;
}

/* up_db_transaction hook: the counts go into the transaction, committed with it. */
static enum up_err precommit(struct up_db *db)
{
	enum up_err rc = UP_OK;
	size_t i;

	check_owner();
	for (i = 0; i < npending; i++)
		pending[i].inflight = 0;
	/* Not yet a second old: left for a later transaction (one statement a second at most). */
	if (oldest_ms == 0 || up_mono_ms() - oldest_ms < UP_USAGE_FLUSH_MS)
		return UP_OK;
	for (i = 0; i < npending && rc == UP_OK; i++) {
		if (pending[i].count == 0)
			continue;
		rc = write_one(db, &pending[i]);
		if (rc == UP_OK)
			pending[i].inflight = pending[i].count;
	}
	return rc;
}

static void outcome(int committed)
{
	size_t i;

	for (i = 0; i < npending; i++) {
		if (committed)
			pending[i].count -= pending[i].inflight;
		pending[i].inflight = 0;
	}
	if (committed)
		compact();
}

void up_usage_install(struct up_db *db)
{
	up_db_set_commit_hooks(db, precommit, outcome);
}

enum up_err up_usage_flush_due(struct up_db *db)
{
	check_owner();
	if (npending == 0 || oldest_ms == 0 || up_mono_ms() - oldest_ms < UP_USAGE_FLUSH_MS)
		return UP_OK;
	return flush_autocommit(db);
}

long up_usage_due_in_ms(void)
{
	long long left;

	check_owner();
	if (npending == 0 || oldest_ms == 0)
		return -1;
	left = oldest_ms + UP_USAGE_FLUSH_MS - up_mono_ms();
	return left > 0 ? (long)left : 0;
}

enum up_err up_usage_flush_now(struct up_db *db)
{
	check_owner();
	if (npending == 0)
		return UP_OK;
	return flush_autocommit(db);
}

void up_usage_reset(void)
{
	npending = 0;
	oldest_ms = 0;
}
