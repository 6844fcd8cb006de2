/* SPDX-License-Identifier: ISC */
/*
 * position_store.h: positions and alerts of the devices of the one device
 * store (tables positions and alerts, schema/006_devices.sql).  Every call
 * is filtered by the caller's tenant through the device: a device of another
 * tenant is UP_ERR_NOT_FOUND, as an absent one.  SQL text is constant
 * (built once per batch size); values are always bound.
 */
#ifndef UP_POSITION_STORE_H
#define UP_POSITION_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "position.h"

/*
 * Store n >= 1 checked positions (borrowed) of device `device` of `tenant`
 * in one transaction (retried on deadlock): all or none.  A position whose
 * fix time the device already has (stored, or earlier in the same batch) is
 * skipped.  The device's newest fix time is raised to the batch's newest in
 * the same transaction, never lowered, so lastLocation is right whatever
 * the arrival order.  *accepted counts the rows inserted (n - *accepted
 * were duplicates).  UP_ERR_NOT_FOUND when the device is not the tenant's.
 */
enum up_err up_positions_store(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_position *p, size_t n, uint64_t *accepted);

/*
 * What one report stores: positions, and an alert with them (a tracker's
 * alarm), all in ONE transaction (retried on deadlock): all or none.
 */
struct up_report {
	const struct up_position *p; /* n >= 1 checked positions (borrowed) */
	size_t n;
	const struct up_alert *alert; /* a checked alert (borrowed), or NULL */
	const char *request_id;       /* of the event alert.created (borrowed), may be NULL */
	const char *unique_id;        /* not NULL: the device must have this uniqueId (borrowed) */
	uint64_t accepted;            /* out: rows inserted, as up_positions_store */
	uint64_t alert_id;            /* out: the alert's id (new, or the stored one's) */
	int alert_duplicate;          /* out: 1 when the alert is a resend, as up_alert_store */
};

/*
 * Store r's positions as up_positions_store does and r's alert as
 * up_alert_store does, in the same transaction.  UP_ERR_NOT_FOUND when the
 * device is not the tenant's (or has not r->unique_id, checked under the
 * device's lock); any failure stores nothing of either.
 */
enum up_err up_report_store(struct up_db *db, uint64_t tenant, uint64_t device,
                            struct up_report *r);

/*
 * The newest position (by fix time) of the device, as JSON (*out owned by
 * the caller).  UP_ERR_NOT_FOUND: no such device of the tenant;
 * UP_ERR_NO_LOCATION: the device has none yet.  One indexed read.
 */
enum up_err up_position_last(struct up_db *db, uint64_t tenant, uint64_t device, cJSON **out);

/* A page of route history. Times are UTC "YYYY-MM-DD HH:MM:SS.ffffff"; NULL means unbounded. */
struct up_position_query {
	const char *from;  /* fix_time >= from */
	const char *to;    /* fix_time < to */
	const char *after; /* cursor: fix_time > after (replaces from) */
	uint64_t limit;    /* 1..UP_POS_MAX_BATCH */
};

/*
 * The positions of the device matching q in fix-time order: *items a JSON
 * array (owned by the caller), *more 1 when positions follow the page.
 * UP_ERR_NOT_FOUND when the device is not the tenant's.
 */
enum up_err up_positions_range(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_position_query *q, cJSON **items, int *more);

#define UP_ALERT_PREFIX "alr-"

/*
 * Store a checked alert (borrowed) of the device in one transaction: *id
 * is the new alert's id.  An alert of the same type and time as a stored
 * one of the device is a resend: nothing is stored or read but the stored
 * alert's id (*id), and *duplicate is 1.  UP_ERR_NOT_FOUND when the device
 * is not the tenant's.
 */
enum up_err up_alert_store(struct up_db *db, uint64_t tenant, uint64_t device,
                           const struct up_alert *a, uint64_t *id, int *duplicate);

/*
 * The same; the event alert.created that the new alert appends in the same
 * transaction carries request_id (borrowed, may be NULL).
 */
enum up_err up_alert_store_req(struct up_db *db, uint64_t tenant, uint64_t device,
                               const struct up_alert *a, const char *request_id, uint64_t *id,
                               int *duplicate);

/*
 * The stored form of an alert as JSON: {"id", "deviceId", "type", "time",
 * "message"?, "position"?}; *out owned by the caller.
 */
enum up_err up_alert_to_json(uint64_t id, uint64_t device, const struct up_alert *a, cJSON **out);

/* Which page of a device's alerts: after (an alert id, 0 = none) or offset. */
struct up_alert_query {
	uint64_t limit;
	uint64_t offset; /* rows skipped; ignored when after is set */
	uint64_t after;  /* the page after this alert (the nextCursor of the page before) */
};

/*
 * A page of the device's alerts, newest first (by time, then id): *items a
 * JSON array (owned by the caller), *more 1 when alerts follow the page.
 * With q->after, the page reads only its rows (keyset); an alert id that is
 * no alert of the device (pruned since) gives an empty page.  When total is
 * not NULL, *total all of the device's alerts (a count that grows with
 * them: asked for only).
 */
enum up_err up_alerts_list(struct up_db *db, uint64_t tenant, uint64_t device,
                           const struct up_alert_query *q, cJSON **items, uint64_t *total,
                           int *more);

#endif
