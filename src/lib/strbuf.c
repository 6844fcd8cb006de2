/* SPDX-License-Identifier: ISC */
/* strbuf.c: formatted text appended to a fixed-size buffer (see strbuf.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

int up_buf_cat(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used)
		return 0;
	*used += (size_t)n;
	return 1;
}

char *up_decimal(unsigned long long n, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	return end;
}

char *up_sql_rows(const char *head, const char *tuple, size_t n, const char *tail)
{
	size_t lh = strlen(head), lt = strlen(tuple), ll = strlen(tail), i;
	char *out, *p;

	if (n == 0 || n > (SIZE_MAX - lh - ll - 1) / (lt + 2))
		return NULL;
	out = malloc(lh + n * (lt + 2) + ll + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, head, lh);
	p = out + lh;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, tuple, lt);
		p += lt;
	}
	memcpy(p, tail, ll + 1);
	return out;
}
