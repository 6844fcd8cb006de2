/* SPDX-License-Identifier: ISC */
/*
 * user_validate.c: the users table through the generic validation
 * (resource_validate.c), for test_user_validate: a value or a whole
 * document at a time, apart from a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user_validate.h"

int up_user_validate_value(size_t i, const cJSON *v, char **text, char *why, size_t whylen)
{
	struct up_error e = {0};
	struct up_check c = {.err = &e};
	int ok = up_resource_check_value(&up_user_resource, i, v, &c);
	const cJSON *reason =
	        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(e.details, 0), "reason");

	snprintf(why, whylen, "%s", cJSON_IsString(reason) ? reason->valuestring : "");
	up_error_reset(&e);
	if (text != NULL)
		*text = c.text;
	else
		free(c.text);
	return ok;
}

enum up_err up_user_validate(const cJSON *doc, const cJSON *cur, enum up_user_mode mode,
                             cJSON *details, struct up_user_row *row)
{
	struct up_error e = {.details = details};
	enum up_err rc = up_resource_validate(&up_user_resource, doc, cur, (enum up_vmode)mode,
	                                      UP_DEVICE_FORMAT, &e, row);

	e.details = NULL; /* borrowed from the caller */
	return rc;
}
