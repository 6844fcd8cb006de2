/* SPDX-License-Identifier: ISC */
/*
 * event.h: the change feed (DESIGN 1.8, schema/010_events.sql).  A write
 * appends its event inside its own transaction; the feed's readers give
 * the committed events their order (seq) and read them in that order.
 */
#ifndef UP_EVENT_H
#define UP_EVENT_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "errors.h"

/* The most events one page of the feed holds, and one ordering pass orders. */
#define UP_EVENT_PAGE_MAX 1000

/*
 * Append the event `type` ("user.updated") of the resource with public id
 * resource_id ("usr-42") at `version`; fields is the JSON array of the
 * changed field names (borrowed; NULL for a create or delete), request_id
 * may be NULL.  One INSERT, kept for the COMMIT (up_db_exec_at_commit: its
 * failure is the COMMIT's); call it inside the transaction that makes the
 * change, so that the event commits, or rolls back, with it.
 */
enum up_err up_event_append(struct up_db *db, uint64_t tenant_id, const char *type,
                            const char *resource_id, uint64_t version, const cJSON *fields,
                            const char *request_id);

/*
 * The same for a family's row: type is "<noun>.<what>" ("group.deleted").
 * noun and what are borrowed.
 */
enum up_err up_event_append_noun(struct up_db *db, uint64_t tenant_id, const char *noun,
                                 const char *what, const char *resource_id, uint64_t version,
                                 const cJSON *fields, const char *request_id);

/* One event of up_event_append_many (the resource id borrowed). */
struct up_event_row {
	const char *resource_id;
	uint64_t version;
};

/*
 * n events "noun.what" without changed fields (created: imports) in one
 * statement, as n calls of up_event_append_noun would append.
 */
enum up_err up_event_append_many(struct up_db *db, uint64_t tenant_id, const char *noun,
                                 const char *what, const struct up_event_row *rows, size_t n,
                                 const char *request_id);

/*
 * Give the tenant's committed events that have none their seq, in id order,
 * at most UP_EVENT_PAGE_MAX of them, in one transaction that holds the
 * tenant's event_seq row.  Runs its own transaction: call it outside one.
 */
enum up_err up_event_order(struct up_db *db, uint64_t tenant_id);

/*
 * The tenant's ordered events with seq > after, in seq order, at most limit
 * (1..UP_EVENT_PAGE_MAX): *items a JSON array (owned by the caller) of
 * {"id", "type", "resourceId", "version", "changedFields"?, "time",
 * "requestId"}.  types is a comma-separated list of types or "noun.*"
 * (borrowed; NULL or "" for all).  *last is the seq of the last item, or
 * `after` when there is none.
 */
enum up_err up_event_page(struct up_db *db, uint64_t tenant_id, uint64_t after, const char *types,
                          uint64_t limit, cJSON **items, uint64_t *last);

/* 1 if text is a list the feed accepts as `types` (known types, "noun.*"), else 0. */
int up_event_types_valid(const char *text);

/*
 * Delete events created before `before` ("YYYY-MM-DD HH:MM:SS", UTC), at
 * most `batch` rows a statement, until none is left; *deleted the count.
 * An event an enabled webhook of its tenant has not yet taken (no seq yet,
 * or a seq after the webhook's cursor), or that a pending delivery still
 * sends, is kept, however old.
 */
enum up_err up_event_prune(struct up_db *db, const char *before, uint64_t batch, uint64_t *deleted);

#endif
