/* users_handler.c: routing of /api/users and GET /api/users/{userId}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "user_store.h"
#include "users.h"

#define USERS_PREFIX "/api/users"

/* GET /api/users/{userId} */
static void get_user(struct up_ctx *ctx, const char *id_text, struct up_response *resp)
{
	cJSON *user = NULL, *body = NULL;
	uint64_t id, version = 0;
	char etag[32];
	enum up_err rc;

	rc = up_parse_public_id(id_text, UP_USER_PREFIX, &id);
	if (rc != UP_OK)
		goto out;
	rc = up_user_load(ctx->db, ctx->auth.tenant_id, id, 0, &user, &version);
	if (rc != UP_OK)
		goto out;
	body = cJSON_CreateObject();
	if (body == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	cJSON_AddTrueToObject(body, "success");
	/* Move the user's members after "success". */
	while (user->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(user, user->child);

		cJSON_AddItemToObject(body, item->string, item);
	}
	up_ctx_add_usage(ctx, body);
	rc = up_response_json(resp, 200, body);
	if (rc != UP_OK)
		goto out;
	snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)version);
	up_response_header(resp, "ETag", etag);
out:
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc, rc == UP_ERR_NOT_FOUND ? "User not found" : NULL, NULL);
	cJSON_Delete(user);
	cJSON_Delete(body);
}

void up_users_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	const char *rest;

	if (strncmp(req->path, USERS_PREFIX, strlen(USERS_PREFIX)) != 0) {
		up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "No such resource", NULL);
		return;
	}
	rest = req->path + strlen(USERS_PREFIX);
	if (rest[0] == '/' && rest[1] != '\0' && strchr(rest + 1, '/') == NULL) {
		const char *id = rest + 1;

		if (req->method != UP_M_GET && req->method != UP_M_HEAD) {
			up_ctx_method_not_allowed(ctx, resp, "GET, HEAD");
			return;
		}
		if (up_ctx_auth(ctx, req, UP_SCOPE_USERS_READ, resp) != UP_OK)
			return;
		get_user(ctx, id, resp);
		return;
	}
	up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "No such resource", NULL);
}
