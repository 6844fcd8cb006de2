/* SPDX-License-Identifier: ISC */
/* admin_resume.c: the run of a shell import and its FILE.progress (admin_resume.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "admin_common.h"
#include "admin_resume.h"

/* The run state names: 1 with run->id set; 0 when there is no file; -1 when it names no run. */
static int read_progress(const char *state, struct up_import_run *run)
{
	FILE *f = fopen(state, "r");
	char line[UP_IMPORT_RUN_ID_LEN + 16];
	int named = 0;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	if (fgets(line, sizeof(line), f) != NULL && strncmp(line, "run ", 4) == 0) {
		line[strcspn(line, "\r\n")] = '\0';
		named = up_import_run_id_ok(line + 4);
	}
	fclose(f);
	if (!named)
		return -1;
	memcpy(run->id, line + 4, sizeof(run->id));
	return 1;
}

/* Write "run <id>" to state, replaced at once (an interruption leaves the old file or the new). */
static int write_progress(const char *state, const char *id)
{
	char tmp[4200];
	FILE *f;
	int rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", state) >= sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	rc = fprintf(f, "run %s\n", id) > 0 && fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	if (fclose(f) != 0 || rc != 0 || rename(tmp, state) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int admin_resume_begin(struct up_db *db, const char *state, int resume, int dry,
                       struct up_import_run *run, int *have, uint64_t *done)
{
	struct up_import_run old = *run;
	int named = read_progress(state, &old);
	enum up_err rc;

	*have = 0;
	*done = 0;
	if (resume && named != 0) {
		if (named < 0) {
			admin_err("%s names no run: not resumed (remove it to start again)", state);
			return -1;
		}
		rc = up_import_run_load(db, &old, done);
		if (rc == UP_ERR_NOT_FOUND)
			admin_err("%s names run %s, which this tenant has not (it ended, or is of "
			          "another tenant): not resumed",
			          state, old.id);
		else if (rc != UP_OK)
			admin_err("cannot read run %s: %s", old.id, up_err_message(rc));
		if (rc != UP_OK)
			return -1;
		*run = old;
		*have = 1;
		return 0;
	}
	if (dry)
		return 0;
	if (named > 0)
		(void)up_import_run_forget(db, &old); /* that run starts again from the beginning */
	up_import_run_new_id(run);
	rc = up_import_run_save(db, run, 0);
	if (rc != UP_OK) {
		admin_err("cannot record the import's run: %s", up_err_message(rc));
		return -1;
	}
	if (write_progress(state, run->id) != 0) {
		admin_err("cannot write %s", state);
		(void)up_import_run_forget(db, run);
		return -1;
	}
	*have = 1;
	return 0;
}

void admin_resume_end(struct up_db *db, const char *state, const struct up_import_run *run)
{
	/* The file first: a file left behind must never name a run that is gone. */
	if (unlink(state) == 0 || errno == ENOENT)
		(void)up_import_run_forget(db, run);
}
