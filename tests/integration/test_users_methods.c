/* SPDX-License-Identifier: ISC */
/*
 * The rest of the Users API through the handler against a private MariaDB:
 * GET (one, list), POST, PUT, DELETE, countries, timeZones, HEAD, OPTIONS,
 * 405 with Allow, and tenant isolation for every method.  Table-driven;
 * after each case the row, the user count and the audit trail are checked.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_users_util.h"
#include "users.h"

enum who { W_WRITER, W_OTHER_TENANT, W_READER, W_NONE };

/* What must hold for the database after the call. */
enum effect {
	E_NONE,   /* row, user count and audit trail unchanged */
	E_UPDATE, /* the columns of `changed` changed, version +1, one "update" audit row */
	E_CREATE, /* one more user of the tenant, one "create" audit row for it */
	E_DELETE, /* the user is gone, one "delete" audit row */
};

struct method_case {
	int line;
	const char *desc;
	const char *method;
	const char *uri;   /* @ID@: the case's user, @XID@: a user of another tenant */
	const char *ctype; /* NULL: none */
	const char *body;  /* NULL: none */
	const char *if_match;
	enum who who;
	int status;
	const char *code;  /* error code */
	const char *allow; /* 405 and OPTIONS: the Allow header */
	enum effect effect;
	const char *changed; /* E_UPDATE: columns, in table order, without version/modified_at */
	const char *details; /* 422: the fields of details, sorted */
};

#define AJ "application/json"

static const struct method_case cases[] = {
        /* GET one, HEAD, OPTIONS */
        {__LINE__, "GET a user", "GET", "/api/users/@ID@", NULL, NULL, NULL, W_READER, 200, NULL,
         NULL, E_NONE, NULL, NULL},
        {__LINE__, "HEAD a user", "HEAD", "/api/users/@ID@", NULL, NULL, NULL, W_READER, 200, NULL,
         NULL, E_NONE, NULL, NULL},
        {__LINE__, "OPTIONS a user", "OPTIONS", "/api/users/@ID@", NULL, NULL, NULL, W_NONE, 204,
         NULL, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "OPTIONS the collection", "OPTIONS", "/api/users", NULL, NULL, NULL, W_NONE, 204,
         NULL, "GET, HEAD, POST, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "GET without users:read", "GET", "/api/users/@ID@", NULL, NULL, NULL, W_NONE,
         401, "invalid_token", NULL, E_NONE, NULL, NULL},
        /* 405 */
        {__LINE__, "POST on a user", "POST", "/api/users/@ID@", AJ, "{}", NULL, W_WRITER, 405,
         "method_not_allowed", "GET, HEAD, PUT, PATCH, DELETE, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "PATCH on the collection", "PATCH", "/api/users", AJ, "[]", NULL, W_WRITER, 405,
         "method_not_allowed", "GET, HEAD, POST, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "DELETE on the collection", "DELETE", "/api/users", NULL, NULL, NULL, W_WRITER,
         405, "method_not_allowed", "GET, HEAD, POST, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "PATCH countries: not a user id", "PATCH", "/api/users/countries", AJ, "[]",
         NULL, W_WRITER, 405, "method_not_allowed", "GET, HEAD, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "DELETE timeZones: not a user id", "DELETE", "/api/users/timeZones", NULL, NULL,
         NULL, W_WRITER, 405, "method_not_allowed", "GET, HEAD, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "TRACE on a user", "TRACE", "/api/users/@ID@", NULL, NULL, NULL, W_WRITER, 405,
         "method_not_allowed", "GET, HEAD, PUT, PATCH, DELETE, OPTIONS", E_NONE, NULL, NULL},
        {__LINE__, "deeper path", "GET", "/api/users/@ID@/devices", NULL, NULL, NULL, W_READER, 404,
         "not_found", NULL, E_NONE, NULL, NULL},
        /* catalogs */
        {__LINE__, "countries", "GET", "/api/users/countries", NULL, NULL, NULL, W_READER, 200,
         NULL, NULL, E_NONE, NULL, NULL},
        {__LINE__, "time zones", "GET", "/api/users/timeZones", NULL, NULL, NULL, W_READER, 200,
         NULL, NULL, E_NONE, NULL, NULL},
        {__LINE__, "countries without a token", "GET", "/api/users/countries", NULL, NULL, NULL,
         W_NONE, 401, "invalid_token", NULL, E_NONE, NULL, NULL},
        /* list: bad parameters */
        {__LINE__, "list", "GET", "/api/users?limit=2", NULL, NULL, NULL, W_READER, 200, NULL, NULL,
         E_NONE, NULL, NULL},
        {__LINE__, "limit 0", "GET", "/api/users?limit=0", NULL, NULL, NULL, W_READER, 400,
         "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "limit 501", "GET", "/api/users?limit=501", NULL, NULL, NULL, W_READER, 400,
         "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "limit not a number", "GET", "/api/users?limit=ten", NULL, NULL, NULL, W_READER,
         400, "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "?email=%ZZ is a bad request, not an ignored filter", "GET",
         "/api/users?email=%ZZ", NULL, NULL, NULL, W_READER, 400, "bad_request", NULL, E_NONE, NULL,
         NULL},
        {__LINE__, "?limit=%zz is a bad request", "GET", "/api/users?limit=%zz", NULL, NULL, NULL,
         W_READER, 400, "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "negative offset", "GET", "/api/users?offset=-1", NULL, NULL, NULL, W_READER,
         400, "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "cursor and offset", "GET", "/api/users?cursor=usr-1&offset=2", NULL, NULL, NULL,
         W_READER, 400, "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "bad cursor", "GET", "/api/users?cursor=zzz", NULL, NULL, NULL, W_READER, 400,
         "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "disabled not a boolean", "GET", "/api/users?disabled=1", NULL, NULL, NULL,
         W_READER, 400, "bad_request", NULL, E_NONE, NULL, NULL},
        {__LINE__, "unknown parameter", "GET", "/api/users?limt=5", NULL, NULL, NULL, W_READER, 400,
         "bad_request", NULL, E_NONE, NULL, NULL},
        /* POST */
        {__LINE__, "create", "POST", "/api/users", AJ,
         "{\"name\":\"New\",\"email\":\"new@example.com\",\"country\":\"Colombia\",\"tags\":"
         "{\"vip\":\"true\"},\"privileges\":[\"read\"],\"password\":\"longenough\"}",
         NULL, W_WRITER, 201, NULL, NULL, E_CREATE, NULL, NULL},
        {__LINE__, "create with an id", "POST", "/api/users", AJ,
         "{\"id\":\"usr-5\",\"name\":\"X\"}", NULL, W_WRITER, 422, "validation_failed", NULL,
         E_NONE, NULL, "id"},
        {__LINE__, "create with broken rules", "POST", "/api/users", AJ,
         "{\"name\":\"\",\"email\":\"x\",\"country\":\"Narnia\",\"extra\":1}", NULL, W_WRITER, 422,
         "validation_failed", NULL, E_NONE, NULL, "country,email,extra,name"},
        {__LINE__, "create with a taken email", "POST", "/api/users", AJ,
         "{\"name\":\"Dup\",\"email\":\"taken@example.com\"}", NULL, W_WRITER, 422,
         "validation_failed", NULL, E_NONE, NULL, "email"},
        {__LINE__, "create with a taken email in other letter case", "POST", "/api/users", AJ,
         "{\"name\":\"Dup\",\"email\":\"TAKEN@Example.COM\"}", NULL, W_WRITER, 422,
         "validation_failed", NULL, E_NONE, NULL, "email"},
        {__LINE__, "create from an array", "POST", "/api/users", AJ, "[]", NULL, W_WRITER, 400,
         "invalid_data", NULL, E_NONE, NULL, NULL},
        {__LINE__, "create from bad JSON", "POST", "/api/users", AJ, "{\"name\":", NULL, W_WRITER,
         400, "invalid_json", NULL, E_NONE, NULL, NULL},
        {__LINE__, "create as JSON Patch", "POST", "/api/users", "application/json-patch+json",
         "{}", NULL, W_WRITER, 415, "unsupported_media_type", NULL, E_NONE, NULL, NULL},
        {__LINE__, "create without users:write", "POST", "/api/users", AJ, "{\"name\":\"R\"}", NULL,
         W_READER, 403, "insufficient_scope", NULL, E_NONE, NULL, NULL},
        /* PUT */
        {__LINE__, "replace: omitted fields reset", "PUT", "/api/users/@ID@", AJ,
         "{\"name\":\"Lin Two\",\"group\":\"ops\",\"disabled\":true}", NULL, W_WRITER, 200, NULL,
         NULL, E_UPDATE, "name,email,disabled,user_group", NULL},
        {__LINE__, "replace with read-only fields unchanged", "PUT", "/api/users/@ID@", AJ,
         "{\"id\":\"@ID@\",\"name\":\"Lin\",\"email\":\"@EMAIL@\",\"adminDevices\":3}", "\"1\"",
         W_WRITER, 200, NULL, NULL, E_UPDATE, "admin_devices", NULL},
        {__LINE__, "replace with the same document", "PUT", "/api/users/@ID@", AJ,
         "{\"name\":\"Lin\",\"email\":\"@EMAIL@\"}", NULL, W_WRITER, 200, NULL, NULL, E_UPDATE, "",
         NULL},
        {__LINE__, "replace with broken rules", "PUT", "/api/users/@ID@", AJ,
         "{\"name\":\"Lin\",\"timeZone\":\"Moon/Base\",\"privileges\":[\"A\"]}", NULL, W_WRITER,
         422, "validation_failed", NULL, E_NONE, NULL, "privileges,timeZone"},
        {__LINE__, "replace with a stale If-Match", "PUT", "/api/users/@ID@", AJ,
         "{\"name\":\"Lin\"}", "\"5\"", W_WRITER, 412, "precondition_failed", NULL, E_NONE, NULL,
         NULL},
        {__LINE__, "replace as text", "PUT", "/api/users/@ID@", "text/plain", "{}", NULL, W_WRITER,
         415, "unsupported_media_type", NULL, E_NONE, NULL, NULL},
        {__LINE__, "replace an unknown user", "PUT", "/api/users/usr-999999999", AJ,
         "{\"name\":\"Lin\"}", NULL, W_WRITER, 404, "not_found", NULL, E_NONE, NULL, NULL},
        /* DELETE */
        {__LINE__, "delete", "DELETE", "/api/users/@ID@", NULL, NULL, NULL, W_WRITER, 204, NULL,
         NULL, E_DELETE, NULL, NULL},
        {__LINE__, "delete with the current ETag", "DELETE", "/api/users/@ID@", NULL, NULL, "\"1\"",
         W_WRITER, 204, NULL, NULL, E_DELETE, NULL, NULL},
        {__LINE__, "delete with a stale ETag", "DELETE", "/api/users/@ID@", NULL, NULL, "\"2\"",
         W_WRITER, 412, "precondition_failed", NULL, E_NONE, NULL, NULL},
        {__LINE__, "delete without users:write", "DELETE", "/api/users/@ID@", NULL, NULL, NULL,
         W_READER, 403, "insufficient_scope", NULL, E_NONE, NULL, NULL},
        {__LINE__, "delete an unknown user", "DELETE", "/api/users/usr-999999999", NULL, NULL, NULL,
         W_WRITER, 404, "not_found", NULL, E_NONE, NULL, NULL},
        /* tenant isolation: every method on another tenant's user */
        {__LINE__, "other tenant: GET", "GET", "/api/users/@ID@", NULL, NULL, NULL, W_OTHER_TENANT,
         404, "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: HEAD", "HEAD", "/api/users/@ID@", NULL, NULL, NULL,
         W_OTHER_TENANT, 404, "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: PATCH", "PATCH", "/api/users/@ID@", AJ,
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"M\"}]", NULL, W_OTHER_TENANT, 404,
         "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: PATCH with If-Match *", "PATCH", "/api/users/@ID@", AJ,
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"M\"}]", "*", W_OTHER_TENANT, 404,
         "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: PUT", "PUT", "/api/users/@ID@", AJ, "{\"name\":\"M\"}", NULL,
         W_OTHER_TENANT, 404, "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: DELETE", "DELETE", "/api/users/@ID@", NULL, NULL, NULL,
         W_OTHER_TENANT, 404, "not_found", NULL, E_NONE, NULL, NULL},
        {__LINE__, "other tenant: list does not show it", "GET", "/api/users?email=@EMAIL@", NULL,
         NULL, NULL, W_OTHER_TENANT, 200, NULL, NULL, E_NONE, NULL, NULL},
};

struct fixture {
	struct tu_env env;
	uint64_t tenant, other;
	char writer[96], reader[96], outsider[96];
};

static struct fixture fx;

static void setup(void)
{
	tu_env_open(&fx.env);
	fx.tenant = tu_tenant(&fx.env, "acme");
	fx.other = tu_tenant(&fx.env, "globex");
	tu_token(&fx.env, "acme", "users:read,users:write", 0, fx.writer, NULL);
	tu_token(&fx.env, "acme", "users:read", 0, fx.reader, NULL);
	tu_token(&fx.env, "globex", "users:read,users:write", 0, fx.outsider, NULL);
	tu_exec(&fx.env,
	        "DELETE FROM users WHERE email IN ('taken@example.com', 'new@example.com')", NULL,
	        NULL, NULL);
	tuu_user(&fx.env, fx.tenant, "Taken", "taken@example.com");
	/* A user's group names a group of the tenant (Groups API): the ones the cases use. */
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) SELECT id, 'ops', "
	        "'Ops' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) SELECT id, "
	        "'administrators', 'Administrators' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
}

static void teardown(void)
{
	tu_env_close(&fx.env);
}

static void expand(const char *s, uint64_t id, const char *email, char *out, size_t len)
{
	char ids[32];
	size_t used = 0;

	snprintf(ids, sizeof(ids), "usr-%llu", (unsigned long long)id);
	while (*s != '\0' && used + 1 < len) {
		if (strncmp(s, "@ID@", 4) == 0) {
			used += (size_t)snprintf(out + used, len - used, "%s", ids);
			s += 4;
		} else if (strncmp(s, "@EMAIL@", 7) == 0) {
			used += (size_t)snprintf(out + used, len - used, "%s", email);
			s += 7;
		} else {
			out[used++] = *s++;
		}
	}
	out[used < len ? used : len - 1] = '\0';
}

static long long tenant_users(uint64_t tenant)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)tenant);
	return tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", num, NULL,
	                     NULL);
}

START_TEST(test_method_cases)
{
	const struct method_case *c = &cases[_i];
	struct tuu_snap before, after;
	struct up_response resp;
	struct tu_call call;
	char uri[128], email[64], body[2048], diff[512], want[512], action[32], *fields;
	cJSON *json = NULL;
	long long audits, users;
	uint64_t id;

	snprintf(email, sizeof(email), "lin%d@example.com", c->line);
	id = tuu_user(&fx.env, fx.tenant, "Lin", email);
	tuu_snap(&fx.env, id, &before);
	audits = tuu_audits(&fx.env, id);
	users = tenant_users(fx.tenant);
	expand(c->uri, id, email, uri, sizeof(uri));
	expand(c->body != NULL ? c->body : "", id, email, body, sizeof(body));
	memset(&call, 0, sizeof(call));
	call.method = c->method;
	call.uri = uri;
	call.auth = c->who == W_WRITER         ? fx.writer
	            : c->who == W_READER       ? fx.reader
	            : c->who == W_OTHER_TENANT ? fx.outsider
	                                       : NULL;
	call.content_type = c->ctype;
	call.body = c->body != NULL ? body : NULL;
	call.if_match = c->if_match;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d, want %d: %s", c->line,
	              c->desc, resp.status, c->status, resp.body != NULL ? resp.body : "");
	if (c->allow != NULL)
		ck_assert_str_eq(tu_header(&resp, "Allow"), c->allow);
	if (c->status >= 400) {
		const cJSON *code = cJSON_GetObjectItem(json, "code");

		ck_assert_msg(cJSON_IsString(code) && strcmp(code->valuestring, c->code) == 0,
		              "line %d (%s): %s, want code %s", c->line, c->desc, resp.body,
		              c->code);
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(json, "success")));
	} else if (c->status == 204) {
		ck_assert_ptr_null(json);
	} else {
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(json, "success")));
		ck_assert_ptr_null(strstr(resp.body, "password"));
		ck_assert_ptr_null(strstr(resp.body, "longenough"));
	}
	if (c->details != NULL) {
		tuu_detail_fields(json, want, sizeof(want));
		ck_assert_msg(strcmp(want, c->details) == 0,
		              "line %d (%s): details [%s], want [%s]", c->line, c->desc, want,
		              c->details);
	}
	switch (c->effect) {
	case E_NONE:
		tuu_snap(&fx.env, id, &after);
		tuu_diff(&before, &after, diff, sizeof(diff));
		ck_assert_msg(diff[0] == '\0', "line %d (%s): changed %s", c->line, c->desc, diff);
		ck_assert_int_eq(tuu_audits(&fx.env, id), audits);
		ck_assert_int_eq(tenant_users(fx.tenant), users);
		tuu_snap_free(&after);
		break;
	case E_UPDATE:
		tuu_snap(&fx.env, id, &after);
		tuu_diff(&before, &after, diff, sizeof(diff));
		snprintf(want, sizeof(want), "%s%s", c->changed,
		         c->changed[0] != '\0' ? ",version,modified_at" : "");
		ck_assert_msg(strcmp(diff, want) == 0, "line %d (%s): changed [%s], want [%s]",
		              c->line, c->desc, diff, want);
		ck_assert_int_eq(tuu_audits(&fx.env, id), audits + (c->changed[0] != '\0'));
		snprintf(want, sizeof(want), "\"%s\"", after.col[25]);
		ck_assert_str_eq(tu_header(&resp, "ETag"), want);
		tuu_snap_free(&after);
		break;
	case E_CREATE: {
		const cJSON *nid = cJSON_GetObjectItem(json, "id");
		uint64_t created = 0;

		ck_assert_int_eq(tenant_users(fx.tenant), users + 1);
		ck_assert(cJSON_IsString(nid));
		created = strtoull(nid->valuestring + 4, NULL, 10);
		snprintf(want, sizeof(want), "/api/users/%s", nid->valuestring);
		ck_assert_str_eq(tu_header(&resp, "Location"), want);
		ck_assert_str_eq(tu_header(&resp, "ETag"), "\"1\"");
		ck_assert_int_eq(tuu_audits(&fx.env, created), 1);
		fields = tuu_last_audit(&fx.env, created, action, sizeof(action));
		ck_assert_str_eq(action, "create");
		ck_assert_str_eq(fields, "[\"name\",\"email\",\"country\",\"tags\",\"privileges\","
		                         "\"password\"]");
		free(fields);
		ck_assert_str_eq(cJSON_GetObjectItem(json, "country")->valuestring, "Colombia");
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(json, "disabled")));
		ck_assert_int_eq(cJSON_GetObjectItem(json, "adminDevices")->valueint, 0);
		break;
	}
	case E_DELETE:
		ck_assert(!tuu_exists(&fx.env, id));
		ck_assert_int_eq(tenant_users(fx.tenant), users - 1);
		ck_assert_int_eq(tuu_audits(&fx.env, id), audits + 1);
		fields = tuu_last_audit(&fx.env, id, action, sizeof(action));
		ck_assert_str_eq(action, "delete");
		ck_assert_str_eq(fields, "[]");
		free(fields);
		break;
	}
	tuu_snap_free(&before);
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* GET one: the representation and the ETag; HEAD the same. */
START_TEST(test_get_user)
{
	struct up_response resp;
	struct tu_call call = {"GET", NULL, fx.reader, NULL, NULL, NULL, NULL, NULL};
	char uri[64], idtext[32];
	cJSON *json = NULL;
	uint64_t id = tuu_user(&fx.env, fx.tenant, "Gus", "gus@example.com");

	tuu_uri(uri, sizeof(uri), id, NULL);
	snprintf(idtext, sizeof(idtext), "usr-%llu", (unsigned long long)id);
	call.uri = uri;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(cJSON_GetObjectItem(json, "id")->valuestring, idtext);
	ck_assert_str_eq(cJSON_GetObjectItem(json, "name")->valuestring, "Gus");
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(json, "tags")));
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(json, "privileges")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(json, "deviceId")));
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"1\"");
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(json, "apiUsage")));
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* The catalogs' content. */
START_TEST(test_catalog_content)
{
	static const struct {
		const char *uri, *key, *has;
	} cats[] = {{"/api/users/countries", "countries", "Colombia"},
	            {"/api/users/timeZones", "timeZones", "America/Bogota"}};
	size_t k;

	for (k = 0; k < 2; k++) {
		struct tu_call call = {"GET", cats[k].uri, fx.reader, NULL, NULL, NULL, NULL, NULL};
		struct up_response resp;
		const cJSON *arr, *e;
		cJSON *json = NULL;
		int found = 0;

		tu_call(&fx.env, up_users_handle, &call, &resp, &json);
		ck_assert_int_eq(resp.status, 200);
		arr = cJSON_GetObjectItem(json, cats[k].key);
		ck_assert_int_gt(cJSON_GetArraySize(arr), 200);
		cJSON_ArrayForEach(e, arr) found += strcmp(e->valuestring, cats[k].has) == 0;
		ck_assert_int_eq(found, 1);
		cJSON_Delete(json);
		up_response_free(&resp);
	}
}
END_TEST

static cJSON *list(const char *query, int want)
{
	char uri[256];
	struct tu_call call = {"GET", uri, fx.reader, NULL, NULL, NULL, NULL, NULL};
	struct up_response resp;
	cJSON *json = NULL;

	snprintf(uri, sizeof(uri), "/api/users?%s", query);
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_msg(resp.status == want, "%s: %d %s", uri, resp.status, resp.body);
	up_response_free(&resp);
	return json;
}

/* Paging, cursors and filters over a group of known users; other tenants never show. */
START_TEST(test_list_paging)
{
	uint64_t ids[7];
	char num[32];
	cJSON *page;
	const cJSON *users, *cur;
	size_t i;
	int n;

	for (i = 0; i < 7; i++) {
		char email[64];

		snprintf(email, sizeof(email), "pager%zu@example.com", i);
		ids[i] = tuu_user(&fx.env, fx.tenant, "Pager", email);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)ids[i]);
		tu_exec(&fx.env,
		        "UPDATE users SET user_group = 'pagers', disabled = ? WHERE id = ?",
		        i % 3 == 0 ? "1" : "0", num, NULL);
	}
	tuu_user(&fx.env, fx.other, "Pager", "pager-x@example.com");
	tu_exec(&fx.env,
	        "UPDATE users SET user_group = 'pagers' WHERE email = 'pager-x@example.com'", NULL,
	        NULL, NULL);

	/* offset paging */
	page = list("group=pagers&limit=3&offset=3&count=exact", 200);
	users = cJSON_GetObjectItem(page, "users");
	ck_assert_int_eq(cJSON_GetArraySize(users), 3);
	ck_assert_int_eq(cJSON_GetObjectItem(page, "total")->valueint, 7);
	ck_assert_int_eq(cJSON_GetObjectItem(page, "limit")->valueint, 3);
	ck_assert_int_eq(cJSON_GetObjectItem(page, "offset")->valueint, 3);
	snprintf(num, sizeof(num), "usr-%llu", (unsigned long long)ids[3]);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(users, 0), "id")->valuestring, num);
	cJSON_Delete(page);

	/* cursor paging walks all 7 in id order, then stops */
	page = list("group=pagers&limit=3", 200);
	for (n = 0, i = 0; page != NULL;) {
		char q[128];

		n++;
		cJSON_ArrayForEach(cur, cJSON_GetObjectItem(page, "users"))
		{
			snprintf(num, sizeof(num), "usr-%llu", (unsigned long long)ids[i++]);
			ck_assert_str_eq(cJSON_GetObjectItem(cur, "id")->valuestring, num);
		}
		cur = cJSON_GetObjectItem(page, "nextCursor");
		if (cur == NULL) {
			cJSON_Delete(page);
			break;
		}
		snprintf(q, sizeof(q), "group=pagers&limit=3&cursor=%s", cur->valuestring);
		cJSON_Delete(page);
		page = list(q, 200);
	}
	ck_assert_uint_eq(i, 7);
	ck_assert_int_eq(n, 3);

	/* filters */
	page = list("group=pagers&disabled=true", 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "users")), 3);
	ck_assert_ptr_null(cJSON_GetObjectItem(page, "nextCursor"));
	cJSON_Delete(page);
	page = list("group=pagers&disabled=false&email=pager1%40example.com", 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "users")), 1);
	cJSON_Delete(page);
	/* The email filter ignores letter case, as email uniqueness does. */
	page = list("group=pagers&disabled=false&email=PAGER1%40Example.com", 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "users")), 1);
	cJSON_Delete(page);
	page = list("group=nobody&count=exact", 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "users")), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(page, "total")->valueint, 0);
	cJSON_Delete(page);
	/* No total unless asked for: a page does not count the whole filter. */
	page = list("group=pagers&limit=3", 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(page, "total"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(page, "nextCursor"));
	cJSON_Delete(page);
	/* default limit */
	page = list("", 200);
	ck_assert_int_eq(cJSON_GetObjectItem(page, "limit")->valueint, 50);
	cJSON_Delete(page);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("users_methods");
	TCase *tc = tcase_create("methods");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_method_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_get_user);
	tcase_add_test(tc, test_catalog_content);
	tcase_add_test(tc, test_list_paging);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
