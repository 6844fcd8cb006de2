/* SPDX-License-Identifier: ISC */
/*
 * Integration tests of bulk import and export against a private MariaDB:
 * every conflict policy on each unique key of users, groups and devices
 * (table-driven, each row saying what the database holds afterwards), dry
 * runs, atomic imports with one bad row, CSV quoting, the export -> import
 * round trip of each family, references to groups and devices, tenant
 * isolation, passwords, and the row and body limits; rows that
 * name one another inside one request (the new rows of a request are
 * written together, each row's outcome as if written one by one), and the
 * token's daily quota counted per row written; the shell's runs (the
 * count of rows done committed with each chunk, rows done before left out).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devices.h"
#include "groups.h"
#include "import_run.h"
#include "json.h"
#include "testutil.h"
#include "usage.h"
#include "user_store.h"
#include "users.h"

static struct tu_env env;
static char users_w[96], groups_w[96], devices_w[96], outsider[96], users_r[96];

static void setup(void)
{
	tu_env_open(&env);
	env.cfg.max_body = 1024 * 1024;
	env.import = 1; /* bodies read up to max_import_body, as the programs do */
	tu_tenant(&env, "acme");
	tu_tenant(&env, "globex");
	tu_token(&env, "acme", "users:read,users:write", 0, users_w, NULL);
	tu_token(&env, "acme", "users:read", 0, users_r, NULL);
	tu_token(&env, "acme", "groups:read,groups:write", 0, groups_w, NULL);
	tu_token(&env, "acme", "devices:read,devices:write", 0, devices_w, NULL);
	tu_token(&env, "globex", "users:read,users:write", 0, outsider, NULL);
}

static void teardown(void)
{
	tu_env_close(&env);
}

#define ND "application/x-ndjson"

/* POST body to uri through h; *out the answer (owned). Returns the status. */
static int import(up_handler_fn h, const char *uri, const char *auth, const char *ctype,
                  const char *body, cJSON **out)
{
	struct tu_call c = {"POST", uri, auth, ctype, body, NULL, NULL, NULL};

	return tu_call_status(&env, h, &c, out);
}

static long long num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(cJSON_IsNumber(v), "no number %s", name);
	return (long long)v->valuedouble;
}

/* The first result's member name as text ("" when absent). */
static const char *result(const cJSON *o, const char *name)
{
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "results"), 0);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static long long sql_int(const char *sql, const char *p1)
{
	return tu_scalar_int(&env, sql, p1, NULL, NULL);
}

/* Fixtures the conflict cases meet: one user, one group, one device of acme. */
static void make_records(void)
{
	tu_exec(&env,
	        "INSERT IGNORE INTO users (tenant_id, name, email, description) "
	        "SELECT id, 'Old', 'old@example.com', 'kept' FROM tenants "
	        "WHERE name = 'acme'",
	        NULL, NULL, NULL);
	tu_exec(&env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name, description) "
	        "SELECT id, 'staff', 'Staff', 'kept' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
	tu_exec(&env,
	        "INSERT IGNORE INTO devices (tenant_id, name, unique_id, imei, imsi, iccid, "
	        "phone_number, model) "
	        "SELECT id, 'Van', 'van-1', '490154203237518', '310150123456789', "
	        "'8944500102198304826', '+4930123456', 'kept' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
}

static const char *user_id(void)
{
	static char id[40];
	long long n = sql_int("SELECT id FROM users WHERE email_key = ?", "old@example.com");

	snprintf(id, sizeof(id), "usr-%lld", n);
	return id;
}

static const char *device_id(void)
{
	static char id[40];
	long long n = sql_int("SELECT id FROM devices WHERE imei = ?", "490154203237518");

	snprintf(id, sizeof(id), "dev-%lld", n);
	return id;
}

enum fam { F_USERS, F_GROUPS, F_DEVICES };

static const char *const fam_paths[] = {"/api/users", "/api/groups", "/api/devices"};
static const up_handler_fn fam_handlers[] = {up_users_handle, up_groups_handle, up_devices_handle};

/* The write token of family f (each also reads). */
static const char *fam_token(enum fam f)
{
	return f == F_USERS ? users_w : f == F_GROUPS ? groups_w : devices_w;
}

/* The id of family f's fixture (make_records), as the API shows it. */
static const char *fixture_id(enum fam f)
{
	return f == F_USERS ? user_id() : f == F_GROUPS ? "staff" : device_id();
}

/* body = row with its "%s" (if any) standing for id. */
static void fill_row(char *body, size_t len, const char *row, const char *id)
{
	const char *at = strstr(row, "%s");

	if (at != NULL)
		snprintf(body, len, "%.*s%s%s", (int)(at - row), row, id, at + 2);
	else
		snprintf(body, len, "%s", row);
}

struct policy_case {
	int line;
	const char *desc;
	enum fam fam;
	const char *policy;
	const char *row;    /* NDJSON; %s: the fixture's id */
	const char *action; /* of the row's result; "" for a plainly created row (no result) */
	const char *code;   /* of a failed row */
	/* must then be 1; its "?" is the fixture's key (the number of a user's or device's id) */
	const char *check_sql;
};

#define VAN_NAMED "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Van' AND id = ?"
#define VAN_RENAMED                                                                                \
	"SELECT COUNT(*) = 1 FROM devices WHERE name = 'New' AND id = ? AND model = 'kept' AND "   \
	"unique_id = 'van-1' AND imei = '490154203237518' AND imsi = '310150123456789' AND "       \
	"iccid = '8944500102198304826' AND phone_number = '+4930123456'"

/*
 * Each unique key of each family (users: id, e-mail in any case; groups: id;
 * devices: id, uniqueId, IMEI, IMSI, ICCID) under each policy.  A device's
 * phoneNumber is a field but no key: a row naming the fixture's makes a
 * second device whatever the policy.  Users' username, externalId and
 * phone are no members of the representation (hidden columns): a row
 * carrying one fails as an unknown member and matches nothing.
 */
static const struct policy_case policy_cases[] = {
        /* users: id, e-mail (any case) */
        {__LINE__, "user by id, fail", F_USERS, "fail", "{\"id\":\"%s\",\"name\":\"New\"}",
         "failed", "conflict", "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old' AND id = ?"},
        {__LINE__, "user by id, skip", F_USERS, "skip", "{\"id\":\"%s\",\"name\":\"New\"}",
         "skipped", NULL, "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old' AND id = ?"},
        {__LINE__, "user by id, update keeps id and other fields", F_USERS, "update",
         "{\"id\":\"%s\",\"name\":\"New\"}", "updated", NULL,
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'New' AND id = ? AND description = 'kept' "
         "AND email_key = 'old@example.com'"},
        {__LINE__, "user by e-mail in another case, fail", F_USERS, "fail",
         "{\"name\":\"Other\",\"email\":\"OLD@example.com\"}", "failed", "conflict",
         "SELECT COUNT(*) = 0 FROM users WHERE name = 'Other' OR id <> ?"},
        {__LINE__, "user by e-mail, skip", F_USERS, "skip",
         "{\"name\":\"Other\",\"email\":\"old@example.com\"}", "skipped", NULL,
         "SELECT COUNT(*) = 0 FROM users WHERE name = 'Other' OR id <> ?"},
        {__LINE__, "user by e-mail in another case, update keeps id", F_USERS, "update",
         "{\"name\":\"Other\",\"email\":\"Old@Example.com\"}", "updated", NULL,
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Other' AND id = ? AND description = "
         "'kept'"},
        /* users: hidden columns are no members, so no keys of a row */
        {__LINE__, "user row with username (not a member), update: fails as unknown", F_USERS,
         "update", "{\"name\":\"Other\",\"username\":\"old\"}", "failed", "validation_failed",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old' AND id = ?"},
        {__LINE__, "user row with user_external_id (not a member), skip: fails as unknown", F_USERS,
         "skip", "{\"name\":\"Other\",\"user_external_id\":\"x-1\"}", "failed", "validation_failed",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old' AND id = ?"},
        {__LINE__, "user row with number (not a member), fail: fails as unknown", F_USERS, "fail",
         "{\"name\":\"Other\",\"number\":\"+4930123456\"}", "failed", "validation_failed",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old' AND id = ?"},
        /* groups: id */
        {__LINE__, "group by id, fail", F_GROUPS, "fail", "{\"id\":\"staff\",\"name\":\"New\"}",
         "failed", "conflict",
         "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'Staff' AND group_key = ?"},
        {__LINE__, "group by id, skip", F_GROUPS, "skip", "{\"id\":\"staff\",\"name\":\"New\"}",
         "skipped", NULL,
         "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'Staff' AND group_key = ?"},
        {__LINE__, "group by id, update keeps id", F_GROUPS, "update",
         "{\"id\":\"staff\",\"name\":\"New\"}", "updated", NULL,
         "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'New' AND group_key = ? AND "
         "description = 'kept'"},
        /* devices: id, uniqueId, IMEI, IMSI, ICCID */
        {__LINE__, "device by id, fail", F_DEVICES, "fail", "{\"id\":\"%s\",\"name\":\"New\"}",
         "failed", "conflict", VAN_NAMED},
        {__LINE__, "device by id, skip", F_DEVICES, "skip", "{\"id\":\"%s\",\"name\":\"New\"}",
         "skipped", NULL, VAN_NAMED},
        {__LINE__, "device by id, update keeps id and other fields", F_DEVICES, "update",
         "{\"id\":\"%s\",\"name\":\"New\"}", "updated", NULL, VAN_RENAMED},
        {__LINE__, "device by uniqueId, fail", F_DEVICES, "fail",
         "{\"name\":\"New\",\"uniqueId\":\"van-1\"}", "failed", "conflict", VAN_NAMED},
        {__LINE__, "device by uniqueId, skip", F_DEVICES, "skip",
         "{\"name\":\"New\",\"uniqueId\":\"van-1\"}", "skipped", NULL, VAN_NAMED},
        {__LINE__, "device by uniqueId, update keeps id and other fields", F_DEVICES, "update",
         "{\"name\":\"New\",\"uniqueId\":\"van-1\"}", "updated", NULL, VAN_RENAMED},
        {__LINE__, "device by IMEI, fail", F_DEVICES, "fail",
         "{\"name\":\"New\",\"imei\":\"490154203237518\"}", "failed", "conflict", VAN_NAMED},
        {__LINE__, "device by IMEI, skip", F_DEVICES, "skip",
         "{\"name\":\"New\",\"imei\":\"490154203237518\"}", "skipped", NULL, VAN_NAMED},
        {__LINE__, "device by IMEI, update keeps id and other fields", F_DEVICES, "update",
         "{\"name\":\"New\",\"imei\":\"490154203237518\"}", "updated", NULL, VAN_RENAMED},
        {__LINE__, "device by IMSI, fail", F_DEVICES, "fail",
         "{\"name\":\"New\",\"imsi\":\"310150123456789\"}", "failed", "conflict", VAN_NAMED},
        {__LINE__, "device by IMSI, skip", F_DEVICES, "skip",
         "{\"name\":\"New\",\"imsi\":\"310150123456789\"}", "skipped", NULL, VAN_NAMED},
        {__LINE__, "device by IMSI, update keeps id and other fields", F_DEVICES, "update",
         "{\"name\":\"New\",\"imsi\":\"310150123456789\"}", "updated", NULL, VAN_RENAMED},
        {__LINE__, "device by ICCID, fail", F_DEVICES, "fail",
         "{\"name\":\"New\",\"iccid\":\"8944500102198304826\"}", "failed", "conflict", VAN_NAMED},
        {__LINE__, "device by ICCID, skip", F_DEVICES, "skip",
         "{\"name\":\"New\",\"iccid\":\"8944500102198304826\"}", "skipped", NULL, VAN_NAMED},
        {__LINE__, "device by ICCID, update keeps id and other fields", F_DEVICES, "update",
         "{\"name\":\"New\",\"iccid\":\"8944500102198304826\"}", "updated", NULL, VAN_RENAMED},
        /* devices: phoneNumber is no key */
        {__LINE__, "device with the fixture's phone number, fail: a second device", F_DEVICES,
         "fail", "{\"name\":\"New\",\"phoneNumber\":\"+4930123456\"}", "", NULL, VAN_NAMED},
        {__LINE__, "device with the fixture's phone number, skip: a second device", F_DEVICES,
         "skip", "{\"name\":\"New\",\"phoneNumber\":\"+4930123456\"}", "", NULL, VAN_NAMED},
        {__LINE__, "device with the fixture's phone number, update: a second device", F_DEVICES,
         "update", "{\"name\":\"New\",\"phoneNumber\":\"+4930123456\"}", "", NULL, VAN_NAMED},
};

START_TEST(test_policies)
{
	const struct policy_case *c = &policy_cases[_i];
	int created = c->action[0] == '\0';
	char uri[128], body[512], fid[64];
	cJSON *out = NULL;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM devices", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM user_groups", NULL, NULL, NULL);
	make_records();
	snprintf(fid, sizeof(fid), "%s", fixture_id(c->fam));
	fill_row(body, sizeof(body), c->row, fid);
	snprintf(uri, sizeof(uri), "%s/import?onConflict=%s", fam_paths[c->fam], c->policy);
	ck_assert_msg(import(fam_handlers[c->fam], uri, fam_token(c->fam), ND, body, &out) == 200,
	              "line %d (%s)", c->line, c->desc);
	ck_assert_msg(strcmp(result(out, "action"), c->action) == 0, "line %d (%s): %s", c->line,
	              c->desc, cJSON_PrintUnformatted(out));
	ck_assert_msg(num(out, "created") == created, "line %d (%s): created", c->line, c->desc);
	if (c->code != NULL)
		ck_assert_msg(strcmp(result(out, "code"), c->code) == 0, "line %d (%s): %s",
		              c->line, c->desc, result(out, "code"));
	/* A conflict's result names the fixture: its id, kept by an update. */
	if (!created && (c->code == NULL || strcmp(c->code, "conflict") == 0))
		ck_assert_msg(strcmp(result(out, "id"), fid) == 0, "line %d (%s): id %s, not %s",
		              c->line, c->desc, result(out, "id"), fid);
	ck_assert_msg(tu_scalar_int(&env, c->check_sql, c->fam == F_GROUPS ? fid : fid + 4, NULL,
	                            NULL) == 1,
	              "line %d (%s): database", c->line, c->desc);
	/* Never a second record for a conflict: it kept the one there was. */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM users", NULL) +
	                         sql_int("SELECT COUNT(*) FROM devices", NULL) +
	                         sql_int("SELECT COUNT(*) FROM user_groups", NULL),
	                 3 + created);
	cJSON_Delete(out);
}
END_TEST

static long long users_of(const char *tenant)
{
	return sql_int("SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE "
	               "t.name = ?",
	               tenant);
}

#define THREE_ROWS                                                                                 \
	"{\"name\":\"A\",\"email\":\"a@example.com\"}\n"                                           \
	"{\"name\":\"B\",\"email\":\"not an address\"}\n"                                          \
	"{\"name\":\"C\",\"email\":\"c@example.com\"}\n"

START_TEST(test_dry_run_and_atomic)
{
	cJSON *out = NULL;
	long long before, audits;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	before = users_of("acme");
	audits = sql_int("SELECT COUNT(*) FROM audit_log", NULL);
	/* Dry run: every row judged, nothing stored. */
	ck_assert_int_eq(import(up_users_handle, "/api/users/import?dryRun=true", users_w, ND,
	                        THREE_ROWS, &out),
	                 200);
	ck_assert_int_eq(num(out, "created"), 2);
	ck_assert_int_eq(num(out, "failed"), 1);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(out, "committed")));
	ck_assert_int_eq(users_of("acme"), before);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM audit_log", NULL), audits);
	cJSON_Delete(out);
	/* Atomic with one bad row: nothing stored, the bad row named by its line. */
	ck_assert_int_eq(import(up_users_handle, "/api/users/import?atomic=true", users_w, ND,
	                        THREE_ROWS, &out),
	                 200);
	ck_assert_int_eq(num(out, "failed"), 1);
	ck_assert_int_eq(
	        (long long)cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "results"), 0),
	                "line")
	                ->valuedouble,
	        2);
	ck_assert_str_eq(result(out, "code"), "validation_failed");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(out, "committed")));
	ck_assert_int_eq(users_of("acme"), before);
	cJSON_Delete(out);
	/* Not atomic: the bad row fails alone. */
	ck_assert_int_eq(
	        import(up_users_handle, "/api/users/import", users_w, ND, THREE_ROWS, &out), 200);
	ck_assert_int_eq(num(out, "created"), 2);
	ck_assert_int_eq(num(out, "failed"), 1);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out, "committed")));
	ck_assert_int_eq(users_of("acme"), before + 2);
	/* One audit row per record created. */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM audit_log", NULL), audits + 2);
	cJSON_Delete(out);
}
END_TEST

START_TEST(test_csv_quoting)
{
	const char *csv = "\xEF\xBB\xBF"
	                  "name,email,description,tags,disabled\r\n"
	                  "\"Lovelace, Ada\",ada@example.com,\"says \"\"hi\"\"\nand more\","
	                  "\"{\"\"team\"\":\"\"x\"\"}\",true\r\n";
	cJSON *out = NULL;
	char *d;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	ck_assert_int_eq(
	        import(up_users_handle, "/api/users/import", users_w, "text/csv", csv, &out), 200);
	ck_assert_msg(num(out, "created") == 1, "%s", cJSON_PrintUnformatted(out));
	d = tu_scalar(&env, "SELECT description FROM users WHERE name = ?", "Lovelace, Ada", NULL,
	              NULL);
	ck_assert_str_eq(d, "says \"hi\"\nand more");
	free(d);
	ck_assert_int_eq(
	        sql_int("SELECT COUNT(*) FROM users WHERE disabled = 1 AND tags LIKE ?", "%team%"),
	        1);
	cJSON_Delete(out);
}
END_TEST

/* The tables of the families, and the rows of acme in one. */
static const char *const fam_tables[] = {"users", "user_groups", "devices"};

static long long rows_of_acme(enum fam f, const char *what)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
	         "SELECT COALESCE(%s, 0) FROM %s x JOIN tenants t ON t.id = x.tenant_id WHERE "
	         "t.name = ?",
	         what, fam_tables[f]);
	return sql_int(sql, "acme");
}

/* Export family f (NDJSON or CSV), import it back with onConflict=update: nothing changes. */
static void round_trip(enum fam f, const char *format, const char *ctype)
{
	struct up_response resp;
	char uri[64];
	long long versions = rows_of_acme(f, "SUM(x.version)");
	cJSON *out = NULL;
	struct tu_call c = {"GET", uri, fam_token(f), NULL, NULL, NULL, NULL, NULL};

	snprintf(uri, sizeof(uri), "%s/export?format=%s", fam_paths[f], format);
	tu_call(&env, fam_handlers[f], &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(resp.body);
	snprintf(uri, sizeof(uri), "%s/import?onConflict=update", fam_paths[f]);
	ck_assert_int_eq(import(fam_handlers[f], uri, fam_token(f), ctype, resp.body, &out), 200);
	ck_assert_msg(num(out, "updated") == 0 && num(out, "failed") == 0 &&
	                      num(out, "created") == 0,
	              "%s %s: %s", fam_paths[f], format, cJSON_PrintUnformatted(out));
	ck_assert_int_eq(num(out, "skipped"), rows_of_acme(f, "COUNT(*)"));
	ck_assert_int_eq(rows_of_acme(f, "SUM(x.version)"), versions);
	cJSON_Delete(out);
	up_response_free(&resp);
}

START_TEST(test_round_trip)
{
	const char *rows =
	        "{\"name\":\"=cmd|' /C calc'!A0\",\"email\":\"f@example.com\","
	        "\"tags\":{\"a\":\"b, c\"},\"privileges\":[\"read\"],\"description\":\"\","
	        "\"from\":\"2026-01-01T00:00:00Z\",\"expires\":\"2027-01-01T00:00:00.5Z\"}\n"
	        "{\"name\":\"+plain\",\"message\":\"line\\nbreak\",\"disabled\":true}\n";
	struct up_response resp;
	struct tu_call c = {"GET", "/api/users/export", users_r, NULL, NULL, NULL,
	                    NULL,  "text/csv"};
	cJSON *out = NULL;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	ck_assert_int_eq(import(up_users_handle, "/api/users/import", users_w, ND, rows, &out),
	                 200);
	ck_assert_int_eq(num(out, "created"), 2);
	cJSON_Delete(out);
	round_trip(F_USERS, "ndjson", ND);
	round_trip(F_USERS, "csv", "text/csv");
	/* CSV by Accept, with the formula escape. */
	tu_call(&env, up_users_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, ",'=cmd|' /C calc'!A0,"));
	ck_assert_ptr_nonnull(strstr(resp.body, ",'+plain,"));
	ck_assert_ptr_nonnull(strstr(resp.body, "id,name,email,"));
	up_response_free(&resp);
}
END_TEST

struct trip_case {
	int line;
	const char *desc;
	enum fam fam;
	const char *rows;     /* NDJSON imported first (the fixtures are there too) */
	const char *csv_cell; /* the CSV export must hold it (a formula escape) */
};

static const struct trip_case trip_cases[] = {
        {__LINE__, "groups: privileges, tags, quotes, commas, line breaks, a formula", F_GROUPS,
         "{\"id\":\"drivers\",\"name\":\"@Drivers, night\",\"description\":\"says "
         "\\\"hi\\\"\\nthen\",\"privileges\":[\"read\",\"write\"],\"tags\":{\"a\":\"b, "
         "c\"},\"disabled\":true}\n"
         "{\"id\":\"empty\",\"name\":\"-minus\",\"description\":\"\"}\n",
         ",\"'@Drivers, night\","},
        {__LINE__, "devices: identifiers, a phone number, a group, tags", F_DEVICES,
         "{\"name\":\"Truck, big\",\"uniqueId\":\"truck-1\",\"imei\":\"356938035643809\","
         "\"imsi\":\"310150123456780\",\"iccid\":\"8944500102198304827\","
         "\"phoneNumber\":\"+4930999999\",\"model\":\"=X\",\"protocol\":\"osmand\","
         "\"group\":\"staff\",\"tags\":{\"k\":\"v\\n2\"},\"disabled\":true}\n"
         "{\"name\":\"Bare\"}\n",
         ",'+4930999999,"},
};

/* Groups and devices: export -> import (NDJSON, CSV) changes nothing. */
START_TEST(test_round_trip_families)
{
	const struct trip_case *c = &trip_cases[_i];
	struct up_response resp;
	char uri[64];
	struct tu_call call = {"GET", uri, fam_token(c->fam), NULL, NULL, NULL, NULL, "text/csv"};
	cJSON *out = NULL;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM devices", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM user_groups", NULL, NULL, NULL);
	make_records();
	snprintf(uri, sizeof(uri), "%s/import", fam_paths[c->fam]);
	ck_assert_int_eq(import(fam_handlers[c->fam], uri, fam_token(c->fam), ND, c->rows, &out),
	                 200);
	ck_assert_msg(num(out, "created") == 2, "line %d (%s): %s", c->line, c->desc,
	              cJSON_PrintUnformatted(out));
	cJSON_Delete(out);
	round_trip(c->fam, "ndjson", ND);
	round_trip(c->fam, "csv", "text/csv");
	/* CSV by Accept: the export holds every record, escaped against formulas. */
	snprintf(uri, sizeof(uri), "%s/export", fam_paths[c->fam]);
	tu_call(&env, fam_handlers[c->fam], &call, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_msg(strstr(resp.body, c->csv_cell) != NULL, "line %d (%s): %s", c->line, c->desc,
	              resp.body);
	ck_assert_msg(strncmp(resp.body, "id,name,", 8) == 0, "line %d (%s): header", c->line,
	              c->desc);
	up_response_free(&resp);
}
END_TEST

struct ref_case {
	int line;
	const char *desc;
	enum fam fam;
	const char *row; /* %s: the fixture device's id */
	int known;       /* 1: the reference names a record, the row is created */
};

/*
 * References (users' group and deviceId, a device's group): a known one
 * passes, an unknown one fails its row alone with the code and details the
 * API's POST answers for the same representation.
 */
static const struct ref_case ref_cases[] = {
        {__LINE__, "user with a known group", F_USERS, "{\"name\":\"R\",\"group\":\"staff\"}", 1},
        {__LINE__, "user with an unknown group", F_USERS, "{\"name\":\"R\",\"group\":\"nobody\"}",
         0},
        {__LINE__, "user with a group of another tenant", F_USERS,
         "{\"name\":\"R\",\"group\":\"theirs\"}", 0},
        {__LINE__, "user with a known device", F_USERS, "{\"name\":\"R\",\"deviceId\":\"%s\"}", 1},
        {__LINE__, "user with an unknown device", F_USERS,
         "{\"name\":\"R\",\"deviceId\":\"dev-999999\"}", 0},
        {__LINE__, "device with a known group", F_DEVICES, "{\"name\":\"R\",\"group\":\"staff\"}",
         1},
        {__LINE__, "device with an unknown group", F_DEVICES,
         "{\"name\":\"R\",\"group\":\"nobody\"}", 0},
};

START_TEST(test_references)
{
	const struct ref_case *c = &ref_cases[_i];
	char uri[64], row[256], rows[600];
	const char *tok = fam_token(c->fam);
	struct tu_call post = {"POST", fam_paths[c->fam], tok, "application/json", row, NULL, NULL,
	                       NULL};
	cJSON *out = NULL, *api = NULL;
	const cJSON *res;
	long long before;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM devices", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM user_groups", NULL, NULL, NULL);
	make_records();
	tu_exec(&env,
	        "INSERT INTO user_groups (tenant_id, group_key, name) SELECT id, 'theirs', 'T' "
	        "FROM tenants WHERE name = 'globex'",
	        NULL, NULL, NULL);
	before = rows_of_acme(c->fam, "COUNT(*)");
	fill_row(row, sizeof(row), c->row, device_id());
	/* The bad row between two good ones: it fails alone. */
	snprintf(rows, sizeof(rows), "{\"name\":\"Before\"}\n%s\n{\"name\":\"After\"}\n", row);
	snprintf(uri, sizeof(uri), "%s/import", fam_paths[c->fam]);
	ck_assert_int_eq(import(fam_handlers[c->fam], uri, tok, ND, rows, &out), 200);
	ck_assert_msg(num(out, "created") == 2 + c->known && num(out, "failed") == !c->known,
	              "line %d (%s): %s", c->line, c->desc, cJSON_PrintUnformatted(out));
	ck_assert_msg(rows_of_acme(c->fam, "COUNT(*)") == before + 2 + c->known,
	              "line %d (%s): stored", c->line, c->desc);
	if (!c->known) {
		res = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "results"), 0);
		ck_assert_int_eq(num(res, "line"), 2);
		/* The same row through the API: the same code and details. */
		ck_assert_msg(tu_call_status(&env, fam_handlers[c->fam], &post, &api) == 422,
		              "line %d (%s): API", c->line, c->desc);
		ck_assert_msg(strcmp(result(out, "code"),
		                     cJSON_GetObjectItemCaseSensitive(api, "code")->valuestring) ==
		                      0,
		              "line %d (%s): code %s", c->line, c->desc, result(out, "code"));
		ck_assert_msg(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(res, "details"),
		                            cJSON_GetObjectItemCaseSensitive(api, "details"), 1),
		              "line %d (%s): %s vs %s", c->line, c->desc,
		              cJSON_PrintUnformatted(res), cJSON_PrintUnformatted(api));
		cJSON_Delete(api);
	}
	cJSON_Delete(out);
}
END_TEST

START_TEST(test_tenants)
{
	char row[200];
	cJSON *out = NULL;
	struct up_response resp;
	struct tu_call c = {"GET", "/api/users/export", outsider, NULL, NULL, NULL, NULL, NULL};

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	make_records();
	/* acme's id and e-mail name nothing of globex: a new record there, acme's untouched. */
	snprintf(row, sizeof(row),
	         "{\"id\":\"%s\",\"name\":\"Mine\",\"email\":\"old@example.com\"}", user_id());
	ck_assert_int_eq(import(up_users_handle, "/api/users/import?onConflict=update", outsider,
	                        ND, row, &out),
	                 200);
	ck_assert_int_eq(num(out, "created"), 1);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM users WHERE name = ?", "Old"), 1);
	cJSON_Delete(out);
	/* globex's export holds only its own. */
	tu_call(&env, up_users_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "\"Mine\""));
	ck_assert_ptr_null(strstr(resp.body, "\"Old\""));
	up_response_free(&resp);
	/* A reader may not import. */
	ck_assert_int_eq(import(up_users_handle, "/api/users/import", users_r, ND, row, NULL), 403);
}
END_TEST

START_TEST(test_passwords)
{
	const char *hash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
	                   "qWp3nSC8UL0C/6oSkr5y5zD4uvf7PAkNkaMwMpLAFZ0";
	char rows[400];
	cJSON *out = NULL;
	char *stored;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	snprintf(rows, sizeof(rows),
	         "{\"name\":\"P1\",\"password\":\"correct horse\"}\n"
	         "{\"name\":\"P2\",\"password\":\"%s\"}\n"
	         "{\"name\":\"P3\",\"password\":\"$argon2id$bad hash\"}\n",
	         hash);
	ck_assert_int_eq(import(up_users_handle, "/api/users/import", users_w, ND, rows, &out),
	                 200);
	ck_assert_int_eq(num(out, "created"), 2);
	ck_assert_int_eq(num(out, "failed"), 1);
	stored =
	        tu_scalar(&env, "SELECT password_hash FROM users WHERE name = ?", "P2", NULL, NULL);
	ck_assert_str_eq(stored, hash);
	free(stored);
	stored =
	        tu_scalar(&env, "SELECT password_hash FROM users WHERE name = ?", "P1", NULL, NULL);
	ck_assert_int_eq(strncmp(stored, "$argon2id$", 10), 0);
	ck_assert_ptr_null(strstr(stored, "correct horse"));
	free(stored);
	cJSON_Delete(out);
}
END_TEST

START_TEST(test_limits)
{
	cJSON *out = NULL;
	long long before = users_of("acme");

	env.cfg.max_import_rows = 2;
	ck_assert_int_eq(import(up_users_handle, "/api/users/import", users_w, ND,
	                        "{\"name\":\"L1\"}\n{\"name\":\"L2\"}\n{\"name\":\"L3\"}\n", &out),
	                 413);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(out, "code")->valuestring,
	                 "payload_too_large");
	ck_assert_int_eq(users_of("acme"), before);
	cJSON_Delete(out);
	env.cfg.max_import_rows = 10000;
	ck_assert_int_eq(import(up_users_handle, "/api/users/import?onConflict=merge", users_w, ND,
	                        "{\"name\":\"L1\"}\n", NULL),
	                 400);
	ck_assert_int_eq(
	        import(up_users_handle, "/api/users/import", users_w, "text/plain", "x", NULL),
	        415);
	ck_assert_int_eq(users_of("acme"), before);
}
END_TEST

struct body_case {
	int line;
	const char *desc;
	enum fam fam;
	const char *path;                        /* with the query */
	unsigned long max_body, max_import_body; /* the configuration */
	size_t size;                             /* bytes of the body, a multiple of 100 */
	int status;
};

/*
 * An import's body limit is max_import_body, whether above or below
 * max_body; every other route keeps max_body.  Dry runs: an accepted body
 * writes nothing either.  (A 413 comes before the body is looked at, so the
 * groups and devices rows are users' rows.)
 */
static const struct body_case body_cases[] = {
        {__LINE__, "import above max_body, within max_import_body", F_USERS,
         "/api/users/import?dryRun=true", 1000, 5000, 3000, 200},
        {__LINE__, "import of exactly max_import_body", F_USERS, "/api/users/import?dryRun=true",
         1000, 5000, 5000, 200},
        {__LINE__, "import past max_import_body (above max_body)", F_USERS,
         "/api/users/import?dryRun=true", 1000, 5000, 5100, 413},
        {__LINE__, "import past max_import_body below max_body: max_body does not raise it",
         F_USERS, "/api/users/import?dryRun=true", 5000, 1000, 1100, 413},
        {__LINE__, "import within max_import_body below max_body", F_USERS,
         "/api/users/import?dryRun=true", 5000, 1000, 1000, 200},
        {__LINE__, "groups import past max_import_body below max_body", F_GROUPS,
         "/api/groups/import?dryRun=true", 5000, 1000, 1100, 413},
        {__LINE__, "devices import past max_import_body below max_body", F_DEVICES,
         "/api/devices/import?dryRun=true", 5000, 1000, 1100, 413},
        {__LINE__, "devices import past max_import_body above max_body and max_batch_body",
         F_DEVICES, "/api/devices/import?dryRun=true", 1000, 5000, 5100, 413},
        {__LINE__, "not an import: POST /api/users keeps max_body", F_USERS, "/api/users", 1000,
         5000, 3000, 413},
};

START_TEST(test_body_limits)
{
	const struct body_case *c = &body_cases[_i];
	static const char row[] = "{\"name\":\"B\",\"description\":\"";
	char *body = malloc(c->size + 1);
	cJSON *out = NULL;
	long long before = users_of("acme");
	size_t i;

	ck_assert_ptr_nonnull(body);
	/* Rows of 100 bytes each: the row's start, x's, "}\n. */
	for (i = 0; i < c->size; i += 100) {
		memcpy(body + i, row, sizeof(row) - 1);
		memset(body + i + sizeof(row) - 1, 'x', 100 - (sizeof(row) - 1) - 3);
		memcpy(body + i + 97, "\"}\n", 3);
	}
	body[c->size] = '\0';
	env.cfg.max_body = c->max_body;
	env.cfg.max_import_body = c->max_import_body;
	env.cfg.max_batch_body = 2000;
	ck_assert_msg(import(fam_handlers[c->fam], c->path, fam_token(c->fam), ND, body, &out) ==
	                      c->status,
	              "line %d (%s)", c->line, c->desc);
	if (c->status == 413)
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(out, "code")->valuestring,
		                 "payload_too_large");
	else
		ck_assert_msg(num(out, "created") == (long long)(c->size / 100), "line %d (%s): %s",
		              c->line, c->desc, cJSON_PrintUnformatted(out));
	ck_assert_int_eq(users_of("acme"), before);
	cJSON_Delete(out);
	free(body);
}
END_TEST

struct route_case {
	int line;
	const char *desc;
	const char *accept, *query;
	const char *type;     /* Content-Type of the answer */
	const char *contains; /* text the body must hold */
	int points;           /* positions in the answer (lines of CSV, trkpt, Point) */
};

static const struct route_case route_cases[] = {
        {__LINE__, "CSV", "text/csv", "", "text/csv; charset=utf-8",
         "time,latitude,longitude,altitude,speed,course,accuracy,attributes\r\n"
         "2026-01-01T10:00:00Z,52.5,13.4,34,,,,\r\n",
         3},
        {__LINE__, "GPX, one trk", "application/gpx+xml", "", "application/gpx+xml",
         "<trkpt lat=\"52.5\" lon=\"13.4\"><ele>34</ele><time>2026-01-01T10:00:00Z</time>"
         "</trkpt>",
         3},
        {__LINE__, "GeoJSON, the line then the points", "application/geo+json", "",
         "application/geo+json", "\"coordinates\":[[13.4,52.5],[13.5,52.6],[13.6,52.7]]", 3},
        {__LINE__, "a from/to range", "text/csv",
         "?from=2026-01-01T10:30:00Z&to=2026-01-01T11:30:00Z", "text/csv; charset=utf-8",
         "2026-01-01T11:00:00Z,52.6,13.5", 1},
};

START_TEST(test_route_formats)
{
	const struct route_case *c = &route_cases[_i];
	struct up_response resp;
	char uri[400], dev[300];
	const char *marker;
	struct tu_call call = {"GET", uri, devices_w, NULL, NULL, NULL, NULL, c->accept};
	int points = 0;
	const char *p;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM positions", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM devices", NULL, NULL, NULL);
	make_records();
	snprintf(dev, sizeof(dev), "%s", device_id());
	tu_exec(&env,
	        "INSERT INTO positions (device_id, fix_time, latitude, longitude, altitude) VALUES "
	        "(?, '2026-01-01 10:00:00', 52.5, 13.4, 34), (?, '2026-01-01 11:00:00', 52.6, "
	        "13.5, "
	        "NULL), (?, '2026-01-01 12:00:00', 52.7, 13.6, NULL)",
	        dev + 4, dev + 4, dev + 4);
	snprintf(uri, sizeof(uri), "/api/devices/%s/locations%s", dev, c->query);
	tu_call(&env, up_devices_handle, &call, &resp, NULL);
	ck_assert_msg(resp.status == 200, "line %d (%s): %d %s", c->line, c->desc, resp.status,
	              resp.body);
	ck_assert_msg(resp.content_type != NULL && strcmp(resp.content_type, c->type) == 0,
	              "line %d (%s): type", c->line, c->desc);
	ck_assert_msg(strstr(resp.body, c->contains) != NULL, "line %d (%s): %s", c->line, c->desc,
	              resp.body);
	marker = strcmp(c->type, "application/gpx+xml") == 0    ? "<trkpt"
	         : strcmp(c->type, "application/geo+json") == 0 ? "\"Point\""
	                                                        : "\r\n2026";
	for (p = resp.body; (p = strstr(p, marker)) != NULL; p++)
		points++;
	ck_assert_msg(points == c->points, "line %d (%s): %d points", c->line, c->desc, points);
	if (strcmp(c->type, "application/geo+json") == 0) {
		cJSON *doc = NULL;

		ck_assert_int_eq(up_json_parse(resp.body, resp.body_len, 16, &doc), UP_OK);
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "features")), 4);
		cJSON_Delete(doc);
	}
	up_response_free(&resp);
}
END_TEST

struct dup_case {
	int line;
	const char *desc;
	const char *policy;
	long long created, updated, skipped, failed;
	const char *second;    /* the action of the row naming the first */
	const char *check_sql; /* must then be 1 */
};

/*
 * Rows 1 and 2 name one e-mail (in another case); row 3 is new.  The rows'
 * multi-row INSERT meets the unique index, and they run again one by one.
 */
#define DUP_ROWS                                                                                   \
	"{\"name\":\"First\",\"email\":\"dup@example.com\"}\n"                                     \
	"{\"name\":\"Second\",\"email\":\"DUP@example.com\",\"description\":\"d\"}\n"              \
	"{\"name\":\"Third\",\"email\":\"third@example.com\"}\n"

static const struct dup_case dup_cases[] = {
        {__LINE__, "fail: the second row conflicts with the first", "fail", 2, 0, 0, 1, "failed",
         "SELECT COUNT(*) = 0 FROM users WHERE name = 'Second'"},
        {__LINE__, "skip: the second row leaves the first's record", "skip", 2, 0, 1, 0, "skipped",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'First' AND description IS NULL"},
        {__LINE__, "update: the second row merges into the first's record", "update", 2, 1, 0, 0,
         "updated",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Second' AND description = 'd' AND "
         "email_key = 'dup@example.com'"},
};

START_TEST(test_duplicates_in_request)
{
	const struct dup_case *c = &dup_cases[_i];
	char uri[128];
	cJSON *out = NULL;
	long long audits = sql_int("SELECT COUNT(*) FROM audit_log", NULL);
	long long events = sql_int("SELECT COUNT(*) FROM events", NULL);

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	snprintf(uri, sizeof(uri), "/api/users/import?onConflict=%s", c->policy);
	ck_assert_int_eq(import(up_users_handle, uri, users_w, ND, DUP_ROWS, &out), 200);
	ck_assert_msg(num(out, "created") == c->created && num(out, "updated") == c->updated &&
	                      num(out, "skipped") == c->skipped && num(out, "failed") == c->failed,
	              "line %d (%s): counts", c->line, c->desc);
	ck_assert_msg(strcmp(result(out, "action"), c->second) == 0, "line %d (%s): action %s",
	              c->line, c->desc, result(out, "action"));
	ck_assert_msg(sql_int(c->check_sql, NULL) == 1, "line %d (%s): database", c->line, c->desc);
	ck_assert_int_eq(users_of("acme"), 2);
	/* One audit row and one event per record created or changed, each naming its record. */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM audit_log", NULL),
	                 audits + c->created + c->updated);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM events", NULL),
	                 events + c->created + c->updated);
	ck_assert_int_eq(
	        sql_int("SELECT COUNT(*) FROM events e JOIN users u ON "
	                "e.resource_id = CONCAT('usr-', u.id) WHERE e.type = 'user.created'",
	                NULL),
	        2);
	ck_assert_int_eq(
	        sql_int("SELECT COUNT(*) FROM audit_log a JOIN users u ON a.user_id = u.id "
	                "WHERE a.action = 'create'",
	                NULL),
	        2);
	cJSON_Delete(out);
}
END_TEST

/*
 * A row whose UPDATE fails (a duplicate key, which a trigger of the test's
 * database raises as a concurrent writer's row would) fails alone: the
 * UPDATE runs at once, not with the COMMIT, which would fail the whole
 * chunk; no audit row or event is kept for it, and the next row commits.
 */
START_TEST(test_update_row_fails_alone)
{
	char body[256];
	cJSON *out = NULL;
	long long old, audits, events;
	int status;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	make_records();
	tu_exec(&env,
	        "CREATE TRIGGER tr_test_collide BEFORE UPDATE ON users FOR EACH ROW "
	        "IF NEW.description = 'collide' THEN SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = "
	        "1062, "
	        "MESSAGE_TEXT = 'Duplicate entry ''1-x'' for key ''uq_users_email'''; END IF",
	        NULL, NULL, NULL);
	old = sql_int("SELECT id FROM users WHERE email = 'old@example.com'", NULL);
	audits = sql_int("SELECT COUNT(*) FROM audit_log", NULL);
	events = sql_int("SELECT COUNT(*) FROM events", NULL);
	snprintf(body, sizeof(body),
	         "{\"id\":\"usr-%lld\",\"description\":\"collide\"}\n{\"name\":\"Fresh\"}\n", old);
	status = import(up_users_handle, "/api/users/import?onConflict=update", users_w, ND, body,
	                &out);
	tu_exec(&env, "DROP TRIGGER tr_test_collide", NULL, NULL, NULL);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(num(out, "failed"), 1);
	ck_assert_int_eq(num(out, "created"), 1);
	ck_assert_int_eq(num(out, "updated"), 0);
	ck_assert_str_eq(result(out, "action"), "failed");
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM users WHERE description = 'kept'", NULL), 1);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM users WHERE name = 'Fresh'", NULL), 1);
	/* Fresh's audit row and event only. */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM audit_log", NULL), audits + 1);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM events", NULL), events + 1);
	cJSON_Delete(out);
}
END_TEST

struct quota_case {
	int line;
	const char *desc;
	unsigned quota; /* the token's daily quota; the import request itself counts one */
	const char *query;
	const char *rows;
	long long created, failed, over; /* over: rows failed with quota_exceeded */
	long long stored, usage;         /* users stored, the token's count after */
};

#define SIX_NEW                                                                                    \
	"{\"name\":\"Q1\"}\n{\"name\":\"Q2\"}\n{\"name\":\"Q3\"}\n{\"name\":\"Q4\"}\n{\"name\":"   \
	"\"Q5\"}\n"                                                                                \
	"{\"name\":\"Q6\"}\n"

static const struct quota_case quota_cases[] = {
        {__LINE__, "quota 5: the request and four rows; two rows refused", 5, "", SIX_NEW, 4, 2, 2,
         4, 5},
        {__LINE__, "room for every row: none refused", 7, "", SIX_NEW, 6, 0, 0, 6, 7},
        {__LINE__, "a row failing its rules takes no room", 5, "",
         "{\"name\":\"\"}\n{\"name\":\"Q1\"}\n{\"name\":\"Q2\"}\n{\"name\":\"Q3\"}\n"
         "{\"name\":\"Q4\"}\n{\"name\":\"Q5\"}\n",
         4, 2, 1, 4, 5},
        {__LINE__, "atomic past the quota: nothing stored, only the request counted", 5,
         "?atomic=true", SIX_NEW, 4, 2, 2, 0, 1},
        {__LINE__, "dry run: judged against the quota, nothing stored or counted", 5,
         "?dryRun=true", SIX_NEW, 4, 2, 2, 0, 1},
        {__LINE__, "quota used up by the request: every row refused", 1, "", SIX_NEW, 0, 6, 6, 0,
         1},
};

START_TEST(test_quota)
{
	const struct quota_case *c = &quota_cases[_i];
	const cJSON *res, *it;
	char hdr[96], uri[128], tid[32];
	uint64_t token_id = 0;
	cJSON *out = NULL;
	long long over = 0;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_token(&env, "acme", "users:read,users:write", c->quota, hdr, &token_id);
	snprintf(uri, sizeof(uri), "/api/users/import%s", c->query);
	ck_assert_int_eq(import(up_users_handle, uri, hdr, ND, c->rows, &out), 200);
	ck_assert_msg(num(out, "created") == c->created && num(out, "failed") == c->failed,
	              "line %d (%s): created %lld failed %lld", c->line, c->desc,
	              num(out, "created"), num(out, "failed"));
	res = cJSON_GetObjectItemCaseSensitive(out, "results");
	cJSON_ArrayForEach(it, res)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");

		over += cJSON_IsString(code) && strcmp(code->valuestring, "quota_exceeded") == 0;
	}
	ck_assert_msg(over == c->over, "line %d (%s): %lld rows over the quota", c->line, c->desc,
	              over);
	ck_assert_msg(users_of("acme") == c->stored, "line %d (%s): %lld stored", c->line, c->desc,
	              users_of("acme"));
	ck_assert_int_eq(up_usage_flush_now(env.db), UP_OK);
	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)token_id);
	ck_assert_msg(
	        sql_int("SELECT COALESCE(SUM(count), 0) FROM api_usage_slot WHERE token_id = ?",
	                tid) == c->usage,
	        "line %d (%s): usage", c->line, c->desc);
	cJSON_Delete(out);
}
END_TEST

/*
 * The shell's import with a run (up_family_import_run), one step after
 * another on one run of tenant "runs": what it creates and the run's count
 * of rows done and the users stored afterwards (-1: no run row).
 */
static const struct run_step {
	int line;
	const char *desc;
	uint64_t base;
	size_t skip;
	const char *query, *body;
	long long created, results, rows_done, stored;
} run_steps[] = {
        {__LINE__, "three rows after 100: done 103", 100, 0, "",
         "{'name':'R1'}\n\n{'name':'R2'}\n{'name':'R3'}\n", 3, 0, 103, 3},
        {__LINE__, "the first row done already: left out, unreported", 103, 1, "",
         "{'name':'R1'}\n{'name':'R4'}\n{'name':'R5'}\n", 2, 0, 106, 5},
        {__LINE__, "a failed row commits with its chunk: counted", 106, 0, "",
         "{'name':'R6'}\n{'email':'bad'}\n", 1, 1, 108, 6},
        {__LINE__, "every row done: nothing runs", 108, 5, "", "{'name':'R1'}\n", 0, 0, 108, 6},
        {__LINE__, "a dry run writes no count", 200, 0, "dryRun=true", "{'name':'D1'}\n", 1, 0, 108,
         6},
        {__LINE__, "an atomic import rolled back writes no count", 300, 0, "atomic=true",
         "{'name':'A1'}\n{'email':'bad'}\n", 1, 1, 108, 6},
        {__LINE__, "an atomic import kept: its count", 300, 0, "atomic=true", "{'name':'A1'}\n", 1,
         0, 301, 7},
};

START_TEST(test_run_counts)
{
	const struct run_step *c = &run_steps[_i];
	struct up_import_run run = {"0123456789abcdef0123456789abcdef", 0, c->base, c->skip};
	struct up_request req;
	struct up_response resp;
	struct up_ctx ctx;
	struct up_call call;
	cJSON *out = NULL, *http = NULL;
	size_t i;

	run.tenant = tu_tenant(&env, "runs");
	tu_exec(&env, "DELETE FROM import_runs", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM users WHERE tenant_id = (SELECT id FROM tenants WHERE name = ?)",
	        "runs", NULL, NULL);
	for (i = 0; i <= (size_t)_i; i++) { /* the steps before this one, then this one */
		const struct run_step *s = &run_steps[i];
		char *b = tu_q(s->body);

		memset(&ctx, 0, sizeof(ctx));
		memset(&req, 0, sizeof(req));
		ctx.cfg = &env.cfg;
		ctx.db = env.db;
		ctx.auth.tenant_id = run.tenant;
		ctx.authed = 1;
		req.method = UP_M_POST;
		req.query = (char *)s->query;
		req.content_type = ND;
		req.body = b;
		req.body_len = strlen(b);
		run.base = s->base;
		run.skip = s->skip;
		up_response_init(&resp);
		call = (struct up_call){&ctx, &req, &resp, NULL, &up_user_family, NULL};
		up_family_import_run(&call, &run);
		ck_assert_msg(resp.status == 200, "line %d (%s): status %d", s->line, s->desc,
		              resp.status);
		cJSON_Delete(out);
		out = NULL;
		ck_assert_int_eq(up_json_parse(resp.body, resp.body_len, 64, &out), UP_OK);
		up_response_free(&resp);
		free(b);
	}
	ck_assert_msg(num(out, "created") == c->created, "line %d (%s): created %lld", c->line,
	              c->desc, num(out, "created"));
	ck_assert_msg(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "results")) ==
	                      c->results,
	              "line %d (%s): results", c->line, c->desc);
	ck_assert_msg(
	        sql_int("SELECT COALESCE(MAX(rows_done), -1) FROM import_runs WHERE run_id = ?",
	                run.id) == c->rows_done,
	        "line %d (%s): rows done", c->line, c->desc);
	ck_assert_msg(users_of("runs") == c->stored, "line %d (%s): %lld stored", c->line, c->desc,
	              users_of("runs"));
	/* An import over HTTP has no run. */
	ck_assert_int_eq(import(up_users_handle, "/api/users/import", users_w, ND,
	                        "{\"name\":\"H\"}\n", &http),
	                 200);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM import_runs WHERE run_id <> ?", run.id), 0);
	cJSON_Delete(out);
	cJSON_Delete(http);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_policies, 0, sizeof(policy_cases) / sizeof(policy_cases[0]));
	tcase_add_test(tc, test_dry_run_and_atomic);
	tcase_add_test(tc, test_csv_quoting);
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_round_trip_families, 0,
	                    sizeof(trip_cases) / sizeof(trip_cases[0]));
	tcase_add_loop_test(tc, test_references, 0, sizeof(ref_cases) / sizeof(ref_cases[0]));
	tcase_add_test(tc, test_tenants);
	tcase_add_test(tc, test_passwords);
	tcase_add_test(tc, test_limits);
	tcase_add_loop_test(tc, test_body_limits, 0, sizeof(body_cases) / sizeof(body_cases[0]));
	tcase_add_loop_test(tc, test_duplicates_in_request, 0,
	                    sizeof(dup_cases) / sizeof(dup_cases[0]));
	tcase_add_test(tc, test_update_row_fails_alone);
	tcase_add_loop_test(tc, test_quota, 0, sizeof(quota_cases) / sizeof(quota_cases[0]));
	tcase_add_loop_test(tc, test_route_formats, 0,
	                    sizeof(route_cases) / sizeof(route_cases[0]));
	tcase_add_loop_test(tc, test_run_counts, 0, sizeof(run_steps) / sizeof(run_steps[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
