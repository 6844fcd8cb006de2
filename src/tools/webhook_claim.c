/* SPDX-License-Identifier: ISC */
/*
 * webhook_claim.c: step 2 of a delivery pass, one transaction.  A plain
 * read picks the due deliveries that are first of their (webhook,
 * resource) among the pending ones; a locking read with SKIP LOCKED keeps
 * those still unclaimed that no other deliverer is claiming right now;
 * they get a lease (claimed_until, claimed_by); and what their POSTs need
 * is read.  The plain read judges "first of its resource" on committed
 * rows, so a delivery whose predecessor is claimed, in flight or waiting
 * for a retry is never picked: order per resource holds with several
 * deliverers.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "json.h"
#include "parse.h"
#include "resource.h"
#include "webhook_deliver.h"

/*
 * Walks ix_deliveries_due in its order and stops at the limit: no sort of
 * the backlog.  The webhook's `enabled` is a scalar subquery (a semi-join
 * would drive from webhooks and sort every due row); the predecessor check
 * reads only the pending rows of the resource (ix_deliveries_resource).
 */
static const char sql_due[] =
        "SELECT d.id FROM webhook_deliveries d FORCE INDEX (ix_deliveries_due) "
        "WHERE d.state = 'pending' AND d.next_attempt_at <= UTC_TIMESTAMP(6) "
        "AND (d.claimed_until IS NULL OR d.claimed_until < UTC_TIMESTAMP(6)) "
        "AND (SELECT w.enabled FROM webhooks w WHERE w.id = d.webhook_id) = 1 "
        "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e FORCE INDEX (ix_deliveries_resource) "
        "WHERE e.webhook_id = d.webhook_id AND e.resource_id = d.resource_id "
        "AND e.state = 'pending' AND e.event_seq < d.event_seq) "
        "ORDER BY d.next_attempt_at, d.id LIMIT ?";

struct claim {
	const struct wh_opts *o;
	struct up_db_param *ids; /* o->batch + 2 slots */
	struct up_db_result data;
};

/* Fill c->ids[skip..skip+batch) with the first column of res, padded with its first row. */
static enum up_err bind_ids(const struct claim *c, const struct up_db_result *res, size_t skip)
{
	uint64_t id = 0;
	size_t i;

	for (i = 0; i < c->o->batch; i++) {
		if (i < res->nrows &&
		    up_parse_u64(up_db_cell(res, i, 0), 1, UINT64_MAX, &id) != UP_OK)
			return UP_ERR_INTERNAL;
		c->ids[skip + i] = UP_P_U64(id);
	}
	return UP_OK;
}

static enum up_err claim_txn(struct up_db *db, void *arg)
{
	struct claim *c = arg;
	const struct wh_opts *o = c->o;
	struct up_db_param p[1] = {UP_P_U64(o->batch)};
	struct up_db_result due = {0}, mine = {0};
	enum up_err rc;

	up_db_result_free(&c->data);
	rc = up_db_query(db, sql_due, p, 1, &due);
	if (rc != UP_OK || due.nrows == 0)
		goto out;
	rc = bind_ids(c, &due, 2);
	if (rc == UP_OK)
		rc = up_db_query(db, o->sql_claim_lock, c->ids + 2, o->batch, &mine);
	if (rc != UP_OK || mine.nrows == 0)
		goto out;
	rc = bind_ids(c, &mine, 2);
	c->ids[0] = UP_P_U64(o->lease);
	c->ids[1] = UP_P_STR(o->claimer);
	if (rc == UP_OK)
		rc = up_db_exec(db, o->sql_claim_mark, c->ids, o->batch + 2, NULL);
	if (rc == UP_OK)
		rc = up_db_query(db, o->sql_claim_read, c->ids + 2, o->batch, &c->data);
out:
	up_db_result_free(&due);
	up_db_result_free(&mine);
	return rc;
}

/* The POST's body: the event as {"type", "timestamp", "data": {...}}, owned by the caller. */
static enum up_err body_of(const struct up_db_result *r, size_t row, char **out)
{
	cJSON *o = cJSON_CreateObject(), *data = NULL, *names = NULL;
	const char *fields = up_db_cell(r, row, 12);
	uint64_t seq, version;
	char when[64];
	enum up_err rc = UP_ERR_INTERNAL;

	*out = NULL;
	if (o == NULL || (data = cJSON_CreateObject()) == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	if (up_parse_u64(up_db_cell(r, row, 8), 1, UINT64_MAX, &seq) != UP_OK ||
	    up_parse_u64(up_db_cell(r, row, 11), 0, UINT64_MAX, &version) != UP_OK ||
	    up_datetime_to_rfc3339(up_db_cell(r, row, 13), when, sizeof(when)) != UP_OK)
		goto out;
	cJSON_AddStringToObject(o, "type", up_db_cell(r, row, 9));
	cJSON_AddStringToObject(o, "timestamp", when);
	cJSON_AddNumberToObject(data, "id", (double)seq);
	cJSON_AddStringToObject(data, "resourceId", up_db_cell(r, row, 10));
	cJSON_AddNumberToObject(data, "version", (double)version);
	if (fields != NULL) {
		names = cJSON_Parse(fields);
		if (!cJSON_IsArray(names))
			goto out;
		cJSON_AddItemToObject(data, "changedFields", names);
		names = NULL;
	}
	cJSON_AddStringToObject(data, "requestId", up_db_cell(r, row, 14));
	cJSON_AddItemToObject(o, "data", data);
	data = NULL;
	*out = up_json_print(o);
	rc = *out != NULL ? UP_OK : UP_ERR_NOMEM;
out:
	cJSON_Delete(names);
	cJSON_Delete(data);
	cJSON_Delete(o);
	return rc;
}

/* Copy the claimed row `row` of r into j. */
static enum up_err job_of(const struct up_db_result *r, size_t row, struct wh_job *j)
{
	const char *age = up_db_cell(r, row, 4), *prev = up_db_cell(r, row, 7);
	uint64_t n;
	enum up_err rc;

	memset(j, 0, sizeof(*j));
	if (up_parse_u64(up_db_cell(r, row, 0), 1, UINT64_MAX, &j->delivery_id) != UP_OK ||
	    up_parse_u64(up_db_cell(r, row, 1), 1, UINT64_MAX, &j->webhook_id) != UP_OK ||
	    up_parse_u64(up_db_cell(r, row, 2), 1, UINT64_MAX, &j->tenant_id) != UP_OK ||
	    up_parse_u64(up_db_cell(r, row, 3), 0, 1000000, &n) != UP_OK)
		return UP_ERR_INTERNAL;
	j->attempt = (unsigned)n + 1;
	j->age_us = -1;
	if (age != NULL)
		j->age_us = age[0] == '-'                                  ? 0
		            : up_parse_u64(age, 0, INT64_MAX, &n) == UP_OK ? (int64_t)n
		                                                           : 0;
	if (strlen(up_db_cell(r, row, 6)) >= sizeof(j->secret) ||
	    (prev != NULL && strlen(prev) >= sizeof(j->previous)))
		return UP_ERR_INTERNAL;
	strcpy(j->secret, up_db_cell(r, row, 6));
	if (prev != NULL)
		strcpy(j->previous, prev);
	j->url = strdup(up_db_cell(r, row, 5));
	if (j->url == NULL)
		return UP_ERR_NOMEM;
	if (up_db_cell(r, row, 8) == NULL)
		return UP_OK; /* the event is gone: recorded as failed, never sent */
	rc = body_of(r, row, &j->body);
	if (rc == UP_OK)
		j->body_len = strlen(j->body);
	return rc;
}

enum up_err wh_claim(struct up_db *db, const struct wh_opts *o, struct wh_job **jobs, size_t *n)
{
	struct claim c = {o, NULL, {0}};
	struct wh_job *js = NULL;
	enum up_err rc = UP_ERR_NOMEM;
	size_t i = 0;

	*jobs = NULL;
	*n = 0;
	c.ids = calloc((size_t)o->batch + 2, sizeof(*c.ids));
	if (c.ids == NULL)
		goto out;
	rc = up_db_transaction(db, claim_txn, &c);
	if (rc != UP_OK || c.data.nrows == 0)
		goto out;
	js = calloc(c.data.nrows, sizeof(*js));
	rc = js != NULL ? UP_OK : UP_ERR_NOMEM;
	for (i = 0; rc == UP_OK && i < c.data.nrows; i++)
		rc = job_of(&c.data, i, &js[i]);
	if (rc != UP_OK) {
		wh_jobs_free(js, i);
		goto out;
	}
	*jobs = js;
	*n = c.data.nrows;
out:
	/* the result held the secrets */
	for (i = 0; c.data.cells != NULL && i < c.data.nrows * c.data.ncols; i++)
		if (c.data.cells[i] != NULL)
			sodium_memzero(c.data.cells[i], c.data.lens[i]);
	up_db_result_free(&c.data);
	free(c.ids);
	return rc;
}

void wh_jobs_free(struct wh_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sodium_memzero(jobs[i].secret, sizeof(jobs[i].secret));
		sodium_memzero(jobs[i].previous, sizeof(jobs[i].previous));
		free(jobs[i].url);
		free(jobs[i].body);
	}
	free(jobs);
}
