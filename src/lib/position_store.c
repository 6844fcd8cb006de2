/* SPDX-License-Identifier: ISC */
/* position_store.c: positions and alerts in the database (see position_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_rows.h"
#include "device_store.h"
#include "event.h"
#include "json.h"
#include "parse.h"
#include "position_store.h"

/* Values bound per position: device, time, the numeric members, attributes. */
#define POS_PARAMS (2 + UP_POS__NUM + 1)

/*
 * Multi-row INSERTs come in these sizes; a batch is cut greedily into them,
 * so a connection prepares at most this many insert statements and a batch
 * of 1,000 is one statement.
 */
static const size_t chunk_sizes[] = {UP_POS_MAX_BATCH, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1};
#define NCHUNKS (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))
_Static_assert(UP_POS_MAX_BATCH *POS_PARAMS <= UP_DB_MAX_PARAMS, "batch too large to bind");

/* The INSERT text of each chunk size; built once, lives as long as the process. */
static char *sql_insert[NCHUNKS];

static const char sql_raise_last[] =
        "UPDATE devices SET last_fix_time = ? WHERE tenant_id = ? AND id = ? "
        "AND (last_fix_time IS NULL OR last_fix_time < ?)";
/* The same when the caller found the device by a uniqueId it cached: it must still be that. */
static const char sql_raise_last_uid[] =
        "UPDATE devices SET last_fix_time = ? WHERE tenant_id = ? AND id = ? AND unique_id = ? "
        "AND (last_fix_time IS NULL OR last_fix_time < ?)";
static const char sql_device_locked_uid[] =
        "SELECT id FROM devices WHERE tenant_id = ? AND id = ? AND unique_id = ? FOR UPDATE";
static const char sql_device[] = "SELECT id FROM devices WHERE tenant_id = ? AND id = ?";
static const char sql_device_locked[] =
        "SELECT id FROM devices WHERE tenant_id = ? AND id = ? FOR UPDATE";
static const char sql_last[] =
        "SELECT p.fix_time, p.latitude, p.longitude, p.altitude, p.speed, p.course, "
        "p.accuracy, p.attributes FROM devices d LEFT JOIN positions p ON p.device_id = d.id "
        "AND p.fix_time = d.last_fix_time WHERE d.tenant_id = ? AND d.id = ?";
#define POS_COLUMNS "fix_time, latitude, longitude, altitude, speed, course, accuracy, attributes"
static const char sql_range_from[] = "SELECT " POS_COLUMNS " FROM positions WHERE device_id = ? "
                                     "AND fix_time >= ? AND fix_time < ? ORDER BY fix_time "
                                     "LIMIT ?";
static const char sql_range_after[] = "SELECT " POS_COLUMNS " FROM positions WHERE device_id = ? "
                                      "AND fix_time > ? AND fix_time < ? ORDER BY fix_time "
                                      "LIMIT ?";
static const char sql_alert_insert[] = "INSERT INTO alerts (device_id, type, alert_time, message, "
                                       "position) VALUES (?, ?, ?, ?, ?)";
/* A resent alert: the same device, time and type (ix_alerts_device_time). */
static const char sql_alert_same[] = "SELECT id FROM alerts "
                                     "WHERE device_id = ? AND alert_time = ? AND type = ? "
                                     "ORDER BY id LIMIT 1";
static const char sql_alert_list[] =
        "SELECT id, type, alert_time, message, position FROM alerts WHERE device_id = ? "
        "ORDER BY alert_time DESC, id DESC LIMIT ? OFFSET ?";
/*
 * The page after alert c (keyset on ix_alerts_device_time): older than c, or
 * as old and of a smaller id.  No such alert of the device (pruned since):
 * c is empty, and so is the page.
 */
static const char sql_alert_after[] =
        "SELECT a.id, a.type, a.alert_time, a.message, a.position FROM alerts a "
        "JOIN (SELECT alert_time, id FROM alerts WHERE id = ? AND device_id = ?) c "
        "WHERE a.device_id = ? AND (a.alert_time < c.alert_time OR "
        "(a.alert_time = c.alert_time AND a.id < c.id)) "
        "ORDER BY a.alert_time DESC, a.id DESC LIMIT ?";
static const char sql_alert_count[] = "SELECT COUNT(*) FROM alerts WHERE device_id = ?";

/* The bounds of DATETIME, for open ends of a range. */
#define TIME_MIN "1000-01-01 00:00:00.000000"
#define TIME_MAX "9999-12-31 23:59:59.999999"

/* The INSERT of chunk k (rows chunk_sizes[k]), built on first use; NULL when out of memory. */
static const char *insert_sql(size_t k)
{
	static const char row[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char head[256], *s;
	size_t rows = chunk_sizes[k], used, i, len;

	if (sql_insert[k] != NULL)
		return sql_insert[k];
	_Static_assert(sizeof(row) / 3 == POS_PARAMS, "one ? per bound value");
	used = (size_t)snprintf(head, sizeof(head), "INSERT INTO positions (device_id, fix_time");
	for (i = 0; i < UP_POS__NUM; i++)
		used += (size_t)snprintf(head + used, sizeof(head) - used, ", %s",
		                         up_pos_num_rules[i].name);
	snprintf(head + used, sizeof(head) - used, ", attributes) VALUES ");
	/* A duplicate (device, fix time) changes nothing and counts 0 affected rows. */
	static const char tail[] = " ON DUPLICATE KEY UPDATE device_id = device_id";
	len = strlen(head) + rows * sizeof(row) + sizeof(tail);
	s = malloc(len);
	if (s == NULL)
		return NULL;
	used = (size_t)snprintf(s, len, "%s", head);
	for (i = 0; i < rows; i++)
		used += (size_t)snprintf(s + used, len - used, "%s%s", i > 0 ? "," : "", row);
	snprintf(s + used, len - used, "%s", tail);
	sql_insert[k] = s;
	return s;
}

/* Insert rows [0, rows) of p with chunk statement k; adds the rows inserted to *accepted. */
static enum up_err insert_chunk(struct up_db *db, uint64_t device, const struct up_position *p,
                                size_t k, struct up_db_param *params, uint64_t *accepted)
{
	const char *sql = insert_sql(k);
	struct up_db_info info;
	size_t rows = chunk_sizes[k], i, j, at = 0;
	enum up_err rc;

	if (sql == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < rows; i++) {
		params[at++] = UP_P_U64(device);
		params[at++] = UP_P_STR(p[i].time);
		for (j = 0; j < UP_POS__NUM; j++)
			params[at++] = p[i].has[j] ? UP_P_F64(p[i].num[j]) : UP_P_NULL();
		params[at++] = UP_P_STR_OR_NULL(p[i].attributes);
	}
	rc = up_db_exec(db, sql, params, at, &info);
	if (rc == UP_OK)
		*accepted += info.affected;
	return rc;
}

struct alert_job {
	uint64_t tenant, device;
	const struct up_alert *a;
	const char *pos_text;
	const char *request_id; /* of the event alert.created; may be NULL */
	uint64_t id;
	int duplicate; /* 1: a resend, id is the stored alert's */
};

static enum up_err alert_rows(struct up_db *db, struct alert_job *job);
static enum up_err alert_pos_text(const struct up_alert *a, char **out);

struct store_job {
	uint64_t tenant, device;
	const struct up_position *p;
	size_t n;
	struct up_db_param *params; /* room for one chunk of the largest size */
	uint64_t accepted;
	struct alert_job *alert; /* stored in the same transaction; NULL for none */
	const char *unique_id;   /* the device must have it; NULL: no such check */
};

static enum up_err store_txn(struct up_db *db, void *arg)
{
	struct store_job *job = arg;
	struct up_db_param key[5];
	struct up_db_info info;
	const char *newest = job->p[0].time;
	size_t i, done = 0, k = 0, nkey = 0;
	enum up_err rc;

	job->accepted = 0;
	for (i = 1; i < job->n; i++)
		if (strcmp(job->p[i].time, newest) > 0)
			newest = job->p[i].time;
	/*
	 * First lock the device row (every batch of the device queues here, so
	 * batches never deadlock on each other) and raise its newest fix time.
	 */
	key[nkey++] = UP_P_STR(newest);
	key[nkey++] = UP_P_U64(job->tenant);
	key[nkey++] = UP_P_U64(job->device);
	if (job->unique_id != NULL)
		key[nkey++] = UP_P_STR(job->unique_id);
	key[nkey++] = UP_P_STR(newest);
	rc = up_db_exec(db, job->unique_id != NULL ? sql_raise_last_uid : sql_raise_last, key, nkey,
	                &info);
	if (rc != UP_OK)
		return rc;
	if (info.affected == 0) {
		/* Nothing newer in this batch, or no such device: tell which. */
		struct up_db_result res;

		rc = up_db_query(db,
		                 job->unique_id != NULL ? sql_device_locked_uid : sql_device_locked,
		                 key + 1, nkey - 2, &res);
		if (rc != UP_OK)
			return rc;
		i = res.nrows;
		up_db_result_free(&res);
		if (i == 0)
			return UP_ERR_NOT_FOUND;
	}
	while (done < job->n) {
		while (chunk_sizes[k] > job->n - done)
			k++;
		rc = insert_chunk(db, job->device, job->p + done, k, job->params, &job->accepted);
		if (rc != UP_OK)
			return rc;
		done += chunk_sizes[k];
	}
	/* The device row is locked by now: the alert needs no lock of its own. */
	return job->alert != NULL ? alert_rows(db, job->alert) : UP_OK;
}

enum up_err up_report_store(struct up_db *db, uint64_t tenant, uint64_t device, struct up_report *r)
{
	struct store_job job = {.tenant = tenant,
	                        .device = device,
	                        .p = r->p,
	                        .n = r->n,
	                        .unique_id = r->unique_id};
	struct alert_job alert = {
	        .tenant = tenant, .device = device, .a = r->alert, .request_id = r->request_id};
	char *pos_text = NULL;
	enum up_err rc;

	r->accepted = 0;
	r->alert_id = 0;
	r->alert_duplicate = 0;
	if (r->n == 0 || r->n > UP_POS_MAX_BATCH)
		return UP_ERR_INTERNAL;
	if (r->alert != NULL) {
		rc = alert_pos_text(r->alert, &pos_text);
		if (rc != UP_OK)
			return rc;
		alert.pos_text = pos_text;
		job.alert = &alert;
	}
	job.params = calloc(r->n * POS_PARAMS, sizeof(*job.params));
	rc = job.params != NULL ? up_db_transaction(db, store_txn, &job) : UP_ERR_NOMEM;
	if (rc == UP_OK) {
		r->accepted = job.accepted;
		r->alert_id = alert.id;
		r->alert_duplicate = alert.duplicate;
	}
	free(job.params);
	free(pos_text);
	return rc;
}

enum up_err up_positions_store(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_position *p, size_t n, uint64_t *accepted)
{
	struct up_report r = {.p = p, .n = n};
	enum up_err rc = up_report_store(db, tenant, device, &r);

	*accepted = r.accepted;
	return rc;
}

/* A position as JSON from row `row` of res, whose columns start with POS_COLUMNS at col. */
static enum up_err row_position(const struct up_db_result *res, size_t row, size_t col, cJSON **out)
{
	const char *num[UP_POS__NUM];
	size_t k;

	for (k = 0; k < UP_POS__NUM; k++)
		num[k] = up_db_cell(res, row, col + 1 + k);
	return up_position_json(up_db_cell(res, row, col), num,
	                        up_db_cell(res, row, col + 1 + UP_POS__NUM), out);
}

enum up_err up_position_last(struct up_db *db, uint64_t tenant, uint64_t device, cJSON **out)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(device)};
	struct up_db_result res;
	enum up_err rc;

	*out = NULL;
	rc = up_db_query(db, sql_last, p, 2, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows == 0)
		rc = UP_ERR_NOT_FOUND;
	else if (up_db_cell(&res, 0, 0) == NULL)
		rc = UP_ERR_NO_LOCATION;
	else
		rc = row_position(&res, 0, 0, out);
	up_db_result_free(&res);
	return rc;
}

/* UP_OK when the device is the tenant's, else UP_ERR_NOT_FOUND (or a database error). */
static enum up_err device_of_tenant(struct up_db *db, uint64_t tenant, uint64_t device)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(device)};
	struct up_db_result res;
	enum up_err rc = up_db_query(db, sql_device, p, 2, &res);

	if (rc != UP_OK)
		return rc;
	rc = res.nrows == 1 ? UP_OK : UP_ERR_NOT_FOUND;
	up_db_result_free(&res);
	return rc;
}

/* A row of a range query as JSON (an up_row_json_fn). */
static enum up_err range_row(const struct up_db_result *res, size_t row, void *ctx, cJSON **out)
{
	(void)ctx;
	return row_position(res, row, 0, out);
}

enum up_err up_positions_range(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_position_query *q, cJSON **items, int *more)
{
	struct up_db_param p[4];
	struct up_db_result res;
	enum up_err rc;

	*items = NULL;
	*more = 0;
	rc = device_of_tenant(db, tenant, device);
	if (rc != UP_OK)
		return rc;
	p[0] = UP_P_U64(device);
	p[1] = UP_P_STR(q->after != NULL ? q->after : q->from != NULL ? q->from : TIME_MIN);
	p[2] = UP_P_STR(q->to != NULL ? q->to : TIME_MAX);
	p[3] = UP_P_U64(q->limit + 1);
	rc = up_db_query(db, q->after != NULL ? sql_range_after : sql_range_from, p, 4, &res);
	if (rc != UP_OK)
		return rc;
	rc = up_db_rows_json(&res, q->limit, range_row, NULL, items);
	if (rc == UP_OK)
		*more = res.nrows > q->limit;
	up_db_result_free(&res);
	return rc;
}

/* The alert of job, the device row being locked: a resend finds the stored one. */
static enum up_err alert_rows(struct up_db *db, struct alert_job *job)
{
	struct up_db_param p[5];
	struct up_db_result res;
	struct up_db_info info;
	enum up_err rc;

	job->id = 0;
	job->duplicate = 0;
	p[0] = UP_P_U64(job->device);
	p[1] = UP_P_STR(job->a->time);
	p[2] = UP_P_STR(job->a->type);
	rc = up_db_query(db, sql_alert_same, p, 3, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows > 0) {
		/* Only its id: a report token reads nothing that is stored. */
		const char *id = up_db_cell(&res, 0, 0);

		rc = id != NULL && up_parse_u64(id, 1, UINT64_MAX, &job->id) == UP_OK
		             ? UP_OK
		             : UP_ERR_INTERNAL;
		job->duplicate = rc == UP_OK;
		up_db_result_free(&res);
		return rc;
	}
	up_db_result_free(&res);
	p[0] = UP_P_U64(job->device);
	p[1] = UP_P_STR(job->a->type);
	p[2] = UP_P_STR(job->a->time);
	p[3] = UP_P_STR_OR_NULL(job->a->message);
	p[4] = UP_P_STR_OR_NULL(job->pos_text);
	rc = up_db_exec(db, sql_alert_insert, p, 5, &info);
	if (rc == UP_OK) {
		char key[32];

		job->id = info.insert_id;
		snprintf(key, sizeof(key), UP_ALERT_PREFIX "%llu", (unsigned long long)job->id);
		rc = up_event_append(db, job->tenant, "alert.created", key, 1, NULL,
		                     job->request_id);
	}
	return rc;
}

static enum up_err alert_txn(struct up_db *db, void *arg)
{
	struct alert_job *job = arg;
	struct up_db_param p[2] = {UP_P_U64(job->tenant), UP_P_U64(job->device)};
	struct up_db_result res;
	enum up_err rc;

	/* Lock the device: a resend racing its original finds it. */
	rc = up_db_query(db, sql_device_locked, p, 2, &res);
	if (rc != UP_OK)
		return rc;
	rc = res.nrows == 1 ? UP_OK : UP_ERR_NOT_FOUND;
	up_db_result_free(&res);
	return rc == UP_OK ? alert_rows(db, job) : rc;
}

/* The position of a (if any) as stored JSON text in *out (owned, NULL for none). */
static enum up_err alert_pos_text(const struct up_alert *a, char **out)
{
	cJSON *pos = NULL;
	enum up_err rc;

	*out = NULL;
	if (!a->has_position)
		return UP_OK;
	rc = up_position_to_json(&a->position, &pos);
	if (rc != UP_OK)
		return rc;
	*out = up_json_print(pos);
	cJSON_Delete(pos);
	return *out != NULL ? UP_OK : UP_ERR_NOMEM;
}

enum up_err up_alert_store(struct up_db *db, uint64_t tenant, uint64_t device,
                           const struct up_alert *a, uint64_t *id, int *duplicate)
{
	return up_alert_store_req(db, tenant, device, a, NULL, id, duplicate);
}

enum up_err up_alert_store_req(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_alert *a, const char *request_id, uint64_t *id,
                               int *duplicate)
{
	struct alert_job job = {
	        .tenant = tenant, .device = device, .a = a, .request_id = request_id};
	char *pos_text = NULL;
	enum up_err rc;

	*id = 0;
	*duplicate = 0;
	rc = alert_pos_text(a, &pos_text);
	if (rc != UP_OK)
		return rc;
	job.pos_text = pos_text;
	rc = up_db_transaction(db, alert_txn, &job);
	if (rc == UP_OK) {
		*id = job.id;
		*duplicate = job.duplicate;
	}
	free(pos_text);
	return rc;
}

/* {"id", "deviceId", "type", "time"} of an alert; the caller adds the rest. */
static cJSON *alert_head(uint64_t id, uint64_t device, const char *type, const char *sql_time)
{
	cJSON *o = cJSON_CreateObject();
	char buf[64];

	if (o == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), UP_ALERT_PREFIX "%llu", (unsigned long long)id);
	cJSON_AddStringToObject(o, "id", buf);
	snprintf(buf, sizeof(buf), UP_DEVICE_PREFIX "%llu", (unsigned long long)device);
	cJSON_AddStringToObject(o, "deviceId", buf);
	cJSON_AddStringToObject(o, "type", type);
	if (up_datetime_to_rfc3339(sql_time, buf, sizeof(buf)) != UP_OK ||
	    cJSON_AddStringToObject(o, "time", buf) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

enum up_err up_alert_to_json(uint64_t id, uint64_t device, const struct up_alert *a, cJSON **out)
{
	cJSON *o = alert_head(id, device, a->type, a->time), *pos = NULL;
	enum up_err rc = UP_ERR_NOMEM;

	*out = NULL;
	if (o == NULL)
		goto out;
	if (a->message != NULL && cJSON_AddStringToObject(o, "message", a->message) == NULL)
		goto out;
	if (a->has_position) {
		rc = up_position_to_json(&a->position, &pos);
		if (rc != UP_OK)
			goto out;
		cJSON_AddItemToObject(o, "position", pos);
	}
	*out = o;
	o = NULL;
	rc = UP_OK;
out:
	cJSON_Delete(o);
	return rc;
}

/* Alert row `row` of res (id, type, alert_time, message, position) as JSON. */
static enum up_err row_alert(const struct up_db_result *res, size_t row, uint64_t device,
                             cJSON **out)
{
	const char *msg = up_db_cell(res, row, 3), *pos = up_db_cell(res, row, 4);
	uint64_t id;
	cJSON *o = NULL;
	enum up_err rc = UP_ERR_INTERNAL;

	*out = NULL;
	if (up_db_cell(res, row, 0) == NULL || up_db_cell(res, row, 1) == NULL ||
	    up_db_cell(res, row, 2) == NULL ||
	    up_parse_u64(up_db_cell(res, row, 0), 1, UINT64_MAX, &id) != UP_OK)
		goto out;
	o = alert_head(id, device, up_db_cell(res, row, 1), up_db_cell(res, row, 2));
	rc = UP_ERR_NOMEM;
	if (o == NULL || (msg != NULL && cJSON_AddStringToObject(o, "message", msg) == NULL))
		goto out;
	rc = up_json_add_parsed(o, "position", pos, 8);
	if (rc != UP_OK)
		goto out;
	*out = o;
	o = NULL;
	rc = UP_OK;
out:
	cJSON_Delete(o);
	return rc;
}

/* A row of the alert list as JSON; ctx is the device id (an up_row_json_fn). */
static enum up_err list_alert_row(const struct up_db_result *res, size_t row, void *ctx,
                                  cJSON **out)
{
	return row_alert(res, row, *(const uint64_t *)ctx, out);
}

enum up_err up_alerts_list(struct up_db *db, uint64_t tenant, uint64_t device,
                           const struct up_alert_query *q, cJSON **items, uint64_t *total,
                           int *more)
{
	/* One more than the page tells whether a next page exists. */
	struct up_db_param p[3] = {UP_P_U64(device), UP_P_U64(q->limit + 1), UP_P_U64(q->offset)};
	struct up_db_param pa[4] = {UP_P_U64(q->after), UP_P_U64(device), UP_P_U64(device),
	                            UP_P_U64(q->limit + 1)};
	struct up_db_result res;
	enum up_err rc;

	*items = NULL;
	*more = 0;
	rc = device_of_tenant(db, tenant, device);
	if (rc != UP_OK)
		return rc;
	if (total != NULL) {
		*total = 0;
		rc = up_db_count(db, sql_alert_count, p, 1, total);
		if (rc != UP_OK)
			return rc;
	}
	if (q->after != 0)
		rc = up_db_query(db, sql_alert_after, pa, 4, &res);
	else
		rc = up_db_query(db, sql_alert_list, p, 3, &res);
	if (rc != UP_OK)
		return rc;
	*more = res.nrows > q->limit;
	rc = up_db_rows_json(&res, *more ? q->limit : res.nrows, list_alert_row, &device, items);
	up_db_result_free(&res);
	return rc;
}
