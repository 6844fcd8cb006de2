/* users_handler.c: routing of /api/users, GET /api/users/{userId}, shared replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "parse.h"
#include "user_store.h"
#include "users.h"
#include "users_internal.h"

#define USERS_PREFIX "/api/users"

#define ALLOW_COLLECTION "GET, HEAD, POST, OPTIONS"
#define ALLOW_CATALOG "GET, HEAD, OPTIONS"
#define ALLOW_USER "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"

void up_users_send_user(struct up_ctx *ctx, struct up_response *resp, int status, cJSON *user,
                        uint64_t version)
{
	cJSON *body = cJSON_CreateObject();
	char etag[32];
	enum up_err rc = UP_ERR_NOMEM;

	if (body == NULL || cJSON_AddTrueToObject(body, "success") == NULL)
		goto out;
	/* Move the user's members after "success". */
	while (user->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(user, user->child);

		cJSON_AddItemToObject(body, item->string, item);
	}
	up_ctx_add_usage(ctx, body);
	rc = up_response_json(resp, status, body);
	if (rc != UP_OK)
		goto out;
	snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)version);
	rc = up_response_header(resp, "ETag", etag);
out:
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc, NULL, NULL);
	cJSON_Delete(user);
	cJSON_Delete(body);
}

int up_users_if_match(const char *if_match, uint64_t version)
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

void up_users_get(struct up_ctx *ctx, const char *id_text, struct up_response *resp)
{
	cJSON *user = NULL;
	uint64_t id, version = 0;
	enum up_err rc;

	rc = up_parse_public_id(id_text, UP_USER_PREFIX, &id);
	if (rc == UP_OK)
		rc = up_user_load(ctx->db, ctx->auth.tenant_id, id, 0, &user, &version);
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc, rc == UP_ERR_NOT_FOUND ? "User not found" : NULL, NULL);
		return;
	}
	up_users_send_user(ctx, resp, 200, user, version);
}

/* OPTIONS: 204 with Allow (no authentication needed). */
static void options(struct up_response *resp, const char *allow, int patchable)
{
	resp->status = 204;
	up_response_header(resp, "Allow", allow);
	if (patchable)
		up_response_header(resp, "Accept-Patch", UP_JSON_PATCH_TYPE);
}

static int is_read(const struct up_request *req)
{
	return req->method == UP_M_GET || req->method == UP_M_HEAD;
}

static void collection(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	if (req->method == UP_M_OPTIONS) {
		options(resp, ALLOW_COLLECTION, 0);
	} else if (is_read(req)) {
		if (up_ctx_auth(ctx, req, UP_SCOPE_USERS_READ, resp) == UP_OK)
			up_users_list(ctx, req, resp);
	} else if (req->method == UP_M_POST) {
		if (up_ctx_auth(ctx, req, UP_SCOPE_USERS_WRITE, resp) == UP_OK)
			up_users_create(ctx, req, resp);
	} else {
		up_ctx_method_not_allowed(ctx, resp, ALLOW_COLLECTION);
	}
}

static void catalog(struct up_ctx *ctx, const struct up_request *req, enum up_catalog which,
                    struct up_response *resp)
{
	if (req->method == UP_M_OPTIONS) {
		options(resp, ALLOW_CATALOG, 0);
	} else if (is_read(req)) {
		if (up_ctx_auth(ctx, req, UP_SCOPE_USERS_READ, resp) == UP_OK)
			up_users_catalog(ctx, (int)which, resp);
	} else {
		up_ctx_method_not_allowed(ctx, resp, ALLOW_CATALOG);
	}
}

static void user(struct up_ctx *ctx, const struct up_request *req, const char *id,
                 struct up_response *resp)
{
	unsigned scope = is_read(req) ? UP_SCOPE_USERS_READ : UP_SCOPE_USERS_WRITE;

	switch (req->method) {
	case UP_M_OPTIONS:
		options(resp, ALLOW_USER, 1);
		return;
	case UP_M_GET:
	case UP_M_HEAD:
	case UP_M_PUT:
	case UP_M_PATCH:
	case UP_M_DELETE:
		break;
	default:
		up_ctx_method_not_allowed(ctx, resp, ALLOW_USER);
		return;
	}
	if (up_ctx_auth(ctx, req, scope, resp) != UP_OK)
		return;
	if (req->method == UP_M_PATCH)
		up_users_patch(ctx, req, id, resp);
	else if (req->method == UP_M_PUT)
		up_users_put(ctx, req, id, resp);
	else if (req->method == UP_M_DELETE)
		up_users_delete(ctx, req, id, resp);
	else
		up_users_get(ctx, id, resp);
}

void up_users_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	const char *rest;

	if (strncmp(req->path, USERS_PREFIX, strlen(USERS_PREFIX)) != 0) {
		up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "No such resource", NULL);
		return;
	}
	rest = req->path + strlen(USERS_PREFIX);
	if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
		collection(ctx, req, resp);
		return;
	}
	if (rest[0] != '/' || rest[1] == '\0' || strchr(rest + 1, '/') != NULL) {
		up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "No such resource", NULL);
		return;
	}
	rest++;
	/* Fixed names first: they are never user ids (those start with "usr-"). */
	if (strcmp(rest, "countries") == 0)
		catalog(ctx, req, UP_CATALOG_COUNTRIES, resp);
	else if (strcmp(rest, "timeZones") == 0)
		catalog(ctx, req, UP_CATALOG_TIME_ZONES, resp);
	else
		user(ctx, req, rest, resp);
}
