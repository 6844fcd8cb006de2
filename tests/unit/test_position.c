/* SPDX-License-Identifier: ISC */
/*
 * test_position.c: table-driven tests of the position and alert checks
 * (position.c): ranges and their boundaries, the fix time's future limit
 * (max_future_fix), attributes, batches checked as a whole, alert types.  No
 * database.  JSON in the tables is written with ' for ".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "json.h"
#include "position.h"
#include "testutil.h"

/* The checks' "now": 2026-01-01T00:00:00Z. */
#define NOW ((time_t)1767225600)
/* The configuration's default max_future_fix: 5 minutes. */
#define MAX_AHEAD 300UL

enum what { W_POSITIONS, W_ALERT };

struct pos_case {
	int line;
	const char *desc;
	enum what what;
	const char *json;
	enum up_err want;
	const char *problems; /* "[index:]field" of each detail, in order; "" when none */
};

#define OK(w, desc, json)                                                                          \
	{                                                                                          \
		__LINE__, desc, w, json, UP_OK, ""                                                 \
	}
#define BAD(w, desc, json, problems)                                                               \
	{                                                                                          \
		__LINE__, desc, w, json, UP_ERR_VALIDATION, problems                               \
	}
#define P W_POSITIONS
#define A W_ALERT

static const struct pos_case cases[] = {
        /* One position */
        OK(P, "time, latitude and longitude only",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 48.8584, 'longitude': 2.2945}"),
        OK(P, "every member",
           "{'time': '2025-12-31T23:00:00.123456Z', 'latitude': -33.8568, 'longitude': "
           "151.2153, 'altitude': 12.5, 'speed': 0, 'course': 359.9, 'accuracy': 4, "
           "'attributes': {'ignition': true, 'fuel': 41.5, 'driver': 'ann'}}"),
        OK(P, "latitude 90 (north pole)",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 90, 'longitude': 0}"),
        OK(P, "latitude -90 (south pole)",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': -90, 'longitude': 0}"),
        BAD(P, "latitude just above 90",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 90.000001, 'longitude': 0}", "latitude"),
        BAD(P, "latitude just below -90",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': -90.000001, 'longitude': 0}", "latitude"),
        OK(P, "longitude 180", "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 180}"),
        OK(P, "longitude -180",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': -180}"),
        BAD(P, "longitude just above 180",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 180.000001}",
            "longitude"),
        BAD(P, "longitude just below -180",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': -180.000001}",
            "longitude"),
        OK(P, "course 0",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, "
           "'course': 0}"),
        OK(P, "course 359.999999",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, "
           "'longitude': 0, 'course': 359.999999}"),
        BAD(P, "course 360 (is 0)",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'course': 360}",
            "course"),
        BAD(P, "course negative",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'course': -1}",
            "course"),
        BAD(P, "speed negative",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'speed': -0.1}",
            "speed"),
        BAD(P, "accuracy negative",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'accuracy': -1}",
            "accuracy"),
        OK(P, "altitude below sea level",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 31.5, 'longitude': 35.5, "
           "'altitude': -430}"),
        OK(P, "optional members null",
           "{'time': '2025-12-31T23:00:00Z', 'latitude': 1, 'longitude': 1, 'speed': null, "
           "'attributes': null}"),
        BAD(P, "latitude as a string",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': '48.8', 'longitude': 2}", "latitude"),
        BAD(P, "latitude and longitude missing", "{'time': '2025-12-31T23:00:00Z'}",
            "latitude,longitude"),
        BAD(P, "latitude null",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': null, "
            "'longitude': 1}",
            "latitude"),
        /* The fix time */
        OK(P, "time exactly 5 minutes ahead",
           "{'time': '2026-01-01T00:05:00Z', 'latitude': 0, 'longitude': 0}"),
        BAD(P, "time 5 minutes and a half second ahead",
            "{'time': '2026-01-01T00:05:00.5Z', 'latitude': 0, 'longitude': 0}", "time"),
        BAD(P, "time 5 minutes and 1 second ahead",
            "{'time': '2026-01-01T00:05:01Z', 'latitude': 0, 'longitude': 0}", "time"),
        OK(P, "time with an offset, 5 minutes ahead in UTC",
           "{'time': '2026-01-01T01:05:00+01:00', 'latitude': 0, 'longitude': 0}"),
        BAD(P, "time with an offset, over 5 minutes ahead in UTC",
            "{'time': '2026-01-01T01:05:01+01:00', 'latitude': 0, 'longitude': 0}", "time"),
        OK(P, "time years ago", "{'time': '2001-09-09T01:46:40Z', 'latitude': 0, 'longitude': 0}"),
        BAD(P, "time missing", "{'latitude': 0, 'longitude': 0}", "time"),
        BAD(P, "time without zone",
            "{'time': '2025-12-31T23:00:00', 'latitude': 0, "
            "'longitude': 0}",
            "time"),
        BAD(P, "time as epoch seconds", "{'time': 1767225600, 'latitude': 0, 'longitude': 0}",
            "time"),
        BAD(P, "impossible date",
            "{'time': '2025-02-30T00:00:00Z', 'latitude': 0, "
            "'longitude': 0}",
            "time"),
        /* Members */
        BAD(P, "unknown member",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'heading': 3}",
            "heading"),
        BAD(P, "attributes nest an object",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'attributes': "
            "{'a': {'b': 1}}}",
            "attributes"),
        BAD(P, "attributes as an array",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'attributes': "
            "[1]}",
            "attributes"),
        BAD(P, "attribute null",
            "{'time': '2025-12-31T23:00:00Z', 'latitude': 0, 'longitude': 0, 'attributes': "
            "{'a': null}}",
            "attributes"),
        BAD(P, "several problems at once",
            "{'time': 'yesterday', 'latitude': 100, 'longitude': -200, 'course': 400}",
            "time,latitude,longitude,course"),
        /* Batches */
        OK(P, "a batch of two",
           "[{'time': '2025-12-31T23:00:00Z', 'latitude': 1, 'longitude': 1}, "
           "{'time': '2025-12-31T23:00:05Z', 'latitude': 1.1, 'longitude': 1.1}]"),
        BAD(P, "a batch names each bad index",
            "[{'time': '2025-12-31T23:00:00Z', 'latitude': 1, 'longitude': 1}, "
            "{'time': '2025-12-31T23:00:01Z', 'latitude': 91, 'longitude': 1}, "
            "{'time': '2025-12-31T23:00:02Z', 'latitude': 1, 'longitude': 1}, "
            "{'time': '2026-01-01T00:10:00Z', 'latitude': 1, 'longitude': 1}]",
            "1:latitude,3:time"),
        BAD(P, "a batch element that is not an object",
            "[{'time': '2025-12-31T23:00:00Z', 'latitude': 1, 'longitude': 1}, 7]", "1:position"),
        BAD(P, "an empty batch", "[]", "positions"),
        /* Alerts */
        OK(A, "sos at a time", "{'type': 'sos', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "every member",
           "{'type': 'overspeed', 'time': '2025-12-31T23:00:00Z', 'message': '132 km/h', "
           "'position': {'time': '2025-12-31T23:00:00Z', 'latitude': 1, 'longitude': 2, "
           "'speed': 132}}"),
        OK(A, "geofenceEnter", "{'type': 'geofenceEnter', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "geofenceExit", "{'type': 'geofenceExit', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "powerCut", "{'type': 'powerCut', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "lowBattery", "{'type': 'lowBattery', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "ignitionOn", "{'type': 'ignitionOn', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "ignitionOff", "{'type': 'ignitionOff', 'time': '2025-12-31T23:00:00Z'}"),
        OK(A, "custom", "{'type': 'custom', 'time': '2025-12-31T23:00:00Z', 'message': 'door'}"),
        BAD(A, "unknown type", "{'type': 'fire', 'time': '2025-12-31T23:00:00Z'}", "type"),
        BAD(A, "type in the wrong case", "{'type': 'SOS', 'time': '2025-12-31T23:00:00Z'}", "type"),
        BAD(A, "type and time missing", "{'message': 'x'}", "type,time"),
        BAD(A, "time 6 minutes ahead", "{'type': 'sos', 'time': '2026-01-01T00:06:00Z'}", "time"),
        BAD(A, "bad position inside",
            "{'type': 'sos', 'time': '2025-12-31T23:00:00Z', 'position': {'time': "
            "'2025-12-31T23:00:00Z', 'latitude': 91, 'longitude': 0}}",
            "position.latitude"),
        BAD(A, "position not an object",
            "{'type': 'sos', 'time': '2025-12-31T23:00:00Z', 'position': 'here'}", "position"),
        BAD(A, "unknown member", "{'type': 'sos', 'time': '2025-12-31T23:00:00Z', 'level': 2}",
            "level"),
        BAD(A, "message not a string",
            "{'type': 'sos', 'time': '2025-12-31T23:00:00Z', 'message': 5}", "message"),
};

/* s with every ' replaced by "; owned by the caller. */
static char *q(const char *s)
{
	char *out = strdup(s), *p;

	ck_assert_ptr_nonnull(out);
	for (p = out; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static cJSON *parse(const char *text)
{
	char *t = q(text);
	cJSON *v = NULL;

	ck_assert_msg(up_json_parse(t, strlen(t), 32, &v) == UP_OK, "bad test JSON: %s", t);
	free(t);
	return v;
}

/* "[index:]field,..." of details. */
static void problems_text(const cJSON *details, char *buf, size_t len)
{
	const cJSON *d;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(d, details)
	{
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(d, "index");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "field");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "reason");

		ck_assert_msg(cJSON_IsString(f) && cJSON_IsString(r) && r->valuestring[0] != '\0',
		              "a detail without field or reason");
		if (cJSON_IsNumber(i))
			used += (size_t)snprintf(buf + used, len - used, "%s%d:%s", used ? "," : "",
			                         i->valueint, f->valuestring);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			                         f->valuestring);
	}
}

START_TEST(test_cases)
{
	const struct pos_case *c = &cases[_i];
	cJSON *v = parse(c->json);
	struct up_error err = {0};
	char got[256];
	enum up_err rc;

	if (c->what == W_POSITIONS) {
		struct up_position *p = NULL;
		size_t n = 0;

		rc = up_positions_check(v, NOW, MAX_AHEAD, &p, &n, &err);
		if (rc == UP_OK)
			ck_assert_msg(n == (cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1),
			              "line %d: %zu positions", c->line, n);
		else
			ck_assert_msg(p == NULL && n == 0, "line %d: a refused batch returned data",
			              c->line);
		up_positions_free(p, n);
	} else {
		struct up_alert a;

		rc = up_alert_check(v, NOW, MAX_AHEAD, &a, &err);
		if (rc == UP_OK)
			ck_assert_msg(a.type != NULL, "line %d: no type", c->line);
		up_alert_free(&a);
	}
	problems_text(err.details, got, sizeof(got));
	ck_assert_msg(rc == c->want, "line %d (%s): returned %d, expected %d; details %s", c->line,
	              c->desc, rc, c->want, got);
	ck_assert_msg(strcmp(got, c->problems) == 0, "line %d (%s): problems '%s', expected '%s'",
	              c->line, c->desc, got, c->problems);
	up_error_reset(&err);
	cJSON_Delete(v);
}
END_TEST

/* A batch of n copies of one position, as JSON text (owned by the caller). */
static cJSON *batch(size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, parse("{'time': '2025-12-31T23:00:00Z', 'latitude': 1, "
		                                "'longitude': 1}"));
	return arr;
}

START_TEST(test_batch_limits)
{
	struct up_position *p = NULL;
	size_t n = 0;
	cJSON *full = batch(UP_POS_MAX_BATCH), *over = batch(UP_POS_MAX_BATCH + 1);
	struct up_error err = {0};
	char got[256];

	ck_assert_int_eq(up_positions_check(full, NOW, MAX_AHEAD, &p, &n, &err), UP_OK);
	ck_assert_uint_eq(n, UP_POS_MAX_BATCH);
	up_positions_free(p, n);
	ck_assert_int_eq(up_positions_check(over, NOW, MAX_AHEAD, &p, &n, &err), UP_ERR_VALIDATION);
	ck_assert_ptr_null(p);
	problems_text(err.details, got, sizeof(got));
	ck_assert_str_eq(got, "positions");
	up_error_reset(&err);
	cJSON_Delete(full);
	cJSON_Delete(over);
}
END_TEST

START_TEST(test_not_json_shapes)
{
	struct up_position *p = NULL;
	struct up_alert a;
	size_t n = 0;
	cJSON *s = cJSON_CreateString("x");
	struct up_error err = {0};

	ck_assert_int_eq(up_positions_check(s, NOW, MAX_AHEAD, &p, &n, &err), UP_ERR_BAD_DATA);
	ck_assert_int_eq(up_alert_check(s, NOW, MAX_AHEAD, &a, &err), UP_ERR_BAD_DATA);
	ck_assert_int_eq((int)up_error_ndetails(&err), 0);
	cJSON_Delete(s);
	up_error_reset(&err);
}
END_TEST

/* How far ahead a fix time may be is the configuration's max_future_fix. */
static const struct ahead_case {
	int line;
	const char *desc;
	unsigned long max_ahead;
	const char *time;
	int ok;
	const char *reason; /* the detail's reason when refused */
} ahead_cases[] = {
        {__LINE__, "default, 5 minutes ahead", 300, "2026-01-01T00:05:00Z", 1, NULL},
        {__LINE__, "default, 5 minutes and 1 second ahead", 300, "2026-01-01T00:05:01Z", 0,
         "is more than 5 minutes in the future"},
        {__LINE__, "0: the fix time may not be ahead at all", 0, "2026-01-01T00:00:01Z", 0,
         "is more than 0 seconds in the future"},
        {__LINE__, "0: now itself is accepted", 0, "2026-01-01T00:00:00Z", 1, NULL},
        {__LINE__, "90 s: 91 s ahead", 90, "2026-01-01T00:01:31Z", 0,
         "is more than 90 seconds in the future"},
        {__LINE__, "an hour: 59 minutes ahead", 3600, "2026-01-01T00:59:00Z", 1, NULL},
        {__LINE__, "an hour: 61 minutes ahead", 3600, "2026-01-01T01:01:00Z", 0,
         "is more than 60 minutes in the future"},
};

START_TEST(test_max_ahead)
{
	const struct ahead_case *c = &ahead_cases[_i];
	struct up_error err = {0};
	struct up_position *p = NULL;
	struct up_alert a;
	char json[160];
	cJSON *v, *d, *code;
	size_t n = 0;
	enum up_err rc;

	snprintf(json, sizeof(json), "{'time': '%s', 'latitude': 1, 'longitude': 2}", c->time);
	v = parse(json);
	rc = up_positions_check(v, NOW, c->max_ahead, &p, &n, &err);
	up_positions_free(p, n);
	cJSON_Delete(v);
	ck_assert_msg((rc == UP_OK) == c->ok, "line %d (%s): returned %d", c->line, c->desc, rc);
	if (c->ok) {
		ck_assert_msg(up_error_ndetails(&err) == 0, "line %d", c->line);
	} else {
		d = cJSON_GetArrayItem(err.details, 0);
		code = cJSON_GetObjectItemCaseSensitive(d, "code");
		ck_assert_msg(cJSON_IsString(code) &&
		                      strcmp(code->valuestring, "fix_in_future") == 0,
		              "line %d (%s): no fix_in_future code", c->line, c->desc);
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d, "reason")->valuestring,
		                 c->reason);
	}
	up_error_reset(&err);
	/* An alert's time follows the same rule. */
	snprintf(json, sizeof(json), "{'type': 'sos', 'time': '%s'}", c->time);
	v = parse(json);
	rc = up_alert_check(v, NOW, c->max_ahead, &a, &err);
	up_alert_free(&a);
	cJSON_Delete(v);
	ck_assert_msg((rc == UP_OK) == c->ok, "line %d (%s): alert returned %d", c->line, c->desc,
	              rc);
	up_error_reset(&err);
}
END_TEST

/* What is stored reads back as sent: numbers keep every digit, the time is UTC. */
START_TEST(test_round_trip)
{
	cJSON *v = parse("{'time': '2026-01-01T01:00:00.250+01:00', 'latitude': 48.858370123456, "
	                 "'longitude': -0.000001, 'course': 0.1, 'attributes': {'b': false}}");
	cJSON *want = parse("{'time': '2026-01-01T00:00:00.25Z', 'latitude': 48.858370123456, "
	                    "'longitude': -0.000001, 'course': 0.1, 'attributes': {'b': false}}");
	struct up_error err = {0};
	cJSON *out = NULL;
	struct up_position *p = NULL;
	size_t n = 0;
	char *a, *b;

	ck_assert_int_eq(up_positions_check(v, NOW, MAX_AHEAD, &p, &n, &err), UP_OK);
	ck_assert_int_eq(up_position_to_json(&p[0], &out), UP_OK);
	a = cJSON_PrintUnformatted(out);
	b = cJSON_PrintUnformatted(want);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	up_positions_free(p, n);
	cJSON_Delete(out);
	cJSON_Delete(want);
	up_error_reset(&err);
	cJSON_Delete(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("position");
	TCase *tc = tcase_create("checks");

	tcase_add_loop_test(tc, test_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_batch_limits);
	tcase_add_test(tc, test_not_json_shapes);
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_max_ahead, 0,
	                    (int)(sizeof(ahead_cases) / sizeof(ahead_cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
