/*
 * users_write.c: PATCH, PUT, POST and DELETE of users.  Each runs as one
 * transaction (re-runnable: everything it makes is reset at its start):
 * lock the row, check If-Match, build the new representation, validate it
 * as a whole, write the changed columns, bump version, audit, commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "json.h"
#include "json_patch.h"
#include "parse.h"
#include "password.h"
#include "user_store.h"
#include "user_validate.h"
#include "users_internal.h"
#include "validate.h"

enum write_kind { W_PATCH, W_PUT, W_POST, W_DELETE };

struct write_job {
	/* input, borrowed */
	struct up_ctx *ctx;
	const struct up_request *req;
	enum write_kind kind;
	uint64_t id;        /* the user (for POST: set by the insert) */
	const cJSON *input; /* the patch (PATCH) or the representation (PUT, POST) */
	/* output, reset at every run */
	cJSON *result; /* the user after the write */
	uint64_t version;
	cJSON *details; /* error details */
	char message[256];
	/* kept across runs: the hash of the password last hashed */
	unsigned char pw_key[crypto_generichash_BYTES];
	char pw_hash[UP_PASSWORD_HASH_LEN];
	int pw_hashed;
	/* a password the transaction met unhashed: hashed after the rollback, then run again */
	char *pw_pending;
};

/* Wipe every string of a tree (it may hold a password); the tree stays. */
static void wipe_strings(cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring != NULL)
			sodium_memzero(v->valuestring, strlen(v->valuestring));
		wipe_strings(v->child);
	}
}

static void job_reset(struct write_job *job)
{
	cJSON_Delete(job->result);
	cJSON_Delete(job->details);
	job->result = NULL;
	job->details = NULL;
	job->message[0] = '\0';
	job->version = 0;
}

/* Hash pw into the job's memo (no transaction is open: argon2id never runs under locks). */
static enum up_err prehash(struct write_job *job, const char *pw)
{
	unsigned char key[crypto_generichash_BYTES];
	size_t len = strlen(pw);
	enum up_err rc;

	crypto_generichash(key, sizeof(key), (const unsigned char *)pw, len, NULL, 0);
	if (job->pw_hashed && sodium_memcmp(key, job->pw_key, sizeof(key)) == 0)
		return UP_OK;
	rc = up_password_hash(job->ctx->cfg, pw, len, job->pw_hash);
	if (rc != UP_OK)
		return rc;
	memcpy(job->pw_key, key, sizeof(key));
	job->pw_hashed = 1;
	return UP_OK;
}

/*
 * The password a request most likely sets, hashed before the transaction:
 * the body's "password" (PUT, POST) or the value of the last add/replace
 * of /password (PATCH).  Anything else (a copy or move into /password) is
 * caught by use_hash() and hashed between two runs of the transaction.
 */
static enum up_err prehash_input(struct write_job *job)
{
	const cJSON *pw = NULL, *op;

	if (job->kind == W_PUT || job->kind == W_POST) {
		pw = cJSON_GetObjectItemCaseSensitive(job->input, "password");
	} else if (job->kind == W_PATCH) {
		cJSON_ArrayForEach(op, job->input)
		{
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(op, "op");
			const cJSON *path = cJSON_GetObjectItemCaseSensitive(op, "path");

			if (cJSON_IsString(o) && cJSON_IsString(path) &&
			    strcmp(path->valuestring, "/password") == 0 &&
			    (strcmp(o->valuestring, "add") == 0 ||
			     strcmp(o->valuestring, "replace") == 0))
				pw = cJSON_GetObjectItemCaseSensitive(op, "value");
		}
	}
	if (!cJSON_IsString(pw) || pw->valuestring == NULL)
		return UP_OK;
	return prehash(job, pw->valuestring);
}

/*
 * Replace the plaintext password in row by its argon2id hash, hashed before
 * the transaction.  A password not hashed yet is kept in job->pw_pending and
 * the transaction fails (rolled back); the caller hashes it and runs again.
 */
static enum up_err use_hash(struct write_job *job, struct up_user_row *row)
{
	int i = up_user_field_index("password");
	unsigned char key[crypto_generichash_BYTES];
	const char *pw;
	size_t len;

	if (i < 0 || !row->set[i] || row->text[i] == NULL)
		return UP_OK;
	pw = row->text[i];
	len = strlen(pw);
	crypto_generichash(key, sizeof(key), (const unsigned char *)pw, len, NULL, 0);
	if (!job->pw_hashed || sodium_memcmp(key, job->pw_key, sizeof(key)) != 0) {
		job->pw_pending = strdup(pw);
		return job->pw_pending != NULL ? UP_ERR_INTERNAL : UP_ERR_NOMEM;
	}
	sodium_memzero(row->text[i], len);
	free(row->text[i]);
	row->text[i] = strdup(job->pw_hash);
	return row->text[i] != NULL ? UP_OK : UP_ERR_NOMEM;
}

/* The names of the set fields of row, as a JSON array; NULL on allocation failure. */
static cJSON *changed_names(const struct up_user_row *row, size_t *count)
{
	cJSON *names = cJSON_CreateArray();
	size_t i;

	*count = 0;
	if (names == NULL)
		return NULL;
	for (i = 0; i < up_user_resource.nfields; i++) {
		if (!row->set[i])
			continue;
		cJSON_AddItemToArray(names, cJSON_CreateString(up_user_resource.fields[i].name));
		(*count)++;
	}
	if (cJSON_GetArraySize(names) != (int)*count) {
		cJSON_Delete(names);
		return NULL;
	}
	return names;
}

/* Patch errors as details: [{"op": i, "path": "...", "reason": "..."}]. */
static cJSON *patch_details(const struct up_patch_error *perr)
{
	cJSON *d = cJSON_CreateArray(), *o = cJSON_CreateObject();

	if (d == NULL || o == NULL) {
		cJSON_Delete(d);
		cJSON_Delete(o);
		return NULL;
	}
	if (perr->op_index >= 0)
		cJSON_AddNumberToObject(o, "op", (double)perr->op_index);
	cJSON_AddStringToObject(o, "path", perr->pointer);
	cJSON_AddStringToObject(o, "reason", perr->message);
	cJSON_AddItemToArray(d, o);
	return d;
}

static void patch_limits(const struct up_config *cfg, struct up_json_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_ops = cfg->max_patch_ops;
	lim->max_pointer_len = cfg->max_pointer_len;
	lim->max_depth = cfg->max_json_depth;
}

/* The new representation: the patched current one, or the body. *out owned by the caller. */
static enum up_err build_new(struct write_job *job, const cJSON *cur, cJSON **out)
{
	struct up_json_limits lim;
	struct up_patch_error perr;
	enum up_err rc;

	*out = cJSON_Duplicate(job->kind == W_PATCH ? cur : job->input, 1);
	if (*out == NULL)
		return UP_ERR_NOMEM;
	if (job->kind != W_PATCH)
		return UP_OK;
	patch_limits(job->ctx->cfg, &lim);
	rc = up_patch_apply(out, job->input, &lim, &perr);
	if (rc != UP_OK) {
		snprintf(job->message, sizeof(job->message), "%s", perr.message);
		job->details = patch_details(&perr);
	}
	return rc;
}

static enum up_err write_txn(struct up_db *db, void *arg)
{
	struct write_job *job = arg;
	const struct up_auth *auth = &job->ctx->auth;
	struct up_user_current cur;
	struct up_user_row row;
	cJSON *next = NULL, *names = NULL;
	size_t nchanged = 0;
	enum up_err rc;

	job_reset(job);
	memset(&row, 0, sizeof(row));
	memset(&cur, 0, sizeof(cur));
	if (job->kind != W_POST) {
		rc = up_user_lock(db, auth->tenant_id, job->id, &cur);
		if (rc != UP_OK)
			goto out;
		if (!up_users_if_match(job->req->if_match, cur.version)) {
			snprintf(job->message, sizeof(job->message),
			         "If-Match does not match the current version \"%llu\"",
			         (unsigned long long)cur.version);
			rc = UP_ERR_PRECONDITION;
			goto out;
		}
	}
	if (job->kind == W_DELETE) {
		names = cJSON_CreateArray();
		rc = names == NULL ? UP_ERR_NOMEM : up_user_delete(db, auth->tenant_id, job->id);
		if (rc == UP_OK)
			rc = up_audit_write(db, auth->tenant_id, auth->token_id, job->id,
			                    job->req->request_id, "delete", names);
		goto out;
	}
	rc = build_new(job, cur.json, &next);
	if (rc != UP_OK)
		goto out;
	job->details = cJSON_CreateArray();
	if (job->details == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	rc = up_user_validate(next, cur.json,
	                      job->kind == W_POST  ? UP_UV_CREATE
	                      : job->kind == W_PUT ? UP_UV_REPLACE
	                                           : UP_UV_PATCH,
	                      job->details, &row);
	if (rc == UP_OK && cJSON_GetArraySize(job->details) == 0)
		rc = up_user_check_db(db, auth->tenant_id, &row, job->details);
	if (rc == UP_OK && cJSON_GetArraySize(job->details) > 0)
		rc = UP_ERR_VALIDATION;
	if (rc != UP_OK)
		goto out;
	names = changed_names(&row, &nchanged);
	if (names == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	if (nchanged == 0 && job->kind != W_POST) {
		/* Nothing changes: no write, no new version, no audit row. */
		job->result = cur.json;
		job->version = cur.version;
		cur.json = NULL;
		goto out;
	}
	rc = use_hash(job, &row);
	if (rc != UP_OK)
		goto out;
	/* The new state is known here: no SELECT reads it back. */
	if (job->kind == W_POST)
		rc = up_user_insert(db, auth->tenant_id, &row, &job->id, &job->result,
		                    &job->version);
	else
		rc = up_user_update(db, auth->tenant_id, job->id, &row, cur.now);
	if (rc == UP_OK)
		rc = up_audit_write(db, auth->tenant_id, auth->token_id, job->id,
		                    job->req->request_id, job->kind == W_POST ? "create" : "update",
		                    names);
	if (rc == UP_OK && job->kind != W_POST)
		rc = up_user_after_write(&cur, &row, &job->result, &job->version);
out:
	if (rc == UP_ERR_CONFLICT && strcmp(up_db_dup_key(db), "uq_users_email") == 0) {
		/* The unique index answers: the same 422 as a field rule. */
		cJSON_Delete(job->details);
		job->details = cJSON_CreateArray();
		if (job->details != NULL)
			up_details_add(job->details, "email",
			               "already used by another user of the tenant");
		rc = UP_ERR_VALIDATION;
	}
	up_user_row_free(&row);
	up_user_current_free(&cur);
	wipe_strings(next);
	cJSON_Delete(next);
	cJSON_Delete(names);
	return rc;
}

static const char *error_message(enum up_err rc, const struct write_job *job)
{
	if (job->message[0] != '\0')
		return job->message;
	switch (rc) {
	case UP_ERR_NOT_FOUND:
		return "User not found";
	case UP_ERR_VALIDATION:
		return "The user breaks field rules; see details";
	default:
		return NULL;
	}
}

/*
 * Check the media type and parse the body into *doc (owned by the caller).
 * On failure resp holds the error.
 */
static enum up_err read_body(struct up_ctx *ctx, const struct up_request *req, int patch,
                             int user_resource, struct up_response *resp, cJSON **doc)
{
	const char *ct = req->content_type;
	enum up_err rc;

	*doc = NULL;
	if (ct == NULL || !(strcmp(ct, "application/json") == 0 ||
	                    (patch && strcmp(ct, UP_JSON_PATCH_TYPE) == 0))) {
		up_ctx_error(ctx, resp, UP_ERR_MEDIA_TYPE,
		             patch ? "Content-Type must be application/json-patch+json or "
		                     "application/json"
		                   : "Content-Type must be application/json",
		             NULL);
		if (user_resource)
			up_response_header(resp, "Accept-Patch", UP_JSON_PATCH_TYPE);
		return UP_ERR_MEDIA_TYPE;
	}
	if (req->body == NULL || req->body_len == 0) {
		up_ctx_error(ctx, resp, UP_ERR_BAD_JSON, "The request body is empty", NULL);
		return UP_ERR_BAD_JSON;
	}
	rc = up_json_parse(req->body, req->body_len, ctx->cfg->max_json_depth, doc);
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc,
		             rc == UP_ERR_LIMIT ? "The body nests deeper than the limit"
		                                : "The body is not valid JSON",
		             NULL);
		return rc;
	}
	if (!patch && !cJSON_IsObject(*doc)) {
		up_ctx_error(ctx, resp, UP_ERR_BAD_DATA, "The body must be a JSON object (a user)",
		             NULL);
		up_json_wipe_delete(*doc); /* it may hold a password */
		*doc = NULL;
		return UP_ERR_BAD_DATA;
	}
	return UP_OK;
}

/* Run the job's transaction and answer. */
static void run_job(struct write_job *job, struct up_response *resp)
{
	struct up_ctx *ctx = job->ctx;
	enum up_err rc;
	int round;

	/* argon2id runs here, outside the transaction, never with a row locked. */
	rc = prehash_input(job);
	for (round = 0; rc == UP_OK; round++) {
		rc = up_db_transaction(ctx->db, write_txn, job);
		if (job->pw_pending == NULL)
			break;
		/* It met a password not hashed yet and rolled back: hash, run again. */
		if (round < 2) {
			rc = prehash(job, job->pw_pending);
			if (rc == UP_OK)
				job_reset(job);
		}
		sodium_memzero(job->pw_pending, strlen(job->pw_pending));
		free(job->pw_pending);
		job->pw_pending = NULL;
		if (round >= 2)
			break;
	}
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc, error_message(rc, job), job->details);
		job->details = NULL;
	} else if (job->kind == W_DELETE) {
		resp->status = 204;
	} else {
		int created = job->kind == W_POST;

		up_users_send_user(ctx, resp, created ? 201 : 200, job->result, job->version);
		job->result = NULL;
		if (created && resp->status == 201) {
			char loc[64];

			snprintf(loc, sizeof(loc), "/api/users/%s%llu", UP_USER_PREFIX,
			         (unsigned long long)job->id);
			up_response_header(resp, "Location", loc);
		}
	}
	job_reset(job);
	sodium_memzero(job->pw_hash, sizeof(job->pw_hash));
}

static int parse_id(struct up_ctx *ctx, const char *id_text, uint64_t *id, struct up_response *resp)
{
	if (up_parse_public_id(id_text, UP_USER_PREFIX, id) == UP_OK)
		return 1;
	up_ctx_error(ctx, resp, UP_ERR_NOT_FOUND, "User not found", NULL);
	return 0;
}

void up_users_patch(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                    struct up_response *resp)
{
	struct write_job job = {.ctx = ctx, .req = req, .kind = W_PATCH};
	struct up_json_limits lim;
	struct up_patch_error perr;
	cJSON *patch = NULL;
	enum up_err rc;

	if (read_body(ctx, req, 1, 1, resp, &patch) != UP_OK)
		return;
	/* A malformed patch is refused before the database is touched. */
	patch_limits(ctx->cfg, &lim);
	rc = up_patch_check(patch, &lim, &perr);
	if (rc != UP_OK) {
		up_ctx_error(ctx, resp, rc, perr.message, patch_details(&perr));
		goto out;
	}
	if (!parse_id(ctx, id_text, &job.id, resp))
		goto out;
	job.input = patch;
	run_job(&job, resp);
out:
	wipe_strings(patch);
	cJSON_Delete(patch);
}

void up_users_put(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                  struct up_response *resp)
{
	struct write_job job = {.ctx = ctx, .req = req, .kind = W_PUT};
	cJSON *doc = NULL;

	if (read_body(ctx, req, 0, 1, resp, &doc) != UP_OK)
		return;
	if (parse_id(ctx, id_text, &job.id, resp)) {
		job.input = doc;
		run_job(&job, resp);
	}
	wipe_strings(doc);
	cJSON_Delete(doc);
}

void up_users_create(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	struct write_job job = {.ctx = ctx, .req = req, .kind = W_POST};
	cJSON *doc = NULL;

	if (read_body(ctx, req, 0, 0, resp, &doc) != UP_OK)
		return;
	job.input = doc;
	run_job(&job, resp);
	wipe_strings(doc);
	cJSON_Delete(doc);
}

void up_users_delete(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                     struct up_response *resp)
{
	struct write_job job = {.ctx = ctx, .req = req, .kind = W_DELETE};

	if (parse_id(ctx, id_text, &job.id, resp))
		run_job(&job, resp);
}
