/* SPDX-License-Identifier: ISC */
/*
 * tracker_overland.c: Overland's batches: {"locations": [{"type": "Feature",
 * "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties":
 * {"timestamp", "altitude", "speed" (m/s), "course", "horizontal_accuracy",
 * "battery_level" (0-1), "battery_state", "motion": [...], "wifi",
 * "device_id", ...}}, ...]}.  The device is the first point's device_id.
 *
 * A batch is up to 1,000 points, and a tree of its GeoJSON costs more than
 * the rest of the request: the body's text (already validated) is read in
 * place (json_cursor.h) straight into position documents.  Of duplicate
 * names the first counts, as in a lookup.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json_cursor.h"
#include "position.h"
#include "tracker_decode.h"

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

/* The members of a point that are ours, found in one walk each (value pointers, or NULL). */
struct point {
	const char *props, *lon, *lat, *ts, *num[NNUMS];
	int others; /* 1 when some property may be an attribute */
};

static int is_number(const char *v)
{
	return v != NULL && (*v == '-' || (*v >= '0' && *v <= '9'));
}

/* The value of the first member named name of the object at v, or NULL. */
static const char *member(const char *v, const char *end, const char *name)
{
	struct up_jc_iter it;
	const char *k, *x;

	if (v == NULL || *v != '{')
		return NULL;
	up_jc_open(&it, v, end);
	while (up_jc_next(&it, &k, &x))
		if (up_jc_is(k, name))
			return x;
	return NULL;
}

/* 1 if the property named k is ours (or the time or device). */
static int is_own(const char *k)
{
	size_t i;

	for (i = 0; i < NNUMS; i++)
		if (up_jc_is(k, nums[i].from))
			return 1;
	return up_jc_is(k, "timestamp") || up_jc_is(k, "device_id");
}

/* The name at k into buf ("" when longer than any of ours); 0, or -1 (memory). */
static int name_of(const char *k, char *buf, size_t len)
{
	int rc = up_jc_key(k, buf, len);

	if (rc == 0)
		buf[0] = '\0';
	return rc < 0 ? -1 : 0;
}

/* The properties at v (an object) sorted into pt; the byte after them, or NULL (memory). */
static const char *read_props(const char *v, const char *end, struct point *pt)
{
	struct up_jc_iter it;
	const char *k, *x;
	char name[32];
	size_t i;

	up_jc_open(&it, v, end);
	while (up_jc_next(&it, &k, &x)) {
		if (name_of(k, name, sizeof(name)) != 0)
			return NULL;
		if (strcmp(name, "timestamp") == 0) {
			if (pt->ts == NULL)
				pt->ts = x;
			continue;
		}
		if (strcmp(name, "device_id") == 0)
			continue;
		for (i = 0; i < NNUMS && strcmp(name, nums[i].from) != 0; i++)
			;
		if (i == NNUMS)
			pt->others = 1;
		else if (pt->num[i] == NULL)
			pt->num[i] = x;
	}
	return up_jc_end(&it);
}

/* The geometry at v (an object): its first two coordinates; the byte after it, or NULL. */
static const char *read_geometry(const char *v, const char *end, struct point *pt)
{
	struct up_jc_iter it, c;
	const char *k, *x, *y;
	char name[32];
	int seen = 0;

	up_jc_open(&it, v, end);
	while (up_jc_next(&it, &k, &x)) {
		if (name_of(k, name, sizeof(name)) != 0)
			return NULL;
		if (seen || strcmp(name, "coordinates") != 0)
			continue;
		seen = 1;
		if (*x != '[' && *x != '{')
			continue;
		up_jc_open(&c, x, end);
		if (up_jc_next(&c, &k, &pt->lon) && up_jc_next(&c, &k, &pt->lat))
			while (up_jc_next(&c, &k, &y))
				;
		up_jc_past(&it, up_jc_end(&c));
	}
	return up_jc_end(&it);
}

/*
 * The point at f (an object) into pt, each byte read once: its properties,
 * coordinates and own properties.  0, or -1 (memory).
 */
static int find(const char *f, const char *end, struct point *pt)
{
	struct up_jc_iter it;
	const char *k, *x, *after;
	char name[32];
	int geo = 0;

	memset(pt, 0, sizeof(*pt));
	up_jc_open(&it, f, end);
	while (up_jc_next(&it, &k, &x)) {
		if (name_of(k, name, sizeof(name)) != 0)
			return -1;
		if (pt->props == NULL && strcmp(name, "properties") == 0) {
			pt->props = x;
			if (*x != '{')
				continue;
			if ((after = read_props(x, end, pt)) == NULL)
				return -1;
			up_jc_past(&it, after);
		} else if (!geo && strcmp(name, "geometry") == 0) {
			geo = 1;
			if (*x != '{')
				continue;
			if ((after = read_geometry(x, end, pt)) == NULL)
				return -1;
			up_jc_past(&it, after);
		}
	}
	return 0;
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

/* The array at v's strings joined by "," into buf (what fits). */
static void join(const char *v, const char *end, char *buf, size_t len)
{
	struct up_jc_iter it;
	const char *k, *y;
	char *s;

	buf[0] = '\0';
	up_jc_open(&it, v, end);
	while (up_jc_next(&it, &k, &y)) {
		if (*y != '"' || (s = up_jc_string(y)) == NULL)
			continue;
		if (strlen(buf) + strlen(s) + 2 < len) {
			if (buf[0] != '\0')
				strcat(buf, ",");
			strcat(buf, s);
		}
		free(s);
	}
}

/* The property at v as an attribute value, or NULL (not one, or memory). */
static cJSON *attribute(const char *v, const char *end)
{
	char buf[256], *s;
	cJSON *a;
	double d;

	if (*v == '"') {
		if ((s = up_jc_string(v)) == NULL)
			return NULL;
		a = cJSON_CreateString(s);
		free(s);
		return a;
	}
	if (*v == 't' || *v == 'f')
		return cJSON_CreateBool(*v == 't');
	if (*v == '[') {
		join(v, end, buf, sizeof(buf));
		return cJSON_CreateString(buf);
	}
	if (is_number(v) && up_jc_number(v, end, &d) == 0)
		return cJSON_CreateNumber(d);
	return NULL;
}

/* The other properties as attributes; arrays of strings (motion) joined by ",". */
static void attributes(cJSON *pos, const char *props, const char *end)
{
	cJSON *attrs = NULL, *a;
	struct up_jc_iter it;
	const char *k, *x;
	char *name;

	up_jc_open(&it, props, end);
	while (up_jc_next(&it, &k, &x)) {
		if (is_own(k) || *x == '{' || *x == 'n')
			continue;
		/* Made at the first attribute: most points of a batch have none. */
		if (attrs == NULL && (attrs = cJSON_CreateObject()) == NULL)
			return;
		if ((a = attribute(x, end)) == NULL)
			continue;
		if ((name = up_jc_string(k)) == NULL || !cJSON_AddItemToObject(attrs, name, a))
			cJSON_Delete(a);
		free(name);
	}
	if (attrs != NULL)
		cJSON_AddItemToObjectCS(pos, "attributes", attrs);
}

/* The fix time at ts (a string) into pos; 0, 1 (not a time), or -1 (memory). */
static int add_time(cJSON *pos, const char *ts)
{
	char text[48], *s = up_jc_string(ts);
	cJSON *t;
	int bad;

	if (s == NULL)
		return -1;
	bad = up_tracker_time(s, text, sizeof(text)) != 0;
	free(s);
	if (bad)
		return 1;
	if ((t = cJSON_CreateString(text)) == NULL || !cJSON_AddItemToObjectCS(pos, "time", t)) {
		cJSON_Delete(t);
		return -1;
	}
	return 0;
}

/* The point at f (an object) as position i (added to out->positions); 0, or -1 (memory). */
static int point(const char *f, const char *end, long i, struct up_track_report *out,
                 struct up_error *e)
{
	cJSON *pos = cJSON_CreateObject();
	struct point pt;
	double lon, lat;
	size_t k;
	int rc;

	if (pos == NULL)
		return -1;
	cJSON_AddItemToArray(out->positions, pos);
	if (find(f, end, &pt) != 0)
		return -1;
	rc = pt.ts != NULL && *pt.ts == '"' ? add_time(pos, pt.ts) : 1;
	if (rc < 0)
		return -1;
	if (rc > 0)
		up_error_detail_at(e, i, "properties.timestamp", "must be an RFC 3339 date-time");
	if (!is_number(pt.lon) || !is_number(pt.lat))
		up_error_detail_at(e, i, "geometry.coordinates", "must be [longitude, latitude]");
	else if (up_jc_number(pt.lat, end, &lat) != 0 || up_jc_number(pt.lon, end, &lon) != 0 ||
	         add_num(pos, "latitude", lat) != 0 || add_num(pos, "longitude", lon) != 0)
		return -1;
	for (k = 0; k < NNUMS; k++) {
		const char *v = pt.num[k];
		double raw;

		if (v == NULL || *v == 'n')
			continue;
		if (!is_number(v)) {
			up_error_detail_at(e, i, nums[k].from, "must be a number");
			continue;
		}
		if (up_jc_number(v, end, &raw) != 0)
			return -1;
		/* A negative speed, course or accuracy is Overland's "unknown": left out. */
		if ((!nums[k].known_only || (isfinite(raw) && raw >= 0)) &&
		    add_num(pos, nums[k].to, raw * (k == SPEED ? UP_MPS_KMH : 1)) != 0)
			return -1;
	}
	if (pt.others && *pt.props == '{')
		attributes(pos, pt.props, end);
	return 0;
}

/* The device the first point names (if any) into out; UP_OK, or the error. */
static enum up_err device(const char *first, const char *end, struct up_track_report *out,
                          struct up_error *e)
{
	const char *dev = member(member(first, end, "properties"), end, "device_id");
	char *s;
	int bad;

	if (dev == NULL || *dev != '"')
		return UP_OK;
	if ((s = up_jc_string(dev)) == NULL)
		return UP_ERR_NOMEM;
	bad = up_tracker_device(out, s, "device_id", e) != 0;
	free(s);
	return bad ? UP_ERR_VALIDATION : UP_OK;
}

/* The number of elements of the array at v, counted up to UP_POS_MAX_BATCH + 1. */
static long count(const char *v, const char *end)
{
	struct up_jc_iter it;
	const char *k, *x;
	long n = 0;

	for (up_jc_open(&it, v, end); n <= UP_POS_MAX_BATCH && up_jc_next(&it, &k, &x); n++)
		;
	return n;
}

static enum up_err not_a_batch(struct up_track_report *out, struct up_error *e)
{
	cJSON_Delete(out->positions);
	out->positions = NULL;
	up_error_reset(e);
	return up_error_set(e, UP_ERR_BAD_DATA,
	                    "The body must be {\"locations\": [1 to 1000 GeoJSON Points]}");
}

/* The points of the array at locs (its first one at first); counted as they are read. */
static enum up_err points(const char *locs, const char *first, const char *end,
                          struct up_track_report *out, struct up_error *e)
{
	struct up_jc_iter it;
	const char *k, *f;
	enum up_err rc;
	long i = 0;

	if ((rc = device(first, end, out, e)) != UP_OK)
		return rc == UP_ERR_VALIDATION && count(locs, end) > UP_POS_MAX_BATCH
		               ? not_a_batch(out, e)
		               : rc;
	if ((out->positions = cJSON_CreateArray()) == NULL)
		return UP_ERR_NOMEM;
	out->batch = 1;
	for (up_jc_open(&it, locs, end); up_jc_next(&it, &k, &f); i++)
		if (i == UP_POS_MAX_BATCH)
			return not_a_batch(out, e);
		else if (*f != '{')
			up_error_detail_at(e, i, "", "must be a GeoJSON Feature");
		else if (point(f, end, i, out, e) != 0)
			return UP_ERR_NOMEM;
	if (up_error_ndetails(e) > 0)
		return up_error_set(e, UP_ERR_VALIDATION,
		                    "The report breaks field rules; see details");
	return UP_OK;
}

enum up_err up_tracker_overland_text(const char *text, size_t len, time_t now,
                                     struct up_track_report *out, struct up_error *e)
{
	const char *end = text + len, *locs, *k, *first = NULL;
	struct up_jc_iter it;

	(void)now;
	memset(out, 0, sizeof(*out));
	locs = member(up_jc_ws(text, end), end, "locations");
	if (locs != NULL && *locs == '[') {
		up_jc_open(&it, locs, end);
		if (!up_jc_next(&it, &k, &first))
			first = NULL;
	}
	if (first == NULL)
		return not_a_batch(out, e);
	return points(locs, first, end, out, e);
}

enum up_err up_tracker_overland(const cJSON *doc, time_t now, struct up_track_report *out,
                                struct up_error *e)
{
	char *text = cJSON_PrintUnformatted(doc);
	enum up_err rc;

	if (text == NULL) {
		memset(out, 0, sizeof(*out));
		return up_error_set(e, UP_ERR_NOMEM, NULL);
	}
	rc = up_tracker_overland_text(text, strlen(text), now, out, e);
	free(text);
	return rc;
}
