/* SPDX-License-Identifier: ISC */
/*
 * json_pointer.h: JSON Pointer (RFC 6901) over cJSON trees, and the limits
 * shared with the JSON Patch engine (json_patch.h).
 *
 * A pointer is "" (the whole document) or a sequence of "/token".  In a token
 * "~1" stands for "/" and "~0" for "~" (decoded in that order, so "~01" is
 * "~1"); any other "~" is malformed.  Against an array a token must be "0" or
 * a decimal number without leading zeros; "-" names the slot past the last
 * element, which only JSON Patch `add` (and the target of `move`/`copy`) may
 * use.  Against an object a token is a member name; when an object holds a
 * name more than once (cJSON keeps duplicates from parsing), the first member
 * of that name is the one a pointer reaches.
 */
#ifndef UP_JSON_POINTER_H
#define UP_JSON_POINTER_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "errors.h"

/*
 * Limits on a JSON Patch.  A field left 0 takes its default (there is no
 * "unlimited"; pass SIZE_MAX for that).
 *   max_ops          operations in one patch
 *   max_pointer_len  bytes in a `path` or `from`
 *   max_depth        nesting of containers in the resulting document: a
 *                    value added at a pointer of k tokens may nest at most
 *                    max_depth - k containers ({} and [] count 1, scalars 0)
 *   max_copy_nodes   JSON values created by `copy` operations in one patch,
 *                    so that repeated copies cannot grow a document
 *                    exponentially
 */
struct up_json_limits {
	size_t max_ops;
	size_t max_pointer_len;
	size_t max_depth;
	size_t max_copy_nodes;
};

#define UP_JSON_LIMITS_DEFAULT                                                                     \
	{                                                                                          \
		256, 1024, 32, 65536                                                               \
	}

/* *out: lim (NULL: none) with every field left 0 taking its default. */
void up_json_limits_resolve(const struct up_json_limits *lim, struct up_json_limits *out);

/* 1 if v (borrowed) nests more than budget containers. */
int up_json_deeper_than(const cJSON *v, size_t budget);

/* The values in v (borrowed), counting stopped once past cap. */
size_t up_json_count_nodes(const cJSON *v, size_t cap);

/* One token of a pointer, still escaped: s[0..len) lies inside the pointer. */
struct up_pointer_token {
	const char *s;
	size_t len;
};

/*
 * Check the syntax of ptr (NUL-terminated, borrowed).  Returns UP_OK or
 * UP_ERR_POINTER_MALFORMED; on UP_OK *ntokens (if not NULL) gets the number
 * of tokens (0 for "").
 */
enum up_err up_pointer_check(const char *ptr, size_t *ntokens);

/*
 * Split off the token that starts at p, which must point at a '/' of a
 * syntactically valid pointer.  Returns the position after the token (the
 * next '/' or the terminating NUL).
 */
const char *up_pointer_next(const char *p, struct up_pointer_token *tok);

/* 1 if the escaped token names the member name (NUL-terminated), else 0. */
int up_pointer_token_eq(const struct up_pointer_token *tok, const char *name);

/* 1 if the token is "-" (past the end of an array). */
int up_pointer_token_is_end(const struct up_pointer_token *tok);

/*
 * Parse the token as an array index (decimal, no sign, no leading zeros, no
 * overflow).  Returns UP_OK with *idx set, or UP_ERR_INDEX_RANGE.
 */
enum up_err up_pointer_token_index(const struct up_pointer_token *tok, size_t *idx);

/*
 * The decoded member name of the token, NUL-terminated, allocated with the
 * cJSON allocator (cJSON_malloc); the caller owns it.  NULL when out of memory.
 */
char *up_pointer_token_name(const struct up_pointer_token *tok);

/*
 * Resolve ptr (borrowed) in doc (borrowed).  On UP_OK *out is the value,
 * borrowed from doc.  Errors: UP_ERR_POINTER_MALFORMED (syntax),
 * UP_ERR_PATH_NOT_FOUND (missing member, or stepping into a scalar),
 * UP_ERR_INDEX_RANGE (array index invalid, "-", or out of range).
 * *out is NULL on error.
 */
enum up_err up_pointer_get(const cJSON *doc, const char *ptr, const cJSON **out);

#endif
