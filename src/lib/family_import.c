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
 * before the transactions (or kept, when already argon2id hashes).  The
 * shell's import (userpatch-admin) names a run: each chunk that commits
 * records, in its own transaction, how many rows of the run are done
 * (import_run.h), and rows done before the request are not run again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "family.h"
#include "import_batch.h"
#include "import_run.h"
#include "import_rows.h"
#include "json.h"
#include "parse.h"
#include "usage.h"

#define IMPORT_CHUNK 1000
/* Rows a run of new rows writes with one multi-row statement at most. */
#define IMPORT_BATCH 500

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
	size_t n, from, to;              /* the chunk being run: rows [from, to) */
	size_t first;                    /* rows before it are done already (the run's skip) */
	const struct up_import_run *run; /* borrowed; NULL: no run (HTTP) */
	enum policy policy;
	int dry, atomic, rolled_back;
	/* writes the token's daily quota leaves: now, and when the chunk began */
	uint64_t room, room_chunk;
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
	w.row_alone = 1; /* a bad row fails alone: its UPDATE cannot wait for the COMMIT */
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

/* Reset r for a run; 0 when it fails before any lookup (not an object, a secret not kept). */
static int row_start(struct row *r)
{
	row_reset(r);
	if (r->in->doc == NULL) {
		row_fail_reason(r, UP_ERR_BAD_JSON, "", r->in->problem);
		return 0;
	}
	if (r->bad_secret != NULL) {
		row_fail_reason(r, UP_ERR_VALIDATION, r->bad_secret,
		                "is not an argon2id hash that can be kept");
		return 0;
	}
	return 1;
}

static enum up_err import_row(struct up_db *db, struct import *im, struct row *r)
{
	const char *by = NULL;
	char key[300];
	int two;
	enum up_err rc;

	if (!row_start(r))
		return UP_OK;
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
	if (im->room == 0) {
		row_fail_reason(r, UP_ERR_QUOTA, "", "the token's daily quota is used up");
		return UP_OK;
	}
	rc = write_row(db, im, r, key);
	if (rc == UP_OK && (r->action == A_CREATED || r->action == A_UPDATED))
		im->room--;
	return rc;
}

/*
 * Validate row r as a new record without writing it (w: defer_insert);
 * *ready when it is to be inserted, else r says why it failed.
 */
static enum up_err prepare_new(struct up_db *db, struct import *im, struct row *r,
                               struct up_write *w, int *ready)
{
	enum up_err rc;

	*ready = 0;
	w->ctx = im->call->ctx;
	w->req = &im->req;
	w->family = im->call->family;
	w->kind = UP_W_POST;
	w->merge = 1;
	w->defer_insert = 1;
	w->input = writable_copy(w->family->res, r->in->doc, 0);
	if (w->input == NULL)
		return UP_ERR_NOMEM;
	if (r->secret != NULL)
		w->secret = *r->secret;
	rc = up_write_in_txn(db, w);
	if (r->secret != NULL) {
		*r->secret = w->secret; /* what was hashed stays for a run again */
		memset(&w->secret, 0, sizeof(w->secret));
	}
	if (rc == UP_OK && !w->pending)
		rc = UP_ERR_INTERNAL; /* every secret of a row is hashed before */
	if (rc == UP_OK) {
		*ready = 1;
	} else if (row_error(rc)) {
		row_fail(r, rc, w->err.details);
		w->err.details = NULL;
		rc = UP_OK;
	}
	return rc;
}

/*
 * Rows [from, to) as new records written together (import_batch.h), when
 * none names an existing record and no two name one value (the unique
 * indexes refuse their INSERT); else *slow: they run one by one, and
 * nothing of them was written here.
 */
static enum up_err batch_rows(struct up_db *db, struct import *im, size_t from, size_t to,
                              int *slow)
{
	const struct up_family *fam = im->call->family;
	size_t n = to - from, np = 0, i;
	const cJSON **docs = calloc(n, sizeof(*docs));
	struct up_write *ws = calloc(n, sizeof(*ws)), **pend = calloc(n, sizeof(*pend));
	size_t *who = calloc(n, sizeof(*who));
	uint64_t room = im->room;
	enum up_err rc = docs && ws && pend && who ? UP_OK : UP_ERR_NOMEM;
	int clear = 0, ready;

	for (i = 0; rc == UP_OK && i < n; i++)
		docs[i] = im->rows[from + i].bad_secret == NULL ? im->rows[from + i].in->doc : NULL;
	if (rc == UP_OK)
		rc = up_import_batch_clear(db, fam->res, im->call->ctx->auth.tenant_id, docs, n,
		                           &clear);
	*slow = !clear;
	for (i = 0; rc == UP_OK && clear && i < n; i++) {
		struct row *r = &im->rows[from + i];

		if (!row_start(r))
			continue;
		if (im->room == 0) {
			row_fail_reason(r, UP_ERR_QUOTA, "", "the token's daily quota is used up");
			continue;
		}
		rc = prepare_new(db, im, r, &ws[i], &ready);
		if (rc == UP_OK && ready) {
			pend[np] = &ws[i];
			who[np++] = from + i;
			im->room--;
		}
	}
	if (rc == UP_OK && clear)
		rc = up_import_batch_insert(db, pend, np);
	if (rc == UP_ERR_CONFLICT) {
		/* Two rows naming one value (a unique index refused the INSERT): one by one. */
		*slow = 1;
		im->room = room;
		rc = UP_OK;
	}
	for (i = 0; rc == UP_OK && !*slow && i < np; i++) {
		im->rows[who[i]].action = A_CREATED;
		up_resource_key_format(fam->res, &pend[i]->key, im->rows[who[i]].id,
		                       sizeof(im->rows[who[i]].id));
	}
	for (i = 0; ws != NULL && i < n; i++) {
		up_write_reset(&ws[i]);
		up_secret_wipe(&ws[i].secret);
		up_json_wipe_delete((cJSON *)ws[i].input);
	}
	free(docs);
	free(ws);
	free(pend);
	free(who);
	return rc;
}

/* One chunk as one transaction (run again from its start on deadlock). */
static enum up_err chunk_txn(struct up_db *db, void *arg)
{
	struct import *im = arg;
	enum up_err rc = UP_OK;
	size_t i, j, end, failed = 0;
	int slow;

	im->rolled_back = 0;
	im->room = im->room_chunk;
	for (i = im->from; rc == UP_OK && i < im->to; i = end) {
		end = im->to - i > IMPORT_BATCH ? i + IMPORT_BATCH : im->to;
		rc = batch_rows(db, im, i, end, &slow);
		for (j = i; rc == UP_OK && slow && j < end; j++)
			rc = import_row(db, im, &im->rows[j]);
	}
	for (i = im->from; rc == UP_OK && i < im->to; i++)
		failed += im->rows[i].action == A_FAILED;
	if (rc == UP_OK && (im->dry || (im->atomic && failed > 0))) {
		im->rolled_back = 1;
		rc = UP_ERR_CONFLICT; /* any error rolls back; rolled_back tells it was meant */
	}
	if (rc == UP_OK && im->run != NULL) /* the run's count commits with the rows */
		rc = up_import_run_save(db, im->run, im->run->base + im->to);
	return rc;
}

/* Hash the secrets the rows set, before any transaction (argon2id never runs in one). */
static enum up_err prehash(struct import *im, const struct up_config *cfg)
{
	const struct up_resource *res = im->call->family->res;
	size_t i, f;

	for (f = 0; f < res->nfields && res->fields[f].type != UP_FT_SECRET; f++)
		;
	for (i = im->first; f < res->nfields && i < im->n; i++) {
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

/* Each record a committed chunk wrote counts as one write of the token (apiUsage, the quota). */
static void count_writes(const struct import *im)
{
	char day[11];
	size_t i;

	if (im->call->ctx->auth.token_id == 0)
		return; /* no token: the shell's import (userpatch-admin) */
	up_usage_today(day);
	for (i = im->from; i < im->to; i++)
		if (im->rows[i].action == A_CREATED || im->rows[i].action == A_UPDATED)
			(void)up_usage_count(im->call->ctx->auth.token_id, day);
}

/* The writes the token's daily quota leaves for this import (after the request itself). */
static uint64_t quota_room(const struct up_auth *auth)
{
	if (auth->token_id == 0 || !auth->has_limit)
		return UINT64_MAX;
	return auth->usage.daily >= auth->daily_limit ? 0 : auth->daily_limit - auth->usage.daily;
}

/* Run every chunk (atomic or dry: all rows in one); the rows' outcomes are in im->rows. */
static enum up_err run_chunks(struct import *im)
{
	struct up_ctx *ctx = im->call->ctx;
	size_t chunk = im->atomic ? im->n : IMPORT_CHUNK;
	enum up_err rc = UP_OK;

	im->room_chunk = quota_room(&ctx->auth);
	for (im->from = im->first; rc == UP_OK && im->from < im->n; im->from = im->to) {
		im->to = im->n - im->from > chunk ? im->from + chunk : im->n;
		rc = up_db_transaction(ctx->db, chunk_txn, im);
		if (rc == UP_OK) {
			count_writes(im);
			im->room_chunk = im->room;
		}
		if (rc != UP_OK && im->rolled_back)
			rc = UP_OK;
	}
	return rc;
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
	for (i = im->first; i < im->n; i++) {
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
	up_family_import_run(call, NULL);
}

void up_family_import_run(struct up_call *call, const struct up_import_run *run)
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
	im.run = run;
	rc = take_params(call, &im, &e);
	if (rc == UP_OK)
		rc = up_import_rows(call->family->res, call->req->content_type, call->req->body,
		                    call->req->body_len, cfg->max_import_rows, cfg->max_json_depth,
		                    &in, &im.n, &e);
	if (rc == UP_OK && im.n > 0 && (im.rows = calloc(im.n, sizeof(*im.rows))) == NULL)
		rc = up_error_set(&e, UP_ERR_NOMEM, NULL);
	for (i = 0; rc == UP_OK && i < im.n; i++)
		im.rows[i].in = &in[i];
	if (run != NULL)
		im.first = run->skip < im.n ? run->skip : im.n;
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
