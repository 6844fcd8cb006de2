/* SPDX-License-Identifier: ISC */
/*
 * family_write.c: PATCH, PUT, POST and DELETE of a family's rows.  Each
 * runs as one transaction (re-runnable: everything it makes is reset at its
 * start): lock the row, check If-Match, build the new representation,
 * validate it as a whole, check uniqueness and references, run the hooks,
 * write the changed columns, bump version, audit, commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "family.h"
#include "json.h"
#include "json_merge_patch.h"
#include "json_patch.h"

/* Wipe every string of a tree (it may hold a password); the tree stays. */
static void wipe_strings(cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring != NULL)
			sodium_memzero(v->valuestring, strlen(v->valuestring));
		wipe_strings(v->child);
	}
}

static void attempt_reset(struct up_write *w)
{
	up_current_free(&w->cur);
	wipe_strings(w->next);
	cJSON_Delete(w->next);
	cJSON_Delete(w->result);
	up_row_free(&w->row);
	up_error_reset(&w->err);
	w->next = w->result = NULL;
	w->version = 0;
	w->pending = 0;
}

/*
 * The secret a request most likely sets, hashed before the transaction: the
 * body's member (PUT, POST, a merge patch) or the value of the last
 * add/replace of it (JSON Patch).  Anything else is caught by
 * store_secrets().
 */
static enum up_err prehash_input(struct up_write *w)
{
	const struct up_resource *r = w->family->res;
	const cJSON *pw = NULL, *op;
	char path[80];
	size_t i;

	for (i = 0; i < r->nfields && r->fields[i].type != UP_FT_SECRET; i++)
		;
	if (i == r->nfields)
		return UP_OK;
	snprintf(path, sizeof(path), "/%s", r->fields[i].name);
	if (w->kind == UP_W_PUT || w->kind == UP_W_POST || w->merge) {
		pw = cJSON_GetObjectItemCaseSensitive(w->input, r->fields[i].name);
	} else if (w->kind == UP_W_PATCH) {
		cJSON_ArrayForEach(op, w->input)
		{
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(op, "op");
			const cJSON *at = cJSON_GetObjectItemCaseSensitive(op, "path");

			if (cJSON_IsString(o) && cJSON_IsString(at) &&
			    strcmp(at->valuestring, path) == 0 &&
			    (strcmp(o->valuestring, "add") == 0 ||
			     strcmp(o->valuestring, "replace") == 0))
				pw = cJSON_GetObjectItemCaseSensitive(op, "value");
		}
	}
	if (!cJSON_IsString(pw) || pw->valuestring == NULL)
		return UP_OK;
	return up_secret_prehash(&w->secret, w->ctx->cfg, pw->valuestring);
}

/*
 * Every secret field of w->row (users: the password) becomes its hash, made
 * before the transaction.  One the pipeline could not foresee (a patch that
 * copies or moves a value to it) sets *later: this run writes nothing, and
 * up_secret_transaction() hashes it and runs the write again.
 */
static enum up_err store_secrets(struct up_write *w, int *later)
{
	const struct up_resource *r = w->family->res;
	enum up_secret_verdict v;
	enum up_err rc;
	size_t i;

	*later = 0;
	for (i = 0; i < r->nfields; i++) {
		char *plain = w->row.text[i];

		if (r->fields[i].type != UP_FT_SECRET || !w->row.set[i] || plain == NULL)
			continue;
		rc = up_secret_judge(&w->secret, plain, NULL, &v);
		if (rc != UP_OK)
			return rc;
		if (v != UP_SECRET_NEW) {
			*later = 1;
			continue;
		}
		w->row.text[i] = strdup(w->secret.hash);
		sodium_memzero(plain, strlen(plain));
		free(plain);
		if (w->row.text[i] == NULL)
			return UP_ERR_NOMEM;
	}
	return UP_OK;
}

/* Patch errors as details: [{"op": i, "path": "...", "reason": "..."}]. */
static void patch_error(struct up_error *e, const struct up_patch_error *perr)
{
	cJSON *d = cJSON_CreateObject();

	up_error_set(e, perr->err, "%s", perr->message);
	if (d != NULL && perr->op_index >= 0)
		cJSON_AddNumberToObject(d, "op", (double)perr->op_index);
	if (d != NULL) {
		cJSON_AddStringToObject(d, "path", perr->pointer);
		cJSON_AddStringToObject(d, "reason", perr->message);
	}
	up_error_add(e, d);
}

static void patch_limits(const struct up_config *cfg, struct up_json_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_ops = cfg->max_patch_ops;
	lim->max_pointer_len = cfg->max_pointer_len;
	lim->max_depth = cfg->max_json_depth;
}

/*
 * w->next: the current representation patched (a JSON Patch, or a merge
 * patch whose nulls the resource interprets), or the body.
 */
static enum up_err build_next(struct up_write *w)
{
	struct up_json_limits lim;
	struct up_patch_error perr;
	enum up_err rc;

	if (w->kind != UP_W_PATCH) {
		w->next = cJSON_Duplicate(w->input, 1);
		return w->next != NULL ? UP_OK : UP_ERR_NOMEM;
	}
	/* Both patch a copy: w->cur.json stays what the result is validated against. */
	patch_limits(w->ctx->cfg, &lim);
	if (w->merge)
		rc = up_merge_patch_apply(w->cur.json, w->input, &lim, up_resource_merge_keeps_null,
		                          w->family->res, &w->next, &perr);
	else
		rc = up_patch_apply_to(w->cur.json, w->input, &lim, &w->next, &perr);
	if (rc != UP_OK)
		patch_error(&w->err, &perr);
	return rc;
}

/*
 * The change's audit row and, unless the family keeps out of the change
 * feed, its event ("user.updated"...: what is "created", "updated" or
 * "deleted"), in one statement (up_audit_write).
 */
static enum up_err audit(struct up_db *db, struct up_write *w, const char *action,
                         const cJSON *names, const char *what, uint64_t version)
{
	const struct up_auth *auth = &w->ctx->auth;
	struct up_audit_event ev = {NULL, NULL, version}, *evp = NULL;
	char key[300], type[40];

	up_resource_key_format(w->family->res, &w->key, key, sizeof(key));
	if (!w->family->no_events) {
		snprintf(type, sizeof(type), "%s.%s", w->family->res->noun, what);
		ev.type = type;
		ev.resource_id = key;
		evp = &ev;
	}
	if (w->family->audit == NULL)
		return up_audit_write(db, auth->tenant_id, auth->token_id, w->key.id,
		                      w->req->request_id, action, names, evp);
	return up_audit_write_resource(db, auth->tenant_id, auth->token_id, w->family->audit, key,
	                               w->req->request_id, action, names, evp);
}

static enum up_err do_delete(struct up_db *db, struct up_write *w)
{
	const struct up_hooks *h = w->family->hooks;
	cJSON *names = cJSON_CreateArray();
	enum up_err rc = names == NULL ? UP_ERR_NOMEM : UP_OK;

	if (rc == UP_OK && h != NULL && h->before_delete != NULL)
		rc = h->before_delete(db, w);
	if (rc == UP_OK)
		rc = up_resource_delete(db, w->family->res, w->ctx->auth.tenant_id, &w->key);
	/* The audit row, once the DELETE worked, goes with the COMMIT. */
	if (rc == UP_OK)
		rc = audit(db, w, "delete", names, "deleted", w->cur.version);
	cJSON_Delete(names);
	return rc;
}

/* After an INSERT: the key of the new row (the auto id, or the text key it was given). */
static void take_new_key(struct up_write *w, uint64_t id)
{
	const struct up_resource *r = w->family->res;
	int k = (int)(up_resource_key(r) - r->fields);

	w->key.id = id;
	if (up_resource_key(r)->type != UP_FT_ID && w->row.text[k] != NULL) {
		snprintf(w->key_buf, sizeof(w->key_buf), "%s", w->row.text[k]);
		w->key.text = w->key_buf;
	}
}

/*
 * The failure rc as the answer words it: a duplicate key (met at its
 * statement or at the COMMIT that carried it) named by its field, and the
 * family's messages for a broken rule or a missing row.
 */
static enum up_err explain(struct up_db *db, struct up_write *w, enum up_err rc)
{
	const struct up_resource *r = w->family->res;

	if (rc == UP_ERR_CONFLICT && w->err.message[0] == '\0')
		rc = up_resource_dup_key(db, r, &w->err);
	if (rc == UP_ERR_VALIDATION && w->err.message[0] == '\0')
		up_error_set(&w->err, rc, "The %s breaks field rules; see details", r->noun);
	if (rc == UP_ERR_NOT_FOUND && w->err.message[0] == '\0')
		up_error_set(&w->err, rc, "%s not found", w->family->title);
	return rc;
}

static enum up_err write_txn(struct up_db *db, void *arg)
{
	struct up_write *w = arg;
	const struct up_resource *r = w->family->res;
	const struct up_hooks *h = w->family->hooks;
	uint64_t tenant = w->ctx->auth.tenant_id, id = 0;
	cJSON *names = NULL;
	size_t nchanged = 0;
	int later = 0;
	enum up_err rc;

	attempt_reset(w);
	if (w->kind != UP_W_POST) {
		rc = up_resource_lock(db, r, tenant, &w->key, &w->cur);
		if (rc != UP_OK)
			goto out;
		rc = up_req_if_match(w->req, w->cur.version, &w->err);
		if (rc != UP_OK)
			goto out;
	}
	if (w->kind == UP_W_DELETE) {
		rc = do_delete(db, w);
		goto out;
	}
	rc = build_next(w);
	if (rc != UP_OK)
		goto out;
	rc = up_resource_validate(r, w->next, w->cur.json,
	                          w->kind == UP_W_POST  ? UP_V_CREATE
	                          : w->kind == UP_W_PUT ? UP_V_REPLACE
	                                                : UP_V_PATCH,
	                          w->ctx->cfg->device_validation, &w->err, &w->row);
	if (rc == UP_OK && up_error_ndetails(&w->err) == 0)
		rc = up_resource_check_db(db, r, tenant, &w->row, &w->err);
	if (rc == UP_OK && up_error_ndetails(&w->err) == 0 && h != NULL && h->check != NULL)
		rc = h->check(db, w);
	if (rc == UP_OK && up_error_ndetails(&w->err) > 0)
		rc = UP_ERR_VALIDATION;
	if (rc != UP_OK)
		goto out;
	names = up_row_names(r, &w->row, &nchanged);
	if (names == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	if (nchanged == 0 && w->kind != UP_W_POST) {
		/* Nothing changes: no write, no new version, no audit row. */
		w->result = w->cur.json;
		w->version = w->cur.version;
		w->cur.json = NULL;
		goto out;
	}
	rc = store_secrets(w, &later);
	if (rc != UP_OK || later)
		goto out; /* later: nothing is written in this run */
	if (h != NULL && h->before_write != NULL)
		rc = h->before_write(db, w);
	if (rc == UP_OK && w->kind == UP_W_POST && w->defer_insert) {
		w->pending = 1; /* the caller inserts, audits and appends the event */
		goto out;
	}
	/* The new state is known here: no SELECT reads it back. */
	if (rc == UP_OK && w->kind == UP_W_POST) {
		rc = up_resource_insert(db, r, tenant, &w->row, &id, &w->result, &w->version);
		if (rc == UP_OK)
			take_new_key(w, id);
		if (rc == UP_OK)
			rc = audit(db, w, "create", names, "created", w->version);
	} else if (rc == UP_OK && w->row_alone) {
		/* The UPDATE now (a duplicate fails this row alone), then its audit row. */
		rc = up_resource_update(db, r, tenant, &w->key, &w->row, w->cur.now);
		if (rc == UP_OK)
			rc = audit(db, w, "update", names, "updated", w->cur.version + 1);
	} else if (rc == UP_OK) {
		/* The audit row and the UPDATE of the locked row go with the COMMIT. */
		rc = audit(db, w, "update", names, "updated", w->cur.version + 1);
		if (rc == UP_OK)
			rc = up_resource_update_at_commit(db, r, tenant, &w->key, &w->row,
			                                  w->cur.now);
	}
	if (rc == UP_OK && w->kind != UP_W_POST)
		rc = up_resource_after_write(r, &w->cur, &w->row, &w->result, &w->version);
out:
	rc = explain(db, w, rc);
	cJSON_Delete(names);
	return rc;
}

enum up_err up_write_in_txn(struct up_db *db, struct up_write *w)
{
	return write_txn(db, w);
}

void up_write_reset(struct up_write *w)
{
	attempt_reset(w);
}

void up_write_inserted(struct up_write *w, uint64_t id, uint64_t version)
{
	take_new_key(w, id);
	w->version = version;
	w->pending = 0;
}

/* Run the write's transaction (hashing a secret between runs if need be) and answer. */
static void run(struct up_write *w, struct up_call *call)
{
	const struct up_hooks *h = w->family->hooks;
	enum up_err rc;

	/* argon2id runs here, outside the transaction, never with a row locked. */
	rc = prehash_input(w);
	if (rc == UP_OK)
		rc = up_secret_transaction(call->ctx->db, call->ctx->cfg, &w->secret, write_txn, w);
	/* A duplicate value the UPDATE met at the COMMIT: named as if met at the UPDATE. */
	rc = explain(call->ctx->db, w, rc);
	if (rc == UP_OK && w->kind != UP_W_DELETE && h != NULL && h->answer != NULL)
		rc = h->answer(w);
	if (rc != UP_OK) {
		w->err.code = rc;
		up_ctx_fail(call->ctx, call->resp, &w->err);
	} else if (w->kind == UP_W_DELETE) {
		call->resp->status = 204;
	} else {
		int created = w->kind == UP_W_POST;

		up_reply_versioned(call, created ? 201 : 200, w->result, w->version);
		w->result = NULL;
		if (created && call->resp->status == 201) {
			char loc[512], id[300];

			up_resource_key_format(w->family->res, &w->key, id, sizeof(id));
			snprintf(loc, sizeof(loc), "%s/%s", w->family->res->path, id);
			up_response_header(call->resp, "Location", loc);
		}
	}
	attempt_reset(w);
	up_secret_wipe(&w->secret);
}

/* The media types the body of a write may have (PATCH: also Accept-Patch). */
static const char *const *body_types(enum up_wkind kind)
{
	static const char *const patch[] = {UP_JSON_PATCH_TYPE, UP_MERGE_PATCH_TYPE,
	                                    "application/json", NULL};
	static const char *const json[] = {"application/json", NULL};

	return kind == UP_W_PATCH ? patch : json;
}

/*
 * Parse the body into *doc (owned by the caller); *merge is 1 for a PATCH
 * body that is a JSON Merge Patch.  On failure the answer is made here.
 */
static enum up_err read_body(struct up_call *call, enum up_wkind kind, cJSON **doc, int *merge)
{
	const char *ct = call->req->content_type;
	struct up_error e = {0};
	enum up_err rc = up_req_json_body(call, body_types(kind), doc, &e);

	*merge = kind == UP_W_PATCH && ct != NULL && strcmp(ct, UP_MERGE_PATCH_TYPE) == 0;
	if (rc == UP_OK && kind != UP_W_PATCH && !cJSON_IsObject(*doc)) {
		up_json_wipe_delete(*doc); /* it may hold a password */
		*doc = NULL;
		rc = up_error_set(&e, UP_ERR_BAD_DATA, "The body must be a JSON object (a %s)",
		                  call->family->res->noun);
	}
	if (rc == UP_OK)
		return UP_OK;
	up_ctx_fail(call->ctx, call->resp, &e);
	if (rc == UP_ERR_MEDIA_TYPE && kind != UP_W_POST)
		up_response_header(call->resp, "Accept-Patch", UP_ACCEPT_PATCH);
	return rc;
}

/* Parse call->id into w->key; on failure answer 404. */
static int parse_key(struct up_call *call, struct up_write *w)
{
	struct up_error e = {0};

	if (up_resource_parse_key(call->family->res, call->id, &w->key) == UP_OK)
		return 1;
	up_error_set(&e, UP_ERR_NOT_FOUND, "%s not found", call->family->title);
	up_ctx_fail(call->ctx, call->resp, &e);
	return 0;
}

/*
 * Check a PATCH body as a whole, before the database is touched: a JSON
 * Patch, or a merge patch, which must be an object (any other value would
 * replace the whole resource).  UP_OK, or the error in *perr.
 */
static enum up_err check_patch(struct up_call *call, const cJSON *doc, int merge,
                               struct up_patch_error *perr)
{
	struct up_json_limits lim;

	patch_limits(call->ctx->cfg, &lim);
	if (!merge)
		return up_patch_check(doc, &lim, perr);
	if (cJSON_IsObject(doc))
		return up_merge_patch_check(doc, &lim, perr);
	perr->err = UP_ERR_PATCH_MALFORMED;
	perr->op_index = -1;
	perr->pointer[0] = '\0';
	snprintf(perr->message, sizeof(perr->message),
	         "A merge patch must be a JSON object: any other value would replace the whole %s",
	         call->family->res->noun);
	return perr->err;
}

static void write_call(struct up_call *call, enum up_wkind kind)
{
	struct up_write w;
	struct up_patch_error perr;
	struct up_error e = {0};
	cJSON *doc = NULL;

	memset(&w, 0, sizeof(w));
	w.ctx = call->ctx;
	w.req = call->req;
	w.family = call->family;
	w.kind = kind;
	if (kind != UP_W_DELETE && read_body(call, kind, &doc, &w.merge) != UP_OK)
		return;
	if (kind == UP_W_PATCH) {
		/* A malformed patch is refused before the database is touched. */
		if (check_patch(call, doc, w.merge, &perr) != UP_OK) {
			patch_error(&e, &perr);
			up_ctx_fail(call->ctx, call->resp, &e);
			goto out;
		}
	}
	if (kind != UP_W_POST && !parse_key(call, &w))
		goto out;
	w.input = doc;
	run(&w, call);
out:
	wipe_strings(doc);
	cJSON_Delete(doc);
}

void up_family_create(struct up_call *call)
{
	write_call(call, UP_W_POST);
}

void up_family_put(struct up_call *call)
{
	write_call(call, UP_W_PUT);
}

void up_family_patch(struct up_call *call)
{
	write_call(call, UP_W_PATCH);
}

void up_family_delete(struct up_call *call)
{
	write_call(call, UP_W_DELETE);
}
