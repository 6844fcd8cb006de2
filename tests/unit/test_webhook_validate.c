/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (no database): the webhooks table through the generic
 * validators, one value at a time (the list type of `types`: an array of
 * distinct words bound as their comma-separated list, which the feed's
 * `types` syntax must accept) and whole representations (read-only status,
 * version and dates; the secret is no field), table-driven.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "value_check.h"
#include "webhook_store.h"

static const struct tu_value_case value_cases[] = {
        {__LINE__, "types: one", "types", "[\"user.created\"]", 1, "user.created"},
        {__LINE__, "types: several, in order", "types", "[\"user.*\",\"alert.created\"]", 1,
         "user.*,alert.created"},
        {__LINE__, "types: every noun", "types",
         "[\"user.*\",\"group.*\",\"device.*\",\"alert.created\"]", 1,
         "user.*,group.*,device.*,alert.created"},
        {__LINE__, "types: empty", "types", "[]", 0, "1 to 16 entries"},
        {__LINE__, "types: 17 entries", "types",
         "[\"user.created\",\"user.updated\",\"user.deleted\",\"group.created\",\"group.updated\","
         "\"group.deleted\",\"device.created\",\"device.updated\",\"device.deleted\","
         "\"alert.created\",\"user.*\",\"group.*\",\"device.*\",\"alert.*\",\"a.b\",\"c.d\","
         "\"e.f\"]",
         0, "1 to 16 entries"},
        {__LINE__, "types: repeated", "types", "[\"user.*\",\"user.*\"]", 0, "more than once"},
        {__LINE__, "types: a comma inside", "types", "[\"user.created,user.deleted\"]", 0, "words"},
        {__LINE__, "types: a blank", "types", "[\"user. created\"]", 0, "words"},
        {__LINE__, "types: an empty word", "types", "[\"\"]", 0, "words"},
        {__LINE__, "types: not strings", "types", "[1]", 0, "words"},
        {__LINE__, "types: a string", "types", "\"user.*\"", 0, "array"},
        {__LINE__, "types: unknown type", "types", "[\"user.renamed\"]", 0, "event types"},
        {__LINE__, "types: unknown noun", "types", "[\"webhook.*\"]", 0, "event types"},
        {__LINE__, "types: absent", "types", NULL, 0, "required"},
        {__LINE__, "types: null", "types", "null", 0, "required"},
        {__LINE__, "url", "url", "\"https://example.com/h\"", 1, "https://example.com/h"},
        {__LINE__, "url: empty", "url", "\"\"", 0, "1 to 2048"},
        {__LINE__, "url: null", "url", "null", 0, "required"},
        {__LINE__, "description: null", "description", "null", 1, NULL},
        {__LINE__, "enabled", "enabled", "false", 1, "0"},
        {__LINE__, "enabled: null (it has a default)", "enabled", "null", 0, "true or false"},
};

START_TEST(test_values)
{
	tu_check_value(&up_webhook_resource, &value_cases[_i]);
}
END_TEST

#define CUR                                                                                        \
	"{\"id\":\"whk-3\",\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],"              \
	"\"description\":null,\"enabled\":true,\"status\":\"active\",\"failingSince\":null,"       \
	"\"version\":2,\"createdAt\":\"2024-01-01T00:00:00Z\",\"updatedAt\":\"2024-01-01T00:00:"   \
	"00Z\"}"

struct doc_case {
	int line;
	const char *desc;
	enum up_vmode mode;
	const char *doc;
	const char *details; /* fields of details, comma-joined in order */
	const char *set;     /* fields to write, comma-joined in table order */
};

static const struct doc_case doc_cases[] = {
        {__LINE__, "create", UP_V_CREATE,
         "{\"url\":\"https://example.com/h\",\"types\":[\"user.*\"]}", "", "url,types"},
        {__LINE__, "create with a secret of one's own", UP_V_CREATE,
         "{\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],\"secret\":\"whsec_AA\"}",
         "secret", "url,types"},
        {__LINE__, "create with the cursor column", UP_V_CREATE,
         "{\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],\"cursorSeq\":0}", "cursorSeq",
         "url,types"},
        {__LINE__, "create with a status", UP_V_CREATE,
         "{\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],\"status\":\"active\"}",
         "status", "url,types"},
        {__LINE__, "unchanged", UP_V_PATCH, CUR, "", ""},
        {__LINE__, "patch description and enabled: only they are written", UP_V_PATCH,
         "{\"id\":\"whk-3\",\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],"
         "\"description\":\"CRM\",\"enabled\":false,\"status\":\"active\",\"failingSince\":null,"
         "\"version\":2,\"createdAt\":\"2024-01-01T00:00:00Z\","
         "\"updatedAt\":\"2024-01-01T00:00:00Z\"}",
         "", "description,enabled"},
        {__LINE__, "patch the types", UP_V_PATCH,
         "{\"id\":\"whk-3\",\"url\":\"https://example.com/h\",\"types\":[\"user.*\",\"group.*\"],"
         "\"description\":null,\"enabled\":true,\"status\":\"active\",\"failingSince\":null,"
         "\"version\":2,\"createdAt\":\"2024-01-01T00:00:00Z\","
         "\"updatedAt\":\"2024-01-01T00:00:00Z\"}",
         "", "types"},
        {__LINE__, "patch the status and the version", UP_V_PATCH,
         "{\"id\":\"whk-3\",\"url\":\"https://example.com/h\",\"types\":[\"user.*\"],"
         "\"description\":null,\"enabled\":true,\"status\":\"failing\",\"failingSince\":null,"
         "\"version\":3,\"createdAt\":\"2024-01-01T00:00:00Z\","
         "\"updatedAt\":\"2024-01-01T00:00:00Z\"}",
         "status,version", ""},
};

/* Names of the details of e, or of the set fields of row, comma-joined. */
static void joined(const struct up_error *e, const struct up_row *row, char *buf, size_t len)
{
	const cJSON *d;
	size_t i, used = 0;

	buf[0] = '\0';
	if (e != NULL) {
		cJSON_ArrayForEach(d, e->details)
		{
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			                         cJSON_GetObjectItem(d, "field")->valuestring);
		}
		return;
	}
	for (i = 0; i < up_webhook_resource.nfields; i++)
		if (row->set[i])
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			                         up_webhook_resource.fields[i].name);
}

START_TEST(test_docs)
{
	const struct doc_case *c = &doc_cases[_i];
	struct up_error e = {0};
	struct up_row row;
	cJSON *doc = NULL, *cur = NULL;
	char got[256];

	memset(&row, 0, sizeof(row));
	ck_assert_int_eq(up_json_parse(c->doc, strlen(c->doc), 16, &doc), UP_OK);
	if (c->mode != UP_V_CREATE)
		ck_assert_int_eq(up_json_parse(CUR, strlen(CUR), 16, &cur), UP_OK);
	ck_assert_int_eq(up_resource_validate(&up_webhook_resource, doc, cur, c->mode,
	                                      UP_DEVICE_FORMAT, &e, &row),
	                 UP_OK);
	joined(&e, NULL, got, sizeof(got));
	ck_assert_msg(strcmp(got, c->details) == 0, "line %d (%s): details %s", c->line, c->desc,
	              got);
	joined(NULL, &row, got, sizeof(got));
	ck_assert_msg(strcmp(got, c->set) == 0, "line %d (%s): set %s", c->line, c->desc, got);
	up_row_free(&row);
	up_error_reset(&e);
	cJSON_Delete(doc);
	cJSON_Delete(cur);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhook_validate");
	TCase *t = tcase_create("webhook_validate");

	tcase_add_loop_test(t, test_values, 0, (int)(sizeof(value_cases) / sizeof(value_cases[0])));
	tcase_add_loop_test(t, test_docs, 0, (int)(sizeof(doc_cases) / sizeof(doc_cases[0])));
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? 0 : 1;
}
