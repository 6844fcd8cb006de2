/* SPDX-License-Identifier: ISC */
/*
 * family_export.c: GET <collection>/export: every row of the tenant that
 * the list's filters admit, as NDJSON (one representation a line) or CSV
 * (a header row of field names, nested values as JSON text), read in
 * keyset chunks and written to the client chunk by chunk, so a worker
 * holds one chunk at a time whatever the size of the export.
 */
#include <stdio.h>
#include <string.h>
#include "csv.h"
#include "family.h"
#include "json.h"
#include "log.h"
#include "response_stream.h"

#define EXPORT_CHUNK 500

#define NDJSON_TYPE "application/x-ndjson"
#define CSV_TYPE "text/csv; charset=utf-8"

/* A field of the representation: what a GET shows. */
static int shown(const struct up_field *f)
{
	return !(f->flags & (UP_FF_HIDDEN | UP_FF_WRITEONLY)) && f->type != UP_FT_SECRET;
}

/* 1 when the answer is CSV: format=csv, or no format and an Accept naming text/csv. */
static int wants_csv(const struct up_call *call, const struct up_param_value *format,
                     struct up_error *e, enum up_err *rc)
{
	*rc = UP_OK;
	if (format->present) {
		if (strcmp(format->text, "csv") == 0)
			return 1;
		if (strcmp(format->text, "ndjson") != 0)
			*rc = up_error_set(e, UP_ERR_BAD_REQUEST, "format must be ndjson or csv");
		return 0;
	}
	return call->req->accept != NULL && strstr(call->req->accept, "text/csv") != NULL;
}

static enum up_err csv_header(const struct up_resource *r, struct up_text *t)
{
	enum up_err rc = UP_OK;
	size_t i;
	int first = 1;

	for (i = 0; rc == UP_OK && i < r->nfields; i++) {
		if (!shown(&r->fields[i]))
			continue;
		if (!first)
			rc = up_text_add(t, ",", 1);
		if (rc == UP_OK)
			rc = up_csv_put_text(t, r->fields[i].name, strlen(r->fields[i].name));
		first = 0;
	}
	return rc == UP_OK ? up_text_add(t, "\r\n", 2) : rc;
}

/* One cell of a CSV row: null empty, strings escaped, numbers and booleans bare, the rest JSON. */
static enum up_err csv_cell(struct up_text *t, const cJSON *v)
{
	enum up_err rc;
	char *s;

	if (v == NULL || cJSON_IsNull(v))
		return UP_OK;
	if (cJSON_IsString(v))
		return up_csv_put_text(t, v->valuestring, strlen(v->valuestring));
	if (cJSON_IsBool(v))
		return up_csv_put_raw(t, cJSON_IsTrue(v) ? "true" : "false");
	s = up_json_print(v);
	if (s == NULL)
		return UP_ERR_NOMEM;
	rc = cJSON_IsNumber(v) ? up_csv_put_raw(t, s) : up_csv_put_text(t, s, strlen(s));
	cJSON_free(s);
	return rc;
}

static enum up_err csv_row(const struct up_resource *r, const cJSON *item, struct up_text *t)
{
	enum up_err rc = UP_OK;
	size_t i;
	int first = 1;

	for (i = 0; rc == UP_OK && i < r->nfields; i++) {
		if (!shown(&r->fields[i]))
			continue;
		if (!first)
			rc = up_text_add(t, ",", 1);
		if (rc == UP_OK)
			rc = csv_cell(t, cJSON_GetObjectItemCaseSensitive(item, r->fields[i].name));
		first = 0;
	}
	return rc == UP_OK ? up_text_add(t, "\r\n", 2) : rc;
}

static enum up_err ndjson_row(const cJSON *item, struct up_text *t)
{
	char *s = up_json_print(item);
	enum up_err rc;

	if (s == NULL)
		return UP_ERR_NOMEM;
	rc = up_text_str(t, s);
	cJSON_free(s);
	return rc == UP_OK ? up_text_add(t, "\n", 1) : rc;
}

/*
 * Stream every chunk after the head was sent.  q's cursor moves on; key
 * holds the last key of a text-keyed table.  An error here can only end
 * the answer early.
 */
static enum up_err stream_rows(struct up_call *call, struct up_list_query *q, int csv,
                               struct up_text *t, int *begun)
{
	const struct up_resource *r = call->family->res;
	const struct up_field *kf = up_resource_key(r);
	char key[300];
	enum up_err rc = UP_OK;
	int more = 1;

	while (rc == UP_OK && more) {
		cJSON *items = NULL, *item, *last = NULL;
		uint64_t total;

		rc = up_resource_list(call->ctx->db, r, call->ctx->auth.tenant_id, q, &items,
		                      &total, &more);
		/* The head leaves once the first chunk was read: an outage before is a 503. */
		if (rc == UP_OK && !*begun) {
			rc = up_stream_begin(call->resp, 200, csv ? CSV_TYPE : NDJSON_TYPE);
			*begun = 1;
		}
		cJSON_ArrayForEach(item, items)
		{
			if (rc == UP_OK)
				rc = csv ? csv_row(r, item, t) : ndjson_row(item, t);
			last = item;
		}
		if (rc == UP_OK && last != NULL) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, kf->name);
			struct up_key k;

			snprintf(key, sizeof(key), "%s", cJSON_IsString(id) ? id->valuestring : "");
			if (up_resource_parse_key(r, key, &k) != UP_OK)
				rc = UP_ERR_INTERNAL;
			q->after_id = k.id;
			q->after = key;
		}
		cJSON_Delete(items);
		if (rc == UP_OK)
			rc = up_stream_text(call->resp, t);
	}
	return rc;
}

enum { P_FORMAT, P_FILTERS };

void up_family_export(struct up_call *call)
{
	const struct up_resource *r = call->family->res;
	struct up_param spec[P_FILTERS + UP_MAX_FILTERS];
	struct up_param_value vals[P_FILTERS + UP_MAX_FILTERS];
	struct up_error e = {0};
	struct up_list_query q;
	struct up_text t = {0};
	enum up_err rc;
	size_t i, n = P_FILTERS + r->nfilters;
	int csv = 0, begun = 0;

	memset(spec, 0, sizeof(spec));
	memset(&q, 0, sizeof(q));
	spec[P_FORMAT].name = "format";
	spec[P_FORMAT].kind = UP_PARAM_STRING;
	for (i = 0; i < r->nfilters; i++) {
		spec[P_FILTERS + i].name = r->filters[i].param;
		spec[P_FILTERS + i].kind =
		        r->filters[i].type == UP_FT_BOOL ? UP_PARAM_BOOL : UP_PARAM_STRING;
	}
	rc = up_req_params(call, spec, n, vals, &e);
	if (rc == UP_OK)
		csv = wants_csv(call, &vals[P_FORMAT], &e, &rc);
	if (rc != UP_OK) {
		up_ctx_fail(call->ctx, call->resp, &e);
		goto out;
	}
	for (i = 0; i < r->nfilters; i++) {
		const struct up_param_value *v = &vals[P_FILTERS + i];

		q.value[i] = !v->present                        ? NULL
		             : r->filters[i].type == UP_FT_BOOL ? (v->flag ? "1" : "0")
		                                                : v->text;
	}
	q.limit = EXPORT_CHUNK;
	rc = csv ? csv_header(r, &t) : UP_OK;
	if (rc == UP_OK)
		rc = stream_rows(call, &q, csv, &t, &begun);
	if (rc != UP_OK && !begun) {
		up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
	} else if (rc != UP_OK) { /* the status has left: the answer just ends short */
		up_log(UP_LOG_ERROR, "export of %s ended early: %s", r->list_key, up_err_code(rc));
	}
out:
	up_text_free(&t);
	up_req_params_free(vals, n);
}
