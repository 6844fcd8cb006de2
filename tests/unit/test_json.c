/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE /* memmem */
/* Unit tests: the strict JSON reader and the writer's escaping. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "json_patch.h"
#include "validate.h"
#include "testutil.h"

struct json_case {
	int line;
	const char *desc;
	const char *text;
	size_t len; /* 0: strlen */
	enum up_err want;
};

static const struct json_case json_cases[] = {
        {__LINE__, "object", "{\"a\":[1,2.5,-3e2,true,false,null,\"x\"]}", 0, UP_OK},
        {__LINE__, "white space around", " \n\t[] \r\n", 0, UP_OK},
        {__LINE__, "scalar document", "\"just a string\"", 0, UP_OK},
        {__LINE__, "escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", 0, UP_OK},
        {__LINE__, "UTF-8 text", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", 0, UP_OK},
        {__LINE__, "empty input", "", 0, UP_ERR_BAD_JSON},
        {__LINE__, "trailing garbage", "{} x", 0, UP_ERR_BAD_JSON},
        {__LINE__, "two values", "{}{}", 0, UP_ERR_BAD_JSON},
        {__LINE__, "trailing comma in array", "[1,]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "trailing comma in object", "{\"a\":1,}", 0, UP_ERR_BAD_JSON},
        {__LINE__, "leading zero", "[01]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "bare fraction", "[.5]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "dot without digits", "[1.]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "plus sign", "[+1]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "exponent without digits", "[1e]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "single quotes", "{'a':1}", 0, UP_ERR_BAD_JSON},
        {__LINE__, "unquoted key", "{a:1}", 0, UP_ERR_BAD_JSON},
        {__LINE__, "raw control character in string", "\"a\tb\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "raw newline in string", "\"a\nb\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "bad escape", "\"\\x41\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "escaped NUL", "\"a\\u0000b\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "lone high surrogate", "\"\\ud83d\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "lone low surrogate", "\"\\ude00\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "invalid UTF-8 byte", "\"\xff\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "overlong UTF-8", "\"\xc0\xaf\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "UTF-8 surrogate", "\"\xed\xa0\x80\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "truncated UTF-8", "\"\xe2\x82\"", 0, UP_ERR_BAD_JSON},
        {__LINE__, "NUL byte in the text", "[1]\0", 4, UP_ERR_BAD_JSON},
        {__LINE__, "unterminated string", "\"abc", 0, UP_ERR_BAD_JSON},
        {__LINE__, "unterminated array", "[1,2", 0, UP_ERR_BAD_JSON},
        {__LINE__, "misspelt literal", "[tru]", 0, UP_ERR_BAD_JSON},
        {__LINE__, "depth at the limit (4)", "[[[[1]]]]", 0, UP_OK},
        {__LINE__, "depth over the limit (5)", "[[[[[1]]]]]", 0, UP_ERR_LIMIT},
        {__LINE__, "deep objects over the limit", "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}", 0,
         UP_ERR_LIMIT},
};

START_TEST(test_json_cases)
{
	const struct json_case *c = &json_cases[_i];
	size_t len = c->len != 0 ? c->len : strlen(c->text);
	cJSON *v = NULL;
	enum up_err rc = up_json_parse(c->text, len, 4, &v);

	ck_assert_msg(rc == c->want, "line %d (%s): got %d want %d", c->line, c->desc, rc, c->want);
	if (rc == UP_OK)
		ck_assert_ptr_nonnull(v);
	else
		ck_assert_ptr_null(v);
	cJSON_Delete(v);
}
END_TEST

struct esc_case {
	int line;
	const char *desc, *in, *out;
};

static const struct esc_case esc_cases[] = {
        {__LINE__, "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\""},
        {__LINE__, "control characters", "\n\r\t\b\f\x01", "\"\\n\\r\\t\\b\\f\\u0001\""},
        {__LINE__, "non-ASCII kept as UTF-8", "caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {__LINE__, "HTML stays data", "</script>", "\"</script>\""},
};

START_TEST(test_writer_escaping)
{
	const struct esc_case *c = &esc_cases[_i];
	cJSON *s = cJSON_CreateString(c->in), *back = NULL;
	char *text = up_json_print(s);

	ck_assert_msg(text != NULL && strcmp(text, c->out) == 0, "line %d (%s): %s", c->line,
	              c->desc, text);
	/* What we write, our strict reader reads back to the same string. */
	ck_assert_int_eq(up_json_parse(text, strlen(text), 4, &back), UP_OK);
	ck_assert_str_eq(back->valuestring, c->in);
	cJSON_Delete(back);
	cJSON_Delete(s);
	free(text);
}
END_TEST

struct lenient_case {
	int line;
	const char *desc, *text;
	enum up_err strict, lenient;
};

static const struct lenient_case lenient_cases[] = {
        {__LINE__, "raw LF, CR and TAB in a string", "{\"data\": \"{\n\\\"a\\\": 1\r\n}\t\"}",
         UP_ERR_BAD_JSON, UP_OK},
        {__LINE__, "other control characters stay refused", "[\"a\x01b\"]", UP_ERR_BAD_JSON,
         UP_ERR_BAD_JSON},
        {__LINE__, "raw newline outside strings is white space anyway", "[1,\n2]", UP_OK, UP_OK},
        {__LINE__, "grammar stays strict", "[1,]", UP_ERR_BAD_JSON, UP_ERR_BAD_JSON},
};

START_TEST(test_lenient_cases)
{
	const struct lenient_case *c = &lenient_cases[_i];
	cJSON *v = NULL;
	size_t where = SIZE_MAX, where_v = 0;

	ck_assert_msg(up_json_parse(c->text, strlen(c->text), 8, &v) == c->strict, "line %d (%s)",
	              c->line, c->desc);
	cJSON_Delete(v);
	v = NULL;
	ck_assert_msg(up_json_parse_opts(c->text, strlen(c->text), 8, UP_JSON_RAW_WS_IN_STRINGS,
	                                 &where, &v) == c->lenient,
	              "line %d (%s): lenient", c->line, c->desc);
	/* parse_opts reports the offending byte where validate_opts does. */
	ck_assert_int_eq(up_json_validate_opts(c->text, strlen(c->text), 8,
	                                       UP_JSON_RAW_WS_IN_STRINGS, &where_v),
	                 c->lenient);
	if (c->lenient != UP_OK)
		ck_assert_msg(where == where_v, "line %d (%s): where %zu, validate says %zu",
		              c->line, c->desc, where, where_v);
	if (c->lenient == UP_OK && c->line == lenient_cases[0].line)
		ck_assert_str_eq(cJSON_GetObjectItem(v, "data")->valuestring, "{\n\"a\": 1\r\n}\t");
	cJSON_Delete(v);
}
END_TEST

START_TEST(test_depth_and_length)
{
	cJSON *v = NULL;

	ck_assert_int_eq(up_json_parse("[[1],{\"a\":[2]}]", 15, 8, &v), UP_OK);
	ck_assert_uint_eq(up_json_depth(v), 3);
	cJSON_Delete(v);
	ck_assert_uint_eq(up_utf8_length("caf\xc3\xa9"), 4);
	ck_assert(up_utf8_valid("ok", 2));
	ck_assert(!up_utf8_valid("a\0b", 3));
}
END_TEST

struct email_case {
	int line;
	const char *desc, *s;
	int ok;
};

static const struct email_case email_cases[] = {
        {__LINE__, "plain", "john.smith@example.com", 1},
        {__LINE__, "plus and subdomain", "a+b@mail.example.co", 1},
        {__LINE__, "no at", "john.example.com", 0},
        {__LINE__, "two ats", "a@b@example.com", 0},
        {__LINE__, "no domain dot", "a@localhost", 0},
        {__LINE__, "empty local", "@example.com", 0},
        {__LINE__, "space", "a b@example.com", 0},
        {__LINE__, "double dot", "a..b@example.com", 0},
        {__LINE__, "label starts with dash", "a@-x.com", 0},
        {__LINE__, "empty label", "a@x..com", 0},
        {__LINE__, "local part too long",
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", 0},
};

START_TEST(test_email_cases)
{
	const struct email_case *c = &email_cases[_i];

	ck_assert_msg(up_valid_email(c->s) == c->ok, "line %d (%s)", c->line, c->desc);
}
END_TEST

struct time_case {
	int line;
	const char *desc, *s, *sql;
};

static const struct time_case time_cases[] = {
        {__LINE__, "UTC", "2023-01-01T00:00:00Z", "2023-01-01 00:00:00.000000"},
        {__LINE__, "fraction", "2023-01-01T00:00:00.5Z", "2023-01-01 00:00:00.500000"},
        {__LINE__, "offset to UTC", "2023-01-01T00:30:00+01:00", "2022-12-31 23:30:00.000000"},
        {__LINE__, "negative offset", "2024-02-29T23:00:00-05:00", "2024-03-01 04:00:00.000000"},
        {__LINE__, "lower-case t and z", "2023-06-01t10:00:00z", "2023-06-01 10:00:00.000000"},
        {__LINE__, "no zone", "2023-01-01T00:00:00", NULL},
        {__LINE__, "date only", "2023-01-01", NULL},
        {__LINE__, "bad month", "2023-13-01T00:00:00Z", NULL},
        {__LINE__, "Feb 29 in a common year", "2023-02-29T00:00:00Z", NULL},
        {__LINE__, "hour 24", "2023-01-01T24:00:00Z", NULL},
        {__LINE__, "leap second", "2016-12-31T23:59:60Z", NULL},
        {__LINE__, "empty fraction", "2023-01-01T00:00:00.Z", NULL},
        {__LINE__, "trailing text", "2023-01-01T00:00:00Zx", NULL},
};

START_TEST(test_time_cases)
{
	const struct time_case *c = &time_cases[_i];
	char sql[32] = "";
	int ok = up_valid_rfc3339(c->s, sql, sizeof(sql));

	ck_assert_msg(ok == (c->sql != NULL), "line %d (%s)", c->line, c->desc);
	if (ok)
		ck_assert_str_eq(sql, c->sql);
}
END_TEST

struct cut_case {
	int line;
	const char *desc, *s;
	size_t max, want;
};

static const struct cut_case cut_cases[] = {
        {__LINE__, "ASCII shorter than the cap", "abc", 8, 3},
        {__LINE__, "ASCII cut at the cap", "abcdef", 4, 4},
        {__LINE__, "cap inside a 2-byte character", "ab\xc3\xa9", 3, 2},
        {__LINE__, "cap right after a 2-byte character", "ab\xc3\xa9z", 4, 4},
        {__LINE__, "cap inside a 3-byte character (first byte)", "\xe2\x82\xac", 1, 0},
        {__LINE__, "cap inside a 3-byte character (second byte)", "a\xe2\x82\xac", 3, 1},
        {__LINE__, "cap inside a 4-byte character", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7, 4},
        {__LINE__, "whole 4-byte characters", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8, 8},
        {__LINE__, "a truncated sequence at the end is dropped", "ok\xe2\x82", 16, 2},
        {__LINE__, "an invalid byte ends the prefix", "ok\xffmore", 16, 2},
        {__LINE__, "cap 0", "abc", 0, 0},
};

START_TEST(test_cut_cases)
{
	const struct cut_case *c = &cut_cases[_i];
	size_t n = up_utf8_prefix(c->s, c->max);

	ck_assert_msg(n == c->want, "line %d (%s): %zu", c->line, c->desc, n);
	ck_assert_msg(up_utf8_valid(c->s, n), "line %d (%s): not valid", c->line, c->desc);
}
END_TEST

/* A details reason that vsnprintf truncates is still valid UTF-8. */
START_TEST(test_details_cut)
{
	char big[600];
	struct up_error e = {0};
	const char *reason;
	size_t i, n;

	/* "x" then many 3-byte euro signs: the 256-byte buffer ends inside one for some offset */
	for (i = 0; i < 3; i++) {
		size_t k;

		memset(big, 0, sizeof(big));
		memset(big, 'x', i + 1);
		for (k = i + 1; k + 3 < sizeof(big) - 1; k += 3)
			memcpy(big + k, "\xe2\x82\xac", 3);
		ck_assert_ptr_nonnull(up_error_detail(&e, "f", "%s", big));
		reason = cJSON_GetObjectItem(cJSON_GetArrayItem(e.details, (int)i), "reason")
		                 ->valuestring;
		n = strlen(reason);
		ck_assert_msg(n > 200 && up_utf8_valid(reason, n),
		              "offset %zu: cut inside a character", i);
	}
	up_error_reset(&e);
}
END_TEST

/* 490 characters: longer than the writer's first buffer. */
#define DIGITS70 "0123456789012345678901234567890123456789012345678901234567890123456789"
#define LONG_STRING DIGITS70 DIGITS70 DIGITS70 DIGITS70 DIGITS70 DIGITS70 DIGITS70

struct print_case {
	int line;
	const char *desc, *in, *out;
};

static const struct print_case print_cases[] = {
        {__LINE__, "2^53 - 1 is printed whole (cJSON alone gives 9.00719925474099e+15)",
         "[9007199254740991]", "[9007199254740991]"},
        {__LINE__, "16 significant digits", "{\"a\":1234567890123456}", "{\"a\":1234567890123456}"},
        {__LINE__, "17 significant digits", "[0.30000000000000004]", "[0.30000000000000004]"},
        {__LINE__, "short numbers stay short", "[0.1,1,-2.5,1e+300]", "[0.1,1,-2.5,1e+300]"},
        {__LINE__, "nested", "{\"a\":[{\"b\":-9007199254740991}]}",
         "{\"a\":[{\"b\":-9007199254740991}]}"},
        {__LINE__, "integers written digit by digit", "[0,7,-7,42,100000,999999999999999]",
         "[0,7,-7,42,100000,999999999999999]"},
        {__LINE__, "negative zero as cJSON writes it", "[-0]", "[-0]"},
        {__LINE__, "10^15 and beyond in exponent form", "[1000000000000000,1e20]", "[1e+15,1e+20]"},
        {__LINE__, "tiny fractions", "[1e-7,-0.000125]", "[1e-07,-0.000125]"},
        {__LINE__, "literals, empty containers",
         "{\"t\":true,\"f\":false,\"n\":null,"
         "\"o\":{},\"a\":[]}",
         "{\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"a\":[]}"},
        {__LINE__, "member names are escaped", "{\"a\\\"b\\n\":\"\\u001f\"}",
         "{\"a\\\"b\\n\":\"\\u001f\"}"},
        {__LINE__, "long text grows the buffer", "[\"" LONG_STRING "\"]", "[\"" LONG_STRING "\"]"},
};

START_TEST(test_print_cases)
{
	const struct print_case *c = &print_cases[_i];
	cJSON *v = NULL;
	char *text;

	ck_assert_int_eq(up_json_parse(c->in, strlen(c->in), 8, &v), UP_OK);
	text = up_json_print(v);
	ck_assert_msg(text != NULL && strcmp(text, c->out) == 0, "line %d (%s): %s", c->line,
	              c->desc, text != NULL ? text : "(null)");
	free(text);
	cJSON_Delete(v);
}
END_TEST

/* Where 15 digits are exact, the text is byte for byte what cJSON prints. */
static const char *const same_as_cjson[] = {
        "{\"success\":true,\"id\":\"usr-1\",\"name\":\"Ada \\\"the\\\" Countess\","
        "\"tags\":{\"a\":\"\\u0001\\t\"},\"privileges\":[],\"adminDevices\":0,\"apiUsage\":12345}",
        "[0.5,-0.25,3.14159,1e-07,123456789012345,-1,1e+300,2.5e-300]",
        "[\"caf\u00e9 \\u2028\",\"/\",\"\\\\\",null,true,false,{},[[]]]",
};

START_TEST(test_print_same_as_cjson)
{
	cJSON *v = NULL;
	char *ours, *theirs;

	ck_assert_int_eq(up_json_parse(same_as_cjson[_i], strlen(same_as_cjson[_i]), 8, &v), UP_OK);
	ours = up_json_print(v);
	theirs = cJSON_PrintUnformatted(v);
	ck_assert_ptr_nonnull(ours);
	ck_assert_ptr_nonnull(theirs);
	ck_assert_str_eq(ours, theirs);
	free(ours);
	free(theirs);
	cJSON_Delete(v);
}
END_TEST

struct space_case {
	int line;
	const char *desc, *s;
	int edge;
};

static const struct space_case space_cases[] = {
        {__LINE__, "plain", "crm-1", 0},
        {__LINE__, "inner space", "crm 1", 0},
        {__LINE__, "trailing space", "crm-1 ", 1},
        {__LINE__, "leading space", " crm-1", 1},
        {__LINE__, "trailing no-break space", "crm-1\xc2\xa0", 1},
        {__LINE__, "leading ideographic space", "\xe3\x80\x80x", 1},
        {__LINE__, "trailing BOM", "x\xef\xbb\xbf", 1},
        {__LINE__, "trailing thin space", "x\xe2\x80\x89", 1},
        {__LINE__, "non-space multibyte at the end", "caf\xc3\xa9", 0},
        {__LINE__, "empty", "", 0},
};

START_TEST(test_space_cases)
{
	const struct space_case *c = &space_cases[_i];

	ck_assert_msg(up_edge_space(c->s) == c->edge, "line %d (%s)", c->line, c->desc);
}
END_TEST

/* cJSON allocation hooks that count freed blocks still holding SECRET. */
#define SECRET "pw-9b1d44c2-secret"
static size_t held, freed;

static void *hook_malloc(size_t n)
{
	size_t *p = malloc(sizeof(size_t) + n);

	if (p == NULL)
		return NULL;
	*p = n;
	return p + 1;
}

static void hook_free(void *q)
{
	size_t *p;

	if (q == NULL)
		return;
	p = (size_t *)q - 1;
	freed++;
	if (*p >= strlen(SECRET) && memmem(q, *p, SECRET, strlen(SECRET)) != NULL)
		held++;
	free(p);
}

struct wipe_patch_case {
	int line;
	const char *desc, *doc, *patch;
	enum up_err want;
};

static const struct wipe_patch_case wipe_patch_cases[] = {
        {__LINE__, "a password set, then replaced (the first copy is freed by the engine)",
         "{\"name\":\"a\"}",
         "[{\"op\":\"add\",\"path\":\"/password\",\"value\":\"" SECRET "\"},"
         "{\"op\":\"replace\",\"path\":\"/password\",\"value\":\"x\"}]",
         UP_OK},
        {__LINE__, "a password set, then removed", "{}",
         "[{\"op\":\"add\",\"path\":\"/password\",\"value\":\"" SECRET "\"},"
         "{\"op\":\"remove\",\"path\":\"/password\"}]",
         UP_OK},
        {__LINE__, "a password set, then the patch fails (rolled back)", "{}",
         "[{\"op\":\"add\",\"path\":\"/password\",\"value\":\"" SECRET "\"},"
         "{\"op\":\"test\",\"path\":\"/nope\",\"value\":1}]",
         UP_ERR_PATH_NOT_FOUND},
        {__LINE__, "a password copied and moved", "{\"p\":\"" SECRET "\"}",
         "[{\"op\":\"copy\",\"from\":\"/p\",\"path\":\"/q\"},"
         "{\"op\":\"move\",\"from\":\"/q\",\"path\":\"/r\"},"
         "{\"op\":\"replace\",\"path\":\"/r\",\"value\":0}]",
         UP_OK},
};

/* The patch engine and up_json_wipe_delete leave no freed block holding the password. */
START_TEST(test_wipe_patch)
{
	const struct wipe_patch_case *c = &wipe_patch_cases[_i / 2];
	int in_place = _i % 2;
	const struct up_json_limits lim = {64, 256, 16, 4096};
	cJSON_Hooks hooks = {hook_malloc, hook_free};
	struct up_patch_error e;
	cJSON *doc = NULL, *patch = NULL;
	enum up_err rc;

	cJSON_InitHooks(&hooks);
	held = freed = 0;
	ck_assert_int_eq(up_json_parse(c->doc, strlen(c->doc), 8, &doc), UP_OK);
	ck_assert_int_eq(up_json_parse(c->patch, strlen(c->patch), 8, &patch), UP_OK);
	if (in_place) {
		rc = up_patch_apply(&doc, patch, &lim, &e);
	} else {
		cJSON *out = NULL;

		rc = up_patch_apply_to(doc, patch, &lim, &out, &e);
		up_json_wipe_delete(out);
	}
	up_json_wipe_delete(doc);
	up_json_wipe_delete(patch);
	cJSON_InitHooks(NULL);
	ck_assert_msg(rc == c->want, "line %d (%s): %d", c->line, c->desc, rc);
	ck_assert_msg(freed > 0, "line %d: the hooks saw nothing", c->line);
	ck_assert_msg(held == 0, "line %d (%s), in place %d: %zu freed blocks held the password",
	              c->line, c->desc, in_place, held);
}
END_TEST

/* The check can fail: cJSON_Delete alone leaves the password in freed memory. */
START_TEST(test_wipe_hooks_see)
{
	cJSON_Hooks hooks = {hook_malloc, hook_free};
	cJSON *v;

	cJSON_InitHooks(&hooks);
	held = freed = 0;
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "password", SECRET);
	cJSON_Delete(v);
	cJSON_InitHooks(NULL);
	ck_assert_uint_eq(held, 1);
	/* ... and up_json_wipe_delete leaves a reference's borrowed text alone. */
	{
		char borrowed[] = SECRET;

		v = cJSON_CreateObject();
		cJSON_AddItemToObject(v, "r", cJSON_CreateStringReference(borrowed));
		cJSON_AddItemToObjectCS(v, "constant", cJSON_CreateString("x"));
		up_json_wipe_delete(v);
		ck_assert_str_eq(borrowed, SECRET);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_json_cases, 0, sizeof(json_cases) / sizeof(json_cases[0]));
	tcase_add_loop_test(tc, test_writer_escaping, 0, sizeof(esc_cases) / sizeof(esc_cases[0]));
	tcase_add_loop_test(tc, test_lenient_cases, 0,
	                    sizeof(lenient_cases) / sizeof(lenient_cases[0]));
	tcase_add_test(tc, test_depth_and_length);
	tcase_add_loop_test(tc, test_email_cases, 0, sizeof(email_cases) / sizeof(email_cases[0]));
	tcase_add_loop_test(tc, test_time_cases, 0, sizeof(time_cases) / sizeof(time_cases[0]));
	tcase_add_loop_test(tc, test_cut_cases, 0, sizeof(cut_cases) / sizeof(cut_cases[0]));
	tcase_add_test(tc, test_details_cut);
	tcase_add_loop_test(tc, test_wipe_patch, 0,
	                    2 * (int)(sizeof(wipe_patch_cases) / sizeof(wipe_patch_cases[0])));
	tcase_add_test(tc, test_wipe_hooks_see);
	tcase_add_loop_test(tc, test_print_cases, 0, sizeof(print_cases) / sizeof(print_cases[0]));
	tcase_add_loop_test(tc, test_print_same_as_cjson, 0,
	                    sizeof(same_as_cjson) / sizeof(same_as_cjson[0]));
	tcase_add_loop_test(tc, test_space_cases, 0, sizeof(space_cases) / sizeof(space_cases[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
