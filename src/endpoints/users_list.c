/* users_list.c: GET /api/users (paged list) and the countries / time zones catalogs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "json.h"
#include "parse.h"
#include "user_store.h"
#include "users_internal.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 500

/* Query parameters the list understands; any other is a 400. */
static const char *const list_params[] = {"limit", "offset",   "cursor",
                                          "group", "disabled", "email"};

/* The first parameter name of query that the list does not know, copied into buf; 0 if none. */
static int unknown_param(const char *query, char *buf, size_t len)
{
	const char *p = query;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "=&"), i;
		int known = 0;

		for (i = 0; i < sizeof(list_params) / sizeof(list_params[0]); i++)
			if (strlen(list_params[i]) == n && strncmp(p, list_params[i], n) == 0)
				known = 1;
		if (!known && n > 0) {
			snprintf(buf, len, "%.*s", UP_UTF8_CUT(p, n < 40 ? n : 40));
			return 1;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* Parse the list's parameters into q; on failure a sentence in err. Strings owned by the caller. */
static enum up_err parse_query(const char *query, struct up_user_query *q, char **group,
                               char **email, char *err, size_t errlen)
{
	char *limit = NULL, *offset = NULL, *cursor = NULL, *disabled = NULL;
	char **const values[] = {&limit, &offset, &cursor, group, &disabled, email};
	char name[48];
	enum up_err rc = UP_ERR_BAD_REQUEST;
	size_t i;

	snprintf(err, errlen, "Out of memory");
	memset(q, 0, sizeof(*q));
	q->limit = LIST_DEFAULT_LIMIT;
	q->disabled = -1;
	*group = *email = NULL;
	for (i = 0; i < sizeof(list_params) / sizeof(list_params[0]); i++) {
		rc = up_query_get(query, list_params[i], values[i]);
		if (rc == UP_ERR_BAD_REQUEST)
			snprintf(err, errlen, "%s is not valid percent-encoding", list_params[i]);
		if (rc != UP_OK)
			goto out;
	}
	rc = UP_ERR_BAD_REQUEST;
	q->group = *group;
	q->email = *email;
	if (unknown_param(query, name, sizeof(name))) {
		snprintf(err, errlen, "Unknown query parameter '%s'", name);
		goto out;
	}
	if (limit != NULL && up_parse_u64(limit, 1, LIST_MAX_LIMIT, &q->limit) != UP_OK) {
		snprintf(err, errlen, "limit must be a whole number from 1 to %d", LIST_MAX_LIMIT);
		goto out;
	}
	if (offset != NULL && up_parse_u64(offset, 0, INT64_MAX, &q->offset) != UP_OK) {
		snprintf(err, errlen, "offset must be a whole number from 0");
		goto out;
	}
	if (cursor != NULL && offset != NULL) {
		snprintf(err, errlen, "Give cursor or offset, not both");
		goto out;
	}
	if (cursor != NULL && up_parse_public_id(cursor, UP_USER_PREFIX, &q->after_id) != UP_OK) {
		snprintf(err, errlen, "cursor must be a nextCursor value of an earlier page");
		goto out;
	}
	if (disabled != NULL) {
		if (strcmp(disabled, "true") == 0) {
			q->disabled = 1;
		} else if (strcmp(disabled, "false") == 0) {
			q->disabled = 0;
		} else {
			snprintf(err, errlen, "disabled must be true or false");
			goto out;
		}
	}
	rc = UP_OK;
out:
	free(limit);
	free(offset);
	free(cursor);
	free(disabled);
	return rc;
}

void up_users_list(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	struct up_user_query q;
	char *group = NULL, *email = NULL, err[128];
	cJSON *users = NULL, *body = NULL;
	uint64_t total = 0;
	int more = 0;
	enum up_err rc;

	rc = parse_query(req->query, &q, &group, &email, err, sizeof(err));
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc, err, NULL);
		goto out;
	}
	rc = up_user_list(ctx->db, ctx->auth.tenant_id, &q, &users, &total, &more);
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc, NULL, NULL);
		goto out;
	}
	body = cJSON_CreateObject();
	if (body == NULL || cJSON_AddTrueToObject(body, "success") == NULL) {
		up_ctx_error(ctx, resp, UP_ERR_NOMEM, NULL, NULL);
		goto out;
	}
	cJSON_AddItemToObject(body, "users", users);
	users = NULL;
	cJSON_AddNumberToObject(body, "total", (double)total);
	cJSON_AddNumberToObject(body, "limit", (double)q.limit);
	cJSON_AddNumberToObject(body, "offset", (double)q.offset);
	if (more) {
		const cJSON *last = cJSON_GetArrayItem(
		        cJSON_GetObjectItemCaseSensitive(body, "users"), (int)q.limit - 1);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, "id");

		if (cJSON_IsString(id))
			cJSON_AddStringToObject(body, "nextCursor", id->valuestring);
	}
	up_ctx_add_usage(ctx, body);
	rc = up_response_json(resp, 200, body);
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc, NULL, NULL);
out:
	cJSON_Delete(users);
	cJSON_Delete(body);
	free(group);
	free(email);
}

void up_users_catalog(struct up_ctx *ctx, int catalog, struct up_response *resp)
{
	enum up_catalog c = (enum up_catalog)catalog;
	const char *key = c == UP_CATALOG_COUNTRIES ? "countries" : "timeZones";
	cJSON *body = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	size_t i, n = up_catalog_count(c);
	enum up_err rc = UP_ERR_NOMEM;

	if (body == NULL || arr == NULL || cJSON_AddTrueToObject(body, "success") == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(up_catalog_item(c, i));

		if (s == NULL)
			goto out;
		cJSON_AddItemToArray(arr, s);
	}
	cJSON_AddItemToObject(body, key, arr);
	arr = NULL;
	up_ctx_add_usage(ctx, body);
	rc = up_response_json(resp, 200, body);
out:
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc, NULL, NULL);
	cJSON_Delete(arr);
	cJSON_Delete(body);
}
