/*
 * device_app_handler.c: routing and authentication of
 * POST /api/v1/device_app_user_update/, and the response (the body is
 * decoded by device_app_decode.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "device_app.h"
#include "json.h"
#include "log.h"
#include "user_store.h"

/* The response body of a success: the stored fields and the bookkeeping. */
static enum up_err build_body(const struct up_ctx *ctx, const struct da_upsert *u, cJSON **out)
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
		const char *s = u->stored[fid];
		cJSON *parent = body;

		if (f->store == DA_S_NONE || (f->flags & DA_F_SECRET))
			continue;
		if (f->parent == DA_P_PROFILE) {
			if (profile == NULL &&
			    (profile = cJSON_AddObjectToObject(body, "profile")) == NULL)
				goto out;
			parent = profile;
		}
		if (f->kind == DA_K_PREFS) {
			v = NULL;
			if (s != NULL && up_json_parse(s, strlen(s), 64, &v) != UP_OK) {
				rc = UP_ERR_INTERNAL;
				goto out;
			}
			if (v == NULL)
				v = cJSON_CreateObject();
		} else {
			v = s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
		}
		if (v == NULL || !cJSON_AddItemToObject(parent, f->name, v)) {
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

static void update(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	char decode_msg[160] = "";
	struct da_upsert u;
	struct da_input in;
	cJSON *data = NULL, *details = NULL, *body = NULL;
	const char *message = NULL, *outcome = "left unchanged";
	enum up_err rc;

	memset(&u, 0, sizeof(u));
	memset(&in, 0, sizeof(in));
	rc = da_decode(req, ctx->cfg->max_json_depth, &data, decode_msg, sizeof(decode_msg));
	if (rc != UP_OK) {
		message = decode_msg;
		goto out;
	}
	details = cJSON_CreateArray();
	if (details == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	rc = da_input_parse(data, ctx->cfg->device_validation, &in, details);
	if (rc == UP_ERR_MISSING_KEY) {
		message = "At least one identifying key is required: user_id, user_external_id, "
		          "username, generic_id or number";
		cJSON_Delete(details);
		details = NULL;
		goto out;
	}
	if (rc != UP_OK) {
		message = "Some fields break their rules; see details";
		goto out;
	}
	cJSON_Delete(details);
	details = NULL;

	u.cfg = ctx->cfg;
	u.in = &in;
	u.tenant_id = ctx->auth.tenant_id;
	u.token_id = ctx->auth.token_id;
	u.request_id = req->request_id;
	rc = da_upsert_run(ctx->db, &u);
	if (rc != UP_OK) {
		if (u.message[0] != '\0')
			message = u.message;
		details = u.details;
		u.details = NULL;
		goto out;
	}
	rc = build_body(ctx, &u, &body);
	if (rc != UP_OK)
		goto out;
	rc = up_response_json(resp, 201, body);
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
		up_ctx_error(ctx, resp, rc, message, details);
		details = NULL;
	}
	cJSON_Delete(details);
	cJSON_Delete(body);
	up_json_wipe_delete(data); /* it may hold the password */
	da_upsert_free(&u);
	da_input_free(&in);
}

void up_device_app_handle(struct up_ctx *ctx, const struct up_request *req,
                          struct up_response *resp)
{
	size_t n = strlen(UP_DEVICE_APP_PATH);

	if (strncmp(req->path, UP_DEVICE_APP_PATH, n) != 0 ||
	    (req->path[n] != '\0' && strcmp(req->path + n, "/") != 0)) {
		up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "No such resource", NULL);
		return;
	}
	if (req->method != UP_M_POST) {
		up_ctx_method_not_allowed(ctx, resp, "POST");
		return;
	}
	if (up_ctx_auth(ctx, req, UP_SCOPE_DEVICE_APP_WRITE, resp) != UP_OK)
		return;
	update(ctx, req, resp);
}
