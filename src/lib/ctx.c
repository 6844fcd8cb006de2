/* SPDX-License-Identifier: ISC */
/* ctx.c: authentication of a request and the one error exit of a handler. */
#include <stdio.h>
#include <sodium.h>
#include "ctx.h"
#include "log.h"

enum up_err up_ctx_auth(struct up_ctx *ctx, const struct up_request *req, unsigned scope,
                        unsigned forms, struct up_response *resp)
{
	struct up_error e = {0};
	char bearer[UP_BEARER_LEN];
	enum up_err rc;

	if (ctx->db == NULL) {
		up_error_set(&e, UP_ERR_CONFIG, NULL);
		up_ctx_fail(ctx, resp, &e);
		return UP_ERR_CONFIG;
	}
	rc = up_credential_bearer(req->authorization, req->query, forms, bearer);
	if (rc == UP_ERR_BAD_REQUEST) {
		up_error_set(&e, rc,
		             "The query parameter key is taken on /api/trackers/ paths only; "
		             "send the token as Authorization: Bearer");
		up_ctx_fail(ctx, resp, &e);
		return rc;
	}
	rc = up_auth_request(ctx->db, rc == UP_OK ? bearer : NULL, scope, &ctx->auth);
	sodium_memzero(bearer, sizeof(bearer));
	if (rc == UP_OK) {
		ctx->authed = 1;
		return UP_OK;
	}
	if (rc == UP_ERR_FORBIDDEN) {
		char scopes[UP_SCOPES_TEXT_LEN], hdr[UP_SCOPES_TEXT_LEN + 96];

		up_scopes_format(scope, scopes, sizeof(scopes));
		snprintf(hdr, sizeof(hdr),
		         "Bearer realm=\"userpatch\", error=\"insufficient_scope\", scope=\"%s\"",
		         scopes);
		up_response_header(resp, "WWW-Authenticate", hdr);
	}
	up_error_set(&e, rc, NULL);
	up_ctx_fail(ctx, resp, &e);
	return rc;
}

void up_ctx_fail(struct up_ctx *ctx, struct up_response *resp, struct up_error *e)
{
	char num[32];
	enum up_err err = e->code;
	int status = up_err_status(err);

	if (status >= 500)
		up_log(UP_LOG_ERROR, "request failed: %s (%s)", up_err_code(err),
		       e->message[0] != '\0' ? e->message : up_err_message(err));
	/* Never leak internals: 500s get the generic sentence. */
	if (status == 500)
		e->message[0] = '\0';
	up_response_error(resp, e, &ctx->auth.usage);
	if (err == UP_ERR_QUOTA) {
		snprintf(num, sizeof(num), "%ld", ctx->auth.retry_after);
		up_response_header(resp, "Retry-After", num);
	}
}

void up_ctx_method_not_allowed(struct up_ctx *ctx, struct up_response *resp, const char *allow)
{
	struct up_error e = {0};

	up_error_set(&e, UP_ERR_METHOD, "Method not allowed; allowed: %s", allow);
	up_ctx_fail(ctx, resp, &e);
	up_response_header(resp, "Allow", allow);
}

void up_ctx_add_usage(const struct up_ctx *ctx, cJSON *body)
{
	if (!ctx->auth.usage.known)
		return;
	cJSON_AddNumberToObject(body, "apiUsage", (double)ctx->auth.usage.total);
	cJSON_AddNumberToObject(body, "apiDailyUsage", (double)ctx->auth.usage.daily);
}
