/* SPDX-License-Identifier: ISC */
/*
 * ctx.h: what a handler knows besides its request: the configuration, the
 * database and, once authenticated, the token.  The one way an error
 * leaves a handler is up_ctx_fail() with a struct up_error (errors.h).
 */
#ifndef UP_CTX_H
#define UP_CTX_H

#include <cjson/cJSON.h>
#include "auth.h"
#include "config.h"
#include "db.h"
#include "errors.h"
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
 * Authenticate the request for scope, taking the token as Bearer or in the
 * other forms allowed (UP_CRED_*, auth.h).  On failure fills resp with the
 * error (400 for a "key" parameter where it is not allowed,
 * 401/403/429/503...) and returns the error; the handler just returns.
 */
enum up_err up_ctx_auth(struct up_ctx *ctx, const struct up_request *req, unsigned scope,
                        unsigned forms, struct up_response *resp);

/*
 * Fill resp with the error response for the payload e: its status, code,
 * sentence (or the default one; a 500 always gets the default one, nothing
 * internal leaks), its capped details and their "moreDetails", and what the
 * context knows: usage counters, Retry-After (429).  A 5xx is logged.  e is
 * reset (its details go into the answer).
 */
void up_ctx_fail(struct up_ctx *ctx, struct up_response *resp, struct up_error *e);

/* 405 with an Allow header listing allow (e.g. "GET, PATCH"). */
void up_ctx_method_not_allowed(struct up_ctx *ctx, struct up_response *resp, const char *allow);

/* Add "apiUsage" and "apiDailyUsage" to a success body when known. */
void up_ctx_add_usage(const struct up_ctx *ctx, cJSON *body);

#endif
