/* SPDX-License-Identifier: ISC */
/*
 * device_app_handler.c: routing and authentication of
 * POST /api/v1/device_app_user_update/, and the response (the body is
 * decoded by device_app_decode.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "device_app.h"
#include "json.h"
#include "log.h"
#include "route.h"
#include "user_store.h"

/*
 * The stored value of field fid as JSON (owned by the caller); for the
 * preferences, only the settings named by sent (NULL: all of them).
 */
static enum up_err field_value(int fid, const char *s, const cJSON *sent, cJSON **out)
{
	cJSON *all = NULL, *m, *v;

	*out = NULL;
	if (da_fields[fid].kind != DA_K_PREFS) {
		*out = s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
		return *out != NULL ? UP_OK : UP_ERR_NOMEM;
	}
	if (s != NULL && up_json_parse(s, strlen(s), 64, &all) != UP_OK)
		return UP_ERR_INTERNAL;
	if (all == NULL && (all = cJSON_CreateObject()) == NULL)
		return UP_ERR_NOMEM;
	if (sent == NULL) {
		*out = all;
		return UP_OK;
	}
	/* A setting the request removed (null) is shown as null. */
	*out = cJSON_CreateObject();
	cJSON_ArrayForEach(m, sent)
	{
		const cJSON *kept = cJSON_GetObjectItemCaseSensitive(all, m->string);

		v = kept != NULL ? cJSON_Duplicate(kept, 1) : cJSON_CreateNull();
		if (*out == NULL || v == NULL || !cJSON_AddItemToObject(*out, m->string, v)) {
			cJSON_Delete(v);
			cJSON_Delete(*out);
			*out = NULL;
			break;
		}
	}
	cJSON_Delete(all);
	return *out != NULL ? UP_OK : UP_ERR_NOMEM;
}

/*
 * The response body of a success: the bookkeeping, and the stored fields:
 * every one when full (the token may read users), else only those the
 * request sent (a write scope reads nothing it did not send).
 */
static enum up_err build_body(const struct up_ctx *ctx, const struct da_upsert *u, int full,
                              cJSON **out)
{
	cJSON *body = cJSON_CreateObject(), *profile = NULL, *v;
	enum up_err rc = UP_ERR_NOMEM;
	char id[32];
	int fid;

	*out = NULL;
	if (body == NULL)
		return UP_ERR_NOMEM;
	snprintf(id, sizeof(id), UP_USER_PREFIX "%llu", (unsigned long long)u->user_id);
	if (cJSON_AddTrueToObject(body, "success") == NULL ||
	    cJSON_AddStringToObject(body, "user_id", id) == NULL)
		goto out;
	for (fid = 0; fid < DA__MAX; fid++) {
		const struct da_field *f = &da_fields[fid];
		cJSON *parent = body;

		if (f->store == DA_S_NONE || (f->flags & DA_F_SECRET) ||
		    (!full && !u->in->present[fid]))
			continue;
		if (f->parent == DA_P_PROFILE) {
			if (profile == NULL &&
			    (profile = cJSON_AddObjectToObject(body, "profile")) == NULL)
				goto out;
			parent = profile;
		}
		rc = field_value(fid, u->stored[fid], full ? NULL : u->in->prefs, &v);
		if (rc != UP_OK)
			goto out;
		rc = UP_ERR_NOMEM;
		if (!cJSON_AddItemToObject(parent, f->name, v)) {
			cJSON_Delete(v);
			goto out;
		}
	}
	v = cJSON_Duplicate(u->updated_fields, 1);
	if (v == NULL || !cJSON_AddItemToObject(body, "updated_fields", v)) {
		cJSON_Delete(v);
		goto out;
	}
	if (cJSON_AddStringToObject(body, "updated_at", u->updated_at) == NULL ||
	    cJSON_AddNumberToObject(body, "version", (double)u->version) == NULL)
		goto out;
	up_ctx_add_usage(ctx, body);
	*out = body;
	body = NULL;
	rc = UP_OK;
out:
	cJSON_Delete(body);
	return rc;
}

static void update(struct up_call *call)
{
	struct up_ctx *ctx = call->ctx;
	const struct up_request *req = call->req;
	struct up_error e = {0};
	struct da_upsert u;
	struct da_input in;
	cJSON *data = NULL, *body = NULL;
	const char *outcome = "left unchanged";
	enum up_err rc;

	memset(&u, 0, sizeof(u));
	memset(&in, 0, sizeof(in));
	rc = da_decode(req, ctx->cfg->max_json_depth, &data, e.message, sizeof(e.message));
	if (rc != UP_OK)
		goto out;
	rc = da_input_parse(data, ctx->cfg->device_validation, &in, &e);
	if (rc == UP_ERR_MISSING_KEY) {
		up_error_reset(&e);
		up_error_set(&e, rc,
		             "At least one identifying key is required: user_id, "
		             "user_external_id, username, generic_id or number");
		goto out;
	}
	if (rc != UP_OK) {
		up_error_set(&e, rc, "Some fields break their rules; see details");
		goto out;
	}
	up_error_reset(&e);

	u.cfg = ctx->cfg;
	u.in = &in;
	u.tenant_id = ctx->auth.tenant_id;
	u.token_id = ctx->auth.token_id;
	u.request_id = req->request_id;
	rc = da_upsert_run(ctx->db, &u);
	if (rc != UP_OK) {
		e = u.err;
		memset(&u.err, 0, sizeof(u.err));
		goto out;
	}
	rc = build_body(ctx, &u, (ctx->auth.scopes & UP_SCOPE_USERS_READ) != 0, &body);
	if (rc == UP_OK)
		rc = up_response_json(call->resp, 201, body);
	if (rc != UP_OK)
		goto out;
	if (u.created)
		outcome = "created";
	else if (cJSON_GetArraySize(u.updated_fields) > 0)
		outcome = "updated";
	up_log(UP_LOG_INFO, "device_app: %s " UP_USER_PREFIX "%llu version %llu", outcome,
	       (unsigned long long)u.user_id, (unsigned long long)u.version);
out:
	if (rc != UP_OK) {
		e.code = rc;
		up_ctx_fail(ctx, call->resp, &e);
	}
	up_error_reset(&e);
	cJSON_Delete(body);
	up_json_wipe_delete(data); /* it may hold the password */
	da_upsert_free(&u);
	da_input_free(&in);
}

/* One route: POST only (no OPTIONS, as the endpoint has always answered). */
static const struct up_route routes[] = {
        {UP_DEVICE_APP_PATH "/", UP_MB(UP_M_POST), UP_SCOPE_DEVICE_APP_WRITE, update, NULL},
};

const struct up_routes up_device_app_routes = {routes, 1, NULL};

void up_device_app_handle(struct up_ctx *ctx, const struct up_request *req,
                          struct up_response *resp)
{
	up_route_dispatch(&up_device_app_routes, ctx, req, resp);
}
