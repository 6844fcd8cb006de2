/* SPDX-License-Identifier: ISC */
/*
 * utf8.h: UTF-8 checks and cuts on character boundaries, for every text
 * the library takes in or writes out (JSON, error sentences, log lines).
 * Depends on nothing else of the library.
 */
#ifndef UP_UTF8_H
#define UP_UTF8_H

#include <stddef.h>

/*
 * Length of the UTF-8 sequence at p (1-4 bytes, not past end), or 0 when it
 * is invalid: a NUL byte, an overlong form, a surrogate, past U+10FFFF.
 */
size_t up_utf8_seq(const unsigned char *p, const unsigned char *end);

/* 1 if the len bytes at s are valid UTF-8 without NUL bytes, else 0. */
int up_utf8_valid(const char *s, size_t len);

/*
 * Bytes of the longest prefix of s, at most max bytes, that ends on a
 * character boundary: a cut never falls inside a UTF-8 sequence.  The prefix
 * also stops before an invalid or incomplete sequence, so a buffer that
 * vsnprintf truncated is made valid again with
 * buf[up_utf8_prefix(buf, strlen(buf))] = '\0'.  Print a bounded piece of a
 * value with printf("%.*s", (int)up_utf8_prefix(s, 64), s).
 */
size_t up_utf8_prefix(const char *s, size_t max);

/* The two printf arguments for "%.*s" that print at most max bytes of s, cut on a boundary. */
#define UP_UTF8_CUT(s, max) (int)up_utf8_prefix((s), (max)), (s)

/* Cut the NUL-terminated buf in place to its longest valid UTF-8 prefix. */
void up_utf8_trim(char *buf);

/* Number of code points of the valid UTF-8 string s. */
size_t up_utf8_length(const char *s);

#endif
