/* SPDX-License-Identifier: ISC */
/*
 * http.h: a request from the CGI environment and body (FastCGI or plain CGI
 * alike), and a response of status, headers and JSON body written back in
 * CGI form.  The environment and the byte streams are reached through
 * callbacks, so tests build requests from memory.
 */
#ifndef UP_HTTP_H
#define UP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "errors.h"

enum up_method {
	UP_M_GET = 0,
	UP_M_HEAD,
	UP_M_POST,
	UP_M_PUT,
	UP_M_PATCH,
	UP_M_DELETE,
	UP_M_OPTIONS,
	UP_M_OTHER
};

#define UP_REQUEST_ID_LEN 32
#define UP_CLIENT_REQUEST_ID_LEN 64

struct up_request {
	enum up_method method;
	char method_name[16]; /* as received, truncated; "" if none */
	char *path;           /* path of REQUEST_URI, percent-decoded once */
	char *query;          /* raw query string, "" if none */
	char *content_type;   /* media type, lower case, no parameters; NULL if none */
	char *content_params; /* the parameters after ';', NULL if none */
	char *authorization;  /* HTTP_AUTHORIZATION or REDIRECT_HTTP_AUTHORIZATION */
	char *if_match;       /* HTTP_IF_MATCH, NULL if none */
	char *accept;         /* HTTP_ACCEPT, NULL if none */
	char *limit_d;        /* HTTP_X_LIMIT_D (the OwnTracks device), NULL if none */
	char *remote_addr;    /* REMOTE_ADDR, NULL if none */
	char *body;           /* NUL-terminated copy of the body, NULL if none */
	size_t body_len;
	char request_id[UP_REQUEST_ID_LEN + 1]; /* the server's own id: random, always set */
	/* The client's X-Request-Id when it is 1-64 characters of [A-Za-z0-9._:-], else "".
	 * Only logged beside request_id: never trusted as the id of the audit trail. */
	char client_request_id[UP_CLIENT_REQUEST_ID_LEN + 1];
	const char *problem; /* static sentence saying why up_request_read failed, or NULL */
};

/* The sentence of a 413 for a body past its limit (the accept loop's or the route row's). */
#define UP_TOO_LARGE_SENTENCE "Request body larger than the limit"

/* Returns the value of a CGI variable or NULL; the string stays owned by the callee. */
typedef const char *(*up_getenv_fn)(void *ctx, const char *name);
/* Reads up to len bytes; returns the count, 0 at end of input, or -1 on error. */
typedef long (*up_read_fn)(void *ctx, char *buf, size_t len);
/* Writes len bytes; returns 0 or -1. */
typedef int (*up_write_fn)(void *ctx, const char *buf, size_t len);

/*
 * Fill req from the environment and read the body, never past CONTENT_LENGTH
 * nor past max_body bytes.  The request id is always set (random: the
 * server's own, whatever the client sent), so an error response can be made
 * even when this fails; a usable HTTP_X_REQUEST_ID goes to client_request_id.  Returns UP_OK,
 * UP_ERR_TOO_LARGE, UP_ERR_BAD_REQUEST (bad CONTENT_LENGTH, short body, bad percent-encoding of the
 * path or of the query string), UP_ERR_IO or UP_ERR_NOMEM; req->problem then says why in a sentence
 * for the client.  Release with up_request_free() in every case.
 */
enum up_err up_request_read(struct up_request *req, up_getenv_fn getenv_fn, void *env_ctx,
                            up_read_fn read_fn, void *io_ctx, size_t max_body);

void up_request_free(struct up_request *req);

/*
 * Value of query parameter name (percent-decoded, '+' as space).  Returns
 * UP_OK with *out owned by the caller (NULL when the parameter is absent),
 * UP_ERR_BAD_REQUEST when its value is not valid percent-encoding (a bad
 * escape or an encoded NUL), or UP_ERR_NOMEM.
 */
enum up_err up_query_get(const char *query, const char *name, char **out);

/*
 * As up_query_get, for a query that up_request_read (or up_query_valid)
 * accepted: NULL when absent, on a bad escape and when out of memory.
 */
char *up_query_param(const char *query, const char *name);

/* 1 if every %XX escape of query is well formed and none encodes NUL, else 0. */
int up_query_valid(const char *query);

/* Decode %XX escapes of s in place; returns 0, or -1 on a bad escape or a NUL produced. */
int up_percent_decode(char *s, int plus_as_space);

#define UP_MAX_HEADERS 12

struct up_header {
	char *name;  /* owned */
	char *value; /* owned */
};

struct up_response {
	int status;
	struct up_header headers[UP_MAX_HEADERS];
	size_t nheaders;
	char *body; /* owned, NULL for no body */
	size_t body_len;
	const char *content_type; /* static; NULL: application/json */
	/*
	 * A streamed answer (response_stream.h): where the accept loop writes,
	 * set by it after up_response_init (out NULL: the stream is kept in body,
	 * as tests want it), and whether status and headers have left already.
	 */
	up_write_fn out;
	void *out_ctx;
	const char *out_request_id;
	int out_head_only;
	int out_body_only; /* the writer takes the body alone (a shell export): no head */
	int streamed;
};

/* Counters reported in bodies once the token is recognised. */
struct up_usage {
	int known;
	uint64_t total;
	uint64_t daily;
};

void up_response_init(struct up_response *resp);
void up_response_free(struct up_response *resp);

/*
 * Add a header (name and value copied).  Refuses CR, LF and NUL in either,
 * and more than UP_MAX_HEADERS headers (UP_ERR_INTERNAL).
 */
enum up_err up_response_header(struct up_response *resp, const char *name, const char *value);

/* Set status and a JSON body printed from body (borrowed). Replaces any body. */
enum up_err up_response_json(struct up_response *resp, int status, const cJSON *body);

/*
 * Make resp the error response for e: status from errors.c, the JSON shape
 * {"success":false,"error","code","details","moreDetails"?,"apiUsage",
 * "apiDailyUsage"}, and the headers the status calls for (WWW-Authenticate
 * for 401).  An empty e->message uses the default sentence; "moreDetails"
 * (the problems past the listed details) only when there are some; usage
 * (may be NULL) adds the counters when known.  e is reset (its details go
 * into the body).  Earlier headers are kept.
 */
void up_response_error(struct up_response *resp, struct up_error *e, const struct up_usage *usage);

/* Reason phrase of a status code. */
const char *up_status_reason(int status);

/*
 * Write resp in CGI form (Status line, headers, Content-Type and
 * Content-Length for a body, X-Request-Id, blank line, body).  head_only
 * leaves the body out (HEAD).
 */
enum up_err up_response_write(const struct up_response *resp, const char *request_id, int head_only,
                              up_write_fn write_fn, void *io_ctx);

/*
 * Write only the status line and headers of resp, with Content-Type (its
 * content_type) and no Content-Length: the head of a streamed body.
 */
enum up_err up_response_write_head(const struct up_response *resp, const char *request_id,
                                   up_write_fn write_fn, void *io_ctx);

#endif
