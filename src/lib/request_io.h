/* SPDX-License-Identifier: ISC */
/*
 * request_io.h: the one way a handler reads its request and answers it.
 * Every handler, a generic family handler or one of its own (positions,
 * alerts, catalogs), takes its body, its query parameters and If-Match
 * here, and sends its success envelope here; an error leaves it only as a
 * struct up_error through up_ctx_fail() (ctx.h).  The body limit is the
 * route row's and was enforced by the dispatcher (route.h).
 *
 * The functions that can fail fill *e (code, sentence) and return its code;
 * nothing is answered, the caller answers with up_ctx_fail().
 */
#ifndef UP_REQUEST_IO_H
#define UP_REQUEST_IO_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "errors.h"
#include "route.h"

/*
 * The body as JSON into *doc (owned by the caller; cJSON_Delete, or
 * up_json_wipe_delete when it may hold a secret).  types is a
 * NULL-terminated list of the media types accepted (415 naming them when
 * Content-Type is none of them); an empty body is 400 invalid_json, as is
 * one that is not JSON; one nesting deeper than max_json_depth is 413.
 */
enum up_err up_req_json_body(const struct up_call *call, const char *const *types, cJSON **doc,
                             struct up_error *e);

/*
 * The same checks without a tree: UP_OK when the body (call->req->body,
 * body_len bytes) is JSON that up_req_json_body would parse, for a decoder
 * that reads the text in place; else the same error.
 */
enum up_err up_req_json_text(const struct up_call *call, const char *const *types,
                             struct up_error *e);

/* The kinds of query parameter a handler takes. */
enum up_param_kind {
	UP_PARAM_STRING, /* any text: value.text */
	UP_PARAM_NUMBER, /* a whole number in [min, max]: value.num (dflt when absent) */
	UP_PARAM_TIME,   /* an RFC 3339 date-time: value.time, UTC */
	UP_PARAM_BOOL    /* true or false: value.flag */
};

/* One parameter a handler takes; any other is 400. */
struct up_param {
	const char *name;
	enum up_param_kind kind;
	uint64_t min, max, dflt; /* UP_PARAM_NUMBER only */
};

struct up_param_value {
	int present;   /* 1 when the query gave it */
	char *text;    /* the decoded text when present (owned: up_req_params_free) */
	uint64_t num;  /* UP_PARAM_NUMBER: the value, or dflt */
	char time[27]; /* UP_PARAM_TIME: "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	int flag;      /* UP_PARAM_BOOL: 1 for true */
};

/*
 * Take the query parameters of the call by spec (n of them) into out[n]
 * (release with up_req_params_free, also after a failure).  A parameter
 * that spec does not name, or a value that is not of its kind or out of its
 * range, is 400 with a sentence naming it.
 */
enum up_err up_req_params(const struct up_call *call, const struct up_param *spec, size_t n,
                          struct up_param_value *out, struct up_error *e);
void up_req_params_free(struct up_param_value *v, size_t n);

/* Offset paging reads and skips offset rows: past this, page with nextCursor. */
#define UP_LIST_MAX_OFFSET 10000

/*
 * The paging of a list that takes both offset and cursor (the values from
 * up_req_params): both given is 400 bad_request; an offset past
 * UP_LIST_MAX_OFFSET is 400 offset_too_large with the hint to page on with
 * cursor, the nextCursor of the page before.  Every list checks here, so the
 * cap and its sentence are the same everywhere.
 */
enum up_err up_req_paging(const struct up_param_value *offset, const struct up_param_value *cursor,
                          struct up_error *e);

/* 1 if an If-Match header value (borrowed; NULL = absent) admits version. */
int up_if_match(const char *if_match, uint64_t version);

/* UP_OK when req's If-Match admits version; else 412 naming the current version. */
enum up_err up_req_if_match(const struct up_request *req, uint64_t version, struct up_error *e);

/*
 * Answer status with the success envelope {"success": true, <members of
 * body>, "apiUsage", "apiDailyUsage"}; body (an object) is taken over.
 * When the answer cannot be made, the 500 is answered instead.
 */
void up_reply(struct up_call *call, int status, cJSON *body);

/*
 * Answer status with body (borrowed) exactly as an app expects it, no
 * envelope: a tracker app's own success answer ([] for OwnTracks,
 * {"result": "ok"} for Overland); NULL answers an empty body.
 */
void up_reply_app(struct up_call *call, int status, const cJSON *body);

/* As up_reply, with the header ETag: "<version>". */
void up_reply_versioned(struct up_call *call, int status, cJSON *body, uint64_t version);

#endif
