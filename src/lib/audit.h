/* SPDX-License-Identifier: ISC */
/* audit.h: one audit row per change, written in the change's transaction. */
#ifndef UP_AUDIT_H
#define UP_AUDIT_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"

/*
 * The change-feed event a write's audit row carries (borrowed strings):
 * the trigger of schema/015_audit_events.sql inserts it into events from
 * the audit row, in the same statement.  Its changed_fields are the audit
 * row's for an "update", NULL otherwise.
 */
struct up_audit_event {
	const char *type;        /* "user.updated", "device.created"... */
	const char *resource_id; /* the public id: "usr-42" (a user's audit row keeps it too) */
	uint64_t version;        /* the resource's version after the change */
};

/*
 * Record that `action` ("create", "update", "delete"...) changed `fields`
 * (a JSON array of field NAMES, borrowed; never values) of user user_id,
 * and append the change's event when ev is not NULL (borrowed).  One
 * statement, kept for the COMMIT (up_db_exec_at_commit): inside a
 * transaction its failure is the COMMIT's (or, where statements cannot be
 * kept, the next statement's); call it inside the transaction that makes
 * the change.
 */
enum up_err up_audit_write(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                           uint64_t user_id, const char *request_id, const char *action,
                           const cJSON *fields, const struct up_audit_event *ev);

/*
 * The same for a row of another family: resource names it ("group"), key is
 * its public id ("administrators"); user_id stays NULL.  ev, when not NULL,
 * names the same resource (its resource_id is not used: key is).
 */
enum up_err up_audit_write_resource(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                    const char *resource, const char *key, const char *request_id,
                                    const char *action, const cJSON *fields,
                                    const struct up_audit_event *ev);

/* One row of up_audit_write_many: the record and its changed field names (borrowed). */
struct up_audit_row {
	uint64_t user_id;    /* the users' audit (resource NULL) */
	const char *key;     /* any other resource's key */
	const cJSON *fields; /* a JSON array of names */
};

/*
 * n audit rows of one action in one statement, as n calls of
 * up_audit_write (resource NULL) or up_audit_write_resource would write.
 */
enum up_err up_audit_write_many(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                const char *resource, const char *request_id, const char *action,
                                const struct up_audit_row *rows, size_t n);

#endif
