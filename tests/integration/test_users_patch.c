/* SPDX-License-Identifier: ISC */
/*
 * PATCH /api/users/{userId} through the handler against a private MariaDB:
 * every status, table-driven, with the row and the audit trail checked
 * after each case (failures change nothing; successes change exactly the
 * intended columns, bump version once and write one audit row).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_equal.h"
#include "password.h"
#include "test_users_util.h"
#include "users.h"

enum who { W_WRITER, W_OTHER_TENANT, W_READER, W_NONE };

struct patch_case {
	int line;
	const char *desc;
	const char *body;     /* @DEV@: a device of the tenant, @XDEV@: one of another tenant */
	const char *ctype;    /* NULL: application/json-patch+json; "": none */
	const char *if_match; /* NULL: none; "@CUR@": the current ETag */
	enum who who;
	int status;
	const char *code;    /* machine code of an error */
	const char *changed; /* success: the columns that change, in table order ("" none) */
	const char *audit;   /* success with changes: changed_fields of the audit row */
	const char *details; /* 422: the fields listed in details, sorted */
};

#define JP "application/json-patch+json"
#define MP "application/merge-patch+json"

/* "x" then 45 two-byte characters: every byte cap of a message falls inside one. */
#define E5 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define LONG_NAME "x" E5 E5 E5 E5 E5 E5 E5 E5 E5

static const struct patch_case cases[] = {
        /* successes */
        {__LINE__, "replace email, add tags (as in the seed)",
         "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"nuevo@example.org\"},"
         "{\"op\":\"add\",\"path\":\"/tags\",\"value\":{\"vip\":\"true\"}}]",
         NULL, NULL, W_WRITER, 200, NULL, "email,tags", "[\"email\",\"tags\"]", NULL},
        {__LINE__, "application/json is accepted",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Juana\"}]", "application/json", NULL,
         W_WRITER, 200, NULL, "name", "[\"name\"]", NULL},
        {__LINE__, "empty patch is a no-op", "[]", NULL, NULL, W_WRITER, 200, NULL, "", NULL, NULL},
        {__LINE__, "same value is a no-op",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Juan Perez\"}]", NULL, NULL, W_WRITER,
         200, NULL, "", NULL, NULL},
        {__LINE__, "append a privilege",
         "[{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"read\"}]", NULL, NULL, W_WRITER,
         200, NULL, "privileges", "[\"privileges\"]", NULL},
        {__LINE__, "test may read read-only fields",
         "[{\"op\":\"test\",\"path\":\"/disabled\",\"value\":false},"
         "{\"op\":\"replace\",\"path\":\"/disabled\",\"value\":true}]",
         NULL, NULL, W_WRITER, 200, NULL, "disabled", "[\"disabled\"]", NULL},
        {__LINE__, "set every kind of field",
         "[{\"op\":\"replace\",\"path\":\"/country\",\"value\":\"Colombia\"},"
         "{\"op\":\"replace\",\"path\":\"/timeZone\",\"value\":\"America/Bogota\"},"
         "{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"VIP User\"},"
         "{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"hola\"},"
         "{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"administrators\"},"
         "{\"op\":\"replace\",\"path\":\"/deviceId\",\"value\":\"@DEV@\"},"
         "{\"op\":\"replace\",\"path\":\"/adminDevices\",\"value\":5},"
         "{\"op\":\"replace\",\"path\":\"/from\",\"value\":\"2023-01-01T00:00:00Z\"},"
         "{\"op\":\"replace\",\"path\":\"/expires\",\"value\":\"2024-01-01T00:00:00+01:00\"}]",
         NULL, NULL, W_WRITER, 200, NULL,
         "country,time_zone,description,message,user_group,device_id,admin_devices,valid_from,"
         "expires",
         "[\"country\",\"timeZone\",\"description\",\"message\",\"group\",\"deviceId\","
         "\"adminDevices\",\"from\",\"expires\"]",
         NULL},
        {__LINE__, "null clears a nullable field",
         "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":null}]", NULL, NULL, W_WRITER, 200,
         NULL, "email", "[\"email\"]", NULL},
        {__LINE__, "remove resets to the default", "[{\"op\":\"remove\",\"path\":\"/name\"}]", NULL,
         NULL, W_WRITER, 200, NULL, "name", "[\"name\"]", NULL},
        {__LINE__, "100 code points of two bytes each",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"" /* 100 x e-acute */
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\"}]",
         NULL, NULL, W_WRITER, 200, NULL, "name", "[\"name\"]", NULL},
        {__LINE__, "email of another tenant's user is free here",
         "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"elsewhere@example.com\"}]", NULL,
         NULL, W_WRITER, 200, NULL, "email", "[\"email\"]", NULL},
        {__LINE__, "If-Match with the current ETag",
         "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"ops\"}]", NULL, "@CUR@", W_WRITER,
         200, NULL, "user_group", "[\"group\"]", NULL},
        {__LINE__, "If-Match *", "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"ops\"}]",
         NULL, "*", W_WRITER, 200, NULL, "user_group", "[\"group\"]", NULL},
        {__LINE__, "If-Match list holding the current ETag",
         "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"ops\"}]", NULL, "\"7\", \"1\"",
         W_WRITER, 200, NULL, "user_group", "[\"group\"]", NULL},
        {__LINE__, "move and copy between writable fields",
         "[{\"op\":\"copy\",\"from\":\"/name\",\"path\":\"/description\"},"
         "{\"op\":\"move\",\"from\":\"/email\",\"path\":\"/message\"}]",
         NULL, NULL, W_WRITER, 200, NULL, "email,description,message",
         "[\"email\",\"description\",\"message\"]", NULL},
        /* JSON Merge Patch (RFC 7396): the same pipeline, other nulls */
        {__LINE__, "merge: set two fields", "{\"email\":\"m@example.org\",\"disabled\":true}", MP,
         NULL, W_WRITER, 200, NULL, "email,disabled", "[\"email\",\"disabled\"]", NULL},
        {__LINE__, "merge: an empty object is a no-op", "{}", MP, NULL, W_WRITER, 200, NULL, "",
         NULL, NULL},
        {__LINE__, "merge: tags merge into the empty object", "{\"tags\":{\"vip\":\"yes\"}}", MP,
         NULL, W_WRITER, 200, NULL, "tags", "[\"tags\"]", NULL},
        {__LINE__, "merge: null sets a nullable field to null", "{\"email\":null}", MP, NULL,
         W_WRITER, 200, NULL, "email", "[\"email\"]", NULL},
        {__LINE__, "merge: null on a field with a default is its default (no change here)",
         "{\"adminDevices\":null,\"tags\":null,\"disabled\":null}", MP, NULL, W_WRITER, 200, NULL,
         "", NULL, NULL},
        {__LINE__, "merge: the password is hashed", "{\"password\":\"correct horse\"}", MP, NULL,
         W_WRITER, 200, NULL, "password_hash", "[\"password\"]", NULL},
        {__LINE__, "merge: If-Match with the current ETag", "{\"group\":\"ops\"}", MP, "@CUR@",
         W_WRITER, 200, NULL, "user_group", "[\"group\"]", NULL},
        {__LINE__, "merge: an array would replace the user", "[]", MP, NULL, W_WRITER, 400,
         "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "merge: a string would replace the user", "\"x\"", MP, NULL, W_WRITER, 400,
         "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "merge: a name given twice", "{\"name\":\"A\",\"name\":\"B\"}", MP, NULL,
         W_WRITER, 400, "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "merge: stale If-Match", "{\"name\":\"X\"}", MP, "\"99\"", W_WRITER, 412,
         "precondition_failed", NULL, NULL, NULL},
        {__LINE__, "merge: read-only members",
         "{\"id\":\"usr-1\",\"creation\":null,"
         "\"modification\":\"2020-01-01T00:00:00Z\",\"lastLogin\":null}",
         MP, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "creation,id,modification"},
        {__LINE__, "merge: null on the write-only password", "{\"password\":null}", MP, NULL,
         W_WRITER, 422, "validation_failed", NULL, NULL, "password"},
        {__LINE__, "merge: null on an unknown member is still unknown",
         "{\"nickname\":null,\"name\":\"J\"}", MP, NULL, W_WRITER, 422, "validation_failed", NULL,
         NULL, "nickname"},
        {__LINE__, "merge: tags replaced by an array", "{\"tags\":[\"vip\"]}", MP, NULL, W_WRITER,
         422, "validation_failed", NULL, NULL, "tags"},
        {__LINE__, "merge: a tag that is not a string", "{\"tags\":{\"vip\":true}}", MP, NULL,
         W_WRITER, 422, "validation_failed", NULL, NULL, "tags"},

        /* 400 */
        {__LINE__, "body not JSON", "[{\"op\":", NULL, NULL, W_WRITER, 400, "invalid_json", NULL,
         NULL, NULL},
        {__LINE__, "empty body", "", NULL, NULL, W_WRITER, 400, "invalid_json", NULL, NULL, NULL},
        {__LINE__, "patch not an array", "{\"op\":\"add\"}", NULL, NULL, W_WRITER, 400,
         "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "op without path", "[{\"op\":\"remove\"}]", NULL, NULL, W_WRITER, 400,
         "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "add without value", "[{\"op\":\"add\",\"path\":\"/name\"}]", NULL, NULL,
         W_WRITER, 400, "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "unknown op", "[{\"op\":\"increment\",\"path\":\"/adminDevices\",\"value\":1}]",
         NULL, NULL, W_WRITER, 400, "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "malformed pointer", "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"x\"}]",
         NULL, NULL, W_WRITER, 400, "pointer_malformed", NULL, NULL, NULL},
        {__LINE__, "unknown long non-ASCII op: the message is cut on a character boundary",
         "[{\"op\":\"" LONG_NAME "\",\"path\":\"/name\"}]", NULL, NULL, W_WRITER, 400,
         "patch_malformed", NULL, NULL, NULL},
        {__LINE__, "missing long non-ASCII path: the message is cut on a character boundary",
         "[{\"op\":\"replace\",\"path\":\"/tags/" LONG_NAME "\",\"value\":\"x\"}]", NULL, NULL,
         W_WRITER, 409, "path_not_found", NULL, NULL, NULL},
        {__LINE__, "tag with a long non-ASCII key and a bad value: reason cut on a boundary",
         "[{\"op\":\"replace\",\"path\":\"/tags\",\"value\":{\"x" E5 E5 E5 E5 E5 E5 E5 E5 "\":5}}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "tags"},
        {__LINE__, "group with a trailing space: PAD SPACE would find \"ops\"",
         "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"ops \"}]", NULL, NULL, W_WRITER, 422,
         "validation_failed", NULL, NULL, "group"},
        /* 401, 403, 404 */
        {__LINE__, "no token", "[]", NULL, NULL, W_NONE, 401, "invalid_token", NULL, NULL, NULL},
        {__LINE__, "token without users:write", "[]", NULL, NULL, W_READER, 403,
         "insufficient_scope", NULL, NULL, NULL},
        {__LINE__, "user of another tenant",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Mallory\"}]", NULL, NULL,
         W_OTHER_TENANT, 404, "not_found", NULL, NULL, NULL},
        /* 409 */
        {__LINE__, "missing path", "[{\"op\":\"replace\",\"path\":\"/tags/nope\",\"value\":\"x\"}]",
         NULL, NULL, W_WRITER, 409, "path_not_found", NULL, NULL, NULL},
        {__LINE__, "failed test, earlier ops undone",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"X\"},"
         "{\"op\":\"test\",\"path\":\"/name\",\"value\":\"Juan Perez\"}]",
         NULL, NULL, W_WRITER, 409, "test_failed", NULL, NULL, NULL},
        {__LINE__, "remove password: never part of the document",
         "[{\"op\":\"remove\",\"path\":\"/password\"}]", NULL, NULL, W_WRITER, 409,
         "path_not_found", NULL, NULL, NULL},
        /* 412 */
        {__LINE__, "stale If-Match", "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"X\"}]",
         NULL, "\"99\"", W_WRITER, 412, "precondition_failed", NULL, NULL, NULL},
        {__LINE__, "weak If-Match never matches",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"X\"}]", NULL, "W/\"1\"", W_WRITER,
         412, "precondition_failed", NULL, NULL, NULL},
        /* 415 */
        {__LINE__, "text/plain", "[]", "text/plain", NULL, W_WRITER, 415, "unsupported_media_type",
         NULL, NULL, NULL},
        {__LINE__, "a type that only begins like merge-patch", "{}",
         "application/merge-patch+json-x", NULL, W_WRITER, 415, "unsupported_media_type", NULL,
         NULL, NULL},
        {__LINE__, "no Content-Type", "[]", "", NULL, W_WRITER, 415, "unsupported_media_type", NULL,
         NULL, NULL},
        /* 422 */
        {__LINE__, "replace id", "[{\"op\":\"replace\",\"path\":\"/id\",\"value\":\"usr-1\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "id"},
        {__LINE__, "server-managed dates",
         "[{\"op\":\"replace\",\"path\":\"/creation\",\"value\":\"2020-01-01T00:00:00Z\"},"
         "{\"op\":\"remove\",\"path\":\"/modification\"},"
         "{\"op\":\"replace\",\"path\":\"/lastLogin\",\"value\":\"2020-01-01T00:00:00Z\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL,
         "creation,lastLogin,modification"},
        {__LINE__, "unknown field", "[{\"op\":\"add\",\"path\":\"/nickname\",\"value\":\"J\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "nickname"},
        {__LINE__, "every offending field is listed",
         "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"not-an-address\"},"
         "{\"op\":\"replace\",\"path\":\"/country\",\"value\":\"Atlantis\"},"
         "{\"op\":\"replace\",\"path\":\"/timeZone\",\"value\":\"Mars/Olympus\"},"
         "{\"op\":\"replace\",\"path\":\"/adminDevices\",\"value\":-1},"
         "{\"op\":\"replace\",\"path\":\"/disabled\",\"value\":\"yes\"},"
         "{\"op\":\"replace\",\"path\":\"/group\",\"value\":7}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL,
         "adminDevices,country,disabled,email,group,timeZone"},
        {__LINE__, "name of 101 code points",
         "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\""
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaa\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "name"},
        {__LINE__, "empty name", "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"\"}]", NULL,
         NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "name"},
        {__LINE__, "adminDevices not an integer",
         "[{\"op\":\"replace\",\"path\":\"/adminDevices\",\"value\":1.5}]", NULL, NULL, W_WRITER,
         422, "validation_failed", NULL, NULL, "adminDevices"},
        {__LINE__, "tags value not a string",
         "[{\"op\":\"add\",\"path\":\"/tags/vip\",\"value\":true}]", NULL, NULL, W_WRITER, 422,
         "validation_failed", NULL, NULL, "tags"},
        {__LINE__, "tags null", "[{\"op\":\"replace\",\"path\":\"/tags\",\"value\":null}]", NULL,
         NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "tags"},
        {__LINE__, "privileges repeated",
         "[{\"op\":\"add\",\"path\":\"/privileges\",\"value\":[\"read\",\"read\"]}]", NULL, NULL,
         W_WRITER, 422, "validation_failed", NULL, NULL, "privileges"},
        {__LINE__, "privilege with a capital",
         "[{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"Read\"}]", NULL, NULL, W_WRITER,
         422, "validation_failed", NULL, NULL, "privileges"},
        {__LINE__, "privilege of 33 characters",
         "[{\"op\":\"add\",\"path\":\"/privileges/"
         "-\",\"value\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "privileges"},
        {__LINE__, "device of another tenant",
         "[{\"op\":\"replace\",\"path\":\"/deviceId\",\"value\":\"@XDEV@\"}]", NULL, NULL, W_WRITER,
         422, "validation_failed", NULL, NULL, "deviceId"},
        {__LINE__, "deviceId not a device id",
         "[{\"op\":\"replace\",\"path\":\"/deviceId\",\"value\":\"67890\"}]", NULL, NULL, W_WRITER,
         422, "validation_failed", NULL, NULL, "deviceId"},
        {__LINE__, "email used by another user of the tenant",
         "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"taken@example.com\"}]", NULL, NULL,
         W_WRITER, 422, "validation_failed", NULL, NULL, "email"},
        {__LINE__, "expires before from",
         "[{\"op\":\"replace\",\"path\":\"/from\",\"value\":\"2024-01-01T00:00:00Z\"},"
         "{\"op\":\"replace\",\"path\":\"/expires\",\"value\":\"2023-12-31T23:00:00-00:30\"}]",
         NULL, NULL, W_WRITER, 422, "validation_failed", NULL, NULL, "expires"},
        {__LINE__, "from not a date-time",
         "[{\"op\":\"replace\",\"path\":\"/from\",\"value\":\"2024-02-30T00:00:00Z\"}]", NULL, NULL,
         W_WRITER, 422, "validation_failed", NULL, NULL, "from"},
        {__LINE__, "password too short",
         "[{\"op\":\"add\",\"path\":\"/password\",\"value\":\"short\"}]", NULL, NULL, W_WRITER, 422,
         "validation_failed", NULL, NULL, "password"},
        {__LINE__, "the document replaced by a string",
         "[{\"op\":\"replace\",\"path\":\"\",\"value\":\"x\"}]", NULL, NULL, W_WRITER, 422,
         "validation_failed", NULL, NULL, ""},
};

struct fixture {
	struct tu_env env;
	uint64_t tenant, other, dev, xdev;
	char writer[96], reader[96], outsider[96];
};

static struct fixture fx;

static void setup(void)
{
	tu_env_open(&fx.env);
	fx.tenant = tu_tenant(&fx.env, "acme");
	fx.other = tu_tenant(&fx.env, "globex");
	tu_token(&fx.env, "acme", "users:read,users:write", 0, fx.writer, NULL);
	tu_token(&fx.env, "acme", "users:read", 0, fx.reader, NULL);
	tu_token(&fx.env, "globex", "users:read,users:write", 0, fx.outsider, NULL);
	fx.dev = tuu_device(&fx.env, fx.tenant);
	fx.xdev = tuu_device(&fx.env, fx.other);
	tu_exec(&fx.env,
	        "DELETE FROM users WHERE email IN ('taken@example.com', "
	        "'elsewhere@example.com')",
	        NULL, NULL, NULL);
	tuu_user(&fx.env, fx.tenant, "Taken", "taken@example.com");
	tuu_user(&fx.env, fx.other, "Elsewhere", "elsewhere@example.com");
	/* A user's group names a group of the tenant (Groups API): the ones the cases use. */
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) SELECT id, 'ops', "
	        "'Ops' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
	tu_exec(&fx.env,
	        "INSERT IGNORE INTO user_groups (tenant_id, group_key, name) SELECT id, "
	        "'administrators', 'Administrators' FROM tenants WHERE name = 'acme'",
	        NULL, NULL, NULL);
}

static void teardown(void)
{
	tu_env_close(&fx.env);
}

/* Copy s into out, replacing the placeholders. */
static void expand(const char *s, char *out, size_t len)
{
	char dev[32], xdev[32];
	size_t used = 0;

	snprintf(dev, sizeof(dev), "dev-%llu", (unsigned long long)fx.dev);
	snprintf(xdev, sizeof(xdev), "dev-%llu", (unsigned long long)fx.xdev);
	while (*s != '\0' && used + 1 < len) {
		const char *rep = NULL;
		size_t skip = 0;

		if (strncmp(s, "@DEV@", 5) == 0) {
			rep = dev;
			skip = 5;
		} else if (strncmp(s, "@XDEV@", 6) == 0) {
			rep = xdev;
			skip = 6;
		}
		if (rep != NULL) {
			used += (size_t)snprintf(out + used, len - used, "%s", rep);
			s += skip;
		} else {
			out[used++] = *s++;
		}
	}
	out[used < len ? used : len - 1] = '\0';
}

START_TEST(test_patch_cases)
{
	const struct patch_case *c = &cases[_i];
	struct tuu_snap before, after;
	struct up_response resp;
	struct tu_call call;
	char uri[64], email[64], body[8192], diff[512], want[512], etag[32], action[32];
	const char *auth = NULL;
	cJSON *json = NULL;
	long long audits;
	uint64_t id;

	snprintf(email, sizeof(email), "juan%d@example.com", c->line);
	id = tuu_user(&fx.env, fx.tenant, "Juan Perez", email);
	tuu_snap(&fx.env, id, &before);
	audits = tuu_audits(&fx.env, id);
	tuu_uri(uri, sizeof(uri), id, NULL);
	expand(c->body, body, sizeof(body));
	switch (c->who) {
	case W_WRITER:
		auth = fx.writer;
		break;
	case W_OTHER_TENANT:
		auth = fx.outsider;
		break;
	case W_READER:
		auth = fx.reader;
		break;
	case W_NONE:
		break;
	}
	memset(&call, 0, sizeof(call));
	call.method = "PATCH";
	call.uri = uri;
	call.auth = auth;
	call.content_type = c->ctype == NULL ? JP : c->ctype[0] == '\0' ? NULL : c->ctype;
	call.body = body;
	call.if_match =
	        c->if_match != NULL && strcmp(c->if_match, "@CUR@") == 0 ? "\"1\"" : c->if_match;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d, want %d: %s", c->line,
	              c->desc, resp.status, c->status, resp.body != NULL ? resp.body : "");
	ck_assert_ptr_nonnull(json);
	tuu_snap(&fx.env, id, &after);
	tuu_diff(&before, &after, diff, sizeof(diff));
	if (c->status == 200) {
		char *fields;

		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(json, "success")));
		ck_assert_ptr_null(cJSON_GetObjectItem(json, "password"));
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(json, "apiUsage"));
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(json, "apiDailyUsage"));
		snprintf(want, sizeof(want), "%s%s", c->changed,
		         c->changed[0] != '\0' ? ",version,modified_at" : "");
		ck_assert_msg(strcmp(diff, want) == 0, "line %d (%s): changed [%s], want [%s]",
		              c->line, c->desc, diff, want);
		snprintf(etag, sizeof(etag), "\"%s\"", after.col[25]);
		ck_assert_str_eq(tu_header(&resp, "ETag"), etag);
		ck_assert_str_eq(after.col[25], c->changed[0] != '\0' ? "2" : "1");
		ck_assert_int_eq(tuu_audits(&fx.env, id), audits + (c->changed[0] != '\0'));
		if (c->audit != NULL) {
			fields = tuu_last_audit(&fx.env, id, action, sizeof(action));
			ck_assert_str_eq(action, "update");
			ck_assert_msg(fields != NULL && strcmp(fields, c->audit) == 0,
			              "line %d (%s): audit %s, want %s", c->line, c->desc,
			              fields != NULL ? fields : "(none)", c->audit);
			free(fields);
		}
	} else {
		const cJSON *code = cJSON_GetObjectItem(json, "code");

		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(json, "success")));
		ck_assert_msg(cJSON_IsString(code) && strcmp(code->valuestring, c->code) == 0,
		              "line %d (%s): code %s, want %s", c->line, c->desc, resp.body,
		              c->code);
		ck_assert_msg(diff[0] == '\0', "line %d (%s): row changed: %s", c->line, c->desc,
		              diff);
		ck_assert_int_eq(tuu_audits(&fx.env, id), audits);
		if (c->details != NULL) {
			tuu_detail_fields(json, want, sizeof(want));
			ck_assert_msg(strcmp(want, c->details) == 0,
			              "line %d (%s): details [%s], want [%s]", c->line, c->desc,
			              want, c->details);
		}
		if (c->status == 415)
			ck_assert_str_eq(tu_header(&resp, "Accept-Patch"), JP ", " MP);
		if (c->status == 401 || c->status == 403)
			ck_assert_ptr_nonnull(tu_header(&resp, "WWW-Authenticate"));
		else
			ck_assert_ptr_nonnull(cJSON_GetObjectItem(json, "apiUsage"));
	}
	tuu_snap_free(&before);
	tuu_snap_free(&after);
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* The seed's example: the response has the seed's shape (every field but password). */
START_TEST(test_patch_seed_shape)
{
	static const char *const keys[] = {
	        "success",      "id",          "name",         "email",        "country",
	        "timeZone",     "description", "message",      "disabled",     "tags",
	        "privileges",   "group",       "deviceId",     "adminDevices", "from",
	        "expires",      "creation",    "modification", "lastLogin",    "apiUsage",
	        "apiDailyUsage"};
	struct tu_call call = {"PATCH",
	                       NULL,
	                       fx.writer,
	                       "application/json",
	                       "[{\"op\":\"replace\",\"path\":\"/email\",\"value\":"
	                       "\"nuevo_email@example.com\"},{\"op\":\"add\",\"path\":\"/tags\","
	                       "\"value\":{\"vip\":\"true\"}}]",
	                       NULL,
	                       NULL,
	                       NULL};
	struct up_response resp;
	cJSON *json = NULL, *k;
	char uri[64], dev[32], num[32];
	uint64_t id;
	size_t i, n = 0;

	id = tuu_user(&fx.env, fx.tenant, "Juan Perez", "juan.seed@example.com");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	snprintf(dev, sizeof(dev), "%llu", (unsigned long long)fx.dev);
	tu_exec(&fx.env,
	        "UPDATE users SET country = 'Colombia', time_zone = 'America/Bogota', description "
	        "= "
	        "'VIP User', privileges = '[\"read\",\"write\"]', user_group = 'administrators', "
	        "device_id = ?, admin_devices = 5, valid_from = '2023-01-01', expires = "
	        "'2024-01-01', "
	        "last_login = '2023-06-01' WHERE id = ?",
	        dev, num, NULL);
	tuu_uri(uri, sizeof(uri), id, NULL);
	call.uri = uri;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_int_eq(resp.status, 200);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(json, keys[i]) != NULL, "no %s: %s",
		              keys[i], resp.body);
	cJSON_ArrayForEach(k, json) n++;
	ck_assert_uint_eq(n, sizeof(keys) / sizeof(keys[0]));
	ck_assert_str_eq(cJSON_GetObjectItem(json, "email")->valuestring,
	                 "nuevo_email@example.com");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(json, "tags"), "vip")->valuestring,
	                 "true");
	ck_assert_str_eq(cJSON_GetObjectItem(json, "country")->valuestring, "Colombia");
	ck_assert_str_eq(cJSON_GetObjectItem(json, "from")->valuestring, "2023-01-01T00:00:00Z");
	ck_assert_str_eq(cJSON_GetObjectItem(json, "lastLogin")->valuestring,
	                 "2023-06-01T00:00:00Z");
	ck_assert_int_eq(cJSON_GetObjectItem(json, "adminDevices")->valueint, 5);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"2\"");
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/*
 * A merge patch merges nested objects: the tags it names change, a null
 * removes one, the others stay; a null on tags or disabled then gives the
 * field its default, a null on description makes it null.
 */
START_TEST(test_merge_nested)
{
	static const struct {
		int line;
		const char *desc, *body, *tags, *disabled, *description;
	} steps[] = {
	        {__LINE__, "one tag changed, one removed, one added",
	         "{\"tags\":{\"team\":\"dev\",\"old\":null,\"new\":\"y\"}}",
	         "{\"env\":\"prod\",\"team\":\"dev\",\"new\":\"y\"}", "1", "VIP"},
	        {__LINE__, "null on fields with a default: the default; on description: null",
	         "{\"tags\":null,\"disabled\":null,\"description\":null}", "{}", "0", NULL},
	};
	struct up_response resp;
	struct tu_call call;
	char uri[64], num[32], *tags, *dis, *descr;
	cJSON *json = NULL, *want, *got;
	uint64_t id;
	size_t i;

	id = tuu_user(&fx.env, fx.tenant, "Mia", "mia.merge@example.com");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	tu_exec(&fx.env,
	        "UPDATE users SET tags = '{\"env\":\"prod\",\"team\":\"ops\",\"old\":\"x\"}', "
	        "disabled = 1, description = 'VIP' WHERE id = ?",
	        num, NULL, NULL);
	tuu_uri(uri, sizeof(uri), id, NULL);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memset(&call, 0, sizeof(call));
		call.method = "PATCH";
		call.uri = uri;
		call.auth = fx.writer;
		call.content_type = MP;
		call.body = steps[i].body;
		tu_call(&fx.env, up_users_handle, &call, &resp, &json);
		ck_assert_msg(resp.status == 200, "line %d (%s): %d %s", steps[i].line,
		              steps[i].desc, resp.status, resp.body);
		tags = tu_scalar(&fx.env, "SELECT tags FROM users WHERE id = ?", num, NULL, NULL);
		dis = tu_scalar(&fx.env, "SELECT disabled FROM users WHERE id = ?", num, NULL,
		                NULL);
		descr = tu_scalar(&fx.env, "SELECT description FROM users WHERE id = ?", num, NULL,
		                  NULL);
		want = cJSON_Parse(steps[i].tags);
		got = cJSON_Parse(tags);
		ck_assert_msg(up_json_equal(want, got), "line %d (%s): tags %s", steps[i].line,
		              steps[i].desc, tags);
		ck_assert_msg(up_json_equal(want, cJSON_GetObjectItem(json, "tags")),
		              "line %d (%s): answer %s", steps[i].line, steps[i].desc, resp.body);
		ck_assert_str_eq(dis, steps[i].disabled);
		if (steps[i].description == NULL)
			ck_assert_msg(descr == NULL && cJSON_IsNull(cJSON_GetObjectItem(
			                                       json, "description")),
			              "line %d (%s): description %s", steps[i].line, steps[i].desc,
			              descr);
		else
			ck_assert_str_eq(descr, steps[i].description);
		ck_assert_int_eq(tuu_audits(&fx.env, id), (long long)i + 1);
		free(tags);
		free(dis);
		free(descr);
		cJSON_Delete(want);
		cJSON_Delete(got);
		cJSON_Delete(json);
		up_response_free(&resp);
	}
}
END_TEST

/* A password is hashed, never returned, never in the audit row. */
START_TEST(test_patch_password)
{
	static const char pw[] = "correct horse battery staple";
	struct tu_call call = {"PATCH",
	                       NULL,
	                       fx.writer,
	                       JP,
	                       "[{\"op\":\"add\",\"path\":\"/password\",\"value\":"
	                       "\"correct horse battery staple\"}]",
	                       NULL,
	                       NULL,
	                       NULL};
	struct tuu_snap before, after;
	struct up_response resp;
	cJSON *json = NULL;
	char uri[64], diff[256], action[32], *fields;
	uint64_t id;

	id = tuu_user(&fx.env, fx.tenant, "Pat", "pat@example.com");
	tuu_snap(&fx.env, id, &before);
	tuu_uri(uri, sizeof(uri), id, NULL);
	call.uri = uri;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(strstr(resp.body, "correct horse"));
	ck_assert_ptr_null(cJSON_GetObjectItem(json, "password"));
	tuu_snap(&fx.env, id, &after);
	tuu_diff(&before, &after, diff, sizeof(diff));
	ck_assert_str_eq(diff, "password_hash,version,modified_at");
	ck_assert_ptr_nonnull(after.col[15]);
	ck_assert_ptr_nonnull(strstr(after.col[15], "$argon2id$"));
	ck_assert(up_password_verify(after.col[15], pw, strlen(pw)));
	ck_assert(!up_password_verify(after.col[15], "wrong", 5));
	fields = tuu_last_audit(&fx.env, id, action, sizeof(action));
	ck_assert_str_eq(fields, "[\"password\"]");
	free(fields);
	cJSON_Delete(json);
	up_response_free(&resp);
	tuu_snap_free(&before);
	tuu_snap_free(&after);
}
END_TEST

/* A row whose tags and privileges are NULL (made by other means) shows and patches as {} / []. */
START_TEST(test_patch_null_defaults)
{
	struct tu_call call = {"PATCH",
	                       NULL,
	                       fx.writer,
	                       JP,
	                       "[{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"read\"},"
	                       "{\"op\":\"add\",\"path\":\"/tags/a\",\"value\":\"b\"}]",
	                       NULL,
	                       NULL,
	                       NULL};
	struct up_response resp;
	cJSON *json = NULL;
	char uri[64], num[32], *v;
	uint64_t id = tuu_user(&fx.env, fx.tenant, "Legacy", "legacy@example.com");

	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	tu_exec(&fx.env, "UPDATE users SET tags = NULL, privileges = NULL WHERE id = ?", num, NULL,
	        NULL);
	tuu_uri(uri, sizeof(uri), id, NULL);
	call.uri = uri;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_msg(resp.status == 200, "%d %s", resp.status, resp.body);
	v = tu_scalar(&fx.env, "SELECT CONCAT(tags, privileges) FROM users WHERE id = ?", num, NULL,
	              NULL);
	ck_assert_str_eq(v, "{\"a\":\"b\"}[\"read\"]");
	free(v);
	cJSON_Delete(json);
	up_response_free(&resp);
}
END_TEST

/* Ids that are not users: 404 whatever the body. */
START_TEST(test_patch_unknown_ids)
{
	static const char *const uris[] = {"/api/users/usr-999999999", "/api/users/42",
	                                   "/api/users/usr-0", "/api/users/usr-01",
	                                   "/api/users/usr-99999999999999999999999"};
	size_t i;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		struct tu_call call = {"PATCH",
		                       uris[i],
		                       fx.writer,
		                       JP,
		                       "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]",
		                       NULL,
		                       NULL,
		                       NULL};
		struct up_response resp;

		tu_call(&fx.env, up_users_handle, &call, &resp, NULL);
		ck_assert_msg(resp.status == 404, "%s: %d", uris[i], resp.status);
		up_response_free(&resp);
	}
}
END_TEST

/* More operations than max_patch_ops: 413, nothing written. */
START_TEST(test_patch_too_many_ops)
{
	struct tuu_snap before, after;
	struct up_response resp;
	struct tu_call call = {"PATCH", NULL, fx.writer, JP, NULL, NULL, NULL, NULL};
	char uri[64], diff[128], *body;
	size_t i, used = 1, n = fx.env.cfg.max_patch_ops + 1;
	uint64_t id = tuu_user(&fx.env, fx.tenant, "Many", "many@example.com");

	body = malloc(n * 64 + 8);
	ck_assert_ptr_nonnull(body);
	body[0] = '[';
	for (i = 0; i < n; i++)
		used += (size_t)sprintf(body + used,
		                        "%s{\"op\":\"test\",\"path\":\"/name\","
		                        "\"value\":\"Many\"}",
		                        i ? "," : "");
	strcpy(body + used, "]");
	tuu_snap(&fx.env, id, &before);
	tuu_uri(uri, sizeof(uri), id, NULL);
	call.uri = uri;
	call.body = body;
	tu_call(&fx.env, up_users_handle, &call, &resp, NULL);
	ck_assert_int_eq(resp.status, 413);
	tuu_snap(&fx.env, id, &after);
	tuu_diff(&before, &after, diff, sizeof(diff));
	ck_assert_str_eq(diff, "");
	free(body);
	up_response_free(&resp);
	tuu_snap_free(&before);
	tuu_snap_free(&after);
}
END_TEST

/* A password that only the patch's result shows (copied from another field) is hashed too. */
START_TEST(test_patch_password_copied)
{
	static const char pw[] = "Patricia Longname";
	struct tu_call call = {"PATCH",
	                       NULL,
	                       fx.writer,
	                       JP,
	                       "[{\"op\":\"copy\",\"from\":\"/name\",\"path\":\"/password\"}]",
	                       NULL,
	                       NULL,
	                       NULL};
	struct tuu_snap after;
	struct up_response resp;
	cJSON *json = NULL;
	char uri[64];
	uint64_t id;

	id = tuu_user(&fx.env, fx.tenant, pw, "patricia@example.com");
	tuu_uri(uri, sizeof(uri), id, NULL);
	call.uri = uri;
	tu_call(&fx.env, up_users_handle, &call, &resp, &json);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(tu_header(&resp, "ETag"), "\"2\"");
	tuu_snap(&fx.env, id, &after);
	ck_assert_ptr_nonnull(after.col[15]);
	ck_assert(up_password_verify(after.col[15], pw, strlen(pw)));
	cJSON_Delete(json);
	up_response_free(&resp);
	tuu_snap_free(&after);
}
END_TEST

/* The answer of a write (built without reading the row back) equals a GET right after it. */
START_TEST(test_patch_answer_is_stored_state)
{
	static const struct {
		const char *desc, *body;
	} writes[] = {
	        {"datetimes with fractions and offsets",
	         "[{\"op\":\"replace\",\"path\":\"/from\",\"value\":"
	         "\"2024-01-31T12:00:00.500+02:00\"},"
	         "{\"op\":\"replace\",\"path\":\"/"
	         "expires\",\"value\":\"2030-01-01T00:00:00.000Z\"}]"},
	        {"tags, privileges, flags and numbers",
	         "[{\"op\":\"add\",\"path\":\"/tags\",\"value\":{\"b\":\"2\",\"a\":\"1\"}},"
	         "{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"read\"},"
	         "{\"op\":\"replace\",\"path\":\"/disabled\",\"value\":true},"
	         "{\"op\":\"replace\",\"path\":\"/adminDevices\",\"value\":7}]"},
	        {"strings set and removed",
	         "[{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"ol\u00e1\"},"
	         "{\"op\":\"remove\",\"path\":\"/description\"}]"},
	};
	char uri[64];
	uint64_t id;
	size_t i;

	id = tuu_user(&fx.env, fx.tenant, "Stored State", "stored@example.com");
	tuu_uri(uri, sizeof(uri), id, NULL);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		struct tu_call patch = {"PATCH",        uri,  fx.writer, JP,
		                        writes[i].body, NULL, NULL,      NULL};
		struct tu_call get = {"GET", uri, fx.writer, NULL, NULL, NULL, NULL, NULL};
		struct up_response pr, gr;
		cJSON *pj = NULL, *gj = NULL;

		tu_call(&fx.env, up_users_handle, &patch, &pr, &pj);
		ck_assert_msg(pr.status == 200, "%s: status %d", writes[i].desc, pr.status);
		tu_call(&fx.env, up_users_handle, &get, &gr, &gj);
		ck_assert_int_eq(gr.status, 200);
		/* The usage counters differ by the GET itself; the user must not. */
		cJSON_DeleteItemFromObject(pj, "apiUsage");
		cJSON_DeleteItemFromObject(pj, "apiDailyUsage");
		cJSON_DeleteItemFromObject(gj, "apiUsage");
		cJSON_DeleteItemFromObject(gj, "apiDailyUsage");
		ck_assert_msg(cJSON_Compare(pj, gj, 1), "%s: answer %s, stored %s", writes[i].desc,
		              pr.body, gr.body);
		ck_assert_str_eq(tu_header(&pr, "ETag"), tu_header(&gr, "ETag"));
		cJSON_Delete(pj);
		cJSON_Delete(gj);
		up_response_free(&pr);
		up_response_free(&gr);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("users_patch");
	TCase *tc = tcase_create("patch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_patch_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_patch_seed_shape);
	tcase_add_test(tc, test_patch_password);
	tcase_add_test(tc, test_merge_nested);
	tcase_add_test(tc, test_patch_password_copied);
	tcase_add_test(tc, test_patch_answer_is_stored_state);
	tcase_add_test(tc, test_patch_null_defaults);
	tcase_add_test(tc, test_patch_unknown_ids);
	tcase_add_test(tc, test_patch_too_many_ops);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
