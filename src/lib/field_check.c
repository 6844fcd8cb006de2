/* SPDX-License-Identifier: ISC */
/* field_check.c: the validators of the field tables, one signature (see field_check.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "catalog.h"
#include "event.h"
#include "field_check.h"
#include "json.h"
#include "resource.h"
#include "validate.h"

#define DIGITS "0123456789"

int up_check_fail(struct up_check *c, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	up_error_detail(c->err, c->path != NULL ? c->path : c->field->name, "%s", reason);
	return 0;
}

/* Length of s when it is digits only, else 0 (the empty string gives 0 too). */
static size_t digits_len(const char *s)
{
	size_t n = strlen(s);

	return strspn(s, DIGITS) == n ? n : 0;
}

int up_luhn_valid(const char *s, size_t n)
{
	unsigned sum = 0;
	size_t i;

	if (n < 2)
		return 0;
	/* From the right: the check digit as is, every second digit doubled. */
	for (i = 0; i < n; i++) {
		unsigned d;
		char ch = s[n - 1 - i];

		if (ch < '0' || ch > '9')
			return 0;
		d = (unsigned)(ch - '0');
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int up_check_imei(struct up_check *c, const cJSON *v)
{
	const char *s = v->valuestring;
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return up_check_fail(c, "must contain digits only");
	if (n != 15 && n != 16)
		return up_check_fail(c, "must be 15 digits (16 for an IMEISV)");
	/* The real devices' spare digit 0 fails Luhn: one reason format is the default. */
	if (c->mode == UP_DEVICE_STRICT && n == 15 && !up_luhn_valid(s, n))
		return up_check_fail(c, "check digit (Luhn) is wrong");
	return 1;
}

int up_check_imsi(struct up_check *c, const cJSON *v)
{
	const char *s = v->valuestring;
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return up_check_fail(c, "must contain digits only");
	if (n < 6 || n > 15)
		return up_check_fail(c, "must be 6 to 15 digits");
	return 1;
}

int up_check_iccid(struct up_check *c, const cJSON *v)
{
	const char *s = v->valuestring;
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return up_check_fail(c, "must contain digits only");
	if (n < 19 || n > 20)
		return up_check_fail(c, "must be 19 or 20 digits");
	if (c->mode == UP_DEVICE_STRICT) {
		if (s[0] != '8' || s[1] != '9')
			return up_check_fail(c, "must start with 89 (telecommunication industry)");
		if (!up_luhn_valid(s, n))
			return up_check_fail(c, "check digit (Luhn) is wrong");
	}
	return 1;
}

int up_check_e164(struct up_check *c, const cJSON *v)
{
	const char *s = v->valuestring;
	size_t n;

	if (s[0] != '+')
		return up_check_fail(c, "must be in E.164 form: '+' then 8 to 15 digits");
	n = digits_len(s + 1);
	if (n < 8 || n > 15)
		return up_check_fail(c, "must be in E.164 form: '+' then 8 to 15 digits");
	if (s[1] == '0')
		return up_check_fail(c, "country code cannot start with 0");
	return 1;
}

int up_check_unique_id(struct up_check *c, const cJSON *v)
{
	if (!up_valid_charset(v->valuestring, UP_UNIQUE_ID_CHARS, 1, 64))
		return up_check_fail(c,
		                     "must be 1 to 64 characters of letters, digits and . _ : -");
	return 1;
}

int up_check_username(struct up_check *c, const cJSON *v)
{
	static const char allowed[] =
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "@.+_-";
	size_t n = strlen(v->valuestring);

	if (n < 1 || n > 150)
		return up_check_fail(c, "must be 1 to 150 characters");
	if (strspn(v->valuestring, allowed) != n)
		return up_check_fail(c, "may contain only letters, digits and @ . + _ -");
	return 1;
}

int up_check_user_class(struct up_check *c, const cJSON *v)
{
	static const char allowed[] =
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "_.-";

	if (!up_valid_charset(v->valuestring, allowed, 1, 64))
		return up_check_fail(c, "must be 1 to 64 characters of letters, digits and _ . -");
	return 1;
}

int up_check_country(struct up_check *c, const cJSON *v)
{
	if (!up_catalog_has(UP_CATALOG_COUNTRIES, v->valuestring))
		return up_check_fail(c,
		                     "must be a country name listed by GET /api/users/countries");
	return 1;
}

int up_check_time_zone(struct up_check *c, const cJSON *v)
{
	if (!up_catalog_has(UP_CATALOG_TIME_ZONES, v->valuestring))
		return up_check_fail(c, "must be a time zone listed by GET /api/users/timeZones");
	return 1;
}

int up_check_email(struct up_check *c, const cJSON *v)
{
	if (!up_valid_email(v->valuestring))
		return up_check_fail(c, "must be a valid email address");
	return 1;
}

int up_check_tags(struct up_check *c, const cJSON *v)
{
	const cJSON *t, *u;
	size_t n = 0;

	if (!cJSON_IsObject(v))
		return up_check_fail(c, "must be an object of string values");
	cJSON_ArrayForEach(t, v)
	{
		size_t klen = up_utf8_length(t->string);

		if (++n > c->field->max_len)
			return up_check_fail(c, "must have at most %zu entries", c->field->max_len);
		if (klen < 1 || klen > 64)
			return up_check_fail(c, "key %zu must be 1 to 64 characters long", n);
		if (!cJSON_IsString(t))
			return up_check_fail(c, "value of \"%.*s\" must be a string",
			                     UP_UTF8_CUT(t->string, 64));
		if (up_utf8_length(t->valuestring) > 1000)
			return up_check_fail(c, "value of \"%.*s\" must be at most 1000 characters",
			                     UP_UTF8_CUT(t->string, 64));
		for (u = v->child; u != t; u = u->next)
			if (strcmp(u->string, t->string) == 0)
				return up_check_fail(c, "key \"%.*s\" is given twice",
				                     UP_UTF8_CUT(t->string, 64));
	}
	return 1;
}

int up_check_privileges(struct up_check *c, const cJSON *v)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz_";
	const cJSON *p, *q;
	size_t n = 0;

	if (!cJSON_IsArray(v))
		return up_check_fail(c, "must be an array of strings");
	cJSON_ArrayForEach(p, v)
	{
		if (++n > c->field->max_len)
			return up_check_fail(c, "must have at most %zu entries", c->field->max_len);
		if (!cJSON_IsString(p) || !up_valid_charset(p->valuestring, allowed, 1, 32))
			return up_check_fail(c, "item %zu must be 1 to 32 characters of a-z and _",
			                     n - 1);
		for (q = v->child; q != p; q = q->next)
			if (strcmp(q->valuestring, p->valuestring) == 0)
				return up_check_fail(c, "item %zu repeats \"%s\"", n - 1,
				                     p->valuestring);
	}
	return 1;
}

/* The bound text (c->text, the list joined by commas) must be a `types` of the feed. */
int up_check_event_types(struct up_check *c, const cJSON *v)
{
	(void)v;
	if (c->text == NULL || !up_event_types_valid(c->text))
		return up_check_fail(c, "must list event types such as user.created, group.deleted "
		                        "or device.* (user, group, device: created, updated, "
		                        "deleted; alert.created)");
	return 1;
}
