/* SPDX-License-Identifier: ISC */
/*
 * webhook_fanout.c: step 1 of a delivery pass.  The tenant's committed
 * events get their feed order first (up_event_order, as GET /api/events
 * does); then each enabled webhook, under its row lock, takes the events
 * of its types after its cursor, up to the tenant's last ordered seq, as
 * deliveries, and moves the cursor.  event_seq.last_seq only ever names
 * committed, ordered events, so no event is passed over.
 */
#include <string.h>
#include "db_rows.h"
#include "event.h"
#include "parse.h"
#include "webhook_deliver.h"

/* The most events one webhook takes in one transaction. */
#define FANOUT_MAX 5000

/* The tenants with an enabled webhook and events not yet ordered (uq_events_seq finds them). */
static const char sql_tenants[] =
        "SELECT DISTINCT w.tenant_id FROM webhooks w WHERE w.enabled = 1 AND EXISTS "
        "(SELECT 1 FROM events e WHERE e.tenant_id = w.tenant_id AND e.seq IS NULL)";
/* Only the webhooks behind their tenant's last ordered event: an idle pass costs one read. */
static const char sql_hooks[] =
        "SELECT w.id FROM webhooks w JOIN event_seq s ON s.tenant_id = w.tenant_id "
        "WHERE w.enabled = 1 AND w.cursor_seq < s.last_seq ORDER BY w.id";
static const char sql_lock[] = "SELECT tenant_id, cursor_seq, event_types FROM webhooks "
                               "WHERE id = ? AND enabled = 1 FOR UPDATE";
static const char sql_last[] =
        "SELECT COALESCE(MAX(last_seq), 0) FROM event_seq WHERE tenant_id = ?";
static const char sql_insert[] =
        "INSERT IGNORE INTO webhook_deliveries (webhook_id, tenant_id, event_id, event_seq, "
        "resource_id, next_attempt_at, created_at) "
        "SELECT ?, tenant_id, id, seq, resource_id, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) "
        "FROM events WHERE tenant_id = ? AND seq > ? AND seq <= ? AND (? = '' "
        "OR FIND_IN_SET(type, ?) > 0 "
        "OR FIND_IN_SET(CONCAT(SUBSTRING_INDEX(type, '.', 1), '.*'), ?) > 0) ORDER BY seq";
static const char sql_cursor[] = "UPDATE webhooks SET cursor_seq = ? WHERE id = ?";

struct fan {
	uint64_t webhook, made;
};

static enum up_err fan_txn(struct up_db *db, void *arg)
{
	struct fan *f = arg;
	struct up_db_param p[7] = {UP_P_U64(f->webhook)};
	struct up_db_result res = {0};
	struct up_db_info info = {0};
	uint64_t tenant, cursor, last;
	enum up_err rc;
	const char *types;

	f->made = 0;
	rc = up_db_query(db, sql_lock, p, 1, &res);
	if (rc != UP_OK || res.nrows == 0)
		goto out; /* disabled or deleted meanwhile */
	types = up_db_cell(&res, 0, 2) != NULL ? up_db_cell(&res, 0, 2) : "";
	if (up_parse_u64(up_db_cell(&res, 0, 0), 1, UINT64_MAX, &tenant) != UP_OK ||
	    up_parse_u64(up_db_cell(&res, 0, 1), 0, UINT64_MAX, &cursor) != UP_OK) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	p[0] = UP_P_U64(tenant);
	rc = up_db_count(db, sql_last, p, 1, &last);
	if (rc != UP_OK || last <= cursor)
		goto out;
	if (last - cursor > FANOUT_MAX)
		last = cursor + FANOUT_MAX;
	p[0] = UP_P_U64(f->webhook);
	p[1] = UP_P_U64(tenant);
	p[2] = UP_P_U64(cursor);
	p[3] = UP_P_U64(last);
	p[4] = UP_P_STR(types);
	p[5] = UP_P_STR(types);
	p[6] = UP_P_STR(types);
	rc = up_db_exec(db, sql_insert, p, 7, &info);
	if (rc != UP_OK)
		goto out;
	f->made = info.affected;
	p[0] = UP_P_U64(last);
	p[1] = UP_P_U64(f->webhook);
	rc = up_db_exec(db, sql_cursor, p, 2, NULL);
out:
	up_db_result_free(&res);
	return rc;
}

/* Calls fn(db, id) for each id of the one-column query sql; stops at the first error. */
static enum up_err each_id(struct up_db *db, const char *sql,
                           enum up_err (*fn)(struct up_db *, uint64_t, uint64_t *), uint64_t *made)
{
	struct up_db_result res = {0};
	enum up_err rc;
	uint64_t id;
	size_t i;

	rc = up_db_query(db, sql, NULL, 0, &res);
	for (i = 0; rc == UP_OK && i < res.nrows; i++) {
		rc = up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &id);
		if (rc == UP_OK)
			rc = fn(db, id, made);
	}
	up_db_result_free(&res);
	return rc;
}

static enum up_err order_tenant(struct up_db *db, uint64_t tenant, uint64_t *made)
{
	(void)made;
	return up_event_order(db, tenant);
}

static enum up_err fan_webhook(struct up_db *db, uint64_t webhook, uint64_t *made)
{
	struct fan f = {webhook, 0};
	enum up_err rc = up_db_transaction(db, fan_txn, &f);

	if (rc == UP_OK)
		*made += f.made;
	return rc;
}

enum up_err wh_fanout(struct up_db *db, uint64_t *made)
{
	enum up_err rc;

	*made = 0;
	rc = each_id(db, sql_tenants, order_tenant, made);
	if (rc == UP_OK)
		rc = each_id(db, sql_hooks, fan_webhook, made);
	return rc;
}
