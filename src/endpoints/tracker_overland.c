/* SPDX-License-Identifier: ISC */
/*
 * tracker_overland.c: Overland's batches: {"locations": [{"type": "Feature",
 * "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties":
 * {"timestamp", "altitude", "speed" (m/s), "course", "horizontal_accuracy",
 * "battery_level" (0-1), "battery_state", "motion": [...], "wifi",
 * "device_id", ...}}, ...]}.  The device is the first point's device_id.
 */
#include <math.h>
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
#define SPEED 1 /* nums[SPEED] is in m/s */
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

/*
 * Member name (a string constant, never copied or freed: a batch is 1,000
 * points, and each copy is an allocation) of o as number v; 0, or -1 (memory).
 */
static int add_num(cJSON *o, const char *name, double v)
{
	cJSON *n = cJSON_CreateNumber(v);

	if (n == NULL || !cJSON_AddItemToObjectCS(o, name, n)) {
		cJSON_Delete(n);
		return -1;
	}
	return 0;
}

/* The other properties as attributes; arrays of strings (motion) joined by ",". */
static void attributes(cJSON *pos, const cJSON *props)
{
	cJSON *attrs = NULL;
	const cJSON *x, *y;

	cJSON_ArrayForEach(x, props)
	{
		char buf[256] = "";

		if (is_own(x->string) || !(cJSON_IsString(x) || cJSON_IsNumber(x) ||
		                           cJSON_IsBool(x) || cJSON_IsArray(x)))
			continue;
		/* Made at the first attribute: most points of a batch have none. */
		if (attrs == NULL && (attrs = cJSON_CreateObject()) == NULL)
			return;
		if (!cJSON_IsArray(x)) {
			cJSON_AddItemToObject(attrs, x->string, cJSON_Duplicate(x, 0));
			continue;
		}
		cJSON_ArrayForEach(y, x) if (cJSON_IsString(y) &&
		                             strlen(buf) + strlen(y->valuestring) + 2 < sizeof(buf))
		{
			if (buf[0] != '\0')
				strcat(buf, ",");
			strcat(buf, y->valuestring);
		}
		cJSON_AddStringToObject(attrs, x->string, buf);
	}
	if (attrs != NULL)
		cJSON_AddItemToObjectCS(pos, "attributes", attrs);
}

/* The members of a point's properties that are ours, found in one walk. */
struct props {
	const cJSON *ts, *num[NNUMS];
	int others; /* 1 when some member may be an attribute */
};

/* One walk over props (the first of duplicate names counts, as in a lookup). */
static void sort_props(const cJSON *props, struct props *pp)
{
	const cJSON *x;
	size_t k;

	memset(pp, 0, sizeof(*pp));
	cJSON_ArrayForEach(x, props)
	{
		if (strcmp(x->string, "timestamp") == 0) {
			if (pp->ts == NULL)
				pp->ts = x;
			continue;
		}
		if (strcmp(x->string, "device_id") == 0)
			continue;
		for (k = 0; k < NNUMS && strcmp(x->string, nums[k].from) != 0; k++)
			;
		if (k == NNUMS)
			pp->others = 1;
		else if (pp->num[k] == NULL)
			pp->num[k] = x;
	}
}

/* Point i as a position document (added to out->positions); 0, or -1 (memory). */
static int point(const cJSON *f, long i, struct up_track_report *out, struct up_error *e)
{
	const cJSON *props = MEMBER(f, "properties");
	const cJSON *c = MEMBER(MEMBER(f, "geometry"), "coordinates");
	const cJSON *lon = c != NULL ? c->child : NULL, *lat = lon != NULL ? lon->next : NULL;
	cJSON *pos = cJSON_CreateObject(), *t;
	struct props pp;
	char text[48];
	size_t k;

	if (pos == NULL)
		return -1;
	cJSON_AddItemToArray(out->positions, pos);
	sort_props(cJSON_IsObject(props) ? props : NULL, &pp);
	if (!cJSON_IsString(pp.ts) || up_tracker_time(pp.ts->valuestring, text, sizeof(text)) != 0)
		up_error_detail_at(e, i, "properties.timestamp", "must be an RFC 3339 date-time");
	else if ((t = cJSON_CreateString(text)) == NULL ||
	         !cJSON_AddItemToObjectCS(pos, "time", t)) {
		cJSON_Delete(t);
		return -1;
	}
	if (!cJSON_IsNumber(lon) || !cJSON_IsNumber(lat))
		up_error_detail_at(e, i, "geometry.coordinates", "must be [longitude, latitude]");
	else if (add_num(pos, "latitude", lat->valuedouble) != 0 ||
	         add_num(pos, "longitude", lon->valuedouble) != 0)
		return -1;
	for (k = 0; k < NNUMS; k++) {
		const cJSON *v = pp.num[k];
		double raw, d;

		if (v == NULL || cJSON_IsNull(v))
			continue;
		if (!cJSON_IsNumber(v)) {
			up_error_detail_at(e, i, nums[k].from, "must be a number");
			continue;
		}
		raw = v->valuedouble;
		d = raw * (k == SPEED ? UP_MPS_KMH : 1);
		/* A negative speed, course or accuracy is Overland's "unknown": left out. */
		if ((!nums[k].known_only || (isfinite(raw) && raw >= 0)) &&
		    add_num(pos, nums[k].to, d) != 0)
			return -1;
	}
	if (pp.others)
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
