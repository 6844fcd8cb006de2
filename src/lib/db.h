/* SPDX-License-Identifier: ISC */
/*
 * db.h: the database layer.  One persistent connection per worker, prepared
 * statements only (prepared once per connection and reused), transactions
 * retried a bounded number of times on deadlock (1213) and lock-wait timeout
 * (1205), reconnection after a lost connection, and UP_ERR_DB_UNAVAILABLE
 * (503) when no server answers.  SQL text is always a constant; values are
 * always bound.
 *
 * Faults and fail-over (db_host may list several hosts, "host[:port]"):
 * - A statement outside a transaction whose connection is lost runs once
 *   more on a new connection when nothing can have been applied: it had not
 *   been sent, or it only reads (SELECT/SHOW).  A transaction is run again
 *   when it failed before COMMIT; a COMMIT whose outcome is unknown is never
 *   repeated (503).
 * - Connecting tries the host that worked last, then the others in list
 *   order.  With several hosts a new connection is checked: a Galera node
 *   with wsrep_ready OFF is skipped; a read-only or not-synced one is used
 *   only when no other host serves.  1047/1053 (node not ready, shutting
 *   down), 1180 from a Galera node out of the primary component (even at
 *   COMMIT: nothing was replicated) and 1290/1836 (read-only, on a write)
 *   move the worker to the next host, and the statement or transaction,
 *   which applied nothing, runs there.  db_error.c classifies the numbers.
 * - After db_failback_delay seconds away from an earlier host, the worker
 *   tries the earlier hosts again between requests and moves back to the
 *   first that serves.
 */
#ifndef UP_DB_H
#define UP_DB_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "errors.h"

struct up_db;
typedef enum up_err (*up_db_precommit_fn)(struct up_db *db);
typedef void (*up_db_outcome_fn)(int committed);

enum up_db_type { UP_DB_NULL = 0, UP_DB_I64, UP_DB_U64, UP_DB_STR, UP_DB_BLOB, UP_DB_F64 };

/* Most values one statement may bind (a multi-row INSERT); the server's own limit. */
#define UP_DB_MAX_PARAMS 65535

/* A bound value.  Strings and blobs are borrowed for the call. */
struct up_db_param {
	enum up_db_type type;
	int64_t i64;
	uint64_t u64;
	double f64;
	const void *ptr;
	size_t len;
};

#define UP_P_NULL() ((struct up_db_param){.type = UP_DB_NULL})
#define UP_P_I64(v) ((struct up_db_param){.type = UP_DB_I64, .i64 = (v)})
#define UP_P_U64(v) ((struct up_db_param){.type = UP_DB_U64, .u64 = (v)})
#define UP_P_F64(v) ((struct up_db_param){.type = UP_DB_F64, .f64 = (v)})
#define UP_P_STR(s) ((struct up_db_param){.type = UP_DB_STR, .ptr = (s), .len = strlen(s)})
#define UP_P_STRN(s, n) ((struct up_db_param){.type = UP_DB_STR, .ptr = (s), .len = (n)})
#define UP_P_BLOB(p, n) ((struct up_db_param){.type = UP_DB_BLOB, .ptr = (p), .len = (n)})
/* A string parameter that is SQL NULL when s is NULL. */
#define UP_P_STR_OR_NULL(s) ((s) != NULL ? UP_P_STR(s) : UP_P_NULL())

/*
 * A result set, every cell as text (NULL for SQL NULL), row-major.  Owned by
 * the caller; release with up_db_result_free().
 */
struct up_db_result {
	size_t nrows, ncols;
	char **cells;
	unsigned long *lens;
};

static inline const char *up_db_cell(const struct up_db_result *r, size_t row, size_t col)
{
	return r->cells[row * r->ncols + col];
}

/* Counts from a statement that changes rows. */
struct up_db_info {
	uint64_t affected;
	uint64_t insert_id;
};

/*
 * Make a handle for cfg (borrowed; must outlive the handle).  Does not connect:
 * the first statement does.  *out owned by the caller (up_db_close).
 */
enum up_err up_db_new(const struct up_config *cfg, struct up_db **out);
void up_db_close(struct up_db *db);

/* Connect now if not connected (tries each configured host in turn). */
enum up_err up_db_connect(struct up_db *db);

/* Run a statement that returns no rows; info may be NULL. */
enum up_err up_db_exec(struct up_db *db, const char *sql, const struct up_db_param *params,
                       size_t nparams, struct up_db_info *info);

/*
 * Inside a transaction: send a statement that returns no rows and read its
 * answer with the next statement's (one wait for both), or before COMMIT.
 * Its failure is returned by that next statement, or by the COMMIT, which is
 * then not sent: the transaction fails and is rolled back.  For statements
 * whose counts nobody needs (an audit row).  Outside a transaction, or with
 * a client library that cannot read answers later: up_db_exec().
 */
enum up_err up_db_exec_later(struct up_db *db, const char *sql, const struct up_db_param *params,
                             size_t nparams);

/*
 * Inside a transaction: keep a statement that returns no rows for the
 * COMMIT, which then runs it (after every statement run before the COMMIT)
 * and commits in one compound statement, one wait for all; sql and the
 * values are copied.  Its failure is the COMMIT's: nothing of the
 * transaction is kept.  For the last writes of a transaction whose counts
 * nobody needs (the UPDATE of a row the transaction has locked, its audit
 * row).  Where the server has no compound statements (MySQL), db_pipeline
 * is off, or outside a transaction: up_db_exec_later().
 */
enum up_err up_db_exec_at_commit(struct up_db *db, const char *sql,
                                 const struct up_db_param *params, size_t nparams);

/* Run a query; res is filled (even with zero rows) on UP_OK. */
enum up_err up_db_query(struct up_db *db, const char *sql, const struct up_db_param *params,
                        size_t nparams, struct up_db_result *res);

void up_db_result_free(struct up_db_result *res);

/*
 * Run fn(db, arg) inside one transaction.  fn must be safe to run again: on
 * deadlock or lock-wait timeout the transaction is rolled back and fn is run
 * again, at most db_retries more times, with growing backoff; on a lost
 * connection before COMMIT the connection is re-established and fn run again.
 * fn's error rolls back and is returned.  A COMMIT whose outcome is unknown
 * returns UP_ERR_DB_UNAVAILABLE.
 */
typedef enum up_err (*up_db_txn_fn)(struct up_db *db, void *arg);
enum up_err up_db_transaction(struct up_db *db, up_db_txn_fn fn, void *arg);

/*
 * Run trusted SQL text that is not a prepared statement (schema migrations
 * shipped with the program).  Never call it with text that holds user data.
 */
enum up_err up_db_exec_trusted(struct up_db *db, const char *sql);

/* Server error number of the last failed statement (0 if none). */
unsigned up_db_errno(const struct up_db *db);

/* For a duplicate-key failure (UP_ERR_CONFLICT): the name of the key, else "". */
const char *up_db_dup_key(const struct up_db *db);

/* Number of transaction attempts that were retried since the handle was made. */
unsigned long up_db_retry_count(const struct up_db *db);

/* The host ("name:port", or "localhost" for the socket) of the connection, "-" if none. */
const char *up_db_host(const struct up_db *db);

/* Number of times the worker moved to another host since the handle was made. */
unsigned long up_db_failover_count(const struct up_db *db);
/* Statements sent (prepared executions and plain ones such as COMMIT) and COMMITs, since made. */
void up_db_stats(const struct up_db *db, unsigned long *statements, unsigned long *commits);

/* Answers waited for since made: round trips (statements whose answers were read together
 * count once). */
unsigned long up_db_waits(const struct up_db *db);

/* The configuration the handle was made with (borrowed). */
const struct up_config *up_db_config(const struct up_db *db);

/*
 * Hooks of up_db_transaction(): precommit(db) runs inside every transaction
 * after its body succeeded and before COMMIT (its statements commit with the
 * body's, at no extra commit; its error fails the attempt like the body's);
 * outcome(committed) then tells whether they were committed.  NULL: none.
 */
void up_db_set_commit_hooks(struct up_db *db, up_db_precommit_fn precommit,
                            up_db_outcome_fn outcome);

/* Forget the connection (tests: simulate a worker whose server went away). */
void up_db_disconnect(struct up_db *db);

/* Release the client library's global state at program exit. */
void up_db_library_end(void);

#endif
