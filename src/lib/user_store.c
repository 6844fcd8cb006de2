/* SPDX-License-Identifier: ISC */
/* user_store.c: the users table (its password is hashed by the write pipeline, secret.h). */
#include <stdio.h>
#include <string.h>
#include "device_store.h"
#include "field_check.h"
#include "group_store.h"
#include "user_store.h"

#define DEVICE_REF "SELECT id FROM devices WHERE tenant_id = ? AND id = ?"

#define RO UP_FF_READONLY
#define HID UP_FF_HIDDEN

/*
 * The users table, one line per field: JSON name, column, type, flags, id
 * prefix, length limits (code points; entries for tags/privileges), rule,
 * unique key, must-be-after field, default (JSON text), reference check and
 * what it names.  Adding a field is one line here plus a migration.  The
 * hidden lines are the columns only the device-app endpoint writes.
 */
static const struct up_field user_fields[] = {
        {"id", "id", UP_FT_ID, RO | UP_FF_KEY, UP_USER_PREFIX, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"name", "name", UP_FT_STRING, 0, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL, NULL},
        {"email", "email", UP_FT_STRING, 0, NULL, 3, 254, up_check_email, "uq_users_email", NULL,
         NULL, NULL, NULL},
        {"country", "country", UP_FT_STRING, 0, NULL, 1, 100, up_check_country, NULL, NULL, NULL,
         NULL, NULL},
        {"timeZone", "time_zone", UP_FT_STRING, 0, NULL, 1, 64, up_check_time_zone, NULL, NULL,
         NULL, NULL, NULL},
        {"description", "description", UP_FT_STRING, 0, NULL, 0, 1000, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"message", "message", UP_FT_STRING, 0, NULL, 0, 1000, NULL, NULL, NULL, NULL, NULL, NULL},
        {"disabled", "disabled", UP_FT_BOOL, 0, NULL, 0, 0, NULL, NULL, NULL, "false", NULL, NULL},
        {"tags", "tags", UP_FT_JSON, 0, NULL, 0, 64, up_check_tags, NULL, NULL, "{}", NULL, NULL},
        {"privileges", "privileges", UP_FT_JSON, 0, NULL, 0, 64, up_check_privileges, NULL, NULL,
         "[]", NULL, NULL},
        {"group", "user_group", UP_FT_STRING, 0, NULL, 0, 64, NULL, NULL, NULL, NULL,
         UP_GROUP_REF_SQL, "group"},
        {"deviceId", "device_id", UP_FT_REF, 0, UP_DEVICE_PREFIX, 0, 0, NULL, NULL, NULL, NULL,
         DEVICE_REF, "device"},
        {"adminDevices", "admin_devices", UP_FT_UINT, 0, NULL, 0, 0, NULL, NULL, NULL, "0", NULL,
         NULL},
        {"from", "valid_from", UP_FT_DATETIME, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
        {"expires", "expires", UP_FT_DATETIME, 0, NULL, 0, 0, NULL, NULL, "from", NULL, NULL, NULL},
        {"password", "password_hash", UP_FT_SECRET, UP_FF_WRITEONLY, NULL, 8, 1024, NULL, NULL,
         NULL, NULL, NULL, NULL},
        {"creation", "created_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"modification", "modified_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL,
         NULL, NULL},
        {"lastLogin", "last_login", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        /* device-app columns */
        {"username", "username", UP_FT_STRING, HID, NULL, 1, 150, up_check_username,
         "uq_users_username", NULL, NULL, NULL, NULL},
        {"user_external_id", "user_external_id", UP_FT_STRING, HID, NULL, 1, 128, NULL,
         "uq_users_external", NULL, NULL, NULL, NULL},
        {"generic_id", "generic_id", UP_FT_STRING, HID, NULL, 1, 255, NULL, "uq_users_generic",
         NULL, NULL, NULL, NULL},
        {"number", "phone_number", UP_FT_STRING, HID, NULL, 1, 16, up_check_e164, "uq_users_number",
         NULL, NULL, NULL, NULL},
        {"user_class", "user_class", UP_FT_STRING, HID, NULL, 1, 64, up_check_user_class, NULL,
         NULL, NULL, NULL, NULL},
        {"first_name", "first_name", UP_FT_STRING, HID, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"last_name", "last_name", UP_FT_STRING, HID, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"preferences", "preferences", UP_FT_JSON, HID, NULL, 0, 64, NULL, NULL, NULL, NULL, NULL,
         NULL},
};

#define NFIELDS (sizeof(user_fields) / sizeof(user_fields[0]))
_Static_assert(NFIELDS <= UP_MAX_FIELDS, "raise UP_MAX_FIELDS");

static const struct up_filter user_filters[] = {
        {"group", "user_group", UP_FT_STRING, NULL, "ix_users_group"},
        {"email", "email_key", UP_FT_STRING, "LOWER(?)", "uq_users_email"}, /* any case (004) */
        {"disabled", "disabled", UP_FT_BOOL, NULL, "ix_users_disabled"},
};

const struct up_resource up_user_resource = {
        "users",           "user",  "/api/users", "users",
        user_fields,       NFIELDS, user_filters, sizeof(user_filters) / sizeof(user_filters[0]),
        "ix_users_tenant",
};

/* Users need no hook: the password, a UP_FT_SECRET line, is hashed by the pipeline. */
const struct up_family up_user_family = {&up_user_resource, NULL, "User", NULL, 0};

int up_user_field_index(const char *name)
{
	return up_resource_field(&up_user_resource, name);
}

const struct up_field *up_user_field(const char *name)
{
	int i = up_user_field_index(name);

	return i >= 0 ? &user_fields[i] : NULL;
}

enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
                         cJSON **out, uint64_t *version)
{
	struct up_key k = {id, NULL};

	return up_resource_load(db, &up_user_resource, tenant, &k, for_update, out, version);
}
