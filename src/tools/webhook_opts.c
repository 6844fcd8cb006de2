/* SPDX-License-Identifier: ISC */
/*
 * webhook_opts.c: a deliverer's settings, the statements that name a whole
 * batch of ids (always `batch` placeholders, padded with a repeated id, so
 * that each is prepared once), and the retry schedule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "webhook_deliver.h"

static const char sql_lock_head[] =
        "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND (claimed_until IS NULL "
        "OR claimed_until < UTC_TIMESTAMP(6)) AND id IN (";
static const char sql_lock_tail[] = " FOR UPDATE SKIP LOCKED";
static const char sql_mark_head[] =
        "UPDATE webhook_deliveries SET claimed_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, "
        "claimed_by = ? WHERE id IN (";
static const char sql_read_head[] =
        "SELECT d.id, d.webhook_id, d.tenant_id, d.attempts, "
        "TIMESTAMPDIFF(MICROSECOND, d.first_attempt_at, UTC_TIMESTAMP(6)), w.url, w.secret, "
        "IF(w.previous_until > UTC_TIMESTAMP(6), w.previous_secret, NULL), e.seq, e.type, "
        "e.resource_id, e.version, e.changed_fields, e.created_at, e.request_id "
        "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
        "LEFT JOIN events e ON e.id = d.event_id WHERE d.id IN (";
static const char sql_done_head[] =
        "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, "
        "first_attempt_at = COALESCE(first_attempt_at, UTC_TIMESTAMP(6)), last_status = ?, "
        "last_error = NULL, delivered_at = UTC_TIMESTAMP(6), claimed_until = NULL, "
        "claimed_by = NULL WHERE claimed_by = ? AND state = 'pending' AND id IN (";

/* head + "?,?,...?)" (n of them, n >= 1) + tail, owned by the caller; NULL when out of memory. */
static char *with_ids(const char *head, unsigned n, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail), len = hl + 2 * (size_t)n + tl;
	char *s = malloc(len + 1), *p;
	unsigned i;

	if (s == NULL)
		return NULL;
	memcpy(s, head, hl);
	p = s + hl;
	for (i = 0; i < n; i++) {
		*p++ = '?';
		*p++ = ',';
	}
	p[-1] = ')';
	memcpy(p, tail, tl + 1);
	return s;
}

enum up_err wh_opts_init(struct wh_opts *o, const struct up_config *cfg, unsigned batch,
                         unsigned parallel, unsigned lease, uint64_t window)
{
	char host[48];

	memset(o, 0, sizeof(*o));
	o->cfg = cfg;
	o->batch = batch;
	o->parallel = parallel;
	o->lease = lease;
	o->window = window;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(o->claimer, sizeof(o->claimer), "%s:%ld", host, (long)getpid());
	o->sql_claim_lock = with_ids(sql_lock_head, batch, sql_lock_tail);
	o->sql_claim_mark = with_ids(sql_mark_head, batch, "");
	o->sql_claim_read = with_ids(sql_read_head, batch, "");
	o->sql_done = with_ids(sql_done_head, batch, "");
	if (o->sql_claim_lock == NULL || o->sql_claim_mark == NULL || o->sql_claim_read == NULL ||
	    o->sql_done == NULL) {
		wh_opts_free(o);
		return UP_ERR_NOMEM;
	}
	return UP_OK;
}

void wh_opts_free(struct wh_opts *o)
{
	free(o->sql_claim_lock);
	free(o->sql_claim_mark);
	free(o->sql_claim_read);
	free(o->sql_done);
	o->sql_claim_lock = o->sql_claim_mark = o->sql_claim_read = o->sql_done = NULL;
}

uint64_t wh_backoff_us(unsigned next, uint64_t window)
{
	/* seconds before attempt 2, 3, ...; then an hour each (a day's window) */
	static const uint64_t steps[] = {5, 30, 120, 600, 1800, 3600};
	const size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	size_t i = next >= 2 ? next - 2 : 0;
	uint64_t base = steps[i < nsteps ? i : nsteps - 1] * 1000000u;

	/* the schedule of a day, scaled to the window (shorter only in tests) */
	base = base * window / WH_WINDOW_DEFAULT;
	/* jitter: 80 % to 120 % */
	return base * 4 / 5 +
	       (base > 0 ? randombytes_uniform(1000000) * (base * 2 / 5) / 1000000 : 0);
}
