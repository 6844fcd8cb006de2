/* SPDX-License-Identifier: ISC */
/*
 * auth.h: bearer tokens.  A token is 32 random bytes, shown once as 64 hex
 * digits; the database keeps only its BLAKE2b-256 digest and finds the token
 * by that digest.  Each token has a tenant, scopes, an optional daily quota
 * and may be revoked.
 */
#ifndef UP_AUTH_H
#define UP_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "errors.h"
#include "http.h"

#define UP_TOKEN_BYTES 32
#define UP_TOKEN_HEX (UP_TOKEN_BYTES * 2)
#define UP_DIGEST_BYTES 32

enum up_scope {
	UP_SCOPE_USERS_READ = 1u << 0,
	UP_SCOPE_USERS_WRITE = 1u << 1,
	UP_SCOPE_DEVICE_APP_WRITE = 1u << 2,
	UP_SCOPE_GROUPS_READ = 1u << 3,    /* read groups */
	UP_SCOPE_GROUPS_WRITE = 1u << 4,   /* create, change, delete groups */
	UP_SCOPE_DEVICES_READ = 1u << 5,   /* read devices, positions, alerts */
	UP_SCOPE_DEVICES_WRITE = 1u << 6,  /* change device fields */
	UP_SCOPE_DEVICES_REPORT = 1u << 7, /* a tracker: post positions and alerts only */
	UP_SCOPE_EVENTS_READ = 1u << 12,   /* read the change feed */
	/* create, read, change and delete webhooks, rotate secrets, read deliveries */
	UP_SCOPE_WEBHOOKS_WRITE = 1u << 13,
};
#define UP_SCOPE_ALL                                                                               \
	(UP_SCOPE_USERS_READ | UP_SCOPE_USERS_WRITE | UP_SCOPE_DEVICE_APP_WRITE |                  \
	 UP_SCOPE_GROUPS_READ | UP_SCOPE_GROUPS_WRITE | UP_SCOPE_DEVICES_READ |                    \
	 UP_SCOPE_DEVICES_WRITE | UP_SCOPE_DEVICES_REPORT | UP_SCOPE_EVENTS_READ |                 \
	 UP_SCOPE_WEBHOOKS_WRITE)

/* Who is calling, once the token is recognised. */
struct up_auth {
	uint64_t token_id;
	uint64_t tenant_id;
	unsigned scopes;
	struct up_usage usage; /* counters after this request was counted */
	long retry_after;      /* seconds, set with UP_ERR_QUOTA */
	int has_limit;         /* the token has a daily quota: daily_limit */
	uint64_t daily_limit;
	long reset_after;   /* seconds until the daily counter starts again (UTC midnight) */
	uint64_t device_id; /* a token bound to one device (token issue --device); 0: any */
};

/*
 * The ways a route takes the token besides "Authorization: Bearer" (a route
 * table's auth_forms): as the password of HTTP Basic, and as the query
 * parameter "key" (for apps that can only be given a URL; the tracker
 * paths only).
 */
#define UP_CRED_BASIC 1u
#define UP_CRED_KEY 2u

/* Room for "Bearer " and the token's hex digits. */
#define UP_BEARER_LEN (7 + UP_TOKEN_HEX + 1)

/*
 * The request's token as an Authorization value "Bearer <hex>" in
 * out[UP_BEARER_LEN], from the Authorization header (borrowed, may be
 * NULL) or, when forms allow, from HTTP Basic's password or query's "key".
 * UP_ERR_BAD_REQUEST when query has "key" and forms do not allow it (it is
 * refused, never ignored); UP_ERR_UNAUTHORIZED when there is no token in an
 * allowed form (out then holds the header as given, cut, for the 401).
 */
enum up_err up_credential_bearer(const char *authorization, const char *query, unsigned forms,
                                 char out[UP_BEARER_LEN]);

/*
 * Parse an Authorization header value "Bearer <64 hex digits>" (scheme
 * case-insensitive, one space) into the raw token.  UP_ERR_UNAUTHORIZED when
 * absent or malformed.
 */
enum up_err up_token_parse(const char *authorization, unsigned char raw[UP_TOKEN_BYTES]);

/* Digest of a raw token. */
void up_token_digest(const unsigned char raw[UP_TOKEN_BYTES],
                     unsigned char digest[UP_DIGEST_BYTES]);

/* A fresh token: its text (NUL-terminated, to show once) and digest (to store). */
void up_token_generate(char text[UP_TOKEN_HEX + 1], unsigned char digest[UP_DIGEST_BYTES]);

/*
 * Parse a scope list ("users:read,users:write" or space separated) into a
 * mask.  UP_ERR_BAD_REQUEST on an unknown or empty scope.
 */
enum up_err up_scopes_parse(const char *list, unsigned *mask);

/* Room for the canonical text of every scope at once. */
#define UP_SCOPES_TEXT_LEN 256

/* Canonical text of a mask ("users:read users:write"); buf of UP_SCOPES_TEXT_LEN bytes. */
void up_scopes_format(unsigned mask, char *buf, size_t len);

/*
 * Authenticate a request: parse the header, find the token by digest, refuse
 * a revoked one (UP_ERR_UNAUTHORIZED), count the request in the token's daily
 * usage, refuse past the quota (UP_ERR_QUOTA, retry_after set to the seconds
 * until the UTC day ends), and refuse a missing scope (UP_ERR_FORBIDDEN).  On
 * any error after the token is recognised, out->usage.known is set so the
 * error body carries the counters.
 *
 * The token's row is kept per worker and read again once older than the
 * configuration's token_cache_seconds (each second for a token with a
 * quota), so a revocation takes effect within that bound.  The count is made
 * in memory (usage.h) and committed with the worker's next transaction or
 * within a second; the usage shown is the durable sum read with the row plus
 * what this worker counted since.  No statement runs when the row is fresh.
 */
enum up_err up_auth_request(struct up_db *db, const char *authorization, unsigned scope_needed,
                            struct up_auth *out);

/* Forget every token read (tests: as after token_cache_seconds). */
void up_auth_cache_clear(void);

#endif
