/* SPDX-License-Identifier: ISC */
/* import_run.c: the rows of import_runs, one per shell import (import_run.h). */
#include <string.h>
#include <sodium.h>
#include "import_run.h"
#include "parse.h"

static const char sql_save[] =
        "INSERT INTO import_runs (tenant_id, run_id, rows_done) VALUES (?, ?, ?) "
        "ON DUPLICATE KEY UPDATE rows_done = ?, updated_at = CURRENT_TIMESTAMP(6)";
static const char sql_load[] =
        "SELECT rows_done FROM import_runs WHERE tenant_id = ? AND run_id = ?";
static const char sql_forget[] = "DELETE FROM import_runs WHERE tenant_id = ? AND run_id = ?";

void up_import_run_new_id(struct up_import_run *run)
{
	unsigned char raw[UP_IMPORT_RUN_ID_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(run->id, sizeof(run->id), raw, sizeof(raw));
}

int up_import_run_id_ok(const char *text)
{
	return strlen(text) == UP_IMPORT_RUN_ID_LEN &&
	       strspn(text, "0123456789abcdef") == UP_IMPORT_RUN_ID_LEN;
}

enum up_err up_import_run_save(struct up_db *db, const struct up_import_run *run,
                               uint64_t rows_done)
{
	struct up_db_param p[4] = {UP_P_U64(run->tenant), UP_P_STR(run->id), UP_P_U64(rows_done),
	                           UP_P_U64(rows_done)};

	return up_db_exec(db, sql_save, p, 4, NULL);
}

enum up_err up_import_run_load(struct up_db *db, const struct up_import_run *run,
                               uint64_t *rows_done)
{
	struct up_db_param p[2] = {UP_P_U64(run->tenant), UP_P_STR(run->id)};
	struct up_db_result out;
	enum up_err rc = up_db_query(db, sql_load, p, 2, &out);

	if (rc != UP_OK)
		return rc;
	if (out.nrows == 0)
		rc = UP_ERR_NOT_FOUND;
	else if (up_db_cell(&out, 0, 0) == NULL ||
	         up_parse_u64(up_db_cell(&out, 0, 0), 0, UINT64_MAX, rows_done) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&out);
	return rc;
}

enum up_err up_import_run_forget(struct up_db *db, const struct up_import_run *run)
{
	struct up_db_param p[2] = {UP_P_U64(run->tenant), UP_P_STR(run->id)};

	return up_db_exec(db, sql_forget, p, 2, NULL);
}
