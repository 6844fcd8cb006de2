/* SPDX-License-Identifier: ISC */
/*
 * test_secret.c: what secret.c tells a transaction to store for a
 * plaintext (no database): the hash made before the transaction, or
 * "later" whenever that would need argon2id under the transaction's locks.
 */
#include <string.h>

#include <check.h>

#include "password.h"
#include "secret.h"
#include "testutil.h"

struct judge_case {
	int line;
	const char *desc;
	const char *prehashed; /* hashed before the transaction, or NULL */
	const char *plain;     /* judged inside it */
	int stored;            /* a stored hash (of plain) to compare with */
	enum up_secret_verdict want;
};

static const struct judge_case cases[] = {
        {__LINE__, "nothing hashed before: left for later", NULL, "pw-one", 0, UP_SECRET_LATER},
        {__LINE__, "hashed before: its hash is stored", "pw-one", "pw-one", 0, UP_SECRET_NEW},
        {__LINE__, "another plaintext hashed before: left for later", "pw-one", "pw-two", 0,
         UP_SECRET_LATER},
        {__LINE__, "a stored hash to compare with, not verified yet: left for later", "pw-one",
         "pw-one", 1, UP_SECRET_LATER},
        {__LINE__, "the empty plaintext is a plaintext too", NULL, "", 0, UP_SECRET_LATER},
};

static struct up_config cfg;

static void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
	cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
}

START_TEST(test_judge)
{
	const struct judge_case *c = &cases[_i];
	char stored[UP_PASSWORD_HASH_LEN];
	struct up_secret s;
	enum up_secret_verdict v;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(up_password_hash(&cfg, c->plain, strlen(c->plain), stored), UP_OK);
	if (c->prehashed != NULL)
		ck_assert_int_eq(up_secret_prehash(&s, &cfg, c->prehashed), UP_OK);
	ck_assert_int_eq(up_secret_judge(&s, c->plain, c->stored ? stored : NULL, &v), UP_OK);
	ck_assert_msg(v == c->want, "line %d: %s: verdict %d", c->line, c->desc, (int)v);
	ck_assert_int_eq(up_secret_pending(&s), v == UP_SECRET_LATER);
	if (v == UP_SECRET_NEW)
		ck_assert_msg(up_password_verify(s.hash, c->plain, strlen(c->plain)),
		              "line %d: %s: the hash is not the plaintext's", c->line, c->desc);
	up_secret_wipe(&s);
	ck_assert_int_eq(up_secret_pending(&s), 0);
}
END_TEST

/* The same plaintext again costs no argon2id: the hash made first is kept. */
START_TEST(test_prehash_once)
{
	struct up_secret s;
	char first[UP_PASSWORD_HASH_LEN];

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(up_secret_prehash(&s, &cfg, "pw-one"), UP_OK);
	memcpy(first, s.hash, sizeof(first));
	ck_assert_int_eq(up_secret_prehash(&s, &cfg, "pw-one"), UP_OK);
	ck_assert_str_eq(s.hash, first); /* a new hash would have a new salt */
	ck_assert_int_eq(up_secret_prehash(&s, &cfg, "pw-two"), UP_OK);
	ck_assert_str_ne(s.hash, first);
	ck_assert(up_password_verify(s.hash, "pw-two", 6));
	up_secret_wipe(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("judge");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_judge, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_prehash_once);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
