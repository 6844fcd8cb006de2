/* SPDX-License-Identifier: ISC */
/*
 * test_events.c: the change feed.  Every write of a group, user or device
 * and every alert appends one event in its own transaction (a write that
 * fails or changes nothing appends none, nor does one that fails after its
 * event was inserted); GET /api/events hands them out in order, by tenant
 * and scope; and a reader that follows the cursor while 8 writer processes
 * commit in parallel sees every event exactly once.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "device_app.h"
#include "devices.h"
#include "events.h"
#include "groups.h"
#include "testutil.h"
#include "users.h"

#define ALL                                                                                        \
	"users:read,users:write,groups:read,groups:write,devices:read,devices:write,"              \
	"devices:report,device_app_user:write,events:read"
#define AJ "application/json"
#define MP "application/merge-patch+json"

enum target { T_GROUPS, T_USERS, T_DEVICE_APP, T_DEVICES };

static up_handler_fn const handlers[] = {up_groups_handle, up_users_handle, up_device_app_handle,
                                         up_devices_handle};

/*
 * One write and what it must append: `events` rows, the last of them as
 * given.  In uri and resource, "@D" is the tenant's newest device and "@U"
 * its newest user, both as they were before the request; resource "@ID" is
 * the id the answer gives (a create).
 */
struct write_case {
	int line;
	const char *desc;
	enum target target;
	const char *method, *uri, *ctype, *body;
	int status;
	int events;                  /* rows appended */
	const char *type, *resource; /* the last row's (when events > 0) */
	long long version;           /* its version */
	const char *changed;         /* its changed_fields, NULL for SQL NULL */
	int discarded;               /* 1: the write inserted an event, then rolled it back */
};

static const struct write_case write_cases[] = {
        {__LINE__, "POST a group: group.created", T_GROUPS, "POST", "/api/groups", AJ,
         "{\"id\":\"ops\",\"name\":\"Ops\"}", 201, 1, "group.created", "ops", 1, NULL, 0},
        {__LINE__, "PATCH a group: group.updated naming the field", T_GROUPS, "PATCH",
         "/api/groups/ops", MP, "{\"name\":\"Ops 2\"}", 200, 1, "group.updated", "ops", 2,
         "[\"name\"]", 0},
        {__LINE__, "a PATCH that breaks a rule (422): no event", T_GROUPS, "PATCH",
         "/api/groups/ops", MP, "{\"name\":\"\"}", 422, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "a PATCH that changes nothing: no event", T_GROUPS, "PATCH", "/api/groups/ops",
         MP, "{\"name\":\"Ops 2\"}", 200, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "a POST of an id that exists (409): no event", T_GROUPS, "POST", "/api/groups",
         AJ, "{\"id\":\"ops\",\"name\":\"Again\"}", 409, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "DELETE a group: group.deleted at the version it had", T_GROUPS, "DELETE",
         "/api/groups/ops", NULL, NULL, 204, 1, "group.deleted", "ops", 2, NULL, 0},
        {__LINE__, "DELETE it again (404): no event", T_GROUPS, "DELETE", "/api/groups/ops", NULL,
         NULL, 404, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "device app, new user and device: device.created, then user.created",
         T_DEVICE_APP, "POST", "/api/v1/device_app_user_update/", AJ,
         "{\"data\":{\"username\":\"evapp\",\"imei\":\"490154203237518\"}}", 201, 2, "user.created",
         NULL, 1, NULL, 0},
        {__LINE__, "device app, a new IMSI: device.updated, then user.updated", T_DEVICE_APP,
         "POST", "/api/v1/device_app_user_update/", AJ,
         "{\"data\":{\"username\":\"evapp\",\"imsi\":\"310150123456789\"}}", 201, 2, "user.updated",
         NULL, 2, "[\"imsi\"]", 0},
        {__LINE__, "an alert: alert.created", T_DEVICES, "POST", "/api/devices/@D/alerts", AJ,
         "{\"type\":\"sos\",\"time\":\"2026-01-02T03:04:05Z\"}", 201, 1, "alert.created", NULL, 1,
         NULL, 0},
        {__LINE__, "the same alert resent: no event", T_DEVICES, "POST", "/api/devices/@D/alerts",
         AJ, "{\"type\":\"sos\",\"time\":\"2026-01-02T03:04:05Z\"}", 200, 0, NULL, NULL, 0, NULL,
         0},
        {__LINE__, "PATCH a device: device.updated", T_DEVICES, "PATCH", "/api/devices/@D", MP,
         "{\"name\":\"Van\"}", 200, 1, "device.updated", "@D", 3, "[\"name\"]", 0},
        /* The users and devices resources. */
        {__LINE__, "POST a user: user.created", T_USERS, "POST", "/api/users", AJ,
         "{\"name\":\"Eve\",\"email\":\"eve@example.com\"}", 201, 1, "user.created", "@ID", 1, NULL,
         0},
        {__LINE__, "PATCH a user: user.updated naming both fields", T_USERS, "PATCH",
         "/api/users/@U", MP, "{\"name\":\"Eve 2\",\"country\":\"Colombia\"}", 200, 1,
         "user.updated", "@U", 2, "[\"name\",\"country\"]", 0},
        {__LINE__, "a user PATCH that breaks a rule (422): no event", T_USERS, "PATCH",
         "/api/users/@U", MP, "{\"country\":\"Narnia\"}", 422, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "a user POST with a taken email (422): no event", T_USERS, "POST", "/api/users",
         AJ, "{\"name\":\"Eve\",\"email\":\"EVE@example.com\"}", 422, 0, NULL, NULL, 0, NULL, 0},
        /* The device app writes the new device before the user, whose INSERT then breaks
         * the unique email: the device's event, kept for the COMMIT, is never sent. */
        {__LINE__, "device app, new device, then a taken email (409): no event", T_DEVICE_APP,
         "POST", "/api/v1/device_app_user_update/", AJ,
         "{\"data\":{\"username\":\"evdup\",\"imei\":\"356938035643809\","
         "\"profile\":{\"email\":\"eve@example.com\"}}}",
         409, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "DELETE a user: user.deleted at the version it had", T_USERS, "DELETE",
         "/api/users/@U", NULL, NULL, 204, 1, "user.deleted", "@U", 2, NULL, 0},
        {__LINE__, "POST a device: device.created", T_DEVICES, "POST", "/api/devices", AJ,
         "{\"name\":\"Truck\"}", 201, 1, "device.created", "@ID", 1, NULL, 0},
        {__LINE__, "PATCH a device: device.updated naming both fields", T_DEVICES, "PATCH",
         "/api/devices/@D", MP, "{\"name\":\"Truck 2\",\"disabled\":true}", 200, 1,
         "device.updated", "@D", 2, "[\"name\",\"disabled\"]", 0},
        {__LINE__, "a device PATCH that changes nothing: no event", T_DEVICES, "PATCH",
         "/api/devices/@D", MP, "{\"name\":\"Truck 2\"}", 200, 0, NULL, NULL, 0, NULL, 0},
        {__LINE__, "DELETE a device: device.deleted at the version it had", T_DEVICES, "DELETE",
         "/api/devices/@D", NULL, NULL, 204, 1, "device.deleted", "@D", 2, NULL, 0},
        {__LINE__, "POST a user: user.created (Zoe)", T_USERS, "POST", "/api/users", AJ,
         "{\"name\":\"Zoe\",\"email\":\"zoe@example.com\"}", 201, 1, "user.created", "@ID", 1, NULL,
         0},
        {__LINE__, "POST a user: user.created (Yan)", T_USERS, "POST", "/api/users", AJ,
         "{\"name\":\"Yan\",\"email\":\"yan@example.com\"}", 201, 1, "user.created", "@ID", 1, NULL,
         0},
        /* The audit row (and its event) and the UPDATE go with the COMMIT, in that order: the
         * event is inserted, the UPDATE breaks the unique email, the server rolls both back. */
        {__LINE__, "a user PATCH to a taken email (422): the event rolled back with it", T_USERS,
         "PATCH", "/api/users/@U", MP, "{\"email\":\"ZOE@example.com\"}", 422, 0, NULL, NULL, 0,
         NULL, 1},
};

/* The tenant's newest device and user ("dev-0", "usr-0" when there is none). */
struct newest {
	char dev[32], usr[32];
};

static void newest_of(struct tu_env *env, const char *tenant, struct newest *n)
{
	char *id;

	id = tu_scalar(env, "SELECT MAX(id) FROM devices WHERE tenant_id = ?", tenant, NULL, NULL);
	snprintf(n->dev, sizeof(n->dev), "dev-%s", id != NULL ? id : "0");
	free(id);
	id = tu_scalar(env, "SELECT MAX(id) FROM users WHERE tenant_id = ?", tenant, NULL, NULL);
	snprintf(n->usr, sizeof(n->usr), "usr-%s", id != NULL ? id : "0");
	free(id);
}

/* s with "@D" or "@U" replaced by n's device or user into buf. */
static const char *with_ids(const char *s, const struct newest *n, char *buf, size_t len)
{
	const char *at = s != NULL ? strstr(s, "@D") : NULL, *id = n->dev;

	if (at == NULL && s != NULL && (at = strstr(s, "@U")) != NULL)
		id = n->usr;
	if (at == NULL)
		return s;
	snprintf(buf, len, "%.*s%s%s", (int)(at - s), s, id, at + 2);
	return buf;
}

static long long events_of(struct tu_env *env, const char *tenant)
{
	return tu_scalar_int(env, "SELECT COUNT(*) FROM events WHERE tenant_id = ?", tenant, NULL,
	                     NULL);
}

/* The id the next event row takes: an INSERT that rolls back still moves it. */
static long long events_next_id(struct tu_env *env)
{
	return tu_scalar_int(env,
	                     "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE "
	                     "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events'",
	                     NULL, NULL, NULL);
}

/* The newest event's column col (owned by the caller; NULL for SQL NULL). */
static char *last_event(struct tu_env *env, const char *tenant, const char *col)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
	         "SELECT %s FROM events WHERE tenant_id = ? ORDER BY id DESC LIMIT 1", col);
	return tu_scalar(env, sql, tenant, NULL, NULL);
}

START_TEST(test_write_appends_event)
{
	const struct write_case *c = &write_cases[_i];
	struct tu_env env;
	char auth[96], tenant[24], ubuf[128], rbuf[64];
	struct newest n;
	char *v;
	struct tu_call call = {c->method, NULL, auth, c->ctype, c->body, NULL, NULL, NULL};
	cJSON *j = NULL;
	long long before, next_id;
	size_t i;

	tu_env_open(&env);
	snprintf(tenant, sizeof(tenant), "%llu", (unsigned long long)tu_tenant(&env, "ev-writes"));
	tu_token(&env, "ev-writes", ALL, 0, auth, NULL);
	/* Each case runs on what the cases before it made. */
	tu_exec(&env, "DELETE FROM events WHERE tenant_id = ?", tenant, NULL, NULL);
	for (i = 0; i < (size_t)_i; i++) {
		const struct write_case *p = &write_cases[i];
		struct tu_call pc = {p->method, NULL, auth, p->ctype, p->body, NULL, NULL, NULL};

		newest_of(&env, tenant, &n);
		pc.uri = with_ids(p->uri, &n, ubuf, sizeof(ubuf));
		tu_call_status(&env, handlers[p->target], &pc, NULL);
	}
	newest_of(&env, tenant, &n);
	call.uri = with_ids(c->uri, &n, ubuf, sizeof(ubuf));
	before = events_of(&env, tenant);
	next_id = events_next_id(&env);
	ck_assert_msg(tu_call_status(&env, handlers[c->target], &call, &j) == c->status,
	              "line %d (%s): status", c->line, c->desc);
	ck_assert_msg(events_of(&env, tenant) == before + c->events, "line %d (%s): %lld events",
	              c->line, c->desc, events_of(&env, tenant) - before);
	if (c->discarded)
		ck_assert_msg(events_next_id(&env) > next_id,
		              "line %d (%s): no event was inserted before the write failed",
		              c->line, c->desc);
	if (c->events == 0)
		goto out;
	v = last_event(&env, tenant, "type");
	ck_assert_msg(v != NULL && strcmp(v, c->type) == 0, "line %d (%s): type %s", c->line,
	              c->desc, v != NULL ? v : "(none)");
	free(v);
	v = last_event(&env, tenant, "version");
	ck_assert_msg(v != NULL && strtoll(v, NULL, 10) == c->version, "line %d (%s): version %s",
	              c->line, c->desc, v != NULL ? v : "(none)");
	free(v);
	/* The request's id, the one its audit row carries (alerts have none). */
	v = last_event(&env, tenant, "request_id");
	ck_assert_msg(v != NULL && strlen(v) == 32, "line %d (%s): request id %s", c->line, c->desc,
	              v != NULL ? v : "(none)");
	if (strstr(c->uri, "/alerts") == NULL)
		ck_assert_msg(tu_scalar_int(&env,
		                            "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? "
		                            "AND request_id = ?",
		                            tenant, v, NULL) > 0,
		              "line %d (%s): no audit row of request %s", c->line, c->desc, v);
	free(v);
	if (c->resource != NULL) {
		const char *want = with_ids(c->resource, &n, rbuf, sizeof(rbuf));
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");

		if (strcmp(c->resource, "@ID") == 0)
			want = cJSON_IsString(id) ? id->valuestring : "(no id in the answer)";
		v = last_event(&env, tenant, "resource_id");
		ck_assert_msg(v != NULL && strcmp(v, want) == 0,
		              "line %d (%s): resource %s, not %s", c->line, c->desc,
		              v != NULL ? v : "(none)", want);
		free(v);
	}
	v = last_event(&env, tenant, "changed_fields");
	if (c->changed == NULL)
		ck_assert_msg(v == NULL, "line %d (%s): changed %s", c->line, c->desc, v);
	else
		ck_assert_msg(v != NULL && strcmp(v, c->changed) == 0, "line %d (%s): changed %s",
		              c->line, c->desc, v != NULL ? v : "(null)");
	free(v);
out:
	cJSON_Delete(j);
	tu_env_close(&env);
}
END_TEST

/* GET uri with auth through the events handler: the status, *j the body. */
static int feed(struct tu_env *env, const char *auth, const char *uri, cJSON **j)
{
	struct tu_call c = {"GET", uri, auth, NULL, NULL, NULL, NULL, NULL};

	return tu_call_status(env, up_events_handle, &c, j);
}

/* The types of a page, comma separated, into buf; its ids must be from+1, from+2... */
static void page_types(const cJSON *j, uint64_t from, char *buf, size_t len)
{
	const cJSON *e;
	size_t n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "events"))
	{
		ck_assert_int_eq((long long)cJSON_GetObjectItem(e, "id")->valuedouble,
		                 (long long)++from);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 0 ? "," : "",
		                      cJSON_GetObjectItem(e, "type")->valuestring);
		ck_assert_uint_lt(n, len);
	}
}

struct feed_case {
	int line;
	const char *desc;
	int token; /* 0: events:read of the tenant, 1: without the scope, 2: another tenant's */
	const char *query;
	int status;
	uint64_t from;     /* the first id is from + 1 */
	const char *types; /* the page's types, in order */
	long long next;    /* -1: not checked */
};

static const struct feed_case feed_cases[] = {
        {__LINE__, "everything, in order", 0, "", 200, 0,
         "group.created,group.updated,user.created,alert.created", 4},
        {__LINE__, "after a cursor, a limit", 0, "?after=1&limit=2", 200, 1,
         "group.updated,user.created", 3},
        {__LINE__, "past the end: empty, the cursor stays", 0, "?after=4", 200, 4, "", 4},
        {__LINE__, "types: a noun's every type", 0, "?types=group.*", 200, 0,
         "group.created,group.updated", 2},
        {__LINE__, "types: a list", 0, "?types=alert.created,user.created", 200, 2,
         "user.created,alert.created", 4},
        {__LINE__, "types: unknown (400)", 0, "?types=user.renamed", 400, 0, NULL, -1},
        {__LINE__, "limit 0 (400)", 0, "?limit=0", 400, 0, NULL, -1},
        {__LINE__, "limit over 1000 (400)", 0, "?limit=1001", 400, 0, NULL, -1},
        {__LINE__, "after is not a number (400)", 0, "?after=x", 400, 0, NULL, -1},
        {__LINE__, "an unknown parameter (400)", 0, "?since=1", 400, 0, NULL, -1},
        {__LINE__, "a token without events:read (403)", 1, "", 403, 0, NULL, -1},
        {__LINE__, "another tenant sees none of them", 2, "", 200, 0, "", 0},
};

START_TEST(test_feed)
{
	const struct feed_case *c = &feed_cases[_i];
	struct tu_env env;
	char auth[3][96], uri[128], types[512], ubuf[64], *dev;
	cJSON *j = NULL;
	int status;

	tu_env_open(&env);
	tu_token(&env, "ev-feed", ALL, 0, auth[0], NULL);
	tu_token(&env, "ev-feed", "groups:read,groups:write", 0, auth[1], NULL);
	tu_token(&env, "ev-feed-other", ALL, 0, auth[2], NULL);
	if (tu_scalar_int(&env,
	                  "SELECT COUNT(*) FROM events e JOIN tenants t ON t.id = e.tenant_id "
	                  "WHERE t.name = 'ev-feed'",
	                  NULL, NULL, NULL) == 0) {
		struct tu_call w[] = {
		        {"POST", "/api/groups", auth[0], AJ, "{\"id\":\"f\",\"name\":\"F\"}", NULL,
		         NULL, NULL},
		        {"PATCH", "/api/groups/f", auth[0], MP, "{\"name\":\"G\"}", NULL, NULL,
		         NULL},
		        {"POST", "/api/v1/device_app_user_update/", auth[0], AJ,
		         "{\"data\":{\"username\":\"feed\"}}", NULL, NULL, NULL},
		};

		ck_assert_int_eq(tu_call_status(&env, up_groups_handle, &w[0], NULL), 201);
		ck_assert_int_eq(tu_call_status(&env, up_groups_handle, &w[1], NULL), 200);
		ck_assert_int_eq(tu_call_status(&env, up_device_app_handle, &w[2], NULL), 201);
		/* A device made by hand (no event), then its alert. */
		tu_exec(&env,
		        "INSERT INTO devices (tenant_id, imei) SELECT id, '353918053412348' FROM "
		        "tenants WHERE name = ?",
		        "ev-feed", NULL, NULL);
		dev = tu_scalar(&env,
		                "SELECT MAX(d.id) FROM devices d JOIN tenants t ON "
		                "t.id = d.tenant_id WHERE t.name = ?",
		                "ev-feed", NULL, NULL);
		snprintf(ubuf, sizeof(ubuf), "/api/devices/dev-%s/alerts", dev);
		free(dev);
		{
			struct tu_call a = {"POST",
			                    ubuf,
			                    auth[0],
			                    AJ,
			                    "{\"type\":\"sos\",\"time\":\"2026-01-02T03:04:05Z\"}",
			                    NULL,
			                    NULL,
			                    NULL};

			ck_assert_int_eq(tu_call_status(&env, up_devices_handle, &a, NULL), 201);
		}
	}
	snprintf(uri, sizeof(uri), "/api/events%s", c->query);
	status = feed(&env, auth[c->token], uri, &j);
	ck_assert_msg(status == c->status, "line %d (%s): status %d", c->line, c->desc, status);
	if (c->types != NULL) {
		page_types(j, c->from, types, sizeof(types));
		ck_assert_msg(strcmp(types, c->types) == 0, "line %d (%s): %s", c->line, c->desc,
		              types);
	}
	if (c->next >= 0)
		ck_assert_int_eq((long long)cJSON_GetObjectItem(j, "next")->valuedouble, c->next);
	if (status != 200)
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "code"));
	cJSON_Delete(j);
	tu_env_close(&env);
}
END_TEST

#define WRITERS 8
#define PER_WRITER 30

/* A writer: own connection, PER_WRITER groups; exit status = number of failed requests. */
static void writer(int w, const char *auth)
{
	struct tu_env env;
	int i, failed = 0;

	tu_env_open(&env);
	for (i = 0; i < PER_WRITER; i++) {
		char body[96];
		struct tu_call c = {"POST", "/api/groups", auth, AJ, body, NULL, NULL, NULL};

		snprintf(body, sizeof(body), "{\"id\":\"w%d-%d\",\"name\":\"W\"}", w, i);
		if (tu_call_status(&env, up_groups_handle, &c, NULL) != 201)
			failed++;
		usleep(5000); /* spread the commits over the reader's reads */
	}
	tu_env_close(&env);
	_exit(failed > 100 ? 100 : failed);
}

/* Follow the cursor once: every event of the page is new, ids follow each other. */
static int follow(struct tu_env *env, const char *auth, uint64_t *cursor,
                  int seen[WRITERS][PER_WRITER])
{
	char uri[64];
	const cJSON *e;
	cJSON *j = NULL;
	int n = 0, w, i;

	snprintf(uri, sizeof(uri), "/api/events?after=%llu&limit=7", (unsigned long long)*cursor);
	ck_assert_int_eq(feed(env, auth, uri, &j), 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "events"))
	{
		const char *res = cJSON_GetObjectItem(e, "resourceId")->valuestring;

		ck_assert_int_eq((long long)cJSON_GetObjectItem(e, "id")->valuedouble,
		                 (long long)*cursor + 1);
		ck_assert_int_eq(sscanf(res, "w%d-%d", &w, &i), 2);
		ck_assert(w >= 0 && w < WRITERS && i >= 0 && i < PER_WRITER);
		ck_assert_msg(seen[w][i] == 0, "%s seen twice", res);
		seen[w][i] = 1;
		++*cursor;
		n++;
	}
	ck_assert_int_eq((long long)cJSON_GetObjectItem(j, "next")->valuedouble,
	                 (long long)*cursor);
	cJSON_Delete(j);
	return n;
}

START_TEST(test_cursor_under_concurrent_writers)
{
	static int seen[WRITERS][PER_WRITER];
	struct tu_env env;
	char auth[96];
	pid_t pids[WRITERS];
	uint64_t cursor = 0;
	int w, i, running = WRITERS, total = 0, reads = 0;

	tu_env_open(&env);
	tu_token(&env, "ev-conc", "groups:write,events:read", 0, auth, NULL);
	for (w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0)
			writer(w, auth);
	}
	/* Read while they write; then once more after the last has finished. */
	while (running > 0) {
		total += follow(&env, auth, &cursor, seen);
		reads++;
		for (w = 0; w < WRITERS; w++) {
			int st = 0;

			if (pids[w] == 0 || waitpid(pids[w], &st, WNOHANG) != pids[w])
				continue;
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", w);
			pids[w] = 0;
			running--;
		}
	}
	while (follow(&env, auth, &cursor, seen) > 0)
		total++;
	total = (int)cursor;
	ck_assert_int_eq(total, WRITERS * PER_WRITER);
	for (w = 0; w < WRITERS; w++)
		for (i = 0; i < PER_WRITER; i++)
			ck_assert_msg(seen[w][i] == 1, "w%d-%d never seen", w, i);
	ck_assert_msg(reads > 1, "only %d reads while the writers ran", reads);
	tu_env_close(&env);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("events");
	TCase *t = tcase_create("events");

	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, test_write_appends_event, 0,
	                    (int)(sizeof(write_cases) / sizeof(write_cases[0])));
	tcase_add_loop_test(t, test_feed, 0, (int)(sizeof(feed_cases) / sizeof(feed_cases[0])));
	tcase_add_test(t, test_cursor_under_concurrent_writers);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
