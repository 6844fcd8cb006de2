/* SPDX-License-Identifier: ISC */
/* Unit tests: the configuration in force follows edits of its file. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config_reload.h"
#include "testutil.h"

#define GOOD(body) "db_user = u\ndb_name = n\nmax_body = " body "\n"

enum step_action { KEEP, WRITE, REMOVE, TOUCH };

/* One step: change the file (or not), advance the clock, check. */
struct reload_step {
	int line;
	const char *desc;
	enum step_action action;
	const char *text;  /* for WRITE */
	long long advance; /* seconds added to the clock before the check */
	int want_rc;       /* of up_live_config_check */
	int want_ok;       /* lc.ok afterwards */
	unsigned long want_max_body;
	const char *err_part; /* substring of lc.err, or NULL for "" */
};

static const struct reload_step steps[] = {
        {__LINE__, "nothing changed, interval passed", KEEP, NULL, 1, 0, 1, 1000, NULL},
        {__LINE__, "edit seen only once the interval passed", WRITE, GOOD("2000"), 0, 0, 1, 1000,
         NULL},
        {__LINE__, "the same edit, a second later: reloaded", KEEP, NULL, 1, 1, 1, 2000, NULL},
        {__LINE__, "unchanged again", KEEP, NULL, 5, 0, 1, 2000, NULL},
        {__LINE__, "a bad file keeps the old config", WRITE, "db_user = u\nmax_body = x\n", 1, -1,
         1, 2000, "max_body"},
        {__LINE__, "the bad file is refused once, not at every check", KEEP, NULL, 1, 0, 1, 2000,
         "max_body"},
        {__LINE__, "fixed file is picked up", WRITE, GOOD("3000"), 1, 1, 1, 3000, NULL},
        {__LINE__, "file removed: old config kept", REMOVE, NULL, 1, -1, 1, 3000, "cannot open"},
        {__LINE__, "file back (new inode)", WRITE, GOOD("4000"), 1, 1, 1, 4000, NULL},
        {__LINE__, "same size, new mtime", WRITE, GOOD("5000"), 1, 1, 1, 5000, NULL},
        {__LINE__, "touch alone reloads the same values", TOUCH, NULL, 1, 1, 1, 5000, NULL},
};

static char path[64];

static void write_file(const char *text, int via_rename)
{
	char tmp[80];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(via_rename ? tmp : path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	if (via_rename)
		ck_assert_int_eq(rename(tmp, path), 0);
}

/* Give the file a modification time it never had before. */
static void bump_mtime(void)
{
	static time_t stamp = 1700000000;
	struct timespec ts[2];

	ts[0].tv_sec = stamp++;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(test_reload_steps)
{
	struct up_live_config lc;
	long long now = 100;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/tmp/up-reload-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(GOOD("1000"), 0);
	ck_assert_int_eq(up_live_config_open(&lc, "test", path, now), UP_OK);
	ck_assert_int_eq(lc.ok, 1);
	ck_assert_ptr_nonnull(lc.db);
	ck_assert_uint_eq(lc.cfg.max_body, 1000);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct reload_step *s = &steps[i];
		int rc;

		switch (s->action) {
		case WRITE:
			/* Alternate in-place writes and editor-style renames. */
			write_file(s->text, (int)(i % 2));
			bump_mtime();
			break;
		case REMOVE:
			ck_assert_int_eq(unlink(path), 0);
			break;
		case TOUCH:
			bump_mtime();
			break;
		case KEEP:
			break;
		}
		now += s->advance;
		rc = up_live_config_check(&lc, now);
		ck_assert_msg(rc == s->want_rc, "line %d (%s): rc %d, want %d", s->line, s->desc,
		              rc, s->want_rc);
		ck_assert_msg(lc.ok == s->want_ok, "line %d (%s): ok %d", s->line, s->desc, lc.ok);
		ck_assert_msg(lc.cfg.max_body == s->want_max_body,
		              "line %d (%s): max_body %lu, want %lu", s->line, s->desc,
		              lc.cfg.max_body, s->want_max_body);
		ck_assert_msg(lc.ok == (lc.db != NULL), "line %d (%s): db handle", s->line,
		              s->desc);
		if (s->err_part == NULL)
			ck_assert_msg(lc.err[0] == '\0', "line %d (%s): err '%s'", s->line, s->desc,
			              lc.err);
		else
			ck_assert_msg(strstr(lc.err, s->err_part) != NULL,
			              "line %d (%s): err '%s' lacks '%s'", s->line, s->desc, lc.err,
			              s->err_part);
	}
	up_live_config_close(&lc);
	unlink(path);
}
END_TEST

/* A program started with a broken file serves 500s until the file is fixed. */
START_TEST(test_reload_from_broken)
{
	struct up_live_config lc;
	int fd;

	snprintf(path, sizeof(path), "/tmp/up-reload-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file("db_user = u\n", 0);
	ck_assert_int_eq(up_live_config_open(&lc, "test", path, 0), UP_OK);
	ck_assert_int_eq(lc.ok, 0);
	ck_assert_ptr_null(lc.db);
	ck_assert_ptr_nonnull(strstr(lc.err, "required"));
	ck_assert_int_eq(up_live_config_check(&lc, 1), 0);
	write_file(GOOD("1500"), 1);
	bump_mtime();
	ck_assert_int_eq(up_live_config_check(&lc, 2), 1);
	ck_assert_int_eq(lc.ok, 1);
	ck_assert_ptr_nonnull(lc.db);
	ck_assert_uint_eq(lc.cfg.max_body, 1500);
	up_live_config_close(&lc);
	unlink(path);
}
END_TEST

/* Everything the log file at logpath holds, read from offset *from on (moved to its end). */
static void read_log(const char *logpath, long *from, char *buf, size_t size)
{
	FILE *f = fopen(logpath, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, *from, SEEK_SET), 0);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	*from += (long)n;
	fclose(f);
}

/* The db_host of each step's file, and the host the next connection must try. */
struct host_step {
	int line;
	const char *desc;
	const char *text;  /* the file; NULL: keep it */
	const char *want;  /* in the log of the connection attempt */
	const char * not ; /* nowhere in it (NULL: no check) */
};

#define HOSTCFG(h) "db_user = u\ndb_name = n\ndb_connect_timeout = 1\ndb_host = " h "\n"

static const struct host_step host_steps[] = {
        {__LINE__, "started on a host", HOSTCFG("127.0.0.1:1"), "database host 127.0.0.1:1:", NULL},
        {__LINE__, "db_host edited: the next connection goes to the new host",
         HOSTCFG("127.0.0.1:2"), "database host 127.0.0.1:2:", "127.0.0.1:1"},
        {__LINE__, "edited back: the old host again, at once", HOSTCFG("127.0.0.1:1"),
         "database host 127.0.0.1:1:", "127.0.0.1:2"},
        {__LINE__, "a list: its first host is tried first", HOSTCFG("127.0.0.1:2, 127.0.0.1:1"),
         "database host 127.0.0.1:2:", NULL},
};

/* A reload connects to the hosts of the new file, never to the previous file's. */
START_TEST(test_reload_hosts)
{
	struct up_live_config lc;
	char logpath[64], text[512], log[8192];
	long logpos = 0;
	long long now = 0;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/tmp/up-reload-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(logpath, sizeof(logpath), "/tmp/up-reload-log-XXXXXX");
	fd = mkstemp(logpath);
	ck_assert_int_ge(fd, 0);
	close(fd);
	for (i = 0; i < sizeof(host_steps) / sizeof(host_steps[0]); i++) {
		const struct host_step *s = &host_steps[i];

		snprintf(text, sizeof(text), "%slog_file = %s\n", s->text, logpath);
		write_file(text, (int)(i % 2));
		bump_mtime();
		if (i == 0) {
			ck_assert_int_eq(up_live_config_open(&lc, "test", path, now), UP_OK);
		} else {
			now += UP_CONFIG_CHECK_INTERVAL;
			ck_assert_msg(up_live_config_check(&lc, now) == 1,
			              "line %d (%s): not reloaded", s->line, s->desc);
		}
		ck_assert_msg(lc.ok == 1 && lc.db != NULL, "line %d (%s): no handle", s->line,
		              s->desc);
		read_log(logpath, &logpos, log, sizeof(log));
		ck_assert_msg(up_db_connect(lc.db) == UP_ERR_DB_UNAVAILABLE,
		              "line %d (%s): connected to a dead port", s->line, s->desc);
		read_log(logpath, &logpos, log, sizeof(log));
		ck_assert_msg(strstr(log, s->want) != NULL, "line %d (%s): log lacks '%s': %s",
		              s->line, s->desc, s->want, log);
		ck_assert_msg(s->not == NULL || strstr(log, s->not ) == NULL,
		              "line %d (%s): log names '%s': %s", s->line, s->desc, s->not, log);
	}
	up_live_config_close(&lc);
	unlink(path);
	unlink(logpath);
}
END_TEST

/* A program started with a broken file connects to the host of the fixed file. */
START_TEST(test_reload_hosts_from_broken)
{
	struct up_live_config lc;
	char logpath[64], text[512], log[8192];
	long logpos = 0;
	int fd;

	snprintf(path, sizeof(path), "/tmp/up-reload-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(logpath, sizeof(logpath), "/tmp/up-reload-log-XXXXXX");
	fd = mkstemp(logpath);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file("db_user = u\n", 0);
	ck_assert_int_eq(up_live_config_open(&lc, "test", path, 0), UP_OK);
	ck_assert_int_eq(lc.ok, 0);
	snprintf(text, sizeof(text), "%slog_file = %s\n", HOSTCFG("127.0.0.1:2"), logpath);
	write_file(text, 1);
	bump_mtime();
	ck_assert_int_eq(up_live_config_check(&lc, 1), 1);
	ck_assert_int_eq(up_db_connect(lc.db), UP_ERR_DB_UNAVAILABLE);
	read_log(logpath, &logpos, log, sizeof(log));
	ck_assert_msg(strstr(log, "database host 127.0.0.1:2:") != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, "localhost") == NULL, "log: %s", log);
	up_live_config_close(&lc);
	unlink(path);
	unlink(logpath);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_reload");
	TCase *tc = tcase_create("reload");

	tcase_add_test(tc, test_reload_steps);
	tcase_add_test(tc, test_reload_from_broken);
	tcase_add_test(tc, test_reload_hosts);
	tcase_add_test(tc, test_reload_hosts_from_broken);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
