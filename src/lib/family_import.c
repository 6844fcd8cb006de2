/* SPDX-License-Identifier: ISC */
/*
 * family_import.c: POST <collection>/import: many rows of a family in one
 * request (NDJSON, CSV or a JSON array: import_rows.h), each written by the
 * write pipeline (family_write.c) as a POST of the row, or, when the row
 * names an existing record by its id or a unique field, reported, left
 * alone or merged into it as a JSON Merge Patch (onConflict=fail|skip|
 * update).  Rows run in chunks, one transaction each, so a bad row fails
 * alone; atomic=true makes all rows one transaction that is kept only when
 * no row failed, dryRun=true rolls every chunk back.  Secrets are hashed
 * before the transactions (or kept, when already argon2id hashes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "family.h"
#include "import_rows.h"
#include "json.h"
#include "parse.h"
#include "usage.h"

#define IMPORT_CHUNK 200

enum policy { ON_FAIL, ON_SKIP, ON_UPDATE };
enum action { A_NONE, A_CREATED, A_UPDATED, A_UNCHANGED, A_SKIPPED, A_FAILED };

static const char *const action_names[] = {"",          "created", "updated",
                                           "unchanged", "skipped", "failed"};

struct row {
	const struct up_import_row *in; /* borrowed from the rows read */
	struct up_secret *secret;       /* owned; NULL when the row sets no secret */
	const char *bad_secret;         /* the secret field, when its hash cannot be kept */
	/* what the last run of its chunk did */
	enum action action;
	char id[300];
	enum up_err code;
	cJSON *details; /* owned */
};

struct import {
	struct up_call *call;
	struct up_request req; /* the call's request without If-Match (which names one record) */
	struct row *rows;
	size_t n, from, to; /* the chunk being run: rows [from, to) */
	enum policy policy;
	int dry, atomic, rolled_back;
};

static void row_reset(struct row *r)
{
	cJSON_Delete(r->details);
	r->details = NULL;
	r->action = A_NONE;
	r->id[0] = '\0';
	r->code = UP_OK;
}

/* The row fails with code; the detail (may be NULL) is taken over. */
static void row_fail(struct row *r, enum up_err code, cJSON *details)
{
	r->action = A_FAILED;
	r->code = code;
	cJSON_Delete(r->details);
	r->details = details;
}

static void row_fail_reason(struct row *r, enum up_err code, const char *field, const char *why)
{
	struct up_error e = {0};

	up_error_detail(&e, field, "%s", why);
	row_fail(r, code, e.details);
}

/* A copy of doc without the members no write takes (read-only, computed; update: the key too). */
static cJSON *writable_copy(const struct up_resource *res, const cJSON *doc, int update)
{
	cJSON *out = cJSON_Duplicate(doc, 1), *m, *next;

	for (m = out != NULL ? out->child : NULL; m != NULL; m = next) {
		int i = up_resource_field(res, m->string);
		const struct up_field *f = i >= 0 ? &res->fields[i] : NULL;

		next = m->next;
		if (f == NULL || (f->flags & UP_FF_HIDDEN))
			continue; /* unknown: the validation names it */
		if ((f->flags & (UP_FF_READONLY | UP_FF_COMPUTED)) ||
		    (update && (f->flags & (UP_FF_KEY | UP_FF_CREATEONLY))))
			up_json_wipe_delete(cJSON_DetachItemViaPointer(out, m));
	}
	return out;
}

/* The SQL that finds the key of the row whose field i equals a value (kept for the process). */
static const char *lookup_sql(const struct up_resource *res, size_t i)
{
	static struct {
		const struct up_resource *res;
		size_t field;
		char *sql;
	} cache[64];
	const struct up_field *f = &res->fields[i];
	const char *col = f->column, *expr = "?";
	char buf[512];
	size_t k;

	for (k = 0; k < 64 && cache[k].res != NULL; k++)
		if (cache[k].res == res && cache[k].field == i)
			return cache[k].sql;
	if (k == 64)
		return NULL;
	/* A field the list filters in its own way (e-mail, any case) is compared that way. */
	for (size_t j = 0; j < res->nfilters; j++)
		if (strcmp(res->filters[j].param, f->name) == 0 && res->filters[j].value != NULL) {
			col = res->filters[j].column;
			expr = res->filters[j].value;
		}
	snprintf(buf, sizeof(buf),
	         "SELECT %s FROM %s WHERE tenant_id = ? AND %s = %s LIMIT 1 FOR UPDATE",
	         up_resource_key(res)->column, res->table, col, expr);
	cache[k].sql = strdup(buf);
	if (cache[k].sql != NULL) {
		cache[k].res = res;
		cache[k].field = i;
	}
	return cache[k].sql;
}

/* The key of the record field i of the row names (*found 0: none). */
static enum up_err lookup(struct up_db *db, const struct import *im, size_t i, const char *value,
                          char *key, size_t len, int *found)
{
	const struct up_resource *res = im->call->family->res;
	const struct up_field *f = &res->fields[i];
	const char *sql = lookup_sql(res, i);
	struct up_db_param p[2] = {UP_P_U64(im->call->ctx->auth.tenant_id), UP_P_STR(value)};
	struct up_db_result out;
	struct up_key k;
	enum up_err rc;

	*found = 0;
	if (sql == NULL)
		return UP_ERR_NOMEM;
	if (f->flags & UP_FF_KEY) {
		if (up_resource_parse_key(res, value, &k) != UP_OK)
			return UP_OK; /* cannot be an id of this family: no record */
		if (f->type == UP_FT_ID)
			p[1] = UP_P_U64(k.id);
	}
	rc = up_db_query(db, sql, p, 2, &out);
	if (rc != UP_OK)
		return rc;
	if (out.nrows > 0 && up_db_cell(&out, 0, 0) != NULL) {
		struct up_key fk = {0, up_db_cell(&out, 0, 0)};

		if (up_resource_key(res)->type == UP_FT_ID &&
		    up_parse_u64(fk.text, 1, UINT64_MAX, &fk.id) != UP_OK)
			rc = UP_ERR_INTERNAL;
		up_resource_key_format(res, &fk, key, len);
		*found = rc == UP_OK;
	}
	up_db_result_free(&out);
	return rc;
}

/*
 * The record the row names by its id or a unique field: *key its id, ""
 * for none, *by the first field that names it.  Two records named is the row's failure (*two set).
 */
static enum up_err find_record(struct up_db *db, const struct import *im, struct row *r, char *key,
                               size_t len, const char **by, int *two)
{
	const struct up_resource *res = im->call->family->res;
	char other[300];
	size_t i;

	key[0] = '\0';
	*two = 0;
	for (i = 0; i < res->nfields; i++) {
		const struct up_field *f = &res->fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->in->doc, f->name);
		int found;
		enum up_err rc;

		if (!(f->flags & UP_FF_KEY) && f->unique_key == NULL)
			continue;
		if (!cJSON_IsString(v) || (f->flags & UP_FF_HIDDEN))
			continue;
		rc = lookup(db, im, i, v->valuestring, other, sizeof(other), &found);
		if (rc != UP_OK)
			return rc;
		if (!found)
			continue;
		if (key[0] != '\0' && strcmp(key, other) != 0) {
			char why[700];

			snprintf(why, sizeof(why), "names %s, while another field names %s", other,
			         key);
			row_fail_reason(r, UP_ERR_CONFLICT, f->name, why);
			*two = 1;
			return UP_OK;
		}
		if (key[0] == '\0')
			*by = f->name;
		snprintf(key, len, "%s", other);
	}
	return UP_OK;
}

/* An error a row may fail with alone; any other ends the chunk (the database, memory). */
static int row_error(enum up_err rc)
{
	return rc != UP_ERR_NOMEM && rc != UP_ERR_INTERNAL && rc != UP_ERR_IO &&
	       rc != UP_ERR_CONFIG && rc != UP_ERR_DB && rc != UP_ERR_DB_RETRY &&
	       rc != UP_ERR_DB_UNAVAILABLE;
}

/* Write row r (no record named: create; else by the policy); the row's outcome in r. */
static enum up_err write_row(struct up_db *db, struct import *im, struct row *r, const char *key)
{
	const struct up_family *fam = im->call->family;
	struct up_write w;
	enum up_err rc;

	memset(&w, 0, sizeof(w));
	w.ctx = im->call->ctx;
	w.req = &im->req;
	w.family = fam;
	w.kind = key[0] == '\0' ? UP_W_POST : UP_W_PATCH;
	w.merge = 1;
	if (w.kind == UP_W_PATCH && up_resource_parse_key(fam->res, key, &w.key) != UP_OK)
		return UP_ERR_INTERNAL;
	w.input = writable_copy(fam->res, r->in->doc, w.kind == UP_W_PATCH);
	if (w.input == NULL)
		return UP_ERR_NOMEM;
	if (r->secret != NULL)
		w.secret = *r->secret;
	rc = up_write_in_txn(db, &w);
	if (r->secret != NULL) {
		*r->secret = w.secret; /* what was hashed stays for a run again */
		memset(&w.secret, 0, sizeof(w.secret));
	}
	if (rc == UP_OK && up_secret_pending(r->secret != NULL ? r->secret : &w.secret))
		rc = UP_ERR_INTERNAL; /* every secret of a row is hashed before */
	if (rc == UP_OK) {
		r->action = w.kind == UP_W_POST          ? A_CREATED
		            : w.version != w.cur.version ? A_UPDATED
		                                         : A_UNCHANGED;
		up_resource_key_format(fam->res, &w.key, r->id, sizeof(r->id));
	} else if (row_error(rc)) {
		row_fail(r, rc, w.err.details);
		w.err.details = NULL;
		rc = UP_OK;
	}
	up_write_reset(&w);
	up_secret_wipe(&w.secret);
	up_json_wipe_delete((cJSON *)w.input);
	return rc;
}

static enum up_err import_row(struct up_db *db, struct import *im, struct row *r)
{
	const char *by = NULL;
	char key[300];
	int two;
	enum up_err rc;

	row_reset(r);
	if (r->in->doc == NULL) {
		row_fail_reason(r, UP_ERR_BAD_JSON, "", r->in->problem);
		return UP_OK;
	}
	if (r->bad_secret != NULL) {
		row_fail_reason(r, UP_ERR_VALIDATION, r->bad_secret,
		                "is not an argon2id hash that can be kept");
		return UP_OK;
	}
	rc = find_record(db, im, r, key, sizeof(key), &by, &two);
	if (rc != UP_OK || two)
		return rc;
	if (key[0] != '\0' && im->policy != ON_UPDATE) {
		snprintf(r->id, sizeof(r->id), "%s", key);
		if (im->policy == ON_SKIP) {
			r->action = A_SKIPPED;
		} else {
			row_fail_reason(r, UP_ERR_CONFLICT, by, "names an existing record");
			snprintf(r->id, sizeof(r->id), "%s", key);
		}
		return UP_OK;
	}
	return write_row(db, im, r, key);
}

/* One chunk as one transaction (run again from its start on deadlock). */
static enum up_err chunk_txn(struct up_db *db, void *arg)
{
	struct import *im = arg;
	enum up_err rc = UP_OK;
	size_t i, failed = 0;

	im->rolled_back = 0;
	for (i = im->from; rc == UP_OK && i < im->to; i++) {
		rc = import_row(db, im, &im->rows[i]);
		failed += im->rows[i].action == A_FAILED;
	}
	if (rc == UP_OK && (im->dry || (im->atomic && failed > 0))) {
		im->rolled_back = 1;
		rc = UP_ERR_CONFLICT; /* any error rolls back; rolled_back tells it was meant */
	}
	return rc;
}

/* Hash the secrets the rows set, before any transaction (argon2id never runs in one). */
static enum up_err prehash(struct import *im, const struct up_config *cfg)
{
	const struct up_resource *res = im->call->family->res;
	size_t i, f;

	for (f = 0; f < res->nfields && res->fields[f].type != UP_FT_SECRET; f++)
		;
	for (i = 0; f < res->nfields && i < im->n; i++) {
		struct row *r = &im->rows[i];
		const cJSON *pw = cJSON_GetObjectItemCaseSensitive(r->in->doc, res->fields[f].name);
		enum up_err rc;

		if (!cJSON_IsString(pw) || pw->valuestring[0] == '\0')
			continue;
		r->secret = calloc(1, sizeof(*r->secret));
		if (r->secret == NULL)
			return UP_ERR_NOMEM;
		if (strncmp(pw->valuestring, "$argon2id$", 10) == 0) {
			if (up_secret_keep_hash(r->secret, pw->valuestring) != UP_OK)
				r->bad_secret = res->fields[f].name;
			continue;
		}
		rc = up_secret_prehash(r->secret, cfg, pw->valuestring);
		if (rc != UP_OK)
			return rc;
	}
	return UP_OK;
}

/* Run every chunk (atomic or dry: all rows in one); the rows' outcomes are in im->rows. */
static enum up_err run_chunks(struct import *im)
{
	struct up_ctx *ctx = im->call->ctx;
	size_t chunk = im->atomic ? im->n : IMPORT_CHUNK;
	enum up_err rc = UP_OK;

	for (im->from = 0; rc == UP_OK && im->from < im->n; im->from = im->to) {
		im->to = im->n - im->from > chunk ? im->from + chunk : im->n;
		rc = up_db_transaction(ctx->db, chunk_txn, im);
		if (rc != UP_OK && im->rolled_back)
			rc = UP_OK;
	}
	return rc;
}

/* Each record written counts as one write of the token (apiUsage, the daily quota). */
static void count_writes(const struct import *im, int committed)
{
	char day[11];
	size_t i;

	if (!committed || im->call->ctx->auth.token_id == 0)
		return; /* no token: the shell's import (userpatch-admin) */
	up_usage_today(day);
	for (i = 0; i < im->n; i++)
		if (im->rows[i].action == A_CREATED || im->rows[i].action == A_UPDATED)
			(void)up_usage_count(im->call->ctx->auth.token_id, day);
}

/* The answer: the counts, and one result per row that was not plainly created. */
static cJSON *report(const struct import *im, int committed)
{
	cJSON *body = cJSON_CreateObject(), *results = cJSON_CreateArray();
	size_t i, count[A_FAILED + 1] = {0};

	if (body == NULL || results == NULL) {
		cJSON_Delete(body);
		cJSON_Delete(results);
		return NULL;
	}
	for (i = 0; i < im->n; i++) {
		const struct row *r = &im->rows[i];
		cJSON *o;

		count[r->action]++;
		if (r->action == A_CREATED || (o = cJSON_CreateObject()) == NULL)
			continue;
		cJSON_AddNumberToObject(o, "line", (double)r->in->line);
		cJSON_AddStringToObject(o, "action", action_names[r->action]);
		if (r->id[0] != '\0')
			cJSON_AddStringToObject(o, "id", r->id);
		if (r->action == A_FAILED) {
			cJSON_AddStringToObject(o, "code", up_err_code(r->code));
			cJSON_AddItemToObject(o, "details",
			                      r->details != NULL ? cJSON_Duplicate(r->details, 1)
			                                         : cJSON_CreateArray());
		}
		cJSON_AddItemToArray(results, o);
	}
	cJSON_AddNumberToObject(body, "created", (double)count[A_CREATED]);
	cJSON_AddNumberToObject(body, "updated", (double)count[A_UPDATED]);
	cJSON_AddNumberToObject(body, "skipped", (double)(count[A_SKIPPED] + count[A_UNCHANGED]));
	cJSON_AddNumberToObject(body, "failed", (double)count[A_FAILED]);
	cJSON_AddBoolToObject(body, "dryRun", im->dry);
	cJSON_AddBoolToObject(body, "committed", committed);
	cJSON_AddItemToObject(body, "results", results);
	return body;
}

enum { P_ON_CONFLICT, P_DRY_RUN, P_ATOMIC, P_N };

static enum up_err take_params(struct up_call *call, struct import *im, struct up_error *e)
{
	static const struct up_param spec[P_N] = {
	        [P_ON_CONFLICT] = {"onConflict", UP_PARAM_STRING, 0, 0, 0},
	        [P_DRY_RUN] = {"dryRun", UP_PARAM_BOOL, 0, 0, 0},
	        [P_ATOMIC] = {"atomic", UP_PARAM_BOOL, 0, 0, 0},
	};
	struct up_param_value v[P_N];
	enum up_err rc = up_req_params(call, spec, P_N, v, e);
	const char *p = v[P_ON_CONFLICT].present ? v[P_ON_CONFLICT].text : "fail";

	if (rc == UP_OK) {
		im->dry = v[P_DRY_RUN].present && v[P_DRY_RUN].flag;
		im->atomic = v[P_ATOMIC].present && v[P_ATOMIC].flag;
		im->policy = strcmp(p, "skip") == 0     ? ON_SKIP
		             : strcmp(p, "update") == 0 ? ON_UPDATE
		                                        : ON_FAIL;
		if (strcmp(p, "fail") != 0 && im->policy == ON_FAIL)
			rc = up_error_set(e, UP_ERR_BAD_REQUEST,
			                  "onConflict must be fail, skip or update");
	}
	up_req_params_free(v, P_N);
	return rc;
}

static void free_rows(struct import *im)
{
	size_t i;

	for (i = 0; im->rows != NULL && i < im->n; i++) {
		row_reset(&im->rows[i]);
		if (im->rows[i].secret != NULL)
			up_secret_wipe(im->rows[i].secret);
		free(im->rows[i].secret);
	}
	free(im->rows);
}

void up_family_import(struct up_call *call)
{
	const struct up_config *cfg = call->ctx->cfg;
	struct up_import_row *in = NULL;
	struct up_error e = {0};
	struct import im;
	cJSON *body;
	enum up_err rc;
	size_t i;

	memset(&im, 0, sizeof(im));
	im.call = call;
	im.req = *call->req;
	im.req.if_match = NULL;
	rc = take_params(call, &im, &e);
	if (rc == UP_OK)
		rc = up_import_rows(call->family->res, call->req->content_type, call->req->body,
		                    call->req->body_len, cfg->max_import_rows, cfg->max_json_depth,
		                    &in, &im.n, &e);
	if (rc == UP_OK && im.n > 0 && (im.rows = calloc(im.n, sizeof(*im.rows))) == NULL)
		rc = up_error_set(&e, UP_ERR_NOMEM, NULL);
	for (i = 0; rc == UP_OK && i < im.n; i++)
		im.rows[i].in = &in[i];
	if (rc == UP_OK)
		rc = prehash(&im, cfg);
	if (rc == UP_OK)
		rc = run_chunks(&im);
	if (rc != UP_OK) {
		if (e.code != rc)
			up_error_set(&e, rc, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
		goto out;
	}
	count_writes(&im, !im.dry && !im.rolled_back);
	body = report(&im, !im.dry && !im.rolled_back);
	if (body == NULL) {
		up_error_set(&e, UP_ERR_NOMEM, NULL);
		up_ctx_fail(call->ctx, call->resp, &e);
		goto out;
	}
	up_reply(call, 200, body);
out:
	free_rows(&im);
	up_import_rows_free(in, im.n);
}
