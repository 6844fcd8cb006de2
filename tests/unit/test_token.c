/* SPDX-License-Identifier: ISC */
/* Unit tests: bearer token parsing, digests, scopes, constant-time compare. */
#include <check.h>
#include <string.h>
#include <sodium.h>
#include "auth.h"
#include "parse.h"
#include "testutil.h"

#define HEX64 "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"

struct token_case {
	int line;
	const char *desc, *header;
	enum up_err want;
};

static const struct token_case token_cases[] = {
        {__LINE__, "well formed", "Bearer " HEX64, UP_OK},
        {__LINE__, "scheme is case-insensitive", "bearer " HEX64, UP_OK},
        {__LINE__, "missing header", NULL, UP_ERR_UNAUTHORIZED},
        {__LINE__, "empty header", "", UP_ERR_UNAUTHORIZED},
        {__LINE__, "Basic scheme", "Basic dXNlcjpwYXNz", UP_ERR_UNAUTHORIZED},
        {__LINE__, "no token", "Bearer ", UP_ERR_UNAUTHORIZED},
        {__LINE__, "two spaces", "Bearer  " HEX64, UP_ERR_UNAUTHORIZED},
        {__LINE__, "one hex digit short", "Bearer " HEX64 "X", UP_ERR_UNAUTHORIZED},
        {__LINE__, "too short", "Bearer 0011", UP_ERR_UNAUTHORIZED},
        {__LINE__, "too long", "Bearer " HEX64 "00", UP_ERR_UNAUTHORIZED},
        {__LINE__, "not hex",
         "Bearer 0011223344556677889zaabbccddeeff00112233445566778899aabbccddeeff",
         UP_ERR_UNAUTHORIZED},
        {__LINE__, "trailing space", "Bearer " HEX64 " ", UP_ERR_UNAUTHORIZED},
        {__LINE__, "no space after scheme", "Bearer" HEX64, UP_ERR_UNAUTHORIZED},
};

START_TEST(test_token_cases)
{
	const struct token_case *c = &token_cases[_i];
	unsigned char raw[UP_TOKEN_BYTES];

	ck_assert_msg(up_token_parse(c->header, raw) == c->want, "line %d (%s)", c->line, c->desc);
	if (c->want == UP_OK)
		ck_assert_int_eq(raw[1], 0x11);
}
END_TEST

START_TEST(test_token_generate_roundtrip)
{
	unsigned char digest[UP_DIGEST_BYTES], raw[UP_TOKEN_BYTES], again[UP_DIGEST_BYTES];
	char text[UP_TOKEN_HEX + 1], header[80], other[UP_TOKEN_HEX + 1];

	up_token_generate(text, digest);
	ck_assert_uint_eq(strlen(text), UP_TOKEN_HEX);
	snprintf(header, sizeof(header), "Bearer %s", text);
	ck_assert_int_eq(up_token_parse(header, raw), UP_OK);
	up_token_digest(raw, again);
	ck_assert(up_memeq_const_time(digest, again, sizeof(digest)));
	/* Two tokens differ, and so do their digests. */
	up_token_generate(other, again);
	ck_assert_str_ne(text, other);
	ck_assert(!up_memeq_const_time(digest, again, sizeof(digest)));
}
END_TEST

struct scope_case {
	int line;
	const char *desc, *list;
	enum up_err want;
	unsigned mask;
	const char *canon;
};

static const struct scope_case scope_cases[] = {
        {__LINE__, "one", "users:read", UP_OK, UP_SCOPE_USERS_READ, "users:read"},
        {__LINE__, "comma list", "users:write,users:read", UP_OK,
         UP_SCOPE_USERS_READ | UP_SCOPE_USERS_WRITE, "users:read users:write"},
        {__LINE__, "space list", "device_app_user:write users:read", UP_OK,
         UP_SCOPE_USERS_READ | UP_SCOPE_DEVICE_APP_WRITE, "users:read device_app_user:write"},
        {__LINE__, "users and device app", "users:read,users:write,device_app_user:write", UP_OK,
         UP_SCOPE_USERS_READ | UP_SCOPE_USERS_WRITE | UP_SCOPE_DEVICE_APP_WRITE,
         "users:read users:write device_app_user:write"},
        {__LINE__, "devices", "devices:report,devices:read,devices:write", UP_OK,
         UP_SCOPE_DEVICES_READ | UP_SCOPE_DEVICES_WRITE | UP_SCOPE_DEVICES_REPORT,
         "devices:read devices:write devices:report"},
        {__LINE__, "groups", "groups:write,groups:read", UP_OK,
         UP_SCOPE_GROUPS_READ | UP_SCOPE_GROUPS_WRITE, "groups:read groups:write"},
        {__LINE__, "all",
         "users:read,users:write,device_app_user:write,groups:read,groups:write,devices:read,"
         "devices:write,devices:report,events:read,webhooks:write",
         UP_OK, UP_SCOPE_ALL,
         "users:read users:write device_app_user:write groups:read groups:write devices:read "
         "devices:write devices:report events:read webhooks:write"},
        {__LINE__, "webhooks", "webhooks:write", UP_OK, UP_SCOPE_WEBHOOKS_WRITE, "webhooks:write"},
        {__LINE__, "unknown", "users:admin", UP_ERR_BAD_REQUEST, 0, NULL},
        {__LINE__, "prefix of a scope", "users:rea", UP_ERR_BAD_REQUEST, 0, NULL},
        {__LINE__, "empty", "", UP_ERR_BAD_REQUEST, 0, NULL},
        {__LINE__, "only separators", " , ", UP_ERR_BAD_REQUEST, 0, NULL},
};

START_TEST(test_scope_cases)
{
	const struct scope_case *c = &scope_cases[_i];
	unsigned mask = 0;
	char canon[UP_SCOPES_TEXT_LEN];

	ck_assert_msg(up_scopes_parse(c->list, &mask) == c->want, "line %d (%s)", c->line, c->desc);
	if (c->want == UP_OK) {
		ck_assert_uint_eq(mask, c->mask);
		up_scopes_format(mask, canon, sizeof(canon));
		ck_assert_str_eq(canon, c->canon);
	}
}
END_TEST

struct num_case {
	int line;
	const char *desc, *text;
	uint64_t min, max;
	enum up_err want;
	uint64_t value;
};

static const struct num_case num_cases[] = {
        {__LINE__, "zero", "0", 0, 10, UP_OK, 0},
        {__LINE__, "max u64", "18446744073709551615", 0, UINT64_MAX, UP_OK, UINT64_MAX},
        {__LINE__, "overflow", "18446744073709551616", 0, UINT64_MAX, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "leading zero", "01", 0, 10, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "sign", "+1", 0, 10, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "space", " 1", 0, 10, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "below min", "0", 1, 10, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "above max", "11", 1, 10, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "empty", "", 0, 10, UP_ERR_BAD_REQUEST, 0},
};

START_TEST(test_num_cases)
{
	const struct num_case *c = &num_cases[_i];
	uint64_t v = 12345;

	ck_assert_msg(up_parse_u64(c->text, c->min, c->max, &v) == c->want, "line %d (%s)", c->line,
	              c->desc);
	if (c->want == UP_OK)
		ck_assert(v == c->value);
	else
		ck_assert(v == 12345);
}
END_TEST

/* up_parse_duration: the --older-than of the prunes. */
struct duration_case {
	int line;
	const char *desc, *text;
	enum up_err want;
	uint64_t seconds;
};

static const struct duration_case duration_cases[] = {
        {__LINE__, "days", "90d", UP_OK, 90 * 86400ULL},
        {__LINE__, "weeks", "12w", UP_OK, 12 * 7 * 86400ULL},
        {__LINE__, "hours", "36h", UP_OK, 36 * 3600ULL},
        {__LINE__, "a hundred years of days", "36600d", UP_OK, 36600 * 86400ULL},
        {__LINE__, "past a hundred years", "36601d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "past a hundred years of weeks", "5229w", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "zero", "0d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "no unit", "30", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "no number", "d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "months are not a unit (minutes?)", "3m", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "years are not a unit", "1y", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "upper-case unit", "3D", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "leading zero", "07d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "sign", "-7d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "space", "7 d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "two units", "1d2h", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "overflowing digits", "99999999999999999999999d", UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "empty", "", UP_ERR_BAD_REQUEST, 0},
};

START_TEST(test_duration_cases)
{
	const struct duration_case *c = &duration_cases[_i];
	uint64_t v = 12345;

	ck_assert_msg(up_parse_duration(c->text, &v) == c->want, "line %d (%s)", c->line, c->desc);
	ck_assert_msg(v == (c->want == UP_OK ? c->seconds : 12345), "line %d (%s): %llu", c->line,
	              c->desc, (unsigned long long)v);
}
END_TEST

/* The token as tracker apps give it (up_credential_bearer). */
#define APP (UP_CRED_BASIC | UP_CRED_KEY)
static const struct cred_case {
	int line;
	const char *desc, *header, *query;
	unsigned forms;
	enum up_err want;
	const char *out; /* the bearer value made, on UP_OK */
} cred_cases[] = {
        {__LINE__, "Bearer passes through", "Bearer " HEX64, "", APP, UP_OK, "Bearer " HEX64},
        {__LINE__, "Bearer where only Bearer is taken", "Bearer " HEX64, "a=1", 0, UP_OK,
         "Bearer " HEX64},
        {__LINE__, "Basic: the password is the token",
         "Basic "
         "amFuZTowMDExMjIzMzQ0NTU2Njc3ODg5OWFhYmJjY2RkZWVmZjAwMTEyMjMzNDQ1NTY2Nzc4ODk5QUFCQkNDRERFR"
         "UZG",
         "", APP, UP_OK, "Bearer " HEX64},
        {__LINE__, "Basic with an empty user name",
         "Basic "
         "OjAwMTEyMjMzNDQ1NTY2Nzc4ODk5YWFiYmNjZGRlZWZmMDAxMTIyMzM0NDU1NjY3Nzg4OTlBQUJCQ0NEREVFRkY=",
         "", APP, UP_OK, "Bearer " HEX64},
        {__LINE__, "Basic with a short password", "Basic amFuZTowMDEx", "", APP,
         UP_ERR_UNAUTHORIZED, NULL},
        {__LINE__, "Basic that is not base64", "Basic !!!", "", APP, UP_ERR_UNAUTHORIZED, NULL},
        {__LINE__, "Basic where it is not taken: passed on, the token check refuses it",
         "Basic amFuZTowMDEx", "", 0, UP_OK, "Basic amFuZTowMDEx"},
        {__LINE__, "key in the query", NULL, "id=1&key=" HEX64, APP, UP_OK, "Bearer " HEX64},
        {__LINE__, "key too short", NULL, "key=0011", APP, UP_ERR_UNAUTHORIZED, NULL},
        {__LINE__, "key refused where it is not taken", NULL, "key=" HEX64, 0, UP_ERR_BAD_REQUEST,
         NULL},
        {__LINE__, "key refused even beside a Bearer header", "Bearer " HEX64, "key=x", 0,
         UP_ERR_BAD_REQUEST, NULL},
        {__LINE__, "a header longer than any token is not cut into one",
         "Bearer " HEX64 "0000000000000000", "", APP, UP_ERR_UNAUTHORIZED, NULL},
        {__LINE__, "nothing at all", NULL, "", APP, UP_ERR_UNAUTHORIZED, NULL},
};

START_TEST(test_cred_cases)
{
	const struct cred_case *c = &cred_cases[_i];
	char out[UP_BEARER_LEN];
	enum up_err rc = up_credential_bearer(c->header, c->query, c->forms, out);

	ck_assert_msg(rc == c->want, "line %d: %s: got %d, want %d", c->line, c->desc, rc, c->want);
	if (rc == UP_OK)
		ck_assert_msg(strcmp(out, c->out) == 0, "line %d: %s: '%s', want '%s'", c->line,
		              c->desc, out, c->out);
}
END_TEST

START_TEST(test_public_ids)
{
	uint64_t id = 0;

	ck_assert_int_eq(up_parse_public_id("usr-42", "usr-", &id), UP_OK);
	ck_assert(id == 42);
	ck_assert_int_eq(up_parse_public_id("usr-0", "usr-", &id), UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("usr-042", "usr-", &id), UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("usr-", "usr-", &id), UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("42", "usr-", &id), UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("dev-4", "usr-", &id), UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("usr-99999999999999999999", "usr-", &id),
	                 UP_ERR_NOT_FOUND);
	ck_assert_int_eq(up_parse_public_id("countries", "usr-", &id), UP_ERR_NOT_FOUND);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	if (sodium_init() < 0)
		return 99;
	tcase_add_loop_test(tc, test_token_cases, 0, sizeof(token_cases) / sizeof(token_cases[0]));
	tcase_add_test(tc, test_token_generate_roundtrip);
	tcase_add_loop_test(tc, test_scope_cases, 0, sizeof(scope_cases) / sizeof(scope_cases[0]));
	tcase_add_loop_test(tc, test_num_cases, 0, sizeof(num_cases) / sizeof(num_cases[0]));
	tcase_add_test(tc, test_public_ids);
	tcase_add_loop_test(tc, test_duration_cases, 0,
	                    sizeof(duration_cases) / sizeof(duration_cases[0]));
	tcase_add_loop_test(tc, test_cred_cases, 0, sizeof(cred_cases) / sizeof(cred_cases[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
