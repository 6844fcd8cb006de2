/* SPDX-License-Identifier: ISC */
/* position.c: positions and alerts, checked against field tables (see position.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "position.h"
#include "resource.h"
#include "validate.h"

/* The numeric members of a position: name, required, range, open upper end, reason. */
const struct up_pos_num_rule up_pos_num_rules[UP_POS__NUM] = {
        [UP_POS_LATITUDE] = {"latitude", 1, -90.0, 90.0, 0, "must be a number from -90 to 90"},
        [UP_POS_LONGITUDE] = {"longitude", 1, -180.0, 180.0, 0,
                              "must be a number from -180 to 180"},
        [UP_POS_ALTITUDE] = {"altitude", 0, -20000.0, 1000000.0, 0,
                             "must be a number of metres from -20000 to 1000000"},
        [UP_POS_SPEED] = {"speed", 0, 0.0, 100000.0, 0,
                          "must be a number of km/h from 0 to 100000"},
        [UP_POS_COURSE] = {"course", 0, 0.0, 360.0, 1,
                           "must be a number of degrees from 0 to less than 360"},
        [UP_POS_ACCURACY] = {"accuracy", 0, 0.0, 1000000.0, 0,
                             "must be a number of metres from 0 to 1000000"},
};

const char *const up_alert_types[] = {"sos",          "overspeed",   "geofenceEnter",
                                      "geofenceExit", "powerCut",    "lowBattery",
                                      "ignitionOn",   "ignitionOff", "custom"};
const size_t up_alert_ntypes = sizeof(up_alert_types) / sizeof(up_alert_types[0]);

/* Members a position may have besides the numeric ones. */
static const char *const pos_other_members[] = {"time", "attributes"};
/* Members an alert may have. */
static const char *const alert_members[] = {"type", "time", "message", "position"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A problem of field (after prefix) of element index (-1: not of a batch):
 * the detail is made and capped by errors.c.  Returns UP_ERR_VALIDATION.
 */
static enum up_err problem(struct up_error *e, long index, const char *prefix, const char *field,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum up_err problem(struct up_error *e, long index, const char *prefix, const char *field,
                           const char *fmt, ...)
{
	char reason[256], name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s%.*s", prefix, UP_UTF8_CUT(field, 100));
	if (index >= 0)
		up_error_detail_at(e, index, name, "%s", reason);
	else
		up_error_detail(e, name, "%s", reason);
	return UP_ERR_VALIDATION;
}

/* Keep the worst of two results: NOMEM over VALIDATION over OK. */
static enum up_err worst(enum up_err a, enum up_err b)
{
	if (a == UP_ERR_NOMEM || b == UP_ERR_NOMEM)
		return UP_ERR_NOMEM;
	return a != UP_OK ? a : b;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* Seconds since the epoch of "YYYY-MM-DD HH:MM:SS..." (as up_valid_rfc3339 writes it). */
static time_t sql_epoch(const char *sql, int *has_fraction)
{
	struct tm tm;
	int v[6], k;
	static const int at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};

	for (k = 0; k < 6; k++) {
		int i;

		v[k] = 0;
		for (i = 0; i < width[k]; i++)
			v[k] = v[k] * 10 + (sql[at[k] + i] - '0');
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*has_fraction = strspn(sql + 20, "0") != strlen(sql + 20);
	return timegm(&tm);
}

/*
 * Check member "time" of v into sql[27]: RFC 3339, at most max_ahead seconds
 * after now (a fix time further ahead is refused with the detail code
 * "fix_in_future").
 */
static enum up_err check_time(const cJSON *v, time_t now, unsigned long max_ahead, long index,
                              const char *prefix, char sql[27], struct up_error *e)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "time");
	time_t when, limit = now + (time_t)max_ahead;
	char reason[80], name[32];
	cJSON *d;
	int frac;

	if (t == NULL || cJSON_IsNull(t))
		return problem(e, index, prefix, "time", "is required");
	if (!cJSON_IsString(t) || !up_valid_rfc3339(t->valuestring, sql, 27))
		return problem(e, index, prefix, "time",
		               "must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z");
	when = sql_epoch(sql, &frac);
	if (when < limit || (when == limit && !frac))
		return UP_OK;
	if (max_ahead >= 120 && max_ahead % 60 == 0)
		snprintf(reason, sizeof(reason), "is more than %lu minutes in the future",
		         max_ahead / 60);
	else
		snprintf(reason, sizeof(reason), "is more than %lu seconds in the future",
		         max_ahead);
	snprintf(name, sizeof(name), "%stime", prefix);
	d = index >= 0 ? up_error_detail_at(e, index, name, "%s", reason)
	               : up_error_detail(e, name, "%s", reason);
	if (d != NULL)
		cJSON_AddStringToObject(d, "code", "fix_in_future");
	return UP_ERR_VALIDATION;
}

/* "attributes": an object of at most UP_POS_MAX_ATTRIBUTES strings, numbers or booleans. */
static enum up_err check_attributes(const cJSON *a, long index, const char *prefix, char **text,
                                    struct up_error *e)
{
	const cJSON *m;
	enum up_err rc = UP_OK;

	*text = NULL;
	if (cJSON_IsNull(a))
		return UP_OK;
	if (!cJSON_IsObject(a))
		return problem(e, index, prefix, "attributes", "must be an object");
	if (cJSON_GetArraySize(a) > UP_POS_MAX_ATTRIBUTES)
		return problem(e, index, prefix, "attributes", "may have at most %d members",
		               UP_POS_MAX_ATTRIBUTES);
	cJSON_ArrayForEach(m, a)
	{
		size_t klen = up_utf8_length(m->string);

		if (klen < 1 || klen > UP_POS_MAX_ATTR_KEY)
			rc = worst(rc, problem(e, index, prefix, "attributes",
			                       "member names must be 1 to %d characters",
			                       UP_POS_MAX_ATTR_KEY));
		else if (cJSON_IsString(m) &&
		         up_utf8_length(m->valuestring) > UP_POS_MAX_ATTR_STRING)
			rc = worst(rc, problem(e, index, prefix, "attributes",
			                       "member '%s' is longer than %d characters",
			                       m->string, UP_POS_MAX_ATTR_STRING));
		else if (cJSON_IsNumber(m) && !isfinite(m->valuedouble))
			rc = worst(rc, problem(e, index, prefix, "attributes",
			                       "member '%s' is not a finite number", m->string));
		else if (!cJSON_IsString(m) && !cJSON_IsNumber(m) && !cJSON_IsBool(m))
			rc = worst(rc, problem(e, index, prefix, "attributes",
			                       "member '%s' must be a string, number or boolean",
			                       m->string));
	}
	if (rc != UP_OK || cJSON_GetArraySize(a) == 0)
		return rc;
	*text = up_json_print(a);
	return *text != NULL ? UP_OK : UP_ERR_NOMEM;
}

void up_position_free(struct up_position *p)
{
	free(p->attributes);
	memset(p, 0, sizeof(*p));
}

enum up_err up_position_check(const cJSON *v, time_t now, unsigned long max_ahead, long index,
                              const char *prefix, struct up_position *out, struct up_error *e)
{
	const cJSON *m;
	enum up_err rc = UP_OK;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(v))
		return problem(e, index, "", "position", "must be a JSON object");
	cJSON_ArrayForEach(m, v)
	{
		int known = in_list(m->string, pos_other_members, COUNT(pos_other_members));

		for (k = 0; k < UP_POS__NUM && !known; k++)
			known = strcmp(m->string, up_pos_num_rules[k].name) == 0;
		if (!known)
			rc = worst(rc, problem(e, index, prefix, m->string,
			                       "is not a field of "
			                       "a position"));
	}
	rc = worst(rc, check_time(v, now, max_ahead, index, prefix, out->time, e));
	for (k = 0; k < UP_POS__NUM; k++) {
		const struct up_pos_num_rule *r = &up_pos_num_rules[k];
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, r->name);
		double d;

		if (n == NULL || cJSON_IsNull(n)) {
			if (r->required)
				rc = worst(rc, problem(e, index, prefix, r->name, "is required"));
			continue;
		}
		d = n->valuedouble;
		if (!cJSON_IsNumber(n) || !isfinite(d) || d < r->min || d > r->max ||
		    (r->max_open && d >= r->max)) {
			rc = worst(rc, problem(e, index, prefix, r->name, "%s", r->reason));
			continue;
		}
		out->num[k] = d == 0.0 ? 0.0 : d; /* no negative zero */
		out->has[k] = 1;
	}
	m = cJSON_GetObjectItemCaseSensitive(v, "attributes");
	if (m != NULL && rc == UP_OK)
		rc = check_attributes(m, index, prefix, &out->attributes, e);
	else if (m != NULL) {
		char *ignored = NULL;

		rc = worst(rc, check_attributes(m, index, prefix, &ignored, e));
		free(ignored);
	}
	if (rc != UP_OK)
		up_position_free(out);
	return rc;
}

void up_positions_free(struct up_position *p, size_t n)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		up_position_free(&p[i]);
	free(p);
}

enum up_err up_positions_check(const cJSON *body, time_t now, unsigned long max_ahead,
                               struct up_position **out, size_t *n, struct up_error *e)
{
	struct up_position *p = NULL;
	const cJSON *v;
	size_t count, i = 0;
	enum up_err rc = UP_OK;

	*out = NULL;
	*n = 0;
	if (cJSON_IsObject(body)) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			return UP_ERR_NOMEM;
		rc = up_position_check(body, now, max_ahead, -1, "", p, e);
		if (rc != UP_OK) {
			free(p);
			return rc;
		}
		*out = p;
		*n = 1;
		return UP_OK;
	}
	if (!cJSON_IsArray(body))
		return UP_ERR_BAD_DATA;
	count = (size_t)cJSON_GetArraySize(body);
	if (count == 0)
		return problem(e, -1, "", "positions", "at least one position is required");
	if (count > UP_POS_MAX_BATCH)
		return problem(e, -1, "", "positions",
		               "at most %d positions per request; %zu given", UP_POS_MAX_BATCH,
		               count);
	p = calloc(count, sizeof(*p));
	if (p == NULL)
		return UP_ERR_NOMEM;
	cJSON_ArrayForEach(v, body)
	{
		rc = worst(rc, up_position_check(v, now, max_ahead, (long)i, "", &p[i], e));
		i++;
	}
	if (rc != UP_OK) {
		up_positions_free(p, count);
		return rc;
	}
	*out = p;
	*n = count;
	return UP_OK;
}

void up_alert_free(struct up_alert *a)
{
	free(a->message);
	up_position_free(&a->position);
	memset(a, 0, sizeof(*a));
}

enum up_err up_alert_check(const cJSON *v, time_t now, unsigned long max_ahead,
                           struct up_alert *out, struct up_error *e)
{
	const cJSON *m;
	enum up_err rc = UP_OK;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(v))
		return UP_ERR_BAD_DATA;
	cJSON_ArrayForEach(m, v)
	{
		if (!in_list(m->string, alert_members, COUNT(alert_members)))
			rc = worst(rc, problem(e, -1, "", m->string, "is not a field of an alert"));
	}
	m = cJSON_GetObjectItemCaseSensitive(v, "type");
	for (k = 0; cJSON_IsString(m) && k < up_alert_ntypes; k++)
		if (strcmp(m->valuestring, up_alert_types[k]) == 0)
			out->type = up_alert_types[k];
	if (m == NULL || cJSON_IsNull(m))
		rc = worst(rc, problem(e, -1, "", "type", "is required"));
	else if (out->type == NULL)
		rc = worst(rc,
		           problem(e, -1, "", "type",
		                   "must be one of sos, overspeed, geofenceEnter, geofenceExit, "
		                   "powerCut, lowBattery, ignitionOn, ignitionOff, custom"));
	rc = worst(rc, check_time(v, now, max_ahead, -1, "", out->time, e));
	m = cJSON_GetObjectItemCaseSensitive(v, "message");
	if (m != NULL && !cJSON_IsNull(m)) {
		if (!cJSON_IsString(m) || up_utf8_length(m->valuestring) > UP_ALERT_MAX_MESSAGE)
			rc = worst(rc, problem(e, -1, "", "message",
			                       "must be a string of at most %d characters",
			                       UP_ALERT_MAX_MESSAGE));
		else if ((out->message = strdup(m->valuestring)) == NULL)
			rc = UP_ERR_NOMEM;
	}
	m = cJSON_GetObjectItemCaseSensitive(v, "position");
	if (m != NULL && !cJSON_IsNull(m)) {
		enum up_err prc =
		        up_position_check(m, now, max_ahead, -1, "position.", &out->position, e);

		out->has_position = prc == UP_OK;
		rc = worst(rc, prc);
	}
	if (rc != UP_OK)
		up_alert_free(out);
	return rc;
}

/* A JSON number from stored text (a DOUBLE column); NULL if it is not one. */
static cJSON *number_from_text(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end != '\0' || !isfinite(d))
		return NULL;
	return cJSON_CreateNumber(d);
}

enum up_err up_position_json(const char *time, const char *const num[UP_POS__NUM],
                             const char *attributes, cJSON **out)
{
	cJSON *o = cJSON_CreateObject(), *v;
	char rfc[40];
	enum up_err rc = UP_ERR_NOMEM;
	size_t k;

	*out = NULL;
	if (o == NULL)
		goto out;
	rc = up_datetime_to_rfc3339(time, rfc, sizeof(rfc));
	if (rc != UP_OK)
		goto out;
	rc = UP_ERR_NOMEM;
	if (cJSON_AddStringToObject(o, "time", rfc) == NULL)
		goto out;
	for (k = 0; k < UP_POS__NUM; k++) {
		if (num[k] == NULL)
			continue;
		v = number_from_text(num[k]);
		if (v == NULL) {
			rc = UP_ERR_INTERNAL;
			goto out;
		}
		cJSON_AddItemToObject(o, up_pos_num_rules[k].name, v);
	}
	rc = up_json_add_parsed(o, "attributes", attributes, 4);
	if (rc != UP_OK)
		goto out;
	*out = o;
	o = NULL;
	rc = UP_OK;
out:
	cJSON_Delete(o);
	return rc;
}

enum up_err up_position_to_json(const struct up_position *p, cJSON **out)
{
	char text[UP_POS__NUM][32];
	const char *num[UP_POS__NUM];
	size_t k;

	for (k = 0; k < UP_POS__NUM; k++) {
		num[k] = NULL;
		if (!p->has[k])
			continue;
		snprintf(text[k], sizeof(text[k]), "%.17g", p->num[k]);
		num[k] = text[k];
	}
	return up_position_json(p->time, num, p->attributes, out);
}
