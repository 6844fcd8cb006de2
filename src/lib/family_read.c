/* SPDX-License-Identifier: ISC */
/* family_read.c: GET of one row and the paged list of a family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "family.h"
#include "json.h"
#include "parse.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 500

void up_family_get(struct up_call *call)
{
	const struct up_family *fam = call->family;
	struct up_error e = {0};
	struct up_key k;
	cJSON *item = NULL;
	uint64_t version = 0;
	enum up_err rc;

	rc = up_resource_parse_key(fam->res, call->id, &k);
	if (rc == UP_OK)
		rc = up_resource_load(call->ctx->db, fam->res, call->ctx->auth.tenant_id, &k, 0,
		                      &item, &version);
	if (rc != UP_OK) {
		if (rc == UP_ERR_NOT_FOUND)
			up_error_set(&e, rc, "%s not found", fam->title);
		else
			up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
		return;
	}
	up_reply_versioned(call, 200, item, version);
}

enum { P_LIMIT, P_OFFSET, P_CURSOR, P_COUNT, P_FILTERS };

/*
 * The list's parameters into q: spec and vals hold limit, offset, cursor,
 * count and then the filters (vals released by the caller).  An offset
 * past UP_LIST_MAX_OFFSET is 400 offset_too_large (up_req_paging); count
 * takes only "exact".
 * Failures in e.
 */
static enum up_err parse_query(const struct up_call *call, struct up_list_query *q,
                               struct up_param *spec, struct up_param_value *vals,
                               struct up_error *e)
{
	const struct up_resource *r = call->family->res;
	const enum up_err bad = UP_ERR_BAD_REQUEST;
	const struct up_param paging[P_FILTERS] = {
	        [P_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, LIST_MAX_LIMIT, LIST_DEFAULT_LIMIT},
	        [P_OFFSET] = {"offset", UP_PARAM_NUMBER, 0, INT64_MAX, 0},
	        [P_CURSOR] = {"cursor", UP_PARAM_STRING, 0, 0, 0},
	        [P_COUNT] = {"count", UP_PARAM_STRING, 0, 0, 0},
	};
	enum up_err rc;
	size_t i;

	memcpy(spec, paging, sizeof(paging));
	for (i = 0; i < r->nfilters; i++) {
		memset(&spec[P_FILTERS + i], 0, sizeof(spec[0]));
		spec[P_FILTERS + i].name = r->filters[i].param;
		spec[P_FILTERS + i].kind =
		        r->filters[i].type == UP_FT_BOOL ? UP_PARAM_BOOL : UP_PARAM_STRING;
	}
	rc = up_req_params(call, spec, P_FILTERS + r->nfilters, vals, e);
	if (rc != UP_OK)
		return rc;
	memset(q, 0, sizeof(*q));
	q->limit = vals[P_LIMIT].num;
	q->offset = vals[P_OFFSET].num;
	rc = up_req_paging(&vals[P_OFFSET], &vals[P_CURSOR], e);
	if (rc != UP_OK)
		return rc;
	if (vals[P_COUNT].present && strcmp(vals[P_COUNT].text, "exact") != 0)
		return up_error_set(e, bad, "count must be exact (or absent: no total)");
	q->count_exact = vals[P_COUNT].present;
	if (vals[P_CURSOR].present) {
		struct up_key k;

		if (up_resource_parse_key(r, vals[P_CURSOR].text, &k) != UP_OK)
			return up_error_set(e, bad,
			                    "cursor must be a nextCursor value of an earlier page");
		q->after_id = k.id;
		q->after = k.text;
	}
	for (i = 0; i < r->nfilters; i++) {
		const struct up_param_value *v = &vals[P_FILTERS + i];

		if (!v->present)
			q->value[i] = NULL;
		else if (r->filters[i].type == UP_FT_BOOL)
			q->value[i] = v->flag ? "1" : "0";
		else
			q->value[i] = v->text;
	}
	return UP_OK;
}

void up_family_list(struct up_call *call)
{
	const struct up_resource *r = call->family->res;
	struct up_param spec[P_FILTERS + UP_MAX_FILTERS];
	struct up_param_value vals[P_FILTERS + UP_MAX_FILTERS];
	struct up_error e = {0};
	struct up_list_query q;
	cJSON *items = NULL, *body = NULL;
	uint64_t total = 0;
	int more = 0;
	enum up_err rc;

	rc = parse_query(call, &q, spec, vals, &e);
	if (rc == UP_OK)
		rc = up_resource_list(call->ctx->db, r, call->ctx->auth.tenant_id, &q, &items,
		                      &total, &more);
	if (rc == UP_OK && (body = cJSON_CreateObject()) == NULL)
		rc = up_error_set(&e, UP_ERR_NOMEM, NULL);
	else if (rc != UP_OK && e.code != rc)
		up_error_set(&e, rc, NULL);
	if (rc != UP_OK) {
		up_ctx_fail(call->ctx, call->resp, &e);
		goto out;
	}
	cJSON_AddItemToObject(body, r->list_key, items);
	if (q.count_exact)
		cJSON_AddNumberToObject(body, "total", (double)total);
	cJSON_AddNumberToObject(body, "limit", (double)q.limit);
	cJSON_AddNumberToObject(body, "offset", (double)q.offset);
	if (more) {
		const cJSON *last = cJSON_GetArrayItem(items, (int)q.limit - 1);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, up_resource_key(r)->name);

		if (cJSON_IsString(id))
			cJSON_AddStringToObject(body, "nextCursor", id->valuestring);
	}
	items = NULL;
	up_reply(call, 200, body);
	body = NULL;
out:
	cJSON_Delete(items);
	cJSON_Delete(body);
	up_req_params_free(vals, P_FILTERS + r->nfilters);
}
