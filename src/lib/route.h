/* SPDX-License-Identifier: ISC */
/*
 * route.h: a family's routes as data.  Each row is a path pattern, the
 * methods it serves, the scope they need and the handler; the dispatcher
 * matches the path, answers OPTIONS and 405 with an Allow header computed
 * from the same rows, authenticates, and calls the handler.  So Allow,
 * OPTIONS and dispatch cannot disagree.
 */
#ifndef UP_ROUTE_H
#define UP_ROUTE_H

#include <stddef.h>
#include "ctx.h"

struct up_family;

/* One call of a handler: everything it needs (borrowed for the call). */
struct up_call {
	struct up_ctx *ctx;
	const struct up_request *req;
	struct up_response *resp;
	const char *id;                 /* the {id} segment of the path, or NULL */
	const struct up_family *family; /* the route table's family, or NULL */
	const void *arg;                /* the route's argument */
};

typedef void (*up_route_fn)(struct up_call *call);

/* The patch document types PATCH takes; Accept-Patch lists both (OPTIONS, 415). */
#define UP_JSON_PATCH_TYPE "application/json-patch+json"
#define UP_MERGE_PATCH_TYPE "application/merge-patch+json"
#define UP_ACCEPT_PATCH UP_JSON_PATCH_TYPE ", " UP_MERGE_PATCH_TYPE

/* Method bit of a route's method set. */
#define UP_MB(m) (1u << (m))

/*
 * In a row's methods: its body may be up to max_batch_body (when that is the
 * larger) instead of max_body.  The body limit is the row's: a larger body
 * is 413 before anything else is looked at.
 */
#define UP_ROUTE_BATCH (1u << 16)

/*
 * In a row's methods: its body may be up to max_import_body (an import), and
 * no more, whether that is above or below max_body.
 */
#define UP_ROUTE_IMPORT (1u << 17)

/*
 * In a row's methods: the token may also come as the password of HTTP Basic
 * or as the query parameter "key" (UP_CRED_BASIC | UP_CRED_KEY, auth.h), as
 * tracker apps give it.  Elsewhere a "key" parameter is refused (400).
 */
#define UP_ROUTE_APP_AUTH (1u << 17)

/*
 * A route.  pattern is a path in which "{id}" stands for one non-empty
 * segment, and a final "/" means "with or without a trailing slash".  Rows
 * of the same pattern together give its Allow header (in method order);
 * OPTIONS listed in methods is answered by the dispatcher (204, Allow, and
 * Accept-Patch when PATCH is allowed) without authentication.  The first
 * pattern that matches wins, so fixed names come before "{id}".
 */
struct up_route {
	const char *pattern;
	unsigned methods; /* UP_MB(UP_M_GET) | ..., and UP_ROUTE_BATCH */
	unsigned scope;   /* scope the methods need */
	up_route_fn handler;
	const void *arg;
};

struct up_routes {
	const struct up_route *rows;
	size_t nrows;
	const struct up_family *family; /* handed to handlers, may be NULL */
};

/* Route and serve one request: 404 for no pattern, 405 with Allow, 401/403, or the handler. */
void up_route_dispatch(const struct up_routes *t, struct up_ctx *ctx, const struct up_request *req,
                       struct up_response *resp);

/* The body limit of row: max_body, for a UP_ROUTE_BATCH row the larger of it and
 * max_batch_body, for a UP_ROUTE_IMPORT row max_import_body. */
unsigned long up_route_body_limit(const struct up_route *row, const struct up_config *cfg);

/* The largest body limit of t's rows: what the accept loop reads at most. */
unsigned long up_routes_body_max(const struct up_routes *t, const struct up_config *cfg);

/* The Allow header of pattern in t ("GET, HEAD, OPTIONS") into buf. */
void up_route_allow(const struct up_routes *t, const char *pattern, char *buf, size_t len);

#endif
