/* SPDX-License-Identifier: ISC */
/* db_rows.h: query results as JSON: a count query's number, a page of rows. */
#ifndef UP_DB_ROWS_H
#define UP_DB_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "errors.h"

/* Makes *out (owned by the caller) from row `row` of res; ctx is the caller's. */
typedef enum up_err (*up_row_json_fn)(const struct up_db_result *res, size_t row, void *ctx,
                                      cJSON **out);

/*
 * Runs sql, which must answer one row with one non-negative integer, and
 * stores that in *total; any other answer is UP_ERR_INTERNAL.
 */
enum up_err up_db_count(struct up_db *db, const char *sql, const struct up_db_param *params,
                        size_t nparams, uint64_t *total);

/*
 * Runs sql and stores the first column of its first row, an id >= 1, in
 * *id; 0 when there is no row.  Any other answer is UP_ERR_INTERNAL.
 */
enum up_err up_db_query_id(struct up_db *db, const char *sql, const struct up_db_param *params,
                           size_t nparams, uint64_t *id);

/*
 * A new JSON array (owned by the caller) of the first `max` rows of res
 * (borrowed), each made by fn; *out is NULL on failure.
 */
enum up_err up_db_rows_json(const struct up_db_result *res, uint64_t max, up_row_json_fn fn,
                            void *ctx, cJSON **out);

#endif
