/* SPDX-License-Identifier: ISC */
/*
 * test_trackers.c: /api/trackers/ at handler level against the private
 * MariaDB of tests/harness/run-test: which device a report is for (by
 * uniqueId, by IMEI, a bound token's), an unknown device (404, or made and
 * audited with tracker_register_unknown = on, once under a resend), and a
 * bound token that names another device or an unknown one (403, nothing
 * made).  Each row states what the database must hold afterwards.  And what
 * a report costs the database (statements, COMMITs) beside a JSON position,
 * and an OsmAnd alarm: its position and its alert in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "devices.h"
#include "testutil.h"
#include "trackers.h"
#include "usage.h"

struct tr_case {
	int line;
	const char *desc;
	int register_unknown; /* the configuration's tracker_register_unknown */
	int bound;            /* 1: the token is bound to the device "phone-1" */
	const char *uri;      /* GET /api/trackers/osmand?... (the token goes as Bearer) */
	int status;
	const char *code;    /* the error code, or NULL */
	long long devices;   /* devices of the tenant afterwards (2 at the start) */
	long long positions; /* positions of the tenant afterwards */
	long long audits;    /* "create" audit rows of devices afterwards */
};

#define Q "/api/trackers/osmand?lat=1&lon=2&timestamp=1748772000"

static const struct tr_case cases[] = {
        {__LINE__, "by uniqueId", 0, 0, Q "&id=phone-1", 200, NULL, 2, 1, 0},
        {__LINE__, "by IMEI", 0, 0, Q "&id=353918053412348", 200, NULL, 2, 1, 0},
        {__LINE__, "unknown: 404, nothing made", 0, 0, Q "&id=new-phone", 404, "device_not_found",
         2, 0, 0},
        {__LINE__, "unknown with register on: made, audited", 1, 0, Q "&id=new-phone", 200, NULL, 3,
         1, 1},
        {__LINE__, "no device named, unbound token", 0, 0, Q, 400, "bad_request", 2, 0, 0},
        {__LINE__, "bound token, no device named", 0, 1, Q, 200, NULL, 2, 1, 0},
        {__LINE__, "bound token, its own device named", 0, 1, Q "&id=phone-1", 200, NULL, 2, 1, 0},
        {__LINE__, "bound token, another device", 0, 1, Q "&id=353918053412348", 403,
         "wrong_device", 2, 0, 0},
        {__LINE__, "bound token, unknown device, register on: nothing made", 1, 1,
         Q "&id=new-phone", 403, "wrong_device", 2, 0, 0},
};

START_TEST(test_device_of_report)
{
	const struct tr_case *c = &cases[_i];
	char name[32], tenant[24], auth[96], tid[24], *phone;
	struct tu_env env;
	uint64_t token_id = 0;
	cJSON *json = NULL;
	struct tu_call call = {"GET", c->uri, auth, NULL, NULL, NULL, NULL, NULL};
	int status, i;

	tu_env_open(&env);
	env.batch = 1;
	/* Every row has a tenant of its own. */
	snprintf(name, sizeof(name), "trk-%d", c->line);
	snprintf(tenant, sizeof(tenant), "%llu", (unsigned long long)tu_tenant(&env, name));
	tu_exec(&env, "INSERT INTO devices (tenant_id, unique_id) VALUES (?, 'phone-1')", tenant,
	        NULL, NULL);
	tu_exec(&env, "INSERT INTO devices (tenant_id, imei) VALUES (?, '353918053412348')", tenant,
	        NULL, NULL);
	tu_token(&env, name, "devices:report", 0, auth, &token_id);
	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)token_id);
	phone = tu_scalar(&env,
	                  "SELECT id FROM devices WHERE unique_id = 'phone-1' AND tenant_id = ?",
	                  tenant, NULL, NULL);
	ck_assert_ptr_nonnull(phone);
	if (c->bound)
		tu_exec(&env, "UPDATE api_tokens SET device_id = ? WHERE id = ?", phone, tid, NULL);
	env.cfg.tracker_register_unknown = c->register_unknown;
	/* Twice: a resend changes nothing (one position, one device made). */
	for (i = 0; i < 2; i++) {
		status = tu_call_status(&env, up_trackers_handle, &call, &json);
		ck_assert_msg(status == c->status, "line %d: %s: status %d, want %d", c->line,
		              c->desc, status, c->status);
		if (c->code != NULL) {
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(json, "code");

			ck_assert_msg(cJSON_IsString(code) &&
			                      strcmp(code->valuestring, c->code) == 0,
			              "line %d: %s: code %s, want %s", c->line, c->desc,
			              cJSON_IsString(code) ? code->valuestring : "none", c->code);
		}
		cJSON_Delete(json);
		json = NULL;
	}
	ck_assert_msg(tu_scalar_int(&env, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?",
	                            tenant, NULL, NULL) == c->devices,
	              "line %d: %s: devices", c->line, c->desc);
	ck_assert_msg(tu_scalar_int(&env,
	                            "SELECT COUNT(*) FROM positions p JOIN devices d ON d.id = "
	                            "p.device_id WHERE d.tenant_id = ?",
	                            tenant, NULL, NULL) == c->positions,
	              "line %d: %s: positions", c->line, c->desc);
	ck_assert_msg(tu_scalar_int(&env,
	                            "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? AND "
	                            "resource = 'device' AND action = 'create' AND token_id = ?",
	                            tenant, tid, NULL) == c->audits,
	              "line %d: %s: audit rows", c->line, c->desc);
	/* a device the report made is in the change feed too, once */
	ck_assert_msg(tu_scalar_int(&env,
	                            "SELECT COUNT(*) FROM events WHERE tenant_id = ? AND "
	                            "type = 'device.created' AND version = 1",
	                            tenant, NULL, NULL) == c->audits,
	              "line %d: %s: device.created events", c->line, c->desc);
	if (c->register_unknown && c->status == 200)
		ck_assert_int_eq(
		        tu_scalar_int(&env,
		                      "SELECT COUNT(*) FROM devices WHERE tenant_id = ? AND "
		                      "unique_id = 'new-phone'",
		                      tenant, NULL, NULL),
		        1);
	free(phone);
	tu_env_close(&env);
}
END_TEST

/* A tenant of its own (name) with the device "phone-1" and a report token: *device its id. */
static void report_tenant(struct tu_env *env, const char *name, char *auth, char *device,
                          size_t len)
{
	char tenant[24], *id;

	snprintf(tenant, sizeof(tenant), "%llu", (unsigned long long)tu_tenant(env, name));
	tu_exec(env, "INSERT INTO devices (tenant_id, unique_id) VALUES (?, 'phone-1')", tenant,
	        NULL, NULL);
	tu_token(env, name, "devices:report", 0, auth, NULL);
	id = tu_scalar(env, "SELECT id FROM devices WHERE unique_id = 'phone-1' AND tenant_id = ?",
	               tenant, NULL, NULL);
	ck_assert_ptr_nonnull(id);
	snprintf(device, len, "%s", id);
	free(id);
}

struct cost_case {
	int line;
	const char *desc;
	int json; /* 1: POST /api/devices/dev-N/locations with body; 0: GET uri */
	const char *uri, *body;
	unsigned long statements, commits;
};

#define OSM "/api/trackers/osmand?id=phone-1&lat=48.85&lon=2.29&speed=22.9&batt=80&timestamp="

static const struct cost_case cost_cases[] = {
        {__LINE__, "JSON position: BEGIN, raise lastLocation, INSERT, COMMIT", 1, NULL,
         "{\"time\":\"2025-06-01T10:00:0%dZ\",\"latitude\":48.85,\"longitude\":2.29}", 4, 1},
        {__LINE__, "OsmAnd GET, device remembered: as a JSON position (uniqueId in the UPDATE)", 0,
         OSM "%d", NULL, 4, 1},
        {__LINE__,
         "OsmAnd alarm: and the alert, its event going with the COMMIT, in the same transaction", 0,
         OSM "%d&alarm=sos", NULL, 6, 1},
};

/* Once to warm the token and the statements, then counted; the usage write is not due. */
START_TEST(test_report_cost)
{
	const struct cost_case *c = &cost_cases[_i];
	char name[32], auth[96], device[24], uri[256], body[256];
	struct tu_env env;
	struct tu_call call = {c->json ? "POST" : "GET", uri, auth, NULL, NULL, NULL, NULL, NULL};
	unsigned long s0, c0, s1 = 0, c1 = 0;
	struct up_response resp;
	int round;

	tu_env_open(&env);
	env.batch = 1;
	snprintf(name, sizeof(name), "cost-%d", c->line);
	report_tenant(&env, name, auth, device, sizeof(device));
	for (round = 0; round < 2; round++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (c->json) {
			snprintf(uri, sizeof(uri), "/api/devices/dev-%s/locations", device);
			snprintf(body, sizeof(body), c->body, round);
			call.content_type = "application/json";
			call.body = body;
		} else {
			snprintf(uri, sizeof(uri), c->uri, 1748772000 + round);
		}
#pragma GCC diagnostic pop
		ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
		up_db_stats(env.db, &s0, &c0);
		tu_call(&env, c->json ? up_devices_handle : up_trackers_handle, &call, &resp, NULL);
		up_db_stats(env.db, &s1, &c1);
		ck_assert_msg(resp.status == 200 || resp.status == 201,
		              "line %d: %s: status %d: %s", c->line, c->desc, resp.status,
		              resp.body);
		up_response_free(&resp);
		s1 -= s0;
		c1 -= c0;
	}
	ck_assert_msg(s1 == c->statements, "line %d: %s: %lu statements, want %lu", c->line,
	              c->desc, s1, c->statements);
	ck_assert_msg(c1 == c->commits, "line %d: %s: %lu commits, want %lu", c->line, c->desc, c1,
	              c->commits);
	tu_env_close(&env);
}
END_TEST

struct alarm_case {
	int line;
	const char *desc;
	const char *alarm; /* OsmAnd's alarm value */
	int refuse;        /* 1: the database refuses the alert's INSERT (a trigger) */
	int status;        /* of the second report (the first, alarm=sos, stores 1 and 1) */
	long long positions, alerts, events; /* of the device afterwards; events: alert.created */
};

static const struct alarm_case alarm_cases[] = {
        {__LINE__, "another alarm: one more position, alert and event", "lowBattery", 0, 200, 2, 2,
         2},
        {__LINE__, "alert refused by the database: the position is not stored either",
         "refused-alarm", 1, 500, 1, 1, 1},
        {__LINE__, "the same alarm resent at a new time: stored", "sos", 0, 200, 2, 2, 2},
};

/* Create (or drop) a trigger that refuses the alert whose message is "refused-alarm". */
static void refuse_alerts(struct tu_env *env, int on)
{
	tu_exec(env, "DROP TRIGGER IF EXISTS test_refuse_alert", NULL, NULL, NULL);
	if (on)
		tu_exec(env,
		        "CREATE TRIGGER test_refuse_alert BEFORE INSERT ON alerts FOR EACH ROW "
		        "BEGIN IF NEW.message = 'refused-alarm' THEN SIGNAL SQLSTATE '45000' SET "
		        "MESSAGE_TEXT = 'alert refused by the test'; END IF; END",
		        NULL, NULL, NULL);
}

/* An alarm report: its position and its alert are stored together or not at all. */
START_TEST(test_alarm_one_transaction)
{
	const struct alarm_case *c = &alarm_cases[_i];
	char name[32], auth[96], device[24], uri[256];
	struct tu_env env;
	struct tu_call call = {"GET", uri, auth, NULL, NULL, NULL, NULL, NULL};
	int status;

	tu_env_open(&env);
	snprintf(name, sizeof(name), "alarm-%d", c->line);
	report_tenant(&env, name, auth, device, sizeof(device));
	snprintf(uri, sizeof(uri), OSM "1748772000&alarm=sos");
	ck_assert_int_eq(tu_call_status(&env, up_trackers_handle, &call, NULL), 200);
	refuse_alerts(&env, c->refuse);
	snprintf(uri, sizeof(uri), OSM "1748772060&alarm=%s", c->alarm);
	status = tu_call_status(&env, up_trackers_handle, &call, NULL);
	refuse_alerts(&env, 0);
	ck_assert_msg(status == c->status, "line %d: %s: status %d", c->line, c->desc, status);
	ck_assert_msg(tu_scalar_int(&env, "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                            device, NULL, NULL) == c->positions,
	              "line %d: %s: positions", c->line, c->desc);
	ck_assert_msg(tu_scalar_int(&env, "SELECT COUNT(*) FROM alerts WHERE device_id = ?", device,
	                            NULL, NULL) == c->alerts,
	              "line %d: %s: alerts", c->line, c->desc);
	ck_assert_msg(tu_scalar_int(&env,
	                            "SELECT COUNT(*) FROM events e JOIN alerts a ON e.resource_id "
	                            "= CONCAT('alr-', a.id) WHERE a.device_id = ? AND e.type = "
	                            "'alert.created'",
	                            device, NULL, NULL) == c->events,
	              "line %d: %s: events", c->line, c->desc);
	tu_env_close(&env);
}
END_TEST

struct moved_case {
	int line;
	const char *desc;
	const char *change; /* SQL run between two reports of phone-1; ?, ?: first device, tenant */
	int bound_other;    /* 1: the second report's token is bound to the device "other" */
	int status;         /* of the second report */
	long long first, second; /* positions of the first device and of "other" afterwards */
};

#define SWAP                                                                                       \
	"UPDATE devices SET unique_id = IF(id = ?, NULL, 'phone-1') WHERE tenant_id = ? AND "      \
	"unique_id IN ('phone-1', 'other') ORDER BY unique_id = 'other'"

static const struct moved_case moved_cases[] = {
        {__LINE__, "uniqueId unchanged: both on the first device", "DO ?, ?", 0, 200, 2, 0},
        {__LINE__, "uniqueId moved to another device: the second report follows it", SWAP, 0, 200,
         1, 1},
        {__LINE__, "uniqueId moved to the device a token is bound to: that token may report", SWAP,
         1, 200, 1, 1},
        {__LINE__, "bound to another device, uniqueId not moved: 403, nothing stored", "DO ?, ?", 1,
         403, 1, 0},
        {__LINE__, "device deleted: 404, nothing stored",
         "DELETE FROM devices WHERE id = ? AND tenant_id = ?", 0, 404, -1, 0},
};

/* The device of a uniqueId remembered by the process follows a change of uniqueId. */
START_TEST(test_unique_id_moves)
{
	const struct moved_case *c = &moved_cases[_i];
	char name[32], auth[96], device[24], uri[256], tenant[24], *other;
	struct tu_env env;
	struct tu_call call = {"GET", uri, auth, NULL, NULL, NULL, NULL, NULL};
	int status;

	tu_env_open(&env);
	snprintf(name, sizeof(name), "moved-%d", c->line);
	report_tenant(&env, name, auth, device, sizeof(device));
	snprintf(tenant, sizeof(tenant), "%llu", (unsigned long long)tu_tenant(&env, name));
	tu_exec(&env, "INSERT INTO devices (tenant_id, unique_id) VALUES (?, 'other')", tenant,
	        NULL, NULL);
	other = tu_scalar(&env,
	                  "SELECT id FROM devices WHERE unique_id = 'other' AND tenant_id = ?",
	                  tenant, NULL, NULL);
	ck_assert_ptr_nonnull(other);
	snprintf(uri, sizeof(uri), OSM "1748772000");
	ck_assert_int_eq(tu_call_status(&env, up_trackers_handle, &call, NULL), 200);
	tu_exec(&env, c->change, device, tenant, NULL);
	if (c->bound_other) {
		uint64_t token_id = 0;
		char tid[24];

		tu_token(&env, name, "devices:report", 0, auth, &token_id);
		snprintf(tid, sizeof(tid), "%llu", (unsigned long long)token_id);
		tu_exec(&env, "UPDATE api_tokens SET device_id = ? WHERE id = ?", other, tid, NULL);
	}
	snprintf(uri, sizeof(uri), OSM "1748772060");
	status = tu_call_status(&env, up_trackers_handle, &call, NULL);
	ck_assert_msg(status == c->status, "line %d: %s: status %d", c->line, c->desc, status);
	if (c->first >= 0)
		ck_assert_msg(tu_scalar_int(&env,
		                            "SELECT COUNT(*) FROM positions WHERE device_id = ?",
		                            device, NULL, NULL) == c->first,
		              "line %d: %s: positions of the first device", c->line, c->desc);
	ck_assert_msg(tu_scalar_int(&env, "SELECT COUNT(*) FROM positions WHERE device_id = ?",
	                            other, NULL, NULL) == c->second,
	              "line %d: %s: positions of the other device", c->line, c->desc);
	free(other);
	tu_env_close(&env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trackers");
	TCase *tc = tcase_create("device");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_device_of_report, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_report_cost, 0,
	                    (int)(sizeof(cost_cases) / sizeof(cost_cases[0])));
	tcase_add_loop_test(tc, test_unique_id_moves, 0,
	                    (int)(sizeof(moved_cases) / sizeof(moved_cases[0])));
	tcase_add_loop_test(tc, test_alarm_one_transaction, 0,
	                    (int)(sizeof(alarm_cases) / sizeof(alarm_cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
