/* SPDX-License-Identifier: ISC */
/*
 * user_store.h: the one user store both APIs read and write (DESIGN 1.3).
 * The users table is described once, as the resource up_user_resource: the
 * Users API's fields, and (hidden from that API) the columns only the
 * device-app endpoint sets, which it describes through this same table.
 * The generic layer (resource.h, family.h) does the rest, the password hash
 * included (secret.h); the users family has no hook.
 */
#ifndef UP_USER_STORE_H
#define UP_USER_STORE_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "family.h"
#include "group_store.h" /* UP_GROUP_REF_SQL: the users' group line */
#include "resource.h"

extern const struct up_resource up_user_resource;
extern const struct up_family up_user_family;

/* The public id of a user: "usr-<id>". */
#define UP_USER_PREFIX "usr-"

/* Index of field `name` in the users table, or -1. */
int up_user_field_index(const char *name);

/* Field `name` of the users table; NULL if there is none. */
const struct up_field *up_user_field(const char *name);

/*
 * Load user `id` of `tenant` as its JSON representation (*out owned by the
 * caller) and its version.  for_update locks the row (inside a transaction).
 * UP_ERR_NOT_FOUND when absent or of another tenant.
 */
enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
                         cJSON **out, uint64_t *version);

/* A row to write (resource.h); the older name. */
#define up_user_row up_row

static inline void up_user_row_free(struct up_row *row)
{
	up_row_free(row);
}

#endif
