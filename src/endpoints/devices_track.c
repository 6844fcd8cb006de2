/* SPDX-License-Identifier: ISC */
/*
 * devices_track.c: what trackers report and what is read back: positions
 * (POST and GET .../locations, GET .../lastLocation) and alerts (POST and
 * GET .../alerts).  Bodies are checked as a whole before the database is
 * touched; a batch is stored in one transaction or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "device_store.h"
#include "devices_internal.h"
#include "parse.h"
#include "position.h"
#include "position_store.h"
#include "request_io.h"
#include "resource.h"
#include "user_store.h"

#define LOCATIONS_DEFAULT_LIMIT 100
#define ALERTS_DEFAULT_LIMIT 50
#define ALERTS_MAX_LIMIT 500

/* What trackers post: JSON only. */
static const char *const json_only[] = {"application/json", NULL};

/*
 * Answer the error rc: e as it was filled, or, when e does not say rc yet,
 * rc's own sentence ("Device not found" for a device of no tenant's).
 */
static void fail(struct up_call *call, enum up_err rc, struct up_error *e)
{
	if (e->code != rc) {
		up_error_reset(e);
		up_error_set(e, rc, rc == UP_ERR_NOT_FOUND ? "Device not found" : NULL);
	}
	up_ctx_fail(call->ctx, call->resp, e);
}

/*
 * The device a report token may write: any of the tenant, or only the one
 * it is bound to (UP_ERR_WRONG_DEVICE for another).
 */
static enum up_err may_report(const struct up_call *call, uint64_t device)
{
	uint64_t bound = call->ctx->auth.device_id;

	return bound == 0 || bound == device ? UP_OK : UP_ERR_WRONG_DEVICE;
}

/* The device of the call's {id} into *device; else UP_ERR_NOT_FOUND. */
static enum up_err device_of(const struct up_call *call, uint64_t *device)
{
	struct up_key k;

	if (call->id == NULL || up_resource_parse_key(&up_device_resource, call->id, &k) != UP_OK)
		return UP_ERR_NOT_FOUND;
	*device = k.id;
	return UP_OK;
}

/* {"deviceId": ...}, the head of every answer; NULL when memory ran out. */
static cJSON *device_body(uint64_t device)
{
	cJSON *o = cJSON_CreateObject();
	char id[32];

	snprintf(id, sizeof(id), UP_DEVICE_PREFIX "%llu", (unsigned long long)device);
	if (o != NULL && cJSON_AddStringToObject(o, "deviceId", id) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Move every member of from (freed) to the end of to. */
static void move_members(cJSON *to, cJSON *from)
{
	while (from->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(from, from->child);

		cJSON_AddItemToObject(to, item->string, item);
	}
	cJSON_Delete(from);
}

void up_dev_last_location(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_error e = {0};
	uint64_t device = 0;
	cJSON *pos = NULL, *body = NULL;
	enum up_err rc;

	rc = device_of(call, &device);
	if (rc == UP_OK)
		rc = up_req_params(call, NULL, 0, NULL, &e);
	if (rc == UP_OK)
		rc = up_position_last(ctx->db, ctx->auth.tenant_id, device, &pos);
	if (rc == UP_OK && (body = device_body(device)) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc != UP_OK) {
		cJSON_Delete(pos);
		fail(call, rc, &e);
		return;
	}
	move_members(body, pos);
	up_reply(call, 200, body);
}

void up_dev_post_locations(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_error e = {0};
	uint64_t device = 0, accepted = 0;
	struct up_position *p = NULL;
	size_t n = 0;
	cJSON *doc = NULL, *body = NULL;
	enum up_err rc;

	rc = device_of(call, &device);
	if (rc == UP_OK)
		rc = may_report(call, device);
	if (rc == UP_OK)
		rc = up_req_json_body(call, json_only, &doc, &e);
	if (rc == UP_OK)
		rc = up_positions_check(doc, time(NULL), ctx->cfg->max_future_fix, &p, &n, &e);
	if (rc == UP_ERR_BAD_DATA)
		up_error_set(&e, rc, "The body must be a position or an array of positions");
	else if (rc == UP_ERR_VALIDATION)
		up_error_set(&e, rc,
		             "Positions break field rules; nothing was stored; see details");
	if (rc == UP_OK)
		rc = up_positions_store(ctx->db, ctx->auth.tenant_id, device, p, n, &accepted);
	if (rc == UP_OK &&
	    ((body = device_body(device)) == NULL ||
	     cJSON_AddNumberToObject(body, "accepted", (double)accepted) == NULL ||
	     cJSON_AddNumberToObject(body, "duplicates", (double)(n - accepted)) == NULL))
		rc = UP_ERR_NOMEM;
	if (rc != UP_OK) {
		fail(call, rc, &e);
		cJSON_Delete(body);
	} else {
		/* 201 when something was stored; a resend of stored fixes only is 200. */
		up_reply(call, accepted > 0 ? 201 : 200, body);
	}
	cJSON_Delete(doc);
	up_positions_free(p, n);
}

enum { L_FROM, L_TO, L_CURSOR, L_LIMIT, L__N };

static const struct up_param locations_params[L__N] = {
        [L_FROM] = {"from", UP_PARAM_TIME, 0, 0, 0},
        [L_TO] = {"to", UP_PARAM_TIME, 0, 0, 0},
        [L_CURSOR] = {"cursor", UP_PARAM_TIME, 0, 0, 0},
        [L_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, UP_POS_MAX_BATCH, LOCATIONS_DEFAULT_LIMIT},
};

/* The page's body: {"deviceId", "positions", "limit", "nextCursor"?}; items taken over. */
static cJSON *locations_body(uint64_t device, cJSON *items, uint64_t limit, int more)
{
	cJSON *body = device_body(device);
	char next[40] = "";

	if (more) {
		const cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(last, "time");

		snprintf(next, sizeof(next), "%s", cJSON_IsString(t) ? t->valuestring : "");
	}
	if (body == NULL || !cJSON_AddItemToObject(body, "positions", items)) {
		cJSON_Delete(items);
		cJSON_Delete(body);
		return NULL;
	}
	if (cJSON_AddNumberToObject(body, "limit", (double)limit) == NULL ||
	    (more && cJSON_AddStringToObject(body, "nextCursor", next) == NULL)) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

void up_dev_get_locations(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_param_value v[L__N];
	struct up_position_query q;
	struct up_error e = {0};
	uint64_t device = 0;
	int more = 0;
	cJSON *items = NULL, *body = NULL;
	enum up_err rc;

	memset(v, 0, sizeof(v));
	memset(&q, 0, sizeof(q));
	rc = device_of(call, &device);
	if (rc == UP_OK)
		rc = up_req_params(call, locations_params, L__N, v, &e);
	if (rc == UP_OK && v[L_FROM].present && v[L_TO].present &&
	    strcmp(v[L_FROM].time, v[L_TO].time) >= 0)
		rc = up_error_set(&e, UP_ERR_BAD_REQUEST, "from must be before to");
	if (rc == UP_OK) {
		q.from = v[L_FROM].present ? v[L_FROM].time : NULL;
		q.to = v[L_TO].present ? v[L_TO].time : NULL;
		/* A cursor is the time of the last position of a page: the next starts after it. */
		q.after = v[L_CURSOR].present &&
		                          (q.from == NULL || strcmp(v[L_CURSOR].time, q.from) >= 0)
		                  ? v[L_CURSOR].time
		                  : NULL;
		q.limit = v[L_LIMIT].num;
		if (up_dev_route_format(call->req) != UP_ROUTE_JSON) {
			rc = up_dev_route_stream(call, device, q.from, q.to,
			                         up_dev_route_format(call->req));
			if (rc != UP_OK)
				fail(call, rc, &e);
			up_req_params_free(v, L__N);
			return;
		}
		rc = up_positions_range(ctx->db, ctx->auth.tenant_id, device, &q, &items, &more);
	}
	if (rc == UP_OK && (body = locations_body(device, items, q.limit, more)) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc != UP_OK)
		fail(call, rc, &e);
	else
		up_reply(call, 200, body);
	up_req_params_free(v, L__N);
}

/* A resend's answer: the stored alert's id and "duplicate": true, nothing stored is read back. */
static cJSON *duplicate_body(uint64_t id)
{
	cJSON *o = cJSON_CreateObject();
	char buf[32];

	snprintf(buf, sizeof(buf), UP_ALERT_PREFIX "%llu", (unsigned long long)id);
	if (o != NULL && (cJSON_AddStringToObject(o, "id", buf) == NULL ||
	                  cJSON_AddTrueToObject(o, "duplicate") == NULL)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void up_dev_post_alert(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_error e = {0};
	struct up_alert a;
	uint64_t device = 0, id = 0;
	int duplicate = 0;
	cJSON *doc = NULL, *alert = NULL;
	enum up_err rc;

	memset(&a, 0, sizeof(a));
	rc = device_of(call, &device);
	if (rc == UP_OK)
		rc = may_report(call, device);
	if (rc == UP_OK)
		rc = up_req_json_body(call, json_only, &doc, &e);
	if (rc == UP_OK)
		rc = up_alert_check(doc, time(NULL), ctx->cfg->max_future_fix, &a, &e);
	if (rc == UP_ERR_BAD_DATA)
		up_error_set(&e, rc, "The body must be a JSON object (an alert)");
	else if (rc == UP_ERR_VALIDATION)
		up_error_set(&e, rc, "The alert breaks field rules; see details");
	if (rc == UP_OK)
		rc = up_alert_store_req(ctx->db, ctx->auth.tenant_id, device, &a,
		                        call->req->request_id, &id, &duplicate);
	/* A resend (same type and time): nothing new, and nothing stored is shown. */
	if (rc == UP_OK && duplicate && (alert = duplicate_body(id)) == NULL)
		rc = UP_ERR_NOMEM;
	else if (rc == UP_OK && !duplicate)
		rc = up_alert_to_json(id, device, &a, &alert);
	if (rc != UP_OK)
		fail(call, rc, &e);
	else
		up_reply(call, duplicate ? 200 : 201, alert);
	cJSON_Delete(doc);
	up_alert_free(&a);
}

enum { A_LIMIT, A_OFFSET, A_CURSOR, A_COUNT, A__N };

/*
 * As the lists: offset up to UP_LIST_MAX_OFFSET, then cursor (the id of the
 * last alert of the page before, its nextCursor); total only with
 * count=exact (it counts every alert of the device).
 */
static const struct up_param alerts_params[A__N] = {
        [A_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, ALERTS_MAX_LIMIT, ALERTS_DEFAULT_LIMIT},
        [A_OFFSET] = {"offset", UP_PARAM_NUMBER, 0, INT64_MAX, 0},
        [A_CURSOR] = {"cursor", UP_PARAM_STRING, 0, 0, 0},
        [A_COUNT] = {"count", UP_PARAM_STRING, 0, 0, 0},
};

/* The page of alerts v asks for into *q; a bad offset, cursor or count in e. */
static enum up_err alerts_query(const struct up_param_value *v, struct up_alert_query *q,
                                struct up_error *e)
{
	const char *cursor = v[A_CURSOR].text;
	const size_t plen = sizeof(UP_ALERT_PREFIX) - 1;
	enum up_err rc;

	memset(q, 0, sizeof(*q));
	rc = up_req_paging(&v[A_OFFSET], &v[A_CURSOR], e);
	if (rc != UP_OK)
		return rc;
	if (v[A_COUNT].present && strcmp(v[A_COUNT].text, "exact") != 0)
		return up_error_set(e, UP_ERR_BAD_REQUEST,
		                    "count must be exact (or absent: no total)");
	if (v[A_CURSOR].present && (strncmp(cursor, UP_ALERT_PREFIX, plen) != 0 ||
	                            up_parse_u64(cursor + plen, 1, UINT64_MAX, &q->after) != UP_OK))
		return up_error_set(e, UP_ERR_BAD_REQUEST,
		                    "cursor must be a nextCursor value of an earlier page");
	q->limit = v[A_LIMIT].num;
	q->offset = v[A_OFFSET].num;
	return UP_OK;
}

/* The page's tail: total (count=exact), limit, offset, nextCursor (more follow). */
static enum up_err alerts_tail(cJSON *body, const struct up_param_value *v,
                               const struct up_alert_query *q, uint64_t total, int more)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(body, "alerts");
	const cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, "id");

	if ((v[A_COUNT].present && cJSON_AddNumberToObject(body, "total", (double)total) == NULL) ||
	    cJSON_AddNumberToObject(body, "limit", (double)q->limit) == NULL ||
	    cJSON_AddNumberToObject(body, "offset", (double)q->offset) == NULL)
		return UP_ERR_NOMEM;
	if (more && cJSON_IsString(id) &&
	    cJSON_AddStringToObject(body, "nextCursor", id->valuestring) == NULL)
		return UP_ERR_NOMEM;
	return UP_OK;
}

void up_dev_get_alerts(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_param_value v[A__N];
	struct up_alert_query q;
	struct up_error e = {0};
	uint64_t device = 0, total = 0;
	int more = 0;
	cJSON *items = NULL, *body = NULL;
	enum up_err rc;

	memset(v, 0, sizeof(v));
	rc = device_of(call, &device);
	if (rc == UP_OK)
		rc = up_req_params(call, alerts_params, A__N, v, &e);
	if (rc == UP_OK)
		rc = alerts_query(v, &q, &e);
	if (rc == UP_OK)
		rc = up_alerts_list(ctx->db, ctx->auth.tenant_id, device, &q, &items,
		                    v[A_COUNT].present ? &total : NULL, &more);
	if (rc == UP_OK && ((body = device_body(device)) == NULL ||
	                    !cJSON_AddItemToObject(body, "alerts", items))) {
		cJSON_Delete(items);
		rc = UP_ERR_NOMEM;
	}
	if (rc == UP_OK)
		rc = alerts_tail(body, v, &q, total, more);
	if (rc != UP_OK) {
		cJSON_Delete(body);
		fail(call, rc, &e);
	} else {
		up_reply(call, 200, body);
	}
	up_req_params_free(v, A__N);
}
