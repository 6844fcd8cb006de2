/* SPDX-License-Identifier: ISC */
/*
 * admin_usage.c: `userpatch-admin usage fold` (the daily job that keeps the
 * usage rows a request reads short, see usage_fold.h) and `usage show ID`
 * (a token's requests per UTC day, newest first, and its lifetime count).
 */
#include <stdio.h>
#include <string.h>
#include "admin_common.h"
#include "parse.h"
#include "usage_fold.h"

#define ER_NO_SUCH_TABLE 1146

static const char sql_token[] =
        "SELECT t.usage_total + IFNULL(SUM(s.count), 0) FROM api_tokens t "
        "LEFT JOIN api_usage_slot s ON s.token_id = t.id WHERE t.id = ? GROUP BY t.id";
static const char sql_days[] = "SELECT day, SUM(n) FROM ("
                               "SELECT day, count AS n FROM api_usage WHERE token_id = ? UNION ALL "
                               "SELECT day, count FROM api_usage_slot WHERE token_id = ?) u "
                               "GROUP BY day ORDER BY day DESC";

static int usage_fold(struct admin_env *env)
{
	struct up_usage_fold_stats st;
	enum up_err rc = up_usage_fold(env->db, &st);

	if (rc != UP_OK) {
		admin_err("fold stopped after %llu tokens: %s%s", (unsigned long long)st.tokens,
		          up_err_message(rc),
		          up_db_errno(env->db) == ER_NO_SUCH_TABLE
		                  ? " (a table is missing: run userpatch-admin migrate)"
		                  : "");
		return 1;
	}
	printf("folded %llu rows of %llu tokens (%llu requests, days before %s)\n",
	       (unsigned long long)st.rows, (unsigned long long)st.tokens,
	       (unsigned long long)st.counts, st.before);
	return 0;
}

static int usage_show(struct admin_env *env, const char *id_text)
{
	struct up_db_result res = {0};
	struct up_db_param p[2];
	uint64_t id;
	enum up_err rc;
	size_t i;

	if (up_parse_u64(id_text, 1, INT64_MAX, &id) != UP_OK) {
		admin_err("usage: usage show TOKEN_ID (a number, as token list shows)");
		return 2;
	}
	p[0] = UP_P_U64(id);
	p[1] = UP_P_U64(id);
	rc = up_db_query(env->db, sql_token, p, 1, &res);
	if (rc == UP_OK && res.nrows == 1) {
		printf("lifetime\t%s\n", up_db_cell(&res, 0, 0));
		up_db_result_free(&res);
		rc = up_db_query(env->db, sql_days, p, 2, &res);
		for (i = 0; rc == UP_OK && i < res.nrows; i++)
			printf("%s\t%s\n", up_db_cell(&res, i, 0), up_db_cell(&res, i, 1));
	} else if (rc == UP_OK) {
		rc = UP_ERR_NOT_FOUND;
	}
	up_db_result_free(&res);
	if (rc == UP_ERR_NOT_FOUND)
		admin_err("no token %s", id_text);
	else if (rc != UP_OK)
		admin_err("cannot read the usage of token %s: %s", id_text, up_err_message(rc));
	return rc == UP_OK ? 0 : 1;
}

int admin_usage(struct admin_env *env, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fold") == 0)
		return usage_fold(env);
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return usage_show(env, argv[2]);
	admin_err("usage: usage fold | usage show TOKEN_ID");
	return 2;
}
