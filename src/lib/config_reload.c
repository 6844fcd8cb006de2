/* SPDX-License-Identifier: ISC */
/* config_reload.c: the configuration in force, reloaded when its file changes. */
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "config_reload.h"
#include "log.h"

long long up_live_config_now(void)
{
	struct timespec ts;

#ifdef CLOCK_MONOTONIC_COARSE
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
		return (long long)ts.tv_sec;
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

static void file_id(const char *path, struct up_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return;
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime_sec = (long long)st.st_mtim.tv_sec;
	id->mtime_nsec = st.st_mtim.tv_nsec;
}

static int same_file(const struct up_file_id *a, const struct up_file_id *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/* Logging as cfg says: its level, and its log_file (opened anew) or stderr. */
static void apply_logging(struct up_live_config *lc)
{
	FILE *f = NULL;

	if (lc->cfg.log_file != NULL) {
		f = fopen(lc->cfg.log_file, "a");
		if (f == NULL)
			up_log(UP_LOG_ERROR, "cannot open log_file %s", lc->cfg.log_file);
	}
	up_log_init(lc->prog, lc->cfg.log_level, f);
	if (lc->logf != NULL)
		fclose(lc->logf);
	lc->logf = f;
}

enum up_err up_live_config_open(struct up_live_config *lc, const char *prog, const char *path,
                                long long now)
{
	memset(lc, 0, sizeof(*lc));
	lc->prog = prog;
	lc->path = path;
	lc->next_check = now + UP_CONFIG_CHECK_INTERVAL;
	/* The version looked at is the one before the read: an edit racing with
	 * the read is then seen as a change at the next check. */
	file_id(path, &lc->seen);
	if (up_config_load(path, &lc->cfg, lc->err, sizeof(lc->err)) != UP_OK) {
		/* Keep serving: every request answers 500 and the log says why. */
		up_log(UP_LOG_ERROR, "configuration %s: %s", path, lc->err);
		return UP_OK;
	}
	if (up_db_new(&lc->cfg, &lc->db) != UP_OK) {
		up_config_free(&lc->cfg);
		return UP_ERR_NOMEM;
	}
	lc->ok = 1;
	apply_logging(lc);
	return UP_OK;
}

int up_live_config_check(struct up_live_config *lc, long long now)
{
	struct up_config fresh, old;
	struct up_file_id id;
	struct up_db *db = NULL;
	char err[sizeof(lc->err)];

	if (now < lc->next_check)
		return 0;
	lc->next_check = now + UP_CONFIG_CHECK_INTERVAL;
	file_id(lc->path, &id);
	if (same_file(&id, &lc->seen))
		return 0;
	lc->seen = id;
	if (up_config_load(lc->path, &fresh, err, sizeof(err)) != UP_OK) {
		memcpy(lc->err, err, sizeof(err));
		up_log(UP_LOG_ERROR, "configuration %s changed but cannot be used (%s): %s",
		       lc->path, err, lc->ok ? "keeping the previous one" : "still unconfigured");
		return -1;
	}
	/* The handle is built on lc->cfg (it keeps the pointer): put fresh there
	 * first, so that the hosts it reads are the new ones, and put the old
	 * configuration back if the handle cannot be made. */
	old = lc->cfg;
	lc->cfg = fresh;
	if (up_db_new(&lc->cfg, &db) != UP_OK) {
		up_config_free(&lc->cfg);
		lc->cfg = old;
		snprintf(lc->err, sizeof(lc->err), "out of memory");
		up_log(UP_LOG_ERROR, "configuration %s changed but cannot be used (%s): %s",
		       lc->path, lc->err,
		       lc->ok ? "keeping the previous one" : "still unconfigured");
		/* Try again at the next check. */
		memset(&lc->seen, 0, sizeof(lc->seen));
		return -1;
	}
	up_db_close(lc->db);
	if (lc->ok)
		up_config_free(&old);
	lc->db = db;
	lc->ok = 1;
	lc->err[0] = '\0';
	apply_logging(lc);
	up_log(UP_LOG_INFO, "configuration %s reloaded", lc->path);
	return 1;
}

void up_live_config_close(struct up_live_config *lc)
{
	up_db_close(lc->db);
	lc->db = NULL;
	if (lc->ok)
		up_config_free(&lc->cfg);
	lc->ok = 0;
	up_log_init(NULL, lc->cfg.log_level, NULL);
	if (lc->logf != NULL)
		fclose(lc->logf);
	lc->logf = NULL;
}
