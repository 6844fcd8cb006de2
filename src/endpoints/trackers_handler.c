/* SPDX-License-Identifier: ISC */
/*
 * trackers_handler.c: /api/trackers/osmand, /owntracks and /overland.  Each
 * request is decoded by its protocol's decoder (tracker_decode.h) into our
 * position and alert documents, which then take the path of POST
 * /api/devices/{id}/locations: the same checks (up_positions_check), the
 * one position store (atomic batches, resends skipped, lastLocation by the
 * newest fix).  The device is the one the request names, by uniqueId, else
 * by IMEI, or the one a bound token reports for.  Success answers are what
 * each app expects; errors are our JSON errors.
 */
#include <string.h>
#include <time.h>
#include "device_store.h"
#include "position.h"
#include "position_store.h"
#include "request_io.h"
#include "tracker_decode.h"
#include "tracker_device.h"
#include "trackers.h"

enum proto { P_OSMAND, P_OWNTRACKS, P_OVERLAND };

static const char *const json_only[] = {"application/json", NULL};
static const char form_type[] = "application/x-www-form-urlencoded";

/* Decode the request by its protocol into *r. */
static enum up_err decode(const struct up_call *call, enum proto p, time_t now,
                          struct up_track_report *r, struct up_error *e)
{
	const struct up_request *req = call->req;
	const char *ct = req->content_type;
	cJSON *doc = NULL;
	enum up_err rc;

	memset(r, 0, sizeof(*r));
	if (p == P_OSMAND && (ct == NULL || strcmp(ct, "application/json") != 0)) {
		if (req->body_len > 0 && (ct == NULL || strcmp(ct, form_type) != 0))
			return up_error_set(e, UP_ERR_MEDIA_TYPE,
			                    "Content-Type must be %s or application/json",
			                    form_type);
		return up_tracker_osmand_form(req->query, req->body_len > 0 ? req->body : NULL, now,
		                              r, e);
	}
	/* Overland's batches are read in place: no tree of their GeoJSON. */
	if (p == P_OVERLAND) {
		rc = up_req_json_text(call, json_only, e);
		return rc == UP_OK ? up_tracker_overland_text(req->body, req->body_len, now, r, e)
		                   : rc;
	}
	rc = up_req_json_body(call, json_only, &doc, e);
	if (rc == UP_OK)
		rc = p == P_OSMAND ? up_tracker_osmand_json(doc, now, r, e)
		                   : up_tracker_owntracks(doc, req->limit_d, now, r, e);
	cJSON_Delete(doc);
	return rc;
}

/*
 * Store what r reports for device: its positions and its alert (if any) in
 * one transaction; both are checked before anything is stored.
 */
static enum up_err store(struct up_ctx *ctx, uint64_t device, const char *unique_id,
                         const struct up_track_report *r, time_t now, const char *request_id,
                         struct up_error *e)
{
	struct up_position *p = NULL;
	struct up_alert a;
	struct up_report rep = {.request_id = request_id, .unique_id = unique_id};
	size_t n = 0;
	int has_alert = 0;
	enum up_err rc;

	memset(&a, 0, sizeof(a));
	/* One fix is checked as one position: its details carry no index. */
	rc = up_positions_check(r->batch ? r->positions : r->positions->child, now,
	                        ctx->cfg->max_future_fix, &p, &n, e);
	if (rc == UP_OK && r->alert != NULL) {
		rc = up_alert_check(r->alert, now, ctx->cfg->max_future_fix, &a, e);
		has_alert = rc == UP_OK;
	}
	if (rc == UP_ERR_VALIDATION)
		up_error_set(e, rc,
		             "The report breaks field rules; nothing was stored; see details");
	if (rc == UP_OK) {
		rep.p = p;
		rep.n = n;
		rep.alert = has_alert ? &a : NULL;
		rc = up_report_store(ctx->db, ctx->auth.tenant_id, device, &rep);
	}
	if (rc == UP_ERR_NOT_FOUND)
		rc = up_error_set(e, UP_ERR_DEVICE_NOT_FOUND, NULL);
	up_positions_free(p, n);
	if (has_alert)
		up_alert_free(&a);
	return rc;
}

/*
 * The device of r, then r stored for it.  A device remembered by uniqueId
 * is checked by the store; when it is no longer that one, it is forgotten
 * and the device looked up again.
 */
static enum up_err locate_and_store(struct up_call *call, const struct up_track_report *r,
                                    time_t now, struct up_error *e)
{
	const char *rid = call->req->request_id;
	uint64_t device = 0;
	int cached = 0;
	enum up_err rc;

	rc = up_tracker_device_of(call->ctx, r->device, rid, &device, &cached, e);
	if (rc == UP_OK)
		rc = store(call->ctx, device, cached ? r->device : NULL, r, now, rid, e);
	if (rc != UP_ERR_DEVICE_NOT_FOUND || !cached)
		return rc;
	up_tracker_device_forget(call->ctx->auth.tenant_id, r->device);
	up_error_reset(e);
	rc = up_tracker_device_of(call->ctx, r->device, rid, &device, &cached, e);
	if (rc == UP_OK)
		rc = store(call->ctx, device, NULL, r, now, rid, e);
	return rc;
}

/* The success answer each app expects. */
static void answer(struct up_call *call, enum proto p)
{
	cJSON *body = NULL;

	if (p == P_OWNTRACKS)
		body = cJSON_CreateArray();
	else if (p == P_OVERLAND && (body = cJSON_CreateObject()) != NULL &&
	         cJSON_AddStringToObject(body, "result", "ok") == NULL) {
		cJSON_Delete(body);
		body = NULL;
	}
	if (p != P_OSMAND && body == NULL) {
		struct up_error e = {0};

		up_error_set(&e, UP_ERR_NOMEM, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
		return;
	}
	up_reply_app(call, 200, body);
	cJSON_Delete(body);
}

static void report(struct up_call *call, enum proto p)
{
	struct up_track_report r;
	struct up_error e = {0};
	time_t now = time(NULL);
	enum up_err rc;

	rc = decode(call, p, now, &r, &e);
	/* OwnTracks' other messages (transition, lwt, ...) store nothing. */
	if (rc == UP_OK && r.positions != NULL)
		rc = locate_and_store(call, &r, now, &e);
	if (rc != UP_OK) {
		if (e.code != rc) {
			up_error_reset(&e);
			up_error_set(&e, rc, NULL);
		}
		up_ctx_fail(call->ctx, call->resp, &e);
	} else {
		answer(call, p);
	}
	up_track_report_free(&r);
}

static void osmand(struct up_call *call)
{
	report(call, P_OSMAND);
}

static void owntracks(struct up_call *call)
{
	report(call, P_OWNTRACKS);
}

static void overland(struct up_call *call)
{
	report(call, P_OVERLAND);
}

#define OPTIONS UP_MB(UP_M_OPTIONS)
/* Apps give the token as Bearer, as HTTP Basic's password, or as ?key= (here only). */
#define APP UP_ROUTE_APP_AUTH
#define POST (UP_MB(UP_M_POST) | UP_ROUTE_BATCH | APP)
#define REPORT UP_SCOPE_DEVICES_REPORT

static const struct up_route routes[] = {
        {"/api/trackers/osmand/", UP_MB(UP_M_GET) | POST, REPORT, osmand, NULL},
        {"/api/trackers/osmand/", OPTIONS, 0, NULL, NULL},
        {"/api/trackers/owntracks/", POST, REPORT, owntracks, NULL},
        {"/api/trackers/owntracks/", OPTIONS, 0, NULL, NULL},
        {"/api/trackers/overland/", POST, REPORT, overland, NULL},
        {"/api/trackers/overland/", OPTIONS, 0, NULL, NULL},
        /* The family's path and any other name under it: OPTIONS only (the rest 405). */
        {"/api/trackers/", OPTIONS, 0, NULL, NULL},
        {"/api/trackers/{id}", OPTIONS, 0, NULL, NULL},
};

const struct up_routes up_trackers_routes = {routes, sizeof(routes) / sizeof(routes[0]), NULL};

void up_trackers_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	up_route_dispatch(&up_trackers_routes, ctx, req, resp);
}
