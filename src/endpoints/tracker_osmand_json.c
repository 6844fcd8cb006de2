/* SPDX-License-Identifier: ISC */
/*
 * tracker_osmand_json.c: the OsmAnd protocol's JSON body, as Traccar Client
 * 9 sends it: {"device_id", "location": {"timestamp", "coords": {latitude,
 * longitude, speed (m/s), heading, accuracy, altitude}, "battery": {level
 * (0-1), is_charging}, "is_moving", "odometer", "event", "activity":
 * {"type"}, "extras": {...}}}; "location" may also be an array of them.
 */
#include <string.h>
#include "position.h"
#include "tracker_decode.h"

#define MEMBER(o, name) cJSON_GetObjectItemCaseSensitive((o), (name))

/* Number member name of o into to as as (times factor; negative dropped when known_only). */
static void num(cJSON *to, const char *as, const cJSON *o, const char *name, double factor,
                int known_only, long index, struct up_error *e)
{
	const cJSON *v = MEMBER(o, name);

	if (v == NULL || cJSON_IsNull(v))
		return;
	if (!cJSON_IsNumber(v)) {
		up_error_detail_at(e, index, name, "must be a number");
		return;
	}
	if (known_only)
		up_tracker_add_known(to, as, v->valuedouble, factor);
	else
		cJSON_AddNumberToObject(to, as, v->valuedouble * factor);
}

/* A scalar member name of o copied to attrs as as. */
static void scalar(cJSON *attrs, const char *as, const cJSON *o, const char *name)
{
	const cJSON *v = MEMBER(o, name);

	if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
		cJSON_AddItemToObject(attrs, as, cJSON_Duplicate(v, 0));
}

/* One location object as a position document; NULL when memory ran out. */
static cJSON *one(const cJSON *loc, time_t now, long index, struct up_error *e)
{
	const cJSON *coords = MEMBER(loc, "coords"), *ts = MEMBER(loc, "timestamp");
	const cJSON *battery = MEMBER(loc, "battery"), *extras = MEMBER(loc, "extras"), *x;
	cJSON *pos = cJSON_CreateObject(), *attrs = cJSON_CreateObject();
	char t[48];

	if (pos == NULL || attrs == NULL) {
		cJSON_Delete(pos);
		cJSON_Delete(attrs);
		return NULL;
	}
	if (ts == NULL           ? up_tracker_epoch((double)now, t, sizeof(t))
	    : cJSON_IsString(ts) ? up_tracker_time(ts->valuestring, t, sizeof(t))
	    : cJSON_IsNumber(ts) ? up_tracker_epoch(ts->valuedouble >= 1e11 ? ts->valuedouble / 1000
	                                                                    : ts->valuedouble,
	                                            t, sizeof(t))
	                         : -1)
		up_error_detail_at(e, index, "timestamp", "must be RFC 3339 or epoch time");
	else
		cJSON_AddStringToObject(pos, "time", t);
	if (!cJSON_IsObject(coords) || !cJSON_IsNumber(MEMBER(coords, "latitude")) ||
	    !cJSON_IsNumber(MEMBER(coords, "longitude")))
		up_error_detail_at(e, index, "coords", "must hold latitude and longitude numbers");
	num(pos, "latitude", coords, "latitude", 1, 0, index, e);
	num(pos, "longitude", coords, "longitude", 1, 0, index, e);
	num(pos, "altitude", coords, "altitude", 1, 0, index, e);
	num(pos, "speed", coords, "speed", UP_MPS_KMH, 1, index, e);
	num(pos, "course", coords, "heading", 1, 1, index, e);
	num(pos, "accuracy", coords, "accuracy", 1, 1, index, e);
	num(attrs, "batteryLevel", battery, "level", 100, 1, index, e);
	scalar(attrs, "charge", battery, "is_charging");
	scalar(attrs, "motion", loc, "is_moving");
	scalar(attrs, "odometer", loc, "odometer");
	scalar(attrs, "event", loc, "event");
	scalar(attrs, "activity", MEMBER(loc, "activity"), "type");
	cJSON_ArrayForEach(x, extras) scalar(attrs, x->string, extras, x->string);
	if (attrs->child != NULL)
		cJSON_AddItemToObject(pos, "attributes", attrs);
	else
		cJSON_Delete(attrs);
	return pos;
}

enum up_err up_tracker_osmand_json(const cJSON *doc, time_t now, struct up_track_report *out,
                                   struct up_error *e)
{
	const cJSON *dev = MEMBER(doc, "device_id"), *loc = MEMBER(doc, "location"), *l;
	long i = 0, n;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc) || !(cJSON_IsObject(loc) || cJSON_IsArray(loc)))
		return up_error_set(e, UP_ERR_BAD_DATA,
		                    "The body must be an object with a \"location\" object");
	n = cJSON_IsArray(loc) ? cJSON_GetArraySize(loc) : 1;
	if (n < 1 || n > UP_POS_MAX_BATCH)
		return up_error_set(e, UP_ERR_BAD_DATA,
		                    "\"location\" must hold 1 to 1000 locations");
	if (dev != NULL && !cJSON_IsString(dev))
		up_error_detail(e, "device_id", "must be a string");
	else if (dev != NULL && up_tracker_device(out, dev->valuestring, "device_id", e) != 0)
		return UP_ERR_VALIDATION;
	out->positions = cJSON_CreateArray();
	if (out->positions == NULL)
		return UP_ERR_NOMEM;
	out->batch = cJSON_IsArray(loc);
	for (l = cJSON_IsArray(loc) ? loc->child : loc; l != NULL;
	     l = cJSON_IsArray(loc) ? l->next : NULL, i++) {
		cJSON *pos = cJSON_IsObject(l) ? one(l, now, cJSON_IsArray(loc) ? i : -1, e) : NULL;

		if (!cJSON_IsObject(l))
			up_error_detail_at(e, i, "location", "must be an object");
		else if (pos == NULL)
			return UP_ERR_NOMEM;
		else
			cJSON_AddItemToArray(out->positions, pos);
	}
	if (up_error_ndetails(e) > 0)
		return up_error_set(e, UP_ERR_VALIDATION,
		                    "The report breaks field rules; see details");
	return UP_OK;
}
