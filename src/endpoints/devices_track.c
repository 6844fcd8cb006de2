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
#include "devices_internal.h"
#include "parse.h"
#include "position.h"
#include "position_store.h"
#include "resource.h"
#include "user_store.h"
#include "validate.h"

#define LOCATIONS_DEFAULT_LIMIT 100
#define ALERTS_DEFAULT_LIMIT 50
#define ALERTS_MAX_LIMIT 500

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

void up_dev_last_location(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                          struct up_response *resp)
{
	cJSON *pos = NULL, *body;
	enum up_err rc;

	if (!up_dev_known_params(ctx, req, NULL, 0, resp))
		return;
	rc = up_position_last(ctx->db, ctx->auth.tenant_id, device, &pos);
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		return;
	}
	body = device_body(device);
	if (body == NULL) {
		cJSON_Delete(pos);
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		return;
	}
	while (pos->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(pos, pos->child);

		cJSON_AddItemToObject(body, item->string, item);
	}
	cJSON_Delete(pos);
	up_dev_send(ctx, resp, 200, body);
}

void up_dev_post_locations(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                           struct up_response *resp)
{
	struct up_position *p = NULL;
	size_t n = 0;
	uint64_t accepted = 0;
	cJSON *doc = NULL, *details = NULL, *body = NULL;
	enum up_err rc;

	if (up_dev_read_json(ctx, req, resp, &doc) != UP_OK)
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
	up_dev_send(ctx, resp, accepted > 0 ? 201 : 200, body);
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

void up_dev_get_locations(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                          struct up_response *resp)
{
	static const char *const known[] = {"from", "to", "cursor", "limit"};
	struct up_position_query q;
	char from[27], to[27], after[27], next[40];
	int has_from, has_to, has_after, more = 0;
	cJSON *items = NULL, *body = NULL;
	enum up_err rc;

	memset(&q, 0, sizeof(q));
	if (!up_dev_known_params(ctx, req, known, 4, resp) ||
	    !time_param(ctx, req, "from", from, &has_from, resp) ||
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
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		return;
	}
	body = device_body(device);
	if (body == NULL) {
		cJSON_Delete(items);
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		return;
	}
	if (more) {
		const cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(last, "time");

		snprintf(next, sizeof(next), "%s", cJSON_IsString(t) ? t->valuestring : "");
	}
	cJSON_AddItemToObject(body, "positions", items);
	cJSON_AddNumberToObject(body, "limit", (double)q.limit);
	if (more)
		cJSON_AddStringToObject(body, "nextCursor", next);
	up_dev_send(ctx, resp, 200, body);
}

void up_dev_post_alert(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                       struct up_response *resp)
{
	struct up_alert a;
	uint64_t id = 0;
	cJSON *doc = NULL, *details = NULL, *alert = NULL;
	enum up_err rc;

	memset(&a, 0, sizeof(a));
	if (up_dev_read_json(ctx, req, resp, &doc) != UP_OK)
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
	rc = up_alert_store(ctx->db, ctx->auth.tenant_id, device, &a, &id);
	if (rc == UP_OK)
		rc = up_alert_to_json(id, device, &a, &alert);
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		goto out;
	}
	up_dev_send(ctx, resp, 201, alert);
	alert = NULL;
out:
	cJSON_Delete(alert);
	cJSON_Delete(details);
	cJSON_Delete(doc);
	up_alert_free(&a);
}

void up_dev_get_alerts(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                       struct up_response *resp)
{
	static const char *const known[] = {"limit", "offset"};
	uint64_t limit, offset, total = 0;
	cJSON *items = NULL, *body;
	enum up_err rc;

	if (!up_dev_known_params(ctx, req, known, 2, resp) ||
	    !num_param(ctx, req, "limit", 1, ALERTS_MAX_LIMIT, ALERTS_DEFAULT_LIMIT, &limit,
	               resp) ||
	    !num_param(ctx, req, "offset", 0, INT64_MAX, 0, &offset, resp))
		return;
	rc = up_alerts_list(ctx->db, ctx->auth.tenant_id, device, limit, offset, &items, &total);
	if (rc != UP_OK) {
		fail(ctx, resp, rc, NULL);
		return;
	}
	body = device_body(device);
	if (body == NULL) {
		cJSON_Delete(items);
		fail(ctx, resp, UP_ERR_NOMEM, NULL);
		return;
	}
	cJSON_AddItemToObject(body, "alerts", items);
	cJSON_AddNumberToObject(body, "total", (double)total);
	cJSON_AddNumberToObject(body, "limit", (double)limit);
	cJSON_AddNumberToObject(body, "offset", (double)offset);
	up_dev_send(ctx, resp, 200, body);
}
