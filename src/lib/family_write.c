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
}

/* Hash pw into the write's memo (no transaction is open: argon2id never runs under locks). */
static enum up_err prehash(struct up_write *w, const char *pw)
{
	unsigned char key[crypto_generichash_BYTES];
	size_t len = strlen(pw);
	enum up_err rc;

	crypto_generichash(key, sizeof(key), (const unsigned char *)pw, len, NULL, 0);
	if (w->pw_hashed && sodium_memcmp(key, w->pw_key, sizeof(key)) == 0)
		return UP_OK;
	rc = up_password_hash(w->ctx->cfg, pw, len, w->pw_hash);
	if (rc != UP_OK)
		return rc;
	memcpy(w->pw_key, key, sizeof(key));
	w->pw_hashed = 1;
	return UP_OK;
}

/*
 * The secret a request most likely sets, hashed before the transaction: the
 * body's member (PUT, POST) or the value of the last add/replace of it
 * (PATCH).  Anything else is caught by up_write_hash_secret().
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
	if (w->kind == UP_W_PUT || w->kind == UP_W_POST) {
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
	return prehash(w, pw->valuestring);
}

enum up_err up_write_hash_secret(struct up_write *w, const char *name)
{
	int i = up_resource_field(w->family->res, name);
	unsigned char key[crypto_generichash_BYTES];
	const char *pw;
	size_t len;

	if (i < 0 || !w->row.set[i] || w->row.text[i] == NULL)
		return UP_OK;
	pw = w->row.text[i];
	len = strlen(pw);
	crypto_generichash(key, sizeof(key), (const unsigned char *)pw, len, NULL, 0);
	if (!w->pw_hashed || sodium_memcmp(key, w->pw_key, sizeof(key)) != 0) {
		/* Not hashed yet: roll back, hash outside the transaction, run again. */
		w->pw_pending = strdup(pw);
		return w->pw_pending != NULL ? UP_ERR_INTERNAL : UP_ERR_NOMEM;
	}
	sodium_memzero(w->row.text[i], len);
	free(w->row.text[i]);
	w->row.text[i] = strdup(w->pw_hash);
	return w->row.text[i] != NULL ? UP_OK : UP_ERR_NOMEM;
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

/* w->next: the patched current representation, or the body. */
static enum up_err build_next(struct up_write *w)
{
	struct up_json_limits lim;
	struct up_patch_error perr;
	enum up_err rc;

	w->next = cJSON_Duplicate(w->kind == UP_W_PATCH ? w->cur.json : w->input, 1);
	if (w->next == NULL)
		return UP_ERR_NOMEM;
	if (w->kind != UP_W_PATCH)
		return UP_OK;
	patch_limits(w->ctx->cfg, &lim);
	rc = up_patch_apply(&w->next, w->input, &lim, &perr);
	if (rc != UP_OK)
		patch_error(&w->err, &perr);
	return rc;
}

static enum up_err audit(struct up_db *db, struct up_write *w, const char *action,
                         const cJSON *names)
{
	const struct up_auth *auth = &w->ctx->auth;
	char key[300];

	if (w->family->audit == NULL)
		return up_audit_write(db, auth->tenant_id, auth->token_id, w->key.id,
		                      w->req->request_id, action, names);
	up_resource_key_format(w->family->res, &w->key, key, sizeof(key));
	return up_audit_write_resource(db, auth->tenant_id, auth->token_id, w->family->audit, key,
	                               w->req->request_id, action, names);
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
	if (rc == UP_OK)
		rc = audit(db, w, "delete", names);
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

static enum up_err write_txn(struct up_db *db, void *arg)
{
	struct up_write *w = arg;
	const struct up_resource *r = w->family->res;
	const struct up_hooks *h = w->family->hooks;
	uint64_t tenant = w->ctx->auth.tenant_id, id = 0;
	cJSON *names = NULL;
	size_t nchanged = 0;
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
	if (h != NULL && h->before_write != NULL)
		rc = h->before_write(db, w);
	/* The new state is known here: no SELECT reads it back. */
	if (rc == UP_OK && w->kind == UP_W_POST) {
		rc = up_resource_insert(db, r, tenant, &w->row, &id, &w->result, &w->version);
		if (rc == UP_OK)
			take_new_key(w, id);
	} else if (rc == UP_OK) {
		rc = up_resource_update(db, r, tenant, &w->key, &w->row, w->cur.now);
	}
	if (rc == UP_OK)
		rc = audit(db, w, w->kind == UP_W_POST ? "create" : "update", names);
	if (rc == UP_OK && w->kind != UP_W_POST)
		rc = up_resource_after_write(r, &w->cur, &w->row, &w->result, &w->version);
out:
	if (rc == UP_ERR_CONFLICT)
		rc = up_resource_dup_key(db, r, &w->err);
	if (rc == UP_ERR_VALIDATION && w->err.message[0] == '\0')
		up_error_set(&w->err, rc, "The %s breaks field rules; see details", r->noun);
	if (rc == UP_ERR_NOT_FOUND && w->err.message[0] == '\0')
		up_error_set(&w->err, rc, "%s not found", w->family->title);
	cJSON_Delete(names);
	return rc;
}

/* Run the write's transaction (hashing a secret between runs if need be) and answer. */
static void run(struct up_write *w, struct up_call *call)
{
	enum up_err rc;
	int round;

	/* argon2id runs here, outside the transaction, never with a row locked. */
	rc = prehash_input(w);
	for (round = 0; rc == UP_OK; round++) {
		rc = up_db_transaction(call->ctx->db, write_txn, w);
		if (w->pw_pending == NULL)
			break;
		/* It met a secret not hashed yet and rolled back: hash, run again. */
		if (round < 2) {
			rc = prehash(w, w->pw_pending);
			if (rc == UP_OK)
				attempt_reset(w);
		}
		sodium_memzero(w->pw_pending, strlen(w->pw_pending));
		free(w->pw_pending);
		w->pw_pending = NULL;
		if (round >= 2)
			break;
	}
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
	sodium_memzero(w->pw_hash, sizeof(w->pw_hash));
}

/* The media types the body of a write may have (PATCH: the first is also Accept-Patch). */
static const char *const *body_types(enum up_wkind kind)
{
	static const char *const patch[] = {UP_JSON_PATCH_TYPE, "application/json", NULL};
	static const char *const json[] = {"application/json", NULL};

	return kind == UP_W_PATCH ? patch : json;
}

/* Parse the body into *doc (owned by the caller); on failure the answer is made here. */
static enum up_err read_body(struct up_call *call, enum up_wkind kind, cJSON **doc)
{
	struct up_error e = {0};
	enum up_err rc = up_req_json_body(call, body_types(kind), doc, &e);

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
		up_response_header(call->resp, "Accept-Patch", UP_JSON_PATCH_TYPE);
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

static void write_call(struct up_call *call, enum up_wkind kind)
{
	struct up_write w;
	struct up_json_limits lim;
	struct up_patch_error perr;
	struct up_error e = {0};
	cJSON *doc = NULL;

	memset(&w, 0, sizeof(w));
	w.ctx = call->ctx;
	w.req = call->req;
	w.family = call->family;
	w.kind = kind;
	if (kind != UP_W_DELETE && read_body(call, kind, &doc) != UP_OK)
		return;
	if (kind == UP_W_PATCH) {
		/* A malformed patch is refused before the database is touched. */
		patch_limits(call->ctx->cfg, &lim);
		if (up_patch_check(doc, &lim, &perr) != UP_OK) {
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
