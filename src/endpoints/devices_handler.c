/*
 * devices_handler.c: routing of /api/devices as data, and the replies the
 * routes share.  Each row names a path shape, and per method the scope and
 * the handler; dispatch, 405 with Allow, and OPTIONS all read the same row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devices.h"
#include "devices_internal.h"
#include "json.h"
#include "parse.h"
#include "user_store.h"

#define MAX_METHODS 3

struct dev_method {
	enum up_method method;
	unsigned scope;
	up_dev_fn fn;
};

struct dev_route {
	const char *sub; /* NULL: the collection; "": one device; else "/api/devices/{id}/<sub>" */
	int patchable;   /* answers Accept-Patch */
	struct dev_method methods[MAX_METHODS];
};

static const struct dev_route routes[] = {
        {NULL, 0, {{0, 0, NULL}}},
        {"lastLocation", 0, {{UP_M_GET, UP_SCOPE_DEVICES_READ, up_dev_last_location}}},
        {"locations",
         0,
         {{UP_M_GET, UP_SCOPE_DEVICES_READ, up_dev_get_locations},
          {UP_M_POST, UP_SCOPE_DEVICES_REPORT, up_dev_post_locations}}},
        {"alerts",
         0,
         {{UP_M_GET, UP_SCOPE_DEVICES_READ, up_dev_get_alerts},
          {UP_M_POST, UP_SCOPE_DEVICES_REPORT, up_dev_post_alert}}},
};

static const char *method_name(enum up_method m)
{
	static const char *const names[] = {"GET",   "HEAD",   "POST",    "PUT",
	                                    "PATCH", "DELETE", "OPTIONS", "OTHER"};

	return names[m];
}

/* The Allow value of a route: its methods, HEAD with GET, and OPTIONS. */
static void allow_of(const struct dev_route *r, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < MAX_METHODS && r->methods[i].fn != NULL; i++) {
		used += (size_t)snprintf(buf + used, len - used, "%s, ",
		                         method_name(r->methods[i].method));
		if (r->methods[i].method == UP_M_GET)
			used += (size_t)snprintf(buf + used, len - used, "HEAD, ");
	}
	snprintf(buf + used, len - used, "OPTIONS");
}

static void dispatch(struct up_ctx *ctx, const struct up_request *req, const struct dev_route *r,
                     uint64_t device, struct up_response *resp)
{
	enum up_method m = req->method == UP_M_HEAD ? UP_M_GET : req->method;
	char allow[96];
	size_t i;

	allow_of(r, allow, sizeof(allow));
	if (req->method == UP_M_OPTIONS) {
		resp->status = 204;
		up_response_header(resp, "Allow", allow);
		if (r->patchable)
			up_response_header(resp, "Accept-Patch", "application/json-patch+json");
		return;
	}
	for (i = 0; i < MAX_METHODS && r->methods[i].fn != NULL; i++) {
		if (r->methods[i].method != m)
			continue;
		if (up_ctx_auth(ctx, req, r->methods[i].scope, resp) != UP_OK)
			return;
		/* Only the locations batch may be larger than max_body. */
		if (!(m == UP_M_POST && r->methods[i].fn == up_dev_post_locations) &&
		    !up_ctx_body_within(ctx, req, resp))
			return;
		r->methods[i].fn(ctx, req, device, resp);
		return;
	}
	up_ctx_method_not_allowed(ctx, resp, allow);
}

static void not_found(struct up_ctx *ctx, struct up_response *resp, const char *what)
{
	up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, what, NULL);
}

void up_devices_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	const char *rest, *slash;
	char idbuf[40];
	uint64_t device = 0;
	size_t i, idlen;

	if (strncmp(req->path, UP_DEVICES_PATH, strlen(UP_DEVICES_PATH)) != 0) {
		not_found(ctx, resp, "No such resource");
		return;
	}
	rest = req->path + strlen(UP_DEVICES_PATH);
	if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
		dispatch(ctx, req, &routes[0], 0, resp);
		return;
	}
	if (rest[0] != '/' || rest[1] == '\0') {
		not_found(ctx, resp, "No such resource");
		return;
	}
	rest++;
	slash = strchr(rest, '/');
	idlen = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (idlen == 0 || idlen >= sizeof(idbuf)) {
		not_found(ctx, resp, "Device not found");
		return;
	}
	memcpy(idbuf, rest, idlen);
	idbuf[idlen] = '\0';
	rest = slash != NULL ? slash + 1 : "";
	for (i = 1; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].sub, rest) != 0)
			continue;
		/* OPTIONS needs no device; every other method names an existing one. */
		if (req->method != UP_M_OPTIONS &&
		    up_parse_public_id(idbuf, UP_DEVICE_PREFIX, &device) != UP_OK) {
			not_found(ctx, resp, "Device not found");
			return;
		}
		dispatch(ctx, req, &routes[i], device, resp);
		return;
	}
	not_found(ctx, resp, "No such resource");
}

void up_dev_send(struct up_ctx *ctx, struct up_response *resp, int status, cJSON *body)
{
	cJSON *out = cJSON_CreateObject();
	enum up_err rc = UP_ERR_NOMEM;

	if (out == NULL || cJSON_AddTrueToObject(out, "success") == NULL)
		goto out;
	while (body->child != NULL) {
		cJSON *item = cJSON_DetachItemViaPointer(body, body->child);

		cJSON_AddItemToObject(out, item->string, item);
	}
	up_ctx_add_usage(ctx, out);
	rc = up_response_json(resp, status, out);
out:
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc, NULL, NULL);
	cJSON_Delete(body);
	cJSON_Delete(out);
}

enum up_err up_dev_read_json(struct up_ctx *ctx, const struct up_request *req,
                             struct up_response *resp, cJSON **doc)
{
	enum up_err rc;

	*doc = NULL;
	if (req->content_type == NULL || strcmp(req->content_type, "application/json") != 0) {
		up_ctx_error(ctx, resp, UP_ERR_MEDIA_TYPE, "Content-Type must be application/json",
		             NULL);
		return UP_ERR_MEDIA_TYPE;
	}
	if (req->body == NULL || req->body_len == 0) {
		up_ctx_error(ctx, resp, UP_ERR_BAD_JSON, "The request body is empty", NULL);
		return UP_ERR_BAD_JSON;
	}
	rc = up_json_parse(req->body, req->body_len, ctx->cfg->max_json_depth, doc);
	if (rc != UP_OK)
		up_ctx_error(ctx, resp, rc,
		             rc == UP_ERR_LIMIT ? "The body nests deeper than the limit"
		                                : "The body is not valid JSON",
		             NULL);
	return rc;
}

int up_dev_known_params(struct up_ctx *ctx, const struct up_request *req, const char *const *names,
                        size_t n, struct up_response *resp)
{
	const char *p = req->query;
	char msg[96];

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "=&"), i;
		int known = len == 0;

		for (i = 0; i < n && !known; i++)
			known = strlen(names[i]) == len && strncmp(p, names[i], len) == 0;
		if (!known) {
			snprintf(msg, sizeof(msg), "Unknown query parameter '%.*s'",
			         (int)(len < 40 ? len : 40), p);
			up_ctx_error(ctx, resp, UP_ERR_BAD_REQUEST, msg, NULL);
			return 0;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return 1;
}
