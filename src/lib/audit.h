/* SPDX-License-Identifier: ISC */
/* audit.h: one audit row per change, written in the change's transaction. */
#ifndef UP_AUDIT_H
#define UP_AUDIT_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"

/*
 * Record that `action` ("create", "update", "delete"...) changed `fields`
 * (a JSON array of field NAMES, borrowed; never values) of user user_id.
 * Call inside the transaction that makes the change.
 */
enum up_err up_audit_write(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                           uint64_t user_id, const char *request_id, const char *action,
                           const cJSON *fields);

/*
 * The same for a row of another family: resource names it ("group"), key is
 * its public id ("administrators"); user_id stays NULL.
 */
enum up_err up_audit_write_resource(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                    const char *resource, const char *key, const char *request_id,
                                    const char *action, const cJSON *fields);

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
