/* SPDX-License-Identifier: ISC */
/*
 * secret.h: a secret a write sets (a password), stored as its argon2id
 * hash, and argon2id never run inside a transaction (it takes tenths of a
 * second; a row stays locked meanwhile).  Both the generic write pipeline
 * (family_write.c) and the device-app upsert use it:
 *
 *   before the transaction   up_secret_prehash() the plaintext the request
 *                            most likely sets (optional);
 *   inside it                up_secret_judge() says what to store: the hash
 *                            made before, nothing (the plaintext verifies
 *                            against the stored hash), or "later": the
 *                            transaction then writes nothing and ends;
 *   around it                up_secret_transaction() runs the transaction,
 *                            and when it met a secret to judge later, hashes
 *                            or verifies with no transaction open and runs it
 *                            again.
 *
 * What was hashed and verified is remembered by a digest of the plaintext,
 * so a run again costs no argon2id for a secret already judged.
 */
#ifndef UP_SECRET_H
#define UP_SECRET_H

#include <sodium.h>
#include "config.h"
#include "db.h"
#include "errors.h"
#include "password.h"

/* Runs of the transaction up_secret_transaction() allows (the plaintext changes rarely twice). */
#define UP_SECRET_ROUNDS 3

struct up_secret {
	/* the plaintext last hashed (its digest) and its hash */
	unsigned char hashed_key[crypto_generichash_BYTES];
	char hash[UP_PASSWORD_HASH_LEN];
	int hashed;
	/* the plaintext last verified (its digest), the stored hash it was verified against,
	 * and the verdict */
	unsigned char verified_key[crypto_generichash_BYTES];
	char verified_against[UP_PASSWORD_HASH_LEN];
	int verified, same;
	/* met by the last run and left for later: the plaintext (owned, wiped) and the
	 * stored hash to verify it against ("" for none) */
	char *later;
	char later_stored[UP_PASSWORD_HASH_LEN];
};

enum up_secret_verdict {
	UP_SECRET_NEW,   /* store s->hash, the hash of the plaintext */
	UP_SECRET_SAME,  /* the plaintext verifies against the stored hash: nothing changes */
	UP_SECRET_LATER, /* not judged yet: write nothing, end the transaction */
};

/*
 * A secret given already hashed (an import of an "$argon2id$..." string,
 * borrowed): the write stores it as it is, as if it were the hash of itself.
 * UP_ERR_VALIDATION when it is not an argon2id string that fits.
 */
enum up_err up_secret_keep_hash(struct up_secret *s, const char *hash);

/* Outside a transaction: hash plain (borrowed) now, unless it was already. */
enum up_err up_secret_prehash(struct up_secret *s, const struct up_config *cfg, const char *plain);

/*
 * Inside a transaction: what to store for plain (borrowed), given the stored
 * hash (borrowed; NULL: none, or a secret that is never compared, which is
 * then always a change).  UP_ERR_NOMEM, or UP_OK with *v set.
 */
enum up_err up_secret_judge(struct up_secret *s, const char *plain, const char *stored,
                            enum up_secret_verdict *v);

/*
 * Run fn(db, arg) as one transaction (up_db_transaction).  When fn met a
 * secret to judge later (it returned UP_OK having written nothing), judge it
 * here and run fn again, at most UP_SECRET_ROUNDS times in all.  Returns
 * fn's outcome.
 */
enum up_err up_secret_transaction(struct up_db *db, const struct up_config *cfg,
                                  struct up_secret *s, up_db_txn_fn fn, void *arg);

/* 1 if the last run of the transaction left a secret for later. */
int up_secret_pending(const struct up_secret *s);

/* Wipe and free everything s holds; s is zeroed. */
void up_secret_wipe(struct up_secret *s);

#endif
