/* SPDX-License-Identifier: ISC */
/* route.c: dispatch of a request through a family's route table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "route.h"

static const char *const method_names[] = {
        [UP_M_GET] = "GET",         [UP_M_HEAD] = "HEAD",   [UP_M_POST] = "POST",
        [UP_M_PUT] = "PUT",         [UP_M_PATCH] = "PATCH", [UP_M_DELETE] = "DELETE",
        [UP_M_OPTIONS] = "OPTIONS",
};

/* 1 if path matches pat; the {id} segment (if any) at *id, *idlen bytes. */
static int match(const char *pat, const char *path, const char **id, size_t *idlen)
{
	*id = NULL;
	*idlen = 0;
	while (*pat != '\0') {
		if (strncmp(pat, "{id}", 4) == 0) {
			size_t n = strcspn(path, "/");

			if (n == 0)
				return 0;
			*id = path;
			*idlen = n;
			pat += 4;
			path += n;
			continue;
		}
		if (pat[0] == '/' && pat[1] == '\0')
			return *path == '\0' || strcmp(path, "/") == 0;
		if (*pat++ != *path++)
			return 0;
	}
	return *path == '\0';
}

static unsigned methods_of(const struct up_routes *t, const char *pattern)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].pattern, pattern) == 0)
			m |= t->rows[i].methods;
	return m;
}

void up_route_allow(const struct up_routes *t, const char *pattern, char *buf, size_t len)
{
	unsigned m = methods_of(t, pattern);
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		int n;

		if (!(m & UP_MB(i)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "", method_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

unsigned long up_route_body_limit(const struct up_route *row, const struct up_config *cfg)
{
	if ((row->methods & UP_ROUTE_BATCH) && cfg->max_batch_body > cfg->max_body)
		return cfg->max_batch_body;
	/* An import's limit is its own, above or below max_body: 413 past max_import_body. */
	if (row->methods & UP_ROUTE_IMPORT)
		return cfg->max_import_body;
	return cfg->max_body;
}

unsigned long up_routes_body_max(const struct up_routes *t, const struct up_config *cfg)
{
	unsigned long max = cfg->max_body;
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (up_route_body_limit(&t->rows[i], cfg) > max)
			max = up_route_body_limit(&t->rows[i], cfg);
	return max;
}

/* Answer err with sentence msg (NULL: the default one). */
static void fail(struct up_ctx *ctx, struct up_response *resp, enum up_err err, const char *msg)
{
	struct up_error e = {0};

	if (msg != NULL)
		up_error_set(&e, err, "%s", msg);
	else
		up_error_set(&e, err, NULL);
	up_ctx_fail(ctx, resp, &e);
}

void up_route_dispatch(const struct up_routes *t, struct up_ctx *ctx, const struct up_request *req,
                       struct up_response *resp)
{
	const struct up_route *hit = NULL, *row = NULL;
	struct up_call call = {ctx, req, resp, NULL, t->family, NULL};
	const char *id = NULL;
	char allow[96], *idcopy = NULL;
	size_t i, idlen = 0;

	for (i = 0; i < t->nrows && hit == NULL; i++)
		if (match(t->rows[i].pattern, req->path, &id, &idlen))
			hit = &t->rows[i];
	for (i = 0; hit != NULL && i < t->nrows; i++)
		if (strcmp(t->rows[i].pattern, hit->pattern) == 0 &&
		    (t->rows[i].methods & UP_MB(req->method)) && req->method != UP_M_OTHER)
			row = &t->rows[i];
	/* The body limit is the row's; a request no row serves is held to max_body. */
	if (req->body_len >
	    (row != NULL ? up_route_body_limit(row, ctx->cfg) : ctx->cfg->max_body)) {
		fail(ctx, resp, UP_ERR_TOO_LARGE, UP_TOO_LARGE_SENTENCE);
		return;
	}
	if (hit == NULL) {
		fail(ctx, resp, UP_ERR_NOT_FOUND, "No such resource");
		return;
	}
	/* The Allow list only when an answer carries it (405, OPTIONS). */
	if (row == NULL || req->method == UP_M_OPTIONS)
		up_route_allow(t, hit->pattern, allow, sizeof(allow));
	if (row == NULL) {
		up_ctx_method_not_allowed(ctx, resp, allow);
		return;
	}
	if (req->method == UP_M_OPTIONS) {
		resp->status = 204;
		up_response_header(resp, "Allow", allow);
		if (methods_of(t, hit->pattern) & UP_MB(UP_M_PATCH))
			up_response_header(resp, "Accept-Patch", UP_ACCEPT_PATCH);
		return;
	}
	if (up_ctx_auth(ctx, req, row->scope,
	                (row->methods & UP_ROUTE_APP_AUTH) ? UP_CRED_BASIC | UP_CRED_KEY : 0,
	                resp) != UP_OK)
		return;
	if (id != NULL) {
		idcopy = strndup(id, idlen);
		if (idcopy == NULL) {
			fail(ctx, resp, UP_ERR_NOMEM, NULL);
			return;
		}
	}
	call.id = idcopy;
	call.arg = row->arg;
	row->handler(&call);
	free(idcopy);
}
