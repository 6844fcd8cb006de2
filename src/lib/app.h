/*
 * app.h: what every endpoint program shares.  main() calls up_app_main()
 * with its handler; the accept loop (FastCGI, or one request as plain CGI)
 * reads the request, runs the handler, and writes the response.  A handler is
 * a plain function of a context and a request to a response, so tests call it
 * directly.
 */
#ifndef UP_APP_H
#define UP_APP_H

#include <cjson/cJSON.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"

struct up_ctx {
	const struct up_config *cfg; /* borrowed */
	struct up_db *db;            /* borrowed; NULL when the config is broken */
	struct up_auth auth;         /* valid once up_ctx_auth() returned UP_OK */
	int authed;
};

typedef void (*up_handler_fn)(struct up_ctx *ctx, const struct up_request *req,
                              struct up_response *resp);

/*
 * Authenticate the request for scope.  On failure fills resp with the error
 * (401/403/429/503...) and returns the error; the handler just returns.
 */
enum up_err up_ctx_auth(struct up_ctx *ctx, const struct up_request *req, unsigned scope,
                        struct up_response *resp);

/*
 * Fill resp with the error response for err, adding what the context knows:
 * usage counters, Retry-After (429, 503), the scope of a 403.  details (may be
 * NULL) is taken over.
 */
void up_ctx_error(struct up_ctx *ctx, struct up_response *resp, enum up_err err,
                  const char *message, cJSON *details);

/*
 * Fill resp with the error response for the payload e (its code, its
 * sentence or the default one, its details), as up_ctx_error; e is reset.
 */
void up_ctx_fail(struct up_ctx *ctx, struct up_response *resp, struct up_error *e);

/* 405 with an Allow header listing allow (e.g. "GET, PATCH"). */
void up_ctx_method_not_allowed(struct up_ctx *ctx, struct up_response *resp, const char *allow);

/* Add "apiUsage" and "apiDailyUsage" to a success body when known. */
void up_ctx_add_usage(const struct up_ctx *ctx, cJSON *body);

/*
 * Run one request through handler: resets ctx->auth, calls the handler, and
 * makes sure a response that says 503 carries Retry-After.
 */
void up_app_handle(struct up_ctx *ctx, up_handler_fn handler, const struct up_request *req,
                   struct up_response *resp);

/*
 * After the response has been sent: the work that must not delay it (the
 * worker's usage counts, once a second).  The accept loop calls it after
 * each request; tests call it as the loop would.
 */
void up_app_after_response(struct up_ctx *ctx);

/* The program: FastCGI accept loop, or one request under plain CGI. Returns the exit code. */
int up_app_main(const char *prog, up_handler_fn handler);

/*
 * As up_app_main, for a program with a batch route: bodies up to the larger
 * of max_body and max_batch_body are read, and the handler holds its other
 * routes to max_body (up_ctx_body_within).
 */
int up_app_main_batch(const char *prog, up_handler_fn handler);

/* 1 if req's body is within max_body; else fills resp with the 413 and returns 0. */
int up_ctx_body_within(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
