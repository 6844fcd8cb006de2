/* SPDX-License-Identifier: ISC */
/* usage_fold.c: past days' usage counts out of the slot rows, token by token. */
#include <string.h>
#include "parse.h"
#include "usage_fold.h"

#define TOKEN_PAGE 500

static const char sql_cutoff[] = "SELECT UTC_DATE() - INTERVAL 1 DAY";
static const char sql_tokens[] =
        "SELECT DISTINCT token_id FROM api_usage_slot WHERE token_id > ? AND day < ? "
        "ORDER BY token_id LIMIT ?";
/*
 * The rows go first and say what they held: sessions run at READ COMMITTED
 * (no range locks), so a row written after a locking read would be deleted
 * without being counted; what the DELETE returns is exactly what it took.
 */
static const char sql_take[] =
        "DELETE FROM api_usage_slot WHERE token_id = ? AND day < ? RETURNING day, count";
static const char sql_day[] = "INSERT INTO api_usage (token_id, day, count) VALUES (?, ?, ?) "
                              "ON DUPLICATE KEY UPDATE count = count + VALUES(count)";
static const char sql_total[] = "UPDATE api_tokens SET usage_total = usage_total + ? WHERE id = ?";

struct fold_one {
	uint64_t token;
	const char *before;
	uint64_t rows, counts; /* of the last attempt */
};

/* Add n requests of day ("YYYY-MM-DD") to the token's daily total. */
static enum up_err add_day(struct up_db *db, const struct fold_one *f, const char *day, uint64_t n)
{
	struct up_db_param p[3] = {UP_P_U64(f->token), UP_P_STR(day), UP_P_U64(n)};

	return up_db_exec(db, sql_day, p, 3, NULL);
}

/* One token's rows, in the transaction up_db_transaction() opened (run again on a retry). */
static enum up_err fold_token(struct up_db *db, void *arg)
{
	struct fold_one *f = arg;
	struct up_db_param p[2] = {UP_P_U64(f->token), UP_P_STR(f->before)};
	struct up_db_result res = {0};
	const char *day = NULL;
	uint64_t n, day_n = 0;
	enum up_err rc;
	size_t i;

	f->rows = f->counts = 0;
	rc = up_db_query(db, sql_take, p, 2, &res);
	if (rc != UP_OK)
		goto out;
	/* One upsert per run of equal days (the rows come in key order, day by day). */
	for (i = 0; i < res.nrows; i++) {
		const char *d = up_db_cell(&res, i, 0);

		if (d == NULL || up_parse_u64(up_db_cell(&res, i, 1), 0, UINT64_MAX, &n) != UP_OK ||
		    f->counts + n < f->counts) {
			rc = UP_ERR_INTERNAL;
			goto out;
		}
		if (day != NULL && strcmp(day, d) != 0) {
			rc = add_day(db, f, day, day_n);
			if (rc != UP_OK)
				goto out;
			day_n = 0;
		}
		day = d;
		day_n += n;
		f->counts += n;
	}
	f->rows = res.nrows;
	if (f->rows == 0)
		goto out;
	rc = add_day(db, f, day, day_n);
	if (rc == UP_OK) {
		struct up_db_param t[2] = {UP_P_U64(f->counts), UP_P_U64(f->token)};

		rc = up_db_exec(db, sql_total, t, 2, NULL);
	}
out:
	up_db_result_free(&res);
	return rc;
}

enum up_err up_usage_fold(struct up_db *db, struct up_usage_fold_stats *st)
{
	struct up_db_param p[3];
	struct up_db_result res = {0};
	struct fold_one f;
	uint64_t after = 0;
	enum up_err rc;
	size_t i, n;

	memset(st, 0, sizeof(*st));
	rc = up_db_query(db, sql_cutoff, NULL, 0, &res);
	if (rc != UP_OK)
		goto out;
	if (res.nrows != 1 || up_db_cell(&res, 0, 0) == NULL || res.lens[0] != 10) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	memcpy(st->before, up_db_cell(&res, 0, 0), 10);
	st->before[10] = '\0';
	up_db_result_free(&res);
	f.before = st->before;
	do {
		p[0] = UP_P_U64(after);
		p[1] = UP_P_STR(st->before);
		p[2] = UP_P_U64(TOKEN_PAGE);
		rc = up_db_query(db, sql_tokens, p, 3, &res);
		if (rc != UP_OK)
			goto out;
		n = res.nrows;
		for (i = 0; i < n; i++) {
			if (up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &after) != UP_OK) {
				rc = UP_ERR_INTERNAL;
				goto out;
			}
			f.token = after;
			rc = up_db_transaction(db, fold_token, &f);
			if (rc != UP_OK)
				goto out;
			if (f.rows > 0)
				st->tokens++;
			st->rows += f.rows;
			st->counts += f.counts;
		}
		up_db_result_free(&res);
	} while (n == TOKEN_PAGE);
out:
	up_db_result_free(&res);
	return rc;
}
