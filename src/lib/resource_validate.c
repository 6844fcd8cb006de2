/* SPDX-License-Identifier: ISC */
/*
 * resource_validate.c: table-driven validation of a representation.  A
 * type validator per field type and the rule of the field's line, all of the
 * one signature up_check_fn; every broken rule is reported at once, as
 * {"field", "reason"} details of the error payload.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "field_check.h"
#include "json.h"
#include "json_equal.h"
#include "parse.h"
#include "resource.h"
#include "validate.h"

/* Bytes a JSON column (TEXT) holds. */
#define JSON_COLUMN_MAX 65535

static int dup_text(struct up_check *c, const char *s)
{
	c->text = strdup(s);
	if (c->text == NULL)
		return up_check_fail(c, "out of memory");
	return 1;
}

static int check_length(struct up_check *c, const char *s)
{
	const struct up_field *f = c->field;
	size_t n = up_utf8_length(s);

	if (f->max_len > 0 && (n < f->min_len || n > f->max_len)) {
		if (f->min_len > 0)
			return up_check_fail(c, "must be %zu to %zu characters long", f->min_len,
			                     f->max_len);
		return up_check_fail(c, "must be at most %zu characters long", f->max_len);
	}
	return 1;
}

static int t_string(struct up_check *c, const cJSON *v)
{
	if (!cJSON_IsString(v))
		return up_check_fail(c, "must be a string or null");
	if (!check_length(c, v->valuestring))
		return 0;
	/* A reference is looked up in a PAD SPACE column: "ops " would find "ops". */
	if (c->field->ref_sql != NULL && up_edge_space(v->valuestring))
		return up_check_fail(c, "must not begin or end with a space");
	return dup_text(c, v->valuestring);
}

static int t_secret(struct up_check *c, const cJSON *v)
{
	if (!cJSON_IsString(v))
		return up_check_fail(c, "must be a string");
	return t_string(c, v);
}

static int t_bool(struct up_check *c, const cJSON *v)
{
	if (!cJSON_IsBool(v))
		return up_check_fail(c, "must be true or false");
	return dup_text(c, cJSON_IsTrue(v) ? "1" : "0");
}

static int t_uint(struct up_check *c, const cJSON *v)
{
	char buf[32];
	double d;

	if (!cJSON_IsNumber(v))
		return up_check_fail(c, "must be an integer");
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return up_check_fail(c, "must be an integer");
	if (d < 0 || d > (double)UINT32_MAX)
		return up_check_fail(c, "must be an integer from 0 to 4294967295");
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)d);
	return dup_text(c, buf);
}

static int t_datetime(struct up_check *c, const cJSON *v)
{
	char sql[40];

	if (!cJSON_IsString(v) || !up_valid_rfc3339(v->valuestring, sql, sizeof(sql)))
		return up_check_fail(
		        c, "must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z, or null");
	return dup_text(c, sql);
}

static int t_json(struct up_check *c, const cJSON *v)
{
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return up_check_fail(c, "must be an object or an array");
	c->text = up_json_print(v);
	if (c->text == NULL)
		return up_check_fail(c, "out of memory");
	if (strlen(c->text) > JSON_COLUMN_MAX) {
		free(c->text);
		c->text = NULL;
		return up_check_fail(c, "is too large");
	}
	return 1;
}

/*
 * An array of min_len to max_len distinct words (no comma, no blank, at
 * most 32 characters each), bound as their comma-separated list.
 */
static int t_list(struct up_check *c, const cJSON *v)
{
	const struct up_field *f = c->field;
	const cJSON *e, *o;
	size_t n = 0, len = 0;
	char *out;

	if (!cJSON_IsArray(v))
		return up_check_fail(c, "must be an array of strings");
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
		    !up_valid_charset(e->valuestring,
		                      "abcdefghijklmnopqrstuvwxyz"
		                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*-",
		                      1, 32))
			return up_check_fail(
			        c, "must be an array of words (letters, digits, _ . * -)");
		for (o = v->child; o != e; o = o->next)
			if (strcmp(o->valuestring, e->valuestring) == 0)
				return up_check_fail(c, "names %s more than once", e->valuestring);
		n++;
		len += strlen(e->valuestring) + 1;
	}
	if (f->max_len > 0 && (n < f->min_len || n > f->max_len))
		return up_check_fail(c, "must have %zu to %zu entries", f->min_len, f->max_len);
	out = c->text = calloc(1, len + 1);
	if (out == NULL)
		return up_check_fail(c, "out of memory");
	cJSON_ArrayForEach(e, v)
	{
		if (out != c->text)
			*out++ = ',';
		out = stpcpy(out, e->valuestring);
	}
	return 1;
}

static int t_ref(struct up_check *c, const cJSON *v)
{
	char buf[32];
	uint64_t id;

	if (!cJSON_IsString(v) ||
	    up_parse_public_id(v->valuestring, c->field->prefix, &id) != UP_OK)
		return up_check_fail(c, "must be an id such as %s42, or null", c->field->prefix);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	return dup_text(c, buf);
}

static int t_readonly(struct up_check *c, const cJSON *v)
{
	(void)v;
	return up_check_fail(c, "is read-only");
}

static const up_check_fn type_validators[] = {
        [UP_FT_ID] = t_readonly, [UP_FT_STRING] = t_string,     [UP_FT_BOOL] = t_bool,
        [UP_FT_UINT] = t_uint,   [UP_FT_DATETIME] = t_datetime, [UP_FT_JSON] = t_json,
        [UP_FT_REF] = t_ref,     [UP_FT_SECRET] = t_secret,     [UP_FT_LIST] = t_list,
};

/* What a null or absent value of a field with a default is told. */
static const char *null_reason(const struct up_field *f)
{
	if (f->type == UP_FT_BOOL)
		return "must be true or false";
	if (f->type == UP_FT_UINT)
		return "must be an integer";
	if (f->dflt[0] == '{')
		return "must be an object of string values";
	return "must be an array of strings";
}

int up_resource_check_value(const struct up_resource *r, size_t i, const cJSON *v,
                            struct up_check *c)
{
	const struct up_field *f;

	c->text = NULL;
	if (i >= r->nfields) {
		c->field = &r->fields[0];
		return up_check_fail(c, "is not a field");
	}
	f = c->field = &r->fields[i];
	if (v == NULL || cJSON_IsNull(v)) {
		/* Absent or null: fields with a default are never null. */
		if (f->dflt != NULL)
			return up_check_fail(c, "%s", null_reason(f));
		if (f->type == UP_FT_SECRET)
			return up_check_fail(c, "must be a string");
		if (f->flags & UP_FF_REQUIRED)
			return up_check_fail(c, "is required");
		return 1;
	}
	if (!type_validators[f->type](c, v))
		return 0;
	if (f->check != NULL && !f->check(c, v)) {
		if (c->text != NULL) /* a refused password is plaintext too */
			sodium_memzero(c->text, strlen(c->text));
		free(c->text);
		c->text = NULL;
		return 0;
	}
	return 1;
}

/* The value of field i in doc, or its default when absent (*owned set when made here). */
/* member (borrowed) if given, else f's default parsed into *owned, else NULL. */
static const cJSON *value_or_default(const struct up_field *f, const cJSON *member, cJSON **owned)
{
	*owned = NULL;
	if (member != NULL)
		return member;
	if (f->dflt == NULL)
		return NULL;
	if (up_json_parse(f->dflt, strlen(f->dflt), 4, owned) != UP_OK)
		return NULL;
	return *owned;
}

static int same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A document's members by field, found in one pass: field i's first member and their number. */
struct members {
	const cJSON *of[UP_MAX_FIELDS];
	unsigned count[UP_MAX_FIELDS];
};

/*
 * Index the members of doc (NULL: none) that are fields of this API's
 * representation.  With e, report members that are not, and fields given
 * more than once.
 */
static void index_members(const struct up_resource *r, const cJSON *doc, struct members *m,
                          struct up_error *e)
{
	const cJSON *c;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (doc == NULL)
		return;
	cJSON_ArrayForEach(c, doc)
	{
		int f = c->string != NULL ? up_resource_field(r, c->string) : -1;

		if (f >= 0 && !(r->fields[f].flags & UP_FF_HIDDEN)) {
			if (m->count[f]++ == 0)
				m->of[f] = c;
		} else if (e != NULL) {
			/* errors.c lists the first ones and counts the rest. */
			up_error_detail(e, c->string, "is not a field of a %s", r->noun);
		}
	}
	if (e == NULL)
		return;
	for (i = 0; i < r->nfields; i++)
		if (m->count[i] > 1)
			up_error_detail(e, r->fields[i].name, "is given more than once");
}

/* A read-only field: given (v), it must equal the current value (c). */
static void check_readonly(const struct up_field *f, const cJSON *v, const cJSON *c,
                           enum up_vmode mode, struct up_error *e)
{
	if (v == NULL) {
		if (mode == UP_V_PATCH && c != NULL)
			up_error_detail(e, f->name, "is read-only and cannot be removed");
		return;
	}
	if (c == NULL || !up_json_equal(v, c))
		up_error_detail(e, f->name, "is read-only");
}

/* Whether field f is written in this mode, or only compared (read-only). */
static int writable_in(const struct up_field *f, enum up_vmode mode)
{
	if (f->flags & (UP_FF_READONLY | UP_FF_COMPUTED) || f->type == UP_FT_ID)
		return 0;
	if (f->flags & UP_FF_CREATEONLY)
		return mode == UP_V_CREATE;
	return 1;
}

/*
 * 1 if the value v of field i differs from the current one (member cur_v of
 * the current representation; its bound text is compared).  An equal JSON
 * value binds to the same text: most fields of a patched row are that.
 */
static int differs(const struct up_resource *r, size_t i, const cJSON *v, const char *text,
                   const cJSON *cur_v, enum up_device_mode idmode)
{
	const struct up_field *f = &r->fields[i];
	struct up_error scratch = {0};
	struct up_check c = {.mode = idmode, .err = &scratch};
	cJSON *owned = NULL;
	const cJSON *old;
	int changed;

	if (cur_v != NULL && up_json_equal(v, cur_v))
		return 0;
	old = value_or_default(f, cur_v, &owned);
	if (f->type == UP_FT_JSON)
		changed = old == NULL || !up_json_equal(v, old);
	else
		changed = !up_resource_check_value(r, i, old, &c) || !same_text(text, c.text);
	free(c.text);
	up_error_reset(&scratch);
	cJSON_Delete(owned);
	return changed;
}

enum up_err up_resource_validate(const struct up_resource *r, const cJSON *doc, const cJSON *cur,
                                 enum up_vmode mode, enum up_device_mode idmode, struct up_error *e,
                                 struct up_row *row)
{
	char *texts[UP_MAX_FIELDS] = {NULL};
	unsigned char ok[UP_MAX_FIELDS] = {0};
	struct members dm, cm;
	enum up_err rc = UP_OK;
	size_t i, n = r->nfields;

	if (!cJSON_IsObject(doc)) {
		up_error_detail(e, "", "a %s must be a JSON object", r->noun);
		return UP_OK;
	}
	index_members(r, doc, &dm, e);
	index_members(r, cur, &cm, NULL);
	for (i = 0; i < n; i++) {
		const struct up_field *f = &r->fields[i];
		struct up_check c = {.mode = idmode, .err = e};
		const cJSON *v;
		cJSON *owned = NULL;

		if (f->flags & UP_FF_HIDDEN)
			continue;
		if (!writable_in(f, mode)) {
			check_readonly(f, dm.of[i], cm.of[i], mode, e);
			continue;
		}
		v = dm.of[i];
		if (f->flags & UP_FF_WRITEONLY) {
			/* Write-only: absent keeps what is stored. */
			if (v == NULL)
				continue;
		} else if (mode == UP_V_CREATE && v == NULL && !(f->flags & UP_FF_REQUIRED)) {
			continue; /* the INSERT gives the default */
		}
		if (v == NULL) {
			v = value_or_default(f, NULL, &owned);
			if (v == NULL && f->dflt != NULL) {
				rc = UP_ERR_NOMEM;
				goto out;
			}
		}
		if (!up_resource_check_value(r, i, v, &c)) {
			cJSON_Delete(owned);
			continue;
		}
		texts[i] = c.text;
		ok[i] = 1;
		if (mode == UP_V_CREATE || f->flags & UP_FF_WRITEONLY ||
		    differs(r, i, v, texts[i], cm.of[i], idmode)) {
			row->set[i] = 1;
			if (texts[i] != NULL && (row->text[i] = strdup(texts[i])) == NULL)
				rc = UP_ERR_NOMEM;
		}
		cJSON_Delete(owned);
		if (rc != UP_OK)
			goto out;
	}
	/* Cross-field rules: a date-time after another. */
	for (i = 0; i < n; i++) {
		int other =
		        r->fields[i].after != NULL ? up_resource_field(r, r->fields[i].after) : -1;

		if (other < 0 || !ok[i] || !ok[other] || texts[i] == NULL || texts[other] == NULL)
			continue;
		if (strcmp(texts[i], texts[other]) <= 0)
			up_error_detail(e, r->fields[i].name, "must be after %s",
			                r->fields[i].after);
	}
out:
	for (i = 0; i < n; i++) {
		if (texts[i] != NULL) {
			sodium_memzero(texts[i], strlen(texts[i]));
			free(texts[i]);
		}
	}
	return rc;
}
