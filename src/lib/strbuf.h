/* SPDX-License-Identifier: ISC */
/* strbuf.h: formatted text appended to a fixed-size buffer; decimal digits without printf. */
#ifndef UP_STRBUF_H
#define UP_STRBUF_H

#include <stddef.h>

/*
 * Append formatted text to buf (len bytes in all) at *used, which advances;
 * 0 on overflow (then buf holds a truncated text and *used is unchanged).
 */
int up_buf_cat(char *buf, size_t len, size_t *used, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * The decimal digits of n written backwards ending just before end, with a
 * NUL at end[-1]; returns where they start.  end must have 21 bytes before
 * it.  For hot paths where printf costs more than the text it makes.
 */
char *up_decimal(unsigned long long n, char *end);

/*
 * A multi-row statement: head, n copies of tuple joined by ", ", then tail,
 * in a new string (owned by the caller: free); NULL when n is 0 or memory
 * runs out.  The parts are constants of the caller, never data.
 */
char *up_sql_rows(const char *head, const char *tuple, size_t n, const char *tail);

#endif
