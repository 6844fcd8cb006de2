/* SPDX-License-Identifier: ISC */
/*
 * json_print.c: compact JSON text of a cJSON tree (up_json_print), written
 * here rather than by cJSON_PrintUnformatted for two reasons:
 *
 * - numbers: cJSON prints 15 significant digits whenever they read back
 *   approximately equal, so 9007199254740991 came out as
 *   9.00719925474099e+15.  Here a number gets the fewest digits (15 to 17)
 *   that read back exactly;
 * - cost: every answer is printed, and cJSON formats every number, integers
 *   included, with sprintf("%1.15g") and reads it back with sscanf.  Integers
 *   (ids, versions, counts) are written digit by digit here, and the text
 *   grows in one buffer.
 *
 * The text is otherwise what cJSON prints: the same escapes (\" \\ \b \f \n
 * \r \t, other control characters as \u00xx, everything else as it is), raw
 * values as they are, NaN and infinities as null.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "strbuf.h"

struct out {
	char *buf;
	size_t len, cap;
	int failed;
};

static char *room(struct out *o, size_t n)
{
	if (o->failed)
		return NULL;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap * 2 > o->len + n + 1 ? o->cap * 2 : o->len + n + 1;
		char *b = realloc(o->buf, cap);

		if (b == NULL) {
			o->failed = 1;
			return NULL;
		}
		o->buf = b;
		o->cap = cap;
	}
	return o->buf + o->len;
}

static void put(struct out *o, const char *s, size_t n)
{
	char *p = room(o, n);

	if (p != NULL) {
		memcpy(p, s, n);
		o->len += n;
	}
}

static void put_number(struct out *o, double d)
{
	char text[40];
	int digits;

	if (!isfinite(d)) {
		put(o, "null", 4);
		return;
	}
	if (fabs(d) < 1e15 && d == floor(d) && !(d == 0 && signbit(d))) {
		/* An integer of at most 15 digits: what "%1.15g" prints, without printf. */
		char *p = up_decimal((unsigned long long)fabs(d), text + sizeof(text));

		if (d < 0)
			*--p = '-';
		put(o, p, strlen(p));
		return;
	}
	for (digits = 15; digits <= 17; digits++) {
		snprintf(text, sizeof(text), "%.*g", digits, d);
		if (strtod(text, NULL) == d)
			break;
	}
	put(o, text, strlen(text));
}

static void put_string(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(o, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t n = 2;

		if (c >= 32 && c != '"' && c != '\\')
			continue;
		put(o, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(o, esc, n);
	}
	put(o, run, (size_t)(s - run));
	put(o, "\"", 1);
}

static void put_value(struct out *o, const cJSON *v)
{
	const cJSON *c;
	int object;

	switch (v->type & 0xff) {
	case cJSON_NULL:
		put(o, "null", 4);
		return;
	case cJSON_False:
		put(o, "false", 5);
		return;
	case cJSON_True:
		put(o, "true", 4);
		return;
	case cJSON_Number:
		put_number(o, v->valuedouble);
		return;
	case cJSON_Raw:
		if (v->valuestring == NULL)
			o->failed = 1;
		else
			put(o, v->valuestring, strlen(v->valuestring));
		return;
	case cJSON_String:
		put_string(o, v->valuestring != NULL ? v->valuestring : "");
		return;
	case cJSON_Array:
	case cJSON_Object:
		object = (v->type & 0xff) == cJSON_Object;
		put(o, object ? "{" : "[", 1);
		for (c = v->child; c != NULL && !o->failed; c = c->next) {
			if (c != v->child)
				put(o, ",", 1);
			if (object) {
				if (c->string == NULL) {
					o->failed = 1;
					return;
				}
				put_string(o, c->string);
				put(o, ":", 1);
			}
			put_value(o, c);
		}
		put(o, object ? "}" : "]", 1);
		return;
	default:
		o->failed = 1; /* cJSON_Invalid: cJSON prints nothing either */
	}
}

char *up_json_print(const cJSON *v)
{
	struct out o = {NULL, 0, 0, 0};

	/* Most answers fit the first buffer. */
	if (v == NULL || room(&o, 480) == NULL)
		return NULL;
	put_value(&o, v);
	if (room(&o, 0) == NULL) {
		free(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0';
	return o.buf;
}
