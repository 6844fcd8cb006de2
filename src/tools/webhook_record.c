/* SPDX-License-Identifier: ISC */
/*
 * webhook_record.c: step 3 of a delivery pass, one transaction after the
 * POSTs: the attempt rows (multi-row INSERTs), the successes (one UPDATE
 * per HTTP status, for the whole batch), each failure (pending again at
 * its next time, or failed once the retry window is over: the webhook is
 * then "failing"), and "active" again for a failing webhook that took a
 * delivery.  A delivery whose lease another deliverer took over (claimed_by
 * differs) keeps its state: only the attempt is recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "webhook_deliver.h"

#define ATTEMPT_COLS 8
/* Attempt rows go in INSERTs of 32, 16, ... 1 rows: six statements, each prepared once. */
#define ATTEMPT_ROWS_MAX 32

static const char sql_attempt_head[] =
        "INSERT INTO webhook_attempts (delivery_id, webhook_id, tenant_id, attempt, attempted_at, "
        "duration_ms, status, error) VALUES ";
static const char sql_retry[] =
        "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, "
        "first_attempt_at = COALESCE(first_attempt_at, ?), "
        "next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, last_status = ?, "
        "last_error = ?, claimed_until = NULL, claimed_by = NULL "
        "WHERE id = ? AND claimed_by = ? AND state = 'pending'";
/*
 * A change of status is a new representation: version (the ETag) and
 * updated_at move with it.  MariaDB assigns left to right, so status is
 * compared before it is set.
 */
static const char sql_failing[] =
        "UPDATE webhooks SET version = version + (status <> 'failing'), "
        "updated_at = IF(status = 'failing', updated_at, UTC_TIMESTAMP(6)), "
        "failing_since = IF(status = 'failing', failing_since, UTC_TIMESTAMP(6)), "
        "status = 'failing' WHERE id = ?";
static const char sql_active[] =
        "UPDATE webhooks SET version = version + 1, updated_at = UTC_TIMESTAMP(6), "
        "status = 'active', failing_since = NULL WHERE id = ? AND status = 'failing'";

struct record {
	const struct wh_opts *o;
	const struct wh_job *jobs;
	size_t n, failed;
	struct up_db_param *p; /* room for ATTEMPT_ROWS_MAX * ATTEMPT_COLS, and batch + 2 */
};

/* The INSERT of `rows` attempt rows (rows a power of two <= ATTEMPT_ROWS_MAX), static. */
static const char *attempt_sql(size_t rows)
{
	static char sql[6][sizeof(sql_attempt_head) + ATTEMPT_ROWS_MAX * 18];
	size_t k = 0, i;

	while (((size_t)1 << k) < rows)
		k++;
	if (sql[k][0] == '\0') {
		strcpy(sql[k], sql_attempt_head);
		for (i = 0; i < rows; i++)
			strcat(sql[k], i == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)");
	}
	return sql[k];
}

static enum up_err insert_attempts(struct up_db *db, struct record *r)
{
	size_t i = 0, rows, k, c;
	enum up_err rc = UP_OK;

	while (rc == UP_OK && i < r->n) {
		for (rows = ATTEMPT_ROWS_MAX; rows > r->n - i; rows /= 2)
			;
		for (k = 0; k < rows; k++) {
			const struct wh_job *j = &r->jobs[i + k];
			struct up_db_param *p = r->p + k * ATTEMPT_COLS;

			c = 0;
			p[c++] = UP_P_U64(j->delivery_id);
			p[c++] = UP_P_U64(j->webhook_id);
			p[c++] = UP_P_U64(j->tenant_id);
			p[c++] = UP_P_U64(j->attempt);
			p[c++] = UP_P_STR(j->attempted_at);
			p[c++] = UP_P_U64(j->duration_ms);
			p[c++] = j->status > 0 ? UP_P_I64(j->status) : UP_P_NULL();
			p[c++] = UP_P_STR_OR_NULL(j->error);
		}
		rc = up_db_exec(db, attempt_sql(rows), r->p, rows * ATTEMPT_COLS, NULL);
		i += rows;
	}
	return rc;
}

/* The successes with j's status, from j on: one UPDATE for up to a batch of them. */
static enum up_err mark_done(struct up_db *db, struct record *r, size_t from, unsigned char *done)
{
	const long status = r->jobs[from].status;
	size_t i, k = 0;

	r->p[0] = UP_P_I64(status);
	r->p[1] = UP_P_STR(r->o->claimer);
	for (i = from; i < r->n; i++) {
		if (!r->jobs[i].ok || r->jobs[i].status != status || done[i])
			continue;
		r->p[2 + k++] = UP_P_U64(r->jobs[i].delivery_id);
		done[i] = 1;
	}
	for (i = k; i < r->o->batch; i++)
		r->p[2 + i] = r->p[2];
	return up_db_exec(db, r->o->sql_done, r->p, (size_t)r->o->batch + 2, NULL);
}

/* Failure of j: pending again, or failed (and its webhook failing) after the window. */
static enum up_err mark_failed(struct up_db *db, struct record *r, const struct wh_job *j)
{
	int64_t age = (j->age_us > 0 ? j->age_us : 0) + (int64_t)j->duration_ms * 1000;
	int over = (uint64_t)age >= r->o->window * 1000000u || j->body == NULL;
	struct up_db_param p[7];
	struct up_db_info info = {0};
	char error[64];
	enum up_err rc;

	if (j->error != NULL)
		snprintf(error, sizeof(error), "%s", j->error);
	else
		snprintf(error, sizeof(error), "HTTP status %ld", j->status);
	p[0] = UP_P_STR(over ? "failed" : "pending");
	p[1] = UP_P_STR(j->attempted_at);
	p[2] = UP_P_U64(over ? 0 : wh_backoff_us(j->attempt + 1, r->o->window));
	p[3] = j->status > 0 ? UP_P_I64(j->status) : UP_P_NULL();
	p[4] = UP_P_STR(error);
	p[5] = UP_P_U64(j->delivery_id);
	p[6] = UP_P_STR(r->o->claimer);
	rc = up_db_exec(db, sql_retry, p, 7, &info);
	if (rc != UP_OK || !over || info.affected == 0)
		return rc;
	r->failed++;
	p[0] = UP_P_U64(j->webhook_id);
	return up_db_exec(db, sql_failing, p, 1, NULL);
}

static enum up_err record_txn(struct up_db *db, void *arg)
{
	struct record *r = arg;
	unsigned char *done = calloc(r->n, 1);
	enum up_err rc = done != NULL ? UP_OK : UP_ERR_NOMEM;
	size_t i, k;

	r->failed = 0;
	if (rc == UP_OK)
		rc = insert_attempts(db, r);
	for (i = 0; rc == UP_OK && i < r->n; i++) {
		const struct wh_job *j = &r->jobs[i];
		struct up_db_param p[1] = {UP_P_U64(j->webhook_id)};

		if (!j->ok) {
			rc = mark_failed(db, r, j);
			continue;
		}
		if (!done[i])
			rc = mark_done(db, r, i, done);
		/* the first success of each webhook in the batch */
		for (k = 0; k < i && (!r->jobs[k].ok || r->jobs[k].webhook_id != j->webhook_id);
		     k++)
			;
		if (rc == UP_OK && k == i)
			rc = up_db_exec(db, sql_active, p, 1, NULL);
	}
	free(done);
	return rc;
}

enum up_err wh_record(struct up_db *db, const struct wh_opts *o, const struct wh_job *jobs,
                      size_t n, size_t *failed)
{
	size_t room = ATTEMPT_ROWS_MAX * ATTEMPT_COLS;
	struct record r = {o, jobs, n, 0, NULL};
	enum up_err rc;

	if (room < (size_t)o->batch + 2)
		room = (size_t)o->batch + 2;
	r.p = calloc(room, sizeof(*r.p));
	if (r.p == NULL)
		return UP_ERR_NOMEM;
	rc = up_db_transaction(db, record_txn, &r);
	free(r.p);
	*failed = r.failed;
	return rc;
}
