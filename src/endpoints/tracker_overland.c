/* SPDX-License-Identifier: ISC */
/*
 * tracker_overland.c: Overland's batches: {"locations": [{"type": "Feature",
 * "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties":
 * {"timestamp", "altitude", "speed" (m/s), "course", "horizontal_accuracy",
 * "battery_level" (0-1), "battery_state", "motion": [...], "wifi",
 * "device_id", ...}}, ...]}.  The device is the first point's device_id.
 */
#include <string.h>
#include "position.h"
#include "tracker_decode.h"

#define MEMBER(o, name) cJSON_GetObjectItemCaseSensitive((o), (name))

static const struct {
	const char *from, *to;
	int known_only;
} nums[] = {
        {"altitude", "altitude", 0},
        {"speed", "speed", 1},
        {"course", "course", 1},
        {"horizontal_accuracy", "accuracy", 1},
};
#define NNUMS (sizeof(nums) / sizeof(nums[0]))

/* 1 if name has a member of ours (or is the time or device). */
static int is_own(const char *name)
{
	size_t i;

	for (i = 0; i < NNUMS; i++)
		if (strcmp(name, nums[i].from) == 0)
			return 1;
	return strcmp(name, "timestamp") == 0 || strcmp(name, "device_id") == 0;
}

/* The other properties as attributes; arrays of strings (motion) joined by ",". */
static void attributes(cJSON *pos, const cJSON *props)
{
	cJSON *attrs = cJSON_CreateObject();
	const cJSON *x, *y;

	if (attrs == NULL)
		return;
	cJSON_ArrayForEach(x, props)
	{
		char buf[256] = "";

		if (is_own(x->string))
			continue;
		if (cJSON_IsString(x) || cJSON_IsNumber(x) || cJSON_IsBool(x)) {
			cJSON_AddItemToObject(attrs, x->string, cJSON_Duplicate(x, 0));
			continue;
		}
		if (!cJSON_IsArray(x))
			continue;
		cJSON_ArrayForEach(y, x) if (cJSON_IsString(y) &&
		                             strlen(buf) + strlen(y->valuestring) + 2 < sizeof(buf))
		{
			if (buf[0] != '\0')
				strcat(buf, ",");
			strcat(buf, y->valuestring);
		}
		cJSON_AddStringToObject(attrs, x->string, buf);
	}
	if (attrs->child != NULL)
		cJSON_AddItemToObject(pos, "attributes", attrs);
	else
		cJSON_Delete(attrs);
}

/* Point i as a position document (added to out->positions); 0, or -1 (memory). */
static int point(const cJSON *f, long i, struct up_track_report *out, struct up_error *e)
{
	const cJSON *props = MEMBER(f, "properties"), *ts = MEMBER(props, "timestamp");
	const cJSON *c = MEMBER(MEMBER(f, "geometry"), "coordinates");
	cJSON *pos = cJSON_CreateObject();
	char t[48];
	size_t k;

	if (pos == NULL)
		return -1;
	cJSON_AddItemToArray(out->positions, pos);
	if (!cJSON_IsString(ts) || up_tracker_time(ts->valuestring, t, sizeof(t)) != 0)
		up_error_detail_at(e, i, "properties.timestamp", "must be an RFC 3339 date-time");
	else
		cJSON_AddStringToObject(pos, "time", t);
	if (cJSON_GetArraySize(c) < 2 || !cJSON_IsNumber(cJSON_GetArrayItem(c, 0)) ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(c, 1))) {
		up_error_detail_at(e, i, "geometry.coordinates", "must be [longitude, latitude]");
	} else {
		cJSON_AddNumberToObject(pos, "latitude", cJSON_GetArrayItem(c, 1)->valuedouble);
		cJSON_AddNumberToObject(pos, "longitude", cJSON_GetArrayItem(c, 0)->valuedouble);
	}
	for (k = 0; k < NNUMS; k++) {
		const cJSON *v = MEMBER(props, nums[k].from);
		double factor = strcmp(nums[k].from, "speed") == 0 ? UP_MPS_KMH : 1;

		if (v == NULL || cJSON_IsNull(v))
			continue;
		if (!cJSON_IsNumber(v))
			up_error_detail_at(e, i, nums[k].from, "must be a number");
		else if (nums[k].known_only)
			up_tracker_add_known(pos, nums[k].to, v->valuedouble, factor);
		else
			cJSON_AddNumberToObject(pos, nums[k].to, v->valuedouble * factor);
	}
	attributes(pos, props);
	return 0;
}

enum up_err up_tracker_overland(const cJSON *doc, time_t now, struct up_track_report *out,
                                struct up_error *e)
{
	const cJSON *locs = MEMBER(doc, "locations"), *f, *dev;
	long i = 0;
	int n;

	(void)now;
	memset(out, 0, sizeof(*out));
	n = cJSON_GetArraySize(locs);
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(locs) || n < 1 || n > UP_POS_MAX_BATCH)
		return up_error_set(e, UP_ERR_BAD_DATA,
		                    "The body must be {\"locations\": [1 to 1000 GeoJSON Points]}");
	dev = MEMBER(MEMBER(locs->child, "properties"), "device_id");
	if (cJSON_IsString(dev) && up_tracker_device(out, dev->valuestring, "device_id", e) != 0)
		return UP_ERR_VALIDATION;
	if ((out->positions = cJSON_CreateArray()) == NULL)
		return UP_ERR_NOMEM;
	out->batch = 1;
	cJSON_ArrayForEach(f, locs)
	{
		if (!cJSON_IsObject(f))
			up_error_detail_at(e, i, "", "must be a GeoJSON Feature");
		else if (point(f, i, out, e) != 0)
			return UP_ERR_NOMEM;
		i++;
	}
	if (up_error_ndetails(e) > 0)
		return up_error_set(e, UP_ERR_VALIDATION,
		                    "The report breaks field rules; see details");
	return UP_OK;
}
