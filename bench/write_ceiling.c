/* SPDX-License-Identifier: ISC */
/*
 * write_ceiling.c: the durable-write ceiling of this database for the
 * users write path: what a C client gets with the minimum a write must do,
 * one transaction per write of
 *   UPDATE users SET message = ?, version = version + 1, modified_at = ...
 *   INSERT INTO audit_log (...)
 *   COMMIT
 * on a random user of the range, from THREADS threads at once (one
 * connection each, prepared statements).  No HTTP, no JSON, no token, no
 * patch, no validation.
 *
 * With MODE "locked" each transaction first reads the row the way a PATCH
 * does before it changes it: the users family's own column list,
 *   SELECT <the API's columns>, version, UTC_TIMESTAMP(6) FROM users
 *     WHERE tenant_id = ? AND id = ? FOR UPDATE
 * fetched into the client, so it is the ceiling of a PATCH-shaped write
 * (locked read + UPDATE + audit + COMMIT).  MODE "plain" (the default) is
 * the write alone.  More modes, each a variant of "locked":
 *   narrow    the locked read returns only id and version (and the time);
 *   nobegin   no START TRANSACTION: the session runs with autocommit off,
 *             so the locked read opens the transaction (4 statements), as
 *             the db layer's up_db_transaction() now begins one;
 *   events    plus the change feed's event row a PATCH appends: the audit
 *             row names it and migration 015's trigger inserts it, for
 *             the event's cost;
 *   pipeline  nobegin and events together, as a PATCH sends them after a
 *             write: lock, the audit row with its event sent first without
 *             waiting (up_db_exec_later), its answer read with the UPDATE's,
 *             COMMIT: 4 statements, 3 round trips;
 *   vars      a candidate, measured only: no transaction of its own and no
 *             lock; the row is read as a GET reads it, then one UPDATE,
 *             committed on its own (autocommit), changes it if its version
 *             is still the one read (else the write runs again) and sets
 *             session variables (@up_rid, @up_key, @up_names) in its WHERE,
 *             from which a trigger on users (which http_bench.sh adds to
 *             its own database when asked for oceiling) writes the audit
 *             row, and so the event: 2 statements, 2 round trips;
 *   block     pipeline as a PATCH now sends it: lock, then the audit row
 *             with its event and the UPDATE kept for the COMMIT
 *             (up_db_exec_at_commit), which sends them with it as one
 *             compound statement: 2 statements, 2 round trips;
 *   trigger   a candidate, measured only: the UPDATE also sets the columns
 *             audit_request_id and audit_fields, and a trigger on users
 *             (which http_bench.sh adds to its own database when asked for
 *             tceiling) writes the audit row, and so the event, from them:
 *             lock, UPDATE, COMMIT (3 statements, no BEGIN).
 *
 *   write_ceiling TENANT FIRST_USER USERS THREADS SECONDS
 *                 [plain|locked|narrow|nobegin|events|pipeline|block|trigger|vars]
 *
 * Reads the configuration from $USERPATCH_CONFIG.  Prints "transactions
 * seconds" on stdout; exits 1 if any transaction failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mysql.h>
#include "config.h"
#include "db.h"
#include "parse.h"
#include "resource.h"
#include "user_store.h"

static const char sql_update[] =
        "UPDATE users SET message = ?, version = version + 1, modified_at = UTC_TIMESTAMP(6) "
        "WHERE tenant_id = ? AND id = ?";
static const char sql_audit[] =
        "INSERT INTO audit_log (tenant_id, token_id, user_id, request_id, action, changed_fields) "
        "VALUES (?, NULL, ?, ?, 'update', '[\"message\"]')";
/* "events": the audit row names its event, which migration 015's trigger inserts (as a PATCH). */
static const char sql_audit_event[] =
        "INSERT INTO audit_log (tenant_id, token_id, user_id, resource_key, request_id, action, "
        "changed_fields, event_type, event_version) VALUES (?, NULL, ?, ?, ?, 'update', "
        "'[\"message\"]', 'user.updated', 2)";

static struct up_config cfg;
static uint64_t tenant, first_user, users;
static double deadline;
/* The locked read of "locked" mode, or NULL in "plain" mode. */
static char *sql_lock;
/*
 * "nobegin": up_db_transaction(), which begins as the write pipeline does (autocommit off,
 * left off between transactions: no START TRANSACTION); the other modes send START TRANSACTION.
 */
static int no_begin;
/* "events" mode: the audit row carries the change feed's event. */
static int with_event;
/* "pipeline" mode: the audit row is sent before the UPDATE, its answer read with the UPDATE's. */
static int audit_first;
/* "trigger" mode: the UPDATE carries the audit row's values, a trigger writes it. */
static int by_trigger;
/* "vars" mode: an unlocked read, then an UPDATE that carries the audit row's values. */
static int by_vars;
/* "block" mode: the audit row and the UPDATE are kept for the COMMIT (up_db_exec_at_commit). */
static int by_block;
static const char sql_update_vars[] =
        "UPDATE users SET message = ?, version = version + 1, modified_at = UTC_TIMESTAMP(6) "
        "WHERE tenant_id = ? AND id = ? AND version = ? AND ((@up_rid := ?) IS NULL OR 1) "
        "AND ((@up_key := ?) IS NULL OR 1) AND ((@up_names := ?) IS NULL OR 1)";
static const char sql_update_audited[] =
        "UPDATE users SET message = ?, version = version + 1, modified_at = UTC_TIMESTAMP(6), "
        "audit_request_id = ?, audit_fields = '[\"message\"]' WHERE tenant_id = ? AND id = ?";

struct worker {
	pthread_t thread;
	unsigned seed;
	unsigned long done, failed;
	uint64_t user;
	char message[32], request_id[40];
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The audit row (with its event in "events" and "pipeline" mode); later: up_db_exec_later. */
/* The public id of w's user ("usr-N") into buf. */
static const char *user_key(const struct worker *w, char buf[32])
{
	snprintf(buf, 32, "usr-%llu", (unsigned long long)w->user);
	return buf;
}

static enum up_err write_audit(struct up_db *db, const struct worker *w, int later)
{
	char id[32];
	struct up_db_param a[3] = {UP_P_U64(tenant), UP_P_U64(w->user), UP_P_STR(w->request_id)};
	struct up_db_param e[4] = {UP_P_U64(tenant), UP_P_U64(w->user), UP_P_NULL(),
	                           UP_P_STR(w->request_id)};
	const char *sql = with_event ? sql_audit_event : sql_audit;
	const struct up_db_param *p = with_event ? e : a;
	size_t n = with_event ? 4 : 3;

	if (with_event)
		e[2] = UP_P_STR(user_key(w, id));
	return later ? up_db_exec_later(db, sql, p, n) : up_db_exec(db, sql, p, n, NULL);
}

/*
 * "vars" mode: the read a GET makes, then the UPDATE if the version is still the one
 * read (committed on its own); read again when another writer came first.
 */
static enum up_err write_vars(struct up_db *db, struct worker *w)
{
	struct up_db_param k[2] = {UP_P_U64(tenant), UP_P_U64(w->user)};
	struct up_db_result res;
	struct up_db_info info;
	enum up_err rc;
	char id[32];

	do {
		uint64_t version = 0;

		rc = up_db_query(db, sql_lock, k, 2, &res);
		if (rc != UP_OK)
			return rc;
		if (res.nrows != 1 || up_parse_u64(up_db_cell(&res, 0, res.ncols - 2), 0, INT64_MAX,
		                                   &version) != UP_OK)
			rc = UP_ERR_NOT_FOUND;
		up_db_result_free(&res);
		if (rc == UP_OK) {
			struct up_db_param v[7] = {
			        UP_P_STR(w->message),     UP_P_U64(tenant),
			        UP_P_U64(w->user),        UP_P_U64(version),
			        UP_P_STR(w->request_id),  UP_P_STR(user_key(w, id)),
			        UP_P_STR("[\"message\"]")};

			rc = up_db_exec(db, sql_update_vars, v, 7, &info);
		}
	} while (rc == UP_OK && info.affected != 1);
	return rc;
}

static enum up_err write_one(struct up_db *db, void *arg)
{
	struct worker *w = arg;
	struct up_db_param u[3] = {UP_P_STR(w->message), UP_P_U64(tenant), UP_P_U64(w->user)};
	struct up_db_param k[2] = {UP_P_U64(tenant), UP_P_U64(w->user)};
	struct up_db_result res;
	struct up_db_info info;
	enum up_err rc = UP_OK;

	if (sql_lock != NULL) {
		rc = up_db_query(db, sql_lock, k, 2, &res);
		if (rc == UP_OK) {
			if (res.nrows != 1)
				rc = UP_ERR_NOT_FOUND;
			up_db_result_free(&res);
		}
	}
	if (rc == UP_OK && by_trigger) {
		struct up_db_param t[4] = {UP_P_STR(w->message), UP_P_STR(w->request_id),
		                           UP_P_U64(tenant), UP_P_U64(w->user)};

		rc = up_db_exec(db, sql_update_audited, t, 4, &info);
		return rc == UP_OK && info.affected != 1 ? UP_ERR_NOT_FOUND : rc;
	}
	if (rc == UP_OK && by_block) {
		char id[32];
		struct up_db_param e[4] = {UP_P_U64(tenant), UP_P_U64(w->user), UP_P_NULL(),
		                           UP_P_STR(w->request_id)};

		e[2] = UP_P_STR(user_key(w, id));
		rc = up_db_exec_at_commit(db, sql_audit_event, e, 4);
		return rc == UP_OK ? up_db_exec_at_commit(db, sql_update, u, 3) : rc;
	}
	if (rc == UP_OK && audit_first)
		rc = write_audit(db, w, 1);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql_update, u, 3, &info);
	if (rc == UP_OK && info.affected != 1)
		rc = UP_ERR_NOT_FOUND;
	if (rc == UP_OK && !audit_first)
		rc = write_audit(db, w, 0);
	return rc;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct up_db *db = NULL;

	if (up_db_new(&cfg, &db) != UP_OK || up_db_connect(db) != UP_OK) {
		w->failed++;
		goto out;
	}
	while (now() < deadline) {
		enum up_err rc;

		w->user = first_user + (uint64_t)rand_r(&w->seed) % users;
		snprintf(w->message, sizeof(w->message), "m%d", rand_r(&w->seed));
		snprintf(w->request_id, sizeof(w->request_id), "ceiling-%lu-%p", w->done,
		         (void *)w);
		if (by_vars) {
			/* No transaction: the UPDATE commits on its own. */
			rc = write_vars(db, w);
		} else if (no_begin) {
			/* The db layer's own transaction: autocommit off, left off between them. */
			rc = up_db_transaction(db, write_one, w);
		} else {
			rc = up_db_exec_trusted(db, "START TRANSACTION");
			if (rc == UP_OK)
				rc = write_one(db, w);
			rc = up_db_exec_trusted(db, rc == UP_OK ? "COMMIT" : "ROLLBACK") == UP_OK
			             ? rc
			             : UP_ERR_DB;
		}
		if (rc == UP_OK)
			w->done++;
		else
			w->failed++;
	}
out:
	up_db_close(db);
	return NULL;
}

/* The locked read of "locked" mode, with the users family's own columns (narrow: id; "vars"
 * mode: not locked). */
static int build_lock_sql(int narrow, int locked)
{
	char cols[4096];
	size_t len;

	if (narrow)
		snprintf(cols, sizeof(cols), "id");
	else if (up_resource_columns(&up_user_resource, cols, sizeof(cols)) != UP_OK)
		return -1;
	len = strlen(cols) + 160;
	if ((sql_lock = malloc(len)) == NULL)
		return -1;
	snprintf(sql_lock, len,
	         "SELECT %s, version, UTC_TIMESTAMP(6) FROM users WHERE tenant_id = ? AND id = ?%s",
	         cols, locked ? " FOR UPDATE" : "");
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t threads, seconds, i;
	unsigned long done = 0, failed = 0;
	struct worker *w;
	char err[256];
	double start;

	if ((argc != 6 && argc != 7) || up_parse_u64(argv[1], 1, INT64_MAX, &tenant) != UP_OK ||
	    up_parse_u64(argv[2], 1, INT64_MAX, &first_user) != UP_OK ||
	    up_parse_u64(argv[3], 1, 1000000, &users) != UP_OK ||
	    up_parse_u64(argv[4], 1, 256, &threads) != UP_OK ||
	    up_parse_u64(argv[5], 1, 3600, &seconds) != UP_OK ||
	    (argc == 7 && strcmp(argv[6], "plain") != 0 && strcmp(argv[6], "locked") != 0 &&
	     strcmp(argv[6], "narrow") != 0 && strcmp(argv[6], "nobegin") != 0 &&
	     strcmp(argv[6], "events") != 0 && strcmp(argv[6], "pipeline") != 0 &&
	     strcmp(argv[6], "trigger") != 0 && strcmp(argv[6], "vars") != 0 &&
	     strcmp(argv[6], "block") != 0)) {
		fprintf(stderr, "usage: write_ceiling TENANT FIRST_USER USERS THREADS SECONDS "
		                "[plain|locked|narrow|nobegin|events|pipeline|block|trigger|vars]\n");
		return 2;
	}
	by_trigger = argc == 7 && strcmp(argv[6], "trigger") == 0;
	by_vars = argc == 7 && strcmp(argv[6], "vars") == 0;
	by_block = argc == 7 && strcmp(argv[6], "block") == 0;
	with_event = audit_first = argc == 7 && strcmp(argv[6], "pipeline") == 0;
	no_begin = argc == 7 &&
	           (strcmp(argv[6], "nobegin") == 0 || with_event || by_trigger || by_block);
	if (argc == 7 && strcmp(argv[6], "plain") != 0 &&
	    build_lock_sql(strcmp(argv[6], "narrow") == 0, !by_vars) != 0)
		return 2;
	with_event = with_event || (argc == 7 && strcmp(argv[6], "events") == 0);
	if (up_config_load(up_config_path(), &cfg, err, sizeof(err)) != UP_OK) {
		fprintf(stderr, "write_ceiling: %s\n", err);
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0)
		return 2;
	w = calloc(threads, sizeof(*w));
	if (w == NULL)
		return 2;
	start = now();
	deadline = start + (double)seconds;
	for (i = 0; i < threads; i++) {
		w[i].seed = (unsigned)(i * 7919 + 1);
		if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0)
			return 2;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		done += w[i].done;
		failed += w[i].failed;
	}
	printf("%lu %.3f\n", done, now() - start);
	free(w);
	free(sql_lock);
	up_config_free(&cfg);
	up_db_library_end();
	if (failed > 0) {
		fprintf(stderr, "write_ceiling: %lu transactions failed\n", failed);
		return 1;
	}
	return 0;
}
