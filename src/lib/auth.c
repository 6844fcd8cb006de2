/* auth.c: bearer token checks, scopes, usage counters and quotas. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sodium.h>
#include "auth.h"
#include "log.h"
#include "parse.h"

static const struct {
	const char *name;
	unsigned bit;
} scope_names[] = {
        {"users:read", UP_SCOPE_USERS_READ},
        {"users:write", UP_SCOPE_USERS_WRITE},
        {"device_app_user:write", UP_SCOPE_DEVICE_APP_WRITE},
        {"devices:read", UP_SCOPE_DEVICES_READ},
        {"devices:write", UP_SCOPE_DEVICES_WRITE},
        {"devices:report", UP_SCOPE_DEVICES_REPORT},
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

static const char sql_find_token[] =
        "SELECT id, tenant_id, token_digest, scopes, daily_limit, revoked_at IS NOT NULL "
        "FROM api_tokens WHERE token_digest = ?";
static const char sql_count_total[] =
        "UPDATE api_tokens SET usage_total = LAST_INSERT_ID(usage_total + 1) WHERE id = ?";
static const char sql_count_day[] =
        "INSERT INTO api_usage (token_id, day, count) VALUES (?, UTC_DATE(), LAST_INSERT_ID(1)) "
        "ON DUPLICATE KEY UPDATE count = LAST_INSERT_ID(count + 1)";

/* Transaction body: bump the lifetime and the daily counter of the token. */
static enum up_err count_request(struct up_db *db, void *arg)
{
	struct up_auth *a = arg;
	struct up_db_param p[1] = {UP_P_U64(a->token_id)};
	struct up_db_info info;
	enum up_err rc;

	rc = up_db_exec(db, sql_count_total, p, 1, &info);
	if (rc != UP_OK)
		return rc;
	a->usage.total = info.insert_id;
	rc = up_db_exec(db, sql_count_day, p, 1, &info);
	if (rc != UP_OK)
		return rc;
	a->usage.daily = info.insert_id;
	return UP_OK;
}

static long seconds_to_utc_midnight(void)
{
	time_t now = time(NULL);

	return 86400 - (long)(now % 86400);
}

enum up_err up_auth_request(struct up_db *db, const char *authorization, unsigned scope_needed,
                            struct up_auth *out)
{
	unsigned char raw[UP_TOKEN_BYTES], digest[UP_DIGEST_BYTES];
	struct up_db_result res = {0};
	struct up_db_param p[1];
	uint64_t limit = 0;
	int has_limit;
	enum up_err rc;

	memset(out, 0, sizeof(*out));
	rc = up_token_parse(authorization, raw);
	if (rc != UP_OK)
		return rc;
	up_token_digest(raw, digest);
	sodium_memzero(raw, sizeof(raw));

	p[0] = UP_P_BLOB(digest, sizeof(digest));
	rc = up_db_query(db, sql_find_token, p, 1, &res);
	if (rc != UP_OK)
		goto out;
	/* The digest is found by index; compare it again in constant time. */
	if (res.nrows != 1 || res.lens[2] != UP_DIGEST_BYTES ||
	    !up_memeq_const_time(up_db_cell(&res, 0, 2), digest, UP_DIGEST_BYTES)) {
		rc = UP_ERR_UNAUTHORIZED;
		goto out;
	}
	if (up_parse_u64(up_db_cell(&res, 0, 0), 1, INT64_MAX, &out->token_id) != UP_OK ||
	    up_parse_u64(up_db_cell(&res, 0, 1), 1, INT64_MAX, &out->tenant_id) != UP_OK ||
	    up_scopes_parse(up_db_cell(&res, 0, 3), &out->scopes) != UP_OK) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	if (strcmp(up_db_cell(&res, 0, 5), "0") != 0) {
		rc = UP_ERR_UNAUTHORIZED; /* revoked */
		goto out;
	}
	has_limit = up_db_cell(&res, 0, 4) != NULL;
	if (has_limit && up_parse_u64(up_db_cell(&res, 0, 4), 0, UINT32_MAX, &limit) != UP_OK) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}

	/* Count this request: both counters in one transaction, one commit. */
	rc = up_db_transaction(db, count_request, out);
	if (rc != UP_OK)
		goto out;
	out->usage.known = 1;

	if (has_limit && out->usage.daily > limit) {
		out->retry_after = seconds_to_utc_midnight();
		rc = UP_ERR_QUOTA;
		goto out;
	}
	if ((out->scopes & scope_needed) != scope_needed) {
		rc = UP_ERR_FORBIDDEN;
		goto out;
	}
out:
	up_db_result_free(&res);
	sodium_memzero(digest, sizeof(digest));
	return rc;
}
