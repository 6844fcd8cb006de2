/* SPDX-License-Identifier: ISC */
/* json_pointer.c: JSON Pointer (RFC 6901) parsing and resolution. */
#include <stdint.h>
#include <string.h>

#include "json_pointer.h"

void up_json_limits_resolve(const struct up_json_limits *lim, struct up_json_limits *out)
{
	const struct up_json_limits def = UP_JSON_LIMITS_DEFAULT;

	*out = def;
	if (!lim)
		return;
	if (lim->max_ops)
		out->max_ops = lim->max_ops;
	if (lim->max_pointer_len)
		out->max_pointer_len = lim->max_pointer_len;
	if (lim->max_depth)
		out->max_depth = lim->max_depth;
	if (lim->max_copy_nodes)
		out->max_copy_nodes = lim->max_copy_nodes;
}

enum up_err up_pointer_check(const char *ptr, size_t *ntokens)
{
	size_t n = 0;
	const char *p;

	if (!ptr)
		return UP_ERR_POINTER_MALFORMED;
	if (*ptr != '\0' && *ptr != '/')
		return UP_ERR_POINTER_MALFORMED;
	for (p = ptr; *p; p++) {
		if (*p == '/') {
			n++;
		} else if (*p == '~') {
			if (p[1] != '0' && p[1] != '1')
				return UP_ERR_POINTER_MALFORMED;
			p++;
		}
	}
	if (ntokens)
		*ntokens = n;
	return UP_OK;
}

const char *up_pointer_next(const char *p, struct up_pointer_token *tok)
{
	const char *end;

	p++; /* the '/' */
	end = strchr(p, '/');
	if (!end)
		end = p + strlen(p);
	tok->s = p;
	tok->len = (size_t)(end - p);
	return end;
}

int up_pointer_token_eq(const struct up_pointer_token *tok, const char *name)
{
	size_t i;
	char c;

	for (i = 0; i < tok->len; i++, name++) {
		c = tok->s[i];
		if (c == '~') {
			i++;
			c = tok->s[i] == '1' ? '/' : '~';
		}
		if (*name != c)
			return 0;
	}
	return *name == '\0';
}

int up_pointer_token_is_end(const struct up_pointer_token *tok)
{
	return tok->len == 1 && tok->s[0] == '-';
}

enum up_err up_pointer_token_index(const struct up_pointer_token *tok, size_t *idx)
{
	size_t v = 0, i, d;

	if (tok->len == 0 || (tok->len > 1 && tok->s[0] == '0'))
		return UP_ERR_INDEX_RANGE;
	for (i = 0; i < tok->len; i++) {
		if (tok->s[i] < '0' || tok->s[i] > '9')
			return UP_ERR_INDEX_RANGE;
		d = (size_t)(tok->s[i] - '0');
		if (v > (SIZE_MAX - d) / 10)
			return UP_ERR_INDEX_RANGE;
		v = v * 10 + d;
	}
	*idx = v;
	return UP_OK;
}

char *up_pointer_token_name(const struct up_pointer_token *tok)
{
	char *name, *q;
	size_t i;

	name = cJSON_malloc(tok->len + 1);
	if (!name)
		return NULL;
	q = name;
	for (i = 0; i < tok->len; i++) {
		if (tok->s[i] == '~') {
			i++;
			*q++ = tok->s[i] == '1' ? '/' : '~';
		} else {
			*q++ = tok->s[i];
		}
	}
	*q = '\0';
	return name;
}

enum up_err up_pointer_get(const cJSON *doc, const char *ptr, const cJSON **out)
{
	struct up_pointer_token tok;
	const cJSON *cur = doc, *c;
	const char *p;
	enum up_err err;
	size_t idx;

	*out = NULL;
	err = up_pointer_check(ptr, NULL);
	if (err != UP_OK)
		goto out;
	err = UP_ERR_PATH_NOT_FOUND;
	if (!doc)
		goto out;
	for (p = ptr; *p;) {
		p = up_pointer_next(p, &tok);
		if (cJSON_IsObject(cur)) {
			for (c = cur->child; c; c = c->next)
				if (c->string && up_pointer_token_eq(&tok, c->string))
					break;
			if (!c) {
				err = UP_ERR_PATH_NOT_FOUND;
				goto out;
			}
		} else if (cJSON_IsArray(cur)) {
			err = up_pointer_token_index(&tok, &idx);
			if (err != UP_OK)
				goto out;
			for (c = cur->child; c && idx; c = c->next)
				idx--;
			if (!c) {
				err = UP_ERR_INDEX_RANGE;
				goto out;
			}
		} else {
			err = UP_ERR_PATH_NOT_FOUND;
			goto out;
		}
		cur = c;
	}
	*out = cur;
	err = UP_OK;
out:
	return err;
}

/* 1 if v nests more than budget containers. */
int up_json_deeper_than(const cJSON *v, size_t budget)
{
	const cJSON *c;

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return 0;
	if (budget == 0)
		return 1;
	for (c = v->child; c; c = c->next)
		if (up_json_deeper_than(c, budget - 1))
			return 1;
	return 0;
}

/* Count the values in v, stopping once the count passes cap. */
size_t up_json_count_nodes(const cJSON *v, size_t cap)
{
	const cJSON *c;
	size_t n = 1;

	for (c = v->child; c && n <= cap; c = c->next)
		n += up_json_count_nodes(c, cap - n + 1);
	return n;
}
