/* SPDX-License-Identifier: ISC */
/* resource.c: field tables to column lists, JSON, keys; rows to write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "json.h"
#include "parse.h"
#include "resource.h"

int up_resource_field(const struct up_resource *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].name[0] == name[0] && strcmp(r->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int up_resource_merge_keeps_null(const void *arg, const char *name)
{
	const struct up_resource *r = arg;
	int i = up_resource_field(r, name);

	return i < 0 || (r->fields[i].flags & UP_FF_HIDDEN) || r->fields[i].dflt == NULL;
}

const char *up_resource_modified(const struct up_resource *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & UP_FF_MODIFIED)
			return r->fields[i].column;
	return "modified_at";
}

const struct up_field *up_resource_key(const struct up_resource *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & UP_FF_KEY)
			return &r->fields[i];
	return &r->fields[0];
}

enum up_err up_resource_parse_key(const struct up_resource *r, const char *s, struct up_key *k)
{
	const struct up_field *f = up_resource_key(r);

	k->id = 0;
	k->text = NULL;
	if (f->type == UP_FT_ID)
		return up_parse_public_id(s, f->prefix, &k->id);
	if (s == NULL || *s == '\0' || !up_utf8_valid(s, strlen(s)) ||
	    up_utf8_length(s) > f->max_len)
		return UP_ERR_NOT_FOUND;
	k->text = s;
	return UP_OK;
}

void up_resource_key_format(const struct up_resource *r, const struct up_key *k, char *buf,
                            size_t len)
{
	const struct up_field *f = up_resource_key(r);

	if (f->type == UP_FT_ID)
		snprintf(buf, len, "%s%llu", f->prefix, (unsigned long long)k->id);
	else
		snprintf(buf, len, "%s", k->text != NULL ? k->text : "");
}

void up_row_free(struct up_row *row)
{
	size_t i;

	for (i = 0; i < UP_MAX_FIELDS; i++) {
		if (row->text[i] != NULL) {
			sodium_memzero(row->text[i], strlen(row->text[i]));
			free(row->text[i]);
		}
	}
	memset(row, 0, sizeof(*row));
}

cJSON *up_row_names(const struct up_resource *r, const struct up_row *row, size_t *count)
{
	cJSON *names = cJSON_CreateArray();
	size_t i;

	*count = 0;
	if (names == NULL)
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		if (!row->set[i])
			continue;
		cJSON_AddItemToArray(names, cJSON_CreateString(r->fields[i].name));
		(*count)++;
	}
	if (cJSON_GetArraySize(names) != (int)*count) {
		cJSON_Delete(names);
		return NULL;
	}
	return names;
}

static int readable(const struct up_field *f)
{
	return f->type != UP_FT_SECRET;
}

enum up_err up_resource_columns(const struct up_resource *r, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nfields; i++) {
		int n;

		if (!readable(&r->fields[i]))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
		             r->fields[i].column);
		if (n < 0 || (size_t)n >= len - used)
			return UP_ERR_INTERNAL;
		used += (size_t)n;
	}
	return UP_OK;
}

int up_resource_read_index(const struct up_resource *r, size_t i)
{
	size_t k;
	int idx = 0;

	if (i >= r->nfields || !readable(&r->fields[i]))
		return -1;
	for (k = 0; k < i; k++)
		if (readable(&r->fields[k]))
			idx++;
	return idx;
}

enum up_err up_datetime_render(const char *sql, enum up_dt_precision p, char *buf, size_t len)
{
	size_t n = strlen(sql), frac_end;

	/* "YYYY-MM-DD HH:MM:SS" then optional ".ffffff" */
	if (n < 19 || sql[10] != ' ')
		return UP_ERR_INTERNAL;
	frac_end = n;
	if (p == UP_DT_TRIMMED && n > 20 && sql[19] == '.') {
		/* Drop trailing zeros of the fraction, and the fraction if all zero. */
		while (frac_end > 20 && sql[frac_end - 1] == '0')
			frac_end--;
		if (frac_end == 20)
			frac_end = 19;
	} else {
		frac_end = 19;
	}
	if (frac_end + 2 > len)
		return UP_ERR_INTERNAL;
	memcpy(buf, sql, frac_end);
	buf[10] = 'T';
	buf[frac_end] = 'Z';
	buf[frac_end + 1] = '\0';
	return UP_OK;
}

enum up_err up_datetime_to_rfc3339(const char *sql, char *buf, size_t len)
{
	return up_datetime_render(sql, UP_DT_TRIMMED, buf, len);
}

/* "<prefix><cell>" as a JSON string (no printf: this runs for every id of every row). */
static cJSON *id_string(const char *prefix, const char *cell, enum up_err *rc)
{
	size_t p = prefix != NULL ? strlen(prefix) : 0, c = strlen(cell);
	char buf[96];

	if (p + c >= sizeof(buf)) {
		*rc = UP_ERR_INTERNAL;
		return NULL;
	}
	memcpy(buf, prefix != NULL ? prefix : "", p);
	memcpy(buf + p, cell, c + 1);
	return cJSON_CreateString(buf);
}

/* A UP_FT_LIST cell ("user.*,alert.created") as an array of its words; NULL on no memory. */
static cJSON *list_value(const char *cell)
{
	cJSON *a = cJSON_CreateArray();
	char *copy = strdup(cell), *p = copy, *word;

	if (a == NULL || copy == NULL)
		goto fail;
	while ((word = strsep(&p, ",")) != NULL) {
		cJSON *s;

		if (word[0] == '\0')
			continue;
		s = cJSON_CreateString(word);
		if (s == NULL || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			goto fail;
		}
	}
	free(copy);
	return a;
fail:
	free(copy);
	cJSON_Delete(a);
	return NULL;
}

/* One field's JSON value from its cell; NULL return only on allocation failure. */
static cJSON *field_value(const struct up_field *f, const char *cell, enum up_err *rc)
{
	char buf[64];
	uint64_t n;

	*rc = UP_OK;
	if (cell == NULL && f->dflt != NULL) {
		cJSON *d = NULL;

		*rc = up_json_parse(f->dflt, strlen(f->dflt), 4, &d);
		return d;
	}
	if (cell == NULL)
		return cJSON_CreateNull();
	switch (f->type) {
	case UP_FT_ID:
	case UP_FT_REF:
		return id_string(f->prefix, cell, rc);
	case UP_FT_STRING:
		return cJSON_CreateString(cell);
	case UP_FT_BOOL:
		return cJSON_CreateBool(strcmp(cell, "0") != 0);
	case UP_FT_UINT:
		if (up_parse_u64(cell, 0, UINT32_MAX, &n) != UP_OK) {
			*rc = UP_ERR_INTERNAL;
			return NULL;
		}
		return cJSON_CreateNumber((double)n);
	case UP_FT_DATETIME:
		if (up_datetime_to_rfc3339(cell, buf, sizeof(buf)) != UP_OK) {
			*rc = UP_ERR_INTERNAL;
			return NULL;
		}
		return cJSON_CreateString(buf);
	case UP_FT_JSON: {
		cJSON *v = NULL;

		*rc = up_json_parse(cell, strlen(cell), 64, &v);
		return v;
	}
	case UP_FT_LIST:
		return list_value(cell);
	case UP_FT_SECRET:
		break;
	}
	*rc = UP_ERR_INTERNAL;
	return NULL;
}

enum up_err up_resource_to_json(const struct up_resource *r, const struct up_db_result *res,
                                size_t row, cJSON **out)
{
	cJSON *o = cJSON_CreateObject();
	enum up_err rc = UP_OK;
	size_t i, idx = 0;

	*out = NULL;
	if (o == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];
		cJSON *v;

		/* idx: the column of field i (as up_resource_read_index, counted here). */
		if (!readable(f))
			continue;
		if (f->flags & (UP_FF_WRITEONLY | UP_FF_HIDDEN)) {
			idx++;
			continue;
		}
		v = field_value(f, up_db_cell(res, row, idx++), &rc);
		if (v == NULL) {
			if (rc == UP_OK)
				rc = UP_ERR_NOMEM;
			goto out;
		}
		/* The names are the table's constants: no copy of each. */
		if (!cJSON_AddItemToObjectCS(o, f->name, v)) {
			cJSON_Delete(v);
			rc = UP_ERR_NOMEM;
			goto out;
		}
	}
	*out = o;
	o = NULL;
out:
	cJSON_Delete(o);
	return rc;
}
