/* SPDX-License-Identifier: ISC */
/* import_batch.c: new rows of an import in multi-row statements (see import_batch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "event.h"
#include "import_batch.h"
#include "strbuf.h"

/* One value a row names a record by: the row and its text. */
struct named {
	const char *text;
	struct up_key key; /* a key field's parsed value */
};

/* The values of field i the rows give (*nv of them; a key that cannot be one is left out). */
static size_t values_of(const struct up_resource *r, size_t i, const cJSON *const *docs, size_t n,
                        struct named *out)
{
	const struct up_field *f = &r->fields[i];
	size_t k, nv = 0;

	for (k = 0; k < n; k++) {
		const cJSON *v =
		        docs[k] != NULL ? cJSON_GetObjectItemCaseSensitive(docs[k], f->name) : NULL;

		if (!cJSON_IsString(v))
			continue;
		memset(&out[nv], 0, sizeof(out[nv]));
		out[nv].text = v->valuestring;
		if ((f->flags & UP_FF_KEY) &&
		    up_resource_parse_key(r, v->valuestring, &out[nv].key) != UP_OK)
			continue;
		nv++;
	}
	return nv;
}

/* Whether one of the nv values of field i names a record of tenant (*found). */
static enum up_err any_record(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                              size_t i, const struct named *v, size_t nv, int *found)
{
	const struct up_field *f = &r->fields[i];
	const char *col = f->column, *expr = "?";
	struct up_db_result res = {0};
	struct up_db_param *p;
	char head[512], tail[64];
	char *sql = NULL;
	size_t k, u = 0, t = 0;
	enum up_err rc = UP_ERR_NOMEM;

	/* A field the list filters in its own way (e-mail, any case) is compared that way. */
	for (k = 0; k < r->nfilters; k++)
		if (strcmp(r->filters[k].param, f->name) == 0 && r->filters[k].value != NULL) {
			col = r->filters[k].column;
			expr = r->filters[k].value;
		}
	if (!up_buf_cat(head, sizeof(head), &u, "SELECT 1 FROM %s WHERE tenant_id = ? AND %s IN (",
	                r->table, col) ||
	    !up_buf_cat(tail, sizeof(tail), &t, ") LIMIT 1 FOR UPDATE"))
		return UP_ERR_INTERNAL;
	p = calloc(nv + 1, sizeof(*p));
	if (p != NULL)
		sql = up_sql_rows(head, expr, nv, tail);
	if (sql != NULL) {
		p[0] = UP_P_U64(tenant);
		for (k = 0; k < nv; k++)
			p[k + 1] = (f->flags & UP_FF_KEY) && f->type == UP_FT_ID
			                   ? UP_P_U64(v[k].key.id)
			                   : UP_P_STR(v[k].text);
		rc = up_db_query(db, sql, p, nv + 1, &res);
	}
	if (rc == UP_OK) {
		*found = res.nrows > 0;
		up_db_result_free(&res);
	}
	free(sql);
	free(p);
	return rc;
}

enum up_err up_import_batch_clear(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                  const cJSON *const *docs, size_t n, int *clear)
{
	struct named *v = calloc(n + 1, sizeof(*v));
	enum up_err rc = v != NULL ? UP_OK : UP_ERR_NOMEM;
	size_t i, nv;
	int found = 0;

	*clear = 0;
	for (i = 0; rc == UP_OK && !found && i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];

		if ((!(f->flags & UP_FF_KEY) && f->unique_key == NULL) || (f->flags & UP_FF_HIDDEN))
			continue;
		nv = values_of(r, i, docs, n, v);
		if (nv > 0)
			rc = any_record(db, r, tenant, i, v, nv, &found);
	}
	*clear = rc == UP_OK && !found;
	free(v);
	return rc;
}

/* The audit rows and events of the n writes, inserted (keys formatted into keys[i]). */
static enum up_err audit_and_events(struct up_db *db, struct up_write *const *w, size_t n,
                                    char (*keys)[300])
{
	const struct up_family *fam = w[0]->family;
	const struct up_auth *auth = &w[0]->ctx->auth;
	struct up_audit_row *a = calloc(n, sizeof(*a));
	struct up_event_row *e = calloc(n, sizeof(*e));
	enum up_err rc = a != NULL && e != NULL ? UP_OK : UP_ERR_NOMEM;
	size_t i, count;

	for (i = 0; rc == UP_OK && i < n; i++) {
		up_resource_key_format(fam->res, &w[i]->key, keys[i], sizeof(keys[i]));
		a[i].user_id = w[i]->key.id;
		a[i].key = keys[i];
		a[i].fields = up_row_names(fam->res, &w[i]->row, &count);
		if (a[i].fields == NULL)
			rc = UP_ERR_NOMEM;
		e[i].resource_id = keys[i];
		e[i].version = w[i]->version;
	}
	if (rc == UP_OK)
		rc = up_audit_write_many(db, auth->tenant_id, auth->token_id, fam->audit,
		                         w[0]->req->request_id, "create", a, n);
	if (rc == UP_OK)
		rc = up_event_append_many(db, auth->tenant_id, fam->res->noun, "created", e, n,
		                          w[0]->req->request_id);
	for (i = 0; a != NULL && i < n; i++)
		cJSON_Delete((cJSON *)a[i].fields);
	free(a);
	free(e);
	return rc;
}

enum up_err up_import_batch_insert(struct up_db *db, struct up_write *const *w, size_t n)
{
	const struct up_row **rows = calloc(n + 1, sizeof(*rows));
	uint64_t *ids = calloc(n + 1, sizeof(*ids)), *versions = calloc(n + 1, sizeof(*versions));
	char(*keys)[300] = calloc(n + 1, sizeof(*keys));
	enum up_err rc = UP_ERR_NOMEM;
	size_t i;

	if (n == 0) {
		rc = UP_OK;
		goto out;
	}
	if (rows == NULL || ids == NULL || versions == NULL || keys == NULL)
		goto out;
	for (i = 0; i < n; i++)
		rows[i] = &w[i]->row;
	rc = up_resource_insert_many(db, w[0]->family->res, w[0]->ctx->auth.tenant_id, rows, n, ids,
	                             versions);
	for (i = 0; rc == UP_OK && i < n; i++)
		up_write_inserted(w[i], ids[i], versions[i]);
	if (rc == UP_OK)
		rc = audit_and_events(db, w, n, keys);
out:
	free(rows);
	free(ids);
	free(versions);
	free(keys);
	return rc;
}
