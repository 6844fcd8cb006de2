/* SPDX-License-Identifier: ISC */
/*
 * import_run.h: how far a shell import (`userpatch-admin import`) got, as
 * the row of its run in import_runs (schema/014_import_runs.sql).  The
 * import handler sets it in the transaction of each chunk it commits
 * (up_family_import_run), so the count and the rows it counts commit
 * together: --resume reads it and sends only the rows after it.  Runs are
 * the shell's only; HTTP imports have none.
 */
#ifndef UP_IMPORT_RUN_H
#define UP_IMPORT_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "errors.h"

#define UP_IMPORT_RUN_ID_LEN 32 /* hex digits of a run id (16 random bytes) */

/*
 * One request of a run.  The run's rows are numbered from the file's
 * first: base of them come before the body's first row, and the body's
 * first skip rows are done already (read, not run, not in the answer).
 */
struct up_import_run {
	char id[UP_IMPORT_RUN_ID_LEN + 1];
	uint64_t tenant;
	uint64_t base;
	size_t skip;
};

/* A new run id in run->id (random; no row yet). */
void up_import_run_new_id(struct up_import_run *run);

/* 1 when text is a run id (UP_IMPORT_RUN_ID_LEN lower-case hex digits), else 0. */
int up_import_run_id_ok(const char *text);

/*
 * The run's first rows_done rows are done: its row set (created when
 * absent), in the caller's transaction when it is in one.
 */
enum up_err up_import_run_save(struct up_db *db, const struct up_import_run *run,
                               uint64_t rows_done);

/* *rows_done of the run; UP_ERR_NOT_FOUND when it has no row (ended, or never saved). */
enum up_err up_import_run_load(struct up_db *db, const struct up_import_run *run,
                               uint64_t *rows_done);

/* Remove the run's row (the import ended); UP_OK when there is none. */
enum up_err up_import_run_forget(struct up_db *db, const struct up_import_run *run);

#endif
