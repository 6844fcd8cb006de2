/* SPDX-License-Identifier: ISC */
/*
 * test_devices_track.c: positions and alerts of the Devices API at handler
 * level against the private MariaDB of tests/harness/run-test: every
 * status of POST/GET .../locations, GET .../lastLocation and POST/GET
 * .../alerts, duplicates, a bad batch that stores nothing, tenant
 * isolation, the devices:report scope, and lastLocation under 8 concurrent
 * clients posting interleaved, shuffled batches.  JSON is written with '.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "devices.h"
#include "position.h"
#include "testutil.h"

struct fx {
	struct tu_env env;
	uint64_t tenant;
	char tenant_id[24];
	char dev[32];    /* "dev-<n>" of a device of the tenant */
	char report[96]; /* devices:report */
	char read[96];   /* devices:read */
	char write[96];  /* devices:write */
	char other[96];  /* devices:read,devices:report of another tenant */
	char other_dev[32];
};

/* A device row of tenant (id as text) in the one devices table; its public id into out. */
static void make_device(struct tu_env *env, const char *tenant_id, char *out, size_t len)
{
	char *id;

	tu_exec(env, "INSERT INTO devices (tenant_id) VALUES (?)", tenant_id, NULL, NULL);
	id = tu_scalar(env, "SELECT MAX(id) FROM devices WHERE tenant_id = ?", tenant_id, NULL,
	               NULL);
	ck_assert_ptr_nonnull(id);
	snprintf(out, len, "dev-%s", id);
	free(id);
}

static void fx_open(struct fx *fx, const char *tenant)
{
	char other[48], other_id[24];

	memset(fx, 0, sizeof(*fx));
	tu_env_open(&fx->env);
	fx->env.batch = 1;
	fx->tenant = tu_tenant(&fx->env, tenant);
	snprintf(fx->tenant_id, sizeof(fx->tenant_id), "%llu", (unsigned long long)fx->tenant);
	tu_token(&fx->env, tenant, "devices:report", 0, fx->report, NULL);
	tu_token(&fx->env, tenant, "devices:read", 0, fx->read, NULL);
	tu_token(&fx->env, tenant, "devices:write", 0, fx->write, NULL);
	make_device(&fx->env, fx->tenant_id, fx->dev, sizeof(fx->dev));
	snprintf(other, sizeof(other), "%s-other", tenant);
	snprintf(other_id, sizeof(other_id), "%llu",
	         (unsigned long long)tu_tenant(&fx->env, other));
	tu_token(&fx->env, other, "devices:read,devices:report", 0, fx->other, NULL);
	make_device(&fx->env, other_id, fx->other_dev, sizeof(fx->other_dev));
}

static void fx_close(struct fx *fx)
{
	tu_env_close(&fx->env);
}

/* One request; returns the status, *json the body (caller frees; may be NULL). */
static int call(struct fx *fx, const char *method, const char *uri, const char *auth,
                const char *ctype, const char *body, cJSON **json)
{
	char *b = body != NULL ? tu_q(body) : NULL;
	struct tu_call c = {method, uri, auth, ctype, b, NULL, NULL, NULL};
	int status = tu_call_status(&fx->env, up_devices_handle, &c, json);

	free(b);
	return status;
}

/* URI of a sub-resource of device dev ("" for the device). Static buffer. */
static const char *uri(const char *dev, const char *sub)
{
	static char buf[4][160];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "/api/devices/%s%s%s", dev, sub[0] ? "/" : "", sub);
	return buf[k];
}

static int post(struct fx *fx, const char *dev, const char *sub, const char *auth, const char *body,
                cJSON **json)
{
	return call(fx, "POST", uri(dev, sub), auth, "application/json", body, json);
}

static int get(struct fx *fx, const char *u, const char *auth, cJSON **json)
{
	return call(fx, "GET", u, auth, NULL, NULL, json);
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
	return v->valuedouble;
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
	              got != NULL ? got : "(none)", want);
}

/* The device's positions and newest fix time, for before/after comparisons. */
static char *state(struct fx *fx, const char *dev)
{
	char *s;
	const char *id = dev + 4;

	s = tu_scalar(&fx->env,
	              "SELECT CONCAT_WS('|', (SELECT COUNT(*) FROM positions WHERE device_id = ?), "
	              "(SELECT IFNULL(last_fix_time, '-') FROM devices WHERE id = ?), "
	              "(SELECT COUNT(*) FROM alerts WHERE device_id = ?))",
	              id, id, id);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* A position at 2025-06-01 10:00:00 + sec seconds. */
static void pos_text(char *buf, size_t len, int sec, double lat)
{
	snprintf(buf, len,
	         "{'time': '2025-06-01T%02d:%02d:%02dZ', 'latitude': %.6f, 'longitude': 2.5}",
	         10 + sec / 3600, sec / 60 % 60, sec % 60, lat);
}

START_TEST(test_post_one_then_last_location)
{
	struct fx fx;
	cJSON *j = NULL;

	fx_open(&fx, "track-one");
	ck_assert_int_eq(get(&fx, uri(fx.dev, "lastLocation"), fx.read, &j), 404);
	expect_str(j, "code", "no_location");
	cJSON_Delete(j);
	ck_assert_int_eq(
	        post(&fx, fx.dev, "locations", fx.report,
	             "{'time': '2025-06-01T10:00:00.5+02:00', 'latitude': 48.858370123, "
	             "'longitude': 2.294481, 'altitude': 35, 'speed': 12.5, 'course': 270, "
	             "'accuracy': 3, 'attributes': {'ignition': true, 'odometer': 12345}}",
	             &j),
	        201);
	ck_assert_int_eq((int)num(j, "accepted"), 1);
	ck_assert_int_eq((int)num(j, "duplicates"), 0);
	expect_str(j, "deviceId", fx.dev);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, uri(fx.dev, "lastLocation"), fx.read, &j), 200);
	expect_str(j, "deviceId", fx.dev);
	expect_str(j, "time", "2025-06-01T08:00:00.5Z");
	ck_assert(num(j, "latitude") == 48.858370123);
	ck_assert(num(j, "longitude") == 2.294481);
	ck_assert(num(j, "course") == 270);
	ck_assert(num(j, "speed") == 12.5);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(j, "attributes"), "ignition")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

START_TEST(test_duplicates_and_arrival_order)
{
	struct fx fx;
	cJSON *j = NULL;
	char *s, *after;

	fx_open(&fx, "track-dup");
	/* The newest fix first, then older ones: lastLocation stays on the newest. */
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report,
	                      "[{'time': '2025-06-01T12:00:00Z', 'latitude': 3, 'longitude': 3}]",
	                      &j),
	                 201);
	cJSON_Delete(j);
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report,
	                      "[{'time': '2025-06-01T11:00:00Z', 'latitude': 1, 'longitude': 1},"
	                      " {'time': '2025-06-01T11:30:00Z', 'latitude': 2, 'longitude': 2},"
	                      " {'time': '2025-06-01T11:30:00Z', 'latitude': 9, 'longitude': 9},"
	                      " {'time': '2025-06-01T12:00:00Z', 'latitude': 9, 'longitude': 9}]",
	                      &j),
	                 201);
	ck_assert_int_eq((int)num(j, "accepted"), 2);
	ck_assert_int_eq((int)num(j, "duplicates"), 2);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, uri(fx.dev, "lastLocation"), fx.read, &j), 200);
	expect_str(j, "time", "2025-06-01T12:00:00Z");
	ck_assert(num(j, "latitude") == 3);
	cJSON_Delete(j);
	/* A resend after a timeout: all duplicates, 200, nothing changes. */
	s = state(&fx, fx.dev);
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report,
	                      "[{'time': '2025-06-01T11:00:00Z', 'latitude': 1, 'longitude': 1},"
	                      " {'time': '2025-06-01T11:30:00Z', 'latitude': 2, 'longitude': 2}]",
	                      &j),
	                 200);
	ck_assert_int_eq((int)num(j, "accepted"), 0);
	ck_assert_int_eq((int)num(j, "duplicates"), 2);
	cJSON_Delete(j);
	after = state(&fx, fx.dev);
	ck_assert_str_eq(after, s);
	ck_assert_str_eq(s, "3|2025-06-01 12:00:00.000000|0");
	free(s);
	free(after);
	/* The first stored fix of a time wins: the duplicate's latitude 9 was skipped. */
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT latitude FROM positions WHERE device_id = ? AND "
	                               "fix_time = '2025-06-01 11:30:00'",
	                               fx.dev + 4, NULL, NULL),
	                 2);
	fx_close(&fx);
}
END_TEST

START_TEST(test_bad_batch_stores_nothing)
{
	struct fx fx;
	cJSON *j = NULL, *d;
	char *before, *after;

	fx_open(&fx, "track-bad");
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report,
	                      "{'time': '2025-06-01T09:00:00Z', 'latitude': 1, 'longitude': 1}",
	                      &j),
	                 201);
	cJSON_Delete(j);
	before = state(&fx, fx.dev);
	ck_assert_int_eq(
	        post(&fx, fx.dev, "locations", fx.report,
	             "[{'time': '2025-06-01T10:00:00Z', 'latitude': 1, 'longitude': 1},"
	             " {'time': '2025-06-01T10:00:01Z', 'latitude': -90.5, 'longitude': 1},"
	             " {'time': '2025-06-01T10:00:02Z', 'latitude': 1, 'longitude': 1},"
	             " {'time': '2099-01-01T00:00:00Z', 'latitude': 1, 'longitude': 1, "
	             "'course': 360}]",
	             &j),
	        422);
	expect_str(j, "code", "validation_failed");
	d = cJSON_GetObjectItemCaseSensitive(j, "details");
	ck_assert_int_eq(cJSON_GetArraySize(d), 3);
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(d, 0), "index"), 1);
	expect_str(cJSON_GetArrayItem(d, 0), "field", "latitude");
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(d, 1), "index"), 3);
	expect_str(cJSON_GetArrayItem(d, 1), "field", "time");
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(d, 2), "index"), 3);
	expect_str(cJSON_GetArrayItem(d, 2), "field", "course");
	cJSON_Delete(j);
	after = state(&fx, fx.dev);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	fx_close(&fx);
}
END_TEST

/*
 * 1,000 empty positions: 3,000 problems (time, latitude, longitude of each).
 * The answer lists UP_ERROR_MAX_DETAILS of them and counts the rest, so it
 * stays small (it was 3,000 details, megabytes for a larger batch), and
 * nothing is stored.
 */
START_TEST(test_bad_batch_details_capped)
{
	struct fx fx;
	size_t len = 2 + UP_POS_MAX_BATCH * 3;
	char *b = malloc(len), *before, *after;
	struct up_response resp;
	struct tu_call c = {"POST", NULL, NULL, "application/json", NULL, NULL, NULL, NULL};
	cJSON *j = NULL, *d;
	int i;

	ck_assert_ptr_nonnull(b);
	strcpy(b, "[");
	for (i = 0; i < UP_POS_MAX_BATCH; i++)
		strcat(b, i ? ",{}" : "{}");
	strcat(b, "]");
	fx_open(&fx, "track-cap");
	before = state(&fx, fx.dev);
	c.uri = uri(fx.dev, "locations");
	c.auth = fx.report;
	c.body = b;
	tu_call(&fx.env, up_devices_handle, &c, &resp, &j);
	ck_assert_int_eq(resp.status, 422);
	ck_assert_msg(resp.body_len < 65536, "a %zu-byte answer", resp.body_len);
	expect_str(j, "code", "validation_failed");
	d = cJSON_GetObjectItemCaseSensitive(j, "details");
	ck_assert_int_eq(cJSON_GetArraySize(d), UP_ERROR_MAX_DETAILS);
	ck_assert_int_eq((int)num(j, "moreDetails"), 3 * UP_POS_MAX_BATCH - UP_ERROR_MAX_DETAILS);
	/* The first ones, in order: element 0's time, latitude, longitude, then element 1's. */
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(d, 0), "index"), 0);
	expect_str(cJSON_GetArrayItem(d, 0), "field", "time");
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(d, 3), "index"), 1);
	up_response_free(&resp);
	cJSON_Delete(j);
	after = state(&fx, fx.dev);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	free(b);
	fx_close(&fx);
}
END_TEST

/* A fix time more than max_future_fix ahead: 422 with the detail code fix_in_future. */
static const struct future_case {
	int line;
	const char *desc;
	unsigned long max_future_fix;
	long ahead; /* seconds after now */
	int status;
} future_cases[] = {
        {__LINE__, "default (300 s), 4 minutes ahead", 300, 240, 201},
        {__LINE__, "default (300 s), 10 minutes ahead", 300, 600, 422},
        {__LINE__, "max_future_fix = 0, 1 minute ahead", 0, 60, 422},
        {__LINE__, "max_future_fix = 3600, 30 minutes ahead", 3600, 1800, 201},
};

START_TEST(test_max_future_fix)
{
	const struct future_case *c = &future_cases[_i];
	struct fx fx;
	char body[160], when[32], *before, *after;
	time_t t = time(NULL) + c->ahead;
	cJSON *j = NULL, *d;
	int k;

	fx_open(&fx, "track-future");
	fx.env.cfg.max_future_fix = c->max_future_fix;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	for (k = 0; k < 2; k++) {
		const char *sub = k == 0 ? "locations" : "alerts";

		if (k == 0)
			snprintf(body, sizeof(body),
			         "{'time': '%s', 'latitude': 1, 'longitude': 2}", when);
		else
			snprintf(body, sizeof(body), "{'type': 'sos', 'time': '%s'}", when);
		before = state(&fx, fx.dev);
		ck_assert_msg(post(&fx, fx.dev, sub, fx.report, body, &j) == c->status,
		              "line %d (%s): %s", c->line, c->desc, sub);
		after = state(&fx, fx.dev);
		if (c->status == 422) {
			d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "details"), 0);
			expect_str(d, "field", "time");
			expect_str(d, "code", "fix_in_future");
			ck_assert_str_eq(after, before);
		} else {
			ck_assert_str_ne(after, before);
		}
		free(before);
		free(after);
		cJSON_Delete(j);
	}
	fx_close(&fx);
}
END_TEST

/* A batch of n positions starting at second `start`; owned by the caller. */
static char *batch(int start, int n)
{
	size_t len = (size_t)n * 96 + 8, used = 1;
	char *b = malloc(len), one[96];
	int i;

	ck_assert_ptr_nonnull(b);
	strcpy(b, "[");
	for (i = 0; i < n; i++) {
		pos_text(one, sizeof(one), start + i, 40.0 + i / 10000.0);
		used += (size_t)snprintf(b + used, len - used, "%s%s", i ? "," : "", one);
	}
	snprintf(b + used, len - used, "]");
	return b;
}

START_TEST(test_full_batch)
{
	struct fx fx;
	cJSON *j = NULL;
	char *b = batch(0, UP_POS_MAX_BATCH), *over = batch(0, UP_POS_MAX_BATCH + 1);

	fx_open(&fx, "track-full");
	ck_assert_int_gt(strlen(b), fx.env.cfg.max_body); /* larger than other bodies may be */
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, b, &j), 201);
	ck_assert_int_eq((int)num(j, "accepted"), UP_POS_MAX_BATCH);
	cJSON_Delete(j);
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, over, &j), 422);
	expect_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "details"), 0), "field",
	           "positions");
	cJSON_Delete(j);
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                               fx.dev + 4, NULL, NULL),
	                 UP_POS_MAX_BATCH);
	/* Over max_batch_body: 413, and nothing of it is stored. */
	fx.env.cfg.max_batch_body = strlen(b) - 1;
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, over, &j), 413);
	expect_str(j, "code", "payload_too_large");
	cJSON_Delete(j);
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                               fx.dev + 4, NULL, NULL),
	                 UP_POS_MAX_BATCH);
	/* Other bodies are held to max_body: an alert that large is a 413. */
	ck_assert_int_eq(post(&fx, fx.dev, "alerts", fx.report, b, &j), 413);
	cJSON_Delete(j);
	free(b);
	free(over);
	fx_close(&fx);
}
END_TEST

START_TEST(test_route_history)
{
	struct fx fx;
	cJSON *j = NULL, *p;
	char *b = batch(0, 5), u[256];
	const char *next;

	fx_open(&fx, "track-history");
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, b, &j), 201);
	cJSON_Delete(j);
	free(b);
	/* Pages of 2 in time order, following nextCursor. */
	snprintf(u, sizeof(u), "%s?limit=2", uri(fx.dev, "locations"));
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	p = cJSON_GetObjectItemCaseSensitive(j, "positions");
	ck_assert_int_eq(cJSON_GetArraySize(p), 2);
	expect_str(cJSON_GetArrayItem(p, 0), "time", "2025-06-01T10:00:00Z");
	expect_str(cJSON_GetArrayItem(p, 1), "time", "2025-06-01T10:00:01Z");
	next = str(j, "nextCursor");
	ck_assert_str_eq(next, "2025-06-01T10:00:01Z");
	snprintf(u, sizeof(u), "%s?limit=2&cursor=%s", uri(fx.dev, "locations"), next);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	p = cJSON_GetObjectItemCaseSensitive(j, "positions");
	ck_assert_int_eq(cJSON_GetArraySize(p), 2);
	expect_str(cJSON_GetArrayItem(p, 0), "time", "2025-06-01T10:00:02Z");
	snprintf(u, sizeof(u), "%s?limit=2&cursor=%s", uri(fx.dev, "locations"),
	         str(j, "nextCursor"));
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "positions")), 1);
	ck_assert_ptr_null(str(j, "nextCursor"));
	cJSON_Delete(j);
	/* from inclusive, to exclusive; an offset in the parameter is honoured. */
	snprintf(u, sizeof(u), "%s?from=2025-06-01T10:00:01Z&to=2025-06-01T12:00:03%%2B02:00",
	         uri(fx.dev, "locations"));
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	p = cJSON_GetObjectItemCaseSensitive(j, "positions");
	ck_assert_int_eq(cJSON_GetArraySize(p), 2);
	expect_str(cJSON_GetArrayItem(p, 0), "time", "2025-06-01T10:00:01Z");
	expect_str(cJSON_GetArrayItem(p, 1), "time", "2025-06-01T10:00:02Z");
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

struct status_case {
	int line;
	const char *desc;
	const char *method;
	const char *sub;   /* sub-resource of the fixture's device, or a full URI with '/' */
	int token;         /* 0 none, 1 report, 2 read, 3 write, 4 other tenant */
	const char *ctype; /* NULL: application/json when there is a body */
	const char *body;
	int status;
	const char *code; /* NULL: success */
};

static const struct status_case status_cases[] = {
        {__LINE__, "no token", "GET", "lastLocation", 0, NULL, NULL, 401, "invalid_token"},
        {__LINE__, "report token cannot read lastLocation", "GET", "lastLocation", 1, NULL, NULL,
         403, "insufficient_scope"},
        {__LINE__, "report token cannot read locations", "GET", "locations", 1, NULL, NULL, 403,
         "insufficient_scope"},
        {__LINE__, "report token cannot read alerts", "GET", "alerts", 1, NULL, NULL, 403,
         "insufficient_scope"},
        {__LINE__, "read token cannot post locations", "POST", "locations", 2, NULL,
         "{'time': '2025-06-01T10:00:00Z', 'latitude': 1, 'longitude': 1}", 403,
         "insufficient_scope"},
        {__LINE__, "write token cannot post alerts", "POST", "alerts", 3, NULL,
         "{'type': 'sos', 'time': '2025-06-01T10:00:00Z'}", 403, "insufficient_scope"},
        {__LINE__, "another tenant's device is not found (post)", "POST", "locations", 4, NULL,
         "{'time': '2025-06-01T10:00:00Z', 'latitude': 1, 'longitude': 1}", 404, "not_found"},
        {__LINE__, "another tenant's device is not found (last)", "GET", "lastLocation", 4, NULL,
         NULL, 404, "not_found"},
        {__LINE__, "another tenant's device is not found (alert)", "POST", "alerts", 4, NULL,
         "{'type': 'sos', 'time': '2025-06-01T10:00:00Z'}", 404, "not_found"},
        {__LINE__, "another tenant's device is not found (alerts)", "GET", "alerts", 4, NULL, NULL,
         404, "not_found"},
        {__LINE__, "another tenant's device is not found (history)", "GET", "locations", 4, NULL,
         NULL, 404, "not_found"},
        {__LINE__, "absent device", "GET", "/api/devices/dev-999999/lastLocation", 2, NULL, NULL,
         404, "not_found"},
        {__LINE__, "malformed device id", "POST", "/api/devices/usr-1/locations", 1, NULL,
         "{'time': '2025-06-01T10:00:00Z', 'latitude': 1, 'longitude': 1}", 404, "not_found"},
        {__LINE__, "unknown sub-resource", "GET", "/api/devices/dev-1/trips", 2, NULL, NULL, 404,
         "not_found"},
        {__LINE__, "DELETE of locations", "DELETE", "locations", 3, NULL, NULL, 405,
         "method_not_allowed"},
        {__LINE__, "POST to lastLocation", "POST", "lastLocation", 1, NULL, "{}", 405,
         "method_not_allowed"},
        {__LINE__, "form body", "POST", "locations", 1, "application/x-www-form-urlencoded",
         "time=now", 415, "unsupported_media_type"},
        {__LINE__, "no body", "POST", "locations", 1, "application/json", NULL, 400,
         "invalid_json"},
        {__LINE__, "broken JSON", "POST", "locations", 1, NULL, "[{'time': ", 400, "invalid_json"},
        {__LINE__, "a string instead of positions", "POST", "locations", 1, NULL, "'here'", 400,
         "invalid_data"},
        {__LINE__, "an alert as an array", "POST", "alerts", 1, NULL, "[]", 400, "invalid_data"},
        {__LINE__, "bad alert", "POST", "alerts", 1, NULL, "{'type': 'meteor'}", 422,
         "validation_failed"},
        {__LINE__, "unknown query parameter", "GET", "locations?since=1", 2, NULL, NULL, 400,
         "bad_request"},
        {__LINE__, "from not a date", "GET", "locations?from=yesterday", 2, NULL, NULL, 400,
         "bad_request"},
        {__LINE__, "from after to", "GET",
         "locations?from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", 2, NULL, NULL, 400,
         "bad_request"},
        {__LINE__, "limit 0", "GET", "locations?limit=0", 2, NULL, NULL, 400, "bad_request"},
        {__LINE__, "limit over 1000", "GET", "locations?limit=1001", 2, NULL, NULL, 400,
         "bad_request"},
        {__LINE__, "alerts offset negative", "GET", "alerts?offset=-1", 2, NULL, NULL, 400,
         "bad_request"},
        {__LINE__, "alerts count other than exact", "GET", "alerts?count=estimate", 2, NULL, NULL,
         400, "bad_request"},
        {__LINE__, "alerts offset at the window's edge", "GET", "alerts?offset=10000", 2, NULL,
         NULL, 200, NULL},
        {__LINE__, "alerts offset one past the window", "GET", "alerts?offset=10001", 2, NULL, NULL,
         400, "offset_too_large"},
        {__LINE__, "alerts offset far past it", "GET", "alerts?offset=900000&limit=50", 2, NULL,
         NULL, 400, "offset_too_large"},
        {__LINE__, "alerts cursor and offset", "GET", "alerts?cursor=alr-1&offset=1", 2, NULL, NULL,
         400, "bad_request"},
        {__LINE__, "alerts cursor not an alert id", "GET", "alerts?cursor=dev-1", 2, NULL, NULL,
         400, "bad_request"},
        {__LINE__, "alerts cursor of no alert of the device: an empty page", "GET",
         "alerts?cursor=alr-999999999", 2, NULL, NULL, 200, NULL},
        {__LINE__, "lastLocation takes no parameters", "GET", "lastLocation?x=1", 2, NULL, NULL,
         400, "bad_request"},
        {__LINE__, "history of a device without positions", "GET", "locations", 2, NULL, NULL, 200,
         NULL},
        {__LINE__, "alerts of a device without alerts", "GET", "alerts", 2, NULL, NULL, 200, NULL},
};

START_TEST(test_statuses)
{
	const struct status_case *c = &status_cases[_i];
	const char *tokens[5];
	struct fx fx;
	char u[256], *before, *after;
	cJSON *j = NULL;
	int status;

	fx_open(&fx, "track-status");
	tokens[0] = NULL;
	tokens[1] = fx.report;
	tokens[2] = fx.read;
	tokens[3] = fx.write;
	tokens[4] = fx.other;
	if (c->sub[0] == '/')
		snprintf(u, sizeof(u), "%s", c->sub);
	else
		snprintf(u, sizeof(u), "%s", uri(fx.dev, c->sub));
	before = state(&fx, fx.dev);
	status = call(&fx, c->method, u, tokens[c->token],
	              c->ctype != NULL ? c->ctype : (c->body != NULL ? "application/json" : NULL),
	              c->body, &j);
	ck_assert_msg(status == c->status, "line %d (%s): status %d, expected %d", c->line, c->desc,
	              status, c->status);
	if (c->code != NULL) {
		expect_str(j, "code", c->code);
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "success")));
		/* The cap's sentence says how to page on. */
		if (strcmp(c->code, "offset_too_large") == 0)
			ck_assert_msg(strstr(str(j, "error"), "cursor") != NULL, "line %d: %s",
			              c->line, str(j, "error"));
	}
	after = state(&fx, fx.dev);
	ck_assert_msg(strcmp(before, after) == 0, "line %d: the device changed", c->line);
	free(before);
	free(after);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

START_TEST(test_options_and_allow)
{
	struct fx fx;
	struct up_response resp;
	struct tu_call c = {"OPTIONS", NULL, NULL, NULL, NULL, NULL, NULL, NULL};

	fx_open(&fx, "track-options");
	c.uri = uri(fx.dev, "locations");
	tu_call(&fx.env, up_devices_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 204);
	ck_assert_str_eq(tu_header(&resp, "Allow"), "GET, HEAD, POST, OPTIONS");
	up_response_free(&resp);
	c.method = "PUT";
	c.auth = fx.write;
	c.uri = uri(fx.dev, "lastLocation");
	tu_call(&fx.env, up_devices_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(tu_header(&resp, "Allow"), "GET, HEAD, OPTIONS");
	up_response_free(&resp);
	fx_close(&fx);
}
END_TEST

/*
 * Keyset paging over test_alerts' three alerts (sos and first at 10:00Z,
 * ignitionOn at 09:00Z), one a page: each page's nextCursor is its last
 * alert's id and leads to the next; the last page has none.
 */
static void alerts_by_cursor(struct fx *fx, const char *first)
{
	static const char *const types[] = {"sos", "overspeed", "ignitionOn"};
	char u[256], next[32] = "";
	const cJSON *a, *nc;
	cJSON *j = NULL;
	size_t k;

	for (k = 0; k < 3; k++) {
		snprintf(u, sizeof(u), "%s?limit=1%s%s", uri(fx->dev, "alerts"),
		         k > 0 ? "&cursor=" : "", next);
		ck_assert_int_eq(get(fx, u, fx->read, &j), 200);
		a = cJSON_GetObjectItemCaseSensitive(j, "alerts");
		ck_assert_int_eq(cJSON_GetArraySize(a), 1);
		expect_str(cJSON_GetArrayItem(a, 0), "type", types[k]);
		if (k == 1)
			expect_str(cJSON_GetArrayItem(a, 0), "id", first);
		nc = cJSON_GetObjectItemCaseSensitive(j, "nextCursor");
		if (k < 2) {
			ck_assert(cJSON_IsString(nc));
			expect_str(j, "nextCursor", str(cJSON_GetArrayItem(a, 0), "id"));
			snprintf(next, sizeof(next), "%s", nc->valuestring);
		} else {
			ck_assert_ptr_null(nc);
		}
		cJSON_Delete(j);
	}
}

START_TEST(test_alerts)
{
	struct fx fx;
	cJSON *j = NULL, *a;
	char u[256], first[32];

	fx_open(&fx, "track-alerts");
	ck_assert_int_eq(
	        post(&fx, fx.dev, "alerts", fx.report,
	             "{'type': 'overspeed', 'time': '2025-06-01T10:00:00Z', 'message': "
	             "'132 km/h', 'position': {'time': '2025-06-01T10:00:00Z', 'latitude': "
	             "45.1, 'longitude': 7.6, 'speed': 132}}",
	             &j),
	        201);
	ck_assert_int_eq(strncmp(str(j, "id"), "alr-", 4), 0);
	snprintf(first, sizeof(first), "%s", str(j, "id"));
	expect_str(j, "type", "overspeed");
	expect_str(j, "deviceId", fx.dev);
	expect_str(j, "time", "2025-06-01T10:00:00Z");
	expect_str(j, "message", "132 km/h");
	ck_assert(num(cJSON_GetObjectItemCaseSensitive(j, "position"), "speed") == 132);
	cJSON_Delete(j);
	/*
	 * A resend (same type and time, another message): 200, no new row, and
	 * only the stored alert's id and "duplicate": a report token reads
	 * nothing that is stored (not its message, not its position).
	 */
	ck_assert_int_eq(
	        post(&fx, fx.dev, "alerts", fx.report,
	             "{'type': 'overspeed', 'time': '2025-06-01T12:00:00+02:00', 'message': "
	             "'resent'}",
	             &j),
	        200);
	expect_str(j, "id", first);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "duplicate")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "message"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "position"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "type"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "time"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "deviceId"));
	cJSON_Delete(j);
	ck_assert_int_eq(tu_scalar_int(&fx.env, "SELECT COUNT(*) FROM alerts WHERE device_id = ?",
	                               fx.dev + 4, NULL, NULL),
	                 1);
	/* An older and a newer alert: read back newest first. */
	ck_assert_int_eq(post(&fx, fx.dev, "alerts", fx.report,
	                      "{'type': 'ignitionOn', 'time': '2025-06-01T09:00:00Z'}", &j),
	                 201);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "position"));
	cJSON_Delete(j);
	ck_assert_int_eq(post(&fx, fx.dev, "alerts", fx.report,
	                      "{'type': 'sos', 'time': '2025-06-01T11:00:00+01:00'}", &j),
	                 201);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, uri(fx.dev, "alerts"), fx.read, &j), 200);
	a = cJSON_GetObjectItemCaseSensitive(j, "alerts");
	ck_assert_int_eq(cJSON_GetArraySize(a), 3);
	/* As the lists: no total unless asked for (it counts every alert of the device). */
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "total"));
	/* The first and the third are both at 10:00Z: the later id comes first. */
	expect_str(cJSON_GetArrayItem(a, 0), "type", "sos");
	expect_str(cJSON_GetArrayItem(a, 1), "id", first);
	cJSON_Delete(j);
	snprintf(u, sizeof(u), "%s?limit=1&count=exact", uri(fx.dev, "alerts"));
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "alerts")), 1);
	ck_assert_int_eq((int)num(j, "total"), 3);
	cJSON_Delete(j);
	snprintf(u, sizeof(u), "%s?limit=1&offset=2", uri(fx.dev, "alerts"));
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	a = cJSON_GetObjectItemCaseSensitive(j, "alerts");
	ck_assert_int_eq(cJSON_GetArraySize(a), 1);
	expect_str(cJSON_GetArrayItem(a, 0), "type", "ignitionOn");
	cJSON_Delete(j);
	alerts_by_cursor(&fx, first);
	fx_close(&fx);
}
END_TEST

/*
 * 8 clients (processes, own connections) post interleaved, shuffled batches
 * of one device at once, each batch also resending fixes of other batches.
 * Afterwards every fix is stored once, the accepted counts add up to the
 * distinct fixes, and lastLocation is the newest fix time.
 */
#define CLIENTS 8
#define BATCHES 6
#define PER_BATCH 25
#define RESENT 5
#define FIXES (CLIENTS * BATCHES * PER_BATCH)

static void client(int w, const int *order, const char *dev, const char *auth, int fd)
{
	struct fx fx;
	long accepted = 0;
	int b, i, failed = 0;

	memset(&fx, 0, sizeof(fx));
	tu_env_open(&fx.env);
	fx.env.batch = 1;
	for (b = 0; b < BATCHES; b++) {
		size_t len = (PER_BATCH + RESENT) * 96 + 8, used = 1;
		char *body = malloc(len), one[96];
		cJSON *j = NULL;
		int status;

		strcpy(body, "[");
		/* Batch b of client w: slice (b * CLIENTS + w) of the shuffled order. */
		for (i = 0; i < PER_BATCH + RESENT; i++) {
			int k = i < PER_BATCH ? order[(b * CLIENTS + w) * PER_BATCH + i]
			                      : order[(w * 7 + b * 13 + i * 31) % FIXES];

			pos_text(one, sizeof(one), k, (double)k / 1000.0);
			used += (size_t)snprintf(body + used, len - used, "%s%s", i ? "," : "",
			                         one);
		}
		snprintf(body + used, len - used, "]");
		status = call(&fx, "POST", uri(dev, "locations"), auth, "application/json", body,
		              &j);
		if (status != 201 && status != 200) {
			fprintf(stderr, "client %d batch %d: %d\n", w, b, status);
			failed++;
		} else {
			accepted += (long)num(j, "accepted");
		}
		cJSON_Delete(j);
		free(body);
	}
	tu_env_close(&fx.env);
	if (write(fd, &accepted, sizeof(accepted)) != (ssize_t)sizeof(accepted))
		failed++;
	_exit(failed);
}

START_TEST(test_concurrent_batches)
{
	static int order[FIXES];
	struct fx fx;
	pid_t pids[CLIENTS];
	int fds[2], w, i, status;
	long total = 0, one;
	cJSON *j = NULL;

	fx_open(&fx, "track-concurrent");
	for (i = 0; i < FIXES; i++)
		order[i] = i;
	srand(13);
	for (i = FIXES - 1; i > 0; i--) {
		int k = rand() % (i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
	ck_assert_int_eq(pipe(fds), 0);
	for (w = 0; w < CLIENTS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0)
			client(w, order, fx.dev, fx.report, fds[1]);
	}
	close(fds[1]);
	for (w = 0; w < CLIENTS; w++) {
		ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client %d failed", w);
	}
	for (w = 0; w < CLIENTS; w++) {
		ck_assert_int_eq(read(fds[0], &one, sizeof(one)), (ssize_t)sizeof(one));
		total += one;
	}
	close(fds[0]);
	ck_assert_int_eq(total, FIXES);
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                               fx.dev + 4, NULL, NULL),
	                 FIXES);
	ck_assert_int_eq(get(&fx, uri(fx.dev, "lastLocation"), fx.read, &j), 200);
	/* Fix FIXES - 1 = 1199 s after 10:00:00. */
	expect_str(j, "time", "2025-06-01T10:19:59Z");
	ck_assert(num(j, "latitude") == (FIXES - 1) / 1000.0);
	cJSON_Delete(j);
	fx_close(&fx);
}
END_TEST

/* Rows the server read on the handlers' connection so far (InnoDB handler counters). */
static long long rows_read(struct fx *fx)
{
	return tu_scalar_int(&fx->env,
	                     "SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS "
	                     "WHERE VARIABLE_NAME IN ('HANDLER_READ_NEXT', 'HANDLER_READ_PREV', "
	                     "'HANDLER_READ_RND_NEXT', 'HANDLER_READ_KEY', 'HANDLER_READ_FIRST', "
	                     "'HANDLER_READ_LAST')",
	                     NULL, NULL, NULL);
}

/* The rows read by one GET of u (a warm-up call first), less the counting query's own. */
static long long reads_of_get(struct fx *fx, const char *u)
{
	long long a, b, c;
	cJSON *j = NULL;

	ck_assert_int_eq(get(fx, u, fx->read, &j), 200);
	cJSON_Delete(j);
	a = rows_read(fx);
	b = rows_read(fx);
	ck_assert_int_eq(get(fx, u, fx->read, &j), 200);
	cJSON_Delete(j);
	c = rows_read(fx);
	return (c - b) - (b - a);
}

/*
 * lastLocation reads no history: it reads as many rows with 2 positions as
 * with 2,000; a range of the route reads about as many rows as it returns.
 */
START_TEST(test_reads_do_not_scan_history)
{
	struct fx fx;
	char *small = batch(0, 2), *big = batch(10, UP_POS_MAX_BATCH), *big2 = batch(1010, 1000);
	char other[32], u[256];
	long long few, many, range;
	cJSON *j = NULL;

	fx_open(&fx, "track-reads");
	make_device(&fx.env, fx.tenant_id, other, sizeof(other));
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, small, &j), 201);
	cJSON_Delete(j);
	ck_assert_int_eq(post(&fx, other, "locations", fx.report, big, &j), 201);
	cJSON_Delete(j);
	ck_assert_int_eq(post(&fx, other, "locations", fx.report, big2, &j), 201);
	cJSON_Delete(j);
	few = reads_of_get(&fx, uri(fx.dev, "lastLocation"));
	many = reads_of_get(&fx, uri(other, "lastLocation"));
	ck_assert_msg(many == few, "lastLocation read %lld rows with 2,000 positions, %lld with 2",
	              many, few);
	ck_assert_msg(many < 20, "lastLocation read %lld rows", many);
	/* 10 positions from the middle of 2,000. */
	snprintf(u, sizeof(u), "%s?from=2025-06-01T10:16:40Z&to=2025-06-01T10:16:50Z",
	         uri(other, "locations"));
	ck_assert_int_eq(get(&fx, u, fx.read, &j), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "positions")), 10);
	cJSON_Delete(j);
	range = reads_of_get(&fx, u);
	ck_assert_msg(range < 40, "a range of 10 positions read %lld rows", range);
	free(small);
	free(big);
	free(big2);
	fx_close(&fx);
}
END_TEST

/* The database goes away: a batch is 503 with Retry-After and nothing of it is stored. */
START_TEST(test_outage)
{
	struct fx fx;
	struct up_response resp;
	char *b1 = batch(0, 10), *b2 = batch(100, 10), *body;
	struct tu_call c = {"POST", NULL, NULL, "application/json", NULL, NULL, NULL, NULL};
	cJSON *j = NULL;

	ck_assert_msg(getenv("UP_TEST_DB_CTL") != NULL, "UP_TEST_DB_CTL not set");
	fx_open(&fx, "track-outage");
	c.uri = uri(fx.dev, "locations");
	c.auth = fx.report;
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, b1, &j), 201);
	cJSON_Delete(j);
	tu_db_ctl("stop");
	body = tu_q(b2);
	c.body = body;
	tu_call(&fx.env, up_devices_handle, &c, &resp, &j);
	free(body);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_ptr_nonnull(tu_header(&resp, "Retry-After"));
	expect_str(j, "code", "service_unavailable");
	cJSON_Delete(j);
	up_response_free(&resp);
	tu_db_ctl("start");
	/* Only the first batch is there; the same worker reconnects and the resend is stored. */
	ck_assert_int_eq(tu_scalar_int(&fx.env,
	                               "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                               fx.dev + 4, NULL, NULL),
	                 10);
	ck_assert_int_eq(post(&fx, fx.dev, "locations", fx.report, b2, &j), 201);
	ck_assert_int_eq((int)num(j, "accepted"), 10);
	cJSON_Delete(j);
	ck_assert_int_eq(get(&fx, uri(fx.dev, "lastLocation"), fx.read, &j), 200);
	expect_str(j, "time", "2025-06-01T10:01:49Z");
	cJSON_Delete(j);
	free(b1);
	free(b2);
	fx_close(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("devices_track");
	TCase *tc = tcase_create("track");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_post_one_then_last_location);
	tcase_add_test(tc, test_duplicates_and_arrival_order);
	tcase_add_test(tc, test_bad_batch_stores_nothing);
	tcase_add_test(tc, test_bad_batch_details_capped);
	tcase_add_loop_test(tc, test_max_future_fix, 0,
	                    (int)(sizeof(future_cases) / sizeof(future_cases[0])));
	tcase_add_test(tc, test_full_batch);
	tcase_add_test(tc, test_route_history);
	tcase_add_loop_test(tc, test_statuses, 0,
	                    (int)(sizeof(status_cases) / sizeof(status_cases[0])));
	tcase_add_test(tc, test_options_and_allow);
	tcase_add_test(tc, test_alerts);
	tcase_add_test(tc, test_concurrent_batches);
	tcase_add_test(tc, test_reads_do_not_scan_history);
	tcase_add_test(tc, test_outage); /* last: it stops and restarts the database */
	suite_add_tcase(s, tc);
	return tu_run(s);
}
