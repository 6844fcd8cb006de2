/* SPDX-License-Identifier: ISC */
/*
 * test_devices.c: the devices of the Devices API at handler level against
 * the private MariaDB of tests/harness/run-test: list, read and JSON Patch
 * (the generic family handlers over the devices table), their statuses and
 * scopes, and the one device store seen from the three APIs: a device made
 * by the device-app endpoint is listed and patchable here, an IMEI set here
 * is what the device app answers, identifier rules and per-tenant
 * uniqueness are the same, and a user's deviceId names a device of its own
 * tenant only.  JSON in the tests is written with ' for ".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "device_app.h"
#include "devices.h"
#include "groups.h"
#include "testutil.h"
#include "users.h"

struct fx {
	struct tu_env env;
	char tenant_id[24], other_id[24];
	char all[96];    /* every scope of the tenant */
	char read[96];   /* devices:read */
	char write[96];  /* devices:write */
	char report[96]; /* devices:report */
	char other[96];  /* every devices scope, another tenant */
};

static void fx_open(struct fx *fx, const char *tenant)
{
	char other[48];

	memset(fx, 0, sizeof(*fx));
	tu_env_open(&fx->env);
	snprintf(fx->tenant_id, sizeof(fx->tenant_id), "%llu",
	         (unsigned long long)tu_tenant(&fx->env, tenant));
	tu_token(&fx->env, tenant,
	         "users:read,users:write,device_app_user:write,devices:read,devices:write,"
	         "devices:report",
	         0, fx->all, NULL);
	tu_token(&fx->env, tenant, "devices:read", 0, fx->read, NULL);
	tu_token(&fx->env, tenant, "devices:write", 0, fx->write, NULL);
	tu_token(&fx->env, tenant, "devices:report", 0, fx->report, NULL);
	snprintf(other, sizeof(other), "%s-other", tenant);
	snprintf(fx->other_id, sizeof(fx->other_id), "%llu",
	         (unsigned long long)tu_tenant(&fx->env, other));
	tu_token(&fx->env, other, "devices:read,devices:write,devices:report", 0, fx->other, NULL);
	/* A group of each tenant. */
	tu_exec(&fx->env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) VALUES (?, 'fleet', "
	        "'Fleet')",
	        fx->tenant_id, NULL, NULL);
	tu_exec(&fx->env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) VALUES (?, 'theirs', "
	        "'Theirs')",
	        fx->other_id, NULL, NULL);
}

static void fx_close(struct fx *fx)
{
	tu_env_close(&fx->env);
}

/* A device row of tenant (id as text) with an optional name; its public id into out[32]. */
static void make_device(struct fx *fx, const char *tenant_id, const char *name, char *out)
{
	char *id;

	if (name != NULL)
		tu_exec(&fx->env, "INSERT INTO devices (tenant_id, name) VALUES (?, ?)", tenant_id,
		        name, NULL);
	else
		tu_exec(&fx->env, "INSERT INTO devices (tenant_id) VALUES (?)", tenant_id, NULL,
		        NULL);
	id = tu_scalar(&fx->env, "SELECT MAX(id) FROM devices WHERE tenant_id = ?", tenant_id, NULL,
	               NULL);
	ck_assert_ptr_nonnull(id);
	snprintf(out, 32, "dev-%s", id);
	free(id);
}

/* One request through handler; returns the status; *json the body, *etag (may be NULL) copied. */
static int call_h(struct fx *fx, up_handler_fn h, const char *method, const char *uri,
                  const char *auth, const char *ctype, const char *body, const char *if_match,
                  cJSON **json, char *etag)
{
	struct up_response resp;
	char *b = body != NULL ? tu_q(body) : NULL;
	struct tu_call c = {method, uri, auth, ctype, b, if_match, NULL, NULL};
	int status;

	tu_call(&fx->env, h, &c, &resp, json);
	status = resp.status;
	if (etag != NULL)
		snprintf(etag, 32, "%s", tu_header(&resp, "ETag") ? tu_header(&resp, "ETag") : "");
	up_response_free(&resp);
	free(b);
	return status;
}

static int get(struct fx *fx, const char *uri, const char *auth, cJSON **json)
{
	return call_h(fx, up_devices_handle, "GET", uri, auth, NULL, NULL, NULL, json, NULL);
}

static int patch(struct fx *fx, const char *dev, const char *auth, const char *body, cJSON **json)
{
	char uri[64];

	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	return call_h(fx, up_devices_handle, "PATCH", uri, auth, "application/json-patch+json",
	              body, NULL, json, NULL);
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void expect_str(const cJSON *o, const char *name, const char *want)
{
	const char *got = str(o, name);

	ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s is %s, expected %s", name,
	              got != NULL ? got : "(not a string)", want);
}

/* The first detail's field of an error body. */
static const char *detail_field(const cJSON *j)
{
	return str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "details"), 0), "field");
}

/* The first detail's reason of an error body ("" if none). */
static const char *detail_reason(const cJSON *j)
{
	const char *r = str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "details"), 0),
	                    "reason");

	return r != NULL ? r : "";
}

START_TEST(test_get_and_list)
{
	struct fx fx;
	char a[32], b[32], c[32], x[32], uri[96];
	cJSON *j = NULL, *items;

	fx_open(&fx, "dev-read");
	make_device(&fx, fx.tenant_id, "Van 1", a);
	make_device(&fx, fx.tenant_id, "Van 2", b);
	make_device(&fx, fx.tenant_id, NULL, c);
	make_device(&fx, fx.other_id, "Theirs", x);
	tu_exec(&fx.env, "UPDATE devices SET disabled = 1 WHERE id = ?", c + 4, NULL, NULL);
	snprintf(uri, sizeof(uri), "/api/devices/%s", a);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 200);
	expect_str(j, "id", a);
	expect_str(j, "name", "Van 1");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "imei")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "lastUpdate")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "disabled")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "tags")), 0);
	ck_assert_ptr_nonnull(str(j, "creation"));
	cJSON_Delete(j);
	/* The list: the tenant's devices only, by id, paged. */
	ck_assert_int_eq(get(&fx, "/api/devices?limit=2&count=exact", fx.read, &j), 200);
	items = cJSON_GetObjectItemCaseSensitive(j, "devices");
	ck_assert_int_eq(cJSON_GetArraySize(items), 2);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "total")->valueint, 3);
	expect_str(cJSON_GetArrayItem(items, 0), "id", a);
	expect_str(j, "nextCursor", b);
	cJSON_Delete(j);
	snprintf(uri, sizeof(uri), "/api/devices?cursor=%s", b);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 200);
	items = cJSON_GetObjectItemCaseSensitive(j, "devices");
	ck_assert_int_eq(cJSON_GetArraySize(items), 1);
	expect_str(cJSON_GetArrayItem(items, 0), "id", c);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, "/api/devices?disabled=true&count=exact", fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "total")->valueint, 1);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, "/api/devices?color=red", fx.read, &j), 400);
	cJSON_Delete(j);
	/* Another tenant's device is not found, like an unknown one. */
	snprintf(uri, sizeof(uri), "/api/devices/%s", x);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 404);
	expect_str(j, "code", "not_found");
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, "/api/devices/dev-0", fx.read, &j), 404);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, "/api/devices/usr-1", fx.read, &j), 404);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

struct patch_case {
	int line;
	const char *desc;
	const char *patch;
	int strict; /* device_validation = strict */
	int status;
	const char *field; /* first detail's field (422), or NULL */
};

static const struct patch_case patch_cases[] = {
        {__LINE__, "name", "[{'op': 'replace', 'path': '/name', 'value': 'Van 12'}]", 0, 200, NULL},
        {__LINE__, "every writable field",
         "[{'op': 'replace', 'path': '/imei', 'value': '490154203237518'},"
         " {'op': 'replace', 'path': '/imsi', 'value': '310120123456789'},"
         " {'op': 'replace', 'path': '/iccid', 'value': '89148000001234567898'},"
         " {'op': 'replace', 'path': '/phoneNumber', 'value': '+14155550100'},"
         " {'op': 'replace', 'path': '/model', 'value': 'GT06N'},"
         " {'op': 'replace', 'path': '/protocol', 'value': 'gt06'},"
         " {'op': 'replace', 'path': '/group', 'value': 'fleet'},"
         " {'op': 'replace', 'path': '/disabled', 'value': true},"
         " {'op': 'add', 'path': '/tags/plate', 'value': 'B-AB 123'}]",
         1, 200, NULL},
        {__LINE__, "the seed IMEI passes the format mode",
         "[{'op': 'replace', 'path': '/imei', 'value': '123456789012345'}]", 0, 200, NULL},
        {__LINE__, "the seed IMEI fails the strict mode (Luhn)",
         "[{'op': 'replace', 'path': '/imei', 'value': '123456789012345'}]", 1, 422, "imei"},
        {__LINE__, "IMEI of 14 digits",
         "[{'op': 'replace', 'path': '/imei', 'value': '49015420323751'}]", 0, 422, "imei"},
        {__LINE__, "IMSI with a letter", "[{'op': 'replace', 'path': '/imsi', 'value': '31012a'}]",
         0, 422, "imsi"},
        {__LINE__, "ICCID without 89 in strict mode",
         "[{'op': 'replace', 'path': '/iccid', 'value': '12345678901234567890'}]", 1, 422, "iccid"},
        {__LINE__, "phone number not E.164",
         "[{'op': 'replace', 'path': '/phoneNumber', 'value': '0155 550100'}]", 0, 422,
         "phoneNumber"},
        {__LINE__, "a group the tenant does not have",
         "[{'op': 'add', 'path': '/group', 'value': 'nope'}]", 0, 422, "group"},
        {__LINE__, "another tenant's group", "[{'op': 'add', 'path': '/group', 'value': 'theirs'}]",
         0, 422, "group"},
        {__LINE__, "empty name", "[{'op': 'replace', 'path': '/name', 'value': ''}]", 0, 422,
         "name"},
        {__LINE__, "model of 65 characters",
         "[{'op': 'replace', 'path': '/model', 'value': "
         "'12345678901234567890123456789012345678901234567890123456789012345'}]",
         0, 422, "model"},
        {__LINE__, "lastUpdate is read-only",
         "[{'op': 'replace', 'path': '/lastUpdate', 'value': '2025-01-01T00:00:00Z'}]", 0, 422,
         "lastUpdate"},
        {__LINE__, "id is read-only", "[{'op': 'replace', 'path': '/id', 'value': 'dev-99'}]", 0,
         422, "id"},
        {__LINE__, "unknown field", "[{'op': 'add', 'path': '/color', 'value': 'red'}]", 0, 422,
         "color"},
        {__LINE__, "a tag that is not a string", "[{'op': 'add', 'path': '/tags/n', 'value': 5}]",
         0, 422, "tags"},
        {__LINE__, "failed test", "[{'op': 'test', 'path': '/name', 'value': 'nope'}]", 0, 409,
         NULL},
        {__LINE__, "missing path", "[{'op': 'remove', 'path': '/nothing'}]", 0, 409, NULL},
        {__LINE__, "not a patch", "{'op': 'replace'}", 0, 400, NULL},
};

START_TEST(test_patch_cases)
{
	const struct patch_case *c = &patch_cases[_i];
	struct fx fx;
	char dev[32], *before, *after;
	cJSON *j = NULL;
	int status;

	fx_open(&fx, "dev-patch");
	make_device(&fx, fx.tenant_id, "Van", dev);
	fx.env.cfg.device_validation = c->strict ? UP_DEVICE_STRICT : UP_DEVICE_FORMAT;
	before = tu_scalar(
	        &fx.env,
	        "SELECT CONCAT_WS('|', version, IFNULL(name,'-'), IFNULL(imei,'-'), "
	        "IFNULL(iccid,'-'), disabled, IFNULL(tags,'-')) FROM devices WHERE id = ?",
	        dev + 4, NULL, NULL);
	status = patch(&fx, dev, fx.write, c->patch, &j);
	ck_assert_msg(status == c->status, "line %d (%s): status %d, expected %d", c->line, c->desc,
	              status, c->status);
	after = tu_scalar(
	        &fx.env,
	        "SELECT CONCAT_WS('|', version, IFNULL(name,'-'), IFNULL(imei,'-'), "
	        "IFNULL(iccid,'-'), disabled, IFNULL(tags,'-')) FROM devices WHERE id = ?",
	        dev + 4, NULL, NULL);
	if (c->status == 200) {
		ck_assert_msg(strcmp(before, after) != 0, "line %d: nothing changed", c->line);
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
	} else {
		ck_assert_msg(strcmp(before, after) == 0, "line %d: the row changed", c->line);
	}
	if (c->field != NULL)
		ck_assert_msg(detail_field(j) != NULL && strcmp(detail_field(j), c->field) == 0,
		              "line %d: detail field %s, expected %s", c->line,
		              detail_field(j) ? detail_field(j) : "(none)", c->field);
	free(before);
	free(after);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

START_TEST(test_patch_versions_and_uniqueness)
{
	struct fx fx;
	char a[32], b[32], x[32], uri[64], etag[32];
	cJSON *j = NULL;

	fx_open(&fx, "dev-unique");
	make_device(&fx, fx.tenant_id, "A", a);
	make_device(&fx, fx.tenant_id, "B", b);
	make_device(&fx, fx.other_id, "X", x);
	snprintf(uri, sizeof(uri), "/api/devices/%s", a);
	ck_assert_int_eq(call_h(&fx, up_devices_handle, "PATCH", uri, fx.write, "application/json",
	                        "[{'op': 'replace', 'path': '/imei', 'value': '490154203237518'}]",
	                        "\"1\"", &j, etag),
	                 200);
	ck_assert_str_eq(etag, "\"2\"");
	expect_str(j, "imei", "490154203237518");
	cJSON_Delete(j);
	/* One audit row, of the device (not of a user), naming the changed field. */
	ck_assert_int_eq(
	        tu_scalar_int(&fx.env,
	                      "SELECT COUNT(*) FROM audit_log WHERE resource = 'device' AND "
	                      "resource_key = ? AND user_id IS NULL AND changed_fields = ?",
	                      a, "[\"imei\"]", NULL),
	        1);
	/* A stale If-Match: 412, nothing written. */
	ck_assert_int_eq(call_h(&fx, up_devices_handle, "PATCH", uri, fx.write, "application/json",
	                        "[{'op': 'replace', 'path': '/name', 'value': 'late'}]", "\"1\"",
	                        &j, NULL),
	                 412);
	cJSON_Delete(j);
	/* The IMEI of A on B: the tenant's unique key refuses it (422 imei). */
	ck_assert_int_eq(patch(&fx, b, fx.write,
	                       "[{'op': 'add', 'path': '/imei', 'value': '490154203237518'}]", &j),
	                 422);
	ck_assert_str_eq(detail_field(j), "imei");
	cJSON_Delete(j);
	ck_assert_int_eq(
	        tu_scalar_int(&fx.env,
	                      "SELECT COUNT(*) FROM devices WHERE imei = ? AND tenant_id = ?",
	                      "490154203237518", fx.tenant_id, NULL),
	        1);
	/* Another tenant may use the same IMEI. */
	ck_assert_int_eq(patch(&fx, x, fx.other,
	                       "[{'op': 'add', 'path': '/imei', 'value': '490154203237518'}]", &j),
	                 200);
	cJSON_Delete(j);
	/* And cannot patch this tenant's device. */
	ck_assert_int_eq(
	        patch(&fx, a, fx.other, "[{'op': 'replace', 'path': '/name', 'value': 'x'}]", &j),
	        404);
	cJSON_Delete(j);
	/* A no-op patch: 200, same version. */
	ck_assert_int_eq(call_h(&fx, up_devices_handle, "PATCH", uri, fx.write, "application/json",
	                        "[]", NULL, &j, etag),
	                 200);
	ck_assert_str_eq(etag, "\"2\"");
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

struct scope_case {
	int line;
	const char *desc;
	const char *method; /* on /api/devices/<dev> ("LIST": GET /api/devices) */
	int token;          /* 1 read, 2 write, 3 report */
	int status;
};

static const struct scope_case scope_cases[] = {
        {__LINE__, "report token cannot list", "LIST", 3, 403},
        {__LINE__, "report token cannot read a device", "GET", 3, 403},
        {__LINE__, "report token cannot patch a device", "PATCH", 3, 403},
        {__LINE__, "read token cannot patch", "PATCH", 1, 403},
        {__LINE__, "write token alone cannot read", "GET", 2, 403},
        {__LINE__, "write token patches", "PATCH", 2, 200},
        {__LINE__, "read token reads", "GET", 1, 200},
        {__LINE__, "report token cannot delete a device", "DELETE", 3, 403},
        {__LINE__, "read token cannot delete a device", "DELETE", 1, 403},
        {__LINE__, "PUT is not a method of a device", "PUT", 2, 405},
        {__LINE__, "report token cannot create a device", "POSTLIST", 3, 403},
        {__LINE__, "read token cannot create a device", "POSTLIST", 1, 403},
};

START_TEST(test_scopes)
{
	const struct scope_case *c = &scope_cases[_i];
	const char *tokens[4];
	struct fx fx;
	char dev[32], uri[64], *before, *after;
	cJSON *j = NULL;
	int status;

	fx_open(&fx, "dev-scopes");
	tokens[1] = fx.read;
	tokens[2] = fx.write;
	tokens[3] = fx.report;
	make_device(&fx, fx.tenant_id, "Van", dev);
	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	before = tu_scalar(&fx.env, "SELECT CONCAT(version, name) FROM devices WHERE id = ?",
	                   dev + 4, NULL, NULL);
	if (strcmp(c->method, "LIST") == 0)
		status = get(&fx, "/api/devices", tokens[c->token], &j);
	else if (strcmp(c->method, "POSTLIST") == 0)
		status = call_h(&fx, up_devices_handle, "POST", "/api/devices", tokens[c->token],
		                "application/json", "{'name': 'n'}", NULL, &j, NULL);
	else
		status = call_h(&fx, up_devices_handle, c->method, uri, tokens[c->token],
		                "application/json-patch+json",
		                "[{'op': 'replace', 'path': '/name', 'value': 'Renamed'}]", NULL,
		                &j, NULL);
	ck_assert_msg(status == c->status, "line %d (%s): %d, expected %d", c->line, c->desc,
	              status, c->status);
	after = tu_scalar(&fx.env, "SELECT CONCAT(version, name) FROM devices WHERE id = ?",
	                  dev + 4, NULL, NULL);
	ck_assert_msg((strcmp(before, after) != 0) == (status == 200 && c->method[0] == 'P'),
	              "line %d: the device changed (%s -> %s)", c->line, before, after);
	free(before);
	free(after);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

START_TEST(test_body_limit_and_options)
{
	struct fx fx;
	char dev[32], uri[64], *big;
	struct up_response resp;
	struct tu_call c = {"OPTIONS", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	cJSON *j = NULL;
	size_t n;

	fx_open(&fx, "dev-limit");
	fx.env.batch = 1; /* read bodies as userpatch-devices does */
	make_device(&fx, fx.tenant_id, "Van", dev);
	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	n = fx.env.cfg.max_body + 10;
	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	memcpy(big + n - 2, "[]", 2);
	big[n] = '\0';
	/* Read (within max_batch_body) but over max_body: a PATCH is 413. */
	ck_assert_int_eq(call_h(&fx, up_devices_handle, "PATCH", uri, fx.write,
	                        "application/json-patch+json", big, NULL, &j, NULL),
	                 413);
	cJSON_Delete(j);
	free(big);
	c.uri = uri;
	tu_call(&fx.env, up_devices_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 204);
	ck_assert_str_eq(tu_header(&resp, "Allow"), "GET, HEAD, PATCH, DELETE, OPTIONS");
	ck_assert_str_eq(tu_header(&resp, "Accept-Patch"),
	                 "application/json-patch+json, application/merge-patch+json");
	up_response_free(&resp);
	fx_close(&fx);
}
END_TEST

/* POST /api/devices registers a device (a tracker the device app never saw). */
START_TEST(test_create)
{
	struct fx fx;
	struct up_response resp;
	struct tu_call c = {"POST", "/api/devices", NULL, "application/json",
	                    NULL,   NULL,           NULL, NULL};
	char *body = tu_q("{'name': 'Tracker 7', 'imei': '353918053412348', 'protocol': 'gt06', "
	                  "'tags': {'fleet': 'north'}}");
	char loc[64], *id;
	cJSON *j = NULL;

	fx_open(&fx, "dev-create");
	c.auth = fx.write;
	c.body = body;
	tu_call(&fx.env, up_devices_handle, &c, &resp, &j);
	ck_assert_int_eq(resp.status, 201);
	ck_assert_ptr_nonnull(str(j, "id"));
	snprintf(loc, sizeof(loc), "/api/devices/%s", str(j, "id"));
	ck_assert_str_eq(tu_header(&resp, "Location"), loc);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"1\"");
	expect_str(j, "imei", "353918053412348");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "lastUpdate")));
	cJSON_Delete(j);
	up_response_free(&resp);
	id = tu_scalar(&fx.env, "SELECT name FROM devices WHERE tenant_id = ? AND imei = ?",
	               fx.tenant_id, "353918053412348", NULL);
	ck_assert_str_eq(id, "Tracker 7");
	free(id);
	/* The same IMEI again in the tenant: 422, no second row. */
	tu_call(&fx.env, up_devices_handle, &c, &resp, &j);
	ck_assert_int_eq(resp.status, 422);
	ck_assert_str_eq(detail_field(j), "imei");
	cJSON_Delete(j);
	up_response_free(&resp);
	ck_assert_int_eq(tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?",
	                               fx.tenant_id, NULL, NULL),
	                 1);
	/* Read-only fields are not given on create. */
	free(body);
	body = tu_q("{'name': 'x', 'lastUpdate': '2025-01-01T00:00:00Z'}");
	c.body = body;
	tu_call(&fx.env, up_devices_handle, &c, &resp, &j);
	ck_assert_int_eq(resp.status, 422);
	ck_assert_str_eq(detail_field(j), "lastUpdate");
	cJSON_Delete(j);
	up_response_free(&resp);
	free(body);
	fx_close(&fx);
}
END_TEST

/* A group that devices name is not deleted (409 group_in_use), as one that users name. */
START_TEST(test_group_in_use)
{
	struct fx fx;
	char dev[32], groups[96];
	cJSON *j = NULL;

	fx_open(&fx, "dev-group");
	tu_token(&fx.env, "dev-group", "groups:read,groups:write", 0, groups, NULL);
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) VALUES (?, 'vans', "
	        "'Vans')",
	        fx.tenant_id, NULL, NULL);
	make_device(&fx, fx.tenant_id, "Van", dev);
	ck_assert_int_eq(
	        patch(&fx, dev, fx.write, "[{'op': 'add', 'path': '/group', 'value': 'vans'}]", &j),
	        200);
	expect_str(j, "group", "vans");
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, "/api/devices?group=vans&count=exact", fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "total")->valueint, 1);
	cJSON_Delete(j);
	ck_assert_int_eq(call_h(&fx, up_groups_handle, "DELETE", "/api/groups/vans", groups, NULL,
	                        NULL, NULL, &j, NULL),
	                 409);
	expect_str(j, "code", "group_in_use");
	ck_assert_str_eq(detail_field(j), "devices");
	cJSON_Delete(j);
	ck_assert_int_eq(patch(&fx, dev, fx.write,
	                       "[{'op': 'replace', 'path': '/group', 'value': null}]", &j),
	                 200);
	cJSON_Delete(j);
	ck_assert_int_eq(call_h(&fx, up_groups_handle, "DELETE", "/api/groups/vans", groups, NULL,
	                        NULL, NULL, &j, NULL),
	                 204);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

/*
 * DELETE /api/devices/{id}: positions and alerts have no foreign key (they
 * are partitioned), so the delete removes them itself, in its transaction.
 * Each row: who asks, how, and what must be left of the device's history
 * (3 positions, 2 alerts) and of another device's (2, 1) afterwards.
 */
struct delete_case {
	int line;
	const char *desc;
	int token;            /* 0 write, 1 read, 2 another tenant */
	const char *if_match; /* NULL: none */
	int pinned;           /* a row of another table refers to the device: its DELETE fails */
	int status;
	long long left; /* positions + alerts of the device left */
};

static const struct delete_case delete_cases[] = {
        {__LINE__, "another tenant's token: 404, nothing deleted", 2, NULL, 0, 404, 5},
        {__LINE__, "a read token: 403, nothing deleted", 1, NULL, 0, 403, 5},
        {__LINE__, "a stale If-Match: 412, nothing deleted", 0, "\"7\"", 0, 412, 5},
        {__LINE__, "the device row cannot go: the history deleted first is back", 0, NULL, 1, 500,
         5},
        {__LINE__, "deleted: its positions and alerts go with it", 0, NULL, 0, 204, 0},
        {__LINE__, "deleted with a matching If-Match", 0, "\"1\"", 0, 204, 0},
};

START_TEST(test_delete_history)
{
	const struct delete_case *tc = &delete_cases[_i];
	struct fx fx;
	char dev[32], keep[32], uri[64], *id, *keep_id;
	const char *tokens[3];
	cJSON *j = NULL;
	int status;

	fx_open(&fx, "dev-delete");
	tokens[0] = fx.write;
	tokens[1] = fx.read;
	tokens[2] = fx.other;
	make_device(&fx, fx.tenant_id, "Doomed", dev);
	make_device(&fx, fx.tenant_id, "Kept", keep);
	id = dev + 4;
	keep_id = keep + 4;
	tu_exec(&fx.env,
	        "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES "
	        "(?, '2025-01-05 10:00:00', 1, 1), (?, '2025-06-05 10:00:00', 1, 1), "
	        "(?, UTC_TIMESTAMP(), 1, 1)",
	        id, id, id);
	tu_exec(&fx.env,
	        "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES "
	        "(?, '2025-01-05 10:00:00', 1, 1), (?, UTC_TIMESTAMP(), 1, 1)",
	        keep_id, keep_id, NULL);
	tu_exec(&fx.env,
	        "INSERT INTO alerts (device_id, type, alert_time) VALUES (?, 'sos', '2025-01-05'), "
	        "(?, 'sos', UTC_TIMESTAMP()), (?, 'sos', UTC_TIMESTAMP())",
	        id, id, keep_id);
	tu_exec(&fx.env,
	        "CREATE TABLE IF NOT EXISTS device_pins (device_id BIGINT UNSIGNED NOT NULL, "
	        "FOREIGN KEY (device_id) REFERENCES devices (id)) ENGINE=InnoDB",
	        NULL, NULL, NULL);
	if (tc->pinned)
		tu_exec(&fx.env, "INSERT INTO device_pins (device_id) VALUES (?)", id, NULL, NULL);
	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	status = call_h(&fx, up_devices_handle, "DELETE", uri, tokens[tc->token], NULL, NULL,
	                tc->if_match, &j, NULL);
	cJSON_Delete(j);
	ck_assert_msg(status == tc->status, "line %d (%s): status %d, expected %d", tc->line,
	              tc->desc, status, tc->status);
	ck_assert_msg(tu_scalar_int(&fx.env,
	                            "SELECT (SELECT COUNT(*) FROM positions WHERE device_id = ?) + "
	                            "(SELECT COUNT(*) FROM alerts WHERE device_id = ?)",
	                            id, id, NULL) == tc->left,
	              "line %d (%s): the device's history is not as expected", tc->line, tc->desc);
	ck_assert_msg(tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM devices WHERE id = ?", id, NULL,
	                            NULL) == (tc->status == 204 ? 0 : 1),
	              "line %d (%s): the device row", tc->line, tc->desc);
	ck_assert_msg(tu_scalar_int(&fx.env,
	                            "SELECT (SELECT COUNT(*) FROM positions WHERE device_id = ?) + "
	                            "(SELECT COUNT(*) FROM alerts WHERE device_id = ?)",
	                            keep_id, keep_id, NULL) == 3,
	              "line %d (%s): another device's history changed", tc->line, tc->desc);
	tu_exec(&fx.env, "DELETE FROM device_pins", NULL, NULL, NULL);
	fx_close(&fx);
}
END_TEST

/* POST data (quoted with ') to the device-app endpoint; returns the status. */
static int device_app(struct fx *fx, const char *data, cJSON **json)
{
	char *d = tu_q(data), *body = NULL;
	cJSON *o = cJSON_CreateObject();
	int status;

	cJSON_AddStringToObject(o, "data", d);
	body = cJSON_PrintUnformatted(o);
	status = call_h(fx, up_device_app_handle, "POST", "/api/v1/device_app_user_update/",
	                fx->all, "application/json", body, NULL, json, NULL);
	free(body);
	free(d);
	cJSON_Delete(o);
	return status;
}

START_TEST(test_one_device_store)
{
	struct fx fx;
	char dev[32], uri[96], x[32], user[32], reason[128];
	cJSON *j = NULL;

	fx_open(&fx, "dev-store");
	/* The device app makes a user and its device... */
	ck_assert_int_eq(device_app(&fx,
	                            "{'username': 'ana', 'imei': '490154203237518', "
	                            "'imsi': '310120123456789'}",
	                            &j),
	                 201);
	snprintf(user, sizeof(user), "%s", str(j, "user_id"));
	cJSON_Delete(j);
	snprintf(uri, sizeof(uri), "/api/users/%s", user);
	ck_assert_int_eq(
	        call_h(&fx, up_users_handle, "GET", uri, fx.all, NULL, NULL, NULL, &j, NULL), 200);
	ck_assert_ptr_nonnull(str(j, "deviceId"));
	snprintf(dev, sizeof(dev), "%s", str(j, "deviceId"));
	cJSON_Delete(j);
	/* ...which the Devices API lists and reads: one devices table. */
	ck_assert_int_eq(get(&fx, "/api/devices?count=exact", fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(j, "total")->valueint, 1);
	expect_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "devices"), 0), "id",
	           dev);
	cJSON_Delete(j);
	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 200);
	expect_str(j, "imei", "490154203237518");
	expect_str(j, "imsi", "310120123456789");
	cJSON_Delete(j);
	/* An IMEI set here is what the device app answers for the user. */
	ck_assert_int_eq(patch(&fx, dev, fx.write,
	                       "[{'op': 'replace', 'path': '/imei', 'value': '353918053412348'}]",
	                       &j),
	                 200);
	cJSON_Delete(j);
	ck_assert_int_eq(device_app(&fx, "{'username': 'ana', 'user_class': 'premium'}", &j), 201);
	expect_str(j, "imei", "353918053412348");
	cJSON_Delete(j);
	/* And one the device app sets is what the Devices API shows. */
	ck_assert_int_eq(device_app(&fx, "{'username': 'ana', 'imei': '3539180534123401'}", &j),
	                 201);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 200);
	expect_str(j, "imei", "3539180534123401");
	cJSON_Delete(j);
	ck_assert_int_eq(tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?",
	                               fx.tenant_id, NULL, NULL),
	                 1);
	/* Same rules: an IMEI the device app refuses, the Devices API refuses. */
	ck_assert_int_eq(device_app(&fx, "{'username': 'ana', 'imei': '12345'}", &j), 422);
	snprintf(reason, sizeof(reason), "%s", detail_reason(j));
	ck_assert_str_eq(reason, "must be 15 digits (16 for an IMEISV)");
	cJSON_Delete(j);
	ck_assert_int_eq(patch(&fx, dev, fx.write,
	                       "[{'op': 'replace', 'path': '/imei', 'value': '12345'}]", &j),
	                 422);
	ck_assert_str_eq(detail_reason(j), reason);
	cJSON_Delete(j);
	/* A user's deviceId names a device of its own tenant only. */
	make_device(&fx, fx.other_id, "Theirs", x);
	snprintf(uri, sizeof(uri), "/api/users/%s", user);
	{
		char body[160];

		snprintf(body, sizeof(body),
		         "[{'op': 'replace', 'path': '/deviceId', 'value': '%s'}]", x);
		ck_assert_int_eq(call_h(&fx, up_users_handle, "PATCH", uri, fx.all,
		                        "application/json-patch+json", body, NULL, &j, NULL),
		                 422);
		ck_assert_str_eq(detail_field(j), "deviceId");
		cJSON_Delete(j);
	}
	/* lastUpdate follows the newest fix, whatever the arrival order. */
	snprintf(uri, sizeof(uri), "/api/devices/%s/locations", dev);
	fx.env.batch = 1;
	ck_assert_int_eq(call_h(&fx, up_devices_handle, "POST", uri, fx.report, "application/json",
	                        "[{'time': '2025-06-01T12:00:00Z', 'latitude': 1, 'longitude': 1},"
	                        " {'time': '2025-06-01T11:00:00Z', 'latitude': 1, 'longitude': 1}]",
	                        NULL, &j, NULL),
	                 201);
	cJSON_Delete(j);
	snprintf(uri, sizeof(uri), "/api/devices/%s", dev);
	ck_assert_int_eq(get(&fx, uri, fx.read, &j), 200);
	expect_str(j, "lastUpdate", "2025-06-01T12:00:00Z");
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("devices");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_get_and_list);
	tcase_add_loop_test(tc, test_patch_cases, 0,
	                    (int)(sizeof(patch_cases) / sizeof(patch_cases[0])));
	tcase_add_test(tc, test_patch_versions_and_uniqueness);
	tcase_add_loop_test(tc, test_scopes, 0,
	                    (int)(sizeof(scope_cases) / sizeof(scope_cases[0])));
	tcase_add_test(tc, test_body_limit_and_options);
	tcase_add_test(tc, test_one_device_store);
	tcase_add_test(tc, test_group_in_use);
	tcase_add_loop_test(tc, test_delete_history, 0,
	                    (int)(sizeof(delete_cases) / sizeof(delete_cases[0])));
	tcase_add_test(tc, test_create);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
