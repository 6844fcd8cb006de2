/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (no database): the groups table through the generic
 * validators, one value at a time and whole representations (create-only
 * id, required name, read-only users count), table-driven.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "groups.h"
#include "json.h"
#include "value_check.h"

static const struct tu_value_case value_cases[] = {
        {__LINE__, "id", "id", "\"administrators\"", 1, "administrators"},
        {__LINE__, "id with digits and _.-", "id", "\"team-1.a_b\"", 1, "team-1.a_b"},
        {__LINE__, "id of one digit", "id", "\"7\"", 1, "7"},
        {__LINE__, "id of 64", "id",
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", 1, NULL},
        {__LINE__, "id of 65", "id",
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", 0, "1 to 64"},
        {__LINE__, "id in upper case", "id", "\"Admins\"", 0, "a-z"},
        {__LINE__, "id starting with -", "id", "\"-admins\"", 0, "starting with"},
        {__LINE__, "id with a space", "id", "\"a b\"", 0, "a-z"},
        {__LINE__, "id empty", "id", "\"\"", 0, "1 to 64"},
        {__LINE__, "id export: the bulk route", "id", "\"export\"", 0, "reserved"},
        {__LINE__, "id import: the bulk route", "id", "\"import\"", 0, "reserved"},
        {__LINE__, "id that begins with export", "id", "\"exports\"", 1, "exports"},
        {__LINE__, "id null", "id", "null", 0, "required"},
        {__LINE__, "id absent", "id", NULL, 0, "required"},
        {__LINE__, "id a number", "id", "5", 0, "string"},
        {__LINE__, "name", "name", "\"Administrators\"", 1, "Administrators"},
        {__LINE__, "name null", "name", "null", 0, "required"},
        {__LINE__, "name empty", "name", "\"\"", 0, "1 to 100"},
        {__LINE__, "description null", "description", "null", 1, NULL},
        {__LINE__, "privileges", "privileges", "[\"read\"]", 1, "[\"read\"]"},
        {__LINE__, "privileges repeated", "privileges", "[\"a\",\"a\"]", 0, "repeats"},
        {__LINE__, "privileges null", "privileges", "null", 0, "array"},
        {__LINE__, "tags", "tags", "{\"k\":\"v\"}", 1, "{\"k\":\"v\"}"},
        {__LINE__, "tags non-string", "tags", "{\"k\":1}", 0, "string"},
        {__LINE__, "disabled", "disabled", "true", 1, "1"},
        {__LINE__, "disabled string", "disabled", "\"no\"", 0, "true or false"},
};

START_TEST(test_values)
{
	tu_check_value(&up_group_resource, &value_cases[_i]);
}
END_TEST

#define CUR                                                                                        \
	"{\"id\":\"ops\",\"name\":\"Ops\",\"description\":null,\"privileges\":[],\"tags\":{},"     \
	"\"disabled\":false,\"users\":3,\"creation\":\"2024-01-01T00:00:00Z\","                    \
	"\"modification\":\"2024-01-01T00:00:00Z\"}"

struct doc_case {
	int line;
	const char *desc;
	enum up_vmode mode;
	const char *doc;
	const char *details; /* fields of details, comma-joined in order */
	const char *set;     /* fields to write, comma-joined in table order */
};

static const struct doc_case doc_cases[] = {
        {__LINE__, "create", UP_V_CREATE, "{\"id\":\"ops\",\"name\":\"Ops\"}", "", "id,name"},
        {__LINE__, "create without id and name", UP_V_CREATE, "{\"disabled\":true}", "id,name",
         "disabled"},
        {__LINE__, "create with users", UP_V_CREATE, "{\"id\":\"a\",\"name\":\"A\",\"users\":0}",
         "users", "id,name"},
        {__LINE__, "unchanged", UP_V_PATCH, CUR, "", ""},
        {__LINE__, "patch the name", UP_V_PATCH,
         "{\"id\":\"ops\",\"name\":\"Ops 2\",\"users\":3,\"creation\":\"2024-01-01T00:00:00Z\","
         "\"modification\":\"2024-01-01T00:00:00Z\"}",
         "", "name"},
        {__LINE__, "patch the id", UP_V_PATCH,
         "{\"id\":\"ops2\",\"name\":\"Ops\",\"users\":3,\"creation\":\"2024-01-01T00:00:00Z\","
         "\"modification\":\"2024-01-01T00:00:00Z\"}",
         "id", ""},
        {__LINE__, "patch removing the id and the count", UP_V_PATCH,
         "{\"name\":\"Ops\",\"creation\":\"2024-01-01T00:00:00Z\","
         "\"modification\":\"2024-01-01T00:00:00Z\"}",
         "id,users", ""},
        {__LINE__, "replace may omit id, users and dates", UP_V_REPLACE, "{\"name\":\"Ops\"}", "",
         ""},
        {__LINE__, "replace resets what it omits", UP_V_REPLACE,
         "{\"name\":\"Ops\",\"privileges\":[\"x\"]}", "", "privileges"},
        {__LINE__, "replace without name", UP_V_REPLACE, "{\"id\":\"ops\"}", "name", ""},
};

START_TEST(test_docs)
{
	const struct doc_case *c = &doc_cases[_i];
	struct up_error e = {0};
	struct up_row row;
	cJSON *doc = NULL, *cur = NULL;
	const cJSON *d;
	char got[256] = "", set[256] = "";
	size_t i, used = 0;

	memset(&row, 0, sizeof(row));
	ck_assert_int_eq(up_json_parse(c->doc, strlen(c->doc), 16, &doc), UP_OK);
	ck_assert_int_eq(up_json_parse(CUR, strlen(CUR), 16, &cur), UP_OK);
	ck_assert_int_eq(up_resource_validate(&up_group_resource, doc,
	                                      c->mode == UP_V_CREATE ? NULL : cur, c->mode,
	                                      UP_DEVICE_FORMAT, &e, &row),
	                 UP_OK);
	cJSON_ArrayForEach(d, e.details)
	{
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", used ? "," : "",
		                         cJSON_GetObjectItem(d, "field")->valuestring);
	}
	ck_assert_msg(strcmp(got, c->details) == 0, "line %d (%s): details [%s] want [%s]", c->line,
	              c->desc, got, c->details);
	used = 0;
	for (i = 0; i < up_group_resource.nfields; i++)
		if (row.set[i])
			used += (size_t)snprintf(set + used, sizeof(set) - used, "%s%s",
			                         used ? "," : "", up_group_resource.fields[i].name);
	ck_assert_msg(strcmp(set, c->set) == 0, "line %d (%s): set [%s] want [%s]", c->line,
	              c->desc, set, c->set);
	up_row_free(&row);
	up_error_reset(&e);
	cJSON_Delete(doc);
	cJSON_Delete(cur);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("group_validate");
	TCase *tc = tcase_create("validate");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_values, 0, sizeof(value_cases) / sizeof(value_cases[0]));
	tcase_add_loop_test(tc, test_docs, 0, sizeof(doc_cases) / sizeof(doc_cases[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
