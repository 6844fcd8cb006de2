/* SPDX-License-Identifier: ISC */
/*
 * json_equal.h: JSON value equality as defined by RFC 6902 section 4.6, used
 * by the JSON Patch `test` operation.
 */
#ifndef UP_JSON_EQUAL_H
#define UP_JSON_EQUAL_H

#include <cjson/cJSON.h>

/*
 * Return 1 if a and b are equal JSON values, 0 otherwise.  Both are borrowed
 * and left unchanged; NULL equals only NULL.
 *
 * - numbers compare by value (1 == 1.0 == 1e0); cJSON keeps numbers as
 *   doubles, so integers beyond 2^53 compare as their nearest double;
 * - strings compare byte by byte, which for UTF-8 is code point by code point;
 * - arrays compare element by element, in order;
 * - objects compare as unordered sets of members.  When an object holds the
 *   same name more than once (cJSON keeps duplicates from parsing), the
 *   members of one name are paired in the order in which they appear.
 * - true, false and null are equal only to themselves.
 *
 * Recursion follows the nesting of the values; cJSON's parser caps nesting
 * (CJSON_NESTING_LIMIT), and the patch engine caps it further.
 */
int up_json_equal(const cJSON *a, const cJSON *b);

#endif
