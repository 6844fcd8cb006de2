/* family_read.c: GET of one row and the paged list of a family, and the replies they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "family.h"
#include "json.h"
#include "parse.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 500

void up_family_fail(struct up_call *call, struct up_error *e)
{
	up_ctx_fail(call->ctx, call->resp, e);
}

void up_family_send(struct up_call *call, int status, cJSON *item, uint64_t version)
{
	cJSON *body = item, *success = cJSON_CreateTrue();
	char etag[32];
	enum up_err rc = UP_ERR_NOMEM;

	item = NULL;
	/* "success" goes first, before the item's own members. */
	if (success == NULL || !cJSON_IsObject(body))
		goto out;
	success->string = (char *)"success";
	success->type |= cJSON_StringIsConst;
	if (!cJSON_InsertItemInArray(body, 0, success))
		goto out;
	success = NULL;
	up_ctx_add_usage(call->ctx, body);
	rc = up_response_json(call->resp, status, body);
	if (rc != UP_OK)
		goto out;
	snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)version);
	rc = up_response_header(call->resp, "ETag", etag);
out:
	if (rc != UP_OK)
		up_ctx_error(call->ctx, call->resp, rc, NULL, NULL);
	cJSON_Delete(success);
	cJSON_Delete(body);
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
		up_family_fail(call, &e);
		return;
	}
	up_family_send(call, 200, item, version);
}

/* 1 if the first n bytes at p name a parameter the list knows. */
static int known_param(const struct up_resource *r, const char *p, size_t n)
{
	static const char *const paging[] = {"limit", "offset", "cursor"};
	size_t i;

	for (i = 0; i < 3; i++)
		if (strlen(paging[i]) == n && strncmp(p, paging[i], n) == 0)
			return 1;
	for (i = 0; i < r->nfilters; i++)
		if (strlen(r->filters[i].param) == n && strncmp(p, r->filters[i].param, n) == 0)
			return 1;
	return 0;
}

/* Value of parameter name into *out (owned by the caller, NULL when absent); failures in e. */
static enum up_err param(const char *query, const char *name, char **out, struct up_error *e)
{
	enum up_err rc = up_query_get(query, name, out);

	if (rc == UP_ERR_BAD_REQUEST)
		up_error_set(e, rc, "%s is not valid percent-encoding", name);
	else if (rc != UP_OK)
		up_error_set(e, rc, "Out of memory");
	return rc;
}

/*
 * Parse the list's parameters into q; vals[0..nfilters-1] receive the
 * filters' values and vals[nfilters..+2] limit, offset and cursor (owned by
 * the caller).  Failures in e.
 */
static enum up_err parse_query(const struct up_resource *r, const char *query,
                               struct up_list_query *q, char **vals, struct up_error *e)
{
	char **limit = &vals[r->nfilters], **offset = limit + 1, **cursor = limit + 2;
	const char *p = query;
	enum up_err rc = UP_ERR_BAD_REQUEST;
	size_t i;

	memset(q, 0, sizeof(*q));
	q->limit = LIST_DEFAULT_LIMIT;
	if (param(query, "limit", limit, e) != UP_OK ||
	    param(query, "offset", offset, e) != UP_OK ||
	    param(query, "cursor", cursor, e) != UP_OK)
		return e->code;
	for (i = 0; i < r->nfilters; i++) {
		if (param(query, r->filters[i].param, &vals[i], e) != UP_OK)
			return e->code;
		q->value[i] = vals[i];
	}
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "=&");

		if (n > 0 && !known_param(r, p, n))
			return up_error_set(e, rc, "Unknown query parameter '%.*s'",
			                    UP_UTF8_CUT(p, n < 40 ? n : 40));
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	if (*limit != NULL && up_parse_u64(*limit, 1, LIST_MAX_LIMIT, &q->limit) != UP_OK)
		return up_error_set(e, rc, "limit must be a whole number from 1 to %d",
		                    LIST_MAX_LIMIT);
	if (*offset != NULL && up_parse_u64(*offset, 0, INT64_MAX, &q->offset) != UP_OK)
		return up_error_set(e, rc, "offset must be a whole number from 0");
	if (*cursor != NULL && *offset != NULL)
		return up_error_set(e, rc, "Give cursor or offset, not both");
	if (*cursor != NULL) {
		struct up_key k;

		if (up_resource_parse_key(r, *cursor, &k) != UP_OK)
			return up_error_set(e, rc,
			                    "cursor must be a nextCursor value of an earlier page");
		q->after_id = k.id;
		q->after = k.text;
	}
	for (i = 0; i < r->nfilters; i++) {
		char *v = vals[i];

		if (v == NULL || r->filters[i].type != UP_FT_BOOL)
			continue;
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return up_error_set(e, rc, "%s must be true or false", r->filters[i].param);
		q->value[i] = strcmp(v, "true") == 0 ? "1" : "0";
	}
	return UP_OK;
}

void up_family_list(struct up_call *call)
{
	const struct up_resource *r = call->family->res;
	char *vals[UP_MAX_FILTERS + 3] = {NULL};
	struct up_error e = {0};
	struct up_list_query q;
	cJSON *items = NULL, *body = NULL;
	uint64_t total = 0;
	int more = 0;
	size_t i;
	enum up_err rc;

	rc = parse_query(r, call->req->query, &q, vals, &e);
	if (rc == UP_OK)
		rc = up_resource_list(call->ctx->db, r, call->ctx->auth.tenant_id, &q, &items,
		                      &total, &more);
	if (rc == UP_OK && ((body = cJSON_CreateObject()) == NULL ||
	                    cJSON_AddTrueToObject(body, "success") == NULL))
		rc = UP_ERR_NOMEM;
	if (rc != UP_OK) {
		up_error_set(&e, rc, NULL);
		up_family_fail(call, &e);
		goto out;
	}
	cJSON_AddItemToObject(body, r->list_key, items);
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
	up_ctx_add_usage(call->ctx, body);
	rc = up_response_json(call->resp, 200, body);
	if (rc != UP_OK)
		up_ctx_error(call->ctx, call->resp, rc, NULL, NULL);
out:
	cJSON_Delete(items);
	cJSON_Delete(body);
	for (i = 0; i < UP_MAX_FILTERS + 3; i++)
		free(vals[i]);
}
