/* SPDX-License-Identifier: ISC */
/* json.c: strict JSON validation, parsing and printing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "json.h"

struct scan {
	const unsigned char *p, *end, *start;
	size_t depth, max_depth;
	int too_deep;
	unsigned flags;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s->p into *u. */
static int hex4(struct scan *s, unsigned *u)
{
	int i;

	if (s->end - s->p < 4)
		return 0;
	*u = 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(s->p[i]);

		if (h < 0)
			return 0;
		*u = (*u << 4) | (unsigned)h;
	}
	s->p += 4;
	return 1;
}

static int scan_string(struct scan *s)
{
	s->p++; /* opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p;
		size_t n;

		/* Plain ASCII, the bulk of any body, without a call per byte. */
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			s->p++;
			continue;
		}
		if (c == '"') {
			s->p++;
			return 1;
		}
		if (c < 0x20) {
			if ((s->flags & UP_JSON_RAW_WS_IN_STRINGS) &&
			    (c == '\t' || c == '\n' || c == '\r')) {
				s->p++;
				continue;
			}
			return 0;
		}
		if (c == '\\') {
			unsigned u, lo;

			s->p++;
			if (s->p >= s->end)
				return 0;
			c = *s->p++;
			if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
				continue;
			if (c != 'u' || !hex4(s, &u) || u == 0)
				return 0;
			if (u >= 0xdc00 && u <= 0xdfff)
				return 0; /* lone low surrogate */
			if (u >= 0xd800 && u <= 0xdbff) {
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
					return 0;
				s->p += 2;
				if (!hex4(s, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return 0;
			}
			continue;
		}
		n = up_utf8_seq(s->p, s->end);
		if (n == 0)
			return 0;
		s->p += n;
	}
	return 0;
}

static int scan_number(struct scan *s)
{
	const unsigned char *p = s->p;

	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end)
		return 0;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return 0;
	}
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return 0;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return 0;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	return 1;
}

static int scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

static int scan_value(struct scan *s);

static int scan_container(struct scan *s, unsigned char close)
{
	int first = 1;

	if (++s->depth > s->max_depth) {
		s->too_deep = 1;
		return 0;
	}
	s->p++;
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p == close && first) {
			s->p++;
			break;
		}
		if (!first) {
			if (*s->p == close) {
				s->p++;
				break;
			}
			if (*s->p != ',')
				return 0;
			s->p++;
			skip_ws(s);
		}
		first = 0;
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"' || !scan_string(s))
				return 0;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return 0;
			s->p++;
			skip_ws(s);
		}
		if (!scan_value(s))
			return 0;
	}
	s->depth--;
	return 1;
}

static int scan_value(struct scan *s)
{
	if (s->p >= s->end)
		return 0;
	switch (*s->p) {
	case '{':
		return scan_container(s, '}');
	case '[':
		return scan_container(s, ']');
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		return scan_number(s);
	}
}

enum up_err up_json_validate(const char *text, size_t len, size_t max_depth, size_t *where)
{
	return up_json_validate_opts(text, len, max_depth, 0, where);
}

enum up_err up_json_validate_opts(const char *text, size_t len, size_t max_depth, unsigned flags,
                                  size_t *where)
{
	struct scan s;
	int ok;

	s.flags = flags;
	s.start = s.p = (const unsigned char *)text;
	s.end = s.p + len;
	s.depth = 0;
	s.max_depth = max_depth;
	s.too_deep = 0;
	skip_ws(&s);
	ok = scan_value(&s);
	if (ok) {
		skip_ws(&s);
		ok = s.p == s.end;
	}
	if (where != NULL)
		*where = (size_t)(s.p - s.start);
	if (ok)
		return UP_OK;
	return s.too_deep ? UP_ERR_LIMIT : UP_ERR_BAD_JSON;
}

enum up_err up_json_parse(const char *text, size_t len, size_t max_depth, cJSON **out)
{
	return up_json_parse_opts(text, len, max_depth, 0, NULL, out);
}

enum up_err up_json_add_parsed(cJSON *o, const char *name, const char *text, size_t max_depth)
{
	cJSON *v;
	enum up_err rc;

	if (text == NULL)
		return UP_OK;
	rc = up_json_parse(text, strlen(text), max_depth, &v);
	if (rc == UP_OK)
		cJSON_AddItemToObject(o, name, v);
	return rc;
}

enum up_err up_json_parse_opts(const char *text, size_t len, size_t max_depth, unsigned flags,
                               size_t *where, cJSON **out)
{
	enum up_err rc;
	cJSON *v;

	*out = NULL;
	rc = up_json_validate_opts(text, len, max_depth, flags, where);
	if (rc != UP_OK)
		return rc;
	v = cJSON_ParseWithLength(text, len);
	if (v == NULL)
		return UP_ERR_NOMEM; /* the text was valid: only allocation can fail */
	*out = v;
	return UP_OK;
}

/* Zero what v owns: not a reference's borrowed value, not a constant name. */
static void wipe_one(cJSON *v)
{
	if (v->valuestring != NULL && !(v->type & cJSON_IsReference))
		sodium_memzero(v->valuestring, strlen(v->valuestring));
	if (v->string != NULL && !(v->type & cJSON_StringIsConst))
		sodium_memzero(v->string, strlen(v->string));
}

static void wipe(cJSON *v)
{
	for (; v != NULL; v = v->next) {
		wipe_one(v);
		if (!(v->type & cJSON_IsReference))
			wipe(v->child);
	}
}

void up_json_wipe_delete(cJSON *v)
{
	if (v == NULL)
		return;
	wipe_one(v);
	if (!(v->type & cJSON_IsReference))
		wipe(v->child);
	cJSON_Delete(v);
}

size_t up_json_depth(const cJSON *v)
{
	size_t max = 0;
	const cJSON *c;

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return 0;
	for (c = v->child; c != NULL; c = c->next) {
		size_t d = up_json_depth(c);

		if (d > max)
			max = d;
	}
	return max + 1;
}
