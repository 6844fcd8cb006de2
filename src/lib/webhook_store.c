/* SPDX-License-Identifier: ISC */
/*
 * webhook_store.c: the webhooks table described once as the resource
 * up_webhook_resource, and the hooks only webhooks need.  The routes
 * (src/endpoints/webhooks_handler.c) serve it through the generic layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "db_rows.h"
#include "event.h"
#include "field_check.h"
#include "webhook_sign.h"
#include "webhook_store.h"
#include "webhook_url.h"

#define RO UP_FF_READONLY
#define HID UP_FF_HIDDEN

/* The lines of the table the hooks use (their order below). */
enum { F_ID, F_URL, F_TYPES, F_DESCRIPTION, F_ENABLED, F_SECRET = 10, F_CURSOR };

/*
 * The webhooks table, one line per field: JSON name, column, type, flags,
 * id prefix, length limits (entries for types), rule, unique key,
 * must-be-after field, default, reference check and its noun.  The
 * secret and the feed cursor are columns only: written by the hooks,
 * never shown.
 */
static const struct up_field webhook_fields[] = {
        [F_ID] = {"id", "id", UP_FT_ID, UP_FF_KEY | RO, "whk-", 0, 0, NULL, NULL, NULL, NULL, NULL,
                  NULL},
        [F_URL] = {"url", "url", UP_FT_STRING, UP_FF_REQUIRED, NULL, 1, UP_WEBHOOK_URL_MAX, NULL,
                   NULL, NULL, NULL, NULL, NULL},
        [F_TYPES] = {"types", "event_types", UP_FT_LIST, UP_FF_REQUIRED, NULL, 1, 16,
                     up_check_event_types, NULL, NULL, NULL, NULL, NULL},
        [F_DESCRIPTION] = {"description", "description", UP_FT_STRING, 0, NULL, 0, 255, NULL, NULL,
                           NULL, NULL, NULL, NULL},
        [F_ENABLED] = {"enabled", "enabled", UP_FT_BOOL, 0, NULL, 0, 0, NULL, NULL, NULL, "true",
                       NULL, NULL},
        {"status", "status", UP_FT_STRING, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
        {"failingSince", "failing_since", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL,
         NULL, NULL},
        {"version", "version", UP_FT_UINT, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
        {"createdAt", "created_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"updatedAt", "updated_at", UP_FT_DATETIME, RO | UP_FF_MODIFIED, NULL, 0, 0, NULL, NULL,
         NULL, NULL, NULL, NULL},
        [F_SECRET] = {"secret", "secret", UP_FT_STRING, HID, NULL, 0, 0, NULL, NULL, NULL, NULL,
                      NULL, NULL},
        [F_CURSOR] = {"cursorSeq", "cursor_seq", UP_FT_STRING, HID, NULL, 0, 0, NULL, NULL, NULL,
                      NULL, NULL, NULL},
};

const struct up_resource up_webhook_resource = {
        "webhooks",
        "webhook",
        "/api/webhooks",
        "webhooks",
        webhook_fields,
        sizeof(webhook_fields) / sizeof(webhook_fields[0]),
        NULL,
        0,
        "ix_webhooks_tenant",
};

enum up_err up_webhook_last_seq(struct up_db *db, uint64_t tenant, uint64_t *seq)
{
	static const char sql[] = "SELECT COALESCE(MAX(last_seq), 0) FROM event_seq "
	                          "WHERE tenant_id = ?";
	struct up_db_param p[1] = {UP_P_U64(tenant)};

	*seq = 0;
	return up_db_count(db, sql, p, 1, seq);
}

/* Set hidden column i of the row to text (copied). */
static enum up_err set_hidden(struct up_write *w, size_t i, const char *text)
{
	char *t = strdup(text);

	if (t == NULL)
		return UP_ERR_NOMEM;
	if (w->row.text[i] != NULL) {
		sodium_memzero(w->row.text[i], strlen(w->row.text[i]));
		free(w->row.text[i]);
	}
	w->row.text[i] = t;
	w->row.set[i] = 1;
	return UP_OK;
}

/* Move the feed cursor to the tenant's last ordered event. */
static enum up_err cursor_to_now(struct up_db *db, struct up_write *w)
{
	char buf[32];
	uint64_t seq;
	enum up_err rc = up_webhook_last_seq(db, w->ctx->auth.tenant_id, &seq);

	if (rc != UP_OK)
		return rc;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)seq);
	return set_hidden(w, F_CURSOR, buf);
}

/*
 * Hook: a URL that is given or changed must be a webhook URL whose host
 * resolves to addresses a delivery may reach (webhook_url.h): 422 with
 * the reason as the detail of "url".
 */
static enum up_err check_url(struct up_db *db, struct up_write *w)
{
	const struct up_config *cfg = w->ctx->cfg;
	const char *why = NULL;

	(void)db;
	if (!w->row.set[F_URL] || w->row.text[F_URL] == NULL)
		return UP_OK;
	if (up_webhook_url_check(w->row.text[F_URL], cfg->webhook_allow_hosts,
	                         cfg->webhook_allow_http, &why) != UP_OK)
		up_error_detail(&w->err, "url", "%s", why != NULL ? why : "is not allowed");
	return UP_OK;
}

/*
 * Hook: a new webhook gets its secret and starts after the tenant's last
 * ordered event; one enabled again starts there too (nothing is fanned
 * out while it is disabled).
 */
static enum up_err before_write(struct up_db *db, struct up_write *w)
{
	const cJSON *was;
	char secret[UP_WHSEC_LEN];
	enum up_err rc;

	if (w->kind == UP_W_POST) {
		up_webhook_secret_new(secret);
		rc = set_hidden(w, F_SECRET, secret);
		sodium_memzero(secret, sizeof(secret));
		return rc == UP_OK ? cursor_to_now(db, w) : rc;
	}
	was = cJSON_GetObjectItemCaseSensitive(w->cur.json, "enabled");
	if (w->row.set[F_ENABLED] && w->row.text[F_ENABLED] != NULL &&
	    strcmp(w->row.text[F_ENABLED], "1") == 0 && cJSON_IsFalse(was))
		return cursor_to_now(db, w);
	return UP_OK;
}

/* Hook: the webhook's deliveries and their attempts go with it. */
static enum up_err before_delete(struct up_db *db, struct up_write *w)
{
	static const char attempts[] = "DELETE FROM webhook_attempts "
	                               "WHERE tenant_id = ? AND webhook_id = ?";
	static const char deliveries[] = "DELETE FROM webhook_deliveries "
	                                 "WHERE tenant_id = ? AND webhook_id = ?";
	struct up_db_param p[2] = {UP_P_U64(w->ctx->auth.tenant_id), UP_P_U64(w->key.id)};
	enum up_err rc = up_db_exec(db, attempts, p, 2, NULL);

	if (rc == UP_OK)
		rc = up_db_exec(db, deliveries, p, 2, NULL);
	return rc;
}

/* Hook: the answer of POST shows the secret, once. */
static enum up_err answer(struct up_write *w)
{
	if (w->kind != UP_W_POST || w->row.text[F_SECRET] == NULL)
		return UP_OK;
	if (cJSON_AddStringToObject(w->result, "secret", w->row.text[F_SECRET]) == NULL)
		return UP_ERR_NOMEM;
	return UP_OK;
}

static const struct up_hooks webhook_hooks = {check_url, before_write, before_delete, answer};

const struct up_family up_webhook_family = {&up_webhook_resource, &webhook_hooks, "Webhook",
                                            "webhook", 1};
