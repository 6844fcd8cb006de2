/* strbuf.h: formatted text appended to a fixed-size buffer. */
#ifndef UP_STRBUF_H
#define UP_STRBUF_H

#include <stddef.h>

/*
 * Append formatted text to buf (len bytes in all) at *used, which advances;
 * 0 on overflow (then buf holds a truncated text and *used is unchanged).
 */
int up_buf_cat(char *buf, size_t len, size_t *used, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#endif
