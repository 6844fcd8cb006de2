/* SPDX-License-Identifier: ISC */
/*
 * Integration tests of bulk import and export against a private MariaDB:
 * every conflict policy on each unique key of users, groups and devices
 * (table-driven, each row saying what the database holds afterwards), dry
 * runs, atomic imports with one bad row, CSV quoting, the export -> import
 * round trip, tenant isolation, passwords, and the row limit; rows that
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
	        "INSERT IGNORE INTO devices (tenant_id, name, imei, imsi, iccid, model) "
	        "SELECT id, 'Van', '490154203237518', '310150123456789', '8944500102198304826', "
	        "'kept' FROM tenants WHERE name = 'acme'",
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

struct policy_case {
	int line;
	const char *desc;
	enum fam fam;
	const char *policy;
	const char *row; /* NDJSON; %s: the fixture's id */
	const char *action;
	const char *check_sql; /* must then be 1, or NULL */
};

static const struct policy_case policy_cases[] = {
        /* users: id, e-mail (any case) */
        {__LINE__, "user by id, fail", F_USERS, "fail", "{\"id\":\"%s\",\"name\":\"New\"}",
         "failed", "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old'"},
        {__LINE__, "user by id, skip", F_USERS, "skip", "{\"id\":\"%s\",\"name\":\"New\"}",
         "skipped", "SELECT COUNT(*) = 1 FROM users WHERE name = 'Old'"},
        {__LINE__, "user by id, update keeps id and other fields", F_USERS, "update",
         "{\"id\":\"%s\",\"name\":\"New\"}", "updated",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'New' AND description = 'kept' AND "
         "email_key = 'old@example.com'"},
        {__LINE__, "user by e-mail in another case, fail", F_USERS, "fail",
         "{\"name\":\"Other\",\"email\":\"OLD@example.com\"}", "failed",
         "SELECT COUNT(*) = 0 FROM users WHERE name = 'Other'"},
        {__LINE__, "user by e-mail, skip", F_USERS, "skip",
         "{\"name\":\"Other\",\"email\":\"old@example.com\"}", "skipped",
         "SELECT COUNT(*) = 0 FROM users WHERE name = 'Other'"},
        {__LINE__, "user by e-mail, update", F_USERS, "update",
         "{\"name\":\"Other\",\"email\":\"old@example.com\"}", "updated",
         "SELECT COUNT(*) = 1 FROM users WHERE name = 'Other' AND description = 'kept'"},
        /* groups: id */
        {__LINE__, "group by id, fail", F_GROUPS, "fail", "{\"id\":\"staff\",\"name\":\"New\"}",
         "failed", "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'Staff'"},
        {__LINE__, "group by id, skip", F_GROUPS, "skip", "{\"id\":\"staff\",\"name\":\"New\"}",
         "skipped", "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'Staff'"},
        {__LINE__, "group by id, update", F_GROUPS, "update", "{\"id\":\"staff\",\"name\":\"New\"}",
         "updated",
         "SELECT COUNT(*) = 1 FROM user_groups WHERE name = 'New' AND description = 'kept'"},
        /* devices: id, IMEI, IMSI, ICCID */
        {__LINE__, "device by id, fail", F_DEVICES, "fail", "{\"id\":\"%s\",\"name\":\"New\"}",
         "failed", "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Van'"},
        {__LINE__, "device by IMEI, fail", F_DEVICES, "fail",
         "{\"name\":\"New\",\"imei\":\"490154203237518\"}", "failed",
         "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Van'"},
        {__LINE__, "device by IMSI, skip", F_DEVICES, "skip",
         "{\"name\":\"New\",\"imsi\":\"310150123456789\"}", "skipped",
         "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Van'"},
        {__LINE__, "device by ICCID, update", F_DEVICES, "update",
         "{\"name\":\"New\",\"iccid\":\"8944500102198304826\"}", "updated",
         "SELECT COUNT(*) = 1 FROM devices WHERE name = 'New' AND model = 'kept' AND "
         "imei = '490154203237518'"},
        {__LINE__, "device by IMEI, update", F_DEVICES, "update",
         "{\"name\":\"Truck\",\"imei\":\"490154203237518\"}", "updated",
         "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Truck' AND model = 'kept'"},
        {__LINE__, "device by id, skip", F_DEVICES, "skip", "{\"id\":\"%s\",\"name\":\"New\"}",
         "skipped", "SELECT COUNT(*) = 1 FROM devices WHERE name = 'Van'"},
};

START_TEST(test_policies)
{
	const struct policy_case *c = &policy_cases[_i];
	static const char *const paths[] = {"/api/users/import", "/api/groups/import",
	                                    "/api/devices/import"};
	static const up_handler_fn handlers[] = {up_users_handle, up_groups_handle,
	                                         up_devices_handle};
	const char *auths[] = {users_w, groups_w, devices_w};
	char uri[128], body[512];
	cJSON *out = NULL;

	tu_exec(&env, "DELETE FROM users", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM devices", NULL, NULL, NULL);
	tu_exec(&env, "DELETE FROM user_groups", NULL, NULL, NULL);
	make_records();
	{
		/* "%s" in the row stands for the fixture's id. */
		const char *at = strstr(c->row, "%s");

		if (at != NULL)
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - c->row), c->row,
			         c->fam == F_DEVICES ? device_id() : user_id(), at + 2);
		else
			snprintf(body, sizeof(body), "%s", c->row);
	}
	snprintf(uri, sizeof(uri), "%s?onConflict=%s", paths[c->fam], c->policy);
	ck_assert_msg(import(handlers[c->fam], uri, auths[c->fam], ND, body, &out) == 200,
	              "line %d (%s)", c->line, c->desc);
	ck_assert_msg(strcmp(result(out, "action"), c->action) == 0, "line %d (%s): %s", c->line,
	              c->desc, cJSON_PrintUnformatted(out));
	ck_assert_msg(num(out, "created") == 0, "line %d (%s): created", c->line, c->desc);
	if (strcmp(c->action, "failed") == 0)
		ck_assert_msg(strcmp(result(out, "code"), "conflict") == 0, "line %d (%s)", c->line,
		              c->desc);
	ck_assert_msg(result(out, "id")[0] != '\0', "line %d (%s): no id", c->line, c->desc);
	ck_assert_msg(sql_int(c->check_sql, NULL) == 1, "line %d (%s): database", c->line, c->desc);
	/* Never a second record: the conflict kept the one there was. */
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM users", NULL) +
	                         sql_int("SELECT COUNT(*) FROM devices", NULL) +
	                         sql_int("SELECT COUNT(*) FROM user_groups", NULL),
	                 3);
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

/* Export (NDJSON or CSV), import back with onConflict=update: nothing changes. */
static void round_trip(const char *format, const char *ctype)
{
	struct up_response resp;
	char uri[64];
	long long versions;
	cJSON *out = NULL;
	struct tu_call c = {"GET", uri, users_r, NULL, NULL, NULL, NULL, NULL};

	snprintf(uri, sizeof(uri), "/api/users/export?format=%s", format);
	versions = sql_int("SELECT SUM(version) FROM users WHERE 1 = ?", "1");
	tu_call(&env, up_users_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(resp.body);
	ck_assert_int_eq(import(up_users_handle, "/api/users/import?onConflict=update", users_w,
	                        ctype, resp.body, &out),
	                 200);
	ck_assert_msg(num(out, "updated") == 0 && num(out, "failed") == 0 &&
	                      num(out, "created") == 0,
	              "%s: %s", format, cJSON_PrintUnformatted(out));
	ck_assert_int_eq(num(out, "skipped"), sql_int("SELECT COUNT(*) FROM users u JOIN tenants t "
	                                              "ON t.id = u.tenant_id WHERE t.name = ?",
	                                              "acme"));
	ck_assert_int_eq(sql_int("SELECT SUM(version) FROM users WHERE 1 = ?", "1"), versions);
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
	round_trip("ndjson", ND);
	round_trip("csv", "text/csv");
	/* CSV by Accept, with the formula escape. */
	tu_call(&env, up_users_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, ",'=cmd|' /C calc'!A0,"));
	ck_assert_ptr_nonnull(strstr(resp.body, ",'+plain,"));
	ck_assert_ptr_nonnull(strstr(resp.body, "id,name,email,"));
	up_response_free(&resp);
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
	tcase_add_test(tc, test_tenants);
	tcase_add_test(tc, test_passwords);
	tcase_add_test(tc, test_limits);
	tcase_add_loop_test(tc, test_duplicates_in_request, 0,
	                    sizeof(dup_cases) / sizeof(dup_cases[0]));
	tcase_add_loop_test(tc, test_quota, 0, sizeof(quota_cases) / sizeof(quota_cases[0]));
	tcase_add_loop_test(tc, test_route_formats, 0,
	                    sizeof(route_cases) / sizeof(route_cases[0]));
	tcase_add_loop_test(tc, test_run_counts, 0, sizeof(run_steps) / sizeof(run_steps[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
