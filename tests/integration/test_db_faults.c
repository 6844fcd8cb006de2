/* SPDX-License-Identifier: ISC */
/*
 * Integration tests of the database layer's fault handling against the
 * private MariaDB of tests/harness/run-test: which statements run again on a
 * new connection when theirs is killed mid-statement (reads and transactions
 * that had not committed: yes; a write outside a transaction: never), that a
 * server that stops answering costs at most the configured timeouts, and that
 * a statement whose answer is read later (up_db_exec_later) fails its
 * transaction when it fails, whatever follows it.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"

/*
 * The state letter of /proc/PID/stat ('T' once a SIGSTOP has stopped every
 * thread), or '?' when it cannot be read.
 */
static char proc_state(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return '?';
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL || p[1] != ' ')
		return '?';
	return p[2];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long connection_id(struct up_db *db)
{
	struct up_db_result res;
	unsigned long long id;

	ck_assert_int_eq(up_db_query(db, "SELECT CONNECTION_ID()", NULL, 0, &res), UP_OK);
	ck_assert_uint_eq(res.nrows, 1);
	id = strtoull(up_db_cell(&res, 0, 0), NULL, 10);
	up_db_result_free(&res);
	return id;
}

/*
 * In a child process: after delay_ms, KILL CONNECTION id from a connection
 * of its own.  Returns the child's pid.
 */
static pid_t kill_later(const struct up_config *cfg, unsigned long long id, unsigned delay_ms)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct up_db *db;
		char sql[64];
		struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
		int ok;

		nanosleep(&ts, NULL);
		snprintf(sql, sizeof(sql), "KILL CONNECTION %llu", id);
		ok = up_db_new(cfg, &db) == UP_OK && up_db_exec_trusted(db, sql) == UP_OK;
		up_db_close(db);
		_exit(ok ? 0 : 1);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status = 0;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the killer child failed");
}

static void setup_table(struct tu_env *env)
{
	tu_exec(env,
	        "CREATE TABLE IF NOT EXISTS t_fault (id INT PRIMARY KEY, v INT NOT NULL) "
	        "ENGINE=InnoDB",
	        NULL, NULL, NULL);
	tu_exec(env, "REPLACE INTO t_fault VALUES (1, 0)", NULL, NULL, NULL);
}

/* A read outside a transaction whose connection is killed runs once more. */
START_TEST(test_read_killed_runs_again)
{
	struct tu_env env;
	struct up_db_result res;
	unsigned long long id;
	pid_t killer;

	tu_env_open(&env);
	id = connection_id(env.db);
	killer = kill_later(&env.cfg, id, 300);
	ck_assert_int_eq(up_db_query(env.db, "SELECT SLEEP(1), 42", NULL, 0, &res), UP_OK);
	reap(killer);
	ck_assert_uint_eq(res.nrows, 1);
	ck_assert_str_eq(up_db_cell(&res, 0, 1), "42");
	up_db_result_free(&res);
	ck_assert_uint_ne(connection_id(env.db), id); /* a new connection */
	tu_env_close(&env);
}
END_TEST

/*
 * A write outside a transaction whose connection is killed while it runs is
 * not run again: it may have been applied.  (Here it was not: killed during
 * its SLEEP, before it changed the row; a second run would have made v 1.)
 */
START_TEST(test_write_killed_is_not_run_again)
{
	struct tu_env env;
	unsigned long long id;
	struct up_db_param p[1] = {UP_P_I64(1)};
	pid_t killer;

	tu_env_open(&env);
	setup_table(&env);
	id = connection_id(env.db);
	killer = kill_later(&env.cfg, id, 300);
	/* SLEEP(5): the kill lands during it even on a busy machine (it ends the
	 * statement: no time is lost when it does). */
	ck_assert_int_eq(up_db_exec(env.db,
	                            "UPDATE t_fault SET v = v + 1 WHERE id = ? AND SLEEP(5) = 0", p,
	                            1, NULL),
	                 UP_ERR_DB_UNAVAILABLE);
	reap(killer);
	ck_assert_int_eq(
	        tu_scalar_int(&env, "SELECT v FROM t_fault WHERE id = 1", NULL, NULL, NULL), 0);
	tu_env_close(&env);
}
END_TEST

struct txn_arg {
	unsigned runs;
	const struct up_config *cfg;
	unsigned long long killed;
};

/* Changes the row, then sleeps; its connection is killed on the first run. */
static enum up_err slow_txn(struct up_db *db, void *p)
{
	struct txn_arg *a = p;
	struct up_db_param id[1] = {UP_P_I64(1)};
	struct up_db_result res;
	enum up_err rc;

	a->runs++;
	rc = up_db_exec(db, "UPDATE t_fault SET v = v + 1 WHERE id = ?", id, 1, NULL);
	if (rc != UP_OK)
		return rc;
	if (a->runs == 1) {
		pid_t killer;

		a->killed = connection_id(db);
		killer = kill_later(a->cfg, a->killed, 200);
		rc = up_db_query(db, "SELECT SLEEP(5)", NULL, 0, &res); /* cut by the kill */
		reap(killer);
		if (rc == UP_OK)
			up_db_result_free(&res);
		return rc; /* the read inside the transaction is not run again by itself */
	}
	return UP_OK;
}

/* A transaction killed before COMMIT is rolled back and run again whole. */
START_TEST(test_transaction_killed_before_commit_runs_again)
{
	struct tu_env env;
	struct txn_arg arg = {0, NULL, 0};
	unsigned long retries;

	tu_env_open(&env);
	setup_table(&env);
	arg.cfg = &env.cfg;
	retries = up_db_retry_count(env.db);
	ck_assert_int_eq(up_db_transaction(env.db, slow_txn, &arg), UP_OK);
	ck_assert_uint_eq(arg.runs, 2);
	ck_assert_uint_eq(up_db_retry_count(env.db), retries + 1);
	/* Once, not twice: the first run's change was rolled back with its connection. */
	ck_assert_int_eq(
	        tu_scalar_int(&env, "SELECT v FROM t_fault WHERE id = 1", NULL, NULL, NULL), 1);
	tu_env_close(&env);
}
END_TEST

/* A transaction on a connection the server closed since: reconnects and runs once. */
static enum up_err count_txn(struct up_db *db, void *p)
{
	unsigned *runs = p;
	struct up_db_param id[1] = {UP_P_I64(1)};

	(*runs)++;
	return up_db_exec(db, "UPDATE t_fault SET v = v + 10 WHERE id = ?", id, 1, NULL);
}

START_TEST(test_transaction_after_restart)
{
	struct tu_env env;
	unsigned runs = 0;

	ck_assert_msg(getenv("UP_TEST_DB_CTL") != NULL, "UP_TEST_DB_CTL not set");
	tu_env_open(&env);
	setup_table(&env);
	tu_db_ctl("stop");
	tu_db_ctl("start");
	/* The first statements (SET autocommit = 0, sent with the UPDATE) go to the dead
	 * connection. */
	ck_assert_int_eq(up_db_transaction(env.db, count_txn, &runs), UP_OK);
	ck_assert_uint_eq(runs, 1);
	ck_assert_int_eq(
	        tu_scalar_int(&env, "SELECT v FROM t_fault WHERE id = 1", NULL, NULL, NULL), 10);
	tu_env_close(&env);
}
END_TEST

/*
 * A server that stops answering (SIGSTOP: connections open, nothing read)
 * costs a read at most db_rw_timeout, and the reconnection at most
 * db_connect_timeout: 503, not a hang.
 */
START_TEST(test_stopped_server_costs_the_timeouts)
{
	struct tu_env env;
	struct up_db_result res;
	char path[1024], buf[32];
	FILE *f;
	pid_t server;
	double t0, took;
	enum up_err rc;
	int i;

	tu_env_open(&env);
	env.cfg.db_rw_timeout = 2;
	env.cfg.db_connect_timeout = 2;
	up_db_disconnect(env.db); /* reconnect with the short timeouts */
	ck_assert_int_eq(up_db_query(env.db, "SELECT 1", NULL, 0, &res), UP_OK);
	up_db_result_free(&res);
	snprintf(path, sizeof(path), "%s/mysqld.pid", getenv("UP_TEST_DB_DIR"));
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	server = (pid_t)strtol(buf, NULL, 10);
	ck_assert_int_gt(server, 1);

	ck_assert_int_eq(kill(server, SIGSTOP), 0);
	/* kill() only queues the signal: wait until every thread has stopped. */
	for (i = 0; i < 200 && proc_state(server) != 'T'; i++)
		usleep(10 * 1000);
	ck_assert_msg(proc_state(server) == 'T', "the server (pid %ld) did not stop: state %c",
	              (long)server, proc_state(server));
	t0 = now_s();
	rc = up_db_query(env.db, "SELECT 1", NULL, 0, &res);
	took = now_s() - t0;
	ck_assert_int_eq(kill(server, SIGCONT), 0);
	ck_assert_int_eq(rc, UP_ERR_DB_UNAVAILABLE);
	/* The read (2 s, up to three reads of the reply) and one reconnection (2 s). */
	ck_assert_msg(took >= 1.5 && took < 12.0, "a stopped server cost %.1f s", took);
	fprintf(stderr, "a stopped server cost %.1f s with 2 s timeouts\n", took);
	/* It answers again once resumed. */
	ck_assert_int_eq(up_db_query(env.db, "SELECT 1", NULL, 0, &res), UP_OK);
	up_db_result_free(&res);
	tu_env_close(&env);
}
END_TEST

/* A handle (db_pipeline off when off), t_fault, and t_later empty. */
static void open_later(struct tu_env *env, int off)
{
	tu_env_open(env);
	env->cfg.db_pipeline = !off; /* the handle reads its configuration at each statement */
	setup_table(env);
	tu_exec(env, "CREATE TABLE IF NOT EXISTS t_later (id INT PRIMARY KEY) ENGINE=InnoDB", NULL,
	        NULL, NULL);
	tu_exec(env, "DELETE FROM t_later", NULL, NULL, NULL);
}

/* After the warm-up: t_later holds key 1 only, t_fault.v is 0. */
static void reset_later(struct tu_env *env)
{
	tu_exec(env, "DELETE FROM t_later", NULL, NULL, NULL);
	tu_exec(env, "INSERT INTO t_later (id) VALUES (1)", NULL, NULL, NULL);
	tu_exec(env, "UPDATE t_fault SET v = 0", NULL, NULL, NULL);
}

/* Run fn(arg) as the measured transaction: its outcome must be rc, in waits round trips. */
static void run_measured(struct tu_env *env, up_db_txn_fn fn, void *arg, enum up_err rc,
                         unsigned long waits, const char *desc)
{
	unsigned long w0 = up_db_waits(env->db);
	enum up_err got = up_db_transaction(env->db, fn, arg);

	ck_assert_msg(got == rc, "%s: %s", desc, up_err_code(got));
	ck_assert_msg(up_db_waits(env->db) - w0 == waits, "%s: %lu waits", desc,
	              up_db_waits(env->db) - w0);
	if (rc == UP_ERR_CONFLICT)
		ck_assert_str_eq(up_db_dup_key(env->db), "PRIMARY");
}

/* The connection is in step after the measured transaction: fn(arg), which inserts key,
 * runs and commits.  Closes env. */
static void in_step(struct tu_env *env, up_db_txn_fn fn, void *arg, const char *key)
{
	ck_assert_int_eq(up_db_transaction(env->db, fn, arg), UP_OK);
	ck_assert_int_eq(
	        tu_scalar_int(env, "SELECT COUNT(*) FROM t_later WHERE id = ?", key, NULL, NULL),
	        1);
	tu_env_close(env);
}

/* t_fault.v and t_later's rows after a transaction of the cases below. */
static void check_rows(struct tu_env *env, long long v, long long rows)
{
	ck_assert_int_eq(tu_scalar_int(env, "SELECT v FROM t_fault WHERE id = 1", NULL, NULL, NULL),
	                 v);
	ck_assert_int_eq(tu_scalar_int(env, "SELECT COUNT(*) FROM t_later", NULL, NULL, NULL),
	                 rows);
}

/*
 * Answers read later: a transaction changes t_fault (v + 1), sends an INSERT
 * into t_later with up_db_exec_later(), then a read, another write or
 * nothing (the COMMIT).  A failed INSERT (a duplicate key) fails the
 * transaction at whatever follows it, the COMMIT is not sent, nothing is
 * kept, and the connection stays in step (the read's rows are dropped).
 */
enum later_next { NEXT_QUERY, NEXT_EXEC, NEXT_COMMIT };

struct later_case {
	const char *desc;
	int dup;              /* the INSERT read later fails (key 1 is taken) */
	enum later_next next; /* what follows it */
	enum up_err rc;       /* the transaction's outcome */
	long long v, rows;    /* t_fault.v and t_later's rows after */
	unsigned long waits;  /* of the transaction: the INSERT's answer costs none of its own */
	int off;              /* db_pipeline off: every statement waits for its own answer */
};

static const struct later_case later_cases[] = {
        {"an INSERT read with the next read: kept, 3 waits (SET with the UPDATE, INSERT with "
         "the SELECT, COMMIT)",
         0, NEXT_QUERY, UP_OK, 1, 2, 3},
        {"an INSERT read with the next write: kept, 3 waits", 0, NEXT_EXEC, UP_OK, 2, 2, 3},
        {"an INSERT read before the COMMIT: kept, 3 waits (its answer, then the COMMIT)", 0,
         NEXT_COMMIT, UP_OK, 1, 2, 3},
        {"a failed INSERT fails the next read: nothing kept, its rows dropped", 1, NEXT_QUERY,
         UP_ERR_CONFLICT, 0, 1, 3},
        {"a failed INSERT fails the next write: nothing kept", 1, NEXT_EXEC, UP_ERR_CONFLICT, 0, 1,
         3},
        {"a failed INSERT fails the COMMIT, which is not sent: nothing kept", 1, NEXT_COMMIT,
         UP_ERR_CONFLICT, 0, 1, 3},
        {"db_pipeline off: the same, each of the 5 statements waits for its own answer", 0,
         NEXT_QUERY, UP_OK, 1, 2, 5, 1},
        {"db_pipeline off: a failed INSERT fails at once: nothing kept", 1, NEXT_QUERY,
         UP_ERR_CONFLICT, 0, 1, 4, 1},
};

struct later_arg {
	const struct later_case *c;
	long long key;
};

static enum up_err later_txn(struct up_db *db, void *p)
{
	const struct later_arg *a = p;
	struct up_db_param id[1] = {UP_P_I64(1)}, key[1] = {UP_P_I64(a->key)};
	struct up_db_result res;
	enum up_err rc;

	rc = up_db_exec(db, "UPDATE t_fault SET v = v + 1 WHERE id = ?", id, 1, NULL);
	if (rc == UP_OK)
		rc = up_db_exec_later(db, "INSERT INTO t_later (id) VALUES (?)", key, 1);
	if (rc != UP_OK || a->c->next == NEXT_COMMIT)
		return rc;
	if (a->c->next == NEXT_EXEC)
		return up_db_exec(db, "UPDATE t_fault SET v = v + 1 WHERE id = ?", id, 1, NULL);
	rc = up_db_query(db, "SELECT id FROM t_later ORDER BY id", NULL, 0, &res);
	if (rc == UP_OK) {
		ck_assert_uint_ge(res.nrows, 1); /* its own INSERT is seen */
		up_db_result_free(&res);
	}
	return rc;
}

START_TEST(test_answer_read_later)
{
	const struct later_case *c = &later_cases[_i];
	struct later_arg warm = {c, 9}, arg = {c, c->dup ? 1 : 2};
	struct tu_env env;

	open_later(&env, c->off);
	/* Once with a new key, so that every statement is prepared (a PREPARE waits on its own). */
	ck_assert_int_eq(up_db_transaction(env.db, later_txn, &warm), UP_OK);
	reset_later(&env);
	run_measured(&env, later_txn, &arg, c->rc, c->waits, c->desc);
	check_rows(&env, c->v, c->rows);
	arg.key = 3;
	in_step(&env, later_txn, &arg, "3");
}
END_TEST

/*
 * Statements kept for the COMMIT: a transaction changes t_fault (v + 1),
 * keeps INSERTs into t_later with up_db_exec_at_commit(), maybe reads
 * t_later, and commits: the kept statements and the COMMIT are one compound
 * statement.  One that fails (a duplicate key) rolls back the whole
 * transaction and the COMMIT's error names the key; more than the db layer
 * keeps at once (8) go ahead in a block of their own, and the COMMIT is
 * never sent behind that block's unread answer.
 */
struct commit_case {
	const char *desc;
	int keys[12];        /* the INSERTs kept, in order (0 ends); key 1 is taken */
	int read;            /* a read follows them (it runs first: it sees none) */
	int off;             /* db_pipeline off: each runs at once */
	enum up_err rc;      /* the transaction's outcome */
	long long v, rows;   /* t_fault.v and t_later's rows after */
	unsigned long waits; /* of the transaction */
};

static const struct commit_case commit_cases[] = {
        {"one INSERT kept: it runs with the COMMIT in one statement: 2 waits (SET with the "
         "UPDATE, the block)",
         {2},
         0,
         0,
         UP_OK,
         1,
         2,
         2},
        {"the second of two kept is a duplicate: the block rolls back, nothing kept (not the "
         "UPDATE before it), the key named; 3 waits (the ROLLBACK)",
         {2, 1},
         0,
         0,
         UP_ERR_CONFLICT,
         0,
         1,
         3},
        {"a read after a kept INSERT runs before it and does not see its row",
         {2},
         1,
         0,
         UP_OK,
         1,
         2,
         3},
        {"10 kept: the first 8 go ahead in a block read later, the COMMIT waits for its answer, "
         "then runs with the last 2: 3 waits",
         {2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
         0,
         0,
         UP_OK,
         1,
         11,
         3},
        {"10 kept, the third a duplicate: the first block fails, the COMMIT is not sent, "
         "nothing kept",
         {2, 3, 1, 4, 5, 6, 7, 8, 9, 10},
         0,
         0,
         UP_ERR_CONFLICT,
         0,
         1,
         3},
        {"db_pipeline off: the INSERT runs at once; SET, UPDATE, INSERT, COMMIT: 4 waits",
         {2},
         0,
         1,
         UP_OK,
         1,
         2,
         4},
        {"db_pipeline off: a duplicate fails at once, nothing kept",
         {1},
         0,
         1,
         UP_ERR_CONFLICT,
         0,
         1,
         4},
};

struct commit_arg {
	const struct commit_case *c;
	int offset; /* added to every key (the warm-up's keys are all new) */
};

static enum up_err commit_txn(struct up_db *db, void *p)
{
	const struct commit_arg *a = p;
	struct up_db_param id[1] = {UP_P_I64(1)};
	enum up_err rc;
	size_t i;

	rc = up_db_exec(db, "UPDATE t_fault SET v = v + 1 WHERE id = ?", id, 1, NULL);
	for (i = 0; rc == UP_OK && i < 12 && a->c->keys[i] != 0; i++) {
		struct up_db_param key[1] = {UP_P_I64(a->c->keys[i] + a->offset)};

		rc = up_db_exec_at_commit(db, "INSERT INTO t_later (id) VALUES (?)", key, 1);
	}
	if (rc == UP_OK && a->c->read) {
		struct up_db_result res;

		rc = up_db_query(db, "SELECT id FROM t_later", NULL, 0, &res);
		if (rc == UP_OK) {
			ck_assert_uint_eq(res.nrows,
			                  1); /* the row taken before: not the kept one */
			up_db_result_free(&res);
		}
	}
	return rc;
}

START_TEST(test_kept_for_commit)
{
	const struct commit_case *c = &commit_cases[_i];
	static const struct commit_case next = {"after", {50}, 0, 0, UP_OK, 0, 0, 0};
	struct commit_arg warm = {c, 100}, arg = {c, 0}, after = {&next, 0};
	struct tu_env env;

	open_later(&env, c->off);
	/* Once with new keys, so that every statement (and block) is prepared. */
	if (c->read)
		tu_exec(&env, "INSERT INTO t_later (id) VALUES (1)", NULL, NULL, NULL);
	ck_assert_int_eq(up_db_transaction(env.db, commit_txn, &warm), UP_OK);
	reset_later(&env);
	run_measured(&env, commit_txn, &arg, c->rc, c->waits, c->desc);
	check_rows(&env, c->v, c->rows);
	in_step(&env, commit_txn, &after, "50");
}
END_TEST

/* Outside a transaction a statement read later or kept for the COMMIT runs at once. */
typedef enum up_err (*exec_fn)(struct up_db *, const char *, const struct up_db_param *, size_t);

static const struct outside_case {
	const char *desc;
	exec_fn fn;
} outside_cases[] = {
        {"up_db_exec_later() is up_db_exec(): its failure is its own", up_db_exec_later},
        {"up_db_exec_at_commit() is up_db_exec(): its failure is its own", up_db_exec_at_commit},
};

START_TEST(test_outside_a_transaction)
{
	const struct outside_case *c = &outside_cases[_i];
	struct tu_env env;
	struct up_db_param key[1] = {UP_P_I64(1)};

	open_later(&env, 0);
	ck_assert_msg(c->fn(env.db, "INSERT INTO t_later (id) VALUES (?)", key, 1) == UP_OK, "%s",
	              c->desc);
	ck_assert_msg(c->fn(env.db, "INSERT INTO t_later (id) VALUES (?)", key, 1) ==
	                      UP_ERR_CONFLICT,
	              "%s", c->desc);
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT COUNT(*) FROM t_later", NULL, NULL, NULL), 1);
	tu_env_close(&env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db_faults");
	TCase *tc = tcase_create("db_faults");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_read_killed_runs_again);
	tcase_add_test(tc, test_write_killed_is_not_run_again);
	tcase_add_test(tc, test_transaction_killed_before_commit_runs_again);
	tcase_add_test(tc, test_transaction_after_restart);
	tcase_add_test(tc, test_stopped_server_costs_the_timeouts);
	tcase_add_loop_test(tc, test_answer_read_later, 0,
	                    (int)(sizeof(later_cases) / sizeof(later_cases[0])));
	tcase_add_loop_test(tc, test_kept_for_commit, 0,
	                    (int)(sizeof(commit_cases) / sizeof(commit_cases[0])));
	tcase_add_loop_test(tc, test_outside_a_transaction, 0,
	                    (int)(sizeof(outside_cases) / sizeof(outside_cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
