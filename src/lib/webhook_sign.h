/* SPDX-License-Identifier: ISC */
/*
 * webhook_sign.h: signing secrets and signatures of the Standard Webhooks
 * specification (https://www.standardwebhooks.com/): a secret is
 * "whsec_" + base64 of its key; a signature is "v1," + base64 of the
 * HMAC-SHA256, under that key, of "<webhook-id>.<webhook-timestamp>.<body>".
 */
#ifndef UP_WEBHOOK_SIGN_H
#define UP_WEBHOOK_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include "errors.h"

#define UP_WHSEC_PREFIX "whsec_"
#define UP_WHSEC_KEY_BYTES 32 /* the key of a secret we make */
#define UP_WHSEC_KEY_MAX 64   /* the longest key a secret may hold */
/* Room for a secret (prefix, base64 of UP_WHSEC_KEY_MAX bytes, NUL). */
#define UP_WHSEC_LEN 96
/* Room for a signature: "v1," + 44 base64 characters + NUL. */
#define UP_WHSIG_LEN 48

/* A new random secret into out (UP_WHSEC_LEN bytes). */
void up_webhook_secret_new(char out[UP_WHSEC_LEN]);

/*
 * The signature of a delivery into sig (UP_WHSIG_LEN bytes): secret is a
 * "whsec_..." text (borrowed), id the webhook-id, ts the
 * webhook-timestamp (seconds), body the n bytes sent.  UP_ERR_BAD_REQUEST
 * when secret is not a whsec_ secret with a key of 1 to UP_WHSEC_KEY_MAX
 * bytes; sig is then "".
 */
enum up_err up_webhook_sign(const char *secret, const char *id, uint64_t ts, const void *body,
                            size_t n, char sig[UP_WHSIG_LEN]);

/*
 * 1 if sig (borrowed) is the signature of the delivery, compared in
 * constant time; 0 otherwise (also for a malformed secret).
 */
int up_webhook_verify(const char *secret, const char *id, uint64_t ts, const void *body, size_t n,
                      const char *sig);

#endif
