/* SPDX-License-Identifier: ISC */
/*
 * test_webhook_sign.c: Standard Webhooks signatures (no database): the
 * specification's own example, what changes the signature, malformed
 * secrets, and secrets we make.
 */
#include <string.h>
#include <check.h>
#include <sodium.h>
#include "testutil.h"
#include "webhook_sign.h"

#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS 1614265330
#define SPEC_BODY "{\"test\": 2432232314}"
#define SPEC_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

struct sign_case {
	int line;
	const char *desc;
	const char *secret, *id;
	uint64_t ts;
	const char *body;
	enum up_err rc;
	int spec_sig; /* 1: the signature is SPEC_SIG, 0: another one (or none) */
};

static const struct sign_case cases[] = {
        {__LINE__, "the specification's example", SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, UP_OK,
         1},
        {__LINE__, "another body", SPEC_SECRET, SPEC_ID, SPEC_TS, "{\"test\": 2432232315}", UP_OK,
         0},
        {__LINE__, "another timestamp", SPEC_SECRET, SPEC_ID, SPEC_TS + 1, SPEC_BODY, UP_OK, 0},
        {__LINE__, "another id", SPEC_SECRET, "msg_other", SPEC_TS, SPEC_BODY, UP_OK, 0},
        {__LINE__, "another key", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", SPEC_ID, SPEC_TS,
         SPEC_BODY, UP_OK, 0},
        {__LINE__, "no whsec_ prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SPEC_ID, SPEC_TS,
         SPEC_BODY, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "not base64", "whsec_not base64!", SPEC_ID, SPEC_TS, SPEC_BODY,
         UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "an empty key", "whsec_", SPEC_ID, SPEC_TS, SPEC_BODY, UP_ERR_BAD_REQUEST, 0},
        {__LINE__, "a key longer than 64 bytes",
         "whsec_"
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAA",
         SPEC_ID, SPEC_TS, SPEC_BODY, UP_ERR_BAD_REQUEST, 0},
};

START_TEST(test_sign)
{
	const struct sign_case *c = &cases[_i];
	char sig[UP_WHSIG_LEN];
	enum up_err rc;

	rc = up_webhook_sign(c->secret, c->id, c->ts, c->body, strlen(c->body), sig);
	ck_assert_msg(rc == c->rc, "line %d (%s): rc %d", c->line, c->desc, rc);
	ck_assert_msg((strcmp(sig, SPEC_SIG) == 0) == c->spec_sig, "line %d (%s): %s", c->line,
	              c->desc, sig);
	if (rc == UP_OK)
		ck_assert_msg(strncmp(sig, "v1,", 3) == 0 && strlen(sig) == 47, "line %d (%s): %s",
		              c->line, c->desc, sig);
	else
		ck_assert_str_eq(sig, "");
	/* verify agrees with sign: the spec's signature is accepted only where it is the one */
	ck_assert_int_eq(
	        up_webhook_verify(c->secret, c->id, c->ts, c->body, strlen(c->body), SPEC_SIG),
	        c->spec_sig);
}
END_TEST

START_TEST(test_verify_refuses)
{
	const char *b = SPEC_BODY;

	ck_assert_int_eq(up_webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS, b, strlen(b), SPEC_SIG),
	                 1);
	ck_assert_int_eq(up_webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS, b, strlen(b),
	                                   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"),
	                 0);
	ck_assert_int_eq(up_webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS, b, strlen(b),
	                                   "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
	                 0);
	ck_assert_int_eq(up_webhook_verify(SPEC_SECRET, SPEC_ID, SPEC_TS, b, strlen(b), NULL), 0);
}
END_TEST

START_TEST(test_secret_new)
{
	char a[UP_WHSEC_LEN], b[UP_WHSEC_LEN], sig[UP_WHSIG_LEN];

	up_webhook_secret_new(a);
	up_webhook_secret_new(b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, "whsec_", 6), 0);
	/* 32 bytes: 44 base64 characters */
	ck_assert_uint_eq(strlen(a), 6 + 44);
	ck_assert_int_eq(up_webhook_sign(a, "msg_1", 1, "{}", 2, sig), UP_OK);
	ck_assert_int_eq(up_webhook_verify(a, "msg_1", 1, "{}", 2, sig), 1);
	ck_assert_int_eq(up_webhook_verify(b, "msg_1", 1, "{}", 2, sig), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhook_sign");
	TCase *t = tcase_create("webhook_sign");

	tcase_add_loop_test(t, test_sign, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(t, test_verify_refuses);
	tcase_add_test(t, test_secret_new);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return tu_run(suite());
}
