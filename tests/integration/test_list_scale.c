/* SPDX-License-Identifier: ISC */
/*
 * Lists whose cost does not grow with the tenant, against a private MariaDB:
 * every list query shape (no filter, each filter alone, each with a cursor)
 * is EXPLAINed and must read an index in key order (no full scan, no sort
 * of the matches), and the handler must read about a page of index entries
 * for it, not the tenant; the group counts kept by the triggers of
 * migration 008 stay equal to COUNT(*) after concurrent inserts, moves and
 * deletes of users and devices; offset paging stops at its window.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "db.h"
#include "device_store.h"
#include "devices.h"
#include "group_store.h"
#include "groups.h"
#include "resource.h"
#include "testutil.h"
#include "user_store.h"
#include "users.h"

/* Rows per tenant: enough that a scan of the tenant is far above a page. */
#define ROWS "4000"
#define PAGE 20

static struct tu_env env;
static char t_users[96], t_groups[96];
/* The shapes are read as the second tenant, whose ids come after the first's. */
static char g_users[96], g_groups[96], g_devices[96];

/*
 * Two tenants of ROWS users and devices each, every tenth in group big,
 * every seventh disabled, their ids interleaved (as tenants that sign up
 * users at the same time have them): a statement that walks the primary
 * key instead of a tenant's index reads the other tenant's rows too.
 */
static void setup(void)
{
	tu_env_open(&env);
	tu_tenant(&env, "acme");
	tu_tenant(&env, "globex");
	tu_token(&env, "acme", "users:read,users:write", 0, t_users, NULL);
	tu_token(&env, "acme", "groups:read,groups:write", 0, t_groups, NULL);
	tu_token(&env, "globex", "users:read", 0, g_users, NULL);
	tu_token(&env, "globex", "groups:read", 0, g_groups, NULL);
	tu_token(&env, "globex", "devices:read", 0, g_devices, NULL);
	if (tu_scalar_int(&env, "SELECT COUNT(*) FROM users", NULL, NULL, NULL) > 1000)
		return;
	tu_exec(&env,
	        "INSERT INTO user_groups (tenant_id, group_key, name, privileges, tags) "
	        "SELECT t.id, g.k, g.n, '[]', '{}' FROM tenants t, (SELECT 'big' AS k, 'Big' AS n "
	        "UNION ALL SELECT CONCAT('g', seq), CONCAT('Group ', seq % 50) FROM seq_1_to_" ROWS
	        ") g WHERE t.name IN (?, ?)",
	        "acme", "globex", NULL);
	tu_exec(&env,
	        "INSERT INTO users (tenant_id, name, email, disabled, user_group, tags, "
	        "privileges) "
	        "SELECT t.id, CONCAT('User ', s.seq), CONCAT('u', s.seq, '@', t.name, '.example'), "
	        "s.seq % 7 = 0, IF(s.seq % 10 = 0, 'big', NULL), '{}', '[]' "
	        "FROM seq_1_to_" ROWS " s JOIN seq_0_to_1 k JOIN tenants t "
	        "ON t.name = IF(k.seq = 0, ?, ?) ORDER BY s.seq, k.seq",
	        "acme", "globex", NULL);
	tu_exec(&env,
	        "INSERT INTO devices (tenant_id, name, disabled, device_group, tags) "
	        "SELECT t.id, CONCAT('Device ', s.seq), s.seq % 7 = 0, "
	        "IF(s.seq % 10 = 0, 'big', NULL), '{}' "
	        "FROM seq_1_to_" ROWS " s JOIN seq_0_to_1 k JOIN tenants t "
	        "ON t.name = IF(k.seq = 0, ?, ?) ORDER BY s.seq, k.seq",
	        "acme", "globex", NULL);
	tu_exec(&env, "ANALYZE TABLE users, devices, user_groups, group_members", NULL, NULL, NULL);
}

static void teardown(void)
{
	tu_env_close(&env);
}

struct shape_case {
	int line;
	const char *desc;
	const struct up_resource *res;
	up_handler_fn handler;
	const char *path;   /* collection path */
	int filter;         /* index in the resource's filter list, -1: none */
	const char *value;  /* the filter's value ("1"/"0" for a boolean) */
	const char *query;  /* the same filter as a query string */
	const char *cursor; /* a key to start after, NULL: the first page */
};

#define U &up_user_resource, up_users_handle, "/api/users"
#define D &up_device_resource, up_devices_handle, "/api/devices"
#define G &up_group_resource, up_groups_handle, "/api/groups"

static const struct shape_case shapes[] = {
        {__LINE__, "users, first page", U, -1, NULL, "", NULL},
        {__LINE__, "users, cursor deep in the tenant", U, -1, NULL, "", "usr-7000"},
        {__LINE__, "users by group", U, 0, "big", "group=big", NULL},
        {__LINE__, "users by group, cursor", U, 0, "big", "group=big", "usr-7000"},
        {__LINE__, "users by email", U, 1, "u77@globex.example", "email=u77%40globex.example",
         NULL},
        {__LINE__, "users by email, cursor", U, 1, "u77@globex.example",
         "email=u77%40globex.example", "usr-1"},
        {__LINE__, "disabled users", U, 2, "1", "disabled=true", NULL},
        {__LINE__, "disabled users, cursor", U, 2, "1", "disabled=true", "usr-7000"},
        {__LINE__, "enabled users", U, 2, "0", "disabled=false", NULL},
        {__LINE__, "devices, first page", D, -1, NULL, "", NULL},
        {__LINE__, "devices, cursor", D, -1, NULL, "", "dev-7000"},
        {__LINE__, "devices by group", D, 0, "big", "group=big", NULL},
        {__LINE__, "devices by group, cursor", D, 0, "big", "group=big", "dev-7000"},
        {__LINE__, "disabled devices", D, 1, "1", "disabled=true", NULL},
        {__LINE__, "disabled devices, cursor", D, 1, "1", "disabled=true", "dev-7000"},
        {__LINE__, "groups, first page", G, -1, NULL, "", NULL},
        {__LINE__, "groups, cursor", G, -1, NULL, "", "g3000"},
        {__LINE__, "groups by name", G, 0, "Group 7", "name=Group%207", NULL},
        {__LINE__, "groups by name, cursor", G, 0, "Group 7", "name=Group%207", "g3000"},
};

/* The id of a numeric key ("usr-3000" -> 3000) or the text of a text key. */
static struct up_db_param after_param(const struct up_resource *r, const char *cursor, uint64_t *id)
{
	const char *dash = cursor != NULL ? strchr(cursor, '-') : NULL;

	if (up_resource_key(r)->type != UP_FT_ID)
		return UP_P_STR(cursor != NULL ? cursor : "");
	*id = dash != NULL ? strtoull(dash + 1, NULL, 10) : 0;
	return UP_P_U64(*id);
}

/* EXPLAIN of the shape's list statement: every table read by an index, in order. */
static void check_explain(const struct shape_case *c)
{
	struct up_list_query q = {{NULL}, NULL, 0, PAGE, 0, 0};
	struct up_db_param p[8];
	struct up_db_result res;
	char sql[4096];
	const char *list;
	uint64_t tenant = (uint64_t)tu_scalar_int(
	        &env, "SELECT id FROM tenants WHERE name = 'globex'", NULL, NULL, NULL);
	uint64_t id = 0;
	size_t n = 0, row;

	if (c->filter >= 0)
		q.value[c->filter] = c->value;
	list = up_resource_list_sql(c->res, &q, 0);
	ck_assert_ptr_nonnull(list);
	ck_assert_msg(strstr(list, "IS NULL") == NULL, "%s: %s", c->desc, list);
	snprintf(sql, sizeof(sql), "EXPLAIN %s", list);
	p[n++] = UP_P_U64(tenant);
	if (c->filter >= 0)
		p[n++] = c->res->filters[c->filter].type == UP_FT_BOOL
		                 ? UP_P_I64(strcmp(c->value, "1") == 0)
		                 : UP_P_STR(c->value);
	p[n++] = after_param(c->res, c->cursor, &id);
	p[n++] = UP_P_U64(PAGE + 1);
	p[n++] = UP_P_U64(0);
	ck_assert_int_eq(up_db_query(env.db, sql, p, n, &res), UP_OK);
	ck_assert_uint_ge(res.nrows, 1);
	/* id select_type table type possible_keys key key_len ref rows Extra */
	for (row = 0; row < res.nrows; row++) {
		const char *type = up_db_cell(&res, row, 3), *key = up_db_cell(&res, row, 5);
		const char *extra = up_db_cell(&res, row, 9);

		ck_assert_msg(key != NULL, "line %d, %s: table %s read without an index", c->line,
		              c->desc, up_db_cell(&res, row, 2));
		ck_assert_msg(type != NULL && strcmp(type, "ALL") != 0 &&
		                      strcmp(type, "index") != 0,
		              "line %d, %s: full scan (%s) of %s", c->line, c->desc, type,
		              up_db_cell(&res, row, 2));
		ck_assert_msg(extra == NULL || strstr(extra, "filesort") == NULL,
		              "line %d, %s: sorts the matches (%s, key %s)", c->line, c->desc,
		              extra, key);
		/* Unfiltered: the tenant's index, not the primary key from the cursor on. */
		if (c->filter < 0 && c->res->list_index != NULL)
			ck_assert_msg(strcmp(key, c->res->list_index) == 0,
			              "line %d, %s: reads %s, not %s", c->line, c->desc, key,
			              c->res->list_index);
	}
	up_db_result_free(&res);
}

/* Index and row reads of this session so far (Handler_read_*). */
static long long handler_reads(void)
{
	return tu_scalar_int(&env,
	                     "SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS "
	                     "WHERE VARIABLE_NAME IN ('HANDLER_READ_FIRST', 'HANDLER_READ_KEY', "
	                     "'HANDLER_READ_NEXT', 'HANDLER_READ_PREV', 'HANDLER_READ_RND', "
	                     "'HANDLER_READ_RND_NEXT')",
	                     NULL, NULL, NULL);
}

/* The page through the handler: it reads about a page, not the tenant. */
static void check_reads(const struct shape_case *c)
{
	char uri[256];
	cJSON *json = NULL;
	const char *tok = c->handler == up_users_handle    ? g_users
	                  : c->handler == up_groups_handle ? g_groups
	                                                   : g_devices;
	struct tu_call call = {"GET", uri, tok, NULL, NULL, NULL, NULL, NULL};
	long long base, before, reads;

	snprintf(uri, sizeof(uri), "%s?limit=%d%s%s%s%s", c->path, PAGE, c->query[0] ? "&" : "",
	         c->query, c->cursor != NULL ? "&cursor=" : "", c->cursor != NULL ? c->cursor : "");
	/* A first call prepares the statements and reads the token. */
	ck_assert_int_eq(tu_call_status(&env, c->handler, &call, &json), 200);
	cJSON_Delete(json);
	before = handler_reads();
	base = handler_reads() - before; /* what reading the counters costs */
	before = handler_reads();
	ck_assert_int_eq(tu_call_status(&env, c->handler, &call, &json), 200);
	reads = handler_reads() - before - base;
	ck_assert_msg(cJSON_GetObjectItem(json, "total") == NULL, "%s: total by default", c->desc);
	cJSON_Delete(json);
	fprintf(stderr, "%s: %lld rows read\n", c->desc, reads);
	/*
	 * The page's PAGE + 1 index entries (and for groups, each one's counter
	 * slots); a filter served by no index, or by an index that does not give
	 * the key order, reads several times more (every match, or every row of
	 * the tenant until PAGE + 1 match).
	 */
	ck_assert_msg(reads <= 4 * (PAGE + 1), "line %d, %s: %lld rows read for a page of %d",
	              c->line, c->desc, reads, PAGE);
	/*
	 * Users and devices have no counter slots: the page is its PAGE + 1
	 * entries.  Twice that is the other tenant's rows read in between (the
	 * primary key walked from the cursor on).
	 */
	if (c->handler != up_groups_handle)
		ck_assert_msg(reads < 3 * (PAGE + 1) / 2,
		              "line %d, %s: %lld rows read for a page of %d (other tenants' rows?)",
		              c->line, c->desc, reads, PAGE);
}

START_TEST(test_list_shapes)
{
	check_explain(&shapes[_i]);
	check_reads(&shapes[_i]);
}
END_TEST

/* count=exact counts the filter, and only then is there a total. */
START_TEST(test_count_exact)
{
	struct tu_call call = {
	        "GET", "/api/users?group=big&limit=5&count=exact", t_users, NULL, NULL, NULL, NULL,
	        NULL};
	cJSON *json = NULL;

	ck_assert_int_eq(tu_call_status(&env, up_users_handle, &call, &json), 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "total")->valueint,
	                 (int)tu_scalar_int(&env,
	                                    "SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = "
	                                    "u.tenant_id WHERE t.name = 'acme' AND user_group = "
	                                    "'big'",
	                                    NULL, NULL, NULL));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(json, "nextCursor"));
	cJSON_Delete(json);
}
END_TEST

struct offset_case {
	int line;
	const char *desc;
	const char *uri;
	int status;
	const char *code; /* error code, NULL on success */
};

static const struct offset_case offsets[] = {
        {__LINE__, "offset 0", "/api/users?offset=0", 200, NULL},
        {__LINE__, "offset at the window's edge", "/api/users?offset=10000", 200, NULL},
        {__LINE__, "offset one past the window", "/api/users?offset=10001", 400,
         "offset_too_large"},
        {__LINE__, "offset far past it", "/api/users?offset=900000&limit=50", 400,
         "offset_too_large"},
        {__LINE__, "groups too", "/api/groups?offset=20000", 400, "offset_too_large"},
        {__LINE__, "count takes exact only", "/api/users?count=estimate", 400, "bad_request"},
        {__LINE__, "count without a value", "/api/users?count=", 400, "bad_request"},
};

START_TEST(test_offset_window)
{
	const struct offset_case *c = &offsets[_i];
	struct tu_call call = {"GET", c->uri, NULL, NULL, NULL, NULL, NULL, NULL};
	up_handler_fn h =
	        strncmp(c->uri, "/api/groups", 11) == 0 ? up_groups_handle : up_users_handle;
	cJSON *json = NULL;

	call.auth = h == up_groups_handle ? t_groups : t_users;
	ck_assert_msg(tu_call_status(&env, h, &call, &json) == c->status, "line %d: %s", c->line,
	              c->desc);
	if (c->code != NULL) {
		ck_assert_str_eq(cJSON_GetObjectItem(json, "code")->valuestring, c->code);
		if (strcmp(c->code, "offset_too_large") == 0)
			ck_assert_ptr_nonnull(
			        strstr(cJSON_GetObjectItem(json, "error")->valuestring, "cursor"));
	}
	cJSON_Delete(json);
}
END_TEST

#define CHURN_WORKERS 4
#define CHURN_ROUNDS 60

/*
 * One statement with two string parameters (b may be NULL: only a), run
 * again when it was chosen as a deadlock victim (rolled back whole).
 * 0 when it ran, 1 when it failed.
 */
static int exec_retry(struct tu_env *e, const char *sql, const char *a, const char *b)
{
	struct up_db_param p[2] = {UP_P_STR(a), UP_P_STR_OR_NULL(b)};
	struct up_db_info info;
	enum up_err rc = UP_ERR_DB_RETRY;
	int k;

	for (k = 0; k < 50 && rc == UP_ERR_DB_RETRY; k++)
		rc = up_db_exec(e->db, sql, p, b != NULL ? 2 : 1, &info);
	if (rc != UP_OK)
		fprintf(stderr, "%s: error %d (%u)\n", sql, rc, up_db_errno(e->db));
	return rc != UP_OK;
}

/*
 * A churn worker with its own connection: inserts users and devices into
 * groups c0..c3, moves them between groups (and out of any), deletes some,
 * through the API and by plain SQL.  Exit status: failed requests.
 */
static void churn(int w)
{
	struct tu_env own;
	int i, failed = 0;

	tu_env_open(&own);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		char body[256], uri[64], grp[8];
		cJSON *json = NULL;
		struct tu_call call = {"POST", "/api/users", t_users, "application/json",
		                       body,   NULL,         NULL,    NULL};
		const cJSON *id;

		snprintf(grp, sizeof(grp), "c%d", (i + w) % 4);
		snprintf(body, sizeof(body),
		         "{\"name\": \"Churn\", \"email\": \"churn-%d-%d@example.com\", \"group\": "
		         "\"%s\"}",
		         w, i, grp);
		if (tu_call_status(&own, up_users_handle, &call, &json) != 201) {
			failed++;
			cJSON_Delete(json);
			continue;
		}
		id = cJSON_GetObjectItem(json, "id");
		snprintf(uri, sizeof(uri), "/api/users/%s", id->valuestring);
		cJSON_Delete(json);
		json = NULL;
		call.uri = uri;
		call.method = "PATCH";
		call.content_type = "application/merge-patch+json";
		snprintf(body, sizeof(body), "{\"group\": %s}",
		         i % 5 == 0 ? "null" : (i % 2 ? "\"c1\"" : "\"c2\""));
		failed += tu_call_status(&own, up_users_handle, &call, NULL) != 200;
		if (i % 3 == 0) {
			call.method = "DELETE";
			call.content_type = NULL;
			call.body = NULL;
			failed += tu_call_status(&own, up_users_handle, &call, NULL) != 204;
		}
		/* Writers that are not the API keep the counts too: by hand, devices. */
		snprintf(body, sizeof(body), "churn-%d-%d@example.com", w, i);
		failed += exec_retry(&own, "UPDATE users SET user_group = ? WHERE email = ?",
		                     i % 4 == 0 ? "c3" : "c0", body);
		snprintf(body, sizeof(body), "%d-%d", w, i);
		failed += exec_retry(
		        &own,
		        "INSERT INTO devices (tenant_id, name, device_group, tags) SELECT "
		        "id, ?, ?, '{}' FROM tenants WHERE name = 'acme'",
		        body, grp);
		if (i % 4 == 1)
			failed += exec_retry(&own,
			                     "UPDATE devices SET device_group = ? WHERE name = ?",
			                     "c1", body);
		if (i % 4 == 2)
			failed +=
			        exec_retry(&own, "DELETE FROM devices WHERE name = ?", body, NULL);
	}
	tu_env_close(&own);
	_exit(failed > 100 ? 100 : failed);
}

/* Each group's kept counts against COUNT(*), through SQL and the API. */
static void check_counts(const char *grp)
{
	char uri[64];
	struct tu_call call = {"GET", uri, t_groups, NULL, NULL, NULL, NULL, NULL};
	cJSON *json = NULL;
	long long users = tu_scalar_int(&env,
	                                "SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = "
	                                "u.tenant_id WHERE t.name = 'acme' AND u.user_group = ?",
	                                grp, NULL, NULL);
	long long devices =
	        tu_scalar_int(&env,
	                      "SELECT COUNT(*) FROM devices d JOIN tenants t ON t.id = "
	                      "d.tenant_id WHERE t.name = 'acme' AND d.device_group = ?",
	                      grp, NULL, NULL);

	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT COALESCE(SUM(m.users), 0) FROM group_members m JOIN "
	                               "tenants t ON t.id = m.tenant_id WHERE t.name = 'acme' AND "
	                               "m.group_key = ?",
	                               grp, NULL, NULL),
	                 users);
	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT COALESCE(SUM(m.devices), 0) FROM group_members m "
	                               "JOIN tenants t ON t.id = m.tenant_id WHERE t.name = 'acme' "
	                               "AND m.group_key = ?",
	                               grp, NULL, NULL),
	                 devices);
	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT COUNT(*) FROM group_members WHERE users < 0 OR "
	                               "devices < 0",
	                               NULL, NULL, NULL),
	                 0);
	snprintf(uri, sizeof(uri), "/api/groups/%s", grp);
	ck_assert_int_eq(tu_call_status(&env, up_groups_handle, &call, &json), 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "users")->valueint, (int)users);
	cJSON_Delete(json);
}

START_TEST(test_counts_do_not_drift)
{
	static const char *const groups[] = {"c0", "c1", "c2", "c3", "big"};
	pid_t pids[CHURN_WORKERS];
	int w;
	size_t i;

	tu_exec(&env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name, privileges, tags) "
	        "SELECT t.id, CONCAT('c', s.seq), 'Churn', '[]', '{}' FROM tenants t, seq_0_to_3 s "
	        "WHERE t.name = 'acme'",
	        NULL, NULL, NULL);
	for (w = 0; w < CHURN_WORKERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0)
			churn(w);
	}
	for (w = 0; w < CHURN_WORKERS; w++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[w], &st, 0), pids[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d: status %d", w, st);
	}
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		check_counts(groups[i]);
	/* The groups still in use are refused with the kept count. */
	{
		struct tu_call call = {
		        "DELETE", "/api/groups/big", t_groups, NULL, NULL, NULL, NULL, NULL};
		cJSON *json = NULL;

		ck_assert_int_eq(tu_call_status(&env, up_groups_handle, &call, &json), 409);
		ck_assert_int_eq(
		        cJSON_GetObjectItem(
		                cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0),
		                "count")
		                ->valueint,
		        (int)tu_scalar_int(
		                &env,
		                "SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = "
		                "u.tenant_id WHERE t.name = 'acme' AND u.user_group = 'big'",
		                NULL, NULL, NULL));
		cJSON_Delete(json);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("list_scale");
	TCase *tc = tcase_create("lists");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_list_shapes, 0, sizeof(shapes) / sizeof(shapes[0]));
	tcase_add_test(tc, test_count_exact);
	tcase_add_loop_test(tc, test_offset_window, 0, sizeof(offsets) / sizeof(offsets[0]));
	tcase_add_test(tc, test_counts_do_not_drift);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
