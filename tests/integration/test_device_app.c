/* SPDX-License-Identifier: ISC */
/*
 * test_device_app.c: POST /api/v1/device_app_user_update/ at handler level
 * against the private MariaDB of tests/harness/run-test.  Every case checks
 * the database afterwards: the rows, the version, the audit trail, and that a
 * failure changed nothing.  JSON in the tests is written with ' for ".
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "device_app.h"
#include "json.h"
#include "password.h"
#include "testutil.h"

#define EP "/api/v1/device_app_user_update/"

/* The seed's example, less nothing (its IMEI and ICCID fail the Luhn check). */
#define SEED                                                                                       \
	"{'number': '+1234567890', 'generic_id': 'com.example.app.user123', "                      \
	"'imei': '123456789012345', 'imsi': '310120123456789', "                                   \
	"'iccid': '12345678901234567890', 'username': 'john_doe', "                                \
	"'password': 'hashed_password_string', 'user_external_id': 'ext_user_456', "               \
	"'user_class': 'premium'}"

/* How `data` travels. */
enum form { AS_STRING, AS_OBJECT, AS_FORM, RAW_JSON };

struct fx {
	struct tu_env env;
	char tenant[32], tenant_id[24];
	char tok[96];       /* device_app_user:write and users:read: answers show the whole user */
	char tok_write[96]; /* device_app_user:write only: answers show what was sent */
	char tok_read[96];  /* users:read only */
	uint64_t token_id;
};

/* A fresh tenant per test: tests share one database. */
static void fx_open(struct fx *fx, const char *tenant)
{
	memset(fx, 0, sizeof(*fx));
	tu_env_open(&fx->env);
	snprintf(fx->tenant, sizeof(fx->tenant), "%s", tenant);
	snprintf(fx->tenant_id, sizeof(fx->tenant_id), "%llu",
	         (unsigned long long)tu_tenant(&fx->env, tenant));
	tu_token(&fx->env, tenant, "device_app_user:write,users:read", 0, fx->tok, &fx->token_id);
	tu_token(&fx->env, tenant, "device_app_user:write", 0, fx->tok_write, NULL);
	tu_token(&fx->env, tenant, "users:read", 0, fx->tok_read, NULL);
}

static void fx_close(struct fx *fx)
{
	tu_env_close(&fx->env);
}

/* The request body carrying inner (quoted with ') as form f; owned by the caller. */
static char *make_body(enum form f, const char *inner)
{
	char *text = tu_q(inner), *out = NULL;
	cJSON *o;
	size_t i, n;

	switch (f) {
	case RAW_JSON:
		return text;
	case AS_OBJECT:
		ck_assert_int_ne(asprintf(&out, "{\"data\": %s}", text), -1);
		break;
	case AS_STRING:
		o = cJSON_CreateObject();
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(o, "data", text));
		out = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		break;
	case AS_FORM:
		n = strlen(text);
		out = malloc(5 + 3 * n + 1);
		ck_assert_ptr_nonnull(out);
		strcpy(out, "data=");
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[i];

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL)
				sprintf(out + strlen(out), "%c", c);
			else if (c == ' ')
				strcat(out, "+");
			else
				sprintf(out + strlen(out), "%%%02X", c);
		}
		break;
	}
	free(text);
	ck_assert_ptr_nonnull(out);
	return out;
}

/* POST inner as form f with token auth; returns the status, *json the body (caller frees). */
static int post(struct fx *fx, const char *auth, enum form f, const char *inner, cJSON **json)
{
	char *body = make_body(f, inner);
	struct tu_call c = {
	        "POST", EP,
	        auth,   f == AS_FORM ? "application/x-www-form-urlencoded" : "application/json",
	        body,   NULL,
	        NULL,   NULL};
	int status = tu_call_status(&fx->env, up_device_app_handle, &c, json);

	free(body);
	return status;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Compact text of member name of o (or of o itself for NULL); owned by the caller. */
static char *member_text(const cJSON *o, const char *name)
{
	const cJSON *v = name != NULL ? cJSON_GetObjectItemCaseSensitive(o, name) : o;
	char *s;

	ck_assert_msg(v != NULL, "no member %s", name);
	s = up_json_print(v) /* exact numbers, as the responses */;
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Member name of o printed compactly equals want (quoted with '). */
static void expect_member(const cJSON *o, const char *name, const char *want)
{
	char *got = member_text(o, name), *w = tu_q(want);

	ck_assert_msg(strcmp(got, w) == 0, "%s is %s, expected %s", name, got, w);
	free(got);
	free(w);
}

/* The "field" members of details, sorted, comma-separated; owned by the caller. */
static char *detail_fields(const cJSON *body)
{
	const cJSON *d, *details = cJSON_GetObjectItemCaseSensitive(body, "details");
	const char *names[64];
	size_t n = 0, i, j;
	char *out = calloc(1, 2048);

	ck_assert_ptr_nonnull(out);
	ck_assert_msg(cJSON_IsArray(details), "details is not an array");
	cJSON_ArrayForEach(d, details)
	{
		ck_assert_uint_lt(n, 64);
		names[n] = str(d, "field");
		ck_assert_msg(names[n] != NULL, "a detail without field");
		ck_assert_msg(str(d, "reason") != NULL && str(d, "reason")[0] != '\0',
		              "detail %s without a reason", names[n]);
		n++;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		strcat(out, i > 0 ? "," : "");
		strncat(out, names[i], 100);
	}
	return out;
}

/* Everything the endpoint may write, as one string: compare before and after a failure. */
static char *db_state(struct fx *fx)
{
	static const char sql[] =
	        "SELECT CONCAT_WS('|', (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM "
	        "devices), "
	        "(SELECT COUNT(*) FROM audit_log), (SELECT GROUP_CONCAT(CONCAT_WS(',', id, "
	        "tenant_id, IFNULL(username, '-'), IFNULL(user_external_id, '-'), "
	        "IFNULL(generic_id, '-'), IFNULL(phone_number, '-'), IFNULL(user_class, '-'), "
	        "IFNULL(first_name, '-'), IFNULL(last_name, '-'), IFNULL(email, '-'), "
	        "IFNULL(preferences, '-'), IFNULL(device_id, '-'), IFNULL(password_hash, '-'), "
	        "version, modified_at) ORDER BY id SEPARATOR ';') FROM users), "
	        "(SELECT GROUP_CONCAT(CONCAT_WS(',', id, tenant_id, IFNULL(imei, '-'), "
	        "IFNULL(imsi, '-'), IFNULL(iccid, '-'), version) ORDER BY id SEPARATOR ';') "
	        "FROM devices))";
	char *s = tu_scalar(&fx->env, sql, NULL, NULL, NULL);

	ck_assert_ptr_nonnull(s);
	return s;
}

static long long db_int(struct fx *fx, const char *sql, const char *p1, const char *p2)
{
	return tu_scalar_int(&fx->env, sql, p1, p2, NULL);
}

/* Id digits of "usr-<n>" as text (static buffer of the caller). */
static const char *digits(const char *public_id, char *buf, size_t len)
{
	ck_assert_ptr_nonnull(public_id);
	ck_assert_msg(strncmp(public_id, "usr-", 4) == 0, "not a user id: %s", public_id);
	snprintf(buf, len, "%s", public_id + 4);
	return buf;
}

/* Create the seed's user; its public id into id (at least 32 bytes). */
static void create_seed(struct fx *fx, char *id)
{
	cJSON *b = NULL;

	ck_assert_int_eq(post(fx, fx->tok, AS_STRING, SEED, &b), 201);
	snprintf(id, 32, "%s", str(b, "user_id"));
	cJSON_Delete(b);
}

struct fail_case {
	int line;
	const char *desc;
	enum form form;
	const char *inner;
	int status;
	const char *code;
	const char *fields; /* sorted detail fields, NULL: not checked */
};

#define F(desc, form, inner, status, code, fields)                                                 \
	{                                                                                          \
		__LINE__, desc, form, inner, status, code, fields                                  \
	}

/*
 * Send case c and check that it is refused as c says, with the error shape of
 * DESIGN section 2, and that the database is unchanged.  Returns the response
 * body (owned by the caller) for further checks.
 */
static cJSON *expect_refused(struct fx *fx, const struct fail_case *c)
{
	cJSON *b = NULL;
	char *before, *after;

	before = db_state(fx);
	ck_assert_msg(post(fx, fx->tok, c->form, c->inner, &b) == c->status,
	              "line %d: %s: status %s", c->line, c->desc, member_text(b, NULL));
	ck_assert_msg(strcmp(str(b, "code"), c->code) == 0, "line %d: %s: code %s", c->line,
	              c->desc, str(b, "code"));
	expect_member(b, "success", "false");
	ck_assert_msg(str(b, "error") != NULL && strlen(str(b, "error")) > 0, "line %d", c->line);
	if (c->fields != NULL) {
		char *f = detail_fields(b);

		ck_assert_msg(strcmp(f, c->fields) == 0, "line %d: %s: details '%s', expected '%s'",
		              c->line, c->desc, f, c->fields);
		free(f);
	}
	after = db_state(fx);
	ck_assert_msg(strcmp(before, after) == 0, "line %d: %s: the database changed", c->line,
	              c->desc);
	free(before);
	free(after);
	return b;
}

/* ---------------------------------------------------------------- create */

START_TEST(test_create_seed)
{
	struct fx fx;
	cJSON *b = NULL;
	char uid[24], *hash;

	fx_open(&fx, "create");
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING, SEED, &b), 201);
	expect_member(b, "success", "true");
	expect_member(b, "number", "'+1234567890'");
	expect_member(b, "generic_id", "'com.example.app.user123'");
	expect_member(b, "imei", "'123456789012345'");
	expect_member(b, "imsi", "'310120123456789'");
	expect_member(b, "iccid", "'12345678901234567890'");
	expect_member(b, "username", "'john_doe'");
	expect_member(b, "user_external_id", "'ext_user_456'");
	expect_member(b, "user_class", "'premium'");
	expect_member(b, "profile", "{'first_name':null,'last_name':null,'email':null}");
	expect_member(b, "preferences", "{}");
	expect_member(b, "updated_fields",
	              "['number','generic_id','imei','imsi','iccid','username','password',"
	              "'user_external_id','user_class']");
	expect_member(b, "version", "1");
	expect_member(b, "apiUsage", "1");
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(b, "password"));
	ck_assert_int_eq(strlen(str(b, "updated_at")), 20);
	ck_assert_int_eq(str(b, "updated_at")[19], 'Z');

	digits(str(b, "user_id"), uid, sizeof(uid));
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", fx.tenant_id, NULL),
	        1);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM users u JOIN devices d ON d.id = u.device_id "
	                        "AND d.tenant_id = u.tenant_id WHERE u.id = ? AND d.imei = "
	                        "'123456789012345' AND d.imsi = '310120123456789' AND d.iccid = "
	                        "'12345678901234567890' AND u.phone_number = '+1234567890' AND "
	                        "u.user_class = 'premium' AND u.version = 1",
	                        uid, NULL),
	                 1);
	hash = tu_scalar(&fx.env, "SELECT password_hash FROM users WHERE id = ?", uid, NULL, NULL);
	ck_assert_ptr_nonnull(hash);
	ck_assert_msg(strncmp(hash, "$argon2id$", 10) == 0, "not an argon2id hash: %s", hash);
	ck_assert_int_eq(up_password_verify(hash, "hashed_password_string", 22), 1);
	free(hash);
	ck_assert_int_eq(
	        db_int(&fx,
	               "SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = "
	               "'create' AND tenant_id = ? AND changed_fields LIKE '%\"password\"%'",
	               uid, fx.tenant_id),
	        1);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM audit_log WHERE changed_fields LIKE "
	                        "'%hashed_password_string%'",
	                        NULL, NULL),
	                 0);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* The same update as data string, data object and form body. */
START_TEST(test_body_forms)
{
	static const enum form forms[] = {AS_STRING, AS_OBJECT, AS_FORM};
	static const char *const names[] = {"form_a", "form_b", "form_c"};
	struct fx fx;
	cJSON *b = NULL;
	char inner[160];

	fx_open(&fx, names[_i]);
	snprintf(inner, sizeof(inner),
	         "{'username': 'u%d', 'profile': {'first_name': 'J\xc3\xb6rg + Co & \\'x\\''}}",
	         _i);
	ck_assert_int_eq(post(&fx, fx.tok, forms[_i], inner, &b), 201);
	expect_member(b, "updated_fields", "['username','profile.first_name']");
	ck_assert_str_eq(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(b, "profile"), "first_name")->valuestring,
	        "J\xc3\xb6rg + Co & \"x\"");
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM users WHERE tenant_id = ? AND first_name = "
	                        "'J\xc3\xb6rg + Co & \"x\"'",
	                        fx.tenant_id, NULL),
	                 1);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- updates */

START_TEST(test_update_partial_and_noop)
{
	struct fx fx;
	cJSON *b = NULL;
	char id[32], uid[24], *before, *after;

	fx_open(&fx, "update");
	create_seed(&fx, id);
	digits(id, uid, sizeof(uid));

	/* Only user_class changes; the rest stays. */
	ck_assert_int_eq(
	        post(&fx, fx.tok, AS_STRING, "{'username': 'john_doe', 'user_class': 'gold'}", &b),
	        201);
	expect_member(b, "updated_fields", "['user_class']");
	expect_member(b, "version", "2");
	expect_member(b, "user_class", "'gold'");
	expect_member(b, "generic_id", "'com.example.app.user123'");
	expect_member(b, "imei", "'123456789012345'");
	ck_assert_str_eq(str(b, "user_id"), id);
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx, "SELECT version FROM users WHERE id = ?", uid, NULL), 2);
	ck_assert_int_eq(db_int(&fx, "SELECT COUNT(*) FROM audit_log WHERE user_id = ?", uid, NULL),
	                 2);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = "
	                        "'update' AND changed_fields = '[\"user_class\"]'",
	                        uid, NULL),
	                 1);

	/* The whole seed again: nothing changes (the password verifies). */
	before = db_state(&fx);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'user_external_id': 'ext_user_456', 'user_class': 'gold', "
	                      "'password': 'hashed_password_string', 'imei': '123456789012345'}",
	                      &b),
	                 201);
	expect_member(b, "updated_fields", "[]");
	expect_member(b, "version", "2");
	after = db_state(&fx);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	cJSON_Delete(b);

	/* A new password is a change, named but never shown. */
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT,
	                      "{'username': 'john_doe', 'password': 'another_hash'}", &b),
	                 201);
	expect_member(b, "updated_fields", "['password']");
	expect_member(b, "version", "3");
	after = member_text(b, NULL);
	ck_assert_msg(strstr(after, "another_hash") == NULL, "password echoed: %s", after);
	free(after);
	after = tu_scalar(&fx.env, "SELECT password_hash FROM users WHERE id = ?", uid, NULL, NULL);
	ck_assert_int_eq(up_password_verify(after, "another_hash", 12), 1);
	free(after);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* Older clients: user_id (public or plain digits), profile, preferences. */
START_TEST(test_older_client)
{
	struct fx fx;
	cJSON *b = NULL;
	char id[32], uid[24], inner[512], *prefs;

	fx_open(&fx, "older");
	create_seed(&fx, id);
	digits(id, uid, sizeof(uid));
	snprintf(inner, sizeof(inner),
	         "{'user_id': '%s', 'profile': {'first_name': 'John', 'last_name': 'Smith', "
	         "'email': 'john.smith@example.com'}, 'preferences': {'notifications_enabled': "
	         "true, 'language': 'en'}}",
	         uid);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING, inner, &b), 201);
	expect_member(b, "updated_fields",
	              "['profile.first_name','profile.last_name','profile.email',"
	              "'preferences.notifications_enabled','preferences.language']");
	expect_member(b, "profile",
	              "{'first_name':'John','last_name':'Smith','email':'john.smith@example.com'}");
	expect_member(b, "preferences", "{'notifications_enabled':true,'language':'en'}");
	expect_member(b, "version", "2");
	ck_assert_str_eq(str(b, "user_id"), id);
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM users WHERE id = ? AND email = "
	                        "'john.smith@example.com' AND first_name = 'John' AND last_name = "
	                        "'Smith' AND version = 2",
	                        uid, NULL),
	                 1);

	/* Settings merge: one changed, one removed with null, one added, one kept. */
	snprintf(inner, sizeof(inner),
	         "{'user_id': '%s', 'preferences': {'language': 'de', 'notifications_enabled': "
	         "null, 'theme': 'dark', 'volume': 7}, 'profile': {'last_name': 'Smith'}}",
	         id);
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, inner, &b), 201);
	expect_member(b, "updated_fields",
	              "['preferences.language','preferences.notifications_enabled',"
	              "'preferences.theme','preferences.volume']");
	expect_member(b, "preferences", "{'language':'de','theme':'dark','volume':7}");
	expect_member(b, "version", "3");
	cJSON_Delete(b);
	prefs = tu_scalar(&fx.env, "SELECT preferences FROM users WHERE id = ?", uid, NULL, NULL);
	ck_assert_str_eq(prefs, "{\"language\":\"de\",\"theme\":\"dark\",\"volume\":7}");
	free(prefs);

	/* Removing every setting stores none. */
	snprintf(inner, sizeof(inner),
	         "{'user_id': %s, 'preferences': {'language': null, 'theme': null, 'volume': null, "
	         "'absent': null}}",
	         uid);
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, inner, &b), 201);
	expect_member(b, "updated_fields",
	              "['preferences.language','preferences.theme','preferences.volume']");
	expect_member(b, "preferences", "{}");
	cJSON_Delete(b);
	ck_assert_int_eq(
	        db_int(&fx, "SELECT preferences IS NULL FROM users WHERE id = ?", uid, NULL), 1);
	ck_assert_int_eq(db_int(&fx, "SELECT COUNT(*) FROM audit_log WHERE user_id = ?", uid, NULL),
	                 4);
	fx_close(&fx);
}
END_TEST

/* At most 64 settings: in one request (parse) and once merged with the stored ones. */
START_TEST(test_preferences_limit)
{
	struct fx fx;
	cJSON *b = NULL;
	char inner[4096], *f;
	size_t n;
	int i;

	fx_open(&fx, "prefslimit");
	for (i = 0, n = 0; i <= 64; i++)
		n += (size_t)snprintf(inner + n, sizeof(inner) - n, "%s'k%d': %d", i ? ", " : "", i,
		                      i);
	/* 65 settings in one request. */
	{
		char body[4200];

		snprintf(body, sizeof(body), "{'username': 'p', 'preferences': {%s}}", inner);
		ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, body, &b), 422);
		f = detail_fields(b);
		ck_assert_str_eq(f, "preferences");
		free(f);
		cJSON_Delete(b);
		/* 64 are fine. */
		inner[strlen(inner) - strlen(", 'k64': 64")] = '\0';
		snprintf(body, sizeof(body), "{'username': 'p', 'preferences': {%s}}", inner);
		ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, body, &b), 201);
		cJSON_Delete(b);
	}
	/* A 65th setting next to the 64 stored ones: refused, nothing written. */
	cJSON_Delete(expect_refused(
	        &fx, &(const struct fail_case)F("a 65th setting", AS_OBJECT,
	                                        "{'username': 'p', 'preferences': {'one_more': 1}}",
	                                        422, "validation_failed", "preferences")));
	/* Replacing one (null removes, then adds) stays within the limit. */
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT,
	                      "{'username': 'p', 'preferences': {'k0': null, 'one_more': 1}}", &b),
	                 201);
	expect_member(b, "updated_fields", "['preferences.k0','preferences.one_more']");
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* New IMEI/IMSI/ICCID: same user, same device row, same mappings. */
START_TEST(test_device_replacement)
{
	struct fx fx;
	cJSON *b = NULL;
	char id[32], uid[24];
	long long dev;
	char dev_text[24];

	fx_open(&fx, "replace");
	create_seed(&fx, id);
	digits(id, uid, sizeof(uid));
	dev = db_int(&fx, "SELECT device_id FROM users WHERE id = ?", uid, NULL);
	snprintf(dev_text, sizeof(dev_text), "%lld", dev);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'user_external_id': 'ext_user_456', 'imei': '490154203237518', "
	                      "'imsi': '310150123456789', 'iccid': '8910042348144559361'}",
	                      &b),
	                 201);
	ck_assert_str_eq(str(b, "user_id"), id);
	expect_member(b, "updated_fields", "['imei','imsi','iccid']");
	expect_member(b, "imei", "'490154203237518'");
	expect_member(b, "iccid", "'8910042348144559361'");
	expect_member(b, "user_external_id", "'ext_user_456'");
	expect_member(b, "username", "'john_doe'");
	expect_member(b, "version", "2");
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx, "SELECT device_id FROM users WHERE id = ?", uid, NULL), dev);
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?", fx.tenant_id, NULL),
	        1);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM devices WHERE id = ? AND imei = "
	                        "'490154203237518' AND imsi = '310150123456789' AND iccid = "
	                        "'8910042348144559361' AND version = 2",
	                        dev_text, NULL),
	                 1);
	/* The old IMEI is free again: another user may take it. */
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'second', 'imei': '123456789012345'}", &b),
	                 201);
	ck_assert_str_ne(str(b, "user_id"), id);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* A user without a device gets one; a user from the Users API is updated by user_id. */
START_TEST(test_users_api_user)
{
	struct fx fx;
	cJSON *b = NULL;
	char inner[256], uid[24], id[32];

	fx_open(&fx, "usersapi");
	tu_exec(&fx.env,
	        "INSERT INTO users (tenant_id, name, email, version) VALUES (?, 'Ada Lovelace', "
	        "'ada@example.com', 4)",
	        fx.tenant_id, NULL, NULL);
	snprintf(uid, sizeof(uid), "%lld",
	         db_int(&fx,
	                "SELECT id FROM users WHERE tenant_id = ? AND email = 'ada@example.com'",
	                fx.tenant_id, NULL));
	snprintf(id, sizeof(id), "usr-%s", uid);
	snprintf(inner, sizeof(inner),
	         "{'user_id': '%s', 'version': 4, 'username': 'ada', 'user_class': 'premium', "
	         "'imei': '490154203237518', 'profile': {'email': 'ada@example.com'}}",
	         id);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING, inner, &b), 201);
	expect_member(b, "updated_fields", "['imei','username','user_class']");
	expect_member(b, "profile",
	              "{'first_name':null,'last_name':null,'email':'ada@example.com'}");
	expect_member(b, "version", "5");
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM users u JOIN devices d ON d.id = u.device_id "
	                        "WHERE u.id = ? AND d.imei = '490154203237518' AND u.name = 'Ada "
	                        "Lovelace' AND u.version = 5",
	                        uid, NULL),
	                 1);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- conflicts */

/* A fixture of two users: john_doe (seed) and jane with her own keys and device. */
static void two_users(struct fx *fx, char *john, char *jane)
{
	cJSON *b = NULL;

	create_seed(fx, john);
	ck_assert_int_eq(post(fx, fx->tok, AS_STRING,
	                      "{'username': 'jane', 'number': '+4915112345678', 'generic_id': "
	                      "'com.example.app.jane', 'user_external_id': 'ext_jane', 'imei': "
	                      "'353918053412348', 'imsi': '262011234567890', 'iccid': "
	                      "'89148000001234567898', 'profile': {'email': 'jane@example.com'}}",
	                      &b),
	                 201);
	snprintf(jane, 32, "%s", str(b, "user_id"));
	cJSON_Delete(b);
}

/* Requests against the two_users fixture that must fail and change nothing. */
static const struct fail_case conflicts[] = {
        F("jane's email in other letter case: email uniqueness ignores case", AS_STRING,
          "{'username': 'john_doe', 'profile': {'email': 'JANE@Example.COM'}}", 409, "conflict",
          "profile.email"),
        F("username of john, number of jane", AS_STRING,
          "{'username': 'john_doe', 'number': '+4915112345678', 'user_class': 'x'}", 409,
          "conflict", "number,username"),
        F("every key given, one of them jane's", AS_OBJECT,
          "{'username': 'john_doe', 'number': '+1234567890', 'generic_id': 'com.example.app.jane', "
          "'user_external_id': 'ext_user_456', 'imei': '490154203237518'}",
          409, "conflict", "generic_id,number,user_external_id,username"),
        F("john takes jane's IMEI", AS_STRING,
          "{'username': 'john_doe', 'imei': '353918053412348'}", 409, "conflict", "imei"),
        F("john takes jane's IMSI and ICCID", AS_STRING,
          "{'username': 'john_doe', 'imsi': '262011234567890', 'iccid': '89148000001234567898'}",
          409, "conflict", "iccid,imsi"),
        F("a new user with jane's IMEI", AS_FORM,
          "{'username': 'newbie', 'imei': '353918053412348'}", 409, "conflict", "imei"),
        F("john takes jane's email", AS_STRING,
          "{'username': 'john_doe', 'profile': {'email': 'jane@example.com'}}", 409, "conflict",
          "profile.email"),
        F("stale version", AS_STRING, "{'username': 'john_doe', 'user_class': 'x', 'version': 7}",
          409, "stale_version", NULL),
        F("older version", AS_STRING, "{'username': 'jane', 'user_class': 'x', 'version': 0}", 409,
          "stale_version", NULL),
        F("version of a user that does not exist", AS_STRING,
          "{'username': 'nobody', 'user_class': 'x', 'version': 3}", 409, "stale_version", NULL),
        F("user_id naming no user", AS_STRING, "{'user_id': 'usr-999999', 'user_class': 'x'}", 404,
          "not_found", NULL),
        F("user_id naming no user, plain digits", AS_OBJECT, "{'user_id': 999999}", 404,
          "not_found", NULL),
};

START_TEST(test_conflicts)
{
	const struct fail_case *c = &conflicts[_i];
	struct fx fx;
	char john[32], jane[32], name[32];

	snprintf(name, sizeof(name), "conflict%d", _i);
	fx_open(&fx, name);
	two_users(&fx, john, jane);
	cJSON_Delete(expect_refused(&fx, c));
	fx_close(&fx);
}
END_TEST

/* The conflict details say which key points to which user. */
START_TEST(test_conflict_details)
{
	struct fx fx;
	cJSON *b = NULL, *d;
	char john[32], jane[32];
	int seen = 0;

	fx_open(&fx, "conflictdetails");
	two_users(&fx, john, jane);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'john_doe', 'number': '+4915112345678', 'generic_id': "
	                      "'fresh'}",
	                      &b),
	                 409);
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(b, "details"))
	{
		if (strcmp(str(d, "field"), "username") == 0) {
			ck_assert_str_eq(str(d, "user_id"), john);
			seen++;
		} else if (strcmp(str(d, "field"), "number") == 0) {
			ck_assert_str_eq(str(d, "user_id"), jane);
			seen++;
		} else {
			ck_assert_str_eq(str(d, "field"), "generic_id");
			ck_assert_ptr_null(cJSON_GetObjectItem(d, "user_id"));
			ck_assert_str_eq(str(d, "reason"), "matches no user");
			seen++;
		}
	}
	ck_assert_int_eq(seen, 3);
	cJSON_Delete(b);
	/* The IMEI conflict names the user holding it. */
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'john_doe', 'imei': '353918053412348'}", &b),
	                 409);
	ck_assert_str_eq(str(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "details"), 0), "user_id"),
	                 jane);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* The right version passes; a device no user has gives up its identifier. */
START_TEST(test_version_and_orphan_device)
{
	struct fx fx;
	cJSON *b = NULL;
	char john[32], jane[32];

	fx_open(&fx, "versionok");
	two_users(&fx, john, jane);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'john_doe', 'user_class': 'gold', 'version': 1}", &b),
	                 201);
	expect_member(b, "version", "2");
	cJSON_Delete(b);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'fresh', 'user_class': 'gold', 'version': 0}", &b),
	                 201);
	expect_member(b, "version", "1");
	cJSON_Delete(b);

	tu_exec(&fx.env, "INSERT INTO devices (tenant_id, imei) VALUES (?, '356938035643809')",
	        fx.tenant_id, NULL, NULL);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'john_doe', 'imei': '356938035643809'}", &b),
	                 201);
	expect_member(b, "updated_fields", "['imei']");
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM devices WHERE tenant_id = ? AND imei = "
	                        "'356938035643809'",
	                        fx.tenant_id, NULL),
	                 1);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM devices d JOIN users u ON u.device_id = d.id "
	                        "WHERE d.imei = '356938035643809' AND u.username = 'john_doe' AND "
	                        "u.tenant_id = ?",
	                        fx.tenant_id, NULL),
	                 1);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- validation */

/* Names of 46 code points: "x" then 45 two-byte characters (91 bytes); cut at 80 bytes. */
#define E5 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E15 E5 E5 E5
#define LONG_NAME "x" E15 E15 E15
#define LONG_NAME_CUT "x" E15 E15 E5 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" /* x + 39: 79 bytes */

static const struct fail_case invalid[] = {
        F("unknown field with a long non-ASCII name: cut on a character boundary", AS_OBJECT,
          "{'username': 'a', '" LONG_NAME "': 1}", 422, "validation_failed", LONG_NAME_CUT),
        F("unknown profile field with a long non-ASCII name: cut on a boundary", AS_STRING,
          "{'username': 'a', 'profile': {'" LONG_NAME "': 1}}", 422, "validation_failed",
          "profile." LONG_NAME_CUT),
        F("bad setting with a long non-ASCII name: cut on a boundary", AS_FORM,
          "{'username': 'a', 'preferences': {'" LONG_NAME "': [1]}}", 422, "validation_failed",
          "preferences." LONG_NAME_CUT),
        F("unexpected envelope member with a long non-ASCII name: message cut on a boundary",
          RAW_JSON, "{'data': {'username': 'a'}, '" LONG_NAME "': 1}", 400, "invalid_data", ""),
        F("several bad fields at once", AS_STRING,
          "{'username': 'bad name', 'number': '12345', 'imei': '12', 'imsi': 'abc', 'iccid': '1', "
          "'user_class': 'pre mium', 'user_external_id': '', 'generic_id': 5, "
          "'profile': {'email': 'not-an-email', 'first_name': '', 'nickname': 'x'}, "
          "'preferences': {'nested': {'a': 1}, 'list': [1]}, 'version': -1, 'colour': 'red'}",
          422, "validation_failed",
          "colour,generic_id,iccid,imei,imsi,number,preferences.list,preferences.nested,"
          "profile.email,profile.first_name,profile.nickname,user_class,user_external_id,username,"
          "version"),
        F("user_external_id with a trailing space", AS_OBJECT, "{'user_external_id': 'crm-1 '}",
          422, "validation_failed", "user_external_id"),
        F("generic_id with a leading space", AS_FORM, "{'generic_id': ' com.example.app'}", 422,
          "validation_failed", "generic_id"),
        F("generic_id ending in a no-break space", AS_STRING,
          "{'generic_id': 'com.example.app\xc2\xa0'}", 422, "validation_failed", "generic_id"),
        F("user_external_id ending in an ideographic space", AS_OBJECT,
          "{'user_external_id': 'crm-1\xe3\x80\x80'}", 422, "validation_failed",
          "user_external_id"),
        F("preference 1e999 (would be stored as null)", AS_OBJECT,
          "{'username': 'a', 'preferences': {'big': 1e999}}", 422, "validation_failed",
          "preferences.big"),
        F("preference -1e999", AS_STRING, "{'username': 'a', 'preferences': {'small': -1e999}}",
          422, "validation_failed", "preferences.small"),
        F("preference 2^53 + 1 (would be rounded)", AS_FORM,
          "{'username': 'a', 'preferences': {'big': 9007199254740993}}", 422, "validation_failed",
          "preferences.big"),
        F("preference -2^53", AS_OBJECT,
          "{'username': 'a', 'preferences': {'big': -9007199254740992}}", 422, "validation_failed",
          "preferences.big"),
        F("preference 1e300", AS_OBJECT, "{'username': 'a', 'preferences': {'big': 1e300}}", 422,
          "validation_failed", "preferences.big"),
        F("preference given twice", RAW_JSON,
          "{'data': {'username': 'a', 'preferences': {'k': 1, 'j': 2, 'k': 3}}}", 422,
          "validation_failed", "preferences.k"),
        F("user_id malformed", AS_OBJECT, "{'user_id': 'user-12'}", 422, "validation_failed",
          "user_id"),
        F("user_id zero", AS_OBJECT, "{'user_id': 0}", 422, "validation_failed", "user_id"),
        F("user_id fractional", AS_OBJECT, "{'user_id': 1.5}", 422, "validation_failed", "user_id"),
        F("null is not a value", AS_OBJECT, "{'username': null}", 422, "validation_failed",
          "username"),
        F("profile not an object", AS_OBJECT, "{'username': 'a', 'profile': 'John'}", 422,
          "validation_failed", "profile"),
        F("preferences not an object", AS_OBJECT, "{'username': 'a', 'preferences': [1]}", 422,
          "validation_failed", "preferences"),
        F("field given twice", RAW_JSON, "{'data': {'username': 'a', 'username': 'b'}}", 422,
          "validation_failed", "username"),
        F("user_external_id over 128", AS_OBJECT,
          "{'user_external_id': "
          "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}",
          422, "validation_failed", "user_external_id"),
        F("control character", AS_OBJECT, "{'username': 'a', 'profile': {'last_name': 'a\\nb'}}",
          422, "validation_failed", "profile.last_name"),
        F("E.164 with leading zero", AS_OBJECT, "{'number': '+0123456789'}", 422,
          "validation_failed", "number"),
        F("no identifying key", AS_STRING, "{'user_class': 'premium', 'imei': '123456789012345'}",
          400, "missing_key", ""),
        F("empty data object", AS_OBJECT, "{}", 400, "missing_key", ""),
        F("only profile", AS_OBJECT, "{'profile': {'email': 'a@example.com'}}", 400, "missing_key",
          ""),
        F("data missing", RAW_JSON, "{'username': 'a'}", 400, "invalid_data", ""),
        F("data a number", RAW_JSON, "{'data': 5}", 400, "invalid_data", ""),
        F("data null", RAW_JSON, "{'data': null}", 400, "invalid_data", ""),
        F("data an array", RAW_JSON, "{'data': [{'username': 'a'}]}", 400, "invalid_data", ""),
        F("data string of an array", RAW_JSON, "{'data': '[1]'}", 400, "invalid_data", ""),
        F("data string not JSON", RAW_JSON, "{'data': '{username: a}'}", 400, "invalid_data", ""),
        F("data string with a trailing comma", RAW_JSON, "{'data': '{\\'username\\': \\'a\\',}'}",
          400, "invalid_data", ""),
        F("data given twice", RAW_JSON, "{'data': {'username': 'a'}, 'data': {'username': 'b'}}",
          400, "invalid_data", ""),
        F("another member beside data", RAW_JSON, "{'data': {'username': 'a'}, 'extra': 1}", 400,
          "invalid_data", ""),
        F("body an array", RAW_JSON, "[{'data': {}}]", 400, "invalid_data", ""),
        F("body not JSON", RAW_JSON, "{'data': ", 400, "invalid_json", ""),
        F("raw line break in the data string is accepted (here: no key in it)", RAW_JSON,
          "{'data': '{\n}'}", 400, "missing_key", ""),
        F("other raw control characters stay refused", RAW_JSON, "{'data': '{\x01}'}", 400,
          "invalid_json", ""),
        F("body with a comment", RAW_JSON, "{'data': {'username': 'a'}} // x", 400, "invalid_json",
          ""),
};

START_TEST(test_invalid)
{
	const struct fail_case *c = &invalid[_i];
	struct fx fx;
	cJSON *b;
	char name[32];

	snprintf(name, sizeof(name), "invalid%d", _i);
	fx_open(&fx, name);
	b = expect_refused(&fx, c);
	expect_member(b, "apiUsage", "1");
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* At most 16 problems are listed (as the Users API); the others are counted. */
START_TEST(test_details_capped)
{
	struct fx fx;
	cJSON *b = NULL, *details, *last;
	char inner[2048];
	size_t n = 0;
	int i;

	fx_open(&fx, "detailscap");
	n += (size_t)snprintf(inner + n, sizeof(inner) - n, "{'username': 'a'");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(inner + n, sizeof(inner) - n, ", 'unknown%02d': %d", i, i);
	snprintf(inner + n, sizeof(inner) - n, "}");
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, inner, &b), 422);
	/* 16 listed, as every family lists at most; the other 24 are counted. */
	details = cJSON_GetObjectItem(b, "details");
	ck_assert_int_eq(cJSON_GetArraySize(details), UP_ERROR_MAX_DETAILS);
	ck_assert_int_eq(UP_ERROR_MAX_DETAILS, 16);
	ck_assert_str_eq(str(cJSON_GetArrayItem(details, 0), "field"), "unknown00");
	ck_assert_str_eq(str(cJSON_GetArrayItem(details, 15), "field"), "unknown15");
	last = cJSON_GetObjectItem(b, "moreDetails");
	ck_assert(cJSON_IsNumber(last));
	ck_assert_int_eq(last->valueint, 24);
	cJSON_Delete(b);
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", fx.tenant_id, NULL),
	        0);
	fx_close(&fx);
}
END_TEST

/*
 * Thousands of settings: refused on the count alone, in one detail, before any
 * name is compared with another (the duplicate check is linear, and bounded).
 */
START_TEST(test_many_preferences)
{
	struct fx fx;
	cJSON *b = NULL, *details;
	size_t cap = 64 * 1024, n = 0;
	char *inner = malloc(cap);
	int i;

	ck_assert_ptr_nonnull(inner);
	fx_open(&fx, "manyprefs");
	n += (size_t)snprintf(inner + n, cap - n, "{'username': 'a', 'preferences': {");
	for (i = 0; i < 5000; i++)
		n += (size_t)snprintf(inner + n, cap - n, "%s'k': 1", i ? "," : "");
	snprintf(inner + n, cap - n, "}}");
	ck_assert_uint_lt(n, cap - 8);
	ck_assert_int_eq(post(&fx, fx.tok, AS_OBJECT, inner, &b), 422);
	details = cJSON_GetObjectItem(b, "details");
	ck_assert_int_eq(cJSON_GetArraySize(details), 1);
	ck_assert_str_eq(str(cJSON_GetArrayItem(details, 0), "field"), "preferences");
	cJSON_Delete(b);
	free(inner);
	fx_close(&fx);
}
END_TEST

/* Numbers up to 2^53 - 1 are stored exactly; fractions as sent. */
START_TEST(test_preference_numbers_exact)
{
	struct fx fx;
	cJSON *b = NULL;
	char *prefs;

	fx_open(&fx, "exactprefs");
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'n1', 'preferences': {'max': 9007199254740991, 'min': "
	                      "-9007199254740991, 'half': 0.5, 'zero': 0}}",
	                      &b),
	                 201);
	expect_member(b, "preferences",
	              "{'max':9007199254740991,'min':-9007199254740991,'half':0.5,'zero':0}");
	cJSON_Delete(b);
	prefs = tu_scalar(&fx.env, "SELECT preferences FROM users WHERE tenant_id = ?",
	                  fx.tenant_id, NULL, NULL);
	ck_assert_str_eq(
	        prefs,
	        "{\"max\":9007199254740991,\"min\":-9007199254740991,\"half\":0.5,\"zero\":0}");
	free(prefs);
	fx_close(&fx);
}
END_TEST

/*
 * Identifiers are compared as people see them: "crm-1 " is refused (in SQL,
 * PAD SPACE would find "crm-1"), and email addresses are unique per tenant
 * in any letter case (migration 004).
 */
START_TEST(test_identifiers_as_seen)
{
	struct fx fx;
	cJSON *b = NULL;

	fx_open(&fx, "asseen");
	ck_assert_int_eq(
	        post(&fx, fx.tok, AS_STRING,
	             "{'user_external_id': 'crm-1', 'user_class': 'a', 'profile': {'email': "
	             "'Bob@x.example'}}",
	             &b),
	        201);
	cJSON_Delete(b);
	cJSON_Delete(expect_refused(
	        &fx, &(const struct fail_case)F("crm-1 with a space finds nothing", AS_STRING,
	                                        "{'user_external_id': 'crm-1 ', 'user_class': 'b'}",
	                                        422, "validation_failed", "user_external_id")));
	cJSON_Delete(expect_refused(
	        &fx,
	        &(const struct fail_case)F("bob@x.example is Bob@x.example", AS_STRING,
	                                   "{'user_external_id': 'crm-2', 'profile': {'email': "
	                                   "'bob@X.EXAMPLE'}}",
	                                   409, "conflict", "profile.email")));
	/* The same user may change the letter case of its own address. */
	ck_assert_int_eq(
	        post(&fx, fx.tok, AS_STRING,
	             "{'user_external_id': 'crm-1', 'profile': {'email': 'bob@x.example'}}", &b),
	        201);
	expect_member(b, "updated_fields", "['profile.email']");
	cJSON_Delete(b);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM users WHERE tenant_id = ? AND email = "
	                        "'bob@x.example' AND email_key = 'bob@x.example'",
	                        fx.tenant_id, NULL),
	                 1);
	fx_close(&fx);
}
END_TEST

/* The audit trail holds the server's request id, never the client's X-Request-Id. */
START_TEST(test_audit_request_id)
{
	struct fx fx;
	struct up_response resp;
	char *body = make_body(AS_STRING, "{'username': 'rid_user'}"), *rid;
	struct tu_call c = {
	        "POST", EP, fx.tok, "application/json", NULL, NULL, "client-chosen-id-1", NULL};

	fx_open(&fx, "auditrid");
	c.auth = fx.tok;
	c.body = body;
	tu_call(&fx.env, up_device_app_handle, &c, &resp, NULL);
	ck_assert_int_eq(resp.status, 201);
	up_response_free(&resp);
	rid = tu_scalar(&fx.env, "SELECT request_id FROM audit_log WHERE tenant_id = ?",
	                fx.tenant_id, NULL, NULL);
	ck_assert_ptr_nonnull(rid);
	ck_assert_str_ne(rid, "client-chosen-id-1");
	ck_assert_uint_eq(strlen(rid), 32);
	ck_assert_uint_eq(strspn(rid, "0123456789abcdef"), 32);
	free(rid);
	free(body);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- concurrency */

#define PARALLEL 10
#define ROUNDS 20

/*
 * One of PARALLEL clients: own connection; in each round it waits for the
 * start, sends the round's create (all clients send the same one) and says
 * it is done.  Exits with the number of answers that were not 201.
 */
static void parallel_client(const char *tok, int level, int go[][2], int done_fd)
{
	struct tu_env env;
	struct tu_call call = {"POST", EP, tok, "application/json", NULL, NULL, NULL, NULL};
	struct up_response resp;
	char inner[200], c;
	int r, bad = 0;

	tu_env_open(&env);
	for (r = 0; r < ROUNDS; r++) {
		char *body;

		/* read returns 0 when the parent closes the round's pipe: all ten go at once */
		(void)!read(go[r][0], &c, 1);
		snprintf(inner, sizeof(inner),
		         "{'user_external_id': 'par-%d-%d', 'generic_id': 'com.example.par%d.%d', "
		         "'user_class': 'gold', 'preferences': {'lang': 'en'}, 'imei': "
		         "'490154203%d%05d', 'imsi': '26201%d%08d'}",
		         level, r, level, r, level, r, level, r);
		body = make_body(AS_STRING, inner);
		call.body = body;
		tu_call(&env, up_device_app_handle, &call, &resp, NULL);
		if (resp.status != 201) {
			fprintf(stderr, "parallel create: %d %s\n", resp.status,
			        resp.body != NULL ? resp.body : "");
			bad++;
		}
		up_response_free(&resp);
		free(body);
		(void)!write(done_fd, "", 1);
	}
	tu_env_close(&env);
	_exit(bad);
}

/* What new sessions of the test's server get (as its root: the programs' user may not). */
static void set_global_isolation(const char *level)
{
	const char *dir = getenv("UP_TEST_DB_DIR");
	char cmd[512];

	ck_assert_msg(dir != NULL, "UP_TEST_DB_DIR is not set (run under tests/harness/run-test)");
	snprintf(cmd, sizeof(cmd),
	         "mariadb --no-defaults -S '%s/mysqld.sock' -u root -e 'SET GLOBAL TRANSACTION "
	         "ISOLATION LEVEL %s'",
	         dir, level);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/*
 * PARALLEL identical creates at once make one user and no 409, whatever
 * isolation level the server gives new sessions: READ COMMITTED takes no gap
 * locks, so two creates both find no user and both insert; the loser's
 * duplicate key on an identifying key must lead to a retry that finds the
 * winner's user, not to a conflict.
 */
START_TEST(test_parallel_identical_creates)
{
	static const char *const levels[] = {"READ COMMITTED", "REPEATABLE READ"};
	static const char *const shown[] = {"READ-COMMITTED", "REPEATABLE-READ"};
	struct fx fx;
	struct tu_env probe;
	pid_t pids[PARALLEL];
	char name[32], *level;
	int go[ROUNDS][2], done[2], i, r, failed = 0;

	snprintf(name, sizeof(name), "parallel%d", _i);
	fx_open(&fx, name);
	set_global_isolation(levels[_i]);
	/* The premise: the server gives new sessions that level, and ours set
	 * READ COMMITTED for themselves at connect. */
	tu_env_open(&probe);
	level = tu_scalar(&probe, "SELECT @@global.tx_isolation", NULL, NULL, NULL);
	ck_assert_str_eq(level, shown[_i]);
	free(level);
	level = tu_scalar(&probe, "SELECT @@tx_isolation", NULL, NULL, NULL);
	ck_assert_str_eq(level, "READ-COMMITTED");
	free(level);
	tu_env_close(&probe);

	for (r = 0; r < ROUNDS; r++)
		ck_assert_int_eq(pipe(go[r]), 0);
	ck_assert_int_eq(pipe(done), 0);
	for (i = 0; i < PARALLEL; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			for (r = 0; r < ROUNDS; r++)
				close(go[r][1]);
			close(done[0]);
			parallel_client(fx.tok, _i, go, done[1]);
		}
	}
	close(done[1]);
	for (r = 0; r < ROUNDS; r++) {
		char c;
		int k;

		close(go[r][0]);
		if (r == 0)
			usleep(300 * 1000); /* let every client connect */
		close(go[r][1]);
		for (k = 0; k < PARALLEL; k++)
			ck_assert_int_eq(read(done[0], &c, 1), 1);
	}
	close(done[0]);
	for (i = 0; i < PARALLEL; i++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		failed += WIFEXITED(st) ? WEXITSTATUS(st) : ROUNDS;
	}
	set_global_isolation("REPEATABLE READ");
	ck_assert_msg(failed == 0, "%s: %d of %d creates did not answer 201", levels[_i], failed,
	              PARALLEL * ROUNDS);
	/* One user a round, created once and never changed by the other nine. */
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", fx.tenant_id, NULL),
	        ROUNDS);
	ck_assert_int_eq(db_int(&fx,
	                        "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? AND action = "
	                        "'create'",
	                        fx.tenant_id, NULL),
	                 ROUNDS);
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM devices WHERE tenant_id = ?", fx.tenant_id, NULL),
	        ROUNDS);
	ck_assert_int_eq(db_int(&fx, "SELECT MAX(version) FROM users WHERE tenant_id = ?",
	                        fx.tenant_id, NULL),
	                 1);
	fx_close(&fx);
}
END_TEST

/* Validation modes: format (default) takes the seed; strict refuses its IMEI and ICCID. */
START_TEST(test_strict_mode)
{
	struct fx fx;
	cJSON *b = NULL;

	fx_open(&fx, "strict");
	fx.env.cfg.device_validation = UP_DEVICE_STRICT;
	cJSON_Delete(expect_refused(
	        &fx, &(const struct fail_case)F("the seed in strict mode", AS_STRING, SEED, 422,
	                                        "validation_failed", "iccid,imei")));
	/* Valid check digits pass; a 16-digit IMEISV has none to check. */
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'strict', 'imei': '490154203237518', 'iccid': "
	                      "'89148000001234567898'}",
	                      &b),
	                 201);
	cJSON_Delete(b);
	ck_assert_int_eq(post(&fx, fx.tok, AS_STRING,
	                      "{'username': 'strict2', 'imei': '3539180534123401', 'iccid': "
	                      "'8910042348144559361'}",
	                      &b),
	                 201);
	cJSON_Delete(b);
	ck_assert_int_eq(
	        db_int(&fx, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", fx.tenant_id, NULL),
	        2);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- HTTP */

struct http_case {
	int line;
	const char *desc;
	const char *method, *uri, *content_type, *body;
	int auth; /* 0 none, 1 device_app_user:write, 2 users:read only, 3 unknown token */
	int status;
	const char *code;
	const char *header, *header_value; /* a header the response must carry */
};

#define H(desc, method, uri, ct, body, auth, status, code, header, value)                          \
	{                                                                                          \
		__LINE__, desc, method, uri, ct, body, auth, status, code, header, value           \
	}
#define GOOD "{\"data\": \"{\\\"username\\\": \\\"h\\\"}\"}"

static const struct http_case http_cases[] = {
        H("no token", "POST", EP, "application/json", GOOD, 0, 401, "invalid_token",
          "WWW-Authenticate", "Bearer realm=\"userpatch\", error=\"invalid_token\""),
        H("unknown token", "POST", EP, "application/json", GOOD, 3, 401, "invalid_token",
          "WWW-Authenticate", "Bearer realm=\"userpatch\", error=\"invalid_token\""),
        H("token without the scope", "POST", EP, "application/json", GOOD, 2, 403,
          "insufficient_scope", "WWW-Authenticate",
          "Bearer realm=\"userpatch\", error=\"insufficient_scope\", "
          "scope=\"device_app_user:write\""),
        H("GET", "GET", EP, NULL, NULL, 1, 405, "method_not_allowed", "Allow", "POST"),
        H("PUT", "PUT", EP, "application/json", GOOD, 1, 405, "method_not_allowed", "Allow",
          "POST"),
        H("PATCH without the slash", "PATCH", "/api/v1/device_app_user_update", "application/json",
          GOOD, 1, 405, "method_not_allowed", "Allow", "POST"),
        H("text/plain", "POST", EP, "text/plain", GOOD, 1, 415, "unsupported_media_type", NULL,
          NULL),
        H("no Content-Type", "POST", EP, NULL, GOOD, 1, 415, "unsupported_media_type", NULL, NULL),
        H("multipart", "POST", EP, "multipart/form-data; boundary=x", GOOD, 1, 415,
          "unsupported_media_type", NULL, NULL),
        H("path below the endpoint", "POST", EP "x", "application/json", GOOD, 1, 404, "not_found",
          NULL, NULL),
        H("other path", "POST", "/api/v1/device_app_user_updates", "application/json", GOOD, 1, 404,
          "not_found", NULL, NULL),
        H("empty JSON body", "POST", EP, "application/json", "", 1, 400, "invalid_data", NULL,
          NULL),
        H("empty form body", "POST", EP, "application/x-www-form-urlencoded", "", 1, 400,
          "invalid_data", NULL, NULL),
        H("form without data", "POST", EP, "application/x-www-form-urlencoded", "user=x", 1, 400,
          "invalid_data", NULL, NULL),
        H("form with data twice", "POST", EP, "application/x-www-form-urlencoded",
          "data=%7B%7D&data=%7B%7D", 1, 400, "invalid_data", NULL, NULL),
        H("form with bad percent-encoding", "POST", EP, "application/x-www-form-urlencoded",
          "data=%7G", 1, 400, "invalid_data", NULL, NULL),
        H("form data not JSON", "POST", EP, "application/x-www-form-urlencoded", "data=username", 1,
          400, "invalid_data", NULL, NULL),
        H("form data in Latin-1", "POST", EP, "application/x-www-form-urlencoded",
          "data=%7B%22username%22%3A%22j%F6rg%22%7D", 1, 400, "invalid_data", NULL, NULL),
        H("JSON with a charset parameter", "POST", EP, "application/json; charset=utf-8", GOOD, 1,
          201, NULL, NULL, NULL),
};

START_TEST(test_http)
{
	const struct http_case *c = &http_cases[_i];
	struct up_response resp;
	struct fx fx;
	cJSON *b = NULL;
	char name[32], *before, *after;
	const char *auth = NULL;
	struct tu_call call;

	snprintf(name, sizeof(name), "http%d", _i);
	fx_open(&fx, name);
	if (c->auth == 1)
		auth = fx.tok;
	else if (c->auth == 2)
		auth = fx.tok_read;
	else if (c->auth == 3)
		auth = "Bearer 00000000000000000000000000000000000000000000000000000000000000ff";
	call = (struct tu_call){c->method, c->uri, auth, c->content_type,
	                        c->body,   NULL,   NULL, NULL};
	before = db_state(&fx);
	tu_call(&fx.env, up_device_app_handle, &call, &resp, &b);
	ck_assert_msg(resp.status == c->status, "line %d: %s: status %d: %s", c->line, c->desc,
	              resp.status, resp.body);
	ck_assert_ptr_nonnull(b);
	if (c->code != NULL) {
		ck_assert_msg(strcmp(str(b, "code"), c->code) == 0, "line %d: %s: code %s", c->line,
		              c->desc, str(b, "code"));
		expect_member(b, "success", "false");
		after = db_state(&fx);
		ck_assert_msg(strcmp(before, after) == 0, "line %d: %s: the database changed",
		              c->line, c->desc);
		free(after);
	} else {
		expect_member(b, "success", "true");
	}
	if (c->header != NULL)
		ck_assert_msg(tu_header(&resp, c->header) != NULL &&
		                      strcmp(tu_header(&resp, c->header), c->header_value) == 0,
		              "line %d: %s: %s is %s", c->line, c->desc, c->header,
		              tu_header(&resp, c->header));
	/* Counters once the token is known (routing and method come before it). */
	if ((c->auth == 1 || c->auth == 2) && c->status != 404 && c->status != 405)
		ck_assert_msg(cJSON_GetObjectItem(b, "apiUsage") != NULL, "line %d: no apiUsage",
		              c->line);
	free(before);
	cJSON_Delete(b);
	up_response_free(&resp);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- what a write scope reads */

/* names[0..n) sorted and joined with commas; owned by the caller. */
static char *join_sorted(const char **names, size_t n)
{
	size_t i, j;
	char *out = calloc(1, 1024);

	ck_assert_ptr_nonnull(out);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		strcat(out, i > 0 ? "," : "");
		strncat(out, names[i], 40);
	}
	return out;
}

/* The member names of o, sorted, comma-separated; owned by the caller. */
static char *member_names(const cJSON *o)
{
	const cJSON *m;
	const char *names[32];
	size_t n = 0;

	cJSON_ArrayForEach(m, o)
	{
		ck_assert_uint_lt(n, 32);
		names[n++] = m->string;
	}
	return join_sorted(names, n);
}

/* The comma-separated list, sorted; owned by the caller. */
static char *sorted_list(const char *list)
{
	char copy[1024], *save = NULL, *t, *out;
	const char *names[32];
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", list);
	for (t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		ck_assert_uint_lt(n, 32);
		names[n++] = t;
	}
	out = join_sorted(names, n);
	return out;
}

#define BOOKKEEPING "apiDailyUsage,apiUsage,success,updated_at,updated_fields,user_id,version"

struct read_case {
	int line;
	const char *desc;
	int full;                   /* the token has users:read too */
	const char *inner;          /* %s: the user's public id */
	const char *members;        /* the answer's member names, sorted */
	const char *member, *value; /* one member and its value, or NULL */
};

static const struct read_case read_cases[] = {
        {__LINE__, "no change by username: the username only", 0, "{'username': 'john_doe'}",
         BOOKKEEPING ",username", "updated_fields", "[]"},
        {__LINE__, "no change by user_id: no stored field", 0, "{'user_id': '%s'}", BOOKKEEPING,
         "updated_fields", "[]"},
        {__LINE__, "one profile field: profile holds it alone", 0,
         "{'user_id': '%s', 'profile': {'first_name': 'John'}}", BOOKKEEPING ",profile", "profile",
         "{'first_name':'John'}"},
        {__LINE__, "one setting: preferences holds it alone", 0,
         "{'user_id': '%s', 'preferences': {'language': 'en'}}", BOOKKEEPING ",preferences",
         "preferences", "{'language':'en'}"},
        {__LINE__, "a setting removed: shown as null", 0,
         "{'user_id': '%s', 'preferences': {'theme': null}}", BOOKKEEPING ",preferences",
         "preferences", "{'theme':null}"},
        {__LINE__, "a change: the fields sent", 0,
         "{'number': '+1234567890', 'user_class': 'gold'}", BOOKKEEPING ",number,user_class",
         "updated_fields", "['user_class']"},
        {__LINE__, "the password sent: never shown", 0,
         "{'username': 'john_doe', 'password': 'hashed_password_string'}", BOOKKEEPING ",username",
         "updated_fields", "[]"},
        {__LINE__, "with users:read: the whole user", 1, "{'user_id': '%s'}",
         BOOKKEEPING ",generic_id,iccid,imei,imsi,number,preferences,profile,user_class,"
                     "user_external_id,username",
         "profile", "{'first_name':'John','last_name':null,'email':'j@example.com'}"},
};

/* device_app_user:write alone reads nothing the request did not send. */
START_TEST(test_write_scope_reads_what_it_sent)
{
	const struct read_case *c = &read_cases[_i];
	struct fx fx;
	cJSON *b = NULL;
	char id[32], name[32], inner[256], *names, *want;

	snprintf(name, sizeof(name), "reads%d", _i);
	fx_open(&fx, name);
	create_seed(&fx, id);
	ck_assert_int_eq(
	        post(&fx, fx.tok, AS_OBJECT,
	             "{'username': 'john_doe', 'profile': {'first_name': 'John', 'email': "
	             "'j@example.com'}, 'preferences': {'language': 'en', 'theme': 'dark'}}",
	             &b),
	        201);
	cJSON_Delete(b);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(inner, sizeof(inner), c->inner, id);
#pragma GCC diagnostic pop
	ck_assert_int_eq(post(&fx, c->full ? fx.tok : fx.tok_write, AS_STRING, inner, &b), 201);
	names = member_names(b);
	want = sorted_list(c->members);
	ck_assert_msg(strcmp(names, want) == 0, "line %d: %s: members %s", c->line, c->desc, names);
	free(names);
	free(want);
	ck_assert_str_eq(str(b, "user_id"), id);
	if (c->member != NULL)
		expect_member(b, c->member, c->value);
	cJSON_Delete(b);
	fx_close(&fx);
}
END_TEST

/* ---------------------------------------------------------------- tenants */

START_TEST(test_tenant_isolation)
{
	struct fx a, bx;
	cJSON *b = NULL;
	char ida[32], idb[32], uidb[24], inner[160], *before, *after;

	fx_open(&a, "tenant_a");
	fx_open(&bx, "tenant_b");
	create_seed(&a, ida);
	create_seed(&bx, idb);
	ck_assert_str_ne(ida, idb);
	ck_assert_int_eq(db_int(&a,
	                        "SELECT COUNT(*) FROM users WHERE username = 'john_doe' AND "
	                        "tenant_id IN (?, ?)",
	                        a.tenant_id, bx.tenant_id),
	                 2);
	ck_assert_int_eq(db_int(&a,
	                        "SELECT COUNT(*) FROM devices WHERE imei = '123456789012345' "
	                        "AND tenant_id IN (?, ?)",
	                        a.tenant_id, bx.tenant_id),
	                 2);

	/* A's token updates A's john_doe only. */
	ck_assert_int_eq(
	        post(&a, a.tok, AS_STRING, "{'username': 'john_doe', 'user_class': 'gold'}", &b),
	        201);
	ck_assert_str_eq(str(b, "user_id"), ida);
	cJSON_Delete(b);
	digits(idb, uidb, sizeof(uidb));
	ck_assert_int_eq(db_int(&a, "SELECT version FROM users WHERE id = ?", uidb, NULL), 1);

	/* B's user by id through A's token: 404 and B's row untouched. */
	before = db_state(&a);
	snprintf(inner, sizeof(inner), "{'user_id': '%s', 'user_class': 'stolen'}", idb);
	ck_assert_int_eq(post(&a, a.tok, AS_STRING, inner, &b), 404);
	cJSON_Delete(b);
	after = db_state(&a);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	ck_assert_int_eq(
	        db_int(&a,
	               "SELECT COUNT(*) FROM users WHERE id = ? AND user_class = 'premium' "
	               "AND version = 1",
	               uidb, NULL),
	        1);
	fx_close(&a);
	fx_close(&bx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_app");
	TCase *tc = tcase_create("handler");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_seed);
	tcase_add_loop_test(tc, test_body_forms, 0, 3);
	tcase_add_test(tc, test_update_partial_and_noop);
	tcase_add_test(tc, test_older_client);
	tcase_add_test(tc, test_preferences_limit);
	tcase_add_test(tc, test_device_replacement);
	tcase_add_test(tc, test_users_api_user);
	tcase_add_loop_test(tc, test_conflicts, 0, (int)(sizeof(conflicts) / sizeof(conflicts[0])));
	tcase_add_test(tc, test_conflict_details);
	tcase_add_test(tc, test_version_and_orphan_device);
	tcase_add_loop_test(tc, test_invalid, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_strict_mode);
	tcase_add_test(tc, test_details_capped);
	tcase_add_test(tc, test_many_preferences);
	tcase_add_test(tc, test_preference_numbers_exact);
	tcase_add_test(tc, test_identifiers_as_seen);
	tcase_add_test(tc, test_audit_request_id);
	tcase_add_loop_test(tc, test_parallel_identical_creates, 0, 2);
	tcase_add_loop_test(tc, test_http, 0, (int)(sizeof(http_cases) / sizeof(http_cases[0])));
	tcase_add_test(tc, test_tenant_isolation);
	tcase_add_loop_test(tc, test_write_scope_reads_what_it_sent, 0,
	                    (int)(sizeof(read_cases) / sizeof(read_cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
