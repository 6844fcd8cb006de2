/* user_validate.c: table-driven validation of user representations. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "catalog.h"
#include "json.h"
#include "json_equal.h"
#include "parse.h"
#include "user_validate.h"
#include "validate.h"

/* Unknown fields listed one by one before the rest are summed up. */
#define MAX_UNKNOWN_LISTED 16
/* Bytes a JSON column (TEXT) holds. */
#define JSON_COLUMN_MAX 65535

/*
 * A type validator: check v (never NULL, never JSON null) for field f and
 * produce its bound text (*text owned by the caller).  Returns 1, or 0 with
 * the reason in why.
 */
typedef int (*type_fn)(const struct up_field *f, const cJSON *v, char **text, char *why,
                       size_t len);
/* A rule validator: the value passed its type check; 1 or 0 with why. */
typedef int (*rule_fn)(const struct up_field *f, const cJSON *v, char *why, size_t len);

static int fail(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return 0;
}

static int dup_text(const char *s, char **text, char *why, size_t len)
{
	*text = strdup(s);
	if (*text == NULL)
		return fail(why, len, "out of memory");
	return 1;
}

static int check_length(const struct up_field *f, const char *s, char *why, size_t len)
{
	size_t n = up_utf8_length(s);

	if (f->max_len > 0 && (n < f->min_len || n > f->max_len)) {
		if (f->min_len > 0)
			snprintf(why, len, "must be %zu to %zu characters long", f->min_len,
			         f->max_len);
		else
			snprintf(why, len, "must be at most %zu characters long", f->max_len);
		return 0;
	}
	return 1;
}

static int t_string(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	if (!cJSON_IsString(v))
		return fail(why, len, "must be a string or null");
	if (!check_length(f, v->valuestring, why, len))
		return 0;
	return dup_text(v->valuestring, text, why, len);
}

static int t_secret(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	if (!cJSON_IsString(v))
		return fail(why, len, "must be a string");
	return t_string(f, v, text, why, len);
}

static int t_bool(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	(void)f;
	if (!cJSON_IsBool(v))
		return fail(why, len, "must be true or false");
	return dup_text(cJSON_IsTrue(v) ? "1" : "0", text, why, len);
}

static int t_uint(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	char buf[32];
	double d;

	(void)f;
	if (!cJSON_IsNumber(v))
		return fail(why, len, "must be an integer");
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return fail(why, len, "must be an integer");
	if (d < 0 || d > (double)UINT32_MAX)
		return fail(why, len, "must be an integer from 0 to 4294967295");
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)d);
	return dup_text(buf, text, why, len);
}

static int t_datetime(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	char sql[40];

	(void)f;
	if (!cJSON_IsString(v) || !up_valid_rfc3339(v->valuestring, sql, sizeof(sql)))
		return fail(why, len,
		            "must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z, or null");
	return dup_text(sql, text, why, len);
}

static int t_json(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	(void)f;
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return fail(why, len, "must be an object or an array");
	*text = up_json_print(v);
	if (*text == NULL)
		return fail(why, len, "out of memory");
	if (strlen(*text) > JSON_COLUMN_MAX) {
		free(*text);
		*text = NULL;
		return fail(why, len, "is too large");
	}
	return 1;
}

static int t_ref(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	char buf[32];
	uint64_t id;

	if (!cJSON_IsString(v) || up_parse_public_id(v->valuestring, f->prefix, &id) != UP_OK) {
		snprintf(why, len, "must be an id such as %s42, or null", f->prefix);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	return dup_text(buf, text, why, len);
}

static int t_readonly(const struct up_field *f, const cJSON *v, char **text, char *why, size_t len)
{
	(void)f;
	(void)v;
	(void)text;
	return fail(why, len, "is read-only");
}

static const type_fn type_validators[] = {
        [UP_FT_ID] = t_readonly, [UP_FT_STRING] = t_string,     [UP_FT_BOOL] = t_bool,
        [UP_FT_UINT] = t_uint,   [UP_FT_DATETIME] = t_datetime, [UP_FT_JSON] = t_json,
        [UP_FT_REF] = t_ref,     [UP_FT_SECRET] = t_secret,
};

static int r_email(const struct up_field *f, const cJSON *v, char *why, size_t len)
{
	(void)f;
	if (!up_valid_email(v->valuestring))
		return fail(why, len, "must be a valid email address");
	return 1;
}

static int r_country(const struct up_field *f, const cJSON *v, char *why, size_t len)
{
	(void)f;
	if (!up_catalog_has(UP_CATALOG_COUNTRIES, v->valuestring))
		return fail(why, len, "must be a country name listed by GET /api/users/countries");
	return 1;
}

static int r_timezone(const struct up_field *f, const cJSON *v, char *why, size_t len)
{
	(void)f;
	if (!up_catalog_has(UP_CATALOG_TIME_ZONES, v->valuestring))
		return fail(why, len, "must be a time zone listed by GET /api/users/timeZones");
	return 1;
}

static int r_tags(const struct up_field *f, const cJSON *v, char *why, size_t len)
{
	const cJSON *t, *u;
	size_t n = 0;

	if (!cJSON_IsObject(v))
		return fail(why, len, "must be an object of string values");
	cJSON_ArrayForEach(t, v)
	{
		size_t klen = up_utf8_length(t->string);

		if (++n > f->max_len) {
			snprintf(why, len, "must have at most %zu entries", f->max_len);
			return 0;
		}
		if (klen < 1 || klen > 64) {
			snprintf(why, len, "key %zu must be 1 to 64 characters long", n);
			return 0;
		}
		if (!cJSON_IsString(t)) {
			snprintf(why, len, "value of \"%.*s\" must be a string",
			         UP_UTF8_CUT(t->string, 64));
			return 0;
		}
		if (up_utf8_length(t->valuestring) > 1000) {
			snprintf(why, len, "value of \"%.*s\" must be at most 1000 characters",
			         UP_UTF8_CUT(t->string, 64));
			return 0;
		}
		for (u = v->child; u != t; u = u->next) {
			if (strcmp(u->string, t->string) == 0) {
				snprintf(why, len, "key \"%.*s\" is given twice",
				         UP_UTF8_CUT(t->string, 64));
				return 0;
			}
		}
	}
	return 1;
}

static int r_privileges(const struct up_field *f, const cJSON *v, char *why, size_t len)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz_";
	const cJSON *p, *q;
	size_t n = 0;

	if (!cJSON_IsArray(v))
		return fail(why, len, "must be an array of strings");
	cJSON_ArrayForEach(p, v)
	{
		if (++n > f->max_len) {
			snprintf(why, len, "must have at most %zu entries", f->max_len);
			return 0;
		}
		if (!cJSON_IsString(p) || !up_valid_charset(p->valuestring, allowed, 1, 32)) {
			snprintf(why, len, "item %zu must be 1 to 32 characters of a-z and _",
			         n - 1);
			return 0;
		}
		for (q = v->child; q != p; q = q->next) {
			if (strcmp(q->valuestring, p->valuestring) == 0) {
				snprintf(why, len, "item %zu repeats \"%s\"", n - 1,
				         p->valuestring);
				return 0;
			}
		}
	}
	return 1;
}

static const rule_fn rule_validators[UP_UR__MAX] = {
        [UP_UR_NONE] = NULL,           [UP_UR_EMAIL] = r_email, [UP_UR_COUNTRY] = r_country,
        [UP_UR_TIMEZONE] = r_timezone, [UP_UR_TAGS] = r_tags,   [UP_UR_PRIVILEGES] = r_privileges,
};

int up_user_validate_value(size_t i, const cJSON *v, char **text, char *why, size_t whylen)
{
	const struct up_field *f;
	rule_fn rule;
	char *t = NULL;

	if (text != NULL)
		*text = NULL;
	if (i >= up_user_resource.nfields)
		return fail(why, whylen, "is not a field");
	f = &up_user_resource.fields[i];
	if (v == NULL || cJSON_IsNull(v)) {
		/* Absent or null: fields with a default are never null. */
		if (up_user_rules[i].dflt != NULL)
			return fail(why, whylen,
			            f->type == UP_FT_BOOL   ? "must be true or false"
			            : f->type == UP_FT_UINT ? "must be an integer"
			            : f->type == UP_FT_JSON && up_user_rules[i].rule == UP_UR_TAGS
			                    ? "must be an object of string values"
			                    : "must be an array of strings");
		if (f->type == UP_FT_SECRET)
			return fail(why, whylen, "must be a string");
		return 1;
	}
	if (!type_validators[f->type](f, v, &t, why, whylen))
		return 0;
	rule = rule_validators[up_user_rules[i].rule];
	if (rule != NULL && !rule(f, v, why, whylen)) {
		free(t);
		return 0;
	}
	if (text != NULL)
		*text = t;
	else
		free(t);
	return 1;
}

/* The value of field i in doc, or its default when absent (*owned set when made here). */
static const cJSON *value_or_default(const cJSON *doc, size_t i, cJSON **owned)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, up_user_resource.fields[i].name);
	const char *d = up_user_rules[i].dflt;

	*owned = NULL;
	if (v != NULL)
		return v;
	if (d == NULL)
		return NULL;
	if (up_json_parse(d, strlen(d), 4, owned) != UP_OK)
		return NULL;
	return *owned;
}

static int same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Report members that are not fields, and fields given more than once. */
static void check_members(const cJSON *doc, cJSON *details)
{
	const cJSON *m;
	size_t unknown = 0, i;

	cJSON_ArrayForEach(m, doc)
	{
		if (up_user_field_index(m->string) >= 0)
			continue;
		if (++unknown <= MAX_UNKNOWN_LISTED)
			up_details_add(details, m->string, "is not a field of a user");
	}
	if (unknown > MAX_UNKNOWN_LISTED)
		up_details_add(details, "", "%zu more unknown fields",
		               unknown - MAX_UNKNOWN_LISTED);
	for (i = 0; i < up_user_resource.nfields; i++) {
		size_t n = 0;

		cJSON_ArrayForEach(m, doc)
		{
			if (strcmp(m->string, up_user_resource.fields[i].name) == 0)
				n++;
		}
		if (n > 1)
			up_details_add(details, up_user_resource.fields[i].name,
			               "is given more than once");
	}
}

/* A read-only field: given in doc, it must equal the current value. */
static void check_readonly(size_t i, const cJSON *doc, const cJSON *cur, enum up_user_mode mode,
                           cJSON *details)
{
	const char *name = up_user_resource.fields[i].name;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	const cJSON *c = cur != NULL ? cJSON_GetObjectItemCaseSensitive(cur, name) : NULL;

	if (v == NULL) {
		if (mode == UP_UV_PATCH && c != NULL)
			up_details_add(details, name, "is read-only and cannot be removed");
		return;
	}
	if (c == NULL || !up_json_equal(v, c))
		up_details_add(details, name, "is read-only");
}

enum up_err up_user_validate(const cJSON *doc, const cJSON *cur, enum up_user_mode mode,
                             cJSON *details, struct up_user_row *row)
{
	char *texts[UP_USER_MAX_FIELDS] = {NULL};
	unsigned char ok[UP_USER_MAX_FIELDS] = {0};
	enum up_err rc = UP_OK;
	size_t i, n = up_user_resource.nfields;

	if (!cJSON_IsObject(doc)) {
		up_details_add(details, "", "a user must be a JSON object");
		return UP_OK;
	}
	check_members(doc, details);
	for (i = 0; i < n; i++) {
		const struct up_field *f = &up_user_resource.fields[i];
		const cJSON *v, *c;
		cJSON *owned = NULL, *cur_owned = NULL;
		char why[160], *ctext = NULL;
		int changed;

		if (f->flags & UP_FF_READONLY || f->type == UP_FT_ID) {
			check_readonly(i, doc, cur, mode, details);
			continue;
		}
		v = cJSON_GetObjectItemCaseSensitive(doc, f->name);
		if (f->flags & UP_FF_WRITEONLY) {
			/* Write-only: absent keeps what is stored. */
			if (v == NULL)
				continue;
		} else if (mode == UP_UV_CREATE && v == NULL) {
			continue; /* the INSERT gives the default */
		}
		if (v == NULL) {
			v = value_or_default(doc, i, &owned);
			if (v == NULL && up_user_rules[i].dflt != NULL) {
				rc = UP_ERR_NOMEM;
				goto out;
			}
		}
		if (!up_user_validate_value(i, v, &texts[i], why, sizeof(why))) {
			up_details_add(details, f->name, "%s", why);
			cJSON_Delete(owned);
			continue;
		}
		ok[i] = 1;
		if (mode == UP_UV_CREATE || f->flags & UP_FF_WRITEONLY) {
			changed = 1;
		} else {
			c = value_or_default(cur, i, &cur_owned);
			if (f->type == UP_FT_JSON)
				changed = c == NULL || !up_json_equal(v, c);
			else
				changed = !up_user_validate_value(i, c, &ctext, why, sizeof(why)) ||
				          !same_text(texts[i], ctext);
			free(ctext);
			cJSON_Delete(cur_owned);
		}
		cJSON_Delete(owned);
		if (changed) {
			row->set[i] = 1;
			if (texts[i] != NULL) {
				row->text[i] = strdup(texts[i]);
				if (row->text[i] == NULL) {
					rc = UP_ERR_NOMEM;
					goto out;
				}
			}
		}
	}
	/* Cross-field rules: a date-time after another. */
	for (i = 0; i < n; i++) {
		int other = up_user_rules[i].after != NULL
		                    ? up_user_field_index(up_user_rules[i].after)
		                    : -1;

		if (other < 0 || !ok[i] || !ok[other] || texts[i] == NULL || texts[other] == NULL)
			continue;
		if (strcmp(texts[i], texts[other]) <= 0)
			up_details_add(details, up_user_resource.fields[i].name, "must be after %s",
			               up_user_rules[i].after);
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
