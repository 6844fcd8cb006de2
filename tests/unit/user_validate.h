/* SPDX-License-Identifier: ISC */
/*
 * user_validate.h: validation of user representations apart from a request,
 * for the tests: the generic validation of resource.h over the users table.
 */
#ifndef UP_USER_VALIDATE_H
#define UP_USER_VALIDATE_H

#include <cjson/cJSON.h>
#include "errors.h"
#include "user_store.h"

enum up_user_mode {
	UP_UV_CREATE = UP_V_CREATE,   /* POST: no current user; read-only fields are refused */
	UP_UV_REPLACE = UP_V_REPLACE, /* PUT: read-only fields may be given if unchanged */
	UP_UV_PATCH = UP_V_PATCH,     /* PATCH result: read-only fields must be kept unchanged */
};

/*
 * up_resource_validate() over the users table, with the failures appended
 * to details (a JSON array, borrowed).  row is the caller's to free with
 * up_user_row_free() in every case.  Returns UP_OK or UP_ERR_NOMEM.
 */
enum up_err up_user_validate(const cJSON *doc, const cJSON *cur, enum up_user_mode mode,
                             cJSON *details, struct up_user_row *row);

/*
 * Validate one value (borrowed; NULL means absent) of line i of the users
 * table; on success *text (may be NULL) receives the bound text, owned by
 * the caller (NULL for SQL NULL).  Returns 1, or 0 with the reason in why.
 */
int up_user_validate_value(size_t i, const cJSON *v, char **text, char *why, size_t whylen);

#endif
