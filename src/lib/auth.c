/* SPDX-License-Identifier: ISC */
/* auth.c: bearer token checks, scopes, usage counters and quotas. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "auth.h"
#include "log.h"
#include "mono.h"
#include "parse.h"
#include "proc.h"
#include "usage.h"

static const struct {
	const char *name;
	unsigned bit;
} scope_names[] = {
        {"users:read", UP_SCOPE_USERS_READ},
        {"users:write", UP_SCOPE_USERS_WRITE},
        {"device_app_user:write", UP_SCOPE_DEVICE_APP_WRITE},
        {"groups:read", UP_SCOPE_GROUPS_READ},
        {"groups:write", UP_SCOPE_GROUPS_WRITE},
        {"devices:read", UP_SCOPE_DEVICES_READ},
        {"devices:write", UP_SCOPE_DEVICES_WRITE},
        {"devices:report", UP_SCOPE_DEVICES_REPORT},
        {"events:read", UP_SCOPE_EVENTS_READ},
        {"webhooks:write", UP_SCOPE_WEBHOOKS_WRITE},
};
#define NSCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

enum up_err up_token_parse(const char *authorization, unsigned char raw[UP_TOKEN_BYTES])
{
	const char *hex;
	size_t bin_len = 0;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return UP_ERR_UNAUTHORIZED;
	hex = authorization + 7;
	if (strlen(hex) != UP_TOKEN_HEX || strspn(hex, "0123456789abcdefABCDEF") != UP_TOKEN_HEX)
		return UP_ERR_UNAUTHORIZED;
	if (sodium_hex2bin(raw, UP_TOKEN_BYTES, hex, UP_TOKEN_HEX, NULL, &bin_len, NULL) != 0 ||
	    bin_len != UP_TOKEN_BYTES)
		return UP_ERR_UNAUTHORIZED;
	return UP_OK;
}

void up_token_digest(const unsigned char raw[UP_TOKEN_BYTES], unsigned char digest[UP_DIGEST_BYTES])
{
	crypto_generichash(digest, UP_DIGEST_BYTES, raw, UP_TOKEN_BYTES, NULL, 0);
}

void up_token_generate(char text[UP_TOKEN_HEX + 1], unsigned char digest[UP_DIGEST_BYTES])
{
	unsigned char raw[UP_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(text, UP_TOKEN_HEX + 1, raw, sizeof(raw));
	up_token_digest(raw, digest);
	sodium_memzero(raw, sizeof(raw));
}

enum up_err up_scopes_parse(const char *list, unsigned *mask)
{
	unsigned m = 0;
	const char *p = list;

	if (list == NULL)
		return UP_ERR_BAD_REQUEST;
	while (*p != '\0') {
		size_t n, i;
		int found = 0;

		while (*p == ',' || *p == ' ')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, ", ");
		for (i = 0; i < NSCOPES; i++) {
			if (strlen(scope_names[i].name) == n &&
			    strncmp(p, scope_names[i].name, n) == 0) {
				m |= scope_names[i].bit;
				found = 1;
			}
		}
		if (!found)
			return UP_ERR_BAD_REQUEST;
		p += n;
	}
	if (m == 0)
		return UP_ERR_BAD_REQUEST;
	*mask = m;
	return UP_OK;
}

void up_scopes_format(unsigned mask, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NSCOPES; i++) {
		if (mask & scope_names[i].bit) {
			int n = snprintf(buf + used, len - used, "%s%s", used > 0 ? " " : "",
			                 scope_names[i].name);

			if (n < 0 || (size_t)n >= len - used)
				return;
			used += (size_t)n;
		}
	}
}

/*
 * The token by digest, with its durable usage: lifetime (usage_total plus
 * every slot row) and of the given day.
 */
static const char sql_find_token[] =
        "SELECT t.id, t.tenant_id, t.token_digest, t.scopes, t.daily_limit, "
        "t.revoked_at IS NOT NULL, t.usage_total + IFNULL(SUM(s.count), 0), "
        "IFNULL(SUM(IF(s.day = ?, s.count, 0)), 0), t.device_id "
        "FROM api_tokens t LEFT JOIN api_usage_slot s ON s.token_id = t.id "
        "WHERE t.token_digest = ? GROUP BY t.id";

/*
 * Tokens this worker has seen, each read again once older than
 * token_cache_seconds (a revocation takes effect within that bound), with
 * the usage read then and what this worker counted since.
 */
#define TOKEN_CACHE 32

struct token_entry {
	int used;
	unsigned char digest[UP_DIGEST_BYTES];
	uint64_t token_id, tenant_id;
	unsigned scopes;
	int has_limit;
	uint64_t limit;
	uint64_t device_id;              /* bound device, 0 for none */
	long long read_ms;               /* when the row was read */
	char day[11];                    /* UTC day of base_daily */
	uint64_t base_total, base_daily; /* durable sums when read */
	uint64_t mine_total, mine_daily; /* counted here since, written or not */
};

static struct token_entry cache[TOKEN_CACHE];
static pid_t cache_owner; /* a forked child reads its tokens afresh */

void up_auth_cache_clear(void)
{
	sodium_memzero(cache, sizeof(cache));
}

static struct token_entry *cache_find(const unsigned char digest[UP_DIGEST_BYTES])
{
	size_t i;

	if (cache_owner != up_proc_id()) {
		up_auth_cache_clear();
		cache_owner = up_proc_id();
	}
	for (i = 0; i < TOKEN_CACHE; i++)
		if (cache[i].used && sodium_memcmp(cache[i].digest, digest, UP_DIGEST_BYTES) == 0)
			return &cache[i];
	return NULL;
}

/* A free entry, else the one read longest ago. */
static struct token_entry *cache_slot(void)
{
	size_t i, best = 0;

	for (i = 0; i < TOKEN_CACHE; i++) {
		if (!cache[i].used)
			return &cache[i];
		if (cache[i].read_ms < cache[best].read_ms)
			best = i;
	}
	return &cache[best];
}

/* Read the token's row into *e (kept in the cache); UP_ERR_UNAUTHORIZED drops it. */
static enum up_err cache_read(struct up_db *db, const unsigned char digest[UP_DIGEST_BYTES],
                              const char *day, struct token_entry **e)
{
	struct up_db_param p[2] = {UP_P_STR(day), UP_P_BLOB(digest, UP_DIGEST_BYTES)};
	struct up_db_result res = {0};
	struct token_entry t;
	enum up_err rc;

	memset(&t, 0, sizeof(t));
	rc = up_db_query(db, sql_find_token, p, 2, &res);
	if (rc != UP_OK)
		goto out;
	/* The digest is found by index; compare it again in constant time. */
	if (res.nrows != 1 || res.lens[2] != UP_DIGEST_BYTES ||
	    !up_memeq_const_time(up_db_cell(&res, 0, 2), digest, UP_DIGEST_BYTES) ||
	    strcmp(up_db_cell(&res, 0, 5), "0") != 0 /* revoked */) {
		rc = UP_ERR_UNAUTHORIZED;
		goto out;
	}
	t.has_limit = up_db_cell(&res, 0, 4) != NULL;
	if (up_parse_u64(up_db_cell(&res, 0, 0), 1, INT64_MAX, &t.token_id) != UP_OK ||
	    up_parse_u64(up_db_cell(&res, 0, 1), 1, INT64_MAX, &t.tenant_id) != UP_OK ||
	    up_scopes_parse(up_db_cell(&res, 0, 3), &t.scopes) != UP_OK ||
	    (t.has_limit &&
	     up_parse_u64(up_db_cell(&res, 0, 4), 0, UINT32_MAX, &t.limit) != UP_OK) ||
	    up_parse_u64(up_db_cell(&res, 0, 6), 0, UINT64_MAX, &t.base_total) != UP_OK ||
	    up_parse_u64(up_db_cell(&res, 0, 7), 0, UINT64_MAX, &t.base_daily) != UP_OK ||
	    (up_db_cell(&res, 0, 8) != NULL &&
	     up_parse_u64(up_db_cell(&res, 0, 8), 1, INT64_MAX, &t.device_id) != UP_OK)) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	t.used = 1;
	memcpy(t.digest, digest, UP_DIGEST_BYTES);
	t.read_ms = up_mono_ms();
	snprintf(t.day, sizeof(t.day), "%s", day);
	/* Counted here but not committed yet: not in the sums. */
	t.mine_total = up_usage_unwritten(t.token_id, NULL);
	t.mine_daily = up_usage_unwritten(t.token_id, day);
	if (*e == NULL)
		*e = cache_slot();
	**e = t;
out:
	if (rc == UP_ERR_UNAUTHORIZED && *e != NULL)
		sodium_memzero(*e, sizeof(**e));
	up_db_result_free(&res);
	sodium_memzero(&t, sizeof(t));
	return rc;
}

/*
 * A token whose daily count is within a tenth of its quota (at least 10
 * requests) of it, but not past it: its requests read the count of every
 * worker and then commit their own at once, so workers overshoot the quota
 * only by counts that other workers made before the token came near it.
 * The read comes before the commit: a request's view then never exceeds its
 * rank in commit order, and no request is refused while the quota still
 * has room for it (read after the commit, the view would include requests
 * other workers committed in between).  Past the quota in this worker's
 * own view the answer is 429: no commit for those.
 */
static int near_quota(const struct token_entry *e)
{
	uint64_t margin = e->limit / 10 > 10 ? e->limit / 10 : 10;
	uint64_t view = e->base_daily + e->mine_daily;

	return e->has_limit && view <= e->limit && view + margin > e->limit;
}

static long seconds_to_utc_midnight(void)
{
	time_t now = time(NULL);

	return 86400 - (long)(now % 86400);
}

enum up_err up_auth_request(struct up_db *db, const char *authorization, unsigned scope_needed,
                            struct up_auth *out)
{
	const struct up_config *cfg = up_db_config(db);
	unsigned char raw[UP_TOKEN_BYTES], digest[UP_DIGEST_BYTES];
	struct token_entry *e;
	long long max_age;
	int fresh = 0; /* the row was read during this request */
	char day[11];
	enum up_err rc;

	memset(out, 0, sizeof(*out));
	rc = up_token_parse(authorization, raw);
	if (rc != UP_OK)
		return rc;
	up_token_digest(raw, digest);
	sodium_memzero(raw, sizeof(raw));
	up_usage_today(day);

	e = cache_find(digest);
	max_age = (long long)cfg->token_cache_seconds * 1000;
	/* A token with a quota sees the other workers' counts at least every flush period. */
	if (e != NULL && e->has_limit && max_age > UP_USAGE_FLUSH_MS)
		max_age = UP_USAGE_FLUSH_MS;
	if (e == NULL || up_mono_ms() - e->read_ms >= max_age || strcmp(e->day, day) != 0) {
		rc = cache_read(db, digest, day, &e);
		if (rc != UP_OK)
			goto out;
		fresh = 1;
	}
	out->token_id = e->token_id;
	out->tenant_id = e->tenant_id;
	out->scopes = e->scopes;
	out->has_limit = e->has_limit;
	out->daily_limit = e->limit;
	out->device_id = e->device_id;

	/* Count this request in memory; it is written with the worker's next commit. */
	if (up_usage_count(e->token_id, day) != 0) {
		(void)up_usage_flush_now(db);
		if (up_usage_count(e->token_id, day) != 0) {
			rc = UP_ERR_DB_UNAVAILABLE;
			goto out;
		}
	}
	e->mine_total++;
	e->mine_daily++;
	if (near_quota(e)) {
		/* Close to the quota: read every worker's count, then commit this one. */
		if (!fresh) {
			rc = cache_read(db, digest, day, &e);
			if (rc != UP_OK)
				goto out;
		}
		if (e->base_daily + e->mine_daily <= e->limit)
			(void)up_usage_flush_now(db);
	}
	out->usage.total = e->base_total + e->mine_total;
	out->usage.daily = e->base_daily + e->mine_daily;
	out->usage.known = 1;
	out->reset_after = seconds_to_utc_midnight();

	if (e->has_limit && out->usage.daily > e->limit) {
		out->retry_after = out->reset_after;
		rc = UP_ERR_QUOTA;
		goto out;
	}
	if ((out->scopes & scope_needed) != scope_needed) {
		rc = UP_ERR_FORBIDDEN;
		goto out;
	}
out:
	sodium_memzero(digest, sizeof(digest));
	return rc;
}

/* The token of HTTP Basic "Basic base64(user:token)" as "Bearer <token>"; else UP_ERR_UNAUTHORIZED.
 */
static enum up_err basic_bearer(const char *authorization, char out[UP_BEARER_LEN])
{
	unsigned char plain[256];
	const char *b64 = authorization + 6, *colon;
	size_t len = 0;
	enum up_err rc = UP_ERR_UNAUTHORIZED;

	if (strlen(b64) > 340 || sodium_base642bin(plain, sizeof(plain) - 1, b64, strlen(b64), NULL,
	                                           &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		goto out;
	plain[len] = '\0';
	colon = memchr(plain, ':', len);
	if (colon != NULL && strlen(colon + 1) == UP_TOKEN_HEX) {
		snprintf(out, UP_BEARER_LEN, "Bearer %s", colon + 1);
		rc = UP_OK;
	}
out:
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

enum up_err up_credential_bearer(const char *authorization, const char *query, unsigned forms,
                                 char out[UP_BEARER_LEN])
{
	char *key = NULL;
	enum up_err rc = UP_ERR_UNAUTHORIZED;

	out[0] = '\0';
	if (query != NULL && up_query_get(query, "key", &key) == UP_OK && key != NULL &&
	    !(forms & UP_CRED_KEY)) {
		rc = UP_ERR_BAD_REQUEST;
		goto out;
	}
	if (authorization != NULL && strncasecmp(authorization, "Basic ", 6) == 0 &&
	    (forms & UP_CRED_BASIC)) {
		rc = basic_bearer(authorization, out);
	} else if (authorization != NULL) {
		/* Longer than any token: refused whole, never cut into one. */
		rc = strlen(authorization) < UP_BEARER_LEN ? UP_OK : UP_ERR_UNAUTHORIZED;
		if (rc == UP_OK)
			snprintf(out, UP_BEARER_LEN, "%s", authorization);
	} else if (key != NULL && strlen(key) == UP_TOKEN_HEX) {
		snprintf(out, UP_BEARER_LEN, "Bearer %s", key);
		rc = UP_OK;
	}
out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	return rc;
}
