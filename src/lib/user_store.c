/* user_store.c: the users field table and reading users. */
#include <stdio.h>
#include <string.h>
#include "parse.h"
#include "user_store.h"

static const struct up_field user_fields[] = {
	/* name, column, type, flags, prefix, min_len, max_len */
	{"id", "id", UP_FT_ID, UP_FF_READONLY, UP_USER_PREFIX, 0, 0},
	{"name", "name", UP_FT_STRING, 0, NULL, 1, 100},
	{"email", "email", UP_FT_STRING, 0, NULL, 3, 254},
	{"country", "country", UP_FT_STRING, 0, NULL, 1, 100},
	{"timeZone", "time_zone", UP_FT_STRING, 0, NULL, 1, 64},
	{"description", "description", UP_FT_STRING, 0, NULL, 0, 1000},
	{"message", "message", UP_FT_STRING, 0, NULL, 0, 1000},
	{"disabled", "disabled", UP_FT_BOOL, 0, NULL, 0, 0},
	{"tags", "tags", UP_FT_JSON, 0, NULL, 0, 64},
	{"privileges", "privileges", UP_FT_JSON, 0, NULL, 0, 64},
	{"group", "user_group", UP_FT_STRING, 0, NULL, 0, 64},
	{"deviceId", "device_id", UP_FT_REF, 0, UP_DEVICE_PREFIX, 0, 0},
	{"adminDevices", "admin_devices", UP_FT_UINT, 0, NULL, 0, 0},
	{"from", "valid_from", UP_FT_DATETIME, 0, NULL, 0, 0},
	{"expires", "expires", UP_FT_DATETIME, 0, NULL, 0, 0},
	{"password", "password_hash", UP_FT_SECRET, UP_FF_WRITEONLY, NULL, 1, 1024},
	{"creation", "created_at", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0},
	{"modification", "modified_at", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0},
	{"lastLogin", "last_login", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0},
};

const struct up_resource up_user_resource = {
	"users", user_fields, sizeof(user_fields) / sizeof(user_fields[0]),
};

/* SELECT statements built once from the table (constant text, values bound). */
static char sql_load[1024], sql_load_locked[1100];

static enum up_err build_sql(void)
{
	char cols[800];
	enum up_err rc;

	if (sql_load[0] != '\0')
		return UP_OK;
	rc = up_resource_columns(&up_user_resource, cols, sizeof(cols));
	if (rc != UP_OK)
		return rc;
	snprintf(sql_load_locked, sizeof(sql_load_locked),
		 "SELECT %s, version FROM users WHERE tenant_id = ? AND id = ? FOR UPDATE", cols);
	snprintf(sql_load, sizeof(sql_load),
		 "SELECT %s, version FROM users WHERE tenant_id = ? AND id = ?", cols);
	return UP_OK;
}

enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
			 cJSON **out, uint64_t *version)
{
	struct up_db_result res;
	struct up_db_param p[2];
	enum up_err rc;

	*out = NULL;
	rc = build_sql();
	if (rc != UP_OK)
		return rc;
	p[0] = UP_P_U64(tenant);
	p[1] = UP_P_U64(id);
	rc = up_db_query(db, for_update ? sql_load_locked : sql_load, p, 2, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1) {
		rc = UP_ERR_NOT_FOUND;
		goto out;
	}
	if (version != NULL &&
	    up_parse_u64(up_db_cell(&res, 0, res.ncols - 1), 0, UINT64_MAX, version) != UP_OK) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	rc = up_resource_to_json(&up_user_resource, &res, 0, out);
out:
	up_db_result_free(&res);
	return rc;
}
