/* SPDX-License-Identifier: ISC */
/*
 * up_usage_fold() against the private MariaDB of tests/harness/run-test:
 * the slot rows of days before yesterday go into api_usage and
 * usage_total, the answers' apiUsage and apiDailyUsage do not change, a late
 * count for a folded day is folded again, and counts written while folds
 * run are all kept.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auth.h"
#include "testutil.h"
#include "usage.h"
#include "usage_fold.h"
#include "users.h"

static struct tu_env env;
static char header[100], uri[64], tid[32];
static uint64_t token_id;

static void setup(void)
{
	tu_env_open(&env);
	tu_token(&env, "fold", "users:read", 0, header, &token_id);
	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)token_id);
	tu_user(&env, "fold", "Fold", uri, sizeof(uri));
}

static void teardown(void)
{
	tu_env_close(&env);
}

/* `count` requests of token_id `ago` UTC days ago, added to slot `slot`. */
static void add_count(uint64_t ago, uint64_t slot, uint64_t count)
{
	struct up_db_param p[4] = {UP_P_U64(token_id), UP_P_U64(ago), UP_P_U64(slot),
	                           UP_P_U64(count)};

	ck_assert_int_eq(up_db_exec(env.db,
	                            "INSERT INTO api_usage_slot (token_id, day, slot, count) "
	                            "VALUES (?, UTC_DATE() - INTERVAL ? DAY, ?, ?) "
	                            "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
	                            p, 4, NULL),
	                 UP_OK);
}

static long long q(const char *sql)
{
	return tu_scalar_int(&env, sql, tid, NULL, NULL);
}

#define SLOT_ROWS "SELECT COUNT(*) FROM api_usage_slot WHERE token_id = ?"
#define LIFETIME                                                                                   \
	"SELECT t.usage_total + IFNULL(SUM(s.count), 0) FROM api_tokens t LEFT JOIN "              \
	"api_usage_slot s ON s.token_id = t.id WHERE t.id = ? GROUP BY t.id"
#define DAYS_ROWS "SELECT COUNT(*) FROM api_usage WHERE token_id = ?"
#define DAYS_SUM "SELECT SUM(count) FROM api_usage WHERE token_id = ?"
#define USAGE_TOTAL "SELECT usage_total FROM api_tokens WHERE id = ?"

/* What a fresh worker answers: apiUsage, apiDailyUsage (this request included). */
static void answer(long long *total, long long *daily)
{
	struct tu_call call = {"GET", uri, header, NULL, NULL, NULL, NULL, NULL};
	cJSON *json = NULL;

	up_auth_cache_clear();
	ck_assert_int_eq(tu_call_status(&env, up_users_handle, &call, &json), 200);
	*total = (long long)cJSON_GetObjectItem(json, "apiUsage")->valuedouble;
	*daily = (long long)cJSON_GetObjectItem(json, "apiDailyUsage")->valuedouble;
	cJSON_Delete(json);
	ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
}

/* Days before yesterday fold; yesterday and today stay; the answers do not change. */
START_TEST(test_fold_moves_old_days)
{
	struct up_usage_fold_stats st;
	long long t0, d0, t1, d1;
	int ago, slot;

	/* 5 days ago .. today, three other workers' slots each: 1 + 2 + 3 requests a day. */
	for (ago = 0; ago <= 5; ago++)
		for (slot = 1; slot <= 3; slot++)
			add_count((uint64_t)ago, (getpid() + (uint64_t)slot) % UP_USAGE_SLOTS,
			          (uint64_t)slot);
	answer(&t0, &d0);
	ck_assert_int_eq(t0, 6 * 6 + 1);
	ck_assert_int_eq(d0, 6 + 1);

	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_uint_ge(st.tokens, 1);
	ck_assert_int_eq(q(SLOT_ROWS), 2 * 3 + 1); /* yesterday's 3, today's 3 and this worker's */
	ck_assert_int_eq(q(DAYS_ROWS), 4);
	ck_assert_int_eq(q(DAYS_SUM), 4 * 6);
	ck_assert_int_eq(q("SELECT MAX(day) = UTC_DATE() - INTERVAL 2 DAY FROM api_usage "
	                   "WHERE token_id = ?"),
	                 1);
	ck_assert_int_eq(q(USAGE_TOTAL), 4 * 6);
	ck_assert_int_eq(q(LIFETIME), t0);
	answer(&t1, &d1);
	ck_assert_int_eq(t1, t0 + 1);
	ck_assert_int_eq(d1, d0 + 1);
}
END_TEST

/*
 * A second fold finds nothing; a count that arrives late for a folded day is
 * folded into that day's total.
 */
START_TEST(test_fold_again_and_late_count)
{
	struct up_usage_fold_stats st;

	add_count(3, 7, 10);
	add_count(4, 7, 20);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_int_eq(q(SLOT_ROWS), 0);
	ck_assert_int_eq(q(USAGE_TOTAL), 30);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_uint_eq(st.tokens, 0);
	ck_assert_uint_eq(st.rows, 0);
	ck_assert_uint_eq(st.counts, 0);
	add_count(3, 8, 5);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_uint_eq(st.tokens, 1);
	ck_assert_uint_eq(st.rows, 1);
	ck_assert_uint_eq(st.counts, 5);
	ck_assert_int_eq(q(DAYS_ROWS), 2);
	ck_assert_int_eq(q("SELECT count FROM api_usage WHERE token_id = ? AND "
	                   "day = UTC_DATE() - INTERVAL 3 DAY"),
	                 15);
	ck_assert_int_eq(q(LIFETIME), 35);
}
END_TEST

/*
 * Counts written while folds run (a late worker adding to a past day, one
 * autocommit statement each, as usage.c writes them): none lost, none twice.
 */
START_TEST(test_fold_concurrent_writes)
{
	struct up_usage_fold_stats st;
	uint64_t folded = 0;
	int status, i;
	pid_t pid;

	add_count(2, 1, 1);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_uint_eq(st.counts, 1);
	folded = st.counts;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct up_db *db = tu_child_db();
		int ok = db != NULL;

		for (i = 0; ok && i < 300; i++) {
			struct up_db_param p[3] = {UP_P_U64(token_id),
			                           UP_P_U64(2 + (uint64_t)i % 3),
			                           UP_P_U64((uint64_t)i % 4)};

			int tries = 0;

			/* A deadlock with the fold's DELETE: written again, as usage.c keeps
			 * a count whose statement failed for its next write. */
			while (up_db_exec(db,
			                  "INSERT INTO api_usage_slot (token_id, day, slot, count) "
			                  "VALUES (?, UTC_DATE() - INTERVAL ? DAY, ?, 1) "
			                  "ON DUPLICATE KEY UPDATE count = count + 1",
			                  p, 3, NULL) != UP_OK) {
				if (up_db_errno(db) != 1213 || ++tries == 50) {
					fprintf(stderr, "writer: error %u\n", up_db_errno(db));
					ok = 0;
					break;
				}
			}
		}
		tu_child_db_close(db);
		_exit(ok ? 0 : 1);
	}
	for (i = 0; i < 2000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
		folded += st.counts;
	}
	if (i == 2000)
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer failed");
	ck_assert_msg(folded > 1, "no fold ran while the writer wrote (%d folds)", i);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	folded += st.counts;
	ck_assert_int_eq(q(SLOT_ROWS), 0);
	ck_assert_int_eq(folded, 301);
	ck_assert_int_eq(q(DAYS_SUM), 301);
	ck_assert_int_eq(q(USAGE_TOTAL), 301);
}
END_TEST

/*
 * Two folds at once (the cron jobs of two web hosts on one database): each
 * count is folded by one of them, once.
 */
START_TEST(test_fold_twice_at_once)
{
	struct up_usage_fold_stats st;
	int fds[2], status;
	uint64_t ago, theirs = 0;
	pid_t pid;

	for (ago = 2; ago < 202; ago++)
		add_count(ago, ago % 5, ago);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct up_db *db = tu_child_db();
		int ok = db != NULL;

		memset(&st, 0, sizeof(st));
		ok &= ok && up_usage_fold(db, &st) == UP_OK;
		ok &= write(fds[1], &st.counts, sizeof(st.counts)) == (ssize_t)sizeof(st.counts);
		tu_child_db_close(db);
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the other fold failed");
	ck_assert_int_eq(read(fds[0], &theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
	close(fds[0]);
	close(fds[1]);
	/* 2 + 3 + ... + 201 requests. */
	ck_assert_uint_eq(st.counts + theirs, 20300);
	ck_assert_int_eq(q(SLOT_ROWS), 0);
	ck_assert_int_eq(q(DAYS_ROWS), 200);
	ck_assert_int_eq(q(DAYS_SUM), 20300);
	ck_assert_int_eq(q(USAGE_TOTAL), 20300);
}
END_TEST

/* A token with rows of yesterday and today only is left as it is. */
START_TEST(test_fold_leaves_recent)
{
	struct up_usage_fold_stats st;

	add_count(0, 1, 4);
	add_count(1, 1, 6);
	ck_assert_int_eq(up_usage_fold(env.db, &st), UP_OK);
	ck_assert_int_eq(q(SLOT_ROWS), 2);
	ck_assert_int_eq(q(DAYS_ROWS), 0);
	ck_assert_int_eq(q(USAGE_TOTAL), 0);
	ck_assert_int_eq(q(LIFETIME), 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usage_fold");
	TCase *tc = tcase_create("fold");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fold_moves_old_days);
	tcase_add_test(tc, test_fold_again_and_late_count);
	tcase_add_test(tc, test_fold_concurrent_writes);
	tcase_add_test(tc, test_fold_twice_at_once);
	tcase_add_test(tc, test_fold_leaves_recent);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
