/* SPDX-License-Identifier: ISC */
/*
 * Integration tests of the foundation against the private MariaDB that
 * tests/harness/run-test starts: migrations, tokens, quotas, scopes, tenant
 * isolation, deadlock and lock-wait retries, and a database outage.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "auth.h"
#include "json.h"
#include "testutil.h"
#include "users.h"

/* Run a shell command; its standard output into out (may be NULL). Returns the exit status. */
static int run_cmd(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	ck_assert_ptr_nonnull(p);
	if (out != NULL) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *admin(void)
{
	const char *a = getenv("UP_TEST_ADMIN");

	ck_assert_msg(a != NULL, "UP_TEST_ADMIN not set (run under tests/harness/run-test)");
	return a;
}

START_TEST(test_migrate_twice_is_a_noop)
{
	struct tu_env env;
	char cmd[1024], out[1024];
	long long before, tables_before;

	tu_env_open(&env);
	before = tu_scalar_int(&env, "SELECT COUNT(*) FROM schema_migrations", NULL, NULL, NULL);
	tables_before = tu_scalar_int(&env,
	                              "SELECT COUNT(*) FROM information_schema.tables "
	                              "WHERE table_schema = DATABASE()",
	                              NULL, NULL, NULL);
	ck_assert_int_ge(before, 2);
	snprintf(cmd, sizeof(cmd), "%s migrate --schema-dir %s/schema 2>&1", admin(),
	         getenv("top_srcdir"));
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "0 applied now") != NULL, "%s", out);
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "0 applied now") != NULL, "%s", out);
	ck_assert_int_eq(
	        tu_scalar_int(&env, "SELECT COUNT(*) FROM schema_migrations", NULL, NULL, NULL),
	        before);
	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT COUNT(*) FROM information_schema.tables "
	                               "WHERE table_schema = DATABASE()",
	                               NULL, NULL, NULL),
	                 tables_before);
	/* A schema directory that does not exist is an error, not a silent success. */
	snprintf(cmd, sizeof(cmd), "%s migrate --schema-dir /nonexistent 2>&1", admin());
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 1);
	tu_env_close(&env);
}
END_TEST

START_TEST(test_token_issue_lookup_revoke)
{
	struct tu_env env;
	struct up_auth auth;
	char cmd[1024], tok[256], header[300], out[4096], id[32];
	char *digest_hex, *stored_id, first;

	tu_env_open(&env);
	snprintf(cmd, sizeof(cmd), "%s tenant add issuer >/dev/null 2>&1", admin());
	ck_assert_int_eq(run_cmd(cmd, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s tenant add issuer 2>/dev/null", admin());
	ck_assert_int_eq(run_cmd(cmd, NULL, 0), 1); /* exists */
	snprintf(cmd, sizeof(cmd),
	         "%s token issue --tenant issuer --scopes users:read --label ci 2>/dev/null",
	         admin());
	ck_assert_int_eq(run_cmd(cmd, tok, sizeof(tok)), 0);
	/* Standard output is the token alone. */
	ck_assert_uint_eq(strlen(tok), UP_TOKEN_HEX + 1);
	ck_assert_int_eq(tok[UP_TOKEN_HEX], '\n');
	tok[UP_TOKEN_HEX] = '\0';
	snprintf(header, sizeof(header), "Bearer %s", tok);
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_READ, &auth), UP_OK);
	ck_assert(auth.tenant_id == tu_tenant(&env, "issuer"));
	ck_assert_uint_eq(auth.scopes, UP_SCOPE_USERS_READ);
	ck_assert(auth.usage.known && auth.usage.daily == 1 && auth.usage.total == 1);

	/* Only a digest is stored: the token text appears nowhere. */
	digest_hex =
	        tu_scalar(&env, "SELECT LOWER(HEX(token_digest)) FROM api_tokens WHERE label = ?",
	                  "ci", NULL, NULL);
	ck_assert_ptr_nonnull(digest_hex);
	ck_assert_str_ne(digest_hex, tok);
	free(digest_hex);
	snprintf(cmd, sizeof(cmd), "%s token list 2>&1", admin());
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_null(strstr(out, tok));
	ck_assert_ptr_nonnull(strstr(out, "\tissuer\tci\tusers:read\t-\tactive"));

	/* A wrong scope is 403, an unknown token 401. */
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_WRITE, &auth),
	                 UP_ERR_FORBIDDEN);
	first = tok[0];
	tok[0] = first == 'a' ? 'b' : 'a';
	snprintf(header, sizeof(header), "Bearer %s", tok);
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_READ, &auth),
	                 UP_ERR_UNAUTHORIZED);
	ck_assert(!auth.usage.known);
	tok[0] = first;
	snprintf(header, sizeof(header), "Bearer %s", tok);

	/*
	 * Revoke: a worker that reads the token's row refuses it at once; one
	 * that read it before refuses it once token_cache_seconds have passed.
	 */
	env.cfg.token_cache_seconds = 1;
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_READ, &auth), UP_OK);
	stored_id = tu_scalar(&env, "SELECT id FROM api_tokens WHERE label = ?", "ci", NULL, NULL);
	snprintf(id, sizeof(id), "%s", stored_id);
	free(stored_id);
	snprintf(cmd, sizeof(cmd), "%s token revoke %s 2>/dev/null", admin(), id);
	ck_assert_int_eq(run_cmd(cmd, NULL, 0), 0);
	usleep(1100 * 1000);
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_READ, &auth),
	                 UP_ERR_UNAUTHORIZED);
	env.cfg.token_cache_seconds = 5;
	up_auth_cache_clear();
	ck_assert_int_eq(up_auth_request(env.db, header, UP_SCOPE_USERS_READ, &auth),
	                 UP_ERR_UNAUTHORIZED);
	snprintf(cmd, sizeof(cmd), "%s token list --tenant issuer 2>&1", admin());
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\trevoked"));
	snprintf(cmd, sizeof(cmd), "%s token revoke 999999 2>/dev/null", admin());
	ck_assert_int_eq(run_cmd(cmd, NULL, 0), 1);
	snprintf(cmd, sizeof(cmd), "%s token issue --tenant nobody --scopes users:read 2>/dev/null",
	         admin());
	ck_assert_int_eq(run_cmd(cmd, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "");
	snprintf(cmd, sizeof(cmd),
	         "%s token issue --tenant issuer --scopes users:admin 2>/dev/null", admin());
	ck_assert_int_eq(run_cmd(cmd, NULL, 0), 2);
	tu_env_close(&env);
}
END_TEST

START_TEST(test_quota_and_429)
{
	struct tu_env env;
	struct up_response resp;
	struct tu_call call = {"GET", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	char header[100], uri[64];
	cJSON *body;
	int i;
	long retry;

	tu_env_open(&env);
	tu_user(&env, "quota", "Q", uri, sizeof(uri));
	tu_token(&env, "quota", "users:read", 2, header, NULL);
	call.uri = uri;
	call.auth = header;
	for (i = 1; i <= 2; i++) {
		tu_call(&env, up_users_handle, &call, &resp, &body);
		ck_assert_int_eq(resp.status, 200);
		ck_assert_int_eq(cJSON_GetObjectItem(body, "apiDailyUsage")->valueint, i);
		cJSON_Delete(body);
		up_response_free(&resp);
	}
	tu_call(&env, up_users_handle, &call, &resp, &body);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_str_eq(cJSON_GetObjectItem(body, "code")->valuestring, "quota_exceeded");
	ck_assert_int_eq(cJSON_GetObjectItem(body, "apiDailyUsage")->valueint, 3);
	ck_assert_ptr_nonnull(tu_header(&resp, "Retry-After"));
	retry = strtol(tu_header(&resp, "Retry-After"), NULL, 10);
	ck_assert_int_gt(retry, 0);
	ck_assert_int_le(retry, 86400);
	cJSON_Delete(body);
	up_response_free(&resp);
	tu_env_close(&env);
}
END_TEST

struct status_case {
	int line;
	const char *desc;
	const char *method;
	int which_user;   /* 0: tenant A's user, 1: tenant B's user, 2: no such id */
	const char *auth; /* "A-read", "A-write", "B-read", "none", "junk" */
	int status;
	const char *header; /* a header that must be present, or NULL */
};

static const struct status_case status_cases[] = {
        {__LINE__, "own user", "GET", 0, "A-read", 200, "ETag"},
        {__LINE__, "HEAD of own user", "HEAD", 0, "A-read", 200, "ETag"},
        {__LINE__, "other tenant's user is 404", "GET", 1, "A-read", 404, NULL},
        {__LINE__, "the other tenant sees its own", "GET", 1, "B-read", 200, NULL},
        {__LINE__, "unknown id", "GET", 2, "A-read", 404, NULL},
        {__LINE__, "no token", "GET", 0, "none", 401, "WWW-Authenticate"},
        {__LINE__, "malformed token", "GET", 0, "junk", 401, "WWW-Authenticate"},
        {__LINE__, "missing scope", "GET", 0, "A-write", 403, "WWW-Authenticate"},
        {__LINE__, "method not allowed", "BREW", 0, "A-read", 405, "Allow"},
};

START_TEST(test_status_cases)
{
	const struct status_case *c = &status_cases[_i];
	struct tu_env env;
	struct up_response resp;
	struct tu_call call = {c->method, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	char a_read[100], a_write[100], b_read[100], uris[3][64];
	cJSON *body;

	tu_env_open(&env);
	tu_user(&env, "tenant-a", "Alice", uris[0], sizeof(uris[0]));
	tu_user(&env, "tenant-b", "Bob", uris[1], sizeof(uris[1]));
	snprintf(uris[2], sizeof(uris[2]), "/api/users/usr-987654");
	tu_token(&env, "tenant-a", "users:read", 0, a_read, NULL);
	tu_token(&env, "tenant-a", "users:write", 0, a_write, NULL);
	tu_token(&env, "tenant-b", "users:read", 0, b_read, NULL);
	call.uri = uris[c->which_user];
	call.auth = strcmp(c->auth, "A-read") == 0    ? a_read
	            : strcmp(c->auth, "A-write") == 0 ? a_write
	            : strcmp(c->auth, "B-read") == 0  ? b_read
	            : strcmp(c->auth, "junk") == 0    ? "Bearer nope"
	                                              : NULL;
	tu_call(&env, up_users_handle, &call, &resp, &body);
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d", c->line, c->desc,
	              resp.status);
	if (c->header != NULL)
		ck_assert_msg(tu_header(&resp, c->header) != NULL, "line %d (%s): no %s", c->line,
		              c->desc, c->header);
	ck_assert_ptr_nonnull(body);
	ck_assert(cJSON_IsBool(cJSON_GetObjectItem(body, "success")));
	if (c->status == 200) {
		ck_assert_str_eq(cJSON_GetObjectItem(body, "id")->valuestring,
		                 uris[c->which_user] + strlen("/api/users/"));
		ck_assert_ptr_null(cJSON_GetObjectItem(body, "password"));
	} else {
		ck_assert(cJSON_IsString(cJSON_GetObjectItem(body, "code")));
		ck_assert(cJSON_IsArray(cJSON_GetObjectItem(body, "details")));
	}
	if (c->status == 403)
		ck_assert_ptr_nonnull(
		        strstr(tu_header(&resp, "WWW-Authenticate"), "insufficient_scope"));
	cJSON_Delete(body);
	up_response_free(&resp);
	tu_env_close(&env);
}
END_TEST

/* --- retries ------------------------------------------------------------ */

static void make_lock_table(struct tu_env *env)
{
	int i;
	char n[16];

	tu_exec(env,
	        "CREATE TABLE IF NOT EXISTS t_lock (id INT PRIMARY KEY, v INT NOT NULL) "
	        "ENGINE=InnoDB",
	        NULL, NULL, NULL);
	tu_exec(env, "DELETE FROM t_lock", NULL, NULL, NULL);
	for (i = 1; i <= 40; i++) {
		snprintf(n, sizeof(n), "%d", i);
		tu_exec(env, "INSERT INTO t_lock (id, v) VALUES (?, 0)", n, NULL, NULL);
	}
}

struct deadlock_arg {
	int attempts;
	int to_child, from_child; /* pipe ends */
};

/* Lock row 2, tell the child, then want row 1, which the child holds. */
static enum up_err deadlock_txn(struct up_db *db, void *p)
{
	static const char lock_row[] = "SELECT v FROM t_lock WHERE id = ? FOR UPDATE";
	struct deadlock_arg *a = p;
	struct up_db_param id[1];
	struct up_db_result res;
	enum up_err rc;
	char c = 'g';

	a->attempts++;
	id[0] = UP_P_I64(2);
	rc = up_db_query(db, lock_row, id, 1, &res);
	if (rc != UP_OK)
		return rc;
	up_db_result_free(&res);
	if (a->attempts == 1)
		ck_assert_int_eq(write(a->to_child, &c, 1), 1);
	id[0] = UP_P_I64(1);
	rc = up_db_query(db, lock_row, id, 1, &res);
	if (rc != UP_OK)
		return rc;
	up_db_result_free(&res);
	id[0] = UP_P_I64(2);
	return up_db_exec(db, "UPDATE t_lock SET v = v + 1 WHERE id = ?", id, 1, NULL);
}

START_TEST(test_deadlock_is_retried)
{
	struct tu_env env;
	struct deadlock_arg arg = {0, -1, -1};
	int down[2], up[2], status;
	pid_t pid;
	char c;

	tu_env_open(&env);
	make_lock_table(&env);
	ck_assert_int_eq(pipe(down), 0);
	ck_assert_int_eq(pipe(up), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The child: a heavier transaction (many rows changed), so InnoDB picks
		 * the parent as the deadlock victim. It never touches the parent's
		 * connection and leaves with _exit. */
		struct up_db *db = tu_child_db();
		struct up_db_param id[1] = {UP_P_I64(1)};
		struct up_db_result res;
		int ok = 1;

		if (db == NULL)
			_exit(1);
		ok &= up_db_exec_trusted(db, "START TRANSACTION") == UP_OK;
		ok &= up_db_exec(db, "UPDATE t_lock SET v = v + 1 WHERE id > 2", NULL, 0, NULL) ==
		      UP_OK;
		ok &= up_db_query(db, "SELECT v FROM t_lock WHERE id = ? FOR UPDATE", id, 1,
		                  &res) == UP_OK;
		up_db_result_free(&res);
		ok &= write(up[1], "r", 1) == 1; /* row 1 held */
		ok &= read(down[0], &c, 1) == 1; /* parent holds row 2 */
		usleep(200000);                  /* parent now waits for row 1 */
		id[0] = UP_P_I64(2);
		ok &= up_db_query(db, "SELECT v FROM t_lock WHERE id = ? FOR UPDATE", id, 1,
		                  &res) == UP_OK; /* deadlock: the parent is rolled back */
		up_db_result_free(&res);
		ok &= up_db_exec_trusted(db, "COMMIT") == UP_OK;
		_exit(ok ? 0 : 1);
	}
	arg.to_child = down[1];
	ck_assert_int_eq(read(up[0], &c, 1), 1);
	ck_assert_int_eq(up_db_transaction(env.db, deadlock_txn, &arg), UP_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed");
	ck_assert_int_eq(arg.attempts, 2);
	ck_assert_uint_eq(up_db_retry_count(env.db), 1);
	ck_assert_uint_eq(up_db_errno(env.db), 0);
	/* Both transactions committed: the child's +1 on row 3.., the parent's on row 2. */
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT v FROM t_lock WHERE id = 2", NULL, NULL, NULL),
	                 1);
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT v FROM t_lock WHERE id = 3", NULL, NULL, NULL),
	                 1);
	tu_env_close(&env);
}
END_TEST

struct wait_arg {
	int attempts;
};

static enum up_err lock_wait_txn(struct up_db *db, void *p)
{
	struct wait_arg *a = p;
	struct up_db_param id[1] = {UP_P_I64(5)};

	a->attempts++;
	return up_db_exec(db, "UPDATE t_lock SET v = v + 10 WHERE id = ?", id, 1, NULL);
}

START_TEST(test_lock_wait_timeout_is_retried)
{
	struct tu_env env;
	struct wait_arg arg = {0};
	int up[2], status;
	pid_t pid;
	char c;

	tu_env_open(&env);
	make_lock_table(&env);
	ck_assert_int_eq(pipe(up), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct up_db *db = tu_child_db();
		int ok = 1;

		if (db == NULL)
			_exit(1);
		ok &= up_db_exec_trusted(db, "START TRANSACTION") == UP_OK;
		ok &= up_db_exec(db, "UPDATE t_lock SET v = 1 WHERE id = 5", NULL, 0, NULL) ==
		      UP_OK;
		ok &= write(up[1], "r", 1) == 1;
		usleep(1500000); /* longer than the parent's 1 s lock wait */
		ok &= up_db_exec_trusted(db, "COMMIT") == UP_OK;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(read(up[0], &c, 1), 1);
	ck_assert_int_eq(up_db_exec_trusted(env.db, "SET SESSION innodb_lock_wait_timeout = 1"),
	                 UP_OK);
	ck_assert_int_eq(up_db_transaction(env.db, lock_wait_txn, &arg), UP_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed");
	ck_assert_int_ge(arg.attempts, 2);
	/* Applied once, after the child's write: nothing lost, nothing doubled. */
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT v FROM t_lock WHERE id = 5", NULL, NULL, NULL),
	                 11);
	tu_env_close(&env);
}
END_TEST

/* A transaction whose function fails is rolled back and not retried. */
static enum up_err failing_txn(struct up_db *db, void *p)
{
	int *attempts = p;
	enum up_err rc;

	(*attempts)++;
	rc = up_db_exec(db, "UPDATE t_lock SET v = 99 WHERE id = 7", NULL, 0, NULL);
	return rc != UP_OK ? rc : UP_ERR_VALIDATION;
}

START_TEST(test_failed_transaction_rolls_back)
{
	struct tu_env env;
	int attempts = 0;

	tu_env_open(&env);
	make_lock_table(&env);
	ck_assert_int_eq(up_db_transaction(env.db, failing_txn, &attempts), UP_ERR_VALIDATION);
	ck_assert_int_eq(attempts, 1);
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT v FROM t_lock WHERE id = 7", NULL, NULL, NULL),
	                 0);
	tu_env_close(&env);
}
END_TEST

/* --- result cells ------------------------------------------------------ */

struct cell_case {
	int line;
	const char *desc, *sql, *want; /* want NULL: SQL NULL */
};

static const struct cell_case cell_cases[] = {
        {__LINE__, "DATETIME(6)", "SELECT CAST('2026-11-30 03:04:05.012345' AS DATETIME(6))",
         "2026-11-30 03:04:05.012345"},
        {__LINE__, "DATETIME(6), no fraction", "SELECT CAST('2026-01-02 00:00:00' AS DATETIME(6))",
         "2026-01-02 00:00:00.000000"},
        {__LINE__, "DATETIME(3) keeps 3 digits",
         "SELECT CAST('1999-12-31 23:59:59.5' AS DATETIME(3))", "1999-12-31 23:59:59.500"},
        {__LINE__, "DATETIME without fraction", "SELECT CAST('0001-01-01 01:02:03' AS DATETIME)",
         "0001-01-01 01:02:03"},
        {__LINE__, "TIMESTAMP(6)",
         "SELECT CAST(TIMESTAMP'2030-06-07 08:09:10.000001' AS DATETIME(6))",
         "2030-06-07 08:09:10.000001"},
        {__LINE__, "NULL datetime", "SELECT CAST(NULL AS DATETIME(6))", NULL},
        {__LINE__, "BIGINT UNSIGNED at its top", "SELECT CAST(18446744073709551615 AS UNSIGNED)",
         "18446744073709551615"},
        {__LINE__, "negative integer", "SELECT -9223372036854775807", "-9223372036854775807"},
        {__LINE__, "empty text", "SELECT ''", ""},
        {__LINE__, "text longer than a first guess", "SELECT REPEAT('x', 5000)", NULL},
        {__LINE__, "UTF-8 text", "SELECT _utf8mb4'caf\xc3\xa9 \xe2\x82\xac'",
         "caf\xc3\xa9 \xe2\x82\xac"},
        {__LINE__, "decimal", "SELECT CAST(12.5 AS DECIMAL(10,3))", "12.500"},
};

START_TEST(test_cell_cases)
{
	const struct cell_case *c = &cell_cases[_i];
	struct up_db_result res;
	struct tu_env env;
	const char *got;

	tu_env_open(&env);
	ck_assert_int_eq(up_db_query(env.db, c->sql, NULL, 0, &res), UP_OK);
	ck_assert_uint_eq(res.nrows, 1);
	got = up_db_cell(&res, 0, 0);
	if (strstr(c->sql, "REPEAT") != NULL) {
		ck_assert_msg(got != NULL && strlen(got) == 5000 && res.lens[0] == 5000 &&
		                      strspn(got, "x") == 5000,
		              "line %d (%s)", c->line, c->desc);
	} else if (c->want == NULL) {
		ck_assert_msg(got == NULL, "line %d (%s): %s", c->line, c->desc, got);
	} else {
		ck_assert_msg(got != NULL && strcmp(got, c->want) == 0 &&
		                      res.lens[0] == strlen(c->want),
		              "line %d (%s): '%s'", c->line, c->desc, got != NULL ? got : "(null)");
	}
	up_db_result_free(&res);
	tu_env_close(&env);
}
END_TEST

/* Several rows of mixed lengths and NULLs: each cell is its own row's value. */
START_TEST(test_cells_of_many_rows)
{
	struct up_db_result res;
	struct tu_env env;
	size_t r;

	tu_env_open(&env);
	ck_assert_int_eq(
	        up_db_query(env.db,
	                    "SELECT seq, IF(seq % 3 = 0, NULL, REPEAT('ab', seq)), "
	                    "CAST(DATE_ADD('2026-01-01', INTERVAL seq SECOND) AS DATETIME(6)) "
	                    "FROM seq_1_to_40",
	                    NULL, 0, &res),
	        UP_OK);
	ck_assert_uint_eq(res.nrows, 40);
	for (r = 0; r < 40; r++) {
		char want[32];
		const char *text = up_db_cell(&res, r, 1);

		snprintf(want, sizeof(want), "%zu", r + 1);
		ck_assert_str_eq(up_db_cell(&res, r, 0), want);
		if ((r + 1) % 3 == 0)
			ck_assert_ptr_null(text);
		else
			ck_assert_msg(text != NULL && strlen(text) == 2 * (r + 1) &&
			                      res.lens[r * 3 + 1] == 2 * (r + 1),
			              "row %zu", r);
		snprintf(want, sizeof(want), "2026-01-01 00:00:%02zu.000000", r + 1);
		ck_assert_str_eq(up_db_cell(&res, r, 2), want);
	}
	up_db_result_free(&res);
	tu_env_close(&env);
}
END_TEST

/*
 * The statement cache keys on the SQL text, not on where it lies: SQL built
 * in one buffer, freed, and other SQL built in the same buffer again (the
 * allocator hands the same address back) is its own statement.
 */
START_TEST(test_statement_cache_keys_on_text)
{
	static const char *const texts[] = {"SELECT 'first', ?", "SELECT 'other', ?"};
	struct up_db_param p[1] = {UP_P_U64(7)};
	struct up_db_result res;
	struct tu_env env;
	size_t i;

	tu_env_open(&env);
	for (i = 0; i < 4; i++) {
		char *sql = malloc(64);
		char want[16];

		ck_assert_ptr_nonnull(sql);
		snprintf(sql, 64, "%s", texts[i % 2]);
		ck_assert_int_eq(up_db_query(env.db, sql, p, 1, &res), UP_OK);
		memset(sql, 'x', 63); /* the text is gone before the next query */
		free(sql);
		ck_assert_uint_eq(res.nrows, 1);
		snprintf(want, sizeof(want), "%s", i % 2 ? "other" : "first");
		ck_assert_msg(strcmp(up_db_cell(&res, 0, 0), want) == 0, "query %zu answered %s", i,
		              up_db_cell(&res, 0, 0));
		up_db_result_free(&res);
	}
	tu_env_close(&env);
}
END_TEST

/* --- outage ------------------------------------------------------------- */

START_TEST(test_database_outage_503_and_recovery)
{
	struct tu_env env;
	struct up_response resp;
	struct tu_call call = {"GET", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	char header[100], uri[64];
	cJSON *body;
	long long version_before;

	ck_assert_msg(getenv("UP_TEST_DB_CTL") != NULL, "UP_TEST_DB_CTL not set");
	tu_env_open(&env);
	tu_user(&env, "outage", "O", uri, sizeof(uri));
	tu_token(&env, "outage", "users:read", 0, header, NULL);
	call.uri = uri;
	call.auth = header;
	tu_call(&env, up_users_handle, &call, &resp, NULL);
	ck_assert_int_eq(resp.status, 200); /* connected, statements prepared */
	up_response_free(&resp);
	version_before =
	        tu_scalar_int(&env, "SELECT COUNT(*) FROM api_usage_slot", NULL, NULL, NULL);

	tu_db_ctl("stop");
	tu_call(&env, up_users_handle, &call, &resp, &body);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_str_eq(cJSON_GetObjectItem(body, "code")->valuestring, "service_unavailable");
	ck_assert_ptr_nonnull(tu_header(&resp, "Retry-After"));
	cJSON_Delete(body);
	up_response_free(&resp);
	/* Still down: still 503, no crash. */
	tu_call(&env, up_users_handle, &call, &resp, NULL);
	ck_assert_int_eq(resp.status, 503);
	up_response_free(&resp);

	tu_db_ctl("start");
	/* The same worker reconnects and re-prepares by itself. */
	tu_call(&env, up_users_handle, &call, &resp, &body);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(cJSON_GetObjectItem(body, "name")->valuestring, "O");
	cJSON_Delete(body);
	up_response_free(&resp);
	ck_assert_int_ge(
	        tu_scalar_int(&env, "SELECT COUNT(*) FROM api_usage_slot", NULL, NULL, NULL),
	        version_before);
	tu_env_close(&env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("foundation");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_migrate_twice_is_a_noop);
	tcase_add_test(tc, test_token_issue_lookup_revoke);
	tcase_add_test(tc, test_quota_and_429);
	tcase_add_loop_test(tc, test_status_cases, 0,
	                    sizeof(status_cases) / sizeof(status_cases[0]));
	tcase_add_test(tc, test_deadlock_is_retried);
	tcase_add_test(tc, test_lock_wait_timeout_is_retried);
	tcase_add_test(tc, test_failed_transaction_rolls_back);
	tcase_add_loop_test(tc, test_cell_cases, 0, sizeof(cell_cases) / sizeof(cell_cases[0]));
	tcase_add_test(tc, test_cells_of_many_rows);
	tcase_add_test(tc, test_statement_cache_keys_on_text);
	tcase_add_test(tc, test_database_outage_503_and_recovery);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
