/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (no database): the users field validators, one value at a
 * time, and whole representations (read-only, unknown, cross-field rules,
 * change detection), table-driven.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "json.h"
#include "user_validate.h"

struct value_case {
	int line;
	const char *desc;
	const char *field;
	const char *json; /* the value; NULL: absent */
	int ok;
	const char *text; /* ok: the bound text (NULL: SQL NULL); else a part of the reason */
};

static const struct value_case value_cases[] = {
        {__LINE__, "name", "name", "\"Ada\"", 1, "Ada"},
        {__LINE__, "name null", "name", "null", 1, NULL},
        {__LINE__, "name absent", "name", NULL, 1, NULL},
        {__LINE__, "name empty", "name", "\"\"", 0, "1 to 100 characters"},
        {__LINE__, "name number", "name", "5", 0, "string"},
        {__LINE__, "name 100 four-byte code points", "name",
         "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"",
         1, NULL},
        {__LINE__, "email", "email", "\"a.b@example.com\"", 1, "a.b@example.com"},
        {__LINE__, "email without domain dot", "email", "\"a@localhost\"", 0, "email address"},
        {__LINE__, "email two @", "email", "\"a@b@example.com\"", 0, "email address"},
        {__LINE__, "country from the list", "country", "\"Colombia\"", 1, "Colombia"},
        {__LINE__, "country in lower case", "country", "\"colombia\"", 0, "countries"},
        {__LINE__, "country code is not a name", "country", "\"CO\"", 0, "countries"},
        {__LINE__, "time zone", "timeZone", "\"America/Bogota\"", 1, "America/Bogota"},
        {__LINE__, "time zone link", "timeZone", "\"UTC\"", 1, "UTC"},
        {__LINE__, "time zone unknown", "timeZone", "\"Europe/Atlantis\"", 0, "timeZones"},
        {__LINE__, "description 1000", "description", NULL, 1, NULL},
        {__LINE__, "disabled true", "disabled", "true", 1, "1"},
        {__LINE__, "disabled false", "disabled", "false", 1, "0"},
        {__LINE__, "disabled null", "disabled", "null", 0, "true or false"},
        {__LINE__, "disabled string", "disabled", "\"true\"", 0, "true or false"},
        {__LINE__, "tags", "tags", "{\"vip\":\"true\"}", 1, "{\"vip\":\"true\"}"},
        {__LINE__, "tags empty", "tags", "{}", 1, "{}"},
        {__LINE__, "tags array", "tags", "[]", 0, "object"},
        {__LINE__, "tags number value", "tags", "{\"a\":1}", 0, "must be a string"},
        {__LINE__, "tags empty key", "tags", "{\"\":\"x\"}", 0, "1 to 64"},
        {__LINE__, "tags repeated key", "tags", "{\"a\":\"x\",\"a\":\"y\"}", 0, "twice"},
        {__LINE__, "tags: a long non-ASCII key is cut on a boundary, the sentence kept", "tags",
         "{\"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
         "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":1}",
         0, "\" must be a string"},
        {__LINE__, "tags: a long non-ASCII key given twice", "tags",
         "{\"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
         "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":\"a\","
         "\"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
         "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":\"b\"}",
         0, "\" is given twice"},
        {__LINE__, "privileges", "privileges", "[\"read\",\"write_all\"]", 1,
         "[\"read\",\"write_all\"]"},
        {__LINE__, "privileges repeated", "privileges", "[\"read\",\"read\"]", 0, "repeats"},
        {__LINE__, "privileges digit", "privileges", "[\"read2\"]", 0, "a-z"},
        {__LINE__, "privileges empty string", "privileges", "[\"\"]", 0, "a-z"},
        {__LINE__, "privileges not strings", "privileges", "[1]", 0, "a-z"},
        {__LINE__, "privileges object", "privileges", "{}", 0, "array"},
        {__LINE__, "group 64", "group",
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", 1, NULL},
        {__LINE__, "group 65", "group",
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", 0, "at most 64"},
        {__LINE__, "deviceId", "deviceId", "\"dev-67890\"", 1, "67890"},
        {__LINE__, "deviceId null", "deviceId", "null", 1, NULL},
        {__LINE__, "deviceId of a user", "deviceId", "\"usr-1\"", 0, "dev-42"},
        {__LINE__, "deviceId zero", "deviceId", "\"dev-0\"", 0, "dev-42"},
        {__LINE__, "adminDevices", "adminDevices", "5", 1, "5"},
        {__LINE__, "adminDevices zero", "adminDevices", "0", 1, "0"},
        {__LINE__, "adminDevices max", "adminDevices", "4294967295", 1, "4294967295"},
        {__LINE__, "adminDevices too big", "adminDevices", "4294967296", 0, "0 to"},
        {__LINE__, "adminDevices negative", "adminDevices", "-1", 0, "0 to"},
        {__LINE__, "adminDevices fraction", "adminDevices", "0.5", 0, "integer"},
        {__LINE__, "adminDevices string", "adminDevices", "\"5\"", 0, "integer"},
        {__LINE__, "from", "from", "\"2023-01-01T00:00:00Z\"", 1, "2023-01-01 00:00:00.000000"},
        {__LINE__, "from with offset", "from", "\"2023-01-01T01:30:00.5+01:30\"", 1,
         "2023-01-01 00:00:00.500000"},
        {__LINE__, "from date only", "from", "\"2023-01-01\"", 0, "RFC 3339"},
        {__LINE__, "from leap day of a common year", "from", "\"2023-02-29T00:00:00Z\"", 0,
         "RFC 3339"},
        {__LINE__, "password", "password", "\"longenough\"", 1, "longenough"},
        {__LINE__, "password short", "password", "\"short\"", 0, "8 to 1024"},
        {__LINE__, "password null", "password", "null", 0, "string"},
        {__LINE__, "id is read-only", "id", "\"usr-1\"", 0, "read-only"},
};

START_TEST(test_value_cases)
{
	const struct value_case *c = &value_cases[_i];
	int i = up_user_field_index(c->field), ok;
	cJSON *v = NULL;
	char *text = NULL, why[160] = "";

	ck_assert_msg(i >= 0, "line %d: no field %s", c->line, c->field);
	if (c->json != NULL)
		ck_assert_int_eq(up_json_parse(c->json, strlen(c->json), 16, &v), UP_OK);
	ok = up_user_validate_value((size_t)i, v, &text, why, sizeof(why));
	ck_assert_msg(ok == c->ok, "line %d (%s): got %d (%s)", c->line, c->desc, ok, why);
	if (c->ok && c->text != NULL)
		ck_assert_msg(text != NULL && strcmp(text, c->text) == 0, "line %d (%s): text %s",
		              c->line, c->desc, text != NULL ? text : "(null)");
	if (!c->ok)
		ck_assert_msg(strstr(why, c->text) != NULL, "line %d (%s): reason '%s' lacks '%s'",
		              c->line, c->desc, why, c->text);
	ck_assert_msg(up_utf8_valid(why, strlen(why)), "line %d (%s): reason not UTF-8", c->line,
	              c->desc);
	free(text);
	cJSON_Delete(v);
}
END_TEST

#define CUR                                                                                        \
	"{\"id\":\"usr-7\",\"name\":\"Ada\",\"email\":\"ada@example.com\",\"country\":null,"       \
	"\"timeZone\":null,\"description\":null,\"message\":null,\"disabled\":false,\"tags\":{},"  \
	"\"privileges\":[],\"group\":null,\"deviceId\":null,\"adminDevices\":0,\"from\":null,"     \
	"\"expires\":null,\"creation\":\"2024-01-01T00:00:00Z\",\"modification\":"                 \
	"\"2024-01-01T00:00:00Z\",\"lastLogin\":null}"

struct doc_case {
	int line;
	const char *desc;
	enum up_user_mode mode;
	const char *doc;
	const char *details; /* fields of details, comma-joined in order */
	const char *set;     /* fields to write, comma-joined in table order */
};

static const struct doc_case doc_cases[] = {
        {__LINE__, "unchanged", UP_UV_PATCH, CUR, "", ""},
        {__LINE__, "one change", UP_UV_PATCH,
         "{\"id\":\"usr-7\",\"name\":\"Ada L\",\"email\":\"ada@example.com\",\"creation\":"
         "\"2024-01-01T00:00:00Z\",\"modification\":\"2024-01-01T00:00:00Z\",\"lastLogin\":null,"
         "\"tags\":{},\"privileges\":[],\"disabled\":false,\"adminDevices\":0}",
         "", "name"},
        {__LINE__, "patch removing read-only fields", UP_UV_PATCH,
         "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}", "id,creation,modification,lastLogin",
         ""},
        {__LINE__, "replace may omit read-only and defaulted fields", UP_UV_REPLACE,
         "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}", "", ""},
        {__LINE__, "replace resets what it omits", UP_UV_REPLACE, "{\"name\":\"Ada\"}", "",
         "email"},
        {__LINE__, "replace with a different id", UP_UV_REPLACE,
         "{\"id\":\"usr-8\",\"name\":\"Ada\",\"email\":\"ada@example.com\"}", "id", ""},
        {__LINE__, "create with an id", UP_UV_CREATE, "{\"id\":\"usr-8\",\"name\":\"Ada\"}", "id",
         "name"},
        {__LINE__, "create sets what is given", UP_UV_CREATE,
         "{\"name\":\"Ada\",\"disabled\":false,\"password\":\"longenough\"}", "",
         "name,disabled,password"},
        {__LINE__, "unknown and repeated fields", UP_UV_CREATE,
         "{\"name\":\"Ada\",\"name\":\"B\",\"nick\":\"x\",\"success\":true}", "nick,success,name",
         "name"},
        {__LINE__, "expires equal to from", UP_UV_CREATE,
         "{\"from\":\"2024-01-01T00:00:00Z\",\"expires\":\"2024-01-01T01:00:00+01:00\"}", "expires",
         "from,expires"},
        {__LINE__, "expires after from", UP_UV_CREATE,
         "{\"from\":\"2024-01-01T00:00:00Z\",\"expires\":\"2024-01-01T00:00:00.000001Z\"}", "",
         "from,expires"},
        {__LINE__, "same instant, other spelling: no change", UP_UV_REPLACE,
         "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"from\":null}", "", ""},
        {__LINE__, "not an object", UP_UV_PATCH, "[]", "", ""},
};

static void join_details(const cJSON *details, char *buf, size_t len)
{
	const cJSON *e;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, details)
	{
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
		                         cJSON_GetObjectItem(e, "field")->valuestring);
	}
}

START_TEST(test_doc_cases)
{
	const struct doc_case *c = &doc_cases[_i];
	struct up_user_row row;
	cJSON *doc = NULL, *cur = NULL, *details = cJSON_CreateArray();
	char got[256], set[256];
	size_t i, used = 0;

	memset(&row, 0, sizeof(row));
	ck_assert_int_eq(up_json_parse(c->doc, strlen(c->doc), 16, &doc), UP_OK);
	ck_assert_int_eq(up_json_parse(CUR, strlen(CUR), 16, &cur), UP_OK);
	ck_assert_int_eq(
	        up_user_validate(doc, c->mode == UP_UV_CREATE ? NULL : cur, c->mode, details, &row),
	        UP_OK);
	join_details(details, got, sizeof(got));
	if (strcmp(c->desc, "not an object") == 0)
		ck_assert_int_eq(cJSON_GetArraySize(details), 1);
	else
		ck_assert_msg(strcmp(got, c->details) == 0, "line %d (%s): details [%s] want [%s]",
		              c->line, c->desc, got, c->details);
	set[0] = '\0';
	for (i = 0; i < up_user_resource.nfields; i++)
		if (row.set[i])
			used += (size_t)snprintf(set + used, sizeof(set) - used, "%s%s",
			                         used ? "," : "", up_user_resource.fields[i].name);
	ck_assert_msg(strcmp(set, c->set) == 0, "line %d (%s): set [%s] want [%s]", c->line,
	              c->desc, set, c->set);
	up_user_row_free(&row);
	cJSON_Delete(doc);
	cJSON_Delete(cur);
	cJSON_Delete(details);
}
END_TEST

/* The catalogs are sorted (bsearch relies on it) and hold the expected names. */
START_TEST(test_catalogs)
{
	static const enum up_catalog cats[] = {UP_CATALOG_COUNTRIES, UP_CATALOG_TIME_ZONES};
	size_t k, i;

	for (k = 0; k < 2; k++) {
		size_t n = up_catalog_count(cats[k]);

		ck_assert_uint_gt(n, 200);
		for (i = 1; i < n; i++)
			ck_assert_msg(strcmp(up_catalog_item(cats[k], i - 1),
			                     up_catalog_item(cats[k], i)) < 0,
			              "catalog %zu not sorted at %zu", k, i);
		ck_assert_ptr_null(up_catalog_item(cats[k], n));
	}
	ck_assert(up_catalog_has(UP_CATALOG_COUNTRIES, "Colombia"));
	ck_assert(up_catalog_has(UP_CATALOG_COUNTRIES, "Åland Islands"));
	ck_assert(!up_catalog_has(UP_CATALOG_COUNTRIES, "Colombi"));
	ck_assert(up_catalog_has(UP_CATALOG_TIME_ZONES, "Europe/Berlin"));
	ck_assert(up_catalog_has(UP_CATALOG_TIME_ZONES, "America/Argentina/Buenos_Aires"));
	ck_assert(!up_catalog_has(UP_CATALOG_TIME_ZONES, "europe/berlin"));
	ck_assert(!up_catalog_has(UP_CATALOG_TIME_ZONES, ""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("user_validate");
	TCase *tc = tcase_create("validate");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_value_cases, 0, sizeof(value_cases) / sizeof(value_cases[0]));
	tcase_add_loop_test(tc, test_doc_cases, 0, sizeof(doc_cases) / sizeof(doc_cases[0]));
	tcase_add_test(tc, test_catalogs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
