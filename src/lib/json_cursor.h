/* SPDX-License-Identifier: ISC */
/*
 * json_cursor.h: reading JSON text in place, without building a tree, for
 * decoders of large bodies of a known shape.  The text must be one that
 * up_json_validate accepted (strict, well-formed): the cursor trusts it and
 * checks nothing again.  A value is named by a pointer to its first byte;
 * its type is that byte ('{', '[', '"', 't', 'f', 'n', else a number).
 */
#ifndef UP_JSON_CURSOR_H
#define UP_JSON_CURSOR_H

#include <stddef.h>

/*
 * The members of an object or the elements of an array, in order.  A value
 * is skipped when the next one is asked for, unless the caller read it to
 * its end already and said so (up_jc_past): each byte is then read once.
 */
struct up_jc_iter {
	const char *p, *end;
	const char *val; /* the value last returned, not yet skipped, or NULL */
	int object;
};

/* Skip the white space at p (up to end). */
const char *up_jc_ws(const char *p, const char *end);

/* The byte after the value at p. */
const char *up_jc_skip(const char *p, const char *end);

/* Start at the object or array value at v (ends at end). */
void up_jc_open(struct up_jc_iter *it, const char *v, const char *end);

/*
 * The next member: 1 with *key (its name's opening quote; NULL in an array)
 * and *val (its value), or 0 after the last.
 */
int up_jc_next(struct up_jc_iter *it, const char **key, const char **val);

/* The value last returned ends before after (the caller read it). */
void up_jc_past(struct up_jc_iter *it, const char *after);

/* After up_jc_next returned 0: the byte after the container. */
const char *up_jc_end(const struct up_jc_iter *it);

/*
 * The name at k unescaped into buf (len bytes): 1, or 0 when it is longer
 * (then no name shorter than len), or -1 (memory).
 */
int up_jc_key(const char *k, char *buf, size_t len);

/* 1 if the string at s (a name or a value), unescaped, is name (0 also when memory ran out). */
int up_jc_is(const char *s, const char *name);

/* The string at s unescaped (owned by the caller, free()), or NULL (memory). */
char *up_jc_string(const char *s);

/* The number at v into *d as strtod reads it (as cJSON's valuedouble); 0, or -1 (memory). */
int up_jc_number(const char *v, const char *end, double *d);

#endif
