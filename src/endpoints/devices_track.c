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
#include "json.h"
#include "parse.h"
#include "position.h"
#include "position_store.h"
#include "resource.h"
#include "user_store.h"
#include "validate.h"

#define LOCATIONS_DEFAULT_LIMIT 100
#define ALERTS_DEFAULT_LIMIT 50
#define ALERTS_MAX_LIMIT 500

/* Answer status with {"success": true, <members of body>, apiUsage, apiDailyUsage}; body freed. */
static void send(struct up_call *call, int status, cJSON *body)
{
	cJSON *out = cJSON_CreateObject();
	enum up_err rc = UP_ERR_NOMEM;

	if (out == NULL || cJSON_AddTrueToObject(out, "success") == NULL)
		goto out;
	while (body->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(body, body->child);

		cJSON_AddItemToObject(out, item->string, item);
	}
	up_ctx_add_usage(call->ctx, out);
	rc = up_response_json(call->resp, status, out);
out:
	if (rc != UP_OK)
		up_ctx_error(call->ctx, call->resp, rc, NULL, NULL);
	cJSON_Delete(body);
	cJSON_Delete(out);
}

/* Parse an application/json body into *doc (owned by the caller); else the error is answered. */
static enum up_err read_json(struct up_call *call, cJSON **doc)
{
	const struct up_request *req = call->req;
	enum up_err rc;

	*doc = NULL;
	if (req->content_type == NULL || strcmp(req->content_type, "application/json") != 0) {
		up_ctx_error(call->ctx, call->resp, UP_ERR_MEDIA_TYPE,
		             "Content-Type must be application/json", NULL);
		return UP_ERR_MEDIA_TYPE;
	}
	if (req->body == NULL || req->body_len == 0) {
		up_ctx_error(call->ctx, call->resp, UP_ERR_BAD_JSON, "The request body is empty",
		             NULL);
		return UP_ERR_BAD_JSON;
	}
	rc = up_json_parse(req->body, req->body_len, call->ctx->cfg->max_json_depth, doc);
	if (rc != UP_OK)
		up_ctx_error(call->ctx, call->resp, rc,
		             rc == UP_ERR_LIMIT ? "The body nests deeper than the limit"
		                                : "The body is not valid JSON",
		             NULL);
	return rc;
}

/* 1 when every query parameter of the call is one of names (n); else 400 answered and 0. */
static int known_params(struct up_call *call, const char *const *names, size_t n)
{
	const char *p = call->req->query;
	char msg[96];

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "=&"), i;
		int known = len == 0;

		for (i = 0; i < n && !known; i++)
			known = strlen(names[i]) == len && strncmp(p, names[i], len) == 0;
		if (!known) {
			snprintf(msg, sizeof(msg), "Unknown query parameter '%.*s'",
			         (int)(len < 40 ? len : 40), p);
			up_ctx_error(call->ctx, call->resp, UP_ERR_BAD_REQUEST, msg, NULL);
			return 0;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return 1;
}

/* The device of the call's {id}: 1 and *device, or 404 answered and 0. */
static int device_of(struct up_call *call, uint64_t *device)
{
	struct up_key k;

	if (call->id == NULL || up_resource_parse_key(&up_device_resource, call->id, &k) != UP_OK) {
		up_ctx_error(call->ctx, call->resp, UP_ERR_NOT_FOUND, "Device not found", NULL);
		return 0;
	}
	*device = k.id;
	return 1;
}

static void fail(struct up_ctx *ctx, struct up_response *resp, enum up_err rc, cJSON *details)
{
	const char *msg = NULL;

	if (rc == UP_ERR_NOT_FOUND)
		msg = "Device not found";
	up_ctx_error(ctx, resp, rc, msg, details);
}

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

/*
 * After a read of the store that returned rc and, on UP_OK, made `made`
 * (owned): the answer body {"deviceId": ...}, or NULL when the error was
 * answered (then `made` is freed).
 */
static cJSON *read_body(struct up_ctx *ctx, struct up_response *resp, uint64_t device,
                        enum up_err rc, cJSON *made)
{
	cJSON *body;

	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		return NULL;
	}
	body = device_body(device);
	if (body == NULL) {
		cJSON_Delete(made);
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
	}
	return body;
}

void up_dev_last_location(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_response *resp = call->resp;
	uint64_t device = 0;
	cJSON *pos = NULL, *body;
	enum up_err rc;

	if (!device_of(call, &device))
		return;
	if (!known_params(call, NULL, 0))
		return;
	rc = up_position_last(ctx->db, ctx->auth.tenant_id, device, &pos);
	body = read_body(ctx, resp, device, rc, pos);
	if (body == NULL)
		return;
	while (pos->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(pos, pos->child);

		cJSON_AddItemToObject(body, item->string, item);
	}
	cJSON_Delete(pos);
	send(call, 200, body);
}

void up_dev_post_locations(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_response *resp = call->resp;
	uint64_t device = 0;
	struct up_position *p = NULL;
	size_t n = 0;
	uint64_t accepted = 0;
	cJSON *doc = NULL, *details = NULL, *body = NULL;
	enum up_err rc;

	if (!device_of(call, &device))
		return;
	if (read_json(call, &doc) != UP_OK)
		return;
	details = cJSON_CreateArray();
	if (details == NULL) {
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		goto out;
	}
	rc = up_positions_check(doc, time(NULL), &p, &n, details);
	if (rc == UP_ERR_BAD_DATA) {
		up_ctx_error(ctx, resp, rc, "The body must be a position or an array of positions",
		             NULL);
		goto out;
	}
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc,
		             rc == UP_ERR_VALIDATION ? "Positions break field rules; nothing was "
		                                       "stored; see details"
		                                     : NULL,
		             details);
		details = NULL;
		goto out;
	}
	rc = up_positions_store(ctx->db, ctx->auth.tenant_id, device, p, n, &accepted);
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		goto out;
	}
	body = device_body(device);
	if (body == NULL || cJSON_AddNumberToObject(body, "accepted", (double)accepted) == NULL ||
	    cJSON_AddNumberToObject(body, "duplicates", (double)(n - accepted)) == NULL) {
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		goto out;
	}
	/* 201 when something was stored; a resend of stored fixes only is 200. */
	send(call, accepted > 0 ? 201 : 200, body);
	body = NULL;
out:
	cJSON_Delete(body);
	cJSON_Delete(details);
	cJSON_Delete(doc);
	up_positions_free(p, n);
}

/*
 * Query parameter name of req as a UTC SQL time into sql[27] (present = 1),
 * absent (present = 0, returns 1), or 400 in resp and 0.
 */
static int time_param(struct up_ctx *ctx, const struct up_request *req, const char *name,
                      char sql[27], int *present, struct up_response *resp)
{
	char *v = up_query_param(req->query, name), msg[96];
	int ok = 1;

	*present = v != NULL;
	if (v != NULL && !up_valid_rfc3339(v, sql, 27)) {
		snprintf(msg, sizeof(msg), "%s must be an RFC 3339 date-time", name);
		up_ctx_error(ctx, resp, UP_ERR_BAD_REQUEST, msg, NULL);
		ok = 0;
	}
	free(v);
	return ok;
}

/* Query parameter name as a number in [min, max] (default dflt), or 400 in resp and 0. */
static int num_param(struct up_ctx *ctx, const struct up_request *req, const char *name,
                     uint64_t min, uint64_t max, uint64_t dflt, uint64_t *out,
                     struct up_response *resp)
{
	char *v = up_query_param(req->query, name), msg[96];
	int ok = 1;

	*out = dflt;
	if (v != NULL && up_parse_u64(v, min, max, out) != UP_OK) {
		snprintf(msg, sizeof(msg), "%s must be a whole number from %llu to %llu", name,
		         (unsigned long long)min, (unsigned long long)max);
		up_ctx_error(ctx, resp, UP_ERR_BAD_REQUEST, msg, NULL);
		ok = 0;
	}
	free(v);
	return ok;
}

void up_dev_get_locations(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	const struct up_request *req = call->req;
	struct up_response *resp = call->resp;
	uint64_t device = 0;
	static const char *const known[] = {"from", "to", "cursor", "limit"};
	struct up_position_query q;
	char from[27], to[27], after[27], next[40];
	int has_from, has_to, has_after, more = 0;
	cJSON *items = NULL, *body = NULL;
	enum up_err rc;

	if (!device_of(call, &device))
		return;
	memset(&q, 0, sizeof(q));
	if (!known_params(call, known, 4) || !time_param(ctx, req, "from", from, &has_from, resp) ||
	    !time_param(ctx, req, "to", to, &has_to, resp) ||
	    !time_param(ctx, req, "cursor", after, &has_after, resp) ||
	    !num_param(ctx, req, "limit", 1, UP_POS_MAX_BATCH, LOCATIONS_DEFAULT_LIMIT, &q.limit,
	               resp))
		return;
	if (has_from && has_to && strcmp(from, to) >= 0) {
		up_ctx_error(ctx, resp, UP_ERR_BAD_REQUEST, "from must be before to", NULL);
		return;
	}
	q.from = has_from ? from : NULL;
	q.to = has_to ? to : NULL;
	/* A cursor is the time of the last position of a page: the next starts after it. */
	q.after = has_after && (!has_from || strcmp(after, from) >= 0) ? after : NULL;
	rc = up_positions_range(ctx->db, ctx->auth.tenant_id, device, &q, &items, &more);
	body = read_body(ctx, resp, device, rc, items);
	if (body == NULL)
		return;
	if (more) {
		const cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(last, "time");

		snprintf(next, sizeof(next), "%s", cJSON_IsString(t) ? t->valuestring : "");
	}
	cJSON_AddItemToObject(body, "positions", items);
	cJSON_AddNumberToObject(body, "limit", (double)q.limit);
	if (more)
		cJSON_AddStringToObject(body, "nextCursor", next);
	send(call, 200, body);
}

void up_dev_post_alert(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_response *resp = call->resp;
	uint64_t device = 0;
	struct up_alert a;
	uint64_t id = 0;
	cJSON *doc = NULL, *details = NULL, *alert = NULL;
	enum up_err rc;

	if (!device_of(call, &device))
		return;
	memset(&a, 0, sizeof(a));
	if (read_json(call, &doc) != UP_OK)
		return;
	details = cJSON_CreateArray();
	if (details == NULL) {
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		goto out;
	}
	rc = up_alert_check(doc, time(NULL), &a, details);
	if (rc == UP_ERR_BAD_DATA) {
		up_ctx_error(ctx, resp, rc, "The body must be a JSON object (an alert)", NULL);
		goto out;
	}
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc,
		             rc == UP_ERR_VALIDATION ? "The alert breaks field rules; see details"
		                                     : NULL,
		             details);
		details = NULL;
		goto out;
	}
	rc = up_alert_store(ctx->db, ctx->auth.tenant_id, device, &a, &id, &alert);
	if (rc == UP_OK && alert != NULL) {
		/* A resend (same type and time): the stored alert, nothing new. */
		send(call, 200, alert);
		alert = NULL;
		goto out;
	}
	if (rc == UP_OK)
		rc = up_alert_to_json(id, device, &a, &alert);
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		goto out;
	}
	send(call, 201, alert);
	alert = NULL;
out:
	cJSON_Delete(alert);
	cJSON_Delete(details);
	cJSON_Delete(doc);
	up_alert_free(&a);
}

void up_dev_get_alerts(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	const struct up_request *req = call->req;
	struct up_response *resp = call->resp;
	uint64_t device = 0;
	static const char *const known[] = {"limit", "offset"};
	uint64_t limit, offset, total = 0;
	cJSON *items = NULL, *body;
	enum up_err rc;

	if (!device_of(call, &device))
		return;
	if (!known_params(call, known, 2) ||
	    !num_param(ctx, req, "limit", 1, ALERTS_MAX_LIMIT, ALERTS_DEFAULT_LIMIT, &limit,
	               resp) ||
	    !num_param(ctx, req, "offset", 0, INT64_MAX, 0, &offset, resp))
		return;
	rc = up_alerts_list(ctx->db, ctx->auth.tenant_id, device, limit, offset, &items, &total);
	body = read_body(ctx, resp, device, rc, items);
	if (body == NULL)
		return;
	cJSON_AddItemToObject(body, "alerts", items);
	cJSON_AddNumberToObject(body, "total", (double)total);
	cJSON_AddNumberToObject(body, "limit", (double)limit);
	cJSON_AddNumberToObject(body, "offset", (double)offset);
	send(call, 200, body);
}
