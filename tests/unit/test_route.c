/* SPDX-License-Identifier: ISC */
/*
 * Unit tests (no database): route tables.  Path patterns ({id}, optional
 * trailing slash), 404 for no pattern, 405 with an Allow header computed
 * from the rows of the pattern, OPTIONS answered from the same rows without
 * authentication, and a handler reached only through authentication (which
 * fails here: there is no database).  Table-driven.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "route.h"

static int calls;

static void handler(struct up_call *call)
{
	(void)call;
	calls++;
}

#define READ (UP_MB(UP_M_GET) | UP_MB(UP_M_HEAD))

static const struct up_route rows[] = {
        {"/api/things/", READ, 1, handler, NULL},
        {"/api/things/", UP_MB(UP_M_POST) | UP_MB(UP_M_OPTIONS), 2, handler, NULL},
        {"/api/things/fixed", READ, 1, handler, NULL},
        {"/api/things/{id}", READ | UP_MB(UP_M_PATCH), 1, handler, NULL},
        {"/api/things/{id}", UP_MB(UP_M_DELETE) | UP_MB(UP_M_OPTIONS), 2, handler, NULL},
        {"/api/things/{id}/parts", UP_MB(UP_M_POST), 2, handler, NULL},
};

static const struct up_routes table = {rows, sizeof(rows) / sizeof(rows[0]), NULL};

struct route_case {
	int line;
	const char *desc;
	enum up_method method;
	const char *path;
	int status;         /* the answer's status */
	const char *allow;  /* its Allow header, or NULL for none */
	const char *accept; /* its Accept-Patch header, or NULL for none */
};

#define ITEM "GET, HEAD, PATCH, DELETE, OPTIONS"
#define COLL "GET, HEAD, POST, OPTIONS"

static const struct route_case cases[] = {
        {__LINE__, "OPTIONS the collection", UP_M_OPTIONS, "/api/things", 204, COLL, NULL},
        {__LINE__, "OPTIONS with a trailing slash", UP_M_OPTIONS, "/api/things/", 204, COLL, NULL},
        {__LINE__, "OPTIONS an item: Accept-Patch", UP_M_OPTIONS, "/api/things/7", 204, ITEM,
         "application/json-patch+json, application/merge-patch+json"},
        {__LINE__, "405 on the collection", UP_M_DELETE, "/api/things", 405, COLL, NULL},
        {__LINE__, "405 on an item", UP_M_PUT, "/api/things/7", 405, ITEM, NULL},
        {__LINE__, "unknown method", UP_M_OTHER, "/api/things/7", 405, ITEM, NULL},
        {__LINE__, "a fixed name wins over {id}", UP_M_PATCH, "/api/things/fixed", 405, "GET, HEAD",
         NULL},
        {__LINE__, "no OPTIONS row: 405", UP_M_OPTIONS, "/api/things/7/parts", 405, "POST", NULL},
        {__LINE__, "sub-path", UP_M_GET, "/api/things/7/parts", 405, "POST", NULL},
        {__LINE__, "no trailing slash on {id}", UP_M_GET, "/api/things/7/", 404, NULL, NULL},
        {__LINE__, "empty {id}", UP_M_GET, "/api/things//parts", 404, NULL, NULL},
        {__LINE__, "prefix only", UP_M_GET, "/api/thingsx", 404, NULL, NULL},
        {__LINE__, "another path", UP_M_GET, "/api/other", 404, NULL, NULL},
        {__LINE__, "allowed: authentication first (no database: 500)", UP_M_GET, "/api/things/7",
         500, NULL, NULL},
};

static const char *header(const struct up_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

START_TEST(test_cases)
{
	const struct route_case *c = &cases[_i];
	struct up_config cfg;
	struct up_ctx ctx;
	struct up_request req;
	struct up_response resp;
	const char *allow, *accept;
	char path[64];

	memset(&ctx, 0, sizeof(ctx));
	memset(&req, 0, sizeof(req));
	up_config_defaults(&cfg);
	ctx.cfg = &cfg;
	snprintf(path, sizeof(path), "%s", c->path);
	req.path = path;
	req.method = c->method;
	up_response_init(&resp);
	calls = 0;
	up_route_dispatch(&table, &ctx, &req, &resp);
	allow = header(&resp, "Allow");
	accept = header(&resp, "Accept-Patch");
	ck_assert_msg(resp.status == c->status, "line %d (%s): status %d", c->line, c->desc,
	              resp.status);
	ck_assert_msg(calls == 0, "line %d (%s): the handler ran without authentication", c->line,
	              c->desc);
	if (c->allow != NULL)
		ck_assert_msg(allow != NULL && strcmp(allow, c->allow) == 0,
		              "line %d (%s): Allow %s", c->line, c->desc,
		              allow != NULL ? allow : "absent");
	else
		ck_assert_msg(allow == NULL, "line %d (%s): Allow %s", c->line, c->desc, allow);
	if (c->accept != NULL)
		ck_assert_msg(accept != NULL && strcmp(accept, c->accept) == 0,
		              "line %d (%s): Accept-Patch", c->line, c->desc);
	else
		ck_assert_msg(accept == NULL, "line %d (%s): Accept-Patch %s", c->line, c->desc,
		              accept);
	up_response_free(&resp);
}
END_TEST

/* up_route_allow: the methods of a pattern in method order, whatever the order of the rows. */
START_TEST(test_allow)
{
	char buf[96];

	up_route_allow(&table, "/api/things/{id}", buf, sizeof(buf));
	ck_assert_str_eq(buf, ITEM);
	up_route_allow(&table, "/api/nothing", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("route");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_allow);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
