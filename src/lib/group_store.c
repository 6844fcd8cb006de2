/* SPDX-License-Identifier: ISC */
/*
 * group_store.c: the groups table (DESIGN 1.4), described once as the
 * resource up_group_resource, and the one hook only groups need: a group
 * that users or devices still name is not deleted.  The Groups API
 * (src/endpoints/groups_handler.c) is its route table on the generic layer.
 */
#include <string.h>
#include "db_rows.h"
#include "field_check.h"
#include "group_store.h"
#include "validate.h"

/* A group id: [a-z0-9][a-z0-9_.-]{0,63}, e.g. "administrators". */
static int r_group_id(struct up_check *c, const cJSON *v)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	const char *s = v->valuestring;

	if (s[0] == '\0' || strchr(first, s[0]) == NULL ||
	    !up_valid_charset(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_.-", 0, 63))
		return up_check_fail(c, "must be 1 to 64 characters of a-z, 0-9, _ . - "
		                        "starting with a letter or digit");
	/* The bulk routes /api/groups/export and /api/groups/import come first. */
	if (strcmp(s, "export") == 0 || strcmp(s, "import") == 0)
		return up_check_fail(c, "is reserved: /api/groups/%s is the bulk route", s);
	return 1;
}

/*
 * How many users name the group: the sum of its 16 slots in group_members,
 * which triggers keep in the transaction of every user write (migration
 * 008), so reading it costs the same for 10 users as for a million.
 */
#define USERS_COUNT                                                                                \
	"(SELECT COALESCE(SUM(m.users), 0) FROM group_members m WHERE "                            \
	"m.tenant_id = user_groups.tenant_id AND m.group_key = user_groups.group_key)"

#define RO UP_FF_READONLY

/*
 * The user_groups table, one line per field: JSON name, column, type,
 * flags, id prefix, length limits (entries for tags/privileges), rule,
 * unique key, must-be-after field, default, reference check and its noun.
 */
static const struct up_field group_fields[] = {
        {"id", "group_key", UP_FT_STRING, UP_FF_KEY | UP_FF_CREATEONLY | UP_FF_REQUIRED, NULL, 1,
         64, r_group_id, "uq_groups_key", NULL, NULL, NULL, NULL},
        {"name", "name", UP_FT_STRING, UP_FF_REQUIRED, NULL, 1, 100, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"description", "description", UP_FT_STRING, 0, NULL, 0, 1000, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"privileges", "privileges", UP_FT_JSON, 0, NULL, 0, 64, up_check_privileges, NULL, NULL,
         "[]", NULL, NULL},
        {"tags", "tags", UP_FT_JSON, 0, NULL, 0, 64, up_check_tags, NULL, NULL, "{}", NULL, NULL},
        {"disabled", "disabled", UP_FT_BOOL, 0, NULL, 0, 0, NULL, NULL, NULL, "false", NULL, NULL},
        {"users", USERS_COUNT, UP_FT_UINT, RO | UP_FF_COMPUTED, NULL, 0, 0, NULL, NULL, NULL, "0",
         NULL, NULL},
        {"creation", "created_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,
         NULL},
        {"modification", "modified_at", UP_FT_DATETIME, RO, NULL, 0, 0, NULL, NULL, NULL, NULL,
         NULL, NULL},
};

static const struct up_filter group_filters[] = {
        {"name", "name", UP_FT_STRING, NULL, "ix_groups_name"},
};

const struct up_resource up_group_resource = {
        "user_groups", "group",
        "/api/groups", "groups",
        group_fields,  sizeof(group_fields) / sizeof(group_fields[0]),
        group_filters, sizeof(group_filters) / sizeof(group_filters[0]),
        NULL, /* uq_groups_key (tenant_id, group_key) is the only index in key order */
};

/* How many rows (users, devices) of tenant name group key. */
static enum up_err count_naming(struct up_db *db, const char *sql, uint64_t tenant, const char *key,
                                uint64_t *n)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_STR(key)};

	*n = 0;
	return up_db_count(db, sql, p, 2, n);
}

/* One detail {"field": what, "reason", "count": n} of a group still in use. */
static void in_use_detail(struct up_write *w, const char *what, const char *noun, uint64_t n)
{
	cJSON *d =
	        up_error_detail(&w->err, what, "%llu %s%s still name%s the group",
	                        (unsigned long long)n, noun, n == 1 ? "" : "s", n == 1 ? "s" : "");

	if (d != NULL)
		cJSON_AddNumberToObject(d, "count", (double)n);
}

/*
 * Hook: a group that users or devices still name is not deleted (409
 * group_in_use, with the counts).  The pipeline has locked the group's row
 * (FOR UPDATE), and every write that names a group holds a shared lock on
 * its row until it commits (UP_GROUP_REF_SQL): so the lock was granted only
 * once those writes had committed, and this transaction's snapshot, taken
 * by its first plain read (the users count in that same locked SELECT),
 * sees them; a write that comes later waits for this one and then finds no
 * group (422).  The counts are plain reads on purpose: a locking read of the
 * counts would wait for their row locks while their writers wait for the
 * group's row, a deadlock.  They are the sums of the group's slots in
 * group_members (migration 008): O(1) whatever the size of the group.
 */
static enum up_err refuse_in_use(struct up_db *db, struct up_write *w)
{
	static const char users_sql[] = "SELECT COALESCE(SUM(users), 0) FROM group_members "
	                                "WHERE tenant_id = ? AND group_key = ?";
	static const char devices_sql[] = "SELECT COALESCE(SUM(devices), 0) FROM group_members "
	                                  "WHERE tenant_id = ? AND group_key = ?";
	uint64_t tenant = w->ctx->auth.tenant_id, users = 0, devices = 0;
	enum up_err rc = count_naming(db, users_sql, tenant, w->key.text, &users);

	if (rc == UP_OK)
		rc = count_naming(db, devices_sql, tenant, w->key.text, &devices);
	if (rc != UP_OK || users + devices == 0)
		return rc;
	if (users > 0)
		in_use_detail(w, "users", "user", users);
	if (devices > 0)
		in_use_detail(w, "devices", "device", devices);
	if (devices == 0)
		return up_error_set(&w->err, UP_ERR_GROUP_IN_USE,
		                    "The group still has %llu user%s: move them to another group "
		                    "first",
		                    (unsigned long long)users, users == 1 ? "" : "s");
	if (users == 0)
		return up_error_set(&w->err, UP_ERR_GROUP_IN_USE,
		                    "The group still has %llu device%s: move them to another group "
		                    "first",
		                    (unsigned long long)devices, devices == 1 ? "" : "s");
	return up_error_set(&w->err, UP_ERR_GROUP_IN_USE,
	                    "The group still has %llu user%s and %llu device%s: move them to "
	                    "another group first",
	                    (unsigned long long)users, users == 1 ? "" : "s",
	                    (unsigned long long)devices, devices == 1 ? "" : "s");
}

static const struct up_hooks group_hooks = {NULL, NULL, refuse_in_use, NULL};

const struct up_family up_group_family = {&up_group_resource, &group_hooks, "Group", "group", 0};
