/* SPDX-License-Identifier: ISC */
/* request_io.c: body, query parameters, If-Match and the success envelope of every handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "parse.h"
#include "request_io.h"
#include "validate.h"

/* Content-Type one of types and a body there: UP_OK, else the error in e. */
static enum up_err body_there(const struct up_request *req, const char *const *types,
                              struct up_error *e)
{
	char list[160];
	size_t i, used = 0;

	for (i = 0; types[i] != NULL; i++)
		if (req->content_type != NULL && strcmp(req->content_type, types[i]) == 0)
			break;
	if (types[i] == NULL) {
		list[0] = '\0';
		for (i = 0; types[i] != NULL && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
			                         i == 0                 ? ""
			                         : types[i + 1] == NULL ? " or "
			                                                : ", ",
			                         types[i]);
		return up_error_set(e, UP_ERR_MEDIA_TYPE, "Content-Type must be %s", list);
	}
	if (req->body == NULL || req->body_len == 0)
		return up_error_set(e, UP_ERR_BAD_JSON, "The request body is empty");
	return UP_OK;
}

static enum up_err not_json(enum up_err rc, struct up_error *e)
{
	if (rc != UP_OK)
		up_error_set(e, rc, "%s",
		             rc == UP_ERR_LIMIT ? "The body nests deeper than the limit"
		                                : "The body is not valid JSON");
	return rc;
}

enum up_err up_req_json_body(const struct up_call *call, const char *const *types, cJSON **doc,
                             struct up_error *e)
{
	const struct up_request *req = call->req;
	enum up_err rc;

	*doc = NULL;
	if ((rc = body_there(req, types, e)) != UP_OK)
		return rc;
	return not_json(
	        up_json_parse(req->body, req->body_len, call->ctx->cfg->max_json_depth, doc), e);
}

enum up_err up_req_json_text(const struct up_call *call, const char *const *types,
                             struct up_error *e)
{
	const struct up_request *req = call->req;
	enum up_err rc;

	if ((rc = body_there(req, types, e)) != UP_OK)
		return rc;
	return not_json(
	        up_json_validate(req->body, req->body_len, call->ctx->cfg->max_json_depth, NULL),
	        e);
}

/* 1 if the len bytes at p name a parameter of spec. */
static int known(const struct up_param *spec, size_t n, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(spec[i].name) == len && strncmp(p, spec[i].name, len) == 0)
			return 1;
	return 0;
}

/* The value text of parameter p into v, as its kind says. */
static enum up_err take(const struct up_param *p, struct up_param_value *v, struct up_error *e)
{
	const enum up_err bad = UP_ERR_BAD_REQUEST;

	switch (p->kind) {
	case UP_PARAM_STRING:
		return UP_OK;
	case UP_PARAM_NUMBER:
		if (up_parse_u64(v->text, p->min, p->max, &v->num) == UP_OK)
			return UP_OK;
		if (p->max >= INT64_MAX)
			return up_error_set(e, bad, "%s must be a whole number from %llu", p->name,
			                    (unsigned long long)p->min);
		return up_error_set(e, bad, "%s must be a whole number from %llu to %llu", p->name,
		                    (unsigned long long)p->min, (unsigned long long)p->max);
	case UP_PARAM_TIME:
		if (up_valid_rfc3339(v->text, v->time, sizeof(v->time)))
			return UP_OK;
		return up_error_set(e, bad, "%s must be an RFC 3339 date-time", p->name);
	case UP_PARAM_BOOL:
		if (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0) {
			v->flag = strcmp(v->text, "true") == 0;
			return UP_OK;
		}
		return up_error_set(e, bad, "%s must be true or false", p->name);
	}
	return up_error_set(e, UP_ERR_INTERNAL, NULL);
}

enum up_err up_req_params(const struct up_call *call, const struct up_param *spec, size_t n,
                          struct up_param_value *out, struct up_error *e)
{
	const char *query = call->req->query, *p = query;
	enum up_err rc;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].num = spec[i].dflt;
	}
	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "=&");

		if (len > 0 && !known(spec, n, p, len))
			return up_error_set(e, UP_ERR_BAD_REQUEST, "Unknown query parameter '%.*s'",
			                    UP_UTF8_CUT(p, len < 40 ? len : 40));
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	for (i = 0; i < n; i++) {
		rc = up_query_get(query, spec[i].name, &out[i].text);
		if (rc == UP_ERR_BAD_REQUEST)
			return up_error_set(e, rc, "%s is not valid percent-encoding",
			                    spec[i].name);
		if (rc != UP_OK)
			return up_error_set(e, rc, NULL);
		out[i].present = out[i].text != NULL;
		if (out[i].present && (rc = take(&spec[i], &out[i], e)) != UP_OK)
			return rc;
	}
	return UP_OK;
}

void up_req_params_free(struct up_param_value *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		v[i].text = NULL;
	}
}

enum up_err up_req_paging(const struct up_param_value *offset, const struct up_param_value *cursor,
                          struct up_error *e)
{
	if (cursor->present && offset->present)
		return up_error_set(e, UP_ERR_BAD_REQUEST, "Give cursor or offset, not both");
	if (offset->num > UP_LIST_MAX_OFFSET)
		return up_error_set(e, UP_ERR_OFFSET_RANGE,
		                    "offset must be at most %d: page further with cursor, the "
		                    "nextCursor of the page before",
		                    UP_LIST_MAX_OFFSET);
	return UP_OK;
}

int up_if_match(const char *if_match, uint64_t version)
{
	const char *p = if_match;

	if (if_match == NULL)
		return 1;
	/* A comma-separated list of "*" or strong entity tags; weak tags never match. */
	while (*p != '\0') {
		const char *end;
		uint64_t v;

		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		if (*p == '*')
			return 1;
		if (*p == '"') {
			end = strchr(p + 1, '"');
			if (end == NULL)
				return 0;
			if (up_parse_u64n(p + 1, (size_t)(end - p - 1), 0, UINT64_MAX, &v) ==
			            UP_OK &&
			    v == version)
				return 1;
			p = end + 1;
		} else {
			p += strcspn(p, ",");
		}
	}
	return 0;
}

enum up_err up_req_if_match(const struct up_request *req, uint64_t version, struct up_error *e)
{
	if (up_if_match(req->if_match, version))
		return UP_OK;
	return up_error_set(e, UP_ERR_PRECONDITION,
	                    "If-Match does not match the current version \"%llu\"",
	                    (unsigned long long)version);
}

/* The envelope of body: "success" first, then body's members, then the usage counters. */
static enum up_err envelope(struct up_call *call, cJSON *body)
{
	cJSON *success = cJSON_CreateTrue();

	if (success == NULL || !cJSON_IsObject(body)) {
		cJSON_Delete(success);
		return UP_ERR_NOMEM;
	}
	success->string = (char *)"success";
	success->type |= cJSON_StringIsConst;
	if (!cJSON_InsertItemInArray(body, 0, success)) {
		cJSON_Delete(success);
		return UP_ERR_NOMEM;
	}
	up_ctx_add_usage(call->ctx, body);
	return UP_OK;
}

/* The answer, or its 500 (rc the error met); body freed. */
static void send(struct up_call *call, int status, cJSON *body, const char *etag)
{
	enum up_err rc = envelope(call, body);

	if (rc == UP_OK)
		rc = up_response_json(call->resp, status, body);
	if (rc == UP_OK && etag != NULL)
		rc = up_response_header(call->resp, "ETag", etag);
	if (rc != UP_OK) {
		struct up_error e = {0};

		up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
	}
	cJSON_Delete(body);
}

void up_reply(struct up_call *call, int status, cJSON *body)
{
	send(call, status, body, NULL);
}

void up_reply_versioned(struct up_call *call, int status, cJSON *body, uint64_t version)
{
	char etag[32];

	snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)version);
	send(call, status, body, etag);
}

void up_reply_app(struct up_call *call, int status, const cJSON *body)
{
	struct up_error e = {0};
	enum up_err rc = UP_OK;

	if (body == NULL)
		call->resp->status = status;
	else
		rc = up_response_json(call->resp, status, body);
	if (rc != UP_OK) {
		up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
	}
}
