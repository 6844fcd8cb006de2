/* SPDX-License-Identifier: ISC */
/* json_cursor.c: reading validated JSON text in place (json_cursor.h). */
#include <stdlib.h>
#include <string.h>
#include "json_cursor.h"

const char *up_jc_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The byte after the string whose opening quote is at p. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++; /* the escaped byte; \uXXXX's digits are plain */
	return p < end ? p + 1 : end;
}

/* 1 for the bytes a number or literal is made of (up to its end). */
static int scalar_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
	       c == '.' || c == 'E';
}

const char *up_jc_skip(const char *p, const char *end)
{
	size_t depth = 0;

	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && scalar_byte(*p))
			p++;
		return p;
	}
	for (; p < end; p++) {
		char c = *p;

		if (c == '"')
			p = skip_string(p, end) - 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return p + 1;
	}
	return p;
}

void up_jc_open(struct up_jc_iter *it, const char *v, const char *end)
{
	it->object = *v == '{';
	it->p = v + 1;
	it->val = NULL;
	it->end = end;
}

int up_jc_next(struct up_jc_iter *it, const char **key, const char **val)
{
	const char *p = it->val != NULL ? up_jc_skip(it->val, it->end) : it->p;

	p = up_jc_ws(p, it->end);
	if (p < it->end && *p == ',')
		p = up_jc_ws(p + 1, it->end);
	it->val = NULL;
	if (p >= it->end || *p == '}' || *p == ']') {
		it->p = p;
		return 0;
	}
	*key = NULL;
	if (it->object) {
		*key = p;
		p = up_jc_ws(skip_string(p, it->end), it->end);
		p = up_jc_ws(p + 1, it->end); /* the ':' */
	}
	*val = it->val = p;
	return 1;
}

void up_jc_past(struct up_jc_iter *it, const char *after)
{
	it->p = after;
	it->val = NULL;
}

const char *up_jc_end(const struct up_jc_iter *it)
{
	return it->p < it->end ? it->p + 1 : it->end;
}

int up_jc_key(const char *k, char *buf, size_t len)
{
	const char *q;
	char *u;
	size_t n;

	for (q = k + 1; *q != '"' && *q != '\\'; q++)
		;
	if (*q == '"') {
		n = (size_t)(q - k - 1);
		if (n >= len)
			return 0;
		memcpy(buf, k + 1, n);
		buf[n] = '\0';
		return 1;
	}
	if ((u = up_jc_string(k)) == NULL)
		return -1;
	n = strlen(u);
	if (n < len)
		memcpy(buf, u, n + 1);
	free(u);
	return n < len;
}

static unsigned hex4(const char *p)
{
	unsigned u = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)p[i];

		u = (u << 4) | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return u;
}

/* Code point cp as UTF-8 at out; the bytes written. */
static size_t utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One escape at p (after the backslash) into out; *n gets the bytes written; the byte after. */
static const char *unescape(const char *p, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned long cp;

	if (*p != 'u') {
		out[0] = to[strchr(from, *p) - from];
		*n = 1;
		return p + 1;
	}
	cp = hex4(p + 1);
	p += 5;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 2) - 0xdc00);
		p += 6;
	}
	*n = utf8(cp, out);
	return p;
}

char *up_jc_string(const char *s)
{
	const char *p = s + 1, *q = p;
	char *out, *o;
	size_t n;

	while (*q != '"')
		q += *q == '\\' ? 2 : 1;
	/* Escapes only shrink: \uXXXX is at most 3 bytes, a pair of them 4. */
	if ((o = out = malloc((size_t)(q - p) + 1)) == NULL)
		return NULL;
	while (p < q) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p = unescape(p + 1, o, &n);
		o += n;
	}
	*o = '\0';
	return out;
}

int up_jc_is(const char *s, const char *name)
{
	const char *q;
	char *u;
	int same;

	for (q = s + 1; *q != '"'; q++)
		if (*q == '\\')
			break;
	if (*q == '"')
		return (size_t)(q - s - 1) == strlen(name) &&
		       memcmp(s + 1, name, (size_t)(q - s - 1)) == 0;
	if ((u = up_jc_string(s)) == NULL)
		return 0;
	same = strcmp(u, name) == 0;
	free(u);
	return same;
}

int up_jc_number(const char *v, const char *end, double *d)
{
	const char *e = v;
	size_t n;

	while (e < end && scalar_byte(*e))
		e++;
	n = (size_t)(e - v);
	char buf[64], *t = n < sizeof(buf) ? buf : malloc(n + 1);

	if (t == NULL)
		return -1;
	memcpy(t, v, n);
	t[n] = '\0';
	*d = strtod(t, NULL);
	if (t != buf)
		free(t);
	return 0;
}
