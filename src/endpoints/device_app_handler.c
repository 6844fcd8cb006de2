/*
 * device_app_handler.c: routing, authentication and decoding of
 * POST /api/v1/device_app_user_update/, and the response.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "device_app.h"
#include "json.h"
#include "log.h"
#include "user_store.h"

#define CT_JSON "application/json"
#define CT_FORM "application/x-www-form-urlencoded"

/* A 400-class failure of decoding: the error and its sentence. */
struct decode_err {
	enum up_err err;
	char message[160];
};

static enum up_err fail(struct decode_err *e, enum up_err err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static enum up_err fail(struct decode_err *e, enum up_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	up_utf8_trim(e->message);
	e->err = err;
	return err;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsString(v))
		return "a string";
	return "an object";
}

/* The object held by the text of `data` (len bytes). *out owned by the caller. */
static enum up_err parse_data_text(const char *text, size_t len, size_t max_depth, cJSON **out,
                                   struct decode_err *e)
{
	size_t where = 0;
	enum up_err rc = up_json_parse_opts(text, len, max_depth, 0, &where, out);

	if (rc == UP_ERR_LIMIT)
		return fail(e, UP_ERR_LIMIT, "data is nested deeper than %zu levels", max_depth);
	if (rc == UP_ERR_BAD_JSON)
		return fail(e, UP_ERR_BAD_DATA,
		            "data is not valid JSON (error at byte %zu of data)", where);
	if (rc != UP_OK)
		return fail(e, rc, "data could not be parsed");
	if (!cJSON_IsObject(*out)) {
		fail(e, UP_ERR_BAD_DATA, "data must hold a JSON object, not %s",
		     json_type_name(*out));
		cJSON_Delete(*out);
		*out = NULL;
	}
	return e->err;
}

/* {"data": "<json object text>"} or {"data": {...}}. */
static enum up_err decode_json(const struct up_request *req, size_t max_depth, cJSON **out,
                               struct decode_err *e)
{
	cJSON *body = NULL, *m, *data = NULL;
	size_t where = 0;
	enum up_err rc;

	*out = NULL;
	if (req->body == NULL || req->body_len == 0)
		return fail(e, UP_ERR_BAD_DATA, "The body is empty: data is missing");
	/* The documented example prints the data string across lines: raw line
	 * breaks and tabs inside the envelope's strings are accepted. */
	rc = up_json_parse_opts(req->body, req->body_len, max_depth, UP_JSON_RAW_WS_IN_STRINGS,
	                        &where, &body);
	if (rc == UP_ERR_LIMIT)
		return fail(e, rc, "The body is nested deeper than %zu levels", max_depth);
	if (rc == UP_ERR_BAD_JSON)
		return fail(e, UP_ERR_BAD_JSON, "The body is not valid JSON (error at byte %zu)",
		            where);
	if (rc != UP_OK)
		return fail(e, rc, "The body could not be parsed");
	if (!cJSON_IsObject(body)) {
		fail(e, UP_ERR_BAD_DATA,
		     "The body must be a JSON object with a data member, not %s",
		     json_type_name(body));
		goto out;
	}
	cJSON_ArrayForEach(m, body)
	{
		if (strcmp(m->string, "data") != 0) {
			fail(e, UP_ERR_BAD_DATA,
			     "Unexpected member \"%.*s\": the body carries only data",
			     UP_UTF8_CUT(m->string, 40));
			goto out;
		}
		if (data != NULL) {
			fail(e, UP_ERR_BAD_DATA, "data is given more than once");
			goto out;
		}
		data = m;
	}
	if (data == NULL) {
		fail(e, UP_ERR_BAD_DATA, "data is missing");
	} else if (cJSON_IsString(data)) {
		parse_data_text(data->valuestring, strlen(data->valuestring), max_depth, out, e);
	} else if (cJSON_IsObject(data)) {
		*out = cJSON_DetachItemViaPointer(body, data);
	} else {
		fail(e, UP_ERR_BAD_DATA,
		     "data must be a JSON string holding an object (or an object), not %s",
		     json_type_name(data));
	}
out:
	cJSON_Delete(body);
	return e->err;
}

/* data=<percent-encoded json object text>, and nothing else. */
static enum up_err decode_form(const struct up_request *req, size_t max_depth, cJSON **out,
                               struct decode_err *e)
{
	const char *p = req->body != NULL ? req->body : "";
	size_t count = 0;
	char *value = NULL;
	enum up_err rc;

	*out = NULL;
	if (req->body != NULL && strlen(req->body) != req->body_len)
		return fail(e, UP_ERR_BAD_REQUEST, "The body contains a NUL byte");
	while (*p != '\0') {
		size_t len = strcspn(p, "&"), klen = strcspn(p, "=&");

		if (len > 0) {
			if (klen != 4 || strncmp(p, "data", 4) != 0)
				return fail(e, UP_ERR_BAD_DATA,
				            "Unexpected parameter \"%.*s\": the body carries only "
				            "data",
				            (int)(klen > 40 ? 40 : klen), p);
			count++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (count == 0)
		return fail(e, UP_ERR_BAD_DATA, "data is missing");
	if (count > 1)
		return fail(e, UP_ERR_BAD_DATA, "data is given more than once");
	rc = up_query_get(req->body, "data", &value);
	if (rc == UP_ERR_NOMEM)
		return fail(e, rc, "out of memory");
	if (rc != UP_OK || value == NULL)
		return fail(e, UP_ERR_BAD_DATA, "data is not valid percent-encoding");
	parse_data_text(value, strlen(value), max_depth, out, e);
	free(value);
	return e->err;
}

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
	struct decode_err e = {UP_OK, ""};
	struct da_upsert u;
	struct da_input in;
	cJSON *data = NULL, *details = NULL, *body = NULL;
	const char *message = NULL, *outcome = "left unchanged";
	size_t depth = ctx->cfg->max_json_depth;
	enum up_err rc;

	memset(&u, 0, sizeof(u));
	memset(&in, 0, sizeof(in));
	if (req->content_type == NULL ||
	    (strcmp(req->content_type, CT_JSON) != 0 && strcmp(req->content_type, CT_FORM) != 0)) {
		rc = UP_ERR_MEDIA_TYPE;
		message = "Content-Type must be " CT_JSON " or " CT_FORM;
		goto out;
	}
	if (strcmp(req->content_type, CT_JSON) == 0)
		rc = decode_json(req, depth, &data, &e);
	else
		rc = decode_form(req, depth, &data, &e);
	if (rc != UP_OK) {
		message = e.message;
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
	cJSON_Delete(data);
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
