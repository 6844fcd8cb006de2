/*
 * user_validate.h: validation of a whole user representation against the
 * users field table (user_store.h), table-driven: a validator per field type
 * and one per rule, chosen by the field's line in the table.  Every broken
 * rule is reported at once, as {"field", "reason"} entries of `details`.
 */
#ifndef UP_USER_VALIDATE_H
#define UP_USER_VALIDATE_H

#include <cjson/cJSON.h>
#include "errors.h"
#include "user_store.h"

enum up_user_mode {
	UP_UV_CREATE,  /* POST: there is no current user; read-only fields are refused */
	UP_UV_REPLACE, /* PUT: read-only fields may be given if unchanged */
	UP_UV_PATCH,   /* PATCH result: read-only fields must be kept unchanged */
};

/*
 * Validate doc (borrowed), the complete new representation, against the
 * table; cur (borrowed) is the current representation, NULL for
 * UP_UV_CREATE.  A writable field that doc lacks takes its default (null,
 * false, 0, {} or []), except `password`, which is write-only: when absent
 * the stored one is kept.  Each broken rule is appended to details (a JSON
 * array, borrowed).  row (zeroed by the caller) receives, for every writable
 * field whose value differs from cur (every field doc gives, for create),
 * the value to write as bound text; the password as given (the caller
 * hashes it); row is the caller's to free with up_user_row_free() in every
 * case.  Returns UP_OK (the verdict is whether details is empty) or
 * UP_ERR_NOMEM.
 */
enum up_err up_user_validate(const cJSON *doc, const cJSON *cur, enum up_user_mode mode,
                             cJSON *details, struct up_user_row *row);

/*
 * Validate one field's value (borrowed; NULL means absent) by the type and
 * rule of table line i; on success *text (may be NULL) receives the bound
 * text, owned by the caller (NULL for SQL NULL).  Returns 1, or 0 with a
 * reason in why.  For tests and for callers that validate single values.
 */
int up_user_validate_value(size_t i, const cJSON *v, char **text, char *why, size_t whylen);

#endif
