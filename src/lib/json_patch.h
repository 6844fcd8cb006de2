/* SPDX-License-Identifier: ISC */
/*
 * json_patch.h: JSON Patch (RFC 6902) over cJSON trees.
 *
 * A patch is first checked as a whole (structure, pointer syntax, limits);
 * only then is it applied, atomically, to a copy of the document: every
 * operation applies or the document is left exactly as it was.
 *
 * Decisions where the RFC leaves room:
 * - `remove` of the whole document ("") is rejected as a malformed patch
 *   (UP_ERR_PATCH_MALFORMED): a document cannot become absent.
 * - An operation object that holds one of op/path/from/value twice is
 *   malformed (RFC 6902 A.13); other, unknown members are ignored.
 * - `move` from a location to itself changes nothing (the location must
 *   exist); `move` to a proper child of `from` is UP_ERR_MOVE_INTO_CHILD.
 * - In a document object holding a name more than once, a pointer reaches the
 *   first member of that name, and add/replace/remove act on that member.
 * - An invalid array index ("01", "1e0", "x", "-" outside add/move/copy
 *   targets) or one out of range is UP_ERR_INDEX_RANGE; a missing member, or a
 *   token applied to a string/number/bool/null, is UP_ERR_PATH_NOT_FOUND.
 */
#ifndef UP_JSON_PATCH_H
#define UP_JSON_PATCH_H

#include <cjson/cJSON.h>

#include "errors.h"
#include "json_equal.h"
#include "json_pointer.h"

/*
 * What went wrong: err as returned; op_index is the 0-based index of the
 * offending operation (-1 when none applies, e.g. the patch is not an array);
 * pointer is the `path` or `from` concerned (truncated to fit, "" if none);
 * message is a sentence naming the operation, its index and the pointer.
 */
struct up_patch_error {
	enum up_err err;
	long op_index;
	char pointer[256];
	char message[256];
};

/* perr (may be NULL) says no error: UP_OK, no op, no pointer, no message. */
void up_patch_error_clear(struct up_patch_error *perr);

/*
 * Validate the whole patch (borrowed) without applying it: it is an array of
 * at most lim->max_ops objects, each with a known string `op`, a string
 * `path`, `value` for add/replace/test, string `from` for move/copy; the
 * pointers are well formed and within lim->max_pointer_len; added values fit
 * lim->max_depth.  lim may be NULL for the defaults.  perr may be NULL; when
 * given it is always filled (err UP_OK on success).
 * Errors: UP_ERR_PATCH_MALFORMED, UP_ERR_POINTER_MALFORMED, UP_ERR_LIMIT,
 * UP_ERR_NOMEM.
 */
enum up_err up_patch_check(const cJSON *patch, const struct up_json_limits *lim,
                           struct up_patch_error *perr);

/*
 * Apply patch (borrowed) to a copy of doc (borrowed, never modified): on
 * UP_OK *out is the patched document, owned by the caller; on error *out is
 * NULL and perr (if not NULL) is filled.  This is the one way patches apply
 * atomically: all operations or none, and the document given is intact in
 * both cases.
 * Errors: those of up_patch_check, then UP_ERR_PATH_NOT_FOUND,
 * UP_ERR_TEST_FAILED, UP_ERR_INDEX_RANGE, UP_ERR_MOVE_INTO_CHILD,
 * UP_ERR_LIMIT (depth of a moved/copied value, copy budget), UP_ERR_NOMEM,
 * UP_ERR_INTERNAL (doc NULL).
 */
enum up_err up_patch_apply_to(const cJSON *doc, const cJSON *patch,
                              const struct up_json_limits *lim, cJSON **out,
                              struct up_patch_error *perr);

/*
 * up_patch_apply_to() for a caller that owns *doc and wants it replaced:
 * on success the old tree is freed (its strings wiped) and *doc is the
 * patched one; on error *doc is exactly as before.  *doc must not be NULL.
 */
enum up_err up_patch_apply(cJSON **doc, const cJSON *patch, const struct up_json_limits *lim,
                           struct up_patch_error *perr);

#endif
