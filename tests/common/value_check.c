/* SPDX-License-Identifier: ISC */
/* value_check.c: a field validator checked against one table row. */
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include "errors.h"
#include "json.h"
#include "value_check.h"

void tu_check_value(const struct up_resource *r, const struct tu_value_case *c)
{
	int i = up_resource_field(r, c->field), ok;
	struct up_error e = {0};
	struct up_check chk = {.err = &e};
	const cJSON *reason;
	cJSON *v = NULL;

	ck_assert_msg(i >= 0, "line %d: no field %s", c->line, c->field);
	if (c->json != NULL)
		ck_assert_int_eq(up_json_parse(c->json, strlen(c->json), 16, &v), UP_OK);
	ok = up_resource_check_value(r, (size_t)i, v, &chk);
	reason = cJSON_GetObjectItem(cJSON_GetArrayItem(e.details, 0), "reason");
	ck_assert_msg(ok == c->ok, "line %d (%s): got %d", c->line, c->desc, ok);
	if (c->ok && c->text != NULL)
		ck_assert_msg(chk.text != NULL && strcmp(chk.text, c->text) == 0,
		              "line %d (%s): text %s", c->line, c->desc,
		              chk.text != NULL ? chk.text : "(null)");
	if (!c->ok)
		ck_assert_msg(cJSON_IsString(reason) &&
		                      strstr(reason->valuestring, c->text) != NULL,
		              "line %d (%s): reason lacks '%s' (%s)", c->line, c->desc, c->text,
		              cJSON_IsString(reason) ? reason->valuestring : "none");
	free(chk.text);
	up_error_reset(&e);
	cJSON_Delete(v);
}
