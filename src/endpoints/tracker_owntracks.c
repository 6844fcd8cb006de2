/* SPDX-License-Identifier: ISC */
/*
 * tracker_owntracks.c: OwnTracks in HTTP mode.  A "location" message is a
 * position: lat, lon, tst (epoch seconds), vel (km/h), cog, acc, alt, batt
 * (percent); the device is the X-Limit-D header, else the last segment of
 * "topic", else "tid".  Every other _type (transition, waypoint, lwt, card,
 * ...) is accepted and stores nothing.
 */
#include <stdlib.h>
#include <string.h>
#include "tracker_decode.h"

#define MEMBER(o, name) cJSON_GetObjectItemCaseSensitive((o), (name))

/* The members that have a place of their own (or are the device), not attributes. */
static const char *const own[] = {"_type", "lat", "lon",  "tst", "vel",   "cog",
                                  "acc",   "alt", "batt", "tid", "topic", "_id"};
#define NOWN (sizeof(own) / sizeof(own[0]))

/* The numbers with a member of ours: OwnTracks name, our name, only when >= 0. */
static const struct {
	const char *from, *to;
	int known_only;
} nums[] = {
        {"alt", "altitude", 0},
        {"vel", "speed", 1},
        {"cog", "course", 1},
        {"acc", "accuracy", 1},
};

static int is_own(const char *name)
{
	size_t i;

	for (i = 0; i < NOWN; i++)
		if (strcmp(name, own[i]) == 0)
			return 1;
	return 0;
}

/* An array of scalars as one text "a,b,c" (inregions); NULL when it is not one. */
static char *joined(const cJSON *a)
{
	const cJSON *x;
	size_t len = 1;
	char *s;

	cJSON_ArrayForEach(x, a)
	{
		if (!cJSON_IsString(x))
			return NULL;
		len += strlen(x->valuestring) + 1;
	}
	s = calloc(1, len);
	if (s == NULL)
		return NULL;
	cJSON_ArrayForEach(x, a)
	{
		if (s[0] != '\0')
			strcat(s, ",");
		strcat(s, x->valuestring);
	}
	return s;
}

/* The other members as attributes (batt as batteryLevel). */
static cJSON *attributes(const cJSON *doc)
{
	cJSON *attrs = cJSON_CreateObject();
	const cJSON *x;

	if (attrs == NULL)
		return NULL;
	if (cJSON_IsNumber(MEMBER(doc, "batt")) && MEMBER(doc, "batt")->valuedouble >= 0)
		cJSON_AddNumberToObject(attrs, "batteryLevel", MEMBER(doc, "batt")->valuedouble);
	cJSON_ArrayForEach(x, doc)
	{
		char *s;

		if (is_own(x->string))
			continue;
		if (cJSON_IsString(x) || cJSON_IsNumber(x) || cJSON_IsBool(x)) {
			cJSON_AddItemToObject(attrs, x->string, cJSON_Duplicate(x, 0));
		} else if (cJSON_IsArray(x) && (s = joined(x)) != NULL) {
			cJSON_AddStringToObject(attrs, x->string, s);
			free(s);
		}
	}
	return attrs;
}

/* The device: X-Limit-D, else the topic's last segment, else tid. */
static int device(const cJSON *doc, const char *limit_d, struct up_track_report *out,
                  struct up_error *e)
{
	const cJSON *topic = MEMBER(doc, "topic"), *tid = MEMBER(doc, "tid");

	if (limit_d != NULL && limit_d[0] != '\0')
		return up_tracker_device(out, limit_d, "X-Limit-D", e);
	if (cJSON_IsString(topic) && strrchr(topic->valuestring, '/') != NULL)
		return up_tracker_device(out, strrchr(topic->valuestring, '/') + 1, "topic", e);
	if (cJSON_IsString(tid))
		return up_tracker_device(out, tid->valuestring, "tid", e);
	return 0;
}

enum up_err up_tracker_owntracks(const cJSON *doc, const char *limit_d, time_t now,
                                 struct up_track_report *out, struct up_error *e)
{
	const cJSON *type = MEMBER(doc, "_type"), *tst = MEMBER(doc, "tst");
	cJSON *pos = NULL, *attrs;
	char t[48];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc) || !cJSON_IsString(type))
		return up_error_set(
		        e, UP_ERR_BAD_DATA,
		        "The body must be an OwnTracks message: an object with \"_type\"");
	if (device(doc, limit_d, out, e) != 0)
		return UP_ERR_VALIDATION;
	if (strcmp(type->valuestring, "location") != 0)
		return UP_OK;
	if ((out->positions = cJSON_CreateArray()) == NULL || (pos = cJSON_CreateObject()) == NULL)
		return UP_ERR_NOMEM;
	cJSON_AddItemToArray(out->positions, pos);
	if (tst != NULL ? !cJSON_IsNumber(tst) || up_tracker_epoch(tst->valuedouble, t, sizeof(t))
	                : up_tracker_epoch((double)now, t, sizeof(t)))
		up_error_detail(e, "tst", "must be epoch seconds");
	else
		cJSON_AddStringToObject(pos, "time", t);
	if (!cJSON_IsNumber(MEMBER(doc, "lat")) || !cJSON_IsNumber(MEMBER(doc, "lon")))
		up_error_detail(e, "lat", "lat and lon must be numbers");
	else {
		cJSON_AddNumberToObject(pos, "latitude", MEMBER(doc, "lat")->valuedouble);
		cJSON_AddNumberToObject(pos, "longitude", MEMBER(doc, "lon")->valuedouble);
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const cJSON *v = MEMBER(doc, nums[i].from);

		if (v == NULL)
			continue;
		if (!cJSON_IsNumber(v))
			up_error_detail(e, nums[i].from, "must be a number");
		else if (nums[i].known_only)
			up_tracker_add_known(pos, nums[i].to, v->valuedouble, 1);
		else
			cJSON_AddNumberToObject(pos, nums[i].to, v->valuedouble);
	}
	if ((attrs = attributes(doc)) == NULL)
		return UP_ERR_NOMEM;
	if (attrs->child != NULL)
		cJSON_AddItemToObject(pos, "attributes", attrs);
	else
		cJSON_Delete(attrs);
	if (up_error_ndetails(e) > 0)
		return up_error_set(e, UP_ERR_VALIDATION,
		                    "The report breaks field rules; see details");
	return UP_OK;
}
