/* SPDX-License-Identifier: ISC */
/* Unit tests: request parsing, response writing, error mapping. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sodium.h>
#include "errors.h"
#include "http.h"
#include "json.h"
#include "proc.h"
#include "testutil.h"

/* A CGI environment in memory: "NAME=value" strings, NULL-terminated. */
struct fake {
	const char *const *env;
	const char *body;
	size_t pos;
	size_t limit; /* bytes the stream really has */
};

static const char *fake_getenv(void *ctx, const char *name)
{
	const struct fake *f = ctx;
	size_t n = strlen(name), i;

	for (i = 0; f->env[i] != NULL; i++)
		if (strncmp(f->env[i], name, n) == 0 && f->env[i][n] == '=')
			return f->env[i] + n + 1;
	return NULL;
}

static long fake_read(void *ctx, char *buf, size_t len)
{
	struct fake *f = ctx;
	size_t left = f->limit - f->pos, n = len < left ? len : left;

	if (n > 7)
		n = 7; /* short reads, as a socket gives */
	memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

struct req_case {
	int line;
	const char *desc;
	const char *env[12];
	const char *body;
	size_t max_body;
	enum up_err want;
	enum up_method method;
	const char *path, *query, *ctype, *auth;
	size_t body_len;
};

#define E(...)                                                                                     \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}
static const struct req_case req_cases[] = {
        {__LINE__, "GET with query", E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users?limit=5"),
         NULL, 100, UP_OK, UP_M_GET, "/api/users", "limit=5", NULL, NULL, 0},
        {__LINE__, "percent-decoded path",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users/usr%2D1"), NULL, 100, UP_OK, UP_M_GET,
         "/api/users/usr-1", "", NULL, NULL, 0},
        {__LINE__, "bad percent escape", E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users/%zz"),
         NULL, 100, UP_ERR_BAD_REQUEST, UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "query ?email=%ZZ: 400, not an ignored filter",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users?email=%ZZ"), NULL, 100, UP_ERR_BAD_REQUEST,
         UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "query ?limit=%zz", E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users?limit=%zz"),
         NULL, 100, UP_ERR_BAD_REQUEST, UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "query escape cut short",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users?group=a%2"), NULL, 100, UP_ERR_BAD_REQUEST,
         UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "QUERY_STRING (no REQUEST_URI) with a bad escape",
         E("REQUEST_METHOD=GET", "SCRIPT_NAME=/u", "QUERY_STRING=email=%G0"), NULL, 100,
         UP_ERR_BAD_REQUEST, UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "query with good escapes is kept raw",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/api/users?email=a%40b.c&x=%C3%A9"), NULL, 100, UP_OK,
         UP_M_GET, "/api/users", "email=a%40b.c&x=%C3%A9", NULL, NULL, 0},
        {__LINE__, "percent-encoded NUL", E("REQUEST_METHOD=GET", "REQUEST_URI=/a%00b"), NULL, 100,
         UP_ERR_BAD_REQUEST, UP_M_GET, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "no REQUEST_URI: SCRIPT_NAME + PATH_INFO",
         E("REQUEST_METHOD=DELETE", "SCRIPT_NAME=/cgi-bin/users", "PATH_INFO=/x",
           "QUERY_STRING=a=1"),
         NULL, 100, UP_OK, UP_M_DELETE, "/cgi-bin/users/x", "a=1", NULL, NULL, 0},
        {__LINE__, "PATCH with body and content type parameters",
         E("REQUEST_METHOD=PATCH", "REQUEST_URI=/u", "CONTENT_TYPE=Application/JSON; charset=utf-8",
           "CONTENT_LENGTH=13"),
         "[{\"op\":\"x\"}]!", 100, UP_OK, UP_M_PATCH, "/u", "", "application/json", NULL, 13},
        {__LINE__, "body exactly at the cap",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=10"), "0123456789", 10, UP_OK,
         UP_M_POST, "/u", "", NULL, NULL, 10},
        {__LINE__, "body one byte over the cap",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=11"), "0123456789A", 10,
         UP_ERR_TOO_LARGE, UP_M_POST, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "huge CONTENT_LENGTH",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=99999999999999999999999"), "",
         10, UP_ERR_BAD_REQUEST, UP_M_POST, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "negative CONTENT_LENGTH",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=-1"), "", 10,
         UP_ERR_BAD_REQUEST, UP_M_POST, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "body shorter than announced",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=5"), "abc", 10,
         UP_ERR_BAD_REQUEST, UP_M_POST, NULL, NULL, NULL, NULL, 0},
        {__LINE__, "only CONTENT_LENGTH bytes are read",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u", "CONTENT_LENGTH=3"), "abcdef", 10, UP_OK,
         UP_M_POST, "/u", "", NULL, NULL, 3},
        {__LINE__, "Authorization from HTTP_AUTHORIZATION",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/u", "HTTP_AUTHORIZATION=Bearer abc",
           "REDIRECT_HTTP_AUTHORIZATION=Bearer other"),
         NULL, 10, UP_OK, UP_M_GET, "/u", "", NULL, "Bearer abc", 0},
        {__LINE__, "Authorization from REDIRECT_HTTP_AUTHORIZATION",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/u", "REDIRECT_HTTP_AUTHORIZATION=Bearer r"), NULL,
         10, UP_OK, UP_M_GET, "/u", "", NULL, "Bearer r", 0},
        {__LINE__, "empty HTTP_AUTHORIZATION falls back to the redirect copy",
         E("REQUEST_METHOD=GET", "REQUEST_URI=/u",
           "HTTP_AUTHORIZATION=", "REDIRECT_HTTP_AUTHORIZATION=Bearer r"),
         NULL, 10, UP_OK, UP_M_GET, "/u", "", NULL, "Bearer r", 0},
        {__LINE__, "unknown method", E("REQUEST_METHOD=BREW", "REQUEST_URI=/u"), NULL, 10, UP_OK,
         UP_M_OTHER, "/u", "", NULL, NULL, 0},
        {__LINE__, "HEAD", E("REQUEST_METHOD=HEAD", "REQUEST_URI=/u"), NULL, 10, UP_OK, UP_M_HEAD,
         "/u", "", NULL, NULL, 0},
        {__LINE__, "OPTIONS", E("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/u"), NULL, 10, UP_OK,
         UP_M_OPTIONS, "/u", "", NULL, NULL, 0},
        {__LINE__, "form content type",
         E("REQUEST_METHOD=POST", "REQUEST_URI=/u",
           "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=3"),
         "a=b", 10, UP_OK, UP_M_POST, "/u", "", "application/x-www-form-urlencoded", NULL, 3},
};

START_TEST(test_request_cases)
{
	const struct req_case *c = &req_cases[_i];
	struct fake f = {c->env, c->body, 0, c->body != NULL ? strlen(c->body) : 0};
	struct up_request req;
	enum up_err rc;

	rc = up_request_read(&req, fake_getenv, &f, fake_read, &f, c->max_body);
	ck_assert_msg(rc == c->want, "line %d (%s): got %d want %d", c->line, c->desc, rc, c->want);
	ck_assert_msg(strlen(req.request_id) == 32, "line %d: request id always set", c->line);
	if (rc == UP_ERR_BAD_REQUEST)
		ck_assert_msg(req.problem != NULL && req.problem[0] != '\0',
		              "line %d (%s): no sentence for the client", c->line, c->desc);
	if (rc == UP_OK) {
		ck_assert_msg(req.method == c->method, "line %d (%s): method", c->line, c->desc);
		ck_assert_str_eq(req.path, c->path);
		ck_assert_str_eq(req.query, c->query);
		if (c->ctype == NULL)
			ck_assert_ptr_null(req.content_type);
		else
			ck_assert_str_eq(req.content_type, c->ctype);
		if (c->auth == NULL)
			ck_assert_ptr_null(req.authorization);
		else
			ck_assert_str_eq(req.authorization, c->auth);
		ck_assert_uint_eq(req.body_len, c->body_len);
		if (c->body_len > 0)
			ck_assert_int_eq(memcmp(req.body, c->body, c->body_len), 0);
		ck_assert_uint_le(f.pos, c->body_len); /* never read past CONTENT_LENGTH */
	}
	if (rc == UP_ERR_TOO_LARGE) {
		/* Refused without keeping the body, but the body is read off the
		 * stream so a CGI parent can deliver the 413. */
		ck_assert_ptr_null(req.body);
		ck_assert_uint_eq(f.pos, f.limit);
	}
	up_request_free(&req);
}
END_TEST

struct rid_case {
	int line;
	const char *desc;
	const char *env;    /* the HTTP_X_REQUEST_ID entry, NULL for none */
	const char *client; /* client_request_id wanted */
};

static const struct rid_case rid_cases[] = {
        {__LINE__, "no X-Request-Id", NULL, ""},
        {__LINE__, "a client id is kept apart", "HTTP_X_REQUEST_ID=abc-123_x.y", "abc-123_x.y"},
        {__LINE__, "a UUID", "HTTP_X_REQUEST_ID=3f2b8c1e-9d4a-4e6b-8f00-123456789abc",
         "3f2b8c1e-9d4a-4e6b-8f00-123456789abc"},
        {__LINE__, "a client id shaped like a server id is still the client's",
         "HTTP_X_REQUEST_ID=0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"},
        {__LINE__, "64 characters",
         "HTTP_X_REQUEST_ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
        {__LINE__, "65 characters: dropped",
         "HTTP_X_REQUEST_ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""},
        {__LINE__, "space and line break: dropped", "HTTP_X_REQUEST_ID=a b\nc", ""},
        {__LINE__, "empty: dropped", "HTTP_X_REQUEST_ID=", ""},
};

/* The request id is always the server's own random one; the client's goes beside it. */
START_TEST(test_request_id)
{
	const struct rid_case *c = &rid_cases[_i];
	const char *env[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/", c->env, NULL};
	struct fake f = {env, NULL, 0, 0};
	struct up_request req;
	char first[UP_REQUEST_ID_LEN + 1];

	ck_assert_int_eq(up_request_read(&req, fake_getenv, &f, fake_read, &f, 10), UP_OK);
	ck_assert_msg(strlen(req.request_id) == 32 &&
	                      strspn(req.request_id, "0123456789abcdef") == 32,
	              "line %d (%s): request id %s", c->line, c->desc, req.request_id);
	ck_assert_msg(strcmp(req.client_request_id, c->client) == 0, "line %d (%s): client id %s",
	              c->line, c->desc, req.client_request_id);
	memcpy(first, req.request_id, sizeof(first));
	up_request_free(&req);
	/* The same client id twice: two server ids. */
	ck_assert_int_eq(up_request_read(&req, fake_getenv, &f, fake_read, &f, 10), UP_OK);
	ck_assert_msg(strcmp(first, req.request_id) != 0, "line %d (%s): id repeated", c->line,
	              c->desc);
	up_request_free(&req);
}
END_TEST

/* One request's server id (into id), read through up_request_read. */
static void next_id(char id[UP_REQUEST_ID_LEN + 1])
{
	const char *env[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/", NULL};
	struct fake f = {env, NULL, 0, 0};
	struct up_request req;

	ck_assert_int_eq(up_request_read(&req, fake_getenv, &f, fake_read, &f, 10), UP_OK);
	memcpy(id, req.request_id, UP_REQUEST_ID_LEN + 1);
	up_request_free(&req);
}

/*
 * The ids come from a pool of random bytes: 100 in a row (several refills)
 * all differ, and a forked child never hands out its parent's next id.
 */
START_TEST(test_request_id_pool)
{
	static char ids[100][UP_REQUEST_ID_LEN + 1];
	char mine[UP_REQUEST_ID_LEN + 1], child[UP_REQUEST_ID_LEN + 1] = "";
	int fds[2], status = -1;
	size_t i, j;
	pid_t pid;

	for (i = 0; i < 100; i++) {
		next_id(ids[i]);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(ids[i], ids[j]) != 0, "id %zu repeats id %zu", i, j);
	}
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		next_id(child);
		_exit(write(fds[1], child, UP_REQUEST_ID_LEN) == UP_REQUEST_ID_LEN &&
		                      up_proc_id() == getpid()
		              ? 0
		              : 1);
	}
	next_id(mine);
	ck_assert_int_eq(read(fds[0], child, UP_REQUEST_ID_LEN), UP_REQUEST_ID_LEN);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "the child's process id is its own");
	ck_assert_msg(strcmp(mine, child) != 0, "parent and child drew the same id %s", mine);
	ck_assert_int_eq(up_proc_id(), getpid());
	close(fds[0]);
	close(fds[1]);
}
END_TEST

struct query_case {
	int line;
	const char *desc, *query, *name, *want;
	enum up_err rc; /* of up_query_get */
	int valid;      /* up_query_valid of the whole query */
};

static const struct query_case query_cases[] = {
        {__LINE__, "simple", "a=1&b=2", "b", "2", UP_OK, 1},
        {__LINE__, "absent", "a=1&b=2", "c", NULL, UP_OK, 1},
        {__LINE__, "prefix is not a match", "ab=1", "a", NULL, UP_OK, 1},
        {__LINE__, "decoded with plus", "email=a%40b.c&x=y+z", "x", "y z", UP_OK, 1},
        {__LINE__, "percent", "email=a%40b.c", "email", "a@b.c", UP_OK, 1},
        {__LINE__, "empty value", "a=&b=1", "a", "", UP_OK, 1},
        {__LINE__, "bad escape", "a=%g1", "a", NULL, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "?email=%ZZ is an error, not an absent filter", "email=%ZZ", "email", NULL,
         UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "?limit=%zz", "limit=%zz", "limit", NULL, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "escape cut short at the end", "a=%4", "a", NULL, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "lone percent at the end", "a=%", "a", NULL, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "encoded NUL", "a=x%00y", "a", NULL, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "a bad escape in another parameter", "a=1&b=%zz", "a", "1", UP_OK, 0},
        {__LINE__, "a bad escape in a name", "%zz=1", "a", NULL, UP_OK, 0},
        {__LINE__, "encoded percent", "a=100%25", "a", "100%", UP_OK, 1},
        {__LINE__, "UTF-8 escapes", "a=%C3%A9", "a", "\xc3\xa9", UP_OK, 1},
};

START_TEST(test_query_cases)
{
	const struct query_case *c = &query_cases[_i];
	char *v = up_query_param(c->query, c->name), *g = (char *)"unset";
	enum up_err rc = up_query_get(c->query, c->name, &g);

	ck_assert_msg(rc == c->rc, "line %d (%s): up_query_get %d", c->line, c->desc, rc);
	ck_assert_msg(up_query_valid(c->query) == c->valid, "line %d (%s): up_query_valid", c->line,
	              c->desc);
	if (c->want == NULL)
		ck_assert_msg(g == NULL, "line %d (%s): up_query_get set a value", c->line,
		              c->desc);
	else
		ck_assert_msg(g != NULL && strcmp(g, c->want) == 0, "line %d (%s)", c->line,
		              c->desc);
	free(g);

	if (c->want == NULL)
		ck_assert_msg(v == NULL, "line %d (%s)", c->line, c->desc);
	else
		ck_assert_msg(v != NULL && strcmp(v, c->want) == 0, "line %d (%s): %s", c->line,
		              c->desc, v != NULL ? v : "(null)");
	free(v);
}
END_TEST

struct err_case {
	int line;
	enum up_err err;
	int status;
	const char *code;
};

static const struct err_case err_cases[] = {
        {__LINE__, UP_OK, 200, "ok"},
        {__LINE__, UP_ERR_BAD_JSON, 400, "invalid_json"},
        {__LINE__, UP_ERR_PATCH_MALFORMED, 400, "patch_malformed"},
        {__LINE__, UP_ERR_POINTER_MALFORMED, 400, "pointer_malformed"},
        {__LINE__, UP_ERR_MISSING_KEY, 400, "missing_key"},
        {__LINE__, UP_ERR_UNAUTHORIZED, 401, "invalid_token"},
        {__LINE__, UP_ERR_FORBIDDEN, 403, "insufficient_scope"},
        {__LINE__, UP_ERR_NOT_FOUND, 404, "not_found"},
        {__LINE__, UP_ERR_METHOD, 405, "method_not_allowed"},
        {__LINE__, UP_ERR_PATH_NOT_FOUND, 409, "path_not_found"},
        {__LINE__, UP_ERR_TEST_FAILED, 409, "test_failed"},
        {__LINE__, UP_ERR_STALE_VERSION, 409, "stale_version"},
        {__LINE__, UP_ERR_CONFLICT, 409, "conflict"},
        {__LINE__, UP_ERR_PRECONDITION, 412, "precondition_failed"},
        {__LINE__, UP_ERR_TOO_LARGE, 413, "payload_too_large"},
        {__LINE__, UP_ERR_MEDIA_TYPE, 415, "unsupported_media_type"},
        {__LINE__, UP_ERR_VALIDATION, 422, "validation_failed"},
        {__LINE__, UP_ERR_QUOTA, 429, "quota_exceeded"},
        {__LINE__, UP_ERR_DB, 500, "internal_error"},
        {__LINE__, UP_ERR_NOMEM, 500, "internal_error"},
        {__LINE__, UP_ERR_DB_UNAVAILABLE, 503, "service_unavailable"},
        {__LINE__, UP_ERR_DB_RETRY, 503, "service_unavailable"},
        {__LINE__, (enum up_err)9999, 500, "internal_error"},
};

START_TEST(test_error_mapping)
{
	const struct err_case *c = &err_cases[_i];

	ck_assert_msg(up_err_status(c->err) == c->status, "line %d: status %d", c->line,
	              up_err_status(c->err));
	ck_assert_str_eq(up_err_code(c->err), c->code);
	ck_assert_ptr_nonnull(up_err_message(c->err));
}
END_TEST

START_TEST(test_every_error_has_an_entry)
{
	int e;

	for (e = 0; e < UP_ERR__MAX; e++) {
		int s = up_err_status((enum up_err)e);

		ck_assert_msg(s >= 200 && s <= 599, "error %d has no status", e);
		ck_assert_msg(up_err_code((enum up_err)e) != NULL, "error %d has no code", e);
	}
}
END_TEST

/* Capture what up_response_write writes. */
struct sink {
	char buf[4096];
	size_t len;
};

static int sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	if (s->len + len >= sizeof(s->buf))
		return -1;
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

START_TEST(test_error_response_shape)
{
	struct up_usage usage = {1, 25, 100};
	struct up_response resp;
	struct sink out = {{0}, 0};
	struct up_error e = {0};
	cJSON *body;

	up_error_set(&e, UP_ERR_UNAUTHORIZED, NULL);
	up_error_add(&e, cJSON_CreateString("x"));
	up_response_init(&resp);
	up_response_error(&resp, &e, &usage);
	ck_assert_ptr_null(e.details);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_int_eq(up_json_parse(resp.body, resp.body_len, 8, &body), UP_OK);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(body, "success")));
	ck_assert_str_eq(cJSON_GetObjectItem(body, "code")->valuestring, "invalid_token");
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(body, "error")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(body, "details")), 1);
	ck_assert_int_eq(cJSON_GetObjectItem(body, "apiUsage")->valueint, 25);
	ck_assert_int_eq(cJSON_GetObjectItem(body, "apiDailyUsage")->valueint, 100);
	cJSON_Delete(body);
	ck_assert_int_eq(up_response_write(&resp, "rid1", 0, sink_write, &out), UP_OK);
	ck_assert_msg(strncmp(out.buf, "Status: 401 Unauthorized\r\n", 26) == 0, "%s", out.buf);
	ck_assert_msg(strstr(out.buf, "\r\nWWW-Authenticate: Bearer realm=\"userpatch\", "
	                              "error=\"invalid_token\"\r\n") != NULL,
	              "%s", out.buf);
	ck_assert_msg(strstr(out.buf, "\r\nContent-Type: application/json\r\n") != NULL, "%s",
	              out.buf);
	ck_assert_msg(strstr(out.buf, "\r\nX-Request-Id: rid1\r\n") != NULL, "%s", out.buf);
	ck_assert_msg(strstr(out.buf, "\r\n\r\n{\"success\":false") != NULL, "%s", out.buf);
	up_response_free(&resp);

	/* Without a recognised token there are no counters. */
	up_response_init(&resp);
	up_error_set(&e, UP_ERR_NOT_FOUND, "User not found");
	up_response_error(&resp, &e, NULL);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_ptr_null(strstr(resp.body, "apiUsage"));
	ck_assert_ptr_nonnull(strstr(resp.body, "\"error\":\"User not found\""));
	ck_assert_ptr_null(strstr(resp.body, "moreDetails"));
	up_response_free(&resp);
}
END_TEST

/* A detail that could not be made (out of memory) is still a problem: counted, never lost. */
START_TEST(test_error_detail_lost)
{
	struct up_response resp;
	struct up_error e = {0};
	cJSON *body;

	ck_assert_ptr_null(up_error_add(&e, NULL));
	ck_assert_int_eq(up_error_ndetails(&e), 1);
	up_error_set(&e, UP_ERR_VALIDATION, NULL);
	up_response_init(&resp);
	up_response_error(&resp, &e, NULL);
	ck_assert_int_eq(up_json_parse(resp.body, resp.body_len, 8, &body), UP_OK);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(body, "details")), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(body, "moreDetails")->valueint, 1);
	cJSON_Delete(body);
	up_response_free(&resp);
}
END_TEST

/* Details are capped at UP_ERROR_MAX_DETAILS for every kind of detail; the rest are counted. */
static const struct cap_case {
	int line;
	const char *desc;
	int problems;
	int listed;
	int more; /* -1: no "moreDetails" member */
} cap_cases[] = {
        {__LINE__, "one problem", 1, 1, -1},
        {__LINE__, "exactly the cap", UP_ERROR_MAX_DETAILS, UP_ERROR_MAX_DETAILS, -1},
        {__LINE__, "one past the cap", UP_ERROR_MAX_DETAILS + 1, UP_ERROR_MAX_DETAILS, 1},
        {__LINE__, "3,000 problems (1,000 empty positions)", 3000, UP_ERROR_MAX_DETAILS,
         3000 - UP_ERROR_MAX_DETAILS},
};

START_TEST(test_error_details_capped)
{
	const struct cap_case *c = &cap_cases[_i];
	struct up_response resp;
	struct up_error e = {0};
	cJSON *body, *more;
	int i;

	for (i = 0; i < c->problems; i++) {
		/* The three ways a detail is made share the one cap. */
		if (i % 3 == 0)
			up_error_detail(&e, "f", "problem %d", i);
		else if (i % 3 == 1)
			up_error_detail_at(&e, i, "time", "problem %d", i);
		else
			up_error_add(&e, cJSON_CreateObject());
	}
	ck_assert_msg(up_error_ndetails(&e) == (size_t)c->problems, "line %d %s", c->line, c->desc);
	up_error_set(&e, UP_ERR_VALIDATION, NULL);
	up_response_init(&resp);
	up_response_error(&resp, &e, NULL);
	ck_assert_int_eq(resp.status, 422);
	ck_assert_msg(resp.body_len < 4096, "line %d %s: %zu bytes", c->line, c->desc,
	              resp.body_len);
	ck_assert_int_eq(up_json_parse(resp.body, resp.body_len, 8, &body), UP_OK);
	ck_assert_msg(cJSON_GetArraySize(cJSON_GetObjectItem(body, "details")) == c->listed,
	              "line %d %s", c->line, c->desc);
	more = cJSON_GetObjectItem(body, "moreDetails");
	if (c->more < 0)
		ck_assert_msg(more == NULL, "line %d %s", c->line, c->desc);
	else
		ck_assert_msg(cJSON_IsNumber(more) && more->valueint == c->more, "line %d %s",
		              c->line, c->desc);
	ck_assert_int_eq(up_error_ndetails(&e), 0);
	cJSON_Delete(body);
	up_response_free(&resp);
}
END_TEST

START_TEST(test_response_head_and_headers)
{
	struct up_response resp;
	struct sink out = {{0}, 0};
	cJSON *o = cJSON_CreateObject();

	up_response_init(&resp);
	cJSON_AddStringToObject(o, "a", "b");
	ck_assert_int_eq(up_response_json(&resp, 200, o), UP_OK);
	cJSON_Delete(o);
	ck_assert_int_eq(up_response_header(&resp, "ETag", "\"3\""), UP_OK);
	/* Header injection is refused. */
	ck_assert_int_eq(up_response_header(&resp, "X-A", "b\r\nSet-Cookie: x"), UP_ERR_INTERNAL);
	ck_assert_int_eq(up_response_header(&resp, "X:B", "c"), UP_ERR_INTERNAL);
	ck_assert_int_eq(up_response_write(&resp, "r", 1, sink_write, &out), UP_OK);
	ck_assert_ptr_nonnull(strstr(out.buf, "ETag: \"3\"\r\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "Content-Length: 9\r\n"));
	ck_assert_ptr_null(strstr(out.buf, "Set-Cookie"));
	ck_assert_msg(out.len >= 4 && strcmp(out.buf + out.len - 4, "\r\n\r\n") == 0,
	              "HEAD has no body: %s", out.buf);
	up_response_free(&resp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	if (sodium_init() < 0)
		return 99;
	tcase_add_loop_test(tc, test_request_cases, 0, sizeof(req_cases) / sizeof(req_cases[0]));
	tcase_add_loop_test(tc, test_request_id, 0, sizeof(rid_cases) / sizeof(rid_cases[0]));
	tcase_add_test(tc, test_request_id_pool);
	tcase_add_loop_test(tc, test_query_cases, 0, sizeof(query_cases) / sizeof(query_cases[0]));
	tcase_add_loop_test(tc, test_error_mapping, 0, sizeof(err_cases) / sizeof(err_cases[0]));
	tcase_add_test(tc, test_every_error_has_an_entry);
	tcase_add_test(tc, test_error_response_shape);
	tcase_add_test(tc, test_error_detail_lost);
	tcase_add_loop_test(tc, test_error_details_capped, 0,
	                    sizeof(cap_cases) / sizeof(cap_cases[0]));
	tcase_add_test(tc, test_response_head_and_headers);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
