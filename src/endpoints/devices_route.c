/* SPDX-License-Identifier: ISC */
/*
 * devices_route.c: a device's route history in the formats map tools read,
 * chosen by Accept on GET /api/devices/{id}/locations: CSV (text/csv),
 * GPX 1.1 (application/gpx+xml, one trk of one trkseg) and GeoJSON
 * (application/geo+json: a FeatureCollection of one LineString, then one
 * Point feature a position with its properties).  Every position of the
 * from/to range, in fix-time order, read in chunks and written as read
 * (GeoJSON reads the range twice: the line, then the points).
 */
#include <stdio.h>
#include <string.h>
#include "csv.h"
#include "device_store.h"
#include "devices_internal.h"
#include "json.h"
#include "log.h"
#include "position_store.h"
#include "response_stream.h"
#include "validate.h"

#define ROUTE_CHUNK 1000

static const char *const type_of[] = {
        [UP_ROUTE_CSV] = "text/csv; charset=utf-8",
        [UP_ROUTE_GPX] = "application/gpx+xml",
        [UP_ROUTE_GEOJSON] = "application/geo+json",
};

enum up_route_format up_dev_route_format(const struct up_request *req)
{
	const char *a = req->accept;

	if (a == NULL)
		return UP_ROUTE_JSON;
	if (strstr(a, "text/csv") != NULL)
		return UP_ROUTE_CSV;
	if (strstr(a, "application/gpx+xml") != NULL)
		return UP_ROUTE_GPX;
	if (strstr(a, "application/geo+json") != NULL)
		return UP_ROUTE_GEOJSON;
	return UP_ROUTE_JSON;
}

/* Member name of o as JSON text appended to t ("" for none, unless dflt). */
static enum up_err put_json(struct up_text *t, const cJSON *o, const char *name, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char *s;
	enum up_err rc;

	if (v == NULL || cJSON_IsNull(v))
		return dflt != NULL ? up_text_str(t, dflt) : UP_OK;
	if (cJSON_IsString(v))
		return up_text_str(t, v->valuestring); /* times: digits, -, :, T, Z, . */
	s = up_json_print(v);
	if (s == NULL)
		return UP_ERR_NOMEM;
	rc = up_text_str(t, s);
	cJSON_free(s);
	return rc;
}

static enum up_err csv_point(struct up_text *t, const cJSON *p)
{
	static const char *const cols[] = {"time",  "latitude", "longitude", "altitude",
	                                   "speed", "course",   "accuracy"};
	enum up_err rc = UP_OK;
	size_t i;
	char *s;

	for (i = 0; rc == UP_OK && i < sizeof(cols) / sizeof(cols[0]); i++) {
		rc = put_json(t, p, cols[i], NULL);
		if (rc == UP_OK)
			rc = up_text_add(t, ",", 1);
	}
	s = up_json_print(cJSON_GetObjectItemCaseSensitive(p, "attributes"));
	if (rc == UP_OK && s != NULL)
		rc = up_csv_put_text(t, s, strlen(s));
	cJSON_free(s);
	return rc == UP_OK ? up_text_add(t, "\r\n", 2) : rc;
}

static enum up_err gpx_point(struct up_text *t, const cJSON *p)
{
	enum up_err rc = up_text_str(t, "<trkpt lat=\"");

	if (rc == UP_OK)
		rc = put_json(t, p, "latitude", NULL);
	if (rc == UP_OK)
		rc = up_text_str(t, "\" lon=\"");
	if (rc == UP_OK)
		rc = put_json(t, p, "longitude", NULL);
	if (rc == UP_OK)
		rc = up_text_str(t, "\">");
	if (rc == UP_OK && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "altitude"))) {
		rc = up_text_str(t, "<ele>");
		if (rc == UP_OK)
			rc = put_json(t, p, "altitude", NULL);
		if (rc == UP_OK)
			rc = up_text_str(t, "</ele>");
	}
	if (rc == UP_OK)
		rc = up_text_str(t, "<time>");
	if (rc == UP_OK)
		rc = put_json(t, p, "time", NULL);
	return rc == UP_OK ? up_text_str(t, "</time></trkpt>\n") : rc;
}

/* A coordinate pair [lon,lat] (the line) or a Point feature (pass 2). */
static enum up_err geojson_point(struct up_text *t, const cJSON *p, int feature, int first)
{
	enum up_err rc = up_text_str(t, first ? "" : ",");
	cJSON *props;
	char *s;

	if (rc == UP_OK && feature)
		rc = up_text_str(t, "\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
		                    "\"coordinates\":");
	if (rc == UP_OK)
		rc = up_text_str(t, "[");
	if (rc == UP_OK)
		rc = put_json(t, p, "longitude", NULL);
	if (rc == UP_OK)
		rc = up_text_str(t, ",");
	if (rc == UP_OK)
		rc = put_json(t, p, "latitude", NULL);
	if (rc == UP_OK)
		rc = up_text_str(t, "]");
	if (rc != UP_OK || !feature)
		return rc;
	props = cJSON_Duplicate(p, 1);
	if (props == NULL)
		return UP_ERR_NOMEM;
	cJSON_DeleteItemFromObjectCaseSensitive(props, "latitude");
	cJSON_DeleteItemFromObjectCaseSensitive(props, "longitude");
	s = up_json_print(props);
	cJSON_Delete(props);
	if (s == NULL)
		return UP_ERR_NOMEM;
	rc = up_text_str(t, "},\"properties\":");
	if (rc == UP_OK)
		rc = up_text_str(t, s);
	cJSON_free(s);
	return rc == UP_OK ? up_text_str(t, "}") : rc;
}

struct route {
	struct up_call *call;
	uint64_t device;
	const char *from, *to;
	enum up_route_format f;
	struct up_text t;
	int begun;
	size_t n;
};

/* One pass over the range; pass 1 of GeoJSON writes the points as features. */
static enum up_err pass(struct route *r, int features)
{
	struct up_ctx *ctx = r->call->ctx;
	struct up_position_query q = {r->from, r->to, NULL, ROUTE_CHUNK};
	char after[32];
	enum up_err rc = UP_OK;
	int more = 1, first = 1;

	while (rc == UP_OK && more) {
		cJSON *items = NULL, *p;
		const cJSON *last = NULL;

		rc = up_positions_range(ctx->db, ctx->auth.tenant_id, r->device, &q, &items, &more);
		if (rc == UP_OK && !r->begun) {
			rc = up_stream_begin(r->call->resp, 200, type_of[r->f]);
			r->begun = 1;
		}
		cJSON_ArrayForEach(p, items)
		{
			if (rc == UP_OK)
				rc = r->f == UP_ROUTE_CSV ? csv_point(&r->t, p)
				     : r->f == UP_ROUTE_GPX
				             ? gpx_point(&r->t, p)
				             : geojson_point(&r->t, p, features, first);
			first = 0;
			last = p;
			r->n++;
		}
		last = cJSON_GetObjectItemCaseSensitive(last, "time");
		if (rc == UP_OK && more &&
		    (!cJSON_IsString(last) ||
		     !up_valid_rfc3339(last->valuestring, after, sizeof(after))))
			rc = UP_ERR_INTERNAL;
		q.after = after;
		cJSON_Delete(items);
		if (rc == UP_OK)
			rc = up_stream_text(r->call->resp, &r->t);
	}
	return rc;
}

static enum up_err stream(struct route *r)
{
	char name[32];
	enum up_err rc = UP_OK;

	snprintf(name, sizeof(name), UP_DEVICE_PREFIX "%llu", (unsigned long long)r->device);
	if (r->f == UP_ROUTE_CSV)
		rc = up_text_str(
		        &r->t,
		        "time,latitude,longitude,altitude,speed,course,accuracy,attributes\r\n");
	else if (r->f == UP_ROUTE_GPX)
		rc = up_text_str(&r->t,
		                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx "
		                 "version=\"1.1\" creator=\"userpatch\" "
		                 "xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>");
	else
		rc = up_text_str(&r->t, "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":"
		                        "\"Feature\",\"geometry\":{\"type\":\"LineString\","
		                        "\"coordinates\":[");
	if (rc == UP_OK && r->f == UP_ROUTE_GPX) {
		rc = up_text_str(&r->t, name);
		if (rc == UP_OK)
			rc = up_text_str(&r->t, "</name><trkseg>\n");
	}
	if (rc == UP_OK)
		rc = pass(r, 0);
	if (rc == UP_OK && r->f == UP_ROUTE_GEOJSON) {
		rc = up_text_str(&r->t, "]},\"properties\":{\"deviceId\":\"");
		if (rc == UP_OK)
			rc = up_text_str(&r->t, name);
		if (rc == UP_OK)
			rc = up_text_str(&r->t, r->n > 0 ? "\"}}," : "\"}}");
		if (rc == UP_OK)
			rc = pass(r, 1);
		if (rc == UP_OK)
			rc = up_text_str(&r->t, "\n]}\n");
	} else if (rc == UP_OK && r->f == UP_ROUTE_GPX) {
		rc = up_text_str(&r->t, "</trkseg></trk>\n</gpx>\n");
	}
	if (rc == UP_OK)
		rc = up_stream_text(r->call->resp, &r->t);
	return rc;
}

enum up_err up_dev_route_stream(struct up_call *call, uint64_t device, const char *from,
                                const char *to, enum up_route_format f)
{
	struct route r = {call, device, from, to, f, {0}, 0, 0};
	enum up_err rc = stream(&r);

	up_text_free(&r.t);
	if (rc != UP_OK && r.begun) { /* the status has left: the answer ends short */
		up_log(UP_LOG_ERROR, "route of dev-%llu ended early: %s",
		       (unsigned long long)device, up_err_code(rc));
		return UP_OK;
	}
	return rc;
}
