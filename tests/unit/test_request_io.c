/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (no database): the request/reply module (request_io.c) and
 * the body limit of a route row.  Typed, whitelisted query parameters
 * (unknown names, numbers out of range, times, booleans), the JSON body
 * (media types, empty, not JSON, too deep), If-Match, and which body limit
 * a row has.  Table-driven.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "request_io.h"

enum { P_LIMIT, P_OFFSET, P_FROM, P_NAME, P_ON, P__N };

static const struct up_param spec[P__N] = {
        [P_LIMIT] = {"limit", UP_PARAM_NUMBER, 1, 500, 50},
        [P_OFFSET] = {"offset", UP_PARAM_NUMBER, 0, INT64_MAX, 0},
        [P_FROM] = {"from", UP_PARAM_TIME, 0, 0, 0},
        [P_NAME] = {"name", UP_PARAM_STRING, 0, 0, 0},
        [P_ON] = {"on", UP_PARAM_BOOL, 0, 0, 0},
};

static const struct param_case {
	int line;
	const char *desc;
	const char *query;
	enum up_err want;
	const char *message; /* the error's sentence, or NULL */
	uint64_t limit;      /* on success */
	const char *name;    /* on success: name's text, or NULL when absent */
} param_cases[] = {
        {__LINE__, "no query: the defaults", "", UP_OK, NULL, 50, NULL},
        {__LINE__, "every kind",
         "limit=7&offset=3&from=2025-06-01T10:00:00%2B02:00&name=a%20b&on=true", UP_OK, NULL, 7,
         "a b"},
        {__LINE__, "an unknown parameter", "limit=7&colour=red", UP_ERR_BAD_REQUEST,
         "Unknown query parameter 'colour'", 0, NULL},
        {__LINE__, "a name with no value is still a name", "limits", UP_ERR_BAD_REQUEST,
         "Unknown query parameter 'limits'", 0, NULL},
        {__LINE__, "number below its range", "limit=0", UP_ERR_BAD_REQUEST,
         "limit must be a whole number from 1 to 500", 0, NULL},
        {__LINE__, "number above its range", "limit=501", UP_ERR_BAD_REQUEST,
         "limit must be a whole number from 1 to 500", 0, NULL},
        {__LINE__, "number with a sign", "limit=+5", UP_ERR_BAD_REQUEST,
         "limit must be a whole number from 1 to 500", 0, NULL},
        {__LINE__, "open-ended range", "offset=-1", UP_ERR_BAD_REQUEST,
         "offset must be a whole number from 0", 0, NULL},
        {__LINE__, "not a time", "from=yesterday", UP_ERR_BAD_REQUEST,
         "from must be an RFC 3339 date-time", 0, NULL},
        {__LINE__, "not a boolean", "on=1", UP_ERR_BAD_REQUEST, "on must be true or false", 0,
         NULL},
        {__LINE__, "a bad escape", "name=%zz", UP_ERR_BAD_REQUEST,
         "name is not valid percent-encoding", 0, NULL},
};

START_TEST(test_params)
{
	const struct param_case *c = &param_cases[_i];
	struct up_request req;
	struct up_call call;
	struct up_param_value v[P__N];
	struct up_error e = {0};
	enum up_err rc;

	memset(&req, 0, sizeof(req));
	memset(&call, 0, sizeof(call));
	req.query = (char *)c->query;
	call.req = &req;
	rc = up_req_params(&call, spec, P__N, v, &e);
	ck_assert_msg(rc == c->want, "line %d (%s): %d", c->line, c->desc, rc);
	if (c->message != NULL)
		ck_assert_msg(strcmp(e.message, c->message) == 0, "line %d (%s): '%s'", c->line,
		              c->desc, e.message);
	if (rc == UP_OK) {
		ck_assert_uint_eq(v[P_LIMIT].num, c->limit);
		ck_assert_int_eq(v[P_NAME].present, c->name != NULL);
		if (c->name != NULL)
			ck_assert_str_eq(v[P_NAME].text, c->name);
		if (v[P_FROM].present)
			ck_assert_str_eq(v[P_FROM].time, "2025-06-01 08:00:00.000000");
		if (v[P_ON].present)
			ck_assert_int_eq(v[P_ON].flag, 1);
	}
	up_req_params_free(v, P__N);
	up_error_reset(&e);
}
END_TEST

static const char *const patch_types[] = {"application/json-patch+json", "application/json", NULL};

static const struct body_case {
	int line;
	const char *desc;
	const char *content_type;
	const char *body;
	enum up_err want;
	const char *message;
} body_cases[] = {
        {__LINE__, "JSON Patch", "application/json-patch+json", "[]", UP_OK, NULL},
        {__LINE__, "plain JSON", "application/json", "{\"a\": 1}", UP_OK, NULL},
        {__LINE__, "another media type", "text/plain", "[]", UP_ERR_MEDIA_TYPE,
         "Content-Type must be application/json-patch+json or application/json"},
        {__LINE__, "no media type", NULL, "[]", UP_ERR_MEDIA_TYPE,
         "Content-Type must be application/json-patch+json or application/json"},
        {__LINE__, "empty body", "application/json", "", UP_ERR_BAD_JSON,
         "The request body is empty"},
        {__LINE__, "not JSON", "application/json", "{a: 1}", UP_ERR_BAD_JSON,
         "The body is not valid JSON"},
        {__LINE__, "deeper than max_json_depth", "application/json", "[[[[[[[[[[1]]]]]]]]]]",
         UP_ERR_LIMIT, "The body nests deeper than the limit"},
};

START_TEST(test_json_body)
{
	const struct body_case *c = &body_cases[_i];
	struct up_config cfg;
	struct up_ctx ctx;
	struct up_request req;
	struct up_call call;
	struct up_error e = {0};
	cJSON *doc = NULL;
	enum up_err rc;

	up_config_defaults(&cfg);
	cfg.max_json_depth = 8;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	memset(&req, 0, sizeof(req));
	req.content_type = (char *)c->content_type;
	req.body = (char *)c->body;
	req.body_len = strlen(c->body);
	memset(&call, 0, sizeof(call));
	call.ctx = &ctx;
	call.req = &req;
	rc = up_req_json_body(&call, patch_types, &doc, &e);
	ck_assert_msg(rc == c->want, "line %d (%s): %d", c->line, c->desc, rc);
	ck_assert_msg((doc != NULL) == (rc == UP_OK), "line %d (%s)", c->line, c->desc);
	if (c->message != NULL)
		ck_assert_msg(strcmp(e.message, c->message) == 0, "line %d (%s): '%s'", c->line,
		              c->desc, e.message);
	cJSON_Delete(doc);
}
END_TEST

static const struct match_case {
	int line;
	const char *desc;
	const char *if_match;
	uint64_t version;
	int want;
} match_cases[] = {
        {__LINE__, "absent", NULL, 3, 1},
        {__LINE__, "the version", "\"3\"", 3, 1},
        {__LINE__, "another version", "\"2\"", 3, 0},
        {__LINE__, "any", "*", 3, 1},
        {__LINE__, "in a list", "\"1\", \"3\"", 3, 1},
        {__LINE__, "a weak tag never matches", "W/\"3\"", 3, 0},
        {__LINE__, "unterminated", "\"3", 3, 0},
};

START_TEST(test_if_match)
{
	const struct match_case *c = &match_cases[_i];
	struct up_request req;
	struct up_error e = {0};

	memset(&req, 0, sizeof(req));
	req.if_match = (char *)c->if_match;
	ck_assert_msg(up_if_match(c->if_match, c->version) == c->want, "line %d (%s)", c->line,
	              c->desc);
	ck_assert_int_eq(up_req_if_match(&req, c->version, &e),
	                 c->want ? UP_OK : UP_ERR_PRECONDITION);
	if (!c->want)
		ck_assert_str_eq(e.message, "If-Match does not match the current version \"3\"");
}
END_TEST

static void nothing(struct up_call *call)
{
	(void)call;
}

/*
 * The body limit is the row's: max_body, for a batch row the larger of it
 * and max_batch_body, for an import row max_import_body (above or below
 * max_body).
 */
START_TEST(test_body_limits)
{
	static const struct up_route rows[] = {
	        {"/a", UP_MB(UP_M_GET), 0, nothing, NULL},
	        {"/a", UP_MB(UP_M_POST) | UP_ROUTE_BATCH, 0, nothing, NULL},
	        {"/a/import", UP_MB(UP_M_POST) | UP_ROUTE_IMPORT, 0, nothing, NULL},
	};
	static const struct up_routes plain = {rows, 1, NULL}, batch = {rows, 2, NULL};
	static const struct up_routes import = {rows + 2, 1, NULL}, both = {rows, 3, NULL};
	struct up_config cfg;

	up_config_defaults(&cfg);
	cfg.max_body = 1000;
	cfg.max_batch_body = 5000;
	ck_assert_uint_eq(up_route_body_limit(&rows[0], &cfg), 1000);
	ck_assert_uint_eq(up_route_body_limit(&rows[1], &cfg), 5000);
	ck_assert_uint_eq(up_routes_body_max(&plain, &cfg), 1000);
	ck_assert_uint_eq(up_routes_body_max(&batch, &cfg), 5000);
	/* A batch limit below max_body never lowers a row's limit. */
	cfg.max_batch_body = 500;
	ck_assert_uint_eq(up_route_body_limit(&rows[1], &cfg), 1000);
	ck_assert_uint_eq(up_routes_body_max(&batch, &cfg), 1000);
	/* An import's limit is max_import_body, above or below max_body. */
	cfg.max_import_body = 8000;
	ck_assert_uint_eq(up_route_body_limit(&rows[2], &cfg), 8000);
	ck_assert_uint_eq(up_routes_body_max(&both, &cfg), 8000);
	cfg.max_import_body = 700;
	ck_assert_uint_eq(up_route_body_limit(&rows[2], &cfg), 700);
	ck_assert_uint_eq(up_routes_body_max(&import, &cfg), 1000);
	ck_assert_uint_eq(up_routes_body_max(&both, &cfg), 1000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("request_io");
	TCase *tc = tcase_create("request_io");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_params, 0, sizeof(param_cases) / sizeof(param_cases[0]));
	tcase_add_loop_test(tc, test_json_body, 0, sizeof(body_cases) / sizeof(body_cases[0]));
	tcase_add_loop_test(tc, test_if_match, 0, sizeof(match_cases) / sizeof(match_cases[0]));
	tcase_add_test(tc, test_body_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
