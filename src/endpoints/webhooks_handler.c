/* SPDX-License-Identifier: ISC */
/*
 * webhooks_handler.c: what /api/webhooks does beyond the generic family
 * handlers (webhook_store.c): create and patch order the committed events
 * first, so that a new or re-enabled webhook starts after the last one;
 * POST /api/webhooks/{id}/secret rotates the signing secret.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "db_rows.h"
#include "event.h"
#include "events.h"
#include "json.h"
#include "webhook_sign.h"
#include "webhook_store.h"

/* Ordering passes a write runs at most (UP_EVENT_PAGE_MAX events each). */
#define ORDER_PASSES 64

/*
 * Order the tenant's committed events (each pass its own transaction)
 * until none is left without its seq, so that a new or re-enabled webhook
 * starts after all of them; on failure answer.
 */
static int order_events(struct up_call *call)
{
	static const char unordered[] = "SELECT COUNT(*) FROM (SELECT 1 FROM events "
	                                "WHERE tenant_id = ? AND seq IS NULL LIMIT 1) x";
	struct up_db_param p[1] = {UP_P_U64(call->ctx->auth.tenant_id)};
	struct up_error e = {0};
	uint64_t left = 1;
	enum up_err rc = UP_OK;
	int i;

	for (i = 0; i < ORDER_PASSES && rc == UP_OK && left > 0; i++) {
		rc = up_event_order(call->ctx->db, call->ctx->auth.tenant_id);
		if (rc == UP_OK)
			rc = up_db_count(call->ctx->db, unordered, p, 1, &left);
	}
	if (rc == UP_OK)
		return 1;
	up_error_set(&e, rc, NULL);
	up_ctx_fail(call->ctx, call->resp, &e);
	return 0;
}

void up_webhooks_create(struct up_call *call)
{
	if (order_events(call))
		up_family_create(call);
}

void up_webhooks_patch(struct up_call *call)
{
	if (order_events(call))
		up_family_patch(call);
}

/* One rotation: its input, and what its transaction made. */
struct rotation {
	struct up_call *call;
	struct up_key key;
	char secret[UP_WHSEC_LEN]; /* the new one, made before the transaction */
	cJSON *result;             /* the webhook after the rotation */
	uint64_t version;
	struct up_error err;
};

/*
 * Lock the webhook, check If-Match, keep its secret as the previous one
 * for 24 hours (deliveries are signed with both), store the new one,
 * audit, and read the webhook back.
 */
static enum up_err rotate_txn(struct up_db *db, void *arg)
{
	static const char sql[] =
	        "UPDATE webhooks SET previous_secret = secret, "
	        "previous_until = UTC_TIMESTAMP(6) + INTERVAL 24 HOUR, secret = ?, "
	        "version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE tenant_id = ? AND id = "
	        "?";
	struct rotation *r = arg;
	const struct up_auth *auth = &r->call->ctx->auth;
	struct up_current cur = {0};
	struct up_db_param p[3] = {UP_P_STR(r->secret), UP_P_U64(auth->tenant_id),
	                           UP_P_U64(r->key.id)};
	cJSON *names = NULL;
	char id[32];
	enum up_err rc;

	cJSON_Delete(r->result);
	r->result = NULL;
	up_error_reset(&r->err);
	rc = up_resource_lock(db, &up_webhook_resource, auth->tenant_id, &r->key, &cur);
	if (rc == UP_OK)
		rc = up_req_if_match(r->call->req, cur.version, &r->err);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql, p, 3, NULL);
	if (rc == UP_OK && ((names = cJSON_CreateArray()) == NULL ||
	                    !cJSON_AddItemToArray(names, cJSON_CreateString("secret"))))
		rc = UP_ERR_NOMEM;
	up_resource_key_format(&up_webhook_resource, &r->key, id, sizeof(id));
	if (rc == UP_OK)
		rc = up_audit_write_resource(db, auth->tenant_id, auth->token_id, "webhook", id,
		                             r->call->req->request_id, "rotate_secret", names, NULL);
	if (rc == UP_OK)
		rc = up_resource_load(db, &up_webhook_resource, auth->tenant_id, &r->key, 0,
		                      &r->result, &r->version);
	cJSON_Delete(names);
	up_current_free(&cur);
	return rc;
}

/* POST /api/webhooks/{id}/secret: a new secret, shown once; the old one signs for 24 h more. */
void up_webhooks_rotate(struct up_call *call)
{
	struct rotation r;
	enum up_err rc;

	memset(&r, 0, sizeof(r));
	r.call = call;
	rc = up_resource_parse_key(&up_webhook_resource, call->id, &r.key);
	if (rc == UP_OK) {
		up_webhook_secret_new(r.secret);
		rc = up_db_transaction(call->ctx->db, rotate_txn, &r);
	}
	if (rc == UP_OK && cJSON_AddStringToObject(r.result, "secret", r.secret) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK) {
		up_reply_versioned(call, 200, r.result, r.version);
		r.result = NULL;
	} else {
		if (rc == UP_ERR_NOT_FOUND)
			up_error_set(&r.err, rc, "Webhook not found");
		else if (r.err.code != rc)
			up_error_set(&r.err, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &r.err);
	}
	cJSON_Delete(r.result);
	sodium_memzero(r.secret, sizeof(r.secret));
}
