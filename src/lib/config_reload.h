/* SPDX-License-Identifier: ISC */
/*
 * config_reload.h: the configuration a running program serves with, and
 * picking up edits of its file without a restart.  Between requests the
 * accept loop calls up_live_config_check(); at most once per
 * UP_CONFIG_CHECK_INTERVAL seconds it stats the file, and when the file's
 * device, inode, size or modification time changed it loads it again.  A
 * valid new file replaces the old one (new log settings, a new database
 * handle); an invalid one is logged and the old configuration stays in force.
 */
#ifndef UP_CONFIG_RELOAD_H
#define UP_CONFIG_RELOAD_H

#include <stdio.h>
#include <sys/types.h>
#include "config.h"
#include "db.h"

#define UP_CONFIG_CHECK_INTERVAL 1 /* seconds between two stat() calls */

/* What identifies one version of the file. */
struct up_file_id {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_sec;
	long mtime_nsec;
};

struct up_live_config {
	struct up_config cfg;   /* in force; defaults when !ok */
	int ok;                 /* cfg came from a valid file */
	struct up_db *db;       /* owned, built on cfg; NULL when !ok */
	FILE *logf;             /* owned; NULL: log to stderr */
	const char *prog;       /* borrowed (static) */
	const char *path;       /* borrowed (static) */
	struct up_file_id seen; /* the version last loaded or refused */
	long long next_check;   /* monotonic seconds */
	char err[256];          /* why the last load failed ("" if it did not) */
};

/*
 * Load the file at path (borrowed, must outlive lc) for program prog
 * (borrowed): logging set up from it and a database handle made.  A file that
 * cannot be loaded leaves lc->ok at 0 (the reason logged and in lc->err), and
 * the program keeps running: a later valid version is picked up.  now is a
 * monotonic time in seconds.  Returns UP_ERR_NOMEM only; release with
 * up_live_config_close().
 */
enum up_err up_live_config_open(struct up_live_config *lc, const char *prog, const char *path,
                                long long now);

/*
 * Between requests: when the check interval has passed since the last check
 * and the file changed, load it again.  Returns 1 when a new configuration is
 * in force (lc->cfg and lc->db replaced: pointers into the old ones are
 * stale), -1 when the changed file was refused (old configuration kept,
 * reason logged and in lc->err), 0 when nothing changed or it was not time to
 * look.
 */
int up_live_config_check(struct up_live_config *lc, long long now);

/* Release everything lc owns. */
void up_live_config_close(struct up_live_config *lc);

/* Monotonic seconds (coarse clock: cheap enough to read per request). */
long long up_live_config_now(void);

#endif
