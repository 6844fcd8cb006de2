/* SPDX-License-Identifier: ISC */
/*
 * parse.h: strict, range-checked parsing of numbers and small tokens.
 * Nothing here skips white space, accepts signs or tolerates trailing bytes.
 */
#ifndef UP_PARSE_H
#define UP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "errors.h"

/*
 * Parse exactly len bytes of s as a decimal unsigned integer: digits only, no
 * leading zero unless the number is 0, value within [min, max].
 * Returns UP_OK and sets *out, or UP_ERR_BAD_REQUEST (out untouched).
 */
enum up_err up_parse_u64n(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out);

/* As up_parse_u64n over the whole NUL-terminated string s. */
enum up_err up_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Parse a public id "<prefix><n>" such as "usr-42" (n >= 1, no leading zero).
 * Returns UP_OK and sets *id, or UP_ERR_NOT_FOUND when s is not such an id.
 */
enum up_err up_parse_public_id(const char *s, const char *prefix, uint64_t *id);

/*
 * Parse a duration "<n><unit>", unit h (hours), d (days) or w (weeks), n as
 * up_parse_u64n (1 or more), at most 100 years in all: "90d", "12w", "36h".
 * Returns UP_OK and sets *seconds, or UP_ERR_BAD_REQUEST (untouched).
 */
enum up_err up_parse_duration(const char *s, uint64_t *seconds);

/* Constant-time comparison of two buffers of equal length: 1 if equal. */
int up_memeq_const_time(const void *a, const void *b, size_t len);

#endif
