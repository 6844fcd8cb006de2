/* SPDX-License-Identifier: ISC */
/* admin_migrate.c: `userpatch-admin migrate`: apply numbered schema files once each. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "admin_common.h"
#include "parse.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/userpatch"
#endif

#define MAX_MIGRATIONS 256
#define MAX_SCHEMA_FILE (1024 * 1024)

static const char sql_create_table[] =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INT UNSIGNED NOT NULL PRIMARY KEY,"
        " name VARCHAR(255) NOT NULL,"
        " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
/*
 * The programs write with INSERT ... RETURNING and DELETE ... RETURNING
 * (MariaDB 10.5 and later); the schema uses MariaDB's syntax too.  A no-op
 * insert of that form tells a server without them (MySQL, an older
 * MariaDB) before anything is applied.
 */
static const char sql_probe[] = "INSERT INTO schema_migrations (version, name) "
                                "SELECT 0, '' FROM DUAL WHERE 1 = 0 RETURNING version";
#define ER_PARSE_ERROR 1064
static const char sql_lock[] = "SELECT GET_LOCK('userpatch_migrate', 60)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('userpatch_migrate')";
static const char sql_applied[] = "SELECT 1 FROM schema_migrations WHERE version = ?";
/* IGNORE: a file records itself too (see schema/), so it can be imported by hand. */
static const char sql_record[] =
        "INSERT IGNORE INTO schema_migrations (version, name) VALUES (?, ?)";

struct migration {
	uint64_t version;
	char name[256];
};

static int cmp_migration(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

/* Files "NNN_name.sql" of dir, sorted by NNN; duplicates are an error. */
static int list_migrations(const char *dir, struct migration *out, size_t *n)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	size_t i;

	*n = 0;
	if (d == NULL) {
		admin_err("cannot open schema directory %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), digits = strspn(e->d_name, "0123456789"), zeros;

		if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0 || digits == 0 ||
		    e->d_name[digits] != '_' || len >= sizeof(out->name))
			continue;
		/* "007" is migration 7: the number is zero-padded for sorting. */
		zeros = strspn(e->d_name, "0");
		if (*n == MAX_MIGRATIONS || zeros >= digits ||
		    up_parse_u64n(e->d_name + zeros, digits - zeros, 1, 999999, &out[*n].version) !=
		            UP_OK) {
			admin_err("bad migration file name %s", e->d_name);
			closedir(d);
			return -1;
		}
		memcpy(out[*n].name, e->d_name, len + 1);
		(*n)++;
	}
	closedir(d);
	qsort(out, *n, sizeof(*out), cmp_migration);
	for (i = 1; i < *n; i++) {
		if (out[i].version == out[i - 1].version) {
			admin_err("two migrations numbered %llu",
			          (unsigned long long)out[i].version);
			return -1;
		}
	}
	return 0;
}

/*
 * Run each statement of a schema file.  Statements end with ';' at the end of
 * a line; lines starting with "--" are comments.  The files are ours, never
 * user input.
 */
static int run_file(struct up_db *db, const char *path)
{
	char *text = NULL, *stmt, *p;
	size_t n;
	int rc = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		admin_err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(MAX_SCHEMA_FILE + 1);
	if (text == NULL)
		goto out;
	n = fread(text, 1, MAX_SCHEMA_FILE + 1, f);
	if (n > MAX_SCHEMA_FILE) {
		admin_err("%s is too large", path);
		goto out;
	}
	text[n] = '\0';
	/* Blank out comment lines. */
	for (p = text; *p != '\0';
	     p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : p + strlen(p)) {
		char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (q[0] == '-' && q[1] == '-')
			while (*q != '\0' && *q != '\n')
				*q++ = ' ';
	}
	stmt = text;
	while (*stmt != '\0') {
		char *end = strstr(stmt, ";\n");
		char *s;

		if (end == NULL)
			end = strrchr(stmt, ';');
		if (end == NULL)
			end = stmt + strlen(stmt);
		if (*end == ';')
			*end++ = '\0';
		for (s = stmt; *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'; s++)
			;
		if (*s != '\0' && up_db_exec_trusted(db, s) != UP_OK) {
			admin_err("%s: statement failed (error %u)", path, up_db_errno(db));
			goto out;
		}
		stmt = end;
	}
	rc = 0;
out:
	free(text);
	fclose(f);
	return rc;
}

/*
 * "<directory of this program>/../schema" when it exists: the layout of
 * `make install-cgi` and of the shared-hosting bundle (programs in libexec/,
 * migrations in schema/ beside it).  0 and the path in buf, else -1.
 */
static int exe_schema_dir(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	struct stat st;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/../schema", exe) >= len)
		return -1;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int admin_migrate(struct admin_env *env, int argc, char **argv)
{
	struct migration *list = NULL;
	struct up_db_result res = {0};
	const char *dir = PKGDATADIR "/schema";
	const char *envdir = getenv("USERPATCH_SCHEMA_DIR");
	size_t n = 0, i, applied = 0;
	int bad = 0, rc = 1, locked = 0;
	char path[4096], exedir[2048];

	if (exe_schema_dir(exedir, sizeof(exedir)) == 0)
		dir = exedir;
	if (envdir != NULL && envdir[0] != '\0')
		dir = envdir;
	if (admin_opt(argc, argv, 1, "--schema-dir", &bad) != NULL)
		dir = admin_opt(argc, argv, 1, "--schema-dir", &bad);
	if (bad) {
		admin_err("--schema-dir needs a directory");
		return 2;
	}
	list = calloc(MAX_MIGRATIONS, sizeof(*list));
	if (list == NULL || list_migrations(dir, list, &n) != 0)
		goto out;
	if (n == 0) {
		admin_err("no migrations found in %s", dir);
		goto out;
	}
	if (up_db_query(env->db, sql_lock, NULL, 0, &res) != UP_OK || res.nrows != 1 ||
	    up_db_cell(&res, 0, 0) == NULL || strcmp(up_db_cell(&res, 0, 0), "1") != 0) {
		admin_err("cannot take the migration lock (database unavailable or busy)");
		goto out;
	}
	locked = 1;
	up_db_result_free(&res);
	if (up_db_exec_trusted(env->db, sql_create_table) != UP_OK) {
		admin_err("cannot create schema_migrations (error %u)", up_db_errno(env->db));
		goto out;
	}
	if (up_db_query(env->db, sql_probe, NULL, 0, &res) != UP_OK) {
		if (up_db_errno(env->db) == ER_PARSE_ERROR)
			admin_err(
			        "this database server has no INSERT ... RETURNING: userpatch needs "
			        "MariaDB 10.5 or later (MySQL is not supported); nothing applied");
		else
			admin_err("cannot check the database server (error %u)",
			          up_db_errno(env->db));
		goto out;
	}
	up_db_result_free(&res);
	for (i = 0; i < n; i++) {
		struct up_db_param p[2] = {UP_P_U64(list[i].version), UP_P_STR(list[i].name)};

		if (up_db_query(env->db, sql_applied, p, 1, &res) != UP_OK)
			goto out;
		if (res.nrows == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, list[i].name);
			if (run_file(env->db, path) != 0)
				goto out;
			if (up_db_exec(env->db, sql_record, p, 2, NULL) != UP_OK)
				goto out;
			fprintf(stderr, "applied %s\n", list[i].name);
			applied++;
		}
		up_db_result_free(&res);
	}
	fprintf(stderr, "schema up to date (%zu applied now, %zu in all)\n", applied, n);
	rc = 0;
out:
	up_db_result_free(&res);
	if (locked && up_db_query(env->db, sql_unlock, NULL, 0, &res) == UP_OK)
		up_db_result_free(&res);
	free(list);
	return rc;
}
