/* SPDX-License-Identifier: ISC */
/* password.h: argon2id password hashing (libsodium crypto_pwhash_str). */
#ifndef UP_PASSWORD_H
#define UP_PASSWORD_H

#include <stddef.h>
#include <sodium.h>
#include "config.h"
#include "errors.h"

#define UP_PASSWORD_HASH_LEN crypto_pwhash_STRBYTES

/*
 * Hash len bytes of pw with the limits of cfg into out (NUL-terminated).
 * The caller wipes pw when done.  UP_ERR_NOMEM when the memory limit cannot
 * be had.
 */
enum up_err up_password_hash(const struct up_config *cfg, const char *pw, size_t len,
                             char out[UP_PASSWORD_HASH_LEN]);

/* 1 if pw matches the stored hash, else 0 (constant time in pw). */
int up_password_verify(const char *hash, const char *pw, size_t len);

#endif
