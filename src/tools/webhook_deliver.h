/* SPDX-License-Identifier: ISC */
/*
 * webhook_deliver.h: the work of `userpatch-admin webhooks deliver`, in the
 * three short transactions schema/013_webhooks.sql describes and one HTTP
 * step between them that holds no transaction:
 *   wh_fanout  (webhook_fanout.c)  events -> webhook_deliveries
 *   wh_claim   (webhook_claim.c)   due deliveries -> jobs, under a lease
 *   wh_send    (webhook_send.c)    jobs -> signed POSTs (libcurl multi)
 *   wh_record  (webhook_record.c)  outcomes -> attempts, states, webhook status
 */
#ifndef UP_WEBHOOK_DELIVER_H
#define UP_WEBHOOK_DELIVER_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "db.h"
#include "webhook_sign.h"
#include "webhook_url.h"

/* The most bytes of a receiver's answer read; a longer answer is cut off there. */
#define WH_BODY_CAP 4096
/* The retry window when none is given: a day. */
#define WH_WINDOW_DEFAULT 86400

/* How one deliverer works (made by wh_opts_init, released by wh_opts_free). */
struct wh_opts {
	const struct up_config *cfg; /* borrowed */
	unsigned batch;              /* deliveries claimed at once */
	unsigned parallel;           /* requests in flight at once */
	unsigned lease;              /* seconds a claim holds */
	uint64_t window;             /* seconds of retries after the first attempt */
	char claimer[64];            /* "host:pid", claimed_by */
	/* Statements with `batch` id placeholders (owned). */
	char *sql_claim_lock, *sql_claim_mark, *sql_claim_read, *sql_done;
};

/* One delivery to send now: what wh_claim read, and what wh_send found. */
struct wh_job {
	uint64_t delivery_id, webhook_id, tenant_id;
	unsigned attempt; /* this attempt's number, 1 for the first */
	int64_t age_us;   /* microseconds since its first attempt, -1: none yet */
	char *url;        /* owned */
	char *body;       /* owned; NULL: the event is gone (never sent) */
	size_t body_len;
	char secret[UP_WHSEC_LEN], previous[UP_WHSEC_LEN]; /* previous "" if none */
	/* the outcome */
	long status;       /* HTTP status, 0: no answer */
	const char *error; /* static; NULL when an answer came */
	int ok;            /* 1: a 2xx answer */
	unsigned duration_ms;
	char attempted_at[48]; /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	/* wh_send's own */
	struct up_webhook_url parsed;
	const char *allow; /* the configuration's webhook_allow_hosts (borrowed) */
	const char *refused;
	size_t got;
};

/*
 * Fill *o for cfg (borrowed): batch and parallel >= 1, lease > the
 * configured connect + request time, window >= 1.  UP_ERR_NOMEM.
 */
enum up_err wh_opts_init(struct wh_opts *o, const struct up_config *cfg, unsigned batch,
                         unsigned parallel, unsigned lease, uint64_t window);
void wh_opts_free(struct wh_opts *o);

/*
 * Order every tenant's committed events (up_event_order) and fan them out
 * to the tenant's enabled webhooks: one transaction per webhook, which
 * locks its row, inserts a delivery per matching event after cursor_seq
 * and moves the cursor.  *made: deliveries inserted.
 */
enum up_err wh_fanout(struct up_db *db, uint64_t *made);

/*
 * Claim up to o->batch due deliveries (pending, next attempt due, no lease,
 * no earlier pending delivery of the same webhook and resource) with FOR
 * UPDATE SKIP LOCKED, and set their lease; one transaction.  *jobs (owned;
 * wh_jobs_free) holds *n of them, with what their POST needs.
 */
enum up_err wh_claim(struct up_db *db, const struct wh_opts *o, struct wh_job **jobs, size_t *n);

/* Free jobs (and wipe their secrets). */
void wh_jobs_free(struct wh_job *jobs, size_t n);

/* Keeps the connections (keep-alive) between batches. */
struct wh_sender;

enum up_err wh_sender_new(const struct wh_opts *o, struct wh_sender **out);
void wh_sender_free(struct wh_sender *s);

/*
 * POST every job, o->parallel at a time; fills each job's outcome.  No
 * database work.  Secrets are used to sign, never written anywhere else.
 */
void wh_send(struct wh_sender *s, struct wh_job *jobs, size_t n);

/*
 * Record the outcomes in one transaction: an attempt row each; the
 * delivery delivered, pending again at its next time, or failed after the
 * window (the webhook then "failing"); a success sets a failing webhook
 * "active".  Deliveries no longer claimed by o->claimer only get their
 * attempt row.  *failed: how many were given up.
 */
enum up_err wh_record(struct up_db *db, const struct wh_opts *o, const struct wh_job *jobs,
                      size_t n, size_t *failed);

/* The delay before attempt `next` (2, 3, ...) in microseconds, jittered, scaled to window. */
uint64_t wh_backoff_us(unsigned next, uint64_t window);

#endif
