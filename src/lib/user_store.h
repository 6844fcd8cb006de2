/*
 * user_store.h: the one user store both APIs read and write (DESIGN 1.3).
 * The Users API representation is the field table up_user_resource.
 */
#ifndef UP_USER_STORE_H
#define UP_USER_STORE_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "resource.h"

extern const struct up_resource up_user_resource;

#define UP_USER_PREFIX "usr-"
#define UP_DEVICE_PREFIX "dev-"

/*
 * Load user `id` of `tenant` as its JSON representation (*out owned by the
 * caller) and its version.  for_update locks the row (inside a transaction).
 * UP_ERR_NOT_FOUND when absent or of another tenant.
 */
enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
			 cJSON **out, uint64_t *version);

#endif
