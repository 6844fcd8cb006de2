/* SPDX-License-Identifier: ISC */
/* admin_partition.c: monthly partitions of a history table (see admin_partition.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "admin_common.h"
#include "admin_partition.h"
#include "parse.h"
#include "strbuf.h"

#define MAX_PARTS 1024 /* MariaDB allows 8192; sixty years of months is 720 */
#define MAX_AHEAD 120  /* months split off pmax by one statement */
#define DDL_MAX 16384
#define BOUND_LEN 27 /* "YYYY-MM-DD HH:MM:SS.ffffff" */

struct part {
	char name[65];
	char bound[BOUND_LEN]; /* upper bound (exclusive); "" for MAXVALUE */
	uint64_t rows;         /* estimate */
};

struct part_list {
	struct part *p;
	size_t n;
};

static const char sql_parts[] =
        "SELECT PARTITION_NAME, PARTITION_DESCRIPTION, TABLE_ROWS FROM "
        "information_schema.PARTITIONS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION";
/* A device whose newest row lies in [?, ?). */
static const char sql_kept[] =
        "SELECT COUNT(*) FROM devices WHERE last_fix_time >= ? AND last_fix_time < ?";
/* After the drops: a device whose newest row went (it arrived during the prune, older than the
 * cut) points at the newest left. */
static const char sql_repoint[] =
        "UPDATE devices d SET d.last_fix_time = (SELECT MAX(p.fix_time) FROM positions p "
        "WHERE p.device_id = d.id) WHERE d.last_fix_time < ? AND NOT EXISTS (SELECT 1 FROM "
        "positions p WHERE p.device_id = d.id AND p.fix_time = d.last_fix_time)";

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 65 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* "'2026-07-01'" or "'2026-07-01 00:00:00'" -> "2026-07-01 00:00:00"; MAXVALUE -> "". */
static int parse_bound(const char *d, char *out)
{
	size_t n;

	if (d == NULL)
		return -1;
	if (strcmp(d, "MAXVALUE") == 0) {
		out[0] = '\0';
		return 0;
	}
	n = strlen(d);
	if (n < 12 || d[0] != '\'' || d[n - 1] != '\'' || n - 2 >= BOUND_LEN)
		return -1;
	memcpy(out, d + 1, n - 2);
	out[n - 2] = '\0';
	if (strspn(out, "0123456789-: .") != n - 2)
		return -1;
	if (n - 2 == 10)
		memcpy(out + 10, " 00:00:00", 10);
	return 0;
}

/* The table's partitions in order; l->n 0 when it has none.  l->p is the caller's to free. */
static enum up_err list_parts(struct up_db *db, const char *table, struct part_list *l)
{
	struct up_db_param p[1] = {UP_P_STR(table)};
	struct up_db_result res;
	enum up_err rc;
	size_t i;

	l->p = NULL;
	l->n = 0;
	rc = up_db_query(db, sql_parts, p, 1, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows == 0 || up_db_cell(&res, 0, 0) == NULL)
		goto out; /* not partitioned */
	rc = UP_ERR_INTERNAL;
	if (res.nrows > MAX_PARTS)
		goto out;
	l->p = calloc(res.nrows, sizeof(*l->p));
	if (l->p == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < res.nrows; i++) {
		const char *name = up_db_cell(&res, i, 0), *rows = up_db_cell(&res, i, 2);

		if (name == NULL || !name_ok(name) ||
		    parse_bound(up_db_cell(&res, i, 1), l->p[i].bound) != 0)
			goto out;
		memcpy(l->p[i].name, name, strlen(name) + 1);
		if (rows == NULL || up_parse_u64(rows, 0, UINT64_MAX, &l->p[i].rows) != UP_OK)
			l->p[i].rows = 0;
	}
	l->n = res.nrows;
	rc = UP_OK;
out:
	if (rc != UP_OK) {
		free(l->p);
		l->p = NULL;
	}
	up_db_result_free(&res);
	return rc;
}

/* DDL text run as is (DDL binds nothing; see admin_partition.h). */
static enum up_err ddl(struct up_db *db, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static enum up_err ddl(struct up_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return UP_ERR_INTERNAL;
	return up_db_exec_trusted(db, sql);
}

enum up_err admin_part_ahead(struct up_db *db, const struct part_table *t, unsigned ahead,
                             struct part_outcome *out)
{
	struct part_list l;
	char *sql = NULL;
	size_t used = 0;
	int y, m, ty, tm_, added = 0, ok;
	enum up_err rc;
	time_t now = time(NULL);
	struct tm tm;

	rc = list_parts(db, t->table, &l);
	out->partitioned = l.n > 0;
	if (rc != UP_OK || l.n < 2 || l.p[l.n - 1].bound[0] != '\0')
		goto out; /* no partitions, or no pmax to split: nothing to do here */
	/* The first month not yet covered: the month of the last bound (a month start). */
	if (sscanf(l.p[l.n - 2].bound, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	if (strcmp(l.p[l.n - 2].bound + 7, "-01 00:00:00") != 0 && ++m > 12) {
		m = 1;
		y++;
	}
	gmtime_r(&now, &tm);
	/* Cover every month up to the current one plus ahead: months < (ty, tm_). */
	ty = tm.tm_year + 1900 + (int)((unsigned)tm.tm_mon + ahead + 1) / 12;
	tm_ = (int)((unsigned)tm.tm_mon + ahead + 1) % 12 + 1;
	sql = malloc(DDL_MAX);
	if (sql == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	ok = up_buf_cat(sql, DDL_MAX, &used, "ALTER TABLE %s REORGANIZE PARTITION %s INTO (",
	                t->table, l.p[l.n - 1].name);
	while (ok && (y < ty || (y == ty && m < tm_)) && added < MAX_AHEAD) {
		int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;

		ok = up_buf_cat(sql, DDL_MAX, &used,
		                "PARTITION p%04d%02d VALUES LESS THAN ('%04d-%02d-01'), ", y, m, ny,
		                nm);
		y = ny;
		m = nm;
		added++;
	}
	if (!ok || !up_buf_cat(sql, DDL_MAX, &used, "PARTITION %s VALUES LESS THAN (MAXVALUE))",
	                       l.p[l.n - 1].name)) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	if (added > 0) {
		rc = up_db_exec_trusted(db, sql);
		if (rc == UP_OK)
			out->created += (unsigned)added;
	}
out:
	free(sql);
	free(l.p);
	return rc;
}

/*
 * Partition p ([lo, p->bound)) of positions without the rows to keep: those
 * rows are copied to a table of the same shape, which then takes the
 * partition's place in one EXCHANGE; the old rows leave with that table.
 * *kept 1 when p still holds rows.
 */
static enum up_err exchange_kept(struct up_db *db, const struct part_table *t, const struct part *p,
                                 const char *lo, int *kept)
{
	struct up_db_param q[2] = {UP_P_STR(lo), UP_P_STR(p->bound)};
	struct up_db_result res;
	uint64_t n = 0;
	enum up_err rc;

	rc = up_db_query(db, sql_kept, q, 2, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || up_parse_u64(up_db_cell(&res, 0, 0), 0, UINT64_MAX, &n) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&res);
	*kept = n > 0;
	if (rc != UP_OK || n == 0)
		return rc;
	if ((rc = ddl(db, "DROP TABLE IF EXISTS %s_prune", t->table)) != UP_OK ||
	    (rc = ddl(db, "CREATE TABLE %s_prune LIKE %s", t->table, t->table)) != UP_OK ||
	    (rc = ddl(db, "ALTER TABLE %s_prune REMOVE PARTITIONING", t->table)) != UP_OK)
		return rc;
	/* Not a prepared statement: the connection keeps those by their text, which must be
	 * static; the bounds are checked digits and separators (parse_bound). */
	rc = ddl(db,
	         "INSERT INTO %s_prune SELECT p.* FROM devices d STRAIGHT_JOIN %s PARTITION (%s) p "
	         "ON p.device_id = d.id AND p.%s = d.last_fix_time "
	         "WHERE d.last_fix_time >= '%s' AND d.last_fix_time < '%s'",
	         t->table, t->table, p->name, t->column, lo, p->bound);
	if (rc == UP_OK)
		rc = ddl(db, "ALTER TABLE %s EXCHANGE PARTITION %s WITH TABLE %s_prune", t->table,
		         p->name, t->table);
	if (rc == UP_OK)
		rc = ddl(db, "DROP TABLE %s_prune", t->table);
	return rc;
}

enum up_err admin_part_drop_before(struct up_db *db, const struct part_table *t, const char *cut,
                                   struct part_outcome *out)
{
	struct part_list l;
	const char *lo = "1000-01-01 00:00:00", *prev_kept = NULL;
	enum up_err rc;
	size_t i;

	rc = list_parts(db, t->table, &l);
	out->partitioned = l.n > 0;
	/* Never the last partition (pmax): a table keeps one. */
	for (i = 0; rc == UP_OK && i + 1 < l.n; i++) {
		const struct part *p = &l.p[i];
		int kept = 0;

		if (p->bound[0] == '\0' || strcmp(p->bound, cut) > 0)
			break; /* the cut falls in p, or later: the row-wise delete's */
		if (t->keep_newest)
			rc = exchange_kept(db, t, p, lo, &kept);
		if (rc == UP_OK && !kept)
			rc = ddl(db, "ALTER TABLE %s DROP PARTITION %s", t->table, p->name);
		/* Kept rows of two months: one partition (both hold a row per device at most;
		 * the months dropped between them already belong to p). */
		if (rc == UP_OK && kept && prev_kept != NULL) {
			char sql[512];
			size_t used = 0;

			if (!up_buf_cat(
			            sql, sizeof(sql), &used,
			            "ALTER TABLE %s REORGANIZE PARTITION %s, %s INTO (PARTITION %s "
			            "VALUES LESS THAN ('%s'))",
			            t->table, prev_kept, p->name, p->name, p->bound))
				rc = UP_ERR_INTERNAL;
			else
				rc = up_db_exec_trusted(db, sql);
		}
		if (rc == UP_OK) {
			out->dropped++;
			out->rows_est += p->rows;
			prev_kept = kept ? p->name : prev_kept;
			lo = p->bound;
		}
	}
	if (rc == UP_OK && t->keep_newest && out->dropped > 0) {
		struct up_db_param q[1] = {UP_P_STR(cut)};

		rc = up_db_exec(db, sql_repoint, q, 1, NULL);
	}
	free(l.p);
	return rc;
}
