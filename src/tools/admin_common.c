/* SPDX-License-Identifier: ISC */
/*
 * admin_common.c: the helpers every userpatch-admin subcommand shares:
 * messages on stderr, options of the command line, a tenant by name.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "admin_common.h"
#include "parse.h"
#include "validate.h"

void admin_err(const char *fmt, ...)
{
	va_list ap;

	fputs("userpatch-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *admin_opt(int argc, char **argv, int from, const char *name, int *bad)
{
	int i;

	for (i = from; i < argc; i++) {
		if (strcmp(argv[i], name) == 0) {
			if (i + 1 >= argc) {
				*bad = 1;
				return NULL;
			}
			return argv[i + 1];
		}
	}
	return NULL;
}

int admin_cut(int argc, char **argv, int from, char cut[27])
{
	int bad = 0;
	const char *before = admin_opt(argc, argv, from, "--before", &bad);
	const char *older = admin_opt(argc, argv, from, "--older-than", &bad);
	uint64_t seconds;
	time_t t;
	struct tm tm;

	if (bad || (before == NULL) == (older == NULL)) {
		admin_err("give --before TIME or --older-than DURATION");
		return -1;
	}
	if (before != NULL) {
		if (!up_valid_rfc3339(before, cut, 27)) {
			admin_err("--before must be an RFC 3339 date-time such as "
			          "2025-01-01T00:00:00Z");
			return -1;
		}
		return 0;
	}
	if (up_parse_duration(older, &seconds) != UP_OK) {
		admin_err("--older-than must be a duration such as 90d, 12w or 36h");
		return -1;
	}
	t = time(NULL) - (time_t)seconds;
	if (gmtime_r(&t, &tm) == NULL || strftime(cut, 27, "%Y-%m-%d %H:%M:%S.000000", &tm) == 0)
		return -1;
	return 0;
}

int admin_has_flag(int argc, char **argv, int from, const char *name)
{
	int i;

	for (i = from; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

enum up_err admin_tenant_id(struct up_db *db, const char *name, uint64_t *id)
{
	static const char sql[] = "SELECT id FROM tenants WHERE name = ?";
	struct up_db_param p[1] = {UP_P_STR(name)};
	struct up_db_result res;
	enum up_err rc = up_db_query(db, sql, p, 1, &res);

	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1)
		rc = UP_ERR_NOT_FOUND;
	else if (up_parse_u64(up_db_cell(&res, 0, 0), 1, INT64_MAX, id) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&res);
	return rc;
}
