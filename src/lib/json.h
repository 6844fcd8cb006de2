/* SPDX-License-Identifier: ISC */
/*
 * json.h: the one JSON reader and writer of the library.  Input is checked
 * strictly against RFC 8259 (grammar, UTF-8, no raw control characters, no
 * "\u0000", bounded depth) before cJSON builds a tree from it; output goes
 * through cJSON's printer, which does all the escaping.
 */
#ifndef UP_JSON_H
#define UP_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "errors.h"
#include "utf8.h"

/*
 * Check that len bytes of text are exactly one JSON value (surrounding white
 * space allowed) no deeper than max_depth.  Returns UP_OK, UP_ERR_BAD_JSON,
 * or UP_ERR_LIMIT when only the depth is exceeded.  *where (may be NULL)
 * receives the offset of the offending byte.
 */
enum up_err up_json_validate(const char *text, size_t len, size_t max_depth, size_t *where);

/* Validate then parse.  *out is owned by the caller (cJSON_Delete). */
enum up_err up_json_parse(const char *text, size_t len, size_t max_depth, cJSON **out);

/*
 * Leniency for legacy clients: raw TAB, LF and CR inside strings (as in a
 * JSON string that a documentation page printed across lines).  Everything
 * else stays strict.  Only the device-app envelope uses it.
 */
#define UP_JSON_RAW_WS_IN_STRINGS 0x1u

/*
 * up_json_validate / up_json_parse with UP_JSON_* flags.  up_json_parse_opts
 * returns what up_json_validate would (with *where, which may be NULL, set
 * the same way), or UP_ERR_NOMEM; one pass checks and one parses.
 */
enum up_err up_json_validate_opts(const char *text, size_t len, size_t max_depth, unsigned flags,
                                  size_t *where);
enum up_err up_json_parse_opts(const char *text, size_t len, size_t max_depth, unsigned flags,
                               size_t *where, cJSON **out);

/*
 * cJSON_Delete(v) after overwriting every string value and member name under
 * it with zeros (what it owns: references and constant names are left
 * alone): for trees that may hold a password.  NULL is a no-op.
 */
void up_json_wipe_delete(cJSON *v);

/* Compact text of v; owned by the caller (free()).  NULL on allocation failure. */
char *up_json_print(const cJSON *v);

/*
 * Parse the NUL-terminated JSON text (as up_json_parse, no deeper than
 * max_depth) and add it to o as member name (o owns it); text NULL adds
 * nothing.  For JSON the database stores as text.
 */
enum up_err up_json_add_parsed(cJSON *o, const char *name, const char *text, size_t max_depth);

/* Depth of a tree: a scalar is 0, [] is 1, [[1]] is 2. */
size_t up_json_depth(const cJSON *v);

#endif
