/* SPDX-License-Identifier: ISC */
/* webhook_sign.c: Standard Webhooks secrets and signatures (libsodium HMAC-SHA256). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "webhook_sign.h"

void up_webhook_secret_new(char out[UP_WHSEC_LEN])
{
	unsigned char key[UP_WHSEC_KEY_BYTES];
	size_t p = sizeof(UP_WHSEC_PREFIX) - 1;

	randombytes_buf(key, sizeof(key));
	memcpy(out, UP_WHSEC_PREFIX, p);
	sodium_bin2base64(out + p, UP_WHSEC_LEN - p, key, sizeof(key),
	                  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
}

/* The key of a whsec_ secret into key; its length, or 0 when secret is not one. */
static size_t secret_key(const char *secret, unsigned char key[UP_WHSEC_KEY_MAX])
{
	size_t p = sizeof(UP_WHSEC_PREFIX) - 1, n = 0;
	const char *end = NULL;

	if (secret == NULL || strncmp(secret, UP_WHSEC_PREFIX, p) != 0 ||
	    sodium_base642bin(key, UP_WHSEC_KEY_MAX, secret + p, strlen(secret + p), NULL, &n, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *end != '\0')
		return 0;
	return n;
}

enum up_err up_webhook_sign(const char *secret, const char *id, uint64_t ts, const void *body,
                            size_t n, char sig[UP_WHSIG_LEN])
{
	unsigned char key[UP_WHSEC_KEY_MAX], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char stamp[24];
	size_t klen = secret_key(secret, key);
	enum up_err rc = UP_ERR_BAD_REQUEST;

	sig[0] = '\0';
	if (klen == 0 || id == NULL)
		goto out;
	snprintf(stamp, sizeof(stamp), ".%llu.", (unsigned long long)ts);
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, body, n);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(sig, "v1,", 3);
	sodium_bin2base64(sig + 3, UP_WHSIG_LEN - 3, mac, sizeof(mac),
	                  sodium_base64_VARIANT_ORIGINAL);
	rc = UP_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	return rc;
}

int up_webhook_verify(const char *secret, const char *id, uint64_t ts, const void *body, size_t n,
                      const char *sig)
{
	char want[UP_WHSIG_LEN];

	if (sig == NULL || up_webhook_sign(secret, id, ts, body, n, want) != UP_OK ||
	    strlen(sig) != strlen(want))
		return 0;
	return sodium_memcmp(sig, want, strlen(want)) == 0;
}
