/* SPDX-License-Identifier: ISC */
/*
 * test_webhooks.c: /api/webhooks through its handler against the test
 * database.  Creation refuses what a webhook may not be (bad URLs, the
 * private, loopback, link-local, multicast and unspecified addresses of
 * both families, a name that resolves to 127.0.0.1, unknown event types)
 * with 422 and the database unchanged; a webhook's life (read without its
 * secret, patch, re-enable, rotate, deliveries, delete) keeps its rows
 * right, writes audit rows without secrets and appends no event; another
 * tenant's webhook is 404, a token without webhooks:write 403.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "testutil.h"

#define AJ "application/json"
#define MP "application/merge-patch+json"
#define JP "application/json-patch+json"
#define PUBLIC "https://93.184.216.34"

/* One POST /api/webhooks and its verdict. */
struct create_case {
	int line;
	const char *desc;
	const char *allow; /* webhook_allow_hosts */
	int allow_http;    /* webhook_allow_http */
	const char *body;  /* ' for " */
	int status;
	const char *field;  /* 422: the detail's field */
	const char *reason; /* 422: part of its reason */
};

static const struct create_case create_cases[] = {
        {__LINE__, "a public https URL", "", 0,
         "{'url':'" PUBLIC "/hook','types':['user.*','alert.created'],'description':'CRM'}", 201,
         NULL, NULL},
        {__LINE__, "http where it is not allowed", "", 0,
         "{'url':'http://93.184.216.34/','types':['user.*']}", 422, "url", "must be https"},
        {__LINE__, "http where the configuration allows it", "", 1,
         "{'url':'http://93.184.216.34/','types':['user.*']}", 201, NULL, NULL},
        {__LINE__, "IPv4 loopback", "", 1, "{'url':'http://127.0.0.1:9/','types':['user.*']}", 422,
         "url", "loopback"},
        {__LINE__, "IPv4 private", "", 0, "{'url':'https://10.1.2.3/','types':['user.*']}", 422,
         "url", "private"},
        {__LINE__, "IPv4 private (192.168)", "", 0,
         "{'url':'https://192.168.1.1/','types':['user.*']}", 422, "url", "private"},
        {__LINE__, "IPv4 link-local (cloud metadata)", "", 0,
         "{'url':'https://169.254.169.254/latest','types':['user.*']}", 422, "url", "link-local"},
        {__LINE__, "IPv4 multicast", "", 0, "{'url':'https://224.0.0.1/','types':['user.*']}", 422,
         "url", "multicast"},
        {__LINE__, "IPv4 unspecified", "", 0, "{'url':'https://0.0.0.0/','types':['user.*']}", 422,
         "url", "unspecified"},
        {__LINE__, "IPv6 loopback", "", 0, "{'url':'https://[::1]/','types':['user.*']}", 422,
         "url", "loopback"},
        {__LINE__, "IPv6 unique local (private)", "", 0,
         "{'url':'https://[fd00::1]/','types':['user.*']}", 422, "url", "private"},
        {__LINE__, "IPv6 link-local", "", 0, "{'url':'https://[fe80::1]/','types':['user.*']}", 422,
         "url", "link-local"},
        {__LINE__, "IPv6 multicast", "", 0, "{'url':'https://[ff02::1]/','types':['user.*']}", 422,
         "url", "multicast"},
        {__LINE__, "IPv6 unspecified", "", 0, "{'url':'https://[::]/','types':['user.*']}", 422,
         "url", "unspecified"},
        {__LINE__, "IPv4-mapped IPv6 loopback", "", 0,
         "{'url':'https://[::ffff:127.0.0.1]/','types':['user.*']}", 422, "url", "loopback"},
        {__LINE__, "a name that resolves to 127.0.0.1, not allowed", "", 1,
         "{'url':'http://localhost:9/','types':['user.*']}", 422, "url", "loopback"},
        {__LINE__, "127.0.0.1 where webhook_allow_hosts names it", "127.0.0.1", 1,
         "{'url':'http://127.0.0.1:9/','types':['user.*']}", 201, NULL, NULL},
        {__LINE__, "a name webhook_allow_hosts names", "localhost", 1,
         "{'url':'http://localhost:9/','types':['user.*']}", 201, NULL, NULL},
        {__LINE__, "a private address outside the allowed block", "10.0.0.0/8", 0,
         "{'url':'https://192.168.1.1/','types':['user.*']}", 422, "url", "private"},
        {__LINE__, "a user name in the URL", "", 0,
         "{'url':'https://u:p@93.184.216.34/','types':['user.*']}", 422, "url", "user name"},
        {__LINE__, "a fragment", "", 0, "{'url':'" PUBLIC "/#x','types':['user.*']}", 422, "url",
         "fragment"},
        {__LINE__, "no URL", "", 0, "{'types':['user.*']}", 422, "url", "required"},
        {__LINE__, "a URL that is not a string", "", 0, "{'url':5,'types':['user.*']}", 422, "url",
         "string"},
        {__LINE__, "no types", "", 0, "{'url':'" PUBLIC "/'}", 422, "types", "required"},
        {__LINE__, "no type at all", "", 0, "{'url':'" PUBLIC "/','types':[]}", 422, "types",
         "entries"},
        {__LINE__, "an unknown event type", "", 0, "{'url':'" PUBLIC "/','types':['user.moved']}",
         422, "types", "event types"},
        {__LINE__, "types as a string", "", 0, "{'url':'" PUBLIC "/','types':'user.*'}", 422,
         "types", "array"},
        {__LINE__, "a type given twice", "", 0, "{'url':'" PUBLIC "/','types':['user.*','user.*']}",
         422, "types", "more than once"},
        {__LINE__, "a type with a comma", "", 0,
         "{'url':'" PUBLIC "/','types':['user.created,user.deleted']}", 422, "types", "words"},
        {__LINE__, "a status (read-only)", "", 0,
         "{'url':'" PUBLIC "/','types':['user.*'],'status':'active'}", 422, "status", "read-only"},
        {__LINE__, "a secret of one's own", "", 0,
         "{'url':'" PUBLIC "/','types':['user.*'],'secret':'whsec_AAAA'}", 422, "secret",
         "not a field"},
        {__LINE__, "enabled not a boolean", "", 0,
         "{'url':'" PUBLIC "/','types':['user.*'],'enabled':'yes'}", 422, "enabled",
         "true or false"},
};

static void set_allow(struct tu_env *env, const char *allow, int http)
{
	free(env->cfg.webhook_allow_hosts);
	env->cfg.webhook_allow_hosts = strdup(allow);
	ck_assert_ptr_nonnull(env->cfg.webhook_allow_hosts);
	env->cfg.webhook_allow_http = http;
}

static int has_detail(const cJSON *json, const char *field, const char *reason)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, cJSON_GetObjectItem(json, "details"))
	{
		const cJSON *f = cJSON_GetObjectItem(d, "field");
		const cJSON *r = cJSON_GetObjectItem(d, "reason");

		if (cJSON_IsString(f) && strcmp(f->valuestring, field) == 0 && cJSON_IsString(r) &&
		    strstr(r->valuestring, reason) != NULL)
			return 1;
	}
	return 0;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

START_TEST(test_create)
{
	const struct create_case *c = &create_cases[_i];
	struct tu_env env;
	struct up_response resp;
	char auth[96], tenant[24];
	char *body = tu_q(c->body);
	struct tu_call call = {"POST", "/api/webhooks", auth, AJ, body, NULL, NULL, NULL};
	cJSON *json = NULL;
	long long hooks, events, audits;

	tu_env_open(&env);
	snprintf(tenant, sizeof(tenant), "%llu", (unsigned long long)tu_tenant(&env, "wh-create"));
	tu_token(&env, "wh-create", "webhooks:write", 0, auth, NULL);
	set_allow(&env, c->allow, c->allow_http);
	hooks = tu_scalar_int(&env, "SELECT COUNT(*) FROM webhooks WHERE tenant_id = ?", tenant,
	                      NULL, NULL);
	events = tu_scalar_int(&env, "SELECT COUNT(*) FROM events WHERE tenant_id = ?", tenant,
	                       NULL, NULL);
	audits = tu_scalar_int(&env, "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ?", tenant,
	                       NULL, NULL);
	tu_call(&env, up_events_handle, &call, &resp, &json);
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d, body %s", c->line,
	              c->desc, resp.status, resp.body != NULL ? resp.body : "");
	/* Webhooks are not events. */
	ck_assert_int_eq(tu_scalar_int(&env, "SELECT COUNT(*) FROM events WHERE tenant_id = ?",
	                               tenant, NULL, NULL),
	                 events);
	if (c->status == 422) {
		ck_assert_msg(has_detail(json, c->field, c->reason),
		              "line %d (%s): no detail %s: %s in %s", c->line, c->desc, c->field,
		              c->reason, resp.body);
		ck_assert_str_eq(str(json, "code"), "validation_failed");
		ck_assert_int_eq(tu_scalar_int(&env,
		                               "SELECT COUNT(*) FROM webhooks WHERE tenant_id = ?",
		                               tenant, NULL, NULL),
		                 hooks);
		ck_assert_int_eq(tu_scalar_int(&env,
		                               "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ?",
		                               tenant, NULL, NULL),
		                 audits);
	} else {
		const char *id = str(json, "id"), *secret = str(json, "secret");
		char loc[64], *stored;

		ck_assert_msg(id != NULL && strncmp(id, "whk-", 4) == 0, "line %d", c->line);
		snprintf(loc, sizeof(loc), "/api/webhooks/%s", id);
		ck_assert_str_eq(tu_header(&resp, "Location"), loc);
		ck_assert_msg(secret != NULL && strncmp(secret, "whsec_", 6) == 0, "line %d: %s",
		              c->line, resp.body);
		stored = tu_scalar(&env, "SELECT secret FROM webhooks WHERE id = ?", id + 4, NULL,
		                   NULL);
		ck_assert_str_eq(stored, secret);
		free(stored);
		ck_assert_str_eq(str(json, "status"), "active");
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(json, "enabled")));
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(json, "failingSince")));
		ck_assert_int_eq(cJSON_GetObjectItem(json, "version")->valueint, 1);
		ck_assert_str_eq(tu_header(&resp, "ETag"), "\"1\"");
		/* Audited, by field names only: never the secret. */
		ck_assert_int_eq(tu_scalar_int(&env,
		                               "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? "
		                               "AND resource = 'webhook' AND action = 'create' "
		                               "AND resource_key = ?",
		                               tenant, id, NULL),
		                 1);
		ck_assert_int_eq(tu_scalar_int(&env,
		                               "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? "
		                               "AND changed_fields LIKE '%whsec%'",
		                               tenant, NULL, NULL),
		                 0);
	}
	up_response_free(&resp);
	cJSON_Delete(json);
	free(body);
	tu_env_close(&env);
}
END_TEST

/* One request; *json (may be NULL) its parsed body (freed by the caller); the status. */
static int req(struct tu_env *env, const char *method, const char *uri, const char *auth,
               const char *ctype, const char *body, const char *if_match, cJSON **json, char *text,
               size_t len)
{
	struct tu_call call = {method, uri, auth, ctype, body, if_match, NULL, NULL};
	struct up_response resp;
	int status;

	tu_call(env, up_events_handle, &call, &resp, json);
	status = resp.status;
	if (text != NULL)
		snprintf(text, len, "%s", resp.body != NULL ? resp.body : "");
	up_response_free(&resp);
	return status;
}

static long long count(struct tu_env *env, const char *sql, const char *id)
{
	return tu_scalar_int(env, sql, id, NULL, NULL);
}

/* The attempts of delivery pages: what GET .../deliveries shows of rows made by SQL. */
static void check_deliveries(struct tu_env *env, const char *auth, const char *id, const char *n)
{
	char uri[128], text[8192];
	cJSON *json = NULL;
	const cJSON *first, *next;
	int pages = 0, seen = 0;

	tu_exec(env,
	        "INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_seq, "
	        "resource_id, state, attempts, next_attempt_at, created_at, last_status) "
	        "SELECT 900000 + ?, id, tenant_id, 1, 7, 'usr-9', 'pending', 3, UTC_TIMESTAMP(6), "
	        "UTC_TIMESTAMP(6), 500 FROM webhooks WHERE id = ?",
	        n, n, NULL);
	tu_exec(env,
	        "INSERT INTO webhook_attempts (delivery_id, webhook_id, tenant_id, attempt, "
	        "attempted_at, duration_ms, status, error) SELECT 900000 + ?, id, tenant_id, "
	        "seq, UTC_TIMESTAMP(6), 10 * seq, IF(seq = 5, NULL, 500), IF(seq = 5, 'timeout', "
	        "NULL) FROM webhooks, seq_1_to_5 WHERE id = ? ORDER BY seq",
	        n, n, NULL);
	snprintf(uri, sizeof(uri), "/api/webhooks/%s/deliveries?limit=2", id);
	while (pages < 5) {
		ck_assert_int_eq(
		        req(env, "GET", uri, auth, NULL, NULL, NULL, &json, text, sizeof(text)),
		        200);
		ck_assert_ptr_null(strstr(text, "whsec_"));
		if (pages == 0) {
			/* Newest first: the fifth attempt, a timeout. */
			first = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "deliveries"), 0);
			ck_assert_msg(first != NULL, "%s", text);
			ck_assert_int_eq(cJSON_GetObjectItem(first, "attempt")->valueint, 5);
			ck_assert(cJSON_IsNull(cJSON_GetObjectItem(first, "httpStatus")));
			ck_assert_str_eq(str(first, "error"), "timeout");
			ck_assert_str_eq(str(first, "state"), "pending");
			ck_assert_str_eq(str(first, "resourceId"), "usr-9");
			ck_assert_int_eq(cJSON_GetObjectItem(first, "eventId")->valueint, 7);
			ck_assert_int_eq(cJSON_GetObjectItem(first, "durationMs")->valueint, 50);
			ck_assert_msg(strncmp(str(first, "deliveryId"), "msg_9", 5) == 0, "%s",
			              text);
		}
		seen += cJSON_GetArraySize(cJSON_GetObjectItem(json, "deliveries"));
		pages++;
		next = cJSON_GetObjectItem(json, "nextCursor");
		if (!cJSON_IsString(next)) {
			cJSON_Delete(json);
			break;
		}
		snprintf(uri, sizeof(uri), "/api/webhooks/%s/deliveries?limit=2&cursor=%s", id,
		         next->valuestring);
		cJSON_Delete(json);
	}
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(seen, 5);
	snprintf(uri, sizeof(uri), "/api/webhooks/%s/deliveries?cursor=whk-1", id);
	ck_assert_int_eq(req(env, "GET", uri, auth, NULL, NULL, NULL, NULL, NULL, 0), 400);
}

/* The webhook of test_life, its tenant and tokens. */
static struct {
	struct tu_env env;
	char auth[96], other[96], feed[96], tenant[24], uri[96], id[32], n[40];
} L;

/* Patches: refused ones change nothing. */
static void life_patch(void)
{
	char text[8192], *v;
	cJSON *json = NULL;

	/* A patch to a private address: 422, nothing changes. */
	ck_assert_int_eq(req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"url\":\"https://10.0.0.1/\"}",
	                     NULL, &json, text, sizeof(text)),
	                 422);
	ck_assert_msg(has_detail(json, "url", "private"), "%s", text);
	cJSON_Delete(json);
	v = tu_scalar(&L.env, "SELECT url FROM webhooks WHERE id = ?", L.n, NULL, NULL);
	ck_assert_str_eq(v, PUBLIC "/a");
	free(v);

	/* JSON Patch with If-Match; a stale If-Match is 412; status is read-only. */
	ck_assert_int_eq(req(&L.env, "PATCH", L.uri, L.auth, JP,
	                     "[{\"op\":\"replace\",\"path\":\"/types\",\"value\":[\"device.*\"]}]",
	                     "\"1\"", &json, text, sizeof(text)),
	                 200);
	ck_assert_int_eq(cJSON_GetObjectItem(json, "version")->valueint, 2);
	cJSON_Delete(json);
	v = tu_scalar(&L.env, "SELECT event_types FROM webhooks WHERE id = ?", L.n, NULL, NULL);
	ck_assert_str_eq(v, "device.*");
	free(v);
	ck_assert_int_eq(req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"description\":\"x\"}", "\"1\"",
	                     NULL, NULL, 0),
	                 412);
	ck_assert_int_eq(req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"status\":\"failing\"}", NULL,
	                     NULL, NULL, 0),
	                 422);
}

/* Disabled, events come; enabled again, the cursor moves past them. */
static void life_enable(void)
{
	long long cursor;

	ck_assert_int_eq(
	        req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"enabled\":false}", NULL, NULL, NULL, 0),
	        200);
	cursor = count(&L.env, "SELECT cursor_seq FROM webhooks WHERE id = ?", L.n);
	tu_exec(&L.env,
	        "INSERT INTO events (tenant_id, type, resource_id, version, request_id, "
	        "created_at) "
	        "VALUES (?, 'user.created', 'usr-1', 1, 'r1', UTC_TIMESTAMP(6)), "
	        "(?, 'user.created', 'usr-2', 1, 'r2', UTC_TIMESTAMP(6))",
	        L.tenant, L.tenant, NULL);
	ck_assert_int_eq(
	        req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"enabled\":true}", NULL, NULL, NULL, 0),
	        200);
	ck_assert_int_eq(count(&L.env, "SELECT cursor_seq FROM webhooks WHERE id = ?", L.n),
	                 cursor + 2);
	ck_assert_int_eq(
	        count(&L.env, "SELECT cursor_seq FROM webhooks WHERE id = ?", L.n),
	        count(&L.env, "SELECT last_seq FROM event_seq WHERE tenant_id = ?", L.tenant));
	/* More committed events than one ordering pass orders: the cursor passes them all. */
	ck_assert_int_eq(
	        req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"enabled\":false}", NULL, NULL, NULL, 0),
	        200);
	tu_exec(&L.env,
	        "INSERT INTO events (tenant_id, type, resource_id, version, request_id, "
	        "created_at) "
	        "SELECT ?, 'user.updated', CONCAT('usr-', seq), 2, 'r', UTC_TIMESTAMP(6) "
	        "FROM seq_1_to_2500",
	        L.tenant, NULL, NULL);
	ck_assert_int_eq(
	        req(&L.env, "PATCH", L.uri, L.auth, MP, "{\"enabled\":true}", NULL, NULL, NULL, 0),
	        200);
	ck_assert_int_eq(count(&L.env, "SELECT cursor_seq FROM webhooks WHERE id = ?", L.n),
	                 cursor + 2502);
	ck_assert_int_eq(count(&L.env,
	                       "SELECT COUNT(*) FROM events WHERE tenant_id = ? AND seq IS NULL",
	                       L.tenant),
	                 0);
}

/* Rotation: a new secret, once; the old one kept for 24 hours. */
static void life_rotate(const char *s1)
{
	char text[8192], sub[128], *v;
	cJSON *json = NULL;

	snprintf(sub, sizeof(sub), "%s/secret", L.uri);
	ck_assert_int_eq(
	        req(&L.env, "POST", sub, L.auth, NULL, NULL, NULL, &json, text, sizeof(text)), 200);
	ck_assert_msg(strncmp(str(json, "secret"), "whsec_", 6) == 0, "%s", text);
	ck_assert_str_ne(str(json, "secret"), s1);
	ck_assert_str_eq(str(json, "id"), L.id);
	v = tu_scalar(&L.env, "SELECT previous_secret FROM webhooks WHERE id = ?", L.n, NULL, NULL);
	ck_assert_str_eq(v, s1);
	free(v);
	v = tu_scalar(&L.env, "SELECT secret FROM webhooks WHERE id = ?", L.n, NULL, NULL);
	ck_assert_str_eq(v, str(json, "secret"));
	free(v);
	cJSON_Delete(json);
	ck_assert_int_eq(count(&L.env,
	                       "SELECT previous_until > UTC_TIMESTAMP(6) + INTERVAL 23 HOUR "
	                       "FROM webhooks WHERE id = ?",
	                       L.n),
	                 1);
	ck_assert_int_eq(req(&L.env, "POST", sub, L.auth, NULL, NULL, "\"1\"", NULL, NULL, 0), 412);
	ck_assert_int_eq(
	        req(&L.env, "GET", L.uri, L.auth, NULL, NULL, NULL, NULL, text, sizeof(text)), 200);
	ck_assert_ptr_null(strstr(text, "whsec_"));
	ck_assert_int_eq(count(&L.env,
	                       "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? AND "
	                       "action = 'rotate_secret' AND changed_fields NOT LIKE '%whsec%'",
	                       L.tenant),
	                 1);
}

/* Another tenant's webhook is not there; without the scope, 403; without a token, 401. */
static void life_isolation(void)
{
	char sub[128];

	snprintf(sub, sizeof(sub), "%s/secret", L.uri);
	ck_assert_int_eq(req(&L.env, "GET", L.uri, L.other, NULL, NULL, NULL, NULL, NULL, 0), 404);
	ck_assert_int_eq(req(&L.env, "PATCH", L.uri, L.other, MP, "{\"enabled\":false}", NULL, NULL,
	                     NULL, 0),
	                 404);
	ck_assert_int_eq(req(&L.env, "POST", sub, L.other, NULL, NULL, NULL, NULL, NULL, 0), 404);
	snprintf(sub, sizeof(sub), "%s/deliveries", L.uri);
	ck_assert_int_eq(req(&L.env, "GET", sub, L.other, NULL, NULL, NULL, NULL, NULL, 0), 404);
	ck_assert_int_eq(req(&L.env, "DELETE", L.uri, L.other, NULL, NULL, NULL, NULL, NULL, 0),
	                 404);
	ck_assert_int_eq(req(&L.env, "GET", L.uri, L.feed, NULL, NULL, NULL, NULL, NULL, 0), 403);
	ck_assert_int_eq(req(&L.env, "GET", "/api/webhooks", NULL, NULL, NULL, NULL, NULL, NULL, 0),
	                 401);
}

/* DELETE: the webhook, its deliveries and attempts go; no event for any of it. */
static void life_delete(void)
{
	ck_assert_int_eq(req(&L.env, "DELETE", L.uri, L.auth, NULL, NULL, NULL, NULL, NULL, 0),
	                 204);
	ck_assert_int_eq(count(&L.env, "SELECT COUNT(*) FROM webhooks WHERE id = ?", L.n), 0);
	ck_assert_int_eq(
	        count(&L.env, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?", L.n),
	        0);
	ck_assert_int_eq(
	        count(&L.env, "SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = ?", L.n),
	        0);
	ck_assert_int_eq(req(&L.env, "GET", L.uri, L.auth, NULL, NULL, NULL, NULL, NULL, 0), 404);
	/* No event for any of it. */
	ck_assert_int_eq(count(&L.env,
	                       "SELECT COUNT(*) FROM events WHERE tenant_id = ? AND type LIKE "
	                       "'webhook%'",
	                       L.tenant),
	                 0);
}

START_TEST(test_life)
{
	char text[8192], *s1;
	cJSON *json = NULL;

	tu_env_open(&L.env);
	set_allow(&L.env, "", 0);
	snprintf(L.tenant, sizeof(L.tenant), "%llu",
	         (unsigned long long)tu_tenant(&L.env, "wh-life"));
	tu_token(&L.env, "wh-life", "webhooks:write", 0, L.auth, NULL);
	tu_token(&L.env, "wh-life", "events:read,users:read,users:write", 0, L.feed, NULL);
	tu_token(&L.env, "wh-other", "webhooks:write", 0, L.other, NULL);

	ck_assert_int_eq(req(&L.env, "POST", "/api/webhooks", L.auth, AJ,
	                     "{\"url\":\"" PUBLIC "/a\",\"types\":[\"user.*\",\"alert.created\"]}",
	                     NULL, &json, text, sizeof(text)),
	                 201);
	snprintf(L.id, sizeof(L.id), "%s", str(json, "id"));
	snprintf(L.n, sizeof(L.n), "%.27s", L.id + 4);
	s1 = strdup(str(json, "secret"));
	cJSON_Delete(json);
	snprintf(L.uri, sizeof(L.uri), "/api/webhooks/%s", L.id);

	/* Read back, one and in the list: never the secret. */
	ck_assert_int_eq(
	        req(&L.env, "GET", L.uri, L.auth, NULL, NULL, NULL, &json, text, sizeof(text)),
	        200);
	ck_assert_ptr_null(strstr(text, "whsec_"));
	ck_assert_ptr_null(cJSON_GetObjectItem(json, "secret"));
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(json, "types"), 1)->valuestring,
	                 "alert.created");
	cJSON_Delete(json);
	ck_assert_int_eq(req(&L.env, "GET", "/api/webhooks?limit=500", L.auth, NULL, NULL, NULL,
	                     NULL, text, sizeof(text)),
	                 200);
	ck_assert_ptr_nonnull(strstr(text, L.id));
	ck_assert_ptr_null(strstr(text, "whsec_"));

	life_patch();
	life_enable();
	life_rotate(s1);
	check_deliveries(&L.env, L.auth, L.id, L.n);
	life_isolation();
	life_delete();
	free(s1);
	tu_env_close(&L.env);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhooks");
	TCase *t = tcase_create("webhooks");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, test_create, 0,
	                    (int)(sizeof(create_cases) / sizeof(create_cases[0])));
	tcase_add_test(t, test_life);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
