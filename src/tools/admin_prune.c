/* SPDX-License-Identifier: ISC */
/*
 * admin_prune.c: `userpatch-admin positions prune (--before TIME |
 * --older-than DURATION) [--tenant NAME]`, `alerts prune ...`, and
 * `positions|alerts partitions [--ahead N]`.  Both tables are partitioned by
 * month (schema/012_retention.sql): a prune of every tenant first drops the
 * partitions wholly before the cut (admin_partition.c), then deletes the rest
 * (the month the cut falls in, or one tenant's rows) device by device, in
 * short statements (a range of the (device_id, time) key each, at most
 * PRUNE_CHUNK rows), so trackers posting at the same time wait for no long
 * lock, each followed by a pause (--pause PERCENT of the time the statement
 * took, 300 by default) that leaves the server to them.  A device's newest
 * position (its lastLocation) is always kept.  Every prune also keeps
 * PART_AHEAD months of partitions ahead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "admin_common.h"
#include "admin_partition.h"
#include "mono.h"
#include "parse.h"

#define PRUNE_CHUNK 2000
#define DEVICE_PAGE 500
#define PART_AHEAD 3
#define PART_AHEAD_MAX 120
#define PAUSE_DEFAULT 300
#define PAUSE_MAX 1000
/* A partition change waits this long (seconds) for running statements on the table, while
 * the statements behind it wait too; past it the prune stops (the next run tries again). */
static const char sql_lock_wait[] = "SET SESSION lock_wait_timeout = 10";
/* One prune or partition change of a table at a time (locks are per server: the name holds
 * the database's). */
static const char sql_lock[] =
        "SELECT GET_LOCK(CONCAT('userpatch_prune_', ?, '_', MD5(DATABASE())), 0)";
static const char sql_unlock[] =
        "SELECT RELEASE_LOCK(CONCAT('userpatch_prune_', ?, '_', MD5(DATABASE())))";

/* A device history table: which devices to visit, and the chunked delete. */
struct history {
	const char *noun; /* the command word and the rows' name */
	/* (tenant or NULL) twice, after id, limit -> id, the newest time to keep or NULL */
	const char *sql_devices;
	const char *sql_prune; /* device, before, limit */
	struct part_table part;
};

static const struct history histories[] = {
        {"positions",
         "SELECT id, last_fix_time FROM devices WHERE (? IS NULL OR tenant_id = ?) "
         "AND last_fix_time IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
         "DELETE FROM positions WHERE device_id = ? AND fix_time < ? ORDER BY fix_time LIMIT ?",
         {"positions", "fix_time", 1}},
        {"alerts",
         "SELECT id, NULL FROM devices WHERE (? IS NULL OR tenant_id = ?) "
         "AND id > ? ORDER BY id LIMIT ?",
         "DELETE FROM alerts WHERE device_id = ? AND alert_time < ? "
         "ORDER BY alert_time, id LIMIT ?",
         {"alerts", "alert_time", 0}},
};

/* Sleep pause percent of the time since start_ns. */
static void pause_after(uint64_t start_ns, unsigned pause)
{
	uint64_t ns = (up_mono_ns() - start_ns) / 100 * pause;
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};

	while (pause > 0 && nanosleep(&ts, &ts) != 0)
		;
}

/* Delete device's rows before `before` (exclusive), each statement followed by a pause of
 * pause percent of its time; adds the count to *pruned. */
static enum up_err prune_device(struct up_db *db, const struct history *h, uint64_t device,
                                const char *before, unsigned pause, uint64_t *pruned)
{
	struct up_db_param p[3] = {UP_P_U64(device), UP_P_STR(before), UP_P_U64(PRUNE_CHUNK)};
	struct up_db_info info;
	enum up_err rc;
	uint64_t start;

	do {
		start = up_mono_ns();
		rc = up_db_exec(db, h->sql_prune, p, 3, &info);
		if (rc != UP_OK)
			return rc;
		*pruned += info.affected;
		if (info.affected > 0)
			pause_after(start, pause);
	} while (info.affected == PRUNE_CHUNK);
	return UP_OK;
}

static enum up_err prune(struct up_db *db, const struct history *h, int has_tenant, uint64_t tenant,
                         const char *before, unsigned pause, uint64_t *pruned, uint64_t *devices)
{
	struct up_db_param p[4];
	struct up_db_result res;
	uint64_t after = 0;
	enum up_err rc;
	size_t i;

	p[0] = has_tenant ? UP_P_U64(tenant) : UP_P_NULL();
	p[1] = p[0];
	p[3] = UP_P_U64(DEVICE_PAGE);
	for (;;) {
		p[2] = UP_P_U64(after);
		rc = up_db_query(db, h->sql_devices, p, 4, &res);
		if (rc != UP_OK)
			return rc;
		for (i = 0; i < res.nrows; i++) {
			const char *last = up_db_cell(&res, i, 1);
			uint64_t before_count = *pruned;

			if (up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &after) != UP_OK) {
				rc = UP_ERR_INTERNAL;
				break;
			}
			/* Strictly before the newest to keep too: lastLocation stays. */
			rc = prune_device(db, h, after,
			                  last != NULL && strcmp(last, before) < 0 ? last : before,
			                  pause, pruned);
			if (rc != UP_OK)
				break;
			if (*pruned > before_count)
				(*devices)++;
		}
		i = res.nrows;
		up_db_result_free(&res);
		if (rc != UP_OK || i < DEVICE_PAGE)
			return rc;
	}
}

/* 1 when this process holds the table's prune lock, else 0 after a message. */
static int lock_table(struct up_db *db, const char *table, int take)
{
	struct up_db_param p[1] = {UP_P_STR(table)};
	struct up_db_result res;
	int held;

	if (up_db_query(db, take ? sql_lock : sql_unlock, p, 1, &res) != UP_OK) {
		if (take)
			admin_err("cannot take the prune lock of %s (error %u)", table,
			          up_db_errno(db));
		return 0;
	}
	held = res.nrows == 1 && up_db_cell(&res, 0, 0) != NULL &&
	       strcmp(up_db_cell(&res, 0, 0), "1") == 0;
	up_db_result_free(&res);
	if (take && !held)
		admin_err("another prune or partition change of %s is running", table);
	return held;
}

static void say_partitions(const struct history *h, const struct part_outcome *o)
{
	if (o->created > 0)
		printf("created %u %s partitions ahead\n", o->created, h->noun);
	if (o->dropped > 0)
		printf("dropped %u %s partitions (about %llu rows)\n", o->dropped, h->noun,
		       (unsigned long long)o->rows_est);
}

/* `NOUN partitions [--ahead N]`. */
static int partitions(struct admin_env *env, const struct history *h, int argc, char **argv)
{
	struct part_outcome o = {0};
	const char *ahead_text;
	uint64_t ahead = PART_AHEAD;
	int bad = 0;
	enum up_err rc;

	ahead_text = admin_opt(argc, argv, 2, "--ahead", &bad);
	if (bad || argc != 2 + (ahead_text != NULL ? 2 : 0) ||
	    (ahead_text != NULL && up_parse_u64(ahead_text, 0, PART_AHEAD_MAX, &ahead) != UP_OK)) {
		admin_err("usage: %s partitions [--ahead N] (N months, 0-%d)", h->noun,
		          PART_AHEAD_MAX);
		return 2;
	}
	if (!lock_table(env->db, h->noun, 1))
		return 1;
	rc = up_db_exec_trusted(env->db, sql_lock_wait);
	if (rc == UP_OK)
		rc = admin_part_ahead(env->db, &h->part, (unsigned)ahead, &o);
	lock_table(env->db, h->noun, 0);
	if (rc != UP_OK) {
		admin_err("cannot add %s partitions: %s (error %u)", h->noun, up_err_message(rc),
		          up_db_errno(env->db));
		return 1;
	}
	if (!o.partitioned)
		admin_err("%s has no partitions: apply the migrations (userpatch-admin migrate)",
		          h->noun);
	say_partitions(h, &o);
	return o.partitioned ? 0 : 1;
}

/* The partitions (every tenant only), then the rows left before the cut. */
static enum up_err prune_all(struct up_db *db, const struct history *h, const char *tenant_name,
                             uint64_t tenant, const char *before, unsigned pause, uint64_t *pruned,
                             uint64_t *devices)
{
	struct part_outcome o = {0};
	enum up_err rc;

	if (!lock_table(db, h->noun, 1))
		return UP_ERR_CONFLICT;
	rc = up_db_exec_trusted(db, sql_lock_wait);
	if (rc == UP_OK)
		rc = admin_part_ahead(db, &h->part, PART_AHEAD, &o);
	if (rc == UP_OK && tenant_name == NULL)
		rc = admin_part_drop_before(db, &h->part, before, &o);
	say_partitions(h, &o);
	if (rc == UP_OK)
		rc = prune(db, h, tenant_name != NULL, tenant, before, pause, pruned, devices);
	lock_table(db, h->noun, 0);
	return rc;
}

int admin_prune(struct admin_env *env, int argc, char **argv)
{
	const struct history *h = NULL;
	const char *tenant_name, *pause_text;
	char before[27];
	uint64_t tenant = 0, pruned = 0, devices = 0, pause = PAUSE_DEFAULT;
	enum up_err rc;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(histories) / sizeof(histories[0]); i++)
		if (strcmp(argv[0], histories[i].noun) == 0)
			h = &histories[i];
	if (h != NULL && argc >= 2 && strcmp(argv[1], "partitions") == 0)
		return partitions(env, h, argc, argv);
	tenant_name = admin_opt(argc, argv, 2, "--tenant", &bad);
	pause_text = admin_opt(argc, argv, 2, "--pause", &bad);
	if (h == NULL || argc < 2 || strcmp(argv[1], "prune") != 0 || bad ||
	    argc != 4 + (tenant_name != NULL ? 2 : 0) + (pause_text != NULL ? 2 : 0) ||
	    (pause_text != NULL && up_parse_u64(pause_text, 0, PAUSE_MAX, &pause) != UP_OK)) {
		admin_err("usage: %s prune --before TIME | --older-than DURATION [--tenant NAME] "
		          "[--pause PERCENT] (0-%d)",
		          argv[0], PAUSE_MAX);
		return 2;
	}
	if (admin_cut(argc, argv, 2, before) != 0)
		return 2;
	if (tenant_name != NULL) {
		rc = admin_tenant_id(env->db, tenant_name, &tenant);
		if (rc == UP_ERR_NOT_FOUND) {
			admin_err("no tenant '%s'", tenant_name);
			return 1;
		}
		if (rc != UP_OK) {
			admin_err("cannot read tenants: %s", up_err_message(rc));
			return 1;
		}
	}
	rc = prune_all(env->db, h, tenant_name, tenant, before, (unsigned)pause, &pruned, &devices);
	if (rc != UP_OK) {
		if (rc != UP_ERR_CONFLICT)
			admin_err("prune stopped after %llu %s: %s (error %u)",
			          (unsigned long long)pruned, h->noun, up_err_message(rc),
			          up_db_errno(env->db));
		return 1;
	}
	printf("pruned %llu %s of %llu devices\n", (unsigned long long)pruned, h->noun,
	       (unsigned long long)devices);
	return 0;
}
