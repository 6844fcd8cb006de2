/* SPDX-License-Identifier: ISC */
/* secret.c: a secret hashed or verified outside the transaction (see secret.h). */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "secret.h"

static void digest(unsigned char key[crypto_generichash_BYTES], const char *plain)
{
	crypto_generichash(key, crypto_generichash_BYTES, (const unsigned char *)plain,
	                   strlen(plain), NULL, 0);
}

enum up_err up_secret_keep_hash(struct up_secret *s, const char *hash)
{
	size_t n = strlen(hash);

	if (strncmp(hash, "$argon2id$", 10) != 0 || n >= sizeof(s->hash) ||
	    strspn(hash, "$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=,") !=
	            n)
		return UP_ERR_VALIDATION;
	digest(s->hashed_key, hash);
	memcpy(s->hash, hash, n + 1);
	s->hashed = 1;
	return UP_OK;
}

enum up_err up_secret_prehash(struct up_secret *s, const struct up_config *cfg, const char *plain)
{
	unsigned char key[crypto_generichash_BYTES];
	enum up_err rc;

	digest(key, plain);
	if (s->hashed && sodium_memcmp(key, s->hashed_key, sizeof(key)) == 0)
		return UP_OK;
	rc = up_password_hash(cfg, plain, strlen(plain), s->hash);
	s->hashed = rc == UP_OK;
	if (rc == UP_OK)
		memcpy(s->hashed_key, key, sizeof(key));
	return rc;
}

/* Leave plain (and the stored hash to verify it against) for after the transaction. */
static enum up_err leave(struct up_secret *s, const char *plain, const char *stored)
{
	if (s->later == NULL && (s->later = strdup(plain)) == NULL)
		return UP_ERR_NOMEM;
	s->later_stored[0] = '\0';
	if (stored != NULL && strlen(stored) < sizeof(s->later_stored))
		memcpy(s->later_stored, stored, strlen(stored) + 1);
	return UP_OK;
}

enum up_err up_secret_judge(struct up_secret *s, const char *plain, const char *stored,
                            enum up_secret_verdict *v)
{
	unsigned char key[crypto_generichash_BYTES];

	digest(key, plain);
	*v = UP_SECRET_LATER;
	if (stored != NULL) {
		/* Judged against this very hash already? */
		if (!s->verified || strcmp(s->verified_against, stored) != 0 ||
		    sodium_memcmp(key, s->verified_key, sizeof(key)) != 0)
			return leave(s, plain, stored);
		if (s->same) {
			*v = UP_SECRET_SAME;
			return UP_OK;
		}
	}
	if (!s->hashed || sodium_memcmp(key, s->hashed_key, sizeof(key)) != 0)
		return leave(s, plain, NULL);
	*v = UP_SECRET_NEW;
	return UP_OK;
}

/* With no transaction open: verify what was left against its stored hash, hash it if need be. */
static enum up_err resolve(struct up_secret *s, const struct up_config *cfg)
{
	enum up_err rc = UP_OK;
	size_t len = strlen(s->later);

	if (s->later_stored[0] != '\0') {
		s->same = up_password_verify(s->later_stored, s->later, len);
		s->verified = 1;
		digest(s->verified_key, s->later);
		memcpy(s->verified_against, s->later_stored, sizeof(s->verified_against));
	}
	if (!(s->later_stored[0] != '\0' && s->same))
		rc = up_secret_prehash(s, cfg, s->later);
	sodium_memzero(s->later, len);
	free(s->later);
	s->later = NULL;
	return rc;
}

/* One run of the transaction: what an earlier run (or attempt) left is forgotten first. */
struct run {
	struct up_secret *s;
	up_db_txn_fn fn;
	void *arg;
};

static enum up_err run_once(struct up_db *db, void *arg)
{
	struct run *r = arg;

	if (r->s->later != NULL) {
		sodium_memzero(r->s->later, strlen(r->s->later));
		free(r->s->later);
		r->s->later = NULL;
	}
	return r->fn(db, r->arg);
}

enum up_err up_secret_transaction(struct up_db *db, const struct up_config *cfg,
                                  struct up_secret *s, up_db_txn_fn fn, void *arg)
{
	struct run r = {s, fn, arg};
	enum up_err rc = UP_OK;
	int round;

	for (round = 0; round < UP_SECRET_ROUNDS && rc == UP_OK; round++) {
		rc = up_db_transaction(db, run_once, &r);
		if (rc != UP_OK || s->later == NULL)
			return rc;
		rc = resolve(s, cfg);
	}
	if (rc == UP_OK) {
		/* The secret changed under every run: give up rather than loop. */
		up_log(UP_LOG_ERROR, "a secret could not be judged in %d runs", UP_SECRET_ROUNDS);
		rc = UP_ERR_INTERNAL;
	}
	return rc;
}

int up_secret_pending(const struct up_secret *s)
{
	return s->later != NULL;
}

void up_secret_wipe(struct up_secret *s)
{
	if (s->later != NULL) {
		sodium_memzero(s->later, strlen(s->later));
		free(s->later);
	}
	sodium_memzero(s, sizeof(*s));
}
