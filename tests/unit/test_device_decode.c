/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the device-app body decoder (da_decode) and the wiping of
 * everything that held a password on the way.  No database.
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "device_app.h"
#include "json.h"
#include "testutil.h"

#define CT_JSON "application/json"
#define CT_FORM "application/x-www-form-urlencoded"

struct decode_case {
	int line;
	const char *desc;
	const char *ctype, *body;
	enum up_err want;
	const char *data; /* compact text of the decoded object, NULL on error */
};

static const struct decode_case decode_cases[] = {
        {__LINE__, "data as a string", CT_JSON, "{\"data\": \"{\\\"username\\\": \\\"a\\\"}\"}",
         UP_OK, "{\"username\":\"a\"}"},
        {__LINE__, "data as an object", CT_JSON, "{\"data\": {\"username\": \"a\"}}", UP_OK,
         "{\"username\":\"a\"}"},
        {__LINE__, "form encoded", CT_FORM, "data=%7B%22username%22%3A%22a+b%22%7D", UP_OK,
         "{\"username\":\"a b\"}"},
        {__LINE__, "form with an empty pair", CT_FORM, "&data=%7B%22n%22%3A1%7D&", UP_OK,
         "{\"n\":1}"},
        {__LINE__, "raw line break inside the envelope string", CT_JSON,
         "{\"data\": \"{\n\\\"n\\\": 1}\"}", UP_OK, "{\"n\":1}"},
        {__LINE__, "no content type", NULL, "{}", UP_ERR_MEDIA_TYPE, NULL},
        {__LINE__, "text/plain", "text/plain", "{}", UP_ERR_MEDIA_TYPE, NULL},
        {__LINE__, "empty JSON body", CT_JSON, NULL, UP_ERR_BAD_DATA, NULL},
        {__LINE__, "body not JSON", CT_JSON, "{\"data\": ", UP_ERR_BAD_JSON, NULL},
        {__LINE__, "data string not JSON", CT_JSON, "{\"data\": \"{x}\"}", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "data string of an array", CT_JSON, "{\"data\": \"[]\"}", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "another member", CT_JSON, "{\"data\": {}, \"x\": 1}", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "data twice", CT_JSON, "{\"data\": {}, \"data\": {}}", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "envelope too deep", CT_JSON, "{\"data\": {\"a\": [[[[[[[[1]]]]]]]]}}",
         UP_ERR_LIMIT, NULL},
        {__LINE__, "form without data", CT_FORM, "x=1", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "form data twice", CT_FORM, "data=%7B%7D&data=%7B%7D", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "form with a bad escape", CT_FORM, "data=%7B%ZZ", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "form with an encoded NUL", CT_FORM, "data=%7B%00%7D", UP_ERR_BAD_DATA, NULL},
        {__LINE__, "form: unexpected non-ASCII name is cut on a boundary", CT_FORM,
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\xc3\xa9=1&data=%7B%7D", UP_ERR_BAD_DATA,
         NULL},
        {__LINE__, "form: invalid UTF-8 in a name", CT_FORM, "\xff\xfe=1&data=%7B%7D",
         UP_ERR_BAD_DATA, NULL},
};

START_TEST(test_decode_cases)
{
	const struct decode_case *c = &decode_cases[_i];
	struct up_request req;
	char msg[160] = "";
	cJSON *out = (cJSON *)1;
	enum up_err rc;

	memset(&req, 0, sizeof(req));
	req.content_type = (char *)c->ctype;
	req.body = (char *)c->body;
	req.body_len = c->body != NULL ? strlen(c->body) : 0;
	rc = da_decode(&req, 8, &out, msg, sizeof(msg));
	ck_assert_msg(rc == c->want, "line %d (%s): %d (%s)", c->line, c->desc, rc, msg);
	if (rc != UP_OK) {
		ck_assert_ptr_null(out);
		ck_assert_msg(msg[0] != '\0', "line %d (%s): no sentence", c->line, c->desc);
		ck_assert_msg(up_utf8_valid(msg, strlen(msg)), "line %d (%s): message not UTF-8",
		              c->line, c->desc);
	} else {
		char *text = up_json_print(out);

		ck_assert_msg(strcmp(text, c->data) == 0, "line %d (%s): %s", c->line, c->desc,
		              text);
		free(text);
		up_json_wipe_delete(out);
	}
}
END_TEST

/*
 * cJSON allocation hooks that look at every block before it is freed: a
 * block still holding the password is counted.
 */
#define SECRET "pw-4c7f1e9a-secret"

static size_t blocks_with_secret, blocks_freed;

static void *hook_malloc(size_t n)
{
	/* a size header in front, so the free hook knows what to scan */
	size_t *p = malloc(sizeof(size_t) + n);

	if (p == NULL)
		return NULL;
	*p = n;
	return p + 1;
}

static void hook_free(void *q)
{
	size_t *p, n;

	if (q == NULL)
		return;
	p = (size_t *)q - 1;
	n = *p;
	blocks_freed++;
	if (n >= strlen(SECRET) && memmem(q, n, SECRET, strlen(SECRET)) != NULL)
		blocks_with_secret++;
	free(p);
}

struct wipe_case {
	int line;
	const char *desc, *ctype, *body;
};

static const struct wipe_case wipe_cases[] = {
        {__LINE__, "data as a string", CT_JSON,
         "{\"data\": \"{\\\"username\\\": \\\"a\\\", \\\"password\\\": \\\"" SECRET "\\\"}\"}"},
        {__LINE__, "data as an object", CT_JSON,
         "{\"data\": {\"username\": \"a\", \"password\": \"" SECRET "\"}}"},
        {__LINE__, "form encoded", CT_FORM,
         "data=%7B%22username%22%3A%22a%22%2C%22password%22%3A%22" SECRET "%22%7D"},
        {__LINE__, "refused for another member after data", CT_JSON,
         "{\"data\": {\"password\": \"" SECRET "\"}, \"x\": 1}"},
        {__LINE__, "data holding an array with the password", CT_JSON,
         "{\"data\": \"[\\\"" SECRET "\\\"]\"}"},
};

/* Decode, validate and free as the handler does: no freed cJSON block holds the password. */
START_TEST(test_password_wiped)
{
	const struct wipe_case *c = &wipe_cases[_i];
	cJSON_Hooks hooks = {hook_malloc, hook_free};
	struct up_request req;
	struct da_input in;
	struct up_error e = {0};
	cJSON *data = NULL;
	char msg[160];

	cJSON_InitHooks(&hooks);
	blocks_with_secret = blocks_freed = 0;
	memset(&req, 0, sizeof(req));
	req.content_type = (char *)c->ctype;
	req.body = (char *)c->body;
	req.body_len = strlen(c->body);
	if (da_decode(&req, 8, &data, msg, sizeof(msg)) == UP_OK) {
		(void)da_input_parse(data, UP_DEVICE_FORMAT, &in, &e);
		da_input_free(&in);
		up_error_reset(&e);
	}
	up_json_wipe_delete(data);
	cJSON_InitHooks(NULL);
	ck_assert_msg(blocks_freed > 0, "line %d (%s): the hooks saw nothing", c->line, c->desc);
	ck_assert_msg(blocks_with_secret == 0,
	              "line %d (%s): %zu freed blocks still held the password", c->line, c->desc,
	              blocks_with_secret);
}
END_TEST

/* The check above can fail: a plain cJSON_Delete leaves the password in the freed block. */
START_TEST(test_hooks_see_a_password)
{
	cJSON_Hooks hooks = {hook_malloc, hook_free};
	cJSON *v;

	cJSON_InitHooks(&hooks);
	blocks_with_secret = blocks_freed = 0;
	v = cJSON_CreateString(SECRET);
	cJSON_Delete(v);
	cJSON_InitHooks(NULL);
	ck_assert_uint_eq(blocks_with_secret, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_decode");
	TCase *tc = tcase_create("decode");

	if (sodium_init() < 0)
		return 1;
	tcase_add_loop_test(tc, test_decode_cases, 0,
	                    sizeof(decode_cases) / sizeof(decode_cases[0]));
	tcase_add_loop_test(tc, test_password_wiped, 0, sizeof(wipe_cases) / sizeof(wipe_cases[0]));
	tcase_add_test(tc, test_hooks_see_a_password);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
