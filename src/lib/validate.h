/* SPDX-License-Identifier: ISC */
/*
 * validate.h: field validators shared by both APIs.  Each says yes (1) or
 * no (0) and, where a value is normalised, writes the normal form.
 */
#ifndef UP_VALIDATE_H
#define UP_VALIDATE_H

#include <stddef.h>

/* A practical address check: local@domain, <= 254 bytes, local part <= 64, dotted domain. */
int up_valid_email(const char *s);

/*
 * RFC 3339 date-time ("2023-01-01T00:00:00Z", offsets and up to 9 fraction
 * digits allowed).  On success writes the UTC instant as
 * "YYYY-MM-DD HH:MM:SS.ffffff" into sql (at least 27 bytes).
 */
int up_valid_rfc3339(const char *s, char *sql, size_t len);

/* 1 if every byte of s is in allowed and its length is within [min, max] bytes. */
int up_valid_charset(const char *s, const char *allowed, size_t min, size_t max);

/* 1 if s is 1+ digits only and its length is within [min, max]. */
int up_valid_digits(const char *s, size_t min, size_t max);

/*
 * 1 if s begins or ends with white space: an ASCII space or a Unicode space
 * (U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
 * U+FEFF).  Identifiers must not: "crm-1 " looks like "crm-1" to a person.
 */
int up_edge_space(const char *s);

#endif
