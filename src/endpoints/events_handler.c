/* SPDX-License-Identifier: ISC */
/*
 * events_handler.c: the change feed (DESIGN 1.8), GET /api/events?after=
 * &types=&limit=: the tenant's events in order, from a cursor that never
 * skips a committed event (src/lib/event.c; docs/hacking.md, "The change
 * feed").
 */
#include <string.h>
#include "event.h"
#include "events.h"
#include "request_io.h"
#include "webhook_store.h"

#define EVENTS_DEFAULT_LIMIT 100

enum { E_AFTER, E_TYPES, E_LIMIT, E__N };

static const struct up_param events_params[E__N] = {
        [E_AFTER] = {"after", UP_PARAM_NUMBER, 0, INT64_MAX, 0},
        [E_TYPES] = {"types", UP_PARAM_STRING, 0, 0, 0},
        [E_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, UP_EVENT_PAGE_MAX, EVENTS_DEFAULT_LIMIT},
};

/* {"events": items, "next": last}; items is taken over.  NULL when out of memory. */
static cJSON *page_body(cJSON *items, uint64_t last)
{
	cJSON *body = cJSON_CreateObject();

	if (body == NULL || !cJSON_AddItemToObject(body, "events", items)) {
		cJSON_Delete(items);
		cJSON_Delete(body);
		return NULL;
	}
	if (cJSON_AddNumberToObject(body, "next", (double)last) == NULL) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

/* GET, HEAD /api/events */
static void get_events(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	struct up_param_value v[E__N];
	struct up_error e = {0};
	const char *types;
	cJSON *items = NULL, *body = NULL;
	uint64_t last = 0;
	enum up_err rc;

	memset(v, 0, sizeof(v));
	rc = up_req_params(call, events_params, E__N, v, &e);
	types = v[E_TYPES].present ? v[E_TYPES].text : "";
	if (rc == UP_OK && !up_event_types_valid(types))
		rc = up_error_set(&e, UP_ERR_BAD_REQUEST,
		                  "Parameter 'types' must list event types (user.created, "
		                  "device.*...), comma separated");
	/* Order what has committed, then read in that order. */
	if (rc == UP_OK)
		rc = up_event_order(ctx->db, ctx->auth.tenant_id);
	if (rc == UP_OK)
		rc = up_event_page(ctx->db, ctx->auth.tenant_id, v[E_AFTER].num, types,
		                   v[E_LIMIT].num, &items, &last);
	if (rc == UP_OK && (body = page_body(items, last)) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc != UP_OK) {
		e.code = rc;
		up_ctx_fail(ctx, call->resp, &e);
	} else {
		up_reply(call, 200, body);
	}
	up_req_params_free(v, E__N);
}

#define READ (UP_MB(UP_M_GET) | UP_MB(UP_M_HEAD))
#define OPTIONS UP_MB(UP_M_OPTIONS)
#define WH UP_SCOPE_WEBHOOKS_WRITE

/* The family handed to handlers is the webhooks' (the feed's handler needs none). */
static const struct up_route routes[] = {
        {"/api/events/", READ, UP_SCOPE_EVENTS_READ, get_events, NULL},
        {"/api/events/", OPTIONS, 0, NULL, NULL},
        {"/api/webhooks/", READ, WH, up_family_list, NULL},
        {"/api/webhooks/", UP_MB(UP_M_POST), WH, up_webhooks_create, NULL},
        {"/api/webhooks/", OPTIONS, 0, NULL, NULL},
        {"/api/webhooks/{id}", READ, WH, up_family_get, NULL},
        {"/api/webhooks/{id}", UP_MB(UP_M_PATCH), WH, up_webhooks_patch, NULL},
        {"/api/webhooks/{id}", UP_MB(UP_M_DELETE), WH, up_family_delete, NULL},
        {"/api/webhooks/{id}", OPTIONS, 0, NULL, NULL},
        {"/api/webhooks/{id}/secret", UP_MB(UP_M_POST) | OPTIONS, WH, up_webhooks_rotate, NULL},
        {"/api/webhooks/{id}/deliveries", READ | OPTIONS, WH, up_webhooks_deliveries, NULL},
};

const struct up_routes up_events_routes = {routes, sizeof(routes) / sizeof(routes[0]),
                                           &up_webhook_family};

void up_events_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	up_route_dispatch(&up_events_routes, ctx, req, resp);
}
