/* SPDX-License-Identifier: ISC */
/*
 * webhook_store.h: the webhooks table (schema/013_webhooks.sql) as a
 * resource family (DESIGN 1.8): the URL a tenant's events are posted to,
 * the event types it wants, its signing secret (shown once) and its state.
 * Its writes are audited but are not events.
 */
#ifndef UP_WEBHOOK_STORE_H
#define UP_WEBHOOK_STORE_H

#include "family.h"
#include "resource.h"

/* The webhooks table: fields, key (whk-<n>) (static, never freed). */
extern const struct up_resource up_webhook_resource;

/*
 * The webhooks family: the table and its hooks: the URL judged against
 * webhook_allow_hosts and webhook_allow_http (SSRF), a new secret and the
 * feed cursor on creation, the cursor moved on re-enabling, the
 * deliveries removed with the webhook, the secret in the answer of POST.
 */
extern const struct up_family up_webhook_family;

/*
 * The tenant's last ordered event (event_seq.last_seq; 0 when none): where
 * a new or re-enabled webhook's cursor starts.  Inside the write's
 * transaction, after up_event_order.
 */
enum up_err up_webhook_last_seq(struct up_db *db, uint64_t tenant, uint64_t *seq);

#endif
