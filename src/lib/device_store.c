/* SPDX-License-Identifier: ISC */
/* device_store.c: the devices table and its rules (see device_store.h). */
#include "db_rows.h"
#include "device_store.h"
#include "field_check.h"
#include "group_store.h"

#define RO UP_FF_READONLY
/*
 * The devices table, one line per field: JSON name, column, type, flags, id
 * prefix, length limits (code points; entries for tags), rule, unique key,
 * must-be-after field, default (JSON text), reference check and what it
 * names.  A device's group names a group of its tenant, checked as a user's
 * is (UP_GROUP_REF_SQL: the Groups API's delete counts the devices that name
 * a group, as it counts users).  lastUpdate is the newest fix time, which only the positions
 * write (position_store.c).
 */
static const struct up_field device_fields[] = {
        {"id", "id", UP_FT_ID, RO | UP_FF_KEY, UP_DEVICE_PREFIX, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"name", "name", UP_FT_STRING, 0, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL, NULL},
        {"uniqueId", "unique_id", UP_FT_STRING, 0, NULL, 1, 64, up_check_unique_id,
         UP_DEVICE_UNIQUE_ID_KEY, NULL, NULL, NULL, NULL},
        {"imei", "imei", UP_FT_STRING, 0, NULL, 1, 16, up_check_imei, UP_DEVICE_IMEI_KEY, NULL,
         NULL, NULL, NULL},
        {"imsi", "imsi", UP_FT_STRING, 0, NULL, 1, 15, up_check_imsi, UP_DEVICE_IMSI_KEY, NULL,
         NULL, NULL, NULL},
        {"iccid", "iccid", UP_FT_STRING, 0, NULL, 1, 20, up_check_iccid, UP_DEVICE_ICCID_KEY, NULL,
         NULL, NULL, NULL},
        {"phoneNumber", "phone_number", UP_FT_STRING, 0, NULL, 1, 16, up_check_e164, NULL, NULL,
         NULL, NULL, NULL},
        {"model", "model", UP_FT_STRING, 0, NULL, 0, 64, NULL, NULL, NULL, NULL, NULL, NULL},
        {"protocol", "protocol", UP_FT_STRING, 0, NULL, 0, 64, NULL, NULL, NULL, NULL, NULL, NULL},
        {"group", "device_group", UP_FT_STRING, 0, NULL, 0, 64, NULL, NULL, NULL, NULL,
         UP_GROUP_REF_SQL, "group"},
        {"disabled", "disabled", UP_FT_BOOL, 0, NULL, 0, 0, NULL, NULL, NULL, "false", NULL, NULL},
        {"tags", "tags", UP_FT_JSON, 0, NULL, 0, 64, up_check_tags, NULL, NULL, "{}", NULL, NULL},
        {"lastUpdate", "last_fix_time", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL,
         NULL, NULL},
        {"creation", "created_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"modification", "modified_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL,
         NULL, NULL},
};

#define NFIELDS (sizeof(device_fields) / sizeof(device_fields[0]))
_Static_assert(NFIELDS <= UP_MAX_FIELDS, "raise UP_MAX_FIELDS");

static const struct up_filter device_filters[] = {
        {"group", "device_group", UP_FT_STRING, NULL, "ix_devices_group"},
        {"disabled", "disabled", UP_FT_BOOL, NULL, "ix_devices_disabled"},
};

const struct up_resource up_device_resource = {
        "devices",           "device",
        "/api/devices",      "devices",
        device_fields,       NFIELDS,
        device_filters,      sizeof(device_filters) / sizeof(device_filters[0]),
        "ix_devices_tenant",
};

/*
 * positions and alerts are partitioned by month (schema/012_retention.sql),
 * and MariaDB has no foreign keys on partitioned tables: the delete of a
 * device removes its history itself, in the delete's transaction (the
 * device row is locked, so no position of it can arrive meanwhile; a failed
 * delete rolls these back too).
 */
static const char sql_delete_positions[] = "DELETE FROM positions WHERE device_id = ?";
static const char sql_delete_alerts[] = "DELETE FROM alerts WHERE device_id = ?";

/*
 * A token bound to the device (token issue --device) keeps it: while one is
 * not revoked the delete is 409 device_in_use (unbinding it would let it
 * report for every device).  Revoked ones never authenticate again; they
 * let the device go.
 */
static const char sql_bound_tokens[] =
        "SELECT COUNT(*) FROM api_tokens WHERE device_id = ? AND revoked_at IS NULL";
static const char sql_unbind_revoked[] =
        "UPDATE api_tokens SET device_id = NULL WHERE device_id = ? AND revoked_at IS NOT NULL";

static enum up_err delete_history(struct up_db *db, struct up_write *w)
{
	struct up_db_param p[1] = {UP_P_U64(w->key.id)};
	uint64_t bound = 0;
	enum up_err rc;

	rc = up_db_count(db, sql_bound_tokens, p, 1, &bound);
	if (rc == UP_OK && bound > 0)
		return up_error_set(&w->err, UP_ERR_DEVICE_IN_USE,
		                    "Tokens bound to the device: %llu; revoke them first "
		                    "(userpatch-admin token revoke)",
		                    (unsigned long long)bound);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql_unbind_revoked, p, 1, NULL);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql_delete_positions, p, 1, NULL);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql_delete_alerts, p, 1, NULL);
	return rc;
}

/* Every other rule is a line of the table. */
static const struct up_hooks device_hooks = {NULL, NULL, delete_history, NULL};

const struct up_family up_device_family = {&up_device_resource, &device_hooks, "Device", "device",
                                           0};
