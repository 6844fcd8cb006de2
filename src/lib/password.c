/* SPDX-License-Identifier: ISC */
/* password.c: argon2id hashing. */
#include "password.h"

enum up_err up_password_hash(const struct up_config *cfg, const char *pw, size_t len,
                             char out[UP_PASSWORD_HASH_LEN])
{
	if (crypto_pwhash_str_alg(out, pw, len, cfg->pwhash_opslimit, cfg->pwhash_memlimit,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return UP_ERR_NOMEM;
	return UP_OK;
}

int up_password_verify(const char *hash, const char *pw, size_t len)
{
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}
