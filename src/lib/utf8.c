/* SPDX-License-Identifier: ISC */
/* utf8.c: UTF-8 checks and cuts on character boundaries. */
#include <string.h>
#include "utf8.h"

size_t up_utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return c == 0 ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int up_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n = up_utf8_seq(p, end);

		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

size_t up_utf8_prefix(const char *s, size_t max)
{
	const unsigned char *start = (const unsigned char *)s, *p = start;
	const unsigned char *end = start + strnlen(s, max);

	while (p < end) {
		size_t n = up_utf8_seq(p, end);

		if (n == 0)
			break;
		p += n;
	}
	return (size_t)(p - start);
}

void up_utf8_trim(char *buf)
{
	buf[up_utf8_prefix(buf, strlen(buf))] = '\0';
}

size_t up_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}
