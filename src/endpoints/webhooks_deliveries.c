/* SPDX-License-Identifier: ISC */
/*
 * webhooks_deliveries.c: GET /api/webhooks/{id}/deliveries: the webhook's
 * recent delivery attempts, newest first, paged by cursor: which delivery
 * (its webhook-id), which event, the attempt's number, time, duration,
 * HTTP status or error, and the state of the delivery now.
 */
#include <stdio.h>
#include <string.h>
#include "db_rows.h"
#include "events.h"
#include "parse.h"
#include "resource.h"
#include "webhook_store.h"

#define DELIVERIES_DEFAULT_LIMIT 50
#define DELIVERIES_MAX_LIMIT 500
#define ATTEMPT_PREFIX "att-"

enum { D_LIMIT, D_CURSOR, D__N };

static const struct up_param deliveries_params[D__N] = {
        [D_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, DELIVERIES_MAX_LIMIT, DELIVERIES_DEFAULT_LIMIT},
        [D_CURSOR] = {"cursor", UP_PARAM_STRING, 0, 0, 0},
};

/* Newest first, below the cursor: ix_attempts_webhook (webhook_id, id) reads limit + 1 rows. */
static const char page_sql[] =
        "SELECT a.id, a.delivery_id, d.event_seq, e.type, d.resource_id, a.attempt, "
        "a.attempted_at, a.duration_ms, a.status, a.error, d.state "
        "FROM webhook_attempts a "
        "LEFT JOIN webhook_deliveries d ON d.id = a.delivery_id "
        "LEFT JOIN events e ON e.id = d.event_id "
        "WHERE a.webhook_id = ? AND a.tenant_id = ? AND a.id < ? "
        "ORDER BY a.id DESC LIMIT ?";

/* Member name of a cell that is a number, or null when NULL. */
static int add_number(cJSON *o, const char *name, const char *cell)
{
	uint64_t n;

	if (cell == NULL)
		return cJSON_AddNullToObject(o, name) != NULL;
	if (up_parse_u64(cell, 0, UINT64_MAX, &n) != UP_OK)
		return 0;
	return cJSON_AddNumberToObject(o, name, (double)n) != NULL;
}

static int add_text(cJSON *o, const char *name, const char *cell)
{
	if (cell == NULL)
		return cJSON_AddNullToObject(o, name) != NULL;
	return cJSON_AddStringToObject(o, name, cell) != NULL;
}

/* One attempt as JSON (an up_row_json_fn). */
static enum up_err attempt_json(const struct up_db_result *res, size_t row, void *ctx, cJSON **out)
{
	const char *c[11];
	char buf[64];
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;
	size_t i;

	(void)ctx;
	*out = NULL;
	for (i = 0; i < 11; i++)
		c[i] = up_db_cell(res, row, i);
	if (!ok)
		return UP_ERR_NOMEM;
	snprintf(buf, sizeof(buf), ATTEMPT_PREFIX "%s", c[0] != NULL ? c[0] : "0");
	ok &= cJSON_AddStringToObject(o, "id", buf) != NULL;
	snprintf(buf, sizeof(buf), "msg_%s", c[1] != NULL ? c[1] : "0");
	ok &= cJSON_AddStringToObject(o, "deliveryId", buf) != NULL;
	ok &= add_number(o, "eventId", c[2]);
	ok &= add_text(o, "eventType", c[3]);
	ok &= add_text(o, "resourceId", c[4]);
	ok &= add_number(o, "attempt", c[5]);
	ok &= c[6] != NULL && up_datetime_to_rfc3339(c[6], buf, sizeof(buf)) == UP_OK &&
	      cJSON_AddStringToObject(o, "attemptedAt", buf) != NULL;
	ok &= add_number(o, "durationMs", c[7]);
	ok &= add_number(o, "httpStatus", c[8]);
	ok &= add_text(o, "error", c[9]);
	ok &= add_text(o, "state", c[10]);
	if (!ok) {
		cJSON_Delete(o);
		return UP_ERR_INTERNAL;
	}
	*out = o;
	return UP_OK;
}

/*
 * {"deliveries": [...], "limit": n, "nextCursor"?} of webhook k, from
 * below attempt `before`; *body owned by the caller.
 */
static enum up_err page(struct up_call *call, const struct up_key *k, uint64_t before,
                        uint64_t limit, cJSON **body)
{
	struct up_db_param p[4] = {UP_P_U64(k->id), UP_P_U64(call->ctx->auth.tenant_id),
	                           UP_P_U64(before), UP_P_U64(limit + 1)};
	struct up_db_result res = {0};
	cJSON *items = NULL;
	enum up_err rc = up_db_query(call->ctx->db, page_sql, p, 4, &res);

	*body = NULL;
	if (rc == UP_OK)
		rc = up_db_rows_json(&res, limit, attempt_json, NULL, &items);
	if (rc == UP_OK && (*body = cJSON_CreateObject()) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK) {
		cJSON_AddItemToObject(*body, "deliveries", items);
		items = NULL;
		cJSON_AddNumberToObject(*body, "limit", (double)limit);
		if (res.nrows > limit) {
			char next[40];

			snprintf(next, sizeof(next), ATTEMPT_PREFIX "%s",
			         up_db_cell(&res, (size_t)limit - 1, 0));
			cJSON_AddStringToObject(*body, "nextCursor", next);
		}
	}
	cJSON_Delete(items);
	up_db_result_free(&res);
	return rc;
}

void up_webhooks_deliveries(struct up_call *call)
{
	struct up_param_value v[D__N];
	struct up_error e = {0};
	struct up_key k;
	uint64_t before = UINT64_MAX;
	cJSON *hook = NULL, *body = NULL;
	enum up_err rc;

	memset(v, 0, sizeof(v));
	rc = up_req_params(call, deliveries_params, D__N, v, &e);
	if (rc == UP_OK && v[D_CURSOR].present &&
	    up_parse_public_id(v[D_CURSOR].text, ATTEMPT_PREFIX, &before) != UP_OK)
		rc = up_error_set(&e, UP_ERR_BAD_REQUEST,
		                  "cursor must be a nextCursor value of an earlier page");
	/* The webhook must be the tenant's: another tenant's is 404, as a missing one. */
	if (rc == UP_OK &&
	    (up_resource_parse_key(&up_webhook_resource, call->id, &k) != UP_OK ||
	     (rc = up_resource_load(call->ctx->db, &up_webhook_resource, call->ctx->auth.tenant_id,
	                            &k, 0, &hook, NULL)) == UP_ERR_NOT_FOUND))
		rc = up_error_set(&e, UP_ERR_NOT_FOUND, "Webhook not found");
	if (rc == UP_OK)
		rc = page(call, &k, before, v[D_LIMIT].num, &body);
	if (rc != UP_OK) {
		if (e.code != rc)
			up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
	} else {
		up_reply(call, 200, body);
	}
	cJSON_Delete(hook);
	up_req_params_free(v, D__N);
}
