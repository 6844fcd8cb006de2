/* SPDX-License-Identifier: ISC */
/*
 * What one request costs the database, counted by the db layer (statements
 * sent, COMMITs): a GET sends one statement and commits nothing; a PATCH and
 * a device-app update commit once; the usage counts are written at most once
 * a second, inside a write's transaction when there is one.  And the usage
 * counters: durable once written, RateLimit headers for a quota.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auth.h"
#include "device_app.h"
#include "testutil.h"
#include "usage.h"
#include "users.h"

static struct tu_env env;
static char header[100], uri[64], user_id[64];
static uint64_t token_id;

static void setup(void)
{
	tu_env_open(&env);
	tu_token(&env, "cost", "users:read,users:write,device_app_user:write", 0, header,
	         &token_id);
	tu_user(&env, "cost", "Cost", uri, sizeof(uri));
	snprintf(user_id, sizeof(user_id), "%s", uri + strlen("/api/users/"));
}

static void teardown(void)
{
	tu_env_close(&env);
}

struct cost_case {
	int line;
	const char *desc;
	const char *method, *ctype, *body; /* body: %s is the user's public id */
	int device_app;
	int after_write; /* measured right after the warm-up write, on the same connection */
	int status;
	unsigned long statements, commits; /* exact, when no usage write is due */
	unsigned long waits;               /* round trips: answers read together count once */
};

#define PATCH_2OPS                                                                                 \
	"[{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"m-%s\"},"                          \
	"{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"d-%s\"}]"
#define DEVICE_APP_BODY "{\"data\":{\"user_id\":\"%s\",\"profile\":{\"first_name\":\"F%s\"}}}"

static const struct cost_case cases[] = {
        {__LINE__, "GET: the user SELECT only, no commit", "GET", NULL, NULL, 0, 0, 200, 1, 0, 1},
        {__LINE__,
         "PATCH, 2 replace ops, after a read: autocommit off with the lock, then the UPDATE, "
         "the audit row (with its event) and the COMMIT in one compound statement: 2 waits",
         "PATCH", "application/json-patch+json", PATCH_2OPS, 0, 0, 200, 3, 1, 2},
        {__LINE__,
         "PATCH right after a write: no begin at all: lock, then UPDATE, audit row and COMMIT "
         "in one",
         "PATCH", "application/json-patch+json", PATCH_2OPS, 0, 1, 200, 2, 1, 2},
        {__LINE__, "PATCH that changes nothing: autocommit off with the lock, COMMIT", "PATCH",
         "application/json-patch+json",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Cost\"}]", 0, 0, 200, 3, 1, 2},
        {__LINE__,
         "device-app update by user_id, after a read: autocommit off with the lock, then the "
         "UPDATE (no unique column changes), the audit row (with its event) and the COMMIT in "
         "one",
         "POST", "application/json", DEVICE_APP_BODY, 1, 0, 201, 3, 1, 2},
        {__LINE__, "device-app update right after a write: lock, then UPDATE, audit row, COMMIT",
         "POST", "application/json", DEVICE_APP_BODY, 1, 1, 201, 2, 1, 2},
        {__LINE__,
         "device-app update of the email (a unique column), after a read: the UPDATE runs at "
         "once (a duplicate must show before the COMMIT), then the audit row with the COMMIT",
         "POST", "application/json",
         "{\"data\":{\"user_id\":\"%s\",\"profile\":{\"email\":\"e%s@example.com\"}}}", 1, 0, 201,
         4, 1, 3},
};

static unsigned long last_waits; /* of the last measured() call */

/* call through h: *resp the answer (caller frees), *ds and *dc its statements and commits. */
static void measured(up_handler_fn h, const struct tu_call *call, struct up_response *resp,
                     unsigned long *ds, unsigned long *dc)
{
	unsigned long s0, c0, s1, c1, w0 = up_db_waits(env.db);

	up_db_stats(env.db, &s0, &c0);
	tu_call(&env, h, call, resp, NULL);
	up_db_stats(env.db, &s1, &c1);
	*ds = s1 - s0;
	*dc = c1 - c0;
	last_waits = up_db_waits(env.db) - w0;
}

START_TEST(test_cost)
{
	const struct cost_case *c = &cases[_i];
	struct tu_call call = {c->method, NULL, header, c->ctype, NULL, NULL, NULL, NULL};
	unsigned long ds, dc;
	struct up_response resp;
	char body[512], tag[32];
	int round;

	/* Once to warm the token and the statements, then measured. */
	for (round = 0; round < 2; round++) {
		snprintf(tag, sizeof(tag), "%d%d", c->line, round);
		/* The table's bodies are the formats (constant, two %s at most). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (c->body != NULL)
			snprintf(body, sizeof(body), c->body, c->device_app ? user_id : tag,
			         c->device_app ? tag : tag);
#pragma GCC diagnostic pop
		call.body = c->body != NULL ? body : NULL;
		call.uri = c->device_app ? "/api/v1/device_app_user_update/" : uri;
		if (round == 0 || !c->after_write)
			ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
		measured(c->device_app ? up_device_app_handle : up_users_handle, &call, &resp, &ds,
		         &dc);
		ck_assert_msg(resp.status == c->status, "%s: status %d: %s", c->desc, resp.status,
		              resp.body);
		up_response_free(&resp);
	}
	/* The count waits (no usage write is due yet: it was made just now). */
	ck_assert_msg(ds == c->statements, "%s: %lu statements", c->desc, ds);
	ck_assert_msg(dc == c->commits, "%s: %lu commits", c->desc, dc);
	ck_assert_msg(last_waits == c->waits, "%s: %lu waits", c->desc, last_waits);
	ck_assert_msg(up_usage_unwritten(token_id, NULL) == (c->after_write ? 2u : 1u),
	              "%s: count not waiting", c->desc);
}
END_TEST

/*
 * A read right after a write turns autocommit back on first (2 statements in one wait, no
 * commit): it commits on its own and leaves no transaction open; the next read is 1 statement
 * again.
 */
START_TEST(test_read_after_write)
{
	struct tu_call get = {"GET", uri, header, NULL, NULL, NULL, NULL, NULL};
	struct tu_call patch = {"PATCH",
	                        uri,
	                        header,
	                        "application/json-patch+json",
	                        "[{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"raw\"}]",
	                        NULL,
	                        NULL,
	                        NULL};
	unsigned long ds, dc;
	struct up_response resp;

	/* The GET once first: its statement is prepared (a PREPARE waits on its own). */
	tu_call(&env, up_users_handle, &get, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	up_response_free(&resp);
	ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
	tu_call(&env, up_users_handle, &patch, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	up_response_free(&resp);
	measured(up_users_handle, &get, &resp, &ds, &dc);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_msg(strstr(resp.body, "\"raw\"") != NULL, "the read sees the write: %s",
	              resp.body);
	up_response_free(&resp);
	ck_assert_uint_eq(ds, 2);
	ck_assert_uint_eq(dc, 0);
	ck_assert_uint_eq(last_waits, 1); /* the SET is sent with the SELECT */
	measured(up_users_handle, &get, &resp, &ds, &dc);
	ck_assert_int_eq(resp.status, 200);
	up_response_free(&resp);
	ck_assert_uint_eq(ds, 1);
	ck_assert_uint_eq(dc, 0);
	/* No transaction stays open on the worker's connection after the read, and autocommit is
	 * on. */
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT @@in_transaction", NULL, NULL, NULL), 0);
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT @@autocommit", NULL, NULL, NULL), 1);
}
END_TEST

/* Sum of the token's usage slot rows: every day, or today only. */
static long long slot_sum(int today_only)
{
	char tid[32];

	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)token_id);
	return tu_scalar_int(&env,
	                     today_only
	                             ? "SELECT SUM(count) FROM api_usage_slot WHERE token_id = ? "
	                               "AND day = UTC_DATE()"
	                             : "SELECT SUM(count) FROM api_usage_slot WHERE token_id = ?",
	                     tid, NULL, NULL);
}

/* Counts written, then one GET counted and waiting, then older than a flush interval. */
static void one_count_due(const struct tu_call *get)
{
	struct up_response resp;

	ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
	tu_call(&env, up_users_handle, get, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	up_response_free(&resp);
	ck_assert_int_eq(up_usage_unwritten(token_id, NULL), 1);
	usleep((UP_USAGE_FLUSH_MS + 100) * 1000);
}

/* Counts a second old ride in the next write's transaction: one more statement, no more commits. */
START_TEST(test_usage_rides_with_write)
{
	struct tu_call get = {"GET", uri, header, NULL, NULL, NULL, NULL, NULL};
	struct tu_call patch = {"PATCH",
	                        uri,
	                        header,
	                        "application/json-patch+json",
	                        "[{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"ride\"}]",
	                        NULL,
	                        NULL,
	                        NULL};
	unsigned long ds, dc;
	struct up_response resp;

	one_count_due(&get);
	measured(up_users_handle, &patch, &resp, &ds, &dc);
	ck_assert_int_eq(resp.status, 200);
	up_response_free(&resp);
	/* after a read: autocommit off, lock, the usage write, then the UPDATE, the audit row
	 * (with its event) and the COMMIT in one */
	ck_assert_uint_eq(ds, 3 + 1);
	ck_assert_uint_eq(dc, 1);
	ck_assert_int_eq(up_usage_unwritten(token_id, NULL), 0);
	ck_assert_int_eq(slot_sum(0), 2);
	/* A read whose counts are due writes them by itself, after answering: one autocommit. */
	tu_call(&env, up_users_handle, &get, &resp, NULL);
	up_response_free(&resp);
	usleep((UP_USAGE_FLUSH_MS + 100) * 1000);
	measured(up_users_handle, &get, &resp, &ds, &dc);
	up_response_free(&resp);
	ck_assert_uint_eq(ds, 1 + 1);
	ck_assert_uint_eq(dc, 0);
	ck_assert_int_eq(up_usage_unwritten(token_id, NULL), 0);
	ck_assert_int_eq(slot_sum(0), 4);
}
END_TEST

/* A write that fails rolls its transaction back: the counts it would have carried are written once,
 * after it. */
START_TEST(test_usage_survives_rollback)
{
	struct tu_call get = {"GET", uri, header, NULL, NULL, NULL, NULL, NULL};
	struct tu_call bad = {"PATCH",
	                      uri,
	                      header,
	                      "application/json-patch+json",
	                      "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"x\"}]",
	                      NULL,
	                      NULL,
	                      NULL};
	unsigned long ds, dc;
	struct up_response resp;

	one_count_due(&get);
	measured(up_users_handle, &bad, &resp, &ds, &dc);
	ck_assert_int_eq(resp.status, 422);
	up_response_free(&resp);
	/* Autocommit off, lock, ROLLBACK; then the counts by themselves: autocommit back on
	 * and one INSERT that commits on its own. */
	ck_assert_uint_eq(dc, 0);
	ck_assert_uint_eq(ds, 5);
	ck_assert_int_eq(up_usage_unwritten(token_id, NULL), 0);
	ck_assert_int_eq(slot_sum(0), 2);
}
END_TEST

/* The counts are durable per token and day: the sum of the slot rows is what the answers say. */
START_TEST(test_usage_durable)
{
	struct tu_call call = {"GET", uri, header, NULL, NULL, NULL, NULL, NULL};
	struct up_response resp;
	cJSON *json = NULL;
	int i;
	long long shown = 0;

	for (i = 0; i < 5; i++) {
		tu_call(&env, up_users_handle, &call, &resp, &json);
		ck_assert_int_eq(resp.status, 200);
		shown = (long long)cJSON_GetObjectItem(json, "apiDailyUsage")->valuedouble;
		ck_assert_int_eq(shown, i + 1);
		ck_assert_int_eq((long long)cJSON_GetObjectItem(json, "apiUsage")->valuedouble,
		                 i + 1);
		ck_assert_ptr_null(tu_header(&resp, "RateLimit"));
		cJSON_Delete(json);
		up_response_free(&resp);
	}
	ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
	ck_assert_int_eq(slot_sum(1), shown);
	/* Another worker (a fresh cache) reads the same. */
	up_auth_cache_clear();
	tu_call(&env, up_users_handle, &call, &resp, &json);
	ck_assert_int_eq((long long)cJSON_GetObjectItem(json, "apiDailyUsage")->valuedouble,
	                 shown + 1);
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* A token with a quota: RateLimit-Policy and RateLimit agree with apiDailyUsage; 429 past it. */
START_TEST(test_ratelimit_headers)
{
	struct tu_call call = {"GET", uri, NULL, NULL, NULL, NULL, NULL, NULL};
	struct up_response resp;
	char qheader[100], want[64];
	cJSON *json = NULL;
	long t;
	int i;

	tu_token(&env, "cost", "users:read", 3, qheader, NULL);
	call.auth = qheader;
	for (i = 1; i <= 5; i++) {
		unsigned long s0, c0, s1, c1;

		up_db_stats(env.db, &s0, &c0);
		tu_call(&env, up_users_handle, &call, &resp, &json);
		up_db_stats(env.db, &s1, &c1);
		/* Past the quota in the worker's own view: refused without a statement. */
		if (i == 5)
			ck_assert_uint_eq(s1 - s0, 0);
		ck_assert_int_eq(resp.status, i <= 3 ? 200 : 429);
		ck_assert_int_eq(cJSON_GetObjectItem(json, "apiDailyUsage")->valueint, i);
		ck_assert_str_eq(tu_header(&resp, "RateLimit-Policy"), "\"daily\";q=3;w=86400");
		snprintf(want, sizeof(want), "\"daily\";r=%d;t=", i <= 3 ? 3 - i : 0);
		ck_assert_msg(strncmp(tu_header(&resp, "RateLimit"), want, strlen(want)) == 0,
		              "RateLimit: %s", tu_header(&resp, "RateLimit"));
		t = strtol(tu_header(&resp, "RateLimit") + strlen(want), NULL, 10);
		ck_assert(t > 0 && t <= 86400);
		if (i >= 4)
			ck_assert_int_eq(strtol(tu_header(&resp, "Retry-After"), NULL, 10), t);
		cJSON_Delete(json);
		up_response_free(&resp);
	}
}
END_TEST

/*
 * The other worker of test_quota_reads_before_commit: it holds the row the
 * parent's count goes into until the parent's INSERT waits for it, then
 * commits `other` counts of its own into another slot.  Exit status 0: done.
 */
static int other_worker(uint64_t token, unsigned parent_slot, int ready_fd)
{
	struct up_db *db = tu_child_db();
	struct up_db_param p[3] = {UP_P_U64(token), UP_P_U64(parent_slot), UP_P_U64(0)};
	struct up_db_result res = {0};
	int ok = db != NULL, tries;

	ok &= ok && up_db_exec_trusted(db, "START TRANSACTION") == UP_OK;
	ok &= ok && up_db_query(db,
	                        "SELECT count FROM api_usage_slot WHERE token_id = ? AND "
	                        "day = UTC_DATE() AND slot = ? FOR UPDATE",
	                        p, 2, &res) == UP_OK;
	ok &= ok && res.nrows == 1;
	up_db_result_free(&res);
	ok &= write(ready_fd, "r", 1) == 1;
	/* Until the parent's count INSERT shows in the process list, waiting for the row. */
	for (tries = 0; ok && tries < 500; tries++) {
		ok &= up_db_query(
		              db,
		              "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE "
		              "ID <> CONNECTION_ID() AND INFO LIKE 'INSERT INTO api_usage_slot%'",
		              NULL, 0, &res) == UP_OK;
		if (ok && strcmp(up_db_cell(&res, 0, 0), "0") != 0)
			break;
		up_db_result_free(&res);
		usleep(10000);
	}
	up_db_result_free(&res);
	ok &= tries < 500;
	p[1] = UP_P_U64((parent_slot + 1) % UP_USAGE_SLOTS);
	p[2] = UP_P_U64(10);
	ok &= ok && up_db_exec(db,
	                       "INSERT INTO api_usage_slot (token_id, day, slot, count) "
	                       "VALUES (?, UTC_DATE(), ?, ?)",
	                       p, 3, NULL) == UP_OK;
	ok &= ok && up_db_exec_trusted(db, "COMMIT") == UP_OK;
	tu_child_db_close(db);
	return ok ? 0 : 1;
}

/*
 * Near its quota a request reads every worker's count, then commits its own:
 * counts another worker commits in between do not refuse it (read after the
 * commit they would, and fewer than the quota would be answered 200).  The
 * next request sees them.
 */
START_TEST(test_quota_reads_before_commit)
{
	struct tu_call call = {"GET", uri, NULL, NULL, NULL, NULL, NULL, NULL};
	char qheader[100], tid[32], slot[16];
	uint64_t qid;
	cJSON *json = NULL;
	int ready[2], status;
	pid_t pid;
	char c;

	tu_token(&env, "cost", "users:read", 20, qheader, &qid);
	call.auth = qheader;
	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)qid);
	snprintf(slot, sizeof(slot), "%u", (unsigned)(getpid() % UP_USAGE_SLOTS));
	/* 15 of 20 used, in this worker's slot: the next request is near the quota. */
	tu_exec(&env,
	        "INSERT INTO api_usage_slot (token_id, day, slot, count) VALUES (?, UTC_DATE(), ?, "
	        "15)",
	        tid, slot, NULL);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(other_worker(qid, (unsigned)(getppid() % UP_USAGE_SLOTS), ready[1]));
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	/* Read 15 + this one, then the count waits for the other worker's commit of 10. */
	ck_assert_int_eq(tu_call_status(&env, up_users_handle, &call, &json), 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "apiDailyUsage")->valueint, 16);
	cJSON_Delete(json);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "other worker failed");
	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT SUM(count) FROM api_usage_slot WHERE token_id = ?",
	                               tid, NULL, NULL),
	                 26);
	ck_assert_int_eq(tu_call_status(&env, up_users_handle, &call, &json), 429);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "apiDailyUsage")->valueint, 27);
	cJSON_Delete(json);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("request_cost");
	TCase *tc = tcase_create("cost");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cost, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_read_after_write);
	tcase_add_test(tc, test_usage_rides_with_write);
	tcase_add_test(tc, test_usage_survives_rollback);
	tcase_add_test(tc, test_usage_durable);
	tcase_add_test(tc, test_ratelimit_headers);
	tcase_add_test(tc, test_quota_reads_before_commit);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
