/* SPDX-License-Identifier: ISC */
/*
 * resource_sql.c: every statement of a resource family, built from its
 * field table on first use: load (plain or locked), insert, update of the
 * changed columns, delete, list with filters and count, unique lookups
 * (and the lookup of another row than one).
 * SQL text comes from the constant table only; values are always bound.
 * The db layer keeps a pointer to the text of a prepared statement, so every
 * text lives as long as the process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_rows.h"
#include "parse.h"
#include "resource.h"
#include "strbuf.h"

#define MAX_FAMILIES 8
#define SQL_MAX 2048

/* UPDATE statements by set of changed columns (bit i = field i). */
struct update_sql {
	uint64_t mask; /* UPDATE_SERVER_TIME: modified_at from the server's clock */
	char *sql;
	struct update_sql *next;
};

struct family_sql {
	const struct up_resource *r;
	char *load, *load_locked, *insert, *del;
	/* list page and exact count by set of filters given (bit i = filter i) */
	char *list[1u << UP_MAX_FILTERS], *count[1u << UP_MAX_FILTERS];
	char *lookup[UP_MAX_FIELDS][2];       /* plain, locked */
	char *lookup_other[UP_MAX_FIELDS][2]; /* the same, but not one given row */
	size_t nread;                         /* readable columns: version follows them */
	struct update_sql *updates;
};

static struct family_sql families[MAX_FAMILIES];

/* An UPDATE whose modified_at is the server's UTC_TIMESTAMP(6) (fields use bits 0-39). */
#define UPDATE_SERVER_TIME (UINT64_C(1) << 63)

/*
 * A column written by INSERT and UPDATE: not server-managed, not an auto id
 * (hidden columns too: another API's fields, which its own writes set).
 */
static int insertable(const struct up_field *f)
{
	return !(f->flags & (UP_FF_READONLY | UP_FF_COMPUTED)) && f->type != UP_FT_ID;
}

/*
 * The value bound for field i of row in an INSERT: the row's, else the
 * field's default (columns with a default are NOT NULL: an unset one
 * takes it), else NULL.  Borrows from row and f.
 */
static struct up_db_param insert_value(const struct up_field *f, const struct up_row *row, size_t i)
{
	if (row->set[i])
		return UP_P_STR_OR_NULL(row->text[i]);
	if (f->dflt != NULL && f->type == UP_FT_BOOL)
		return UP_P_STR(strcmp(f->dflt, "true") == 0 ? "1" : "0");
	return UP_P_STR_OR_NULL(f->dflt);
}

static int keyed_by_id(const struct up_resource *r)
{
	return up_resource_key(r)->type == UP_FT_ID;
}

static struct up_db_param key_param(const struct up_resource *r, const struct up_key *k)
{
	return keyed_by_id(r) ? UP_P_U64(k->id) : UP_P_STR(k->text != NULL ? k->text : "");
}

/*
 * WHERE of the list and its count: the tenant, then each filter given
 * (bit i of mask = filter i) as a plain equality, so that each set of
 * filters has its own statement and the optimiser can pick the index of
 * those columns (an "(? IS NULL OR col = ?)" form cannot use one).
 */
static int list_where(const struct up_resource *r, unsigned mask, char *buf, size_t *used)
{
	size_t i;
	int ok = up_buf_cat(buf, SQL_MAX, used, "WHERE tenant_id = ?");

	for (i = 0; i < r->nfilters; i++)
		if (mask & (1u << i))
			ok &= up_buf_cat(buf, SQL_MAX, used, " AND %s = %s", r->filters[i].column,
			                 r->filters[i].value != NULL ? r->filters[i].value : "?");
	return ok;
}

/*
 * With one filter given, its index, named: its entries for one value are in
 * key order, so the page reads limit + 1 of them.  Left to itself, the
 * optimiser may walk the tenant's index in key order and test each row
 * (ten rows read per row kept for a filter that one row in ten matches),
 * or, for the count, read the tenant's index through a filter built from
 * this one.  With several filters the optimiser chooses among their indexes.
 * With none, the resource's list_index: after a cursor the optimiser may
 * otherwise walk the primary key from it and read every tenant's rows.
 */
static int force_index(const struct up_resource *r, unsigned mask, char *buf, size_t *used)
{
	size_t i;

	if (mask == 0 && r->list_index != NULL)
		return up_buf_cat(buf, SQL_MAX, used, "FORCE INDEX (%s) ", r->list_index);
	for (i = 0; i < r->nfilters; i++)
		if (mask == 1u << i && r->filters[i].index != NULL)
			return up_buf_cat(buf, SQL_MAX, used, "FORCE INDEX (%s) ",
			                  r->filters[i].index);
	return 1;
}

static char *dup_or_null(const char *s, int ok)
{
	return ok ? strdup(s) : NULL;
}

static enum up_err build(struct family_sql *s, const struct up_resource *r)
{
	char cols[SQL_MAX], buf[SQL_MAX], vals[SQL_MAX], secrets[SQL_MAX];
	const char *key = up_resource_key(r)->column;
	size_t u = 0, v = 0, w = 0, i;
	int ok = 1;

	if (up_resource_columns(r, cols, sizeof(cols)) != UP_OK)
		return UP_ERR_INTERNAL;
	/* The locked load also reads the stored secrets, for a write that compares with them. */
	secrets[0] = '\0';
	for (i = 0; i < r->nfields; i++) {
		if (up_resource_read_index(r, i) >= 0)
			s->nread++;
		else if (r->fields[i].type == UP_FT_SECRET)
			ok &= up_buf_cat(secrets, SQL_MAX, &w, ", %s", r->fields[i].column);
	}
	if (!ok)
		return UP_ERR_INTERNAL;
	ok = up_buf_cat(buf, SQL_MAX, &u,
	                "SELECT %s, version FROM %s WHERE tenant_id = ? AND %s = ?", cols, r->table,
	                key);
	s->load = dup_or_null(buf, ok);
	u = 0;
	ok = up_buf_cat(
	        buf, SQL_MAX, &u,
	        "SELECT %s, version, UTC_TIMESTAMP(6)%s FROM %s WHERE tenant_id = ? AND %s = ? "
	        "FOR UPDATE",
	        cols, secrets, r->table, key);
	s->load_locked = dup_or_null(buf, ok);

	u = 0;
	ok = up_buf_cat(buf, SQL_MAX, &u, "INSERT INTO %s (tenant_id", r->table);
	ok &= up_buf_cat(vals, SQL_MAX, &v, "?");
	for (i = 0; i < r->nfields; i++) {
		if (!insertable(&r->fields[i]))
			continue;
		ok &= up_buf_cat(buf, SQL_MAX, &u, ", %s", r->fields[i].column);
		ok &= up_buf_cat(vals, SQL_MAX, &v, ", ?");
	}
	/* RETURNING: the stored row comes back with the insert, no read-back SELECT. */
	ok &= up_buf_cat(buf, SQL_MAX, &u, ") VALUES (%s) RETURNING ", vals);
	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];

		if (up_resource_read_index(r, i) < 0)
			continue;
		/* A computed column of a new row: its default (e.g. no users yet). */
		ok &= up_buf_cat(buf, SQL_MAX, &u, "%s, ",
		                 f->flags & UP_FF_COMPUTED ? "NULL" : f->column);
	}
	ok &= up_buf_cat(buf, SQL_MAX, &u, "version");
	s->insert = dup_or_null(buf, ok);

	u = 0;
	ok = up_buf_cat(buf, SQL_MAX, &u, "DELETE FROM %s WHERE tenant_id = ? AND %s = ?", r->table,
	                key);
	s->del = dup_or_null(buf, ok);

	if (s->load == NULL || s->load_locked == NULL || s->insert == NULL || s->del == NULL)
		return UP_ERR_INTERNAL;
	return UP_OK;
}

/* The statements of r, built on first use. */
static struct family_sql *sql_of(const struct up_resource *r)
{
	size_t i;

	for (i = 0; i < MAX_FAMILIES; i++) {
		if (families[i].r == r)
			return &families[i];
		if (families[i].r == NULL) {
			if (build(&families[i], r) != UP_OK)
				return NULL; /* partly built texts stay: this is a bug to fix */
			families[i].r = r;
			return &families[i];
		}
	}
	return NULL;
}

/* Row `row` of res (the columns, then version at version_col) as JSON and its version. */
static enum up_err row_to_json(const struct up_resource *r, const struct up_db_result *res,
                               size_t row, size_t version_col, cJSON **out, uint64_t *version)
{
	*out = NULL;
	if (version != NULL &&
	    up_parse_u64(up_db_cell(res, row, version_col), 0, UINT64_MAX, version) != UP_OK)
		return UP_ERR_INTERNAL;
	return up_resource_to_json(r, res, row, out);
}

void up_current_free(struct up_current *cur)
{
	cJSON_Delete(cur->json);
	up_db_result_free(&cur->raw);
	memset(cur, 0, sizeof(*cur));
}

enum up_err up_resource_lock(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_key *k, struct up_current *cur)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[2];
	const char *now;
	enum up_err rc;

	memset(cur, 0, sizeof(*cur));
	if (s == NULL)
		return UP_ERR_INTERNAL;
	p[0] = UP_P_U64(tenant);
	p[1] = key_param(r, k);
	rc = up_db_query(db, s->load_locked, p, 2, &cur->raw);
	if (rc != UP_OK)
		return rc;
	if (cur->raw.nrows != 1 || cur->raw.ncols < s->nread + 2) {
		rc = UP_ERR_NOT_FOUND;
		goto out;
	}
	now = up_db_cell(&cur->raw, 0, s->nread + 1);
	if (now == NULL || strlen(now) >= sizeof(cur->now)) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	memcpy(cur->now, now, strlen(now) + 1);
	rc = row_to_json(r, &cur->raw, 0, s->nread, &cur->json, &cur->version);
out:
	if (rc != UP_OK)
		up_current_free(cur);
	return rc;
}

enum up_err up_resource_load(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_key *k, int for_update, cJSON **out, uint64_t *version)
{
	struct family_sql *s = sql_of(r);
	struct up_current cur;
	struct up_db_result res;
	struct up_db_param p[2];
	enum up_err rc;

	*out = NULL;
	if (s == NULL)
		return UP_ERR_INTERNAL;
	if (for_update) {
		rc = up_resource_lock(db, r, tenant, k, &cur);
		if (rc == UP_OK) {
			*out = cur.json;
			cur.json = NULL;
			if (version != NULL)
				*version = cur.version;
			up_current_free(&cur);
		}
		return rc;
	}
	p[0] = UP_P_U64(tenant);
	p[1] = key_param(r, k);
	rc = up_db_query(db, s->load, p, 2, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1)
		rc = UP_ERR_NOT_FOUND;
	else
		rc = row_to_json(r, &res, 0, res.ncols - 1, out, version);
	up_db_result_free(&res);
	return rc;
}

/* Replace cell i of row 0 of res by a copy of text (NULL: SQL NULL). */
static enum up_err set_cell(struct up_db_result *res, size_t i, const char *text)
{
	char *copy = NULL;

	if (text != NULL && (copy = strdup(text)) == NULL)
		return UP_ERR_NOMEM;
	free(res->cells[i]);
	res->cells[i] = copy;
	res->lens[i] = copy != NULL ? strlen(copy) : 0;
	return UP_OK;
}

const char *up_current_secret(const struct up_resource *r, const struct up_current *cur, size_t i)
{
	struct family_sql *s = sql_of(r);
	size_t k, col;

	if (s == NULL || i >= r->nfields || r->fields[i].type != UP_FT_SECRET)
		return NULL;
	col = s->nread + 2; /* after version and UTC_TIMESTAMP(6) */
	for (k = 0; k < i; k++)
		if (r->fields[k].type == UP_FT_SECRET)
			col++;
	return col < cur->raw.ncols ? up_db_cell(&cur->raw, 0, col) : NULL;
}

const char *up_current_cell(const struct up_resource *r, const struct up_current *cur, size_t i)
{
	int idx = up_resource_read_index(r, i);

	return idx >= 0 && (size_t)idx < cur->raw.ncols ? up_db_cell(&cur->raw, 0, (size_t)idx)
	                                                : NULL;
}

/* A representation that shows the version (webhooks): the cell of the new one. */
static enum up_err set_version_cell(struct up_db_result *res, size_t idx, uint64_t version)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)version);
	return set_cell(res, idx, buf);
}

enum up_err up_resource_after_write(const struct up_resource *r, struct up_current *cur,
                                    const struct up_row *row, cJSON **out, uint64_t *version)
{
	struct family_sql *s = sql_of(r);
	enum up_err rc = UP_OK;
	size_t i;

	*out = NULL;
	if (s == NULL)
		return UP_ERR_INTERNAL;
	for (i = 0; i < r->nfields && rc == UP_OK; i++) {
		const struct up_field *f = &r->fields[i];
		int idx = up_resource_read_index(r, i);

		if (idx < 0)
			continue;
		if (strcmp(f->column, up_resource_modified(r)) == 0)
			rc = set_cell(&cur->raw, (size_t)idx, cur->now);
		else if (strcmp(f->column, "version") == 0 && (f->flags & UP_FF_READONLY))
			rc = set_version_cell(&cur->raw, (size_t)idx, cur->version + 1);
		else if (row->set[i] && insertable(f) && !(f->flags & UP_FF_CREATEONLY))
			rc = set_cell(&cur->raw, (size_t)idx, row->text[i]);
	}
	if (rc != UP_OK)
		return rc;
	rc = row_to_json(r, &cur->raw, 0, s->nread, out, NULL);
	if (rc == UP_OK)
		*version = cur->version + 1;
	return rc;
}

enum up_err up_resource_lookup(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               size_t i, const char *value, int lock, uint64_t *id)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_STR(value)};
	char buf[SQL_MAX];
	size_t u = 0;

	*id = 0;
	if (s == NULL || i >= r->nfields || !keyed_by_id(r))
		return UP_ERR_INTERNAL;
	lock = lock != 0;
	if (s->lookup[i][lock] == NULL) {
		if (!up_buf_cat(buf, SQL_MAX, &u,
		                "SELECT %s FROM %s WHERE tenant_id = ? AND %s = ?%s",
		                up_resource_key(r)->column, r->table, r->fields[i].column,
		                lock ? " FOR UPDATE" : ""))
			return UP_ERR_INTERNAL;
		if ((s->lookup[i][lock] = strdup(buf)) == NULL)
			return UP_ERR_NOMEM;
	}
	return up_db_query_id(db, s->lookup[i][lock], p, 2, id);
}

enum up_err up_resource_lookup_other(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                     size_t i, const char *value, uint64_t other, int lock,
                                     uint64_t *id)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[3] = {UP_P_U64(tenant), UP_P_STR(value), UP_P_U64(other)};
	const char *key = up_resource_key(r)->column;
	char buf[SQL_MAX];
	size_t u = 0;

	*id = 0;
	if (s == NULL || i >= r->nfields || !keyed_by_id(r))
		return UP_ERR_INTERNAL;
	lock = lock != 0;
	if (s->lookup_other[i][lock] == NULL) {
		if (!up_buf_cat(buf, SQL_MAX, &u,
		                "SELECT %s FROM %s WHERE tenant_id = ? AND %s = ? AND %s <> ? "
		                "ORDER BY %s LIMIT 1%s",
		                key, r->table, r->fields[i].column, key, key,
		                lock ? " FOR UPDATE" : ""))
			return UP_ERR_INTERNAL;
		if ((s->lookup_other[i][lock] = strdup(buf)) == NULL)
			return UP_ERR_NOMEM;
	}
	return up_db_query_id(db, s->lookup_other[i][lock], p, 3, id);
}

enum up_err up_resource_check_db(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                 const struct up_row *row, struct up_error *e)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];
		struct up_db_result res;
		struct up_db_param p[2];
		enum up_err rc;
		int found;

		/* Unique fields are left to the unique index (1062, up_resource_dup_key). */
		if (!row->set[i] || row->text[i] == NULL || f->ref_sql == NULL)
			continue;
		p[0] = UP_P_U64(tenant);
		p[1] = UP_P_STR(row->text[i]);
		rc = up_db_query(db, f->ref_sql, p, 2, &res);
		if (rc != UP_OK)
			return rc;
		found = res.nrows > 0;
		up_db_result_free(&res);
		if (!found)
			up_error_detail(e, f->name, "no such %s",
			                f->ref_noun != NULL ? f->ref_noun : "item");
	}
	return UP_OK;
}

enum up_err up_resource_dup_key(struct up_db *db, const struct up_resource *r, struct up_error *e)
{
	const char *key = up_db_dup_key(db);
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].unique_key == NULL || strcmp(r->fields[i].unique_key, key) != 0)
			continue;
		cJSON_Delete(e->details);
		e->details = NULL;
		up_error_detail(e, r->fields[i].name, "already used by another %s of the tenant",
		                r->noun);
		/* The id of a new row is taken: a conflict with what exists (409). */
		if (r->fields[i].flags & UP_FF_KEY)
			return up_error_set(e, UP_ERR_CONFLICT, "A %s with this id already exists",
			                    r->noun);
		/* Any other unique field: a field rule (422), as the users' email has always been.
		 */
		return UP_ERR_VALIDATION;
	}
	return UP_ERR_CONFLICT;
}

static const char *update_sql(struct family_sql *s, const struct up_resource *r, uint64_t mask)
{
	struct update_sql *u;
	char buf[SQL_MAX];
	size_t used = 0, i;
	int ok;

	for (u = s->updates; u != NULL; u = u->next)
		if (u->mask == mask)
			return u->sql;
	ok = up_buf_cat(buf, SQL_MAX, &used, "UPDATE %s SET ", r->table);
	for (i = 0; i < r->nfields; i++)
		if (mask & (UINT64_C(1) << i))
			ok &= up_buf_cat(buf, SQL_MAX, &used, "%s = ?, ", r->fields[i].column);
	ok &= up_buf_cat(buf, SQL_MAX, &used,
	                 "version = version + 1, %s = %s WHERE tenant_id = ? AND %s = ?",
	                 up_resource_modified(r),
	                 mask & UPDATE_SERVER_TIME ? "UTC_TIMESTAMP(6)" : "?",
	                 up_resource_key(r)->column);
	if (!ok)
		return NULL;
	u = malloc(sizeof(*u));
	if (u == NULL)
		return NULL;
	u->sql = strdup(buf);
	if (u->sql == NULL) {
		free(u);
		return NULL;
	}
	u->mask = mask;
	u->next = s->updates;
	s->updates = u;
	return u->sql;
}

/* The UPDATE of row k: now, or with the COMMIT (at_commit, now required). */
static enum up_err update(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                          const struct up_key *k, const struct up_row *row, const char *now,
                          int at_commit)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[UP_MAX_FIELDS + 3];
	struct up_db_info info;
	uint64_t mask = 0;
	size_t i, n = 0;
	const char *sql;
	enum up_err rc;

	if (s == NULL || (at_commit && now == NULL))
		return UP_ERR_INTERNAL;
	for (i = 0; i < r->nfields; i++) {
		if (!row->set[i] || !insertable(&r->fields[i]) ||
		    (r->fields[i].flags & UP_FF_CREATEONLY))
			continue;
		mask |= UINT64_C(1) << i;
		p[n++] = UP_P_STR_OR_NULL(row->text[i]);
	}
	if (mask == 0)
		return UP_OK;
	sql = update_sql(s, r, now != NULL ? mask : mask | UPDATE_SERVER_TIME);
	if (sql == NULL)
		return UP_ERR_NOMEM;
	if (now != NULL)
		p[n++] = UP_P_STR(now);
	p[n++] = UP_P_U64(tenant);
	p[n++] = key_param(r, k);
	if (at_commit)
		return up_db_exec_at_commit(db, sql, p, n);
	rc = up_db_exec(db, sql, p, n, &info);
	if (rc == UP_OK && info.affected == 0)
		rc = UP_ERR_NOT_FOUND;
	return rc;
}

enum up_err up_resource_update(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_key *k, const struct up_row *row, const char *now)
{
	return update(db, r, tenant, k, row, now, 0);
}

enum up_err up_resource_update_at_commit(struct up_db *db, const struct up_resource *r,
                                         uint64_t tenant, const struct up_key *k,
                                         const struct up_row *row, const char *now)
{
	return update(db, r, tenant, k, row, now, 1);
}

enum up_err up_resource_insert(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_row *row, uint64_t *id, cJSON **out,
                               uint64_t *version)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[UP_MAX_FIELDS + 1];
	struct up_db_result res;
	int key_col = up_resource_read_index(r, (size_t)(up_resource_key(r) - r->fields));
	size_t i, n = 0;
	enum up_err rc;

	*out = NULL;
	*id = 0;
	if (s == NULL || key_col < 0)
		return UP_ERR_INTERNAL;
	p[n++] = UP_P_U64(tenant);
	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];

		if (insertable(f))
			p[n++] = insert_value(f, row, i);
	}
	rc = up_db_query(db, s->insert, p, n, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || (keyed_by_id(r) && up_parse_u64(up_db_cell(&res, 0, (size_t)key_col),
	                                                      1, UINT64_MAX, id) != UP_OK))
		rc = UP_ERR_INTERNAL;
	else
		rc = row_to_json(r, &res, 0, res.ncols - 1, out, version);
	up_db_result_free(&res);
	return rc;
}

/*
 * The columns a multi-row insert binds: those some row sets, and those with
 * a default of the table (bound as up_resource_insert binds them); a column
 * no row sets and without one is left out, for the table's NULL.
 */
static int insert_column(const struct up_resource *r, size_t i, const struct up_row *const *rows,
                         size_t n)
{
	size_t k;

	if (!insertable(&r->fields[i]))
		return 0;
	if (r->fields[i].dflt != NULL)
		return 1;
	for (k = 0; k < n; k++)
		if (rows[k]->set[i] && rows[k]->text[i] != NULL)
			return 1;
	return 0;
}

/* The multi-row insert of n rows (owned by the caller), its width (parameters a row) and columns.
 */
static char *insert_many_sql(const struct up_resource *r, const struct up_row *const *rows,
                             size_t n, size_t *width, unsigned char *cols)
{
	char head[SQL_MAX], tuple[SQL_MAX], tail[SQL_MAX];
	size_t h = 0, t = 0, l = 0, i;
	int ok;

	*width = 1;
	ok = up_buf_cat(head, SQL_MAX, &h, "INSERT INTO %s (tenant_id", r->table);
	ok &= up_buf_cat(tuple, SQL_MAX, &t, "(?");
	for (i = 0; i < r->nfields; i++) {
		cols[i] = (unsigned char)insert_column(r, i, rows, n);
		if (!cols[i])
			continue;
		ok &= up_buf_cat(head, SQL_MAX, &h, ", %s", r->fields[i].column);
		ok &= up_buf_cat(tuple, SQL_MAX, &t, ", ?");
		(*width)++;
	}
	ok &= up_buf_cat(head, SQL_MAX, &h, ") VALUES ");
	ok &= up_buf_cat(tuple, SQL_MAX, &t, ")");
	ok &= up_buf_cat(tail, SQL_MAX, &l, " RETURNING %s, version", up_resource_key(r)->column);
	return ok ? up_sql_rows(head, tuple, n, tail) : NULL;
}

/* The parameters of row (one a column of cols, at p), as up_resource_insert binds them. */
static void insert_params(const struct up_resource *r, uint64_t tenant, const struct up_row *row,
                          const unsigned char *cols, struct up_db_param *p)
{
	size_t i, n = 0;

	p[n++] = UP_P_U64(tenant);
	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];

		if (cols[i])
			p[n++] = insert_value(f, row, i);
	}
}

enum up_err up_resource_insert_many(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                    const struct up_row *const *rows, size_t n, uint64_t *ids,
                                    uint64_t *versions)
{
	struct up_db_result res = {0};
	struct up_db_param *p = NULL;
	unsigned char cols[UP_MAX_FIELDS];
	size_t width, i;
	char *sql;
	enum up_err rc = UP_ERR_NOMEM;

	if (n == 0)
		return UP_OK;
	sql = insert_many_sql(r, rows, n, &width, cols);
	if (sql != NULL && n > UP_DB_MAX_PARAMS / width)
		rc = UP_ERR_INTERNAL;
	else if (sql != NULL && (p = calloc(n * width, sizeof(*p))) != NULL) {
		for (i = 0; i < n; i++)
			insert_params(r, tenant, rows[i], cols, p + i * width);
		rc = up_db_query(db, sql, p, n * width, &res);
	}
	if (rc == UP_OK && (res.nrows != n || res.ncols != 2))
		rc = UP_ERR_INTERNAL;
	for (i = 0; rc == UP_OK && i < n; i++) {
		ids[i] = 0;
		if (keyed_by_id(r))
			rc = up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &ids[i]);
		if (rc == UP_OK)
			rc = up_parse_u64(up_db_cell(&res, i, 1), 0, UINT64_MAX, &versions[i]);
		if (rc != UP_OK)
			rc = UP_ERR_INTERNAL;
	}
	if (res.cells != NULL)
		up_db_result_free(&res);
	free(p);
	free(sql);
	return rc;
}

enum up_err up_resource_delete(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_key *k)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[2] = {UP_P_U64(tenant), key_param(r, k)};
	struct up_db_info info;
	enum up_err rc;

	if (s == NULL)
		return UP_ERR_INTERNAL;
	rc = up_db_exec(db, s->del, p, 2, &info);
	if (rc == UP_OK && info.affected == 0)
		rc = UP_ERR_NOT_FOUND;
	return rc;
}

/*
 * The list page (count 0) or count (count 1) statement of s for the
 * filters in mask, built on first use and kept; NULL when it cannot be.
 */
static const char *list_sql(struct family_sql *s, unsigned mask, int count)
{
	const struct up_resource *r = s->r;
	const char *key = up_resource_key(r)->column;
	char **slot = count ? &s->count[mask] : &s->list[mask];
	char cols[SQL_MAX], buf[SQL_MAX];
	size_t u = 0;
	int ok;

	if (*slot != NULL)
		return *slot;
	if (count) {
		ok = up_buf_cat(buf, SQL_MAX, &u, "SELECT COUNT(*) FROM %s ", r->table);
		ok &= force_index(r, mask, buf, &u);
		ok &= list_where(r, mask, buf, &u);
	} else {
		if (up_resource_columns(r, cols, sizeof(cols)) != UP_OK)
			return NULL;
		ok = up_buf_cat(buf, SQL_MAX, &u, "SELECT %s, version FROM %s ", cols, r->table);
		ok &= force_index(r, mask, buf, &u);
		ok &= list_where(r, mask, buf, &u);
		ok &= up_buf_cat(buf, SQL_MAX, &u, " AND %s > ? ORDER BY %s LIMIT ? OFFSET ?", key,
		                 key);
	}
	*slot = dup_or_null(buf, ok);
	return *slot;
}

/* The tenant and the value of each filter given, as list_where() expects; returns the count. */
static size_t filter_params(const struct up_resource *r, struct up_db_param *p, uint64_t tenant,
                            const struct up_list_query *q, unsigned *mask)
{
	size_t i, n = 0;

	*mask = 0;
	p[n++] = UP_P_U64(tenant);
	for (i = 0; i < r->nfilters; i++) {
		const char *v = q->value[i];

		if (v == NULL)
			continue;
		*mask |= 1u << i;
		if (r->filters[i].type == UP_FT_BOOL)
			p[n++] = UP_P_I64(strcmp(v, "1") == 0);
		else
			p[n++] = UP_P_STR(v);
	}
	return n;
}

/* A row of a list query as JSON; ctx is the resource (an up_row_json_fn). */
static enum up_err list_row(const struct up_db_result *res, size_t row, void *ctx, cJSON **out)
{
	return up_resource_to_json(ctx, res, row, out);
}

const char *up_resource_list_sql(const struct up_resource *r, const struct up_list_query *q,
                                 int count)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[UP_MAX_FILTERS + 4];
	unsigned mask;

	if (s == NULL || r->nfilters > UP_MAX_FILTERS)
		return NULL;
	filter_params(r, p, 0, q, &mask);
	return list_sql(s, mask, count);
}

enum up_err up_resource_list(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_list_query *q, cJSON **items, uint64_t *total,
                             int *more)
{
	struct family_sql *s = sql_of(r);
	struct up_db_param p[UP_MAX_FILTERS + 4];
	struct up_db_result res;
	const char *list, *count = NULL;
	enum up_err rc;
	unsigned mask;
	size_t n;

	*items = NULL;
	*more = 0;
	*total = 0;
	if (s == NULL || r->nfilters > UP_MAX_FILTERS)
		return UP_ERR_INTERNAL;
	n = filter_params(r, p, tenant, q, &mask);
	list = list_sql(s, mask, 0);
	if (q->count_exact)
		count = list_sql(s, mask, 1);
	if (list == NULL || (q->count_exact && count == NULL))
		return UP_ERR_NOMEM;
	if (q->count_exact) {
		rc = up_db_count(db, count, p, n, total);
		if (rc != UP_OK)
			return rc;
	}
	p[n++] =
	        keyed_by_id(r) ? UP_P_U64(q->after_id) : UP_P_STR(q->after != NULL ? q->after : "");
	p[n++] = UP_P_U64(q->limit + 1); /* one more tells whether a next page exists */
	p[n++] = UP_P_U64(q->offset);
	rc = up_db_query(db, list, p, n, &res);
	if (rc != UP_OK)
		return rc;
	rc = up_db_rows_json(&res, q->limit, list_row, (void *)r, items);
	if (rc == UP_OK)
		*more = res.nrows > q->limit;
	up_db_result_free(&res);
	return rc;
}
