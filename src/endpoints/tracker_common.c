/* SPDX-License-Identifier: ISC */
/* tracker_common.c: what the tracker decoders share (see tracker_decode.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "field_check.h"
#include "position.h"
#include "tracker_decode.h"
#include "validate.h"

void up_track_report_free(struct up_track_report *r)
{
	cJSON_Delete(r->positions);
	cJSON_Delete(r->alert);
	memset(r, 0, sizeof(*r));
}

int up_tracker_epoch(double seconds, char *buf, size_t len)
{
	struct tm tm;
	time_t t;
	long ms;

	/* Years 1970 to 9999 only: anything else is not a fix time. */
	if (!isfinite(seconds) || seconds < 0 || seconds >= 253402300800.0)
		return -1;
	t = (time_t)seconds;
	ms = lround((seconds - (double)t) * 1000.0);
	if (ms >= 1000) {
		t++;
		ms -= 1000;
	}
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return 0;
}

/* 1 if s is digits only (at least one). */
static int all_digits(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strspn(s, "0123456789") == n;
}

int up_tracker_time(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (all_digits(s)) {
		double v;

		if (n > 15)
			return -1;
		v = strtod(s, NULL);
		/* 13 digits and more are milliseconds (seconds pass 10^11 in the year 5138). */
		return up_tracker_epoch(n >= 12 ? v / 1000.0 : v, buf, len);
	}
	if (n < 19 || n + 2 > len || strspn(s, "0123456789") != 4 || s[4] != '-')
		return -1;
	memcpy(buf, s, n + 1);
	/* "yyyy-MM-dd HH:mm:ss": UTC. */
	if (n == 19 && s[10] == ' ') {
		if (n + 2 > len)
			return -1;
		buf[10] = 'T';
		buf[19] = 'Z';
		buf[20] = '\0';
		return 0;
	}
	/* "+hhmm" at the end: RFC 3339 wants "+hh:mm". */
	if (n >= 24 && (s[n - 5] == '+' || s[n - 5] == '-') &&
	    strspn(s + n - 4, "0123456789") == 4) {
		if (n + 2 > len)
			return -1;
		buf[n - 2] = ':';
		buf[n - 1] = s[n - 2];
		buf[n] = s[n - 1];
		buf[n + 1] = '\0';
	}
	return 0;
}

int up_tracker_device(struct up_track_report *r, const char *s, const char *field,
                      struct up_error *e)
{
	/* An empty one (Overland's default device_id "") names no device. */
	if (s[0] == '\0')
		return 0;
	if (!up_valid_charset(s, UP_UNIQUE_ID_CHARS, 1, UP_TRACKER_DEVICE_LEN)) {
		up_error_detail(e, field,
		                "must be 1 to 64 characters of letters, digits and . _ : -");
		up_error_set(e, UP_ERR_VALIDATION,
		             "The device identifier is not valid; see details");
		return -1;
	}
	snprintf(r->device, sizeof(r->device), "%s", s);
	return 0;
}

int up_tracker_add_known(cJSON *o, const char *name, double v, double factor)
{
	if (!isfinite(v) || v < 0)
		return 0;
	return cJSON_AddNumberToObject(o, name, v * factor) != NULL ? 0 : -1;
}

int up_tracker_number(const char *s, double *out)
{
	char *end;
	double v;

	/* Decimal text only: no space, no hex, no inf/nan. */
	if (s == NULL || s[0] == '\0' || strspn(s, "+-0123456789.eE") != strlen(s))
		return -1;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int up_tracker_alert(struct up_track_report *r, const char *alarm, const cJSON *position)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(position, "time");
	const char *type = "custom";
	size_t i;

	for (i = 0; i < up_alert_ntypes; i++)
		if (strcmp(alarm, up_alert_types[i]) == 0)
			type = up_alert_types[i];
	r->alert = cJSON_CreateObject();
	if (r->alert == NULL || cJSON_AddStringToObject(r->alert, "type", type) == NULL ||
	    cJSON_AddStringToObject(r->alert, "time",
	                            cJSON_GetStringValue(t) != NULL ? cJSON_GetStringValue(t)
	                                                            : "") == NULL ||
	    (strcmp(type, "custom") == 0 &&
	     cJSON_AddStringToObject(r->alert, "message", alarm) == NULL))
		return -1;
	return cJSON_AddItemToObject(r->alert, "position", cJSON_Duplicate(position, 1)) ? 0 : -1;
}
