/* SPDX-License-Identifier: ISC */
/*
 * admin_resume.h: where `userpatch-admin import --resume` continues.  The
 * import's run (import_run.h) has a row in import_runs, which the handler
 * moves forward in the transaction of each chunk it commits, and the file
 * FILE.progress names the run ("run <id>", written before any row is
 * sent).  --resume reads the run's count from the database, never from
 * the file, so a kill between a commit and anything after it loses nothing
 * and repeats nothing.
 */
#ifndef UP_ADMIN_RESUME_H
#define UP_ADMIN_RESUME_H

#include <stdint.h>
#include "db.h"
#include "import_run.h"

/*
 * Start an import whose progress file is state (borrowed), for run->tenant.
 * With resume and a progress file: run->id is the run the file names and
 * *done the rows of the run committed (*have 1).  Else, unless dry: a new
 * run, its row (done 0) and then the file written (a run the file named
 * before is dropped: the import starts again), *have 1.  Dry without
 * resume: no run, *have 0.  0, or -1 after saying why on stderr (a file
 * that names no run, or a run the database does not hold for the tenant,
 * is not resumed).
 */
int admin_resume_begin(struct up_db *db, const char *state, int resume, int dry,
                       struct up_import_run *run, int *have, uint64_t *done);

/* The import of run ended: its progress file goes, then its row. */
void admin_resume_end(struct up_db *db, const char *state, const struct up_import_run *run);

#endif
