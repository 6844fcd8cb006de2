/* SPDX-License-Identifier: ISC */
/*
 * tracker_osmand_form.c: the OsmAnd protocol as a query string or a form
 * body, as Traccar Client (Android, before 9), GPSLogger and OsmAnd send it
 * (see tracker_decode.h).  Speed is in knots here.
 */
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "tracker_decode.h"

/* What a key means; anything not listed becomes an attribute. */
enum osm_key {
	K_ID,
	K_LAT,
	K_LON,
	K_LOCATION,
	K_TIME,
	K_SPEED,
	K_COURSE,
	K_ALT,
	K_ACC,
	K_HDOP,
	K_BATT,
	K_CHARGE,
	K_ALARM,
	K_CELL,
	K_WIFI,
	K_KEY,
	K__N
};

static const struct {
	const char *name;
	enum osm_key key;
} osm_keys[] = {
        {"id", K_ID},        {"deviceid", K_ID},       {"lat", K_LAT},
        {"lon", K_LON},      {"location", K_LOCATION}, {"timestamp", K_TIME},
        {"speed", K_SPEED},  {"bearing", K_COURSE},    {"heading", K_COURSE},
        {"altitude", K_ALT}, {"accuracy", K_ACC},      {"hacc", K_ACC},
        {"hdop", K_HDOP},    {"batt", K_BATT},         {"charge", K_CHARGE},
        {"alarm", K_ALARM},  {"cell", K_CELL},         {"wifi", K_WIFI},
        {"key", K_KEY},
};
#define NKEYS (sizeof(osm_keys) / sizeof(osm_keys[0]))

/* The values of one request: the last of each key; cell and wifi joined by ";". */
struct osm_req {
	char *v[K__N]; /* owned */
	cJSON *attrs;  /* the other keys */
	struct up_error *e;
};

/* Append value to *to with ";" between; 0 or -1 (memory). */
static int join(char **to, const char *value)
{
	size_t a = *to != NULL ? strlen(*to) : 0, b = strlen(value);
	char *s = realloc(*to, a + b + 2);

	if (s == NULL)
		return -1;
	if (a > 0)
		s[a++] = ';';
	memcpy(s + a, value, b + 1);
	*to = s;
	return 0;
}

/* An unknown key as an attribute: a number, true/false, or the text. */
static int add_attr(cJSON *attrs, const char *name, const char *value)
{
	double d;

	cJSON_DeleteItemFromObjectCaseSensitive(attrs, name);
	if (up_tracker_number(value, &d) == 0)
		return cJSON_AddNumberToObject(attrs, name, d) != NULL ? 0 : -1;
	if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
		return cJSON_AddBoolToObject(attrs, name, value[0] == 't') != NULL ? 0 : -1;
	return cJSON_AddStringToObject(attrs, name, value) != NULL ? 0 : -1;
}

/* One decoded pair. */
static enum up_err take(struct osm_req *r, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		enum osm_key k = osm_keys[i].key;

		if (strcmp(name, osm_keys[i].name) != 0)
			continue;
		if (k == K_CELL || k == K_WIFI)
			return join(&r->v[k], value) == 0 ? UP_OK : UP_ERR_NOMEM;
		free(r->v[k]);
		r->v[k] = strdup(value);
		return r->v[k] != NULL ? UP_OK : UP_ERR_NOMEM;
	}
	if (name[0] == '\0')
		return UP_OK;
	return add_attr(r->attrs, name, value) == 0 ? UP_OK : UP_ERR_NOMEM;
}

/* Every pair of a query or form text s (borrowed). */
static enum up_err take_all(struct osm_req *r, const char *s)
{
	char *copy, *pair, *save = NULL;
	enum up_err rc = UP_OK;

	if (s == NULL || s[0] == '\0')
		return UP_OK;
	copy = strdup(s);
	if (copy == NULL)
		return UP_ERR_NOMEM;
	for (pair = strtok_r(copy, "&", &save); pair != NULL && rc == UP_OK;
	     pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '='), *value = eq != NULL ? eq + 1 : pair + strlen(pair);

		if (eq != NULL)
			*eq = '\0';
		if (up_percent_decode(pair, 1) != 0 || up_percent_decode(value, 1) != 0)
			rc = up_error_set(r->e, UP_ERR_BAD_REQUEST,
			                  "The query or form is not valid percent-encoding");
		else
			rc = take(r, pair, value);
	}
	free(copy);
	return rc;
}

/* Number of key k into o as name (times factor; negative dropped when known_only). */
static void put_num(struct osm_req *r, cJSON *o, enum osm_key k, const char *name, double factor,
                    int known_only)
{
	double d;

	if (r->v[k] == NULL)
		return;
	if (up_tracker_number(r->v[k], &d) != 0) {
		up_error_detail(r->e, name, "must be a number");
		return;
	}
	if (known_only)
		up_tracker_add_known(o, name, d, factor);
	else
		cJSON_AddNumberToObject(o, name, d * factor);
}

/* The coordinates: lat and lon, or location=lat,lon. */
static void put_coords(struct osm_req *r, cJSON *pos)
{
	double lat, lon;
	char *comma;

	if (r->v[K_LAT] == NULL && r->v[K_LOCATION] != NULL &&
	    (comma = strchr(r->v[K_LOCATION], ',')) != NULL) {
		*comma = '\0';
		free(r->v[K_LON]);
		r->v[K_LAT] = strdup(r->v[K_LOCATION]);
		r->v[K_LON] = strdup(comma + 1);
		*comma = ',';
	}
	if (r->v[K_LAT] == NULL || r->v[K_LON] == NULL) {
		up_error_detail(r->e, "lat", "lat and lon (or location=lat,lon) are required");
		return;
	}
	if (up_tracker_number(r->v[K_LAT], &lat) != 0)
		up_error_detail(r->e, "lat", "must be a number");
	else
		cJSON_AddNumberToObject(pos, "latitude", lat);
	if (up_tracker_number(r->v[K_LON], &lon) != 0)
		up_error_detail(r->e, "lon", "must be a number");
	else
		cJSON_AddNumberToObject(pos, "longitude", lon);
}

/* The position document of the request. */
static cJSON *position(struct osm_req *r, time_t now)
{
	cJSON *pos = cJSON_CreateObject();
	char t[48];

	if (pos == NULL)
		return NULL;
	if (r->v[K_TIME] != NULL ? up_tracker_time(r->v[K_TIME], t, sizeof(t))
	                         : up_tracker_epoch((double)now, t, sizeof(t)))
		up_error_detail(r->e, "timestamp",
		                "must be epoch seconds or milliseconds, RFC 3339, or "
		                "yyyy-MM-dd HH:mm:ss (UTC)");
	else
		cJSON_AddStringToObject(pos, "time", t);
	put_coords(r, pos);
	put_num(r, pos, K_ALT, "altitude", 1, 0);
	put_num(r, pos, K_SPEED, "speed", UP_KNOTS_KMH, 1);
	put_num(r, pos, K_COURSE, "course", 1, 1);
	put_num(r, pos, K_ACC, "accuracy", 1, 1);
	put_num(r, r->attrs, K_HDOP, "hdop", 1, 1);
	put_num(r, r->attrs, K_BATT, "batteryLevel", 1, 1);
	if (r->v[K_CHARGE] != NULL)
		add_attr(r->attrs, "charge", r->v[K_CHARGE]);
	if (r->v[K_ALARM] != NULL)
		cJSON_AddStringToObject(r->attrs, "alarm", r->v[K_ALARM]);
	if (r->v[K_CELL] != NULL)
		cJSON_AddStringToObject(r->attrs, "cell", r->v[K_CELL]);
	if (r->v[K_WIFI] != NULL)
		cJSON_AddStringToObject(r->attrs, "wifi", r->v[K_WIFI]);
	if (r->attrs->child != NULL) {
		cJSON_AddItemToObject(pos, "attributes", r->attrs);
		r->attrs = NULL;
	}
	return pos;
}

enum up_err up_tracker_osmand_form(const char *query, const char *form, time_t now,
                                   struct up_track_report *out, struct up_error *e)
{
	struct osm_req r;
	cJSON *pos = NULL;
	enum up_err rc;
	size_t k;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.e = e;
	r.attrs = cJSON_CreateObject();
	rc = r.attrs != NULL ? UP_OK : UP_ERR_NOMEM;
	if (rc == UP_OK)
		rc = take_all(&r, query);
	if (rc == UP_OK)
		rc = take_all(&r, form);
	if (rc == UP_OK && r.v[K_ID] != NULL && up_tracker_device(out, r.v[K_ID], "id", e) != 0)
		rc = UP_ERR_VALIDATION;
	if (rc == UP_OK && (pos = position(&r, now)) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK && up_error_ndetails(e) > 0)
		rc = up_error_set(e, UP_ERR_VALIDATION,
		                  "The report breaks field rules; see details");
	if (rc == UP_OK && (out->positions = cJSON_CreateArray()) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK && r.v[K_ALARM] != NULL && up_tracker_alert(out, r.v[K_ALARM], pos) != 0)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK) {
		cJSON_AddItemToArray(out->positions, pos);
		pos = NULL;
	}
	cJSON_Delete(pos);
	cJSON_Delete(r.attrs);
	for (k = 0; k < K__N; k++)
		free(r.v[k]);
	return rc;
}
