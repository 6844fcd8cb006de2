/* SPDX-License-Identifier: ISC */
/*
 * app.h: what every endpoint program shares.  main() calls up_app_main()
 * with its route table; the accept loop (FastCGI, or one request as plain
 * CGI) reads the request, dispatches it, and writes the response.  A handler
 * is a plain function of a context and a request to a response (ctx.h), so
 * tests call it directly.
 */
#ifndef UP_APP_H
#define UP_APP_H

#include "ctx.h"
#include "route.h"

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

/*
 * The program serving routes (borrowed, static): FastCGI accept loop, or one
 * request under plain CGI.  A body is read up to the largest limit of the
 * rows (up_routes_body_max); each row holds its own (route.c).  Returns the
 * exit code.
 */
int up_app_main(const char *prog, const struct up_routes *routes);

#endif
