/* SPDX-License-Identifier: ISC */
/* db_rows.c: query results as JSON (see db_rows.h). */
#include "db_rows.h"
#include "parse.h"

enum up_err up_db_count(struct up_db *db, const char *sql, const struct up_db_param *params,
                        size_t nparams, uint64_t *total)
{
	struct up_db_result res;
	enum up_err rc = up_db_query(db, sql, params, nparams, &res);

	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || up_parse_u64(up_db_cell(&res, 0, 0), 0, UINT64_MAX, total) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&res);
	return rc;
}

enum up_err up_db_query_id(struct up_db *db, const char *sql, const struct up_db_param *params,
                           size_t nparams, uint64_t *id)
{
	struct up_db_result res;
	enum up_err rc = up_db_query(db, sql, params, nparams, &res);

	*id = 0;
	if (rc != UP_OK)
		return rc;
	if (res.nrows > 0 && res.ncols > 0 &&
	    up_parse_u64(up_db_cell(&res, 0, 0), 1, UINT64_MAX, id) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&res);
	return rc;
}

enum up_err up_db_rows_json(const struct up_db_result *res, uint64_t max, up_row_json_fn fn,
                            void *ctx, cJSON **out)
{
	cJSON *arr = cJSON_CreateArray();
	enum up_err rc = UP_OK;
	size_t i;

	*out = NULL;
	if (arr == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < res->nrows && i < max; i++) {
		cJSON *o;

		rc = fn(res, i, ctx, &o);
		if (rc != UP_OK)
			goto out;
		cJSON_AddItemToArray(arr, o);
	}
	*out = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	return rc;
}
