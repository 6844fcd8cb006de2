/* SPDX-License-Identifier: ISC */
/*
 * Integration tests of the Groups API against a private MariaDB: every
 * method and status (table-driven, each row saying what the database must
 * hold afterwards), tenant isolation, the users count, group_in_use, the
 * reference check from the users side, audit rows, paging and filters, and
 * concurrent writes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "groups.h"
#include "json.h"
#include "testutil.h"
#include "usage.h"
#include "users.h"

struct fixture {
	struct tu_env env;
	char writer[96], reader[96], outsider[96], users[96], nobody[96];
};

static struct fixture fx;

/* The connection requests go through: the fixture's, or a worker's own. */
static struct tu_env *env_now = &fx.env;

/* Group key of tenant (by name), with a name; nothing if it exists. */
static void make_group(const char *tenant, const char *key, const char *name)
{
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name, privileges, tags) "
	        "SELECT id, ?, ?, '[]', '{}' FROM tenants WHERE name = ?",
	        key, name, tenant);
}

static void setup(void)
{
	tu_env_open(&fx.env);
	tu_tenant(&fx.env, "acme");
	tu_tenant(&fx.env, "globex");
	tu_token(&fx.env, "acme", "groups:read,groups:write", 0, fx.writer, NULL);
	tu_token(&fx.env, "acme", "groups:read", 0, fx.reader, NULL);
	tu_token(&fx.env, "globex", "groups:read,groups:write", 0, fx.outsider, NULL);
	tu_token(&fx.env, "acme", "users:read,users:write", 0, fx.users, NULL);
	tu_token(&fx.env, "acme", "device_app_user:write", 0, fx.nobody, NULL);
	make_group("acme", "fixed", "Fixed group");
	make_group("globex", "theirs", "Their group");
}

static void teardown(void)
{
	tu_env_close(&fx.env);
}

enum who { W_NONE, W_WRITER, W_READER, W_OUTSIDER, W_USERS, W_NOBODY };

static const char *token(enum who w)
{
	switch (w) {
	case W_WRITER:
		return fx.writer;
	case W_READER:
		return fx.reader;
	case W_OUTSIDER:
		return fx.outsider;
	case W_USERS:
		return fx.users;
	case W_NOBODY:
		return fx.nobody;
	default:
		return NULL;
	}
}

/* One request; *json the body (may be NULL). Returns the status. */
static int call(up_handler_fn h, const char *method, const char *uri, enum who w, const char *ctype,
                const char *body, const char *if_match, struct up_response *resp, cJSON **json)
{
	struct tu_call c = {method, uri, token(w), ctype, body, if_match, NULL, NULL};

	tu_call(env_now, h, &c, resp, json);
	return resp->status;
}

static long long count_groups(const char *key)
{
	return tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM user_groups WHERE group_key = ?", key,
	                     NULL, NULL);
}

static long long audits(const char *key)
{
	return tu_scalar_int(&fx.env,
	                     "SELECT COUNT(*) FROM audit_log WHERE resource = 'group' AND "
	                     "resource_key = ?",
	                     key, NULL, NULL);
}

#define AJ "application/json"
#define JP "application/json-patch+json"
#define MP "application/merge-patch+json"
#define ITEM_ALLOW "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
#define COLL_ALLOW "GET, HEAD, POST, OPTIONS"

struct status_case {
	int line;
	const char *desc;
	const char *method, *uri, *ctype, *body, *if_match;
	enum who who;
	int status;
	const char *code;   /* error code, or NULL */
	const char *detail; /* a field named in details, or NULL */
	const char *header; /* "Name: value" the answer must carry, or NULL */
	const char *exists; /* a group key that must (then) exist, or NULL */
	const char *absent; /* a group key that must not exist, or NULL */
};

static const struct status_case status_cases[] = {
        /* reads */
        {__LINE__, "GET one", "GET", "/api/groups/fixed", NULL, NULL, NULL, W_READER, 200, NULL,
         NULL, "ETag: \"1\"", "fixed", NULL},
        {__LINE__, "HEAD one", "HEAD", "/api/groups/fixed", NULL, NULL, NULL, W_READER, 200, NULL,
         NULL, NULL, NULL, NULL},
        {__LINE__, "GET absent", "GET", "/api/groups/nope", NULL, NULL, NULL, W_READER, 404,
         "not_found", NULL, NULL, NULL, NULL},
        {__LINE__, "GET of another tenant's group", "GET", "/api/groups/theirs", NULL, NULL, NULL,
         W_READER, 404, "not_found", NULL, NULL, "theirs", NULL},
        {__LINE__, "GET the list", "GET", "/api/groups", NULL, NULL, NULL, W_READER, 200, NULL,
         NULL, NULL, NULL, NULL},
        {__LINE__, "OPTIONS one", "OPTIONS", "/api/groups/fixed", NULL, NULL, NULL, W_NONE, 204,
         NULL, NULL, "Allow: " ITEM_ALLOW, NULL, NULL},
        {__LINE__, "OPTIONS the collection", "OPTIONS", "/api/groups", NULL, NULL, NULL, W_NONE,
         204, NULL, NULL, "Allow: " COLL_ALLOW, NULL, NULL},
        {__LINE__, "no such path", "GET", "/api/groups/a/b", NULL, NULL, NULL, W_READER, 404,
         "not_found", NULL, NULL, NULL, NULL},
        /* authentication and scopes */
        {__LINE__, "no token", "GET", "/api/groups", NULL, NULL, NULL, W_NONE, 401, "invalid_token",
         NULL, NULL, NULL, NULL},
        {__LINE__, "users token reads no groups", "GET", "/api/groups", NULL, NULL, NULL, W_USERS,
         403, "insufficient_scope", NULL, NULL, NULL, NULL},
        {__LINE__, "reader cannot create", "POST", "/api/groups", AJ,
         "{\"id\":\"r1\",\"name\":\"R\"}", NULL, W_READER, 403, "insufficient_scope", NULL, NULL,
         NULL, "r1"},
        {__LINE__, "device-app token", "DELETE", "/api/groups/fixed", NULL, NULL, NULL, W_NOBODY,
         403, "insufficient_scope", NULL, NULL, "fixed", NULL},
        /* 405 */
        {__LINE__, "PATCH the collection", "PATCH", "/api/groups", JP, "[]", NULL, W_WRITER, 405,
         "method_not_allowed", NULL, "Allow: " COLL_ALLOW, NULL, NULL},
        {__LINE__, "POST on one", "POST", "/api/groups/fixed", AJ, "{}", NULL, W_WRITER, 405,
         "method_not_allowed", NULL, "Allow: " ITEM_ALLOW, NULL, NULL},
        /* create */
        {__LINE__, "create", "POST", "/api/groups", AJ,
         "{\"id\":\"c1\",\"name\":\"Created\",\"privileges\":[\"read\"]}", NULL, W_WRITER, 201,
         NULL, NULL, "Location: /api/groups/c1", "c1", NULL},
        {__LINE__, "create an id that exists", "POST", "/api/groups", AJ,
         "{\"id\":\"fixed\",\"name\":\"Again\"}", NULL, W_WRITER, 409, "conflict", "id", NULL, NULL,
         NULL},
        {__LINE__, "create the id another tenant has", "POST", "/api/groups", AJ,
         "{\"id\":\"fixed\",\"name\":\"Theirs too\"}", NULL, W_OUTSIDER, 201, NULL, NULL, NULL,
         "fixed", NULL},
        {__LINE__, "create without id", "POST", "/api/groups", AJ, "{\"name\":\"No id\"}", NULL,
         W_WRITER, 422, "validation_failed", "id", NULL, NULL, NULL},
        {__LINE__, "create with a bad id", "POST", "/api/groups", AJ,
         "{\"id\":\"Bad Id\",\"name\":\"x\"}", NULL, W_WRITER, 422, "validation_failed", "id", NULL,
         NULL, "Bad Id"},
        {__LINE__, "create without name", "POST", "/api/groups", AJ, "{\"id\":\"c2\"}", NULL,
         W_WRITER, 422, "validation_failed", "name", NULL, NULL, "c2"},
        {__LINE__, "create setting users", "POST", "/api/groups", AJ,
         "{\"id\":\"c3\",\"name\":\"x\",\"users\":4}", NULL, W_WRITER, 422, "validation_failed",
         "users", NULL, NULL, "c3"},
        {__LINE__, "create with an unknown field", "POST", "/api/groups", AJ,
         "{\"id\":\"c4\",\"name\":\"x\",\"colour\":\"red\"}", NULL, W_WRITER, 422,
         "validation_failed", "colour", NULL, NULL, "c4"},
        {__LINE__, "create with bad tags", "POST", "/api/groups", AJ,
         "{\"id\":\"c5\",\"name\":\"x\",\"tags\":{\"a\":1}}", NULL, W_WRITER, 422,
         "validation_failed", "tags", NULL, NULL, "c5"},
        {__LINE__, "create, wrong media type", "POST", "/api/groups", "text/plain", "{}", NULL,
         W_WRITER, 415, "unsupported_media_type", NULL, NULL, NULL, NULL},
        {__LINE__, "create, not an object", "POST", "/api/groups", AJ, "[1]", NULL, W_WRITER, 400,
         "invalid_data", NULL, NULL, NULL, NULL},
        {__LINE__, "create, not JSON", "POST", "/api/groups", AJ, "{", NULL, W_WRITER, 400,
         "invalid_json", NULL, NULL, NULL, NULL},
        /* patch */
        {__LINE__, "patch", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Patched\"}]", NULL, W_WRITER, 200,
         NULL, NULL, "ETag: \"2\"", "p1", NULL},
        {__LINE__, "patch with If-Match", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"add\",\"path\":\"/tags/k\",\"value\":\"v\"}]", "\"1\"", W_WRITER, 200, NULL,
         NULL, NULL, NULL, NULL},
        {__LINE__, "patch with a stale If-Match", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"add\",\"path\":\"/tags/k\",\"value\":\"v\"}]", "\"7\"", W_WRITER, 412,
         "precondition_failed", NULL, NULL, NULL, NULL},
        {__LINE__, "patch the id", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"replace\",\"path\":\"/id\",\"value\":\"p9\"}]", NULL, W_WRITER, 422,
         "validation_failed", "id", NULL, "p1", "p9"},
        {__LINE__, "patch the users count", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"replace\",\"path\":\"/users\",\"value\":9}]", NULL, W_WRITER, 422,
         "validation_failed", "users", NULL, NULL, NULL},
        {__LINE__, "patch removing the name", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"remove\",\"path\":\"/name\"}]", NULL, W_WRITER, 422, "validation_failed",
         "name", NULL, NULL, NULL},
        {__LINE__, "merge patch", "PATCH", "/api/groups/p1", MP,
         "{\"name\":\"Merged\",\"tags\":{\"k\":\"v\"}}", NULL, W_WRITER, 200, NULL, NULL,
         "ETag: \"2\"", "p1", NULL},
        {__LINE__, "merge patch, null on the required name", "PATCH", "/api/groups/p1", MP,
         "{\"name\":null}", NULL, W_WRITER, 422, "validation_failed", "name", NULL, NULL, NULL},
        {__LINE__, "merge patch, stale If-Match", "PATCH", "/api/groups/p1", MP, "{\"name\":\"X\"}",
         "\"7\"", W_WRITER, 412, "precondition_failed", NULL, NULL, NULL, NULL},
        {__LINE__, "merge patch, an array", "PATCH", "/api/groups/p1", MP, "[]", NULL, W_WRITER,
         400, "patch_malformed", NULL, NULL, NULL, NULL},
        {__LINE__, "patch, failed test", "PATCH", "/api/groups/p1", JP,
         "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"other\"}]", NULL, W_WRITER, 409,
         "test_failed", NULL, NULL, NULL, NULL},
        {__LINE__, "patch, malformed", "PATCH", "/api/groups/p1", JP, "[{\"op\":\"jump\"}]", NULL,
         W_WRITER, 400, "patch_malformed", NULL, NULL, NULL, NULL},
        {__LINE__, "patch another tenant's group", "PATCH", "/api/groups/theirs", JP,
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Mine\"}]", NULL, W_WRITER, 404,
         "not_found", NULL, NULL, NULL, NULL},
        {__LINE__, "put another tenant's group", "PUT", "/api/groups/theirs", AJ,
         "{\"id\":\"theirs\",\"name\":\"Mine\"}", NULL, W_WRITER, 404, "not_found", NULL, NULL,
         NULL, NULL},
        {__LINE__, "patch absent", "PATCH", "/api/groups/nope", JP,
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]", NULL, W_WRITER, 404,
         "not_found", NULL, NULL, NULL, NULL},
        /* replace */
        {__LINE__, "put", "PUT", "/api/groups/p1", AJ,
         "{\"id\":\"p1\",\"name\":\"Replaced\",\"disabled\":true}", NULL, W_WRITER, 200, NULL, NULL,
         NULL, "p1", NULL},
        {__LINE__, "put with another id", "PUT", "/api/groups/p1", AJ,
         "{\"id\":\"p2\",\"name\":\"Replaced\"}", NULL, W_WRITER, 422, "validation_failed", "id",
         NULL, "p1", "p2"},
        {__LINE__, "put without name", "PUT", "/api/groups/p1", AJ, "{\"id\":\"p1\"}", NULL,
         W_WRITER, 422, "validation_failed", "name", NULL, NULL, NULL},
        /* delete */
        {__LINE__, "delete another tenant's group", "DELETE", "/api/groups/theirs", NULL, NULL,
         NULL, W_WRITER, 404, "not_found", NULL, NULL, "theirs", NULL},
        {__LINE__, "delete with a stale If-Match", "DELETE", "/api/groups/d1", NULL, NULL, "\"5\"",
         W_WRITER, 412, "precondition_failed", NULL, NULL, "d1", NULL},
        {__LINE__, "delete", "DELETE", "/api/groups/d1", NULL, NULL, NULL, W_WRITER, 204, NULL,
         NULL, NULL, NULL, "d1"},
};

START_TEST(test_statuses)
{
	const struct status_case *c = &status_cases[_i];
	struct up_response resp;
	cJSON *json = NULL;
	const cJSON *code;

	make_group("acme", "p1", "To patch");
	make_group("acme", "d1", "To delete");
	tu_exec(&fx.env, "DELETE FROM user_groups WHERE group_key IN ('c1', 'p2', 'p9')", NULL,
	        NULL, NULL);
	tu_exec(&fx.env,
	        "DELETE g FROM user_groups g JOIN tenants t ON t.id = g.tenant_id WHERE "
	        "t.name = 'globex' AND g.group_key = 'fixed'",
	        NULL, NULL, NULL);
	tu_exec(&fx.env,
	        "UPDATE user_groups SET version = 1, name = 'To patch', tags = '{}' WHERE "
	        "group_key = 'p1'",
	        NULL, NULL, NULL);
	call(up_groups_handle, c->method, c->uri, c->who, c->ctype, c->body, c->if_match, &resp,
	     &json);
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d, body %s", c->line,
	              c->desc, resp.status, resp.body != NULL ? resp.body : "");
	code = cJSON_GetObjectItem(json, "code");
	if (c->code != NULL)
		ck_assert_msg(cJSON_IsString(code) && strcmp(code->valuestring, c->code) == 0,
		              "line %d (%s): code %s", c->line, c->desc, resp.body);
	if (c->detail != NULL) {
		const cJSON *d;
		int seen = 0;

		cJSON_ArrayForEach(d, cJSON_GetObjectItem(json, "details"))
		{
			const cJSON *f = cJSON_GetObjectItem(d, "field");

			seen |= cJSON_IsString(f) && strcmp(f->valuestring, c->detail) == 0;
		}
		ck_assert_msg(seen, "line %d (%s): no detail for %s in %s", c->line, c->desc,
		              c->detail, resp.body);
	}
	if (c->header != NULL) {
		char name[32];
		const char *colon = strchr(c->header, ':'), *v;

		snprintf(name, sizeof(name), "%.*s", (int)(colon - c->header), c->header);
		v = tu_header(&resp, name);
		ck_assert_msg(v != NULL && strcmp(v, colon + 2) == 0, "line %d (%s): %s is %s",
		              c->line, c->desc, name, v != NULL ? v : "absent");
	}
	if (resp.status < 300 && resp.status != 204 && strcmp(c->method, "HEAD") != 0)
		ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItem(json, "success")), "line %d (%s)",
		              c->line, c->desc);
	if (c->exists != NULL)
		ck_assert_msg(count_groups(c->exists) >= 1, "line %d (%s): %s is gone", c->line,
		              c->desc, c->exists);
	if (c->absent != NULL)
		ck_assert_msg(count_groups(c->absent) == 0, "line %d (%s): %s exists", c->line,
		              c->desc, c->absent);
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* The whole life of a group: representation, ETag, versions and one audit row per change. */
START_TEST(test_lifecycle)
{
	struct up_response resp;
	cJSON *json = NULL;
	const char *body = "{\"id\":\"life\",\"name\":\"Life\",\"description\":\"d\","
	                   "\"privileges\":[\"read\",\"write\"],\"tags\":{\"a\":\"b\"}}";

	ck_assert_int_eq(call(up_groups_handle, "POST", "/api/groups", W_WRITER, AJ, body, NULL,
	                      &resp, &json),
	                 201);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"1\"");
	ck_assert_str_eq(cJSON_GetObjectItem(json, "id")->valuestring, "life");
	ck_assert_int_eq(cJSON_GetObjectItem(json, "users")->valueint, 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(json, "disabled")));
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(json, "creation")));
	ck_assert_ptr_null(cJSON_GetObjectItem(json, "version"));
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(audits("life"), 1);

	/* The answer of a write equals a GET right after it. */
	ck_assert_int_eq(call(up_groups_handle, "PATCH", "/api/groups/life", W_WRITER, JP,
	                      "[{\"op\":\"remove\",\"path\":\"/privileges/0\"},"
	                      "{\"op\":\"replace\",\"path\":\"/description\",\"value\":null}]",
	                      "\"1\"", &resp, &json),
	                 200);
	{
		struct up_response r2;
		cJSON *j2 = NULL;

		ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups/life", W_READER, NULL,
		                      NULL, NULL, &r2, &j2),
		                 200);
		/* (apart from the usage counters, which are the tokens') */
		cJSON_DeleteItemFromObject(json, "apiUsage");
		cJSON_DeleteItemFromObject(json, "apiDailyUsage");
		cJSON_DeleteItemFromObject(j2, "apiUsage");
		cJSON_DeleteItemFromObject(j2, "apiDailyUsage");
		ck_assert_msg(cJSON_Compare(json, j2, 1), "%s vs %s", resp.body, r2.body);
		ck_assert_str_eq(tu_header(&r2, "ETag"), "\"2\"");
		cJSON_Delete(j2);
		up_response_free(&r2);
	}
	ck_assert_str_eq(
	        cJSON_GetArrayItem(cJSON_GetObjectItem(json, "privileges"), 0)->valuestring,
	        "write");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(json, "description")));
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(audits("life"), 2);
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM audit_log WHERE resource_key = 'life' "
	                               "AND action = 'update' AND changed_fields = "
	                               "'[\"description\",\"privileges\"]'",
	                               NULL, NULL, NULL),
	                 1);

	/* No change: no new version, no audit row. */
	ck_assert_int_eq(call(up_groups_handle, "PATCH", "/api/groups/life", W_WRITER, JP,
	                      "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Life\"}]", NULL,
	                      &resp, NULL),
	                 200);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"2\"");
	up_response_free(&resp);
	ck_assert_int_eq(audits("life"), 2);

	/* A patch that does not apply: 409, details name the op and its path. */
	ck_assert_int_eq(call(up_groups_handle, "PATCH", "/api/groups/life", W_WRITER, JP,
	                      "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"Life\"},"
	                      "{\"op\":\"remove\",\"path\":\"/tags/none\"}]",
	                      NULL, &resp, &json),
	                 409);
	{
		const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0);

		ck_assert_int_eq(cJSON_GetObjectItem(d, "op")->valueint, 1);
		ck_assert_str_eq(cJSON_GetObjectItem(d, "path")->valuestring, "/tags/none");
		ck_assert(cJSON_IsString(cJSON_GetObjectItem(d, "reason")));
		ck_assert_ptr_null(cJSON_GetObjectItem(d, "field"));
	}
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(audits("life"), 2);

	ck_assert_int_eq(call(up_groups_handle, "DELETE", "/api/groups/life", W_WRITER, NULL, NULL,
	                      "\"2\"", &resp, NULL),
	                 204);
	up_response_free(&resp);
	ck_assert_int_eq(count_groups("life"), 0);
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM audit_log WHERE resource_key = 'life' "
	                               "AND action = 'delete' AND user_id IS NULL",
	                               NULL, NULL, NULL),
	                 1);
}
END_TEST

/* A new user of acme in group (NULL: none) through the Users API; its "usr-<n>" into id. */
static void new_user(const char *email, const char *group, int status, char *id, size_t len)
{
	struct up_response resp;
	cJSON *json = NULL;
	char body[256];

	if (group != NULL)
		snprintf(body, sizeof(body), "{\"name\":\"U\",\"email\":\"%s\",\"group\":\"%s\"}",
		         email, group);
	else
		snprintf(body, sizeof(body), "{\"name\":\"U\",\"email\":\"%s\"}", email);
	ck_assert_int_eq(
	        call(up_users_handle, "POST", "/api/users", W_USERS, AJ, body, NULL, &resp, &json),
	        status);
	if (id != NULL && status == 201)
		snprintf(id, len, "%s", cJSON_GetObjectItem(json, "id")->valuestring);
	cJSON_Delete(json);
	up_response_free(&resp);
}

static int group_users(const char *key)
{
	struct up_response resp;
	cJSON *json = NULL;
	char uri[96];
	int n;

	snprintf(uri, sizeof(uri), "/api/groups/%s", key);
	ck_assert_int_eq(
	        call(up_groups_handle, "GET", uri, W_READER, NULL, NULL, NULL, &resp, &json), 200);
	n = cJSON_GetObjectItem(json, "users")->valueint;
	cJSON_Delete(json);
	up_response_free(&resp);
	return n;
}

/* Reference check from the users side, the users count, and group_in_use. */
START_TEST(test_reference_and_in_use)
{
	struct up_response resp;
	cJSON *json = NULL, *d;
	char id[32], uri[64];

	make_group("acme", "sales", "Sales");
	tu_exec(&fx.env, "DELETE FROM users WHERE email LIKE 'ref%@example.com'", NULL, NULL, NULL);
	new_user("ref1@example.com", "nosuch", 422, NULL, 0);
	new_user("ref2@example.com", "theirs", 422, NULL, 0); /* a group of another tenant */
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM users WHERE email LIKE 'ref%'", NULL,
	                               NULL, NULL),
	                 0);
	new_user("ref3@example.com", "sales", 201, id, sizeof(id));
	new_user("ref4@example.com", "sales", 201, NULL, 0);
	ck_assert_int_eq(group_users("sales"), 2);

	/* The detail names the field and says why. */
	snprintf(uri, sizeof(uri), "/api/users/%s", id);
	ck_assert_int_eq(call(up_users_handle, "PATCH", uri, W_USERS, JP,
	                      "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"nosuch\"}]",
	                      NULL, &resp, &json),
	                 422);
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(d, "field")->valuestring, "group");
	ck_assert_str_eq(cJSON_GetObjectItem(d, "reason")->valuestring, "no such group");
	cJSON_Delete(json);
	up_response_free(&resp);

	/* DELETE of a group with users: 409 group_in_use with the count; nothing changes. */
	ck_assert_int_eq(call(up_groups_handle, "DELETE", "/api/groups/sales", W_WRITER, NULL, NULL,
	                      NULL, &resp, &json),
	                 409);
	ck_assert_str_eq(cJSON_GetObjectItem(json, "code")->valuestring, "group_in_use");
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(d, "count")->valueint, 2);
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(count_groups("sales"), 1);
	ck_assert_int_eq(audits("sales"), 0);

	/* Moving one user out: the count follows; null is always allowed. */
	ck_assert_int_eq(call(up_users_handle, "PATCH", uri, W_USERS, JP,
	                      "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":null}]", NULL,
	                      &resp, NULL),
	                 200);
	up_response_free(&resp);
	ck_assert_int_eq(group_users("sales"), 1);
	tu_exec(&fx.env, "DELETE FROM users WHERE email = 'ref4@example.com'", NULL, NULL, NULL);
	ck_assert_int_eq(group_users("sales"), 0);
	/* A device that names the group keeps it too (the Devices API's group). */
	tu_exec(&fx.env,
	        "INSERT INTO devices (tenant_id, name, device_group) SELECT id, 'in sales', "
	        "'sales' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
	ck_assert_int_eq(call(up_groups_handle, "DELETE", "/api/groups/sales", W_WRITER, NULL, NULL,
	                      NULL, &resp, &json),
	                 409);
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "details"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(d, "field")->valuestring, "devices");
	ck_assert_int_eq(cJSON_GetObjectItem(d, "count")->valueint, 1);
	cJSON_Delete(json);
	up_response_free(&resp);
	tu_exec(&fx.env, "DELETE FROM devices WHERE device_group = 'sales'", NULL, NULL, NULL);
	ck_assert_int_eq(call(up_groups_handle, "DELETE", "/api/groups/sales", W_WRITER, NULL, NULL,
	                      NULL, &resp, NULL),
	                 204);
	up_response_free(&resp);
	/* And a deleted group can no longer be named. */
	new_user("ref5@example.com", "sales", 422, NULL, 0);
}
END_TEST

/* The list: paging by offset and cursor, the name filter, only the caller's tenant. */
START_TEST(test_list)
{
	struct up_response resp;
	cJSON *json = NULL;
	const cJSON *items, *next;
	char key[16], q[128];
	int i, seen = 0;

	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "l%d", i);
		make_group("acme", key, i % 2 == 0 ? "Even" : "Odd");
	}
	make_group("globex", "l9", "Even");
	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups?name=Even&count=exact",
	                      W_READER, NULL, NULL, NULL, &resp, &json),
	                 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "total")->valueint, 3);
	cJSON_Delete(json);
	up_response_free(&resp);

	snprintf(q, sizeof(q), "/api/groups?name=Even&limit=2");
	while (1) {
		ck_assert_int_eq(
		        call(up_groups_handle, "GET", q, W_READER, NULL, NULL, NULL, &resp, &json),
		        200);
		items = cJSON_GetObjectItem(json, "groups");
		seen += cJSON_GetArraySize(items);
		ck_assert_int_le(cJSON_GetArraySize(items), 2);
		next = cJSON_GetObjectItem(json, "nextCursor");
		if (next == NULL) {
			cJSON_Delete(json);
			up_response_free(&resp);
			break;
		}
		snprintf(q, sizeof(q), "/api/groups?name=Even&limit=2&cursor=%s",
		         next->valuestring);
		cJSON_Delete(json);
		up_response_free(&resp);
	}
	ck_assert_int_eq(seen, 3);

	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups?name=Odd&offset=1", W_READER,
	                      NULL, NULL, NULL, &resp, &json),
	                 200);
	items = cJSON_GetObjectItem(json, "groups");
	ck_assert_int_eq(cJSON_GetArraySize(items), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "id")->valuestring,
	                 "l3");
	cJSON_Delete(json);
	up_response_free(&resp);

	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups?name=Even&count=exact",
	                      W_OUTSIDER, NULL, NULL, NULL, &resp, &json),
	                 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "total")->valueint, 1);
	cJSON_Delete(json);
	up_response_free(&resp);

	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups?colour=red", W_READER, NULL,
	                      NULL, NULL, &resp, NULL),
	                 400);
	up_response_free(&resp);
	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups?limit=0", W_READER, NULL, NULL,
	                      NULL, &resp, NULL),
	                 400);
	up_response_free(&resp);
}
END_TEST

#define ROUNDS 20

/* Worker w: ROUNDS requests alternating as described by kind; exit status = failures. */
static void worker(int kind, int w, const char *arg)
{
	struct tu_env env;
	int i, failed = 0;

	tu_env_open(&env);
	env_now = &env;
	for (i = 0; i < ROUNDS; i++) {
		struct up_response resp;
		char body[160];
		int st;

		if (kind == 0) { /* patch the same group */
			snprintf(body, sizeof(body),
			         "[{\"op\":\"add\",\"path\":\"/privileges/"
			         "-\",\"value\":\"w%c_%c%c\"}]",
			         'a' + w, 'a' + i / 26, 'a' + i % 26);
			st = call(up_groups_handle, "PATCH", "/api/groups/conc", W_WRITER, JP, body,
			          NULL, &resp, NULL);
			failed += st != 200;
		} else { /* move user arg between groups ga and gb */
			snprintf(body, sizeof(body),
			         "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"%s\"}]",
			         (i + w) % 2 == 0 ? "ga" : "gb");
			st = call(up_users_handle, "PATCH", arg, W_USERS, JP, body, NULL, &resp,
			          NULL);
			failed += st != 200;
		}
		if (st != 200)
			fprintf(stderr, "worker %d round %d: %d %s\n", w, i, st,
			        resp.body != NULL ? resp.body : "");
		up_response_free(&resp);
	}
	tu_env_close(&env);
	_exit(failed > 100 ? 100 : failed);
}

static void run_workers(int kind, int n, char uris[][64])
{
	pid_t pids[8];
	int w;

	for (w = 0; w < n; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0)
			worker(kind, w, uris != NULL ? uris[w] : NULL);
	}
	for (w = 0; w < n; w++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[w], &st, 0), pids[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d: status %d", w, st);
	}
}

/* Concurrent patches of one group lose nothing; concurrent user moves keep counts right. */
START_TEST(test_concurrency)
{
	struct up_response resp;
	cJSON *json = NULL;
	char uris[4][64], email[64];
	int w, a, b;

	make_group("acme", "conc", "Concurrent");
	run_workers(0, 3, NULL);
	ck_assert_int_eq(call(up_groups_handle, "GET", "/api/groups/conc", W_READER, NULL, NULL,
	                      NULL, &resp, &json),
	                 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(json, "privileges")), 3 * ROUNDS);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"61\"");
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(audits("conc"), 3 * ROUNDS);

	make_group("acme", "ga", "A");
	make_group("acme", "gb", "B");
	tu_exec(&fx.env, "DELETE FROM users WHERE email LIKE 'mover%@example.com'", NULL, NULL,
	        NULL);
	for (w = 0; w < 4; w++) {
		char id[32];

		snprintf(email, sizeof(email), "mover%d@example.com", w);
		new_user(email, "ga", 201, id, sizeof(id));
		snprintf(uris[w], sizeof(uris[w]), "/api/users/%s", id);
	}
	run_workers(1, 4, uris);
	a = group_users("ga");
	b = group_users("gb");
	ck_assert_int_eq(a + b, 4);
	ck_assert_int_eq(a, (int)tu_scalar_int(&fx.env,
	                                       "SELECT COUNT(*) FROM users WHERE user_group = 'ga'",
	                                       NULL, NULL, NULL));
}
END_TEST

/* A DELETE racing user writes that name the group: never a user left in a deleted group. */
START_TEST(test_delete_races_user_writes)
{
	struct up_response resp;
	char uris[4][64], email[64];
	int w, round, deleted = 0;

	for (round = 0; round < 5 && !deleted; round++) {
		pid_t pid;
		int st;

		make_group("acme", "ga", "A");
		make_group("acme", "gb", "B");
		tu_exec(&fx.env, "DELETE FROM users WHERE email LIKE 'racer%@example.com'", NULL,
		        NULL, NULL);
		for (w = 0; w < 2; w++) {
			char id[32];

			snprintf(email, sizeof(email), "racer%d@example.com", w);
			new_user(email, NULL, 201, id, sizeof(id));
			snprintf(uris[w], sizeof(uris[w]), "/api/users/%s", id);
		}
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct tu_env env;
			int i, st2;

			tu_env_open(&env);
			env_now = &env;
			for (i = 0; i < ROUNDS; i++) {
				st2 = call(up_users_handle, "PATCH", uris[i % 2], W_USERS, JP,
				           "[{\"op\":\"replace\",\"path\":\"/"
				           "group\",\"value\":\"gb\"}]",
				           NULL, &resp, NULL);
				up_response_free(&resp);
				if (st2 != 200 && st2 != 422) {
					fprintf(stderr, "user PATCH racing DELETE: %d\n", st2);
					_exit(1);
				}
			}
			_exit(0);
		}
		for (w = 0; w < 10; w++) {
			int s = call(up_groups_handle, "DELETE", "/api/groups/gb", W_WRITER, NULL,
			             NULL, NULL, &resp, NULL);

			up_response_free(&resp);
			ck_assert_msg(s == 204 || s == 409 || s == 404, "DELETE answered %d", s);
			deleted |= s == 204;
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		/* The invariant: every user's group exists in its tenant. */
		ck_assert_int_eq(
		        tu_scalar_int(&fx.env,
		                      "SELECT COUNT(*) FROM users u WHERE u.user_group IS "
		                      "NOT NULL AND NOT EXISTS (SELECT 1 FROM user_groups g "
		                      "WHERE g.tenant_id = u.tenant_id AND g.group_key = "
		                      "u.user_group)",
		                      NULL, NULL, NULL),
		        0);
	}
}
END_TEST

/*
 * The ordering the DELETE relies on, step by step: a user write that named
 * the group and has not committed yet makes the DELETE wait; once it
 * commits, the DELETE sees its user and answers 409.
 */
START_TEST(test_delete_waits_for_user_write)
{
	struct tu_env other;
	struct up_response resp;
	cJSON *json = NULL;
	char id[32], num[32];
	pid_t pid;
	int st;

	make_group("acme", "waited", "Waited");
	tu_exec(&fx.env, "DELETE FROM users WHERE email = 'waiter@example.com'", NULL, NULL, NULL);
	new_user("waiter@example.com", NULL, 201, id, sizeof(id));
	snprintf(num, sizeof(num), "%s", id + 4);
	/* What the users pipeline does for PATCH /group, left uncommitted. */
	tu_env_open(&other);
	tu_exec(&other, "START TRANSACTION", NULL, NULL, NULL);
	free(tu_scalar(&other, "SELECT id FROM users WHERE id = ? FOR UPDATE", num, NULL, NULL));
	free(tu_scalar(&other,
	               "SELECT g.id FROM user_groups g JOIN tenants t ON t.id = g.tenant_id WHERE "
	               "t.name = 'acme' AND g.group_key = 'waited' LOCK IN SHARE MODE",
	               NULL, NULL, NULL));
	tu_exec(&other, "UPDATE users SET user_group = 'waited' WHERE id = ?", num, NULL, NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The uncommitted write commits while the DELETE waits for the group's row. */
		usleep(500000);
		tu_exec(&other, "COMMIT", NULL, NULL, NULL);
		_exit(0);
	}
	ck_assert_int_eq(call(up_groups_handle, "DELETE", "/api/groups/waited", W_WRITER, NULL,
	                      NULL, NULL, &resp, &json),
	                 409);
	ck_assert_str_eq(cJSON_GetObjectItem(json, "code")->valuestring, "group_in_use");
	cJSON_Delete(json);
	up_response_free(&resp);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(count_groups("waited"), 1);
	tu_env_close(&other);
}
END_TEST

struct cost_case {
	int line;
	const char *desc;
	int users; /* 1: the Users API */
	const char *method, *uri, *ctype, *body;
	int status;
	unsigned long statements, commits; /* exact, when no usage write is due */
	unsigned long waits; /* round trips: answers read together (up_db_exec_later) count once */
};

/*
 * Each case runs twice (warm, then measured): bodies that change something both times.  The
 * usage flush before each turns autocommit back on, so each write turns it off again.
 */
static const struct cost_case cost_cases[] = {
        {__LINE__, "GET a group: one SELECT (its users counted in it)", 0, "GET",
         "/api/groups/cost1", NULL, NULL, 200, 1, 0, 1},
        {__LINE__,
         "PATCH a group: autocommit off with the lock, then the UPDATE, the audit row with its "
         "event and the COMMIT in one",
         0, "PATCH", "/api/groups/cost1", JP,
         "[{\"op\":\"add\",\"path\":\"/tags/@\",\"value\":\"x\"}]", 200, 3, 1, 2},
        {__LINE__,
         "POST a group: autocommit off with the INSERT ... RETURNING, then the audit row with "
         "its event (it names the new row) and the COMMIT in one",
         0, "POST", "/api/groups", AJ, "{\"id\":\"cost-@\",\"name\":\"C\"}", 201, 3, 1, 2},
        {__LINE__,
         "DELETE a group: autocommit off with the lock, two counts, the DELETE, then the audit "
         "row with its event and the COMMIT in one",
         0, "DELETE", "/api/groups/cost-@", NULL, NULL, 204, 6, 1, 5},
        {__LINE__,
         "a user's group: autocommit off with the lock, group check, then the UPDATE, the audit "
         "row with its event and the COMMIT in one",
         1, "PATCH", NULL, JP, "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"cost@\"}]",
         200, 4, 1, 3},
};

/* s with each '@' replaced by the round's letter, into buf. */
static const char *at_round(const char *s, int round, char *buf, size_t len)
{
	size_t i;

	if (s == NULL)
		return NULL;
	snprintf(buf, len, "%s", s);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '@')
			buf[i] = (char)('1' + round);
	return buf;
}

/* What one request costs the database (statements sent, COMMITs), as the db layer counts. */
START_TEST(test_cost)
{
	const struct cost_case *c = &cost_cases[_i];
	struct up_response resp;
	char uri[96], id[32], email[64];
	unsigned long s0 = 0, c0 = 0, s1 = 0, c1 = 0, w0 = 0, w1 = 0;
	int round;

	make_group("acme", "cost1", "Cost");
	make_group("acme", "cost2", "Cost");
	if (strcmp(c->method, "POST") == 0) {
		tu_exec(&fx.env, "DELETE FROM user_groups WHERE group_key IN ('cost-1', 'cost-2')",
		        NULL, NULL, NULL);
	} else {
		make_group("acme", "cost-1", "Cost");
		make_group("acme", "cost-2", "Cost");
	}
	snprintf(email, sizeof(email), "cost%d@example.com", c->line);
	tu_exec(&fx.env, "DELETE FROM users WHERE email = ?", email, NULL, NULL);
	new_user(email, NULL, 201, id, sizeof(id));
	for (round = 0; round < 2; round++) {
		char b[256];

		if (c->users)
			snprintf(uri, sizeof(uri), "/api/users/%s", id);
		else
			at_round(c->uri, round, uri, sizeof(uri));
		ck_assert_int_eq(up_usage_flush_now(fx.env.db), UP_OK);
		up_db_stats(fx.env.db, &s0, &c0);
		w0 = up_db_waits(fx.env.db);
		call(c->users ? up_users_handle : up_groups_handle, c->method, uri,
		     c->users ? W_USERS : W_WRITER, c->ctype,
		     at_round(c->body, round, b, sizeof(b)), NULL, &resp, NULL);
		up_db_stats(fx.env.db, &s1, &c1);
		w1 = up_db_waits(fx.env.db);
		ck_assert_msg(resp.status == c->status, "line %d (%s): status %d: %s", c->line,
		              c->desc, resp.status, resp.body != NULL ? resp.body : "");
		up_response_free(&resp);
	}
	ck_assert_msg(s1 - s0 == c->statements, "line %d (%s): %lu statements", c->line, c->desc,
	              s1 - s0);
	ck_assert_msg(c1 - c0 == c->commits, "line %d (%s): %lu commits", c->line, c->desc,
	              c1 - c0);
	ck_assert_msg(w1 - w0 == c->waits, "line %d (%s): %lu waits", c->line, c->desc, w1 - w0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("groups");
	TCase *tc = tcase_create("groups");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_statuses, 0, sizeof(status_cases) / sizeof(status_cases[0]));
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_reference_and_in_use);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_concurrency);
	tcase_add_test(tc, test_delete_races_user_writes);
	tcase_add_test(tc, test_delete_waits_for_user_write);
	tcase_add_loop_test(tc, test_cost, 0, sizeof(cost_cases) / sizeof(cost_cases[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
