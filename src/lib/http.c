/* SPDX-License-Identifier: ISC */
/* http.c: CGI request in, CGI response out. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "http.h"
#include "json.h"
#include "parse.h"
#include "proc.h"
#include "strbuf.h"

static const struct {
	const char *name;
	enum up_method method;
} methods[] = {
        {"GET", UP_M_GET},         {"HEAD", UP_M_HEAD},   {"POST", UP_M_POST},
        {"PUT", UP_M_PUT},         {"PATCH", UP_M_PATCH}, {"DELETE", UP_M_DELETE},
        {"OPTIONS", UP_M_OPTIONS},
};

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int up_percent_decode(char *s, int plus_as_space)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			int hi = hexdig((unsigned char)s[1]), lo;

			if (hi < 0)
				return -1;
			lo = hexdig((unsigned char)s[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else if (*s == '+' && plus_as_space) {
			*w++ = ' ';
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return 0;
}

int up_query_valid(const char *query)
{
	const char *p;

	for (p = strchr(query, '%'); p != NULL; p = strchr(p + 3, '%')) {
		int hi = hexdig((unsigned char)p[1]), lo;

		if (hi < 0)
			return 0;
		lo = hexdig((unsigned char)p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return 0;
	}
	return 1;
}

char *up_query_param(const char *query, const char *name)
{
	char *out = NULL;

	if (up_query_get(query, name, &out) != UP_OK)
		return NULL;
	return out;
}

enum up_err up_query_get(const char *query, const char *name, char **out)
{
	size_t nlen = strlen(name);
	const char *p = query;

	*out = NULL;
	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);

		if (len >= nlen && strncmp(p, name, nlen) == 0 && (len == nlen || p[nlen] == '=')) {
			const char *v = len == nlen ? p + len : p + nlen + 1;
			size_t vlen = (size_t)(p + len - v);
			char *val = malloc(vlen + 1);

			if (val == NULL)
				return UP_ERR_NOMEM;
			memcpy(val, v, vlen);
			val[vlen] = '\0';
			if (up_percent_decode(val, 1) != 0) {
				free(val);
				return UP_ERR_BAD_REQUEST;
			}
			*out = val;
			return UP_OK;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return UP_OK;
}

/*
 * n random bytes for a request id, from a pool filled 32 ids at a time: one
 * getrandom() per 32 requests instead of one each.  The ids are not
 * secrets; a forked child starts with an empty pool (never its parent's).
 */
#define ID_POOL 512
static void request_id_bytes(unsigned char *out, size_t n)
{
	static unsigned char pool[ID_POOL];
	static size_t left;
	static pid_t owner;

	if (owner != up_proc_id()) {
		owner = up_proc_id();
		left = 0;
	}
	if (left < n) {
		randombytes_buf(pool, sizeof(pool));
		left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - left, n);
	sodium_memzero(pool + sizeof(pool) - left, n);
	left -= n;
}

/*
 * The server's id is always its own: a client's X-Request-Id could repeat
 * another request's id (by mistake or to blur the audit trail).  The
 * client's id is kept apart, for the log line, when it is safe to print.
 */
static void set_request_id(struct up_request *req, const char *given)
{
	unsigned char raw[UP_REQUEST_ID_LEN / 2];
	size_t n;

	if (given != NULL) {
		n = strlen(given);
		if (n >= 1 && n <= UP_CLIENT_REQUEST_ID_LEN &&
		    strspn(given,
		           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") ==
		            n)
			memcpy(req->client_request_id, given, n + 1);
	}
	request_id_bytes(raw, sizeof(raw));
	sodium_bin2hex(req->request_id, sizeof(req->request_id), raw, sizeof(raw));
}

/* Split "type/subtype; params" into a lower-case media type and parameters. */
static enum up_err set_content_type(struct up_request *req, const char *ct)
{
	const char *semi;
	size_t len, i;

	if (ct == NULL || ct[0] == '\0')
		return UP_OK;
	semi = strchr(ct, ';');
	len = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
	while (len > 0 && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	while (len > 0 && (*ct == ' ' || *ct == '\t')) {
		ct++;
		len--;
	}
	req->content_type = malloc(len + 1);
	if (req->content_type == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < len; i++)
		req->content_type[i] = (char)tolower((unsigned char)ct[i]);
	req->content_type[len] = '\0';
	if (semi != NULL) {
		req->content_params = strdup(semi + 1);
		if (req->content_params == NULL)
			return UP_ERR_NOMEM;
	}
	return UP_OK;
}

static enum up_err set_path(struct up_request *req, const char *uri, const char *script,
                            const char *path_info, const char *query)
{
	size_t len;

	if (uri != NULL && uri[0] != '\0') {
		const char *q = strchr(uri, '?');

		len = q != NULL ? (size_t)(q - uri) : strlen(uri);
		req->path = malloc(len + 1);
		if (req->path == NULL)
			return UP_ERR_NOMEM;
		memcpy(req->path, uri, len);
		req->path[len] = '\0';
		req->query = strdup(q != NULL ? q + 1 : "");
	} else {
		/* No REQUEST_URI: rebuild from SCRIPT_NAME and PATH_INFO (already decoded). */
		const char *a = script != NULL ? script : "",
		           *b = path_info != NULL ? path_info : "";

		len = strlen(a) + strlen(b);
		req->path = malloc(len + 1);
		if (req->path == NULL)
			return UP_ERR_NOMEM;
		snprintf(req->path, len + 1, "%s%s", a, b);
		req->query = strdup(query != NULL ? query : "");
		return req->query == NULL ? UP_ERR_NOMEM : UP_OK;
	}
	if (req->query == NULL)
		return UP_ERR_NOMEM;
	if (up_percent_decode(req->path, 0) != 0) {
		req->problem = "The path holds a malformed percent-escape";
		return UP_ERR_BAD_REQUEST;
	}
	return UP_OK;
}

/*
 * Read and drop up to n bytes of a body that will not be used.  A web server
 * running a plain CGI program (Apache mod_cgid) writes the whole body before
 * it reads the answer: a program that exits without reading it makes the
 * server fail instead of passing on the 413.  Bounded, so a huge announced
 * body costs at most UP_DRAIN_MAX bytes of reading.
 */
#define UP_DRAIN_MAX (16u * 1024 * 1024)

static void drain_body(uint64_t n, up_read_fn read_fn, void *io_ctx)
{
	char buf[4096];
	uint64_t left = n < UP_DRAIN_MAX ? n : UP_DRAIN_MAX;

	while (left > 0) {
		long r = read_fn(io_ctx, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));

		if (r <= 0)
			break;
		left -= (uint64_t)r;
	}
}

static enum up_err read_body(struct up_request *req, const char *clen, up_read_fn read_fn,
                             void *io_ctx, size_t max_body)
{
	uint64_t n = 0;
	size_t got = 0;

	if (clen == NULL || clen[0] == '\0')
		return UP_OK;
	if (up_parse_u64(clen, 0, UINT64_MAX, &n) != UP_OK) {
		req->problem = "Content-Length is not a number";
		return UP_ERR_BAD_REQUEST;
	}
	if (n > max_body) {
		drain_body(n, read_fn, io_ctx);
		return UP_ERR_TOO_LARGE;
	}
	if (n == 0)
		return UP_OK;
	req->body = malloc((size_t)n + 1);
	if (req->body == NULL)
		return UP_ERR_NOMEM;
	while (got < n) {
		long r = read_fn(io_ctx, req->body + got, (size_t)n - got);

		if (r < 0)
			return UP_ERR_IO;
		if (r == 0) {
			req->problem = "The body is shorter than its Content-Length";
			return UP_ERR_BAD_REQUEST;
		}
		got += (size_t)r;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return UP_OK;
}

enum up_err up_request_read(struct up_request *req, up_getenv_fn getenv_fn, void *env_ctx,
                            up_read_fn read_fn, void *io_ctx, size_t max_body)
{
	const char *m, *auth;
	enum up_err rc;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->method = UP_M_OTHER;
	set_request_id(req, getenv_fn(env_ctx, "HTTP_X_REQUEST_ID"));

	m = getenv_fn(env_ctx, "REQUEST_METHOD");
	if (m != NULL) {
		snprintf(req->method_name, sizeof(req->method_name), "%s", m);
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (strcmp(m, methods[i].name) == 0)
				req->method = methods[i].method;
	}
	auth = getenv_fn(env_ctx, "HTTP_AUTHORIZATION");
	if (auth == NULL || auth[0] == '\0')
		auth = getenv_fn(env_ctx, "REDIRECT_HTTP_AUTHORIZATION");
	if (auth != NULL && auth[0] != '\0' && (req->authorization = strdup(auth)) == NULL)
		return UP_ERR_NOMEM;
	req->if_match = dup_or_null(getenv_fn(env_ctx, "HTTP_IF_MATCH"));
	req->accept = dup_or_null(getenv_fn(env_ctx, "HTTP_ACCEPT"));
	req->limit_d = dup_or_null(getenv_fn(env_ctx, "HTTP_X_LIMIT_D"));
	req->remote_addr = dup_or_null(getenv_fn(env_ctx, "REMOTE_ADDR"));
	rc = set_content_type(req, getenv_fn(env_ctx, "CONTENT_TYPE"));
	if (rc != UP_OK)
		return rc;
	rc = set_path(req, getenv_fn(env_ctx, "REQUEST_URI"), getenv_fn(env_ctx, "SCRIPT_NAME"),
	              getenv_fn(env_ctx, "PATH_INFO"), getenv_fn(env_ctx, "QUERY_STRING"));
	if (rc != UP_OK)
		return rc;
	rc = read_body(req, getenv_fn(env_ctx, "CONTENT_LENGTH"), read_fn, io_ctx, max_body);
	if (rc != UP_OK)
		return rc;
	/* A filter whose value cannot be decoded must not be ignored: refuse the request. */
	if (!up_query_valid(req->query)) {
		req->problem = "The query string holds a malformed percent-escape";
		return UP_ERR_BAD_REQUEST;
	}
	return UP_OK;
}

void up_request_free(struct up_request *req)
{
	free(req->path);
	free(req->query);
	free(req->content_type);
	free(req->content_params);
	if (req->authorization != NULL) {
		sodium_memzero(req->authorization, strlen(req->authorization));
		free(req->authorization);
	}
	free(req->if_match);
	free(req->accept);
	free(req->limit_d);
	free(req->remote_addr);
	if (req->body != NULL) /* it may hold a password (device-app, users PATCH/PUT/POST) */
		sodium_memzero(req->body, req->body_len);
	free(req->body);
	memset(req, 0, sizeof(*req));
}

void up_response_init(struct up_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
}

void up_response_free(struct up_response *resp)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->body);
	up_response_init(resp);
}

enum up_err up_response_header(struct up_response *resp, const char *name, const char *value)
{
	struct up_header *h;

	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return UP_ERR_INTERNAL;
	if (resp->nheaders >= UP_MAX_HEADERS)
		return UP_ERR_INTERNAL;
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return UP_ERR_NOMEM;
	}
	resp->nheaders++;
	return UP_OK;
}

enum up_err up_response_json(struct up_response *resp, int status, const cJSON *body)
{
	char *text = up_json_print(body);

	if (text == NULL)
		return UP_ERR_NOMEM;
	free(resp->body);
	resp->body = text;
	resp->body_len = strlen(text);
	resp->status = status;
	return UP_OK;
}

void up_response_error(struct up_response *resp, struct up_error *e, const struct up_usage *usage)
{
	static const char oom_body[] = "{\"success\":false,\"error\":\"Out of memory\","
	                               "\"code\":\"internal_error\",\"details\":[]}";
	int status = up_err_status(e->code);
	cJSON *o = cJSON_CreateObject(), *details = e->details;

	e->details = NULL;
	if (details == NULL)
		details = cJSON_CreateArray();
	if (o == NULL || details == NULL || cJSON_AddFalseToObject(o, "success") == NULL ||
	    cJSON_AddStringToObject(o, "error",
	                            e->message[0] != '\0' ? e->message : up_err_message(e->code)) ==
	            NULL ||
	    cJSON_AddStringToObject(o, "code", up_err_code(e->code)) == NULL ||
	    !cJSON_AddItemToObject(o, "details", details)) {
		cJSON_Delete(details);
		goto fallback;
	}
	if (e->more > 0 && cJSON_AddNumberToObject(o, "moreDetails", (double)e->more) == NULL)
		goto fallback;
	if (usage != NULL && usage->known &&
	    (cJSON_AddNumberToObject(o, "apiUsage", (double)usage->total) == NULL ||
	     cJSON_AddNumberToObject(o, "apiDailyUsage", (double)usage->daily) == NULL))
		goto fallback;
	if (up_response_json(resp, status, o) != UP_OK)
		goto fallback;
	goto out;
fallback:
	free(resp->body);
	resp->body = strdup(oom_body);
	resp->body_len = resp->body != NULL ? strlen(resp->body) : 0;
	resp->status = status = 500;
out:
	cJSON_Delete(o);
	up_error_reset(e);
	if (status == 401)
		up_response_header(resp, "WWW-Authenticate",
		                   "Bearer realm=\"userpatch\", error=\"invalid_token\"");
}

const char *up_status_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static int put(up_write_fn write_fn, void *io_ctx, const char *s)
{
	return write_fn(io_ctx, s, strlen(s));
}

/* Status line and headers; with_length: Content-Type and Content-Length of a body. */
static int write_head(const struct up_response *resp, const char *request_id, int with_length,
                      up_write_fn write_fn, void *io_ctx)
{
	const char *ct = resp->content_type != NULL ? resp->content_type : "application/json";
	char num[24];
	size_t i;
	int rc = 0;

	/* Every answer goes through here: no printf. */
	rc |= put(write_fn, io_ctx, "Status: ");
	rc |= put(write_fn, io_ctx, up_decimal((unsigned)resp->status, num + sizeof(num)));
	rc |= put(write_fn, io_ctx, " ");
	rc |= put(write_fn, io_ctx, up_status_reason(resp->status));
	rc |= put(write_fn, io_ctx, "\r\n");
	for (i = 0; i < resp->nheaders; i++) {
		rc |= put(write_fn, io_ctx, resp->headers[i].name);
		rc |= put(write_fn, io_ctx, ": ");
		rc |= put(write_fn, io_ctx, resp->headers[i].value);
		rc |= put(write_fn, io_ctx, "\r\n");
	}
	if (resp->body != NULL || !with_length) {
		rc |= put(write_fn, io_ctx, "Content-Type: ");
		rc |= put(write_fn, io_ctx, ct);
		rc |= put(write_fn, io_ctx, "\r\n");
	}
	if (resp->body != NULL && with_length) {
		rc |= put(write_fn, io_ctx, "Content-Length: ");
		rc |= put(write_fn, io_ctx, up_decimal(resp->body_len, num + sizeof(num)));
		rc |= put(write_fn, io_ctx, "\r\n");
	}
	rc |= put(write_fn, io_ctx,
	          "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	          "X-Request-Id: ");
	rc |= put(write_fn, io_ctx, request_id != NULL ? request_id : "-");
	rc |= put(write_fn, io_ctx, "\r\n\r\n");
	return rc;
}

enum up_err up_response_write(const struct up_response *resp, const char *request_id, int head_only,
                              up_write_fn write_fn, void *io_ctx)
{
	int rc = write_head(resp, request_id, 1, write_fn, io_ctx);

	if (resp->body != NULL && !head_only)
		rc |= write_fn(io_ctx, resp->body, resp->body_len);
	return rc == 0 ? UP_OK : UP_ERR_IO;
}

enum up_err up_response_write_head(const struct up_response *resp, const char *request_id,
                                   up_write_fn write_fn, void *io_ctx)
{
	return write_head(resp, request_id, 0, write_fn, io_ctx) == 0 ? UP_OK : UP_ERR_IO;
}
