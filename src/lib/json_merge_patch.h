/* SPDX-License-Identifier: ISC */
/*
 * json_merge_patch.h: JSON Merge Patch (RFC 7396) over cJSON trees, beside
 * JSON Patch (json_patch.h) and under the same limits.
 *
 * An object patch merges into the document member by member: a member whose
 * value is an object merges recursively (into {} when the document has no
 * object there), a member whose value is null removes that member, any other
 * value replaces it.  A patch that is not an object replaces the whole
 * document.  A caller that knows which members may hold null (the resource
 * layer) can ask for a null at the top level to be kept as a value instead
 * of removing the member.
 *
 * Decisions where the RFC leaves room:
 * - An object of the patch that holds a name more than once is malformed
 *   (UP_ERR_PATCH_MALFORMED), as for the members of a JSON Patch operation.
 * - In a document object holding a name more than once, the first member of
 *   that name is the one replaced, merged into or removed.
 *
 * Limits (struct up_json_limits, json_pointer.h), all checked on the patch
 * before the document is touched:
 *   max_ops          members of the patch, counted in every object it merges
 *   max_pointer_len  bytes of the JSON Pointer of each member it touches
 *   max_depth        nesting of the result: a value set at a member k levels
 *                    down may nest at most max_depth - k containers
 *   max_copy_nodes   JSON values the patch adds to the document
 */
#ifndef UP_JSON_MERGE_PATCH_H
#define UP_JSON_MERGE_PATCH_H

#include <cjson/cJSON.h>

#include "errors.h"
#include "json_patch.h"
#include "json_pointer.h"

/*
 * Whether a null given for the top-level member name (borrowed) is kept as
 * the member's value (return 1) rather than removing the member (0).
 * arg is the caller's, passed through.
 */
typedef int (*up_merge_keep_null_fn)(const void *arg, const char *name);

/*
 * Check the whole merge patch (borrowed) against the limits (lim NULL: the
 * defaults) without a document.  perr may be NULL; when given it is always
 * filled (err UP_OK on success; op_index is always -1, pointer names the
 * offending member).  Errors: UP_ERR_PATCH_MALFORMED, UP_ERR_LIMIT.
 */
enum up_err up_merge_patch_check(const cJSON *patch, const struct up_json_limits *lim,
                                 struct up_patch_error *perr);

/*
 * Apply patch (borrowed) to a copy of doc (borrowed, left unchanged): on
 * UP_OK *out is the merged document, owned by the caller; on error *out is
 * NULL and perr (if not NULL) filled.  keep_null may be NULL (RFC 7396:
 * every null removes).  Errors: those of up_merge_patch_check, UP_ERR_NOMEM.
 */
enum up_err up_merge_patch_apply(const cJSON *doc, const cJSON *patch,
                                 const struct up_json_limits *lim, up_merge_keep_null_fn keep_null,
                                 const void *arg, cJSON **out, struct up_patch_error *perr);

#endif
