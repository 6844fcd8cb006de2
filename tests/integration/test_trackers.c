/* SPDX-License-Identifier: ISC */
/*
 * test_trackers.c: /api/trackers/ at handler level against the private
 * MariaDB of tests/harness/run-test: which device a report is for (by
 * uniqueId, by IMEI, a bound token's), an unknown device (404, or made and
 * audited with tracker_register_unknown = on, once under a resend), and a
 * bound token that names another device or an unknown one (403, nothing
 * made).  Each row states what the database must hold afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "testutil.h"
#include "trackers.h"

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
	struct tu_call call = {"GET", c->uri, auth, NULL, NULL, NULL, NULL};
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

int main(void)
{
	Suite *s = suite_create("trackers");
	TCase *tc = tcase_create("device");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_device_of_report, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
