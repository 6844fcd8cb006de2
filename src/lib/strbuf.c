/* SPDX-License-Identifier: ISC */
/* strbuf.c: formatted text appended to a fixed-size buffer (see strbuf.h). */
#include <stdarg.h>
#include <stdio.h>
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
