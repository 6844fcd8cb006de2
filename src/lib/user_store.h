/*
 * user_store.h: the one user store both APIs read and write (DESIGN 1.3).
 * The Users API representation is the field table up_user_resource, with a
 * rule per field (up_user_rules, same order) that user_validate.c applies.
 * Every statement is filtered by the caller's tenant; SQL text is built
 * from the constant table only, values are always bound.
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

/* Upper bound of the number of fields of the users table (checked at compile time). */
#define UP_USER_MAX_FIELDS 32

/* What a field's value must satisfy beyond its type (user_validate.c). */
enum up_user_rule {
	UP_UR_NONE = 0,   /* type and length only */
	UP_UR_EMAIL,      /* a mail address (up_valid_email) */
	UP_UR_COUNTRY,    /* a name of GET /api/users/countries */
	UP_UR_TIMEZONE,   /* a name of GET /api/users/timeZones */
	UP_UR_TAGS,       /* object of string -> string, at most max_len entries */
	UP_UR_PRIVILEGES, /* array of unique strings [a-z_]{1,32}, at most max_len entries */
	UP_UR__MAX
};

struct up_user_rule_def {
	enum up_user_rule rule;
	int unique;          /* value unique among the tenant's users (checked in the store) */
	const char *after;   /* datetime: must be later than this field's value, or NULL */
	const char *dflt;    /* JSON text of the value when absent/NULL; NULL means null */
	const char *ref_sql; /* UP_FT_REF: "SELECT ... WHERE tenant_id = ? AND id = ?" */
};

/* The rules, parallel to up_user_resource.fields. */
extern const struct up_user_rule_def up_user_rules[];

/* Index of field `name` in the table, or -1. */
int up_user_field_index(const char *name);

/*
 * Load user `id` of `tenant` as its JSON representation (*out owned by the
 * caller) and its version.  for_update locks the row (inside a transaction).
 * Columns that are NULL and have a default (tags, privileges) show the
 * default.  UP_ERR_NOT_FOUND when absent or of another tenant.
 */
enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
                         cJSON **out, uint64_t *version);

/*
 * The current state of a user, read with its row locked for a write: the
 * representation, its version, the row as selected (kept so that the state
 * after the write is known without reading it back) and the server's
 * UTC_TIMESTAMP(6) when the lock was taken (the modification time the write
 * records).  Owned; up_user_current_free() releases it.
 */
struct up_user_current {
	cJSON *json;
	uint64_t version;
	struct up_db_result raw;
	char now[32];
};

/* Lock and load user id of tenant (inside a transaction).  UP_ERR_NOT_FOUND when absent. */
enum up_err up_user_lock(struct up_db *db, uint64_t tenant, uint64_t id,
                         struct up_user_current *cur);
void up_user_current_free(struct up_user_current *cur);

struct up_user_row;

/*
 * The representation once row has been written over cur by up_user_update
 * (set columns replaced, modification = cur->now) and its version (cur's
 * plus one), without asking the database.  Modifies cur->raw; *out owned
 * by the caller.
 */
enum up_err up_user_after_write(struct up_user_current *cur, const struct up_user_row *row,
                                cJSON **out, uint64_t *version);

/*
 * A row to write: for each field of the table, whether a value is to be
 * written (set) and the value as bound text (NULL for SQL NULL).  Texts are
 * owned by the row; up_user_row_free() wipes and frees them.
 */
struct up_user_row {
	unsigned char set[UP_USER_MAX_FIELDS];
	char *text[UP_USER_MAX_FIELDS];
};

void up_user_row_free(struct up_user_row *row);

/*
 * Checks that need the database, for the fields of row that are set:
 * references naming a row of the tenant.  Unique fields are not looked up:
 * the unique index answers with a duplicate key (UP_ERR_CONFLICT and
 * up_db_dup_key()) at the write.  Each failure is added to details (a JSON
 * array, borrowed); returns UP_OK unless a query failed.
 */
enum up_err up_user_check_db(struct up_db *db, uint64_t tenant, const struct up_user_row *row,
                             cJSON *details);

/*
 * UPDATE the set columns of user id (only those), bump version and set
 * modified_at to now (borrowed; up_user_current.now).  Nothing set: nothing
 * happens.  UP_ERR_NOT_FOUND if the row is gone; UP_ERR_CONFLICT on a
 * duplicate unique value.
 */
enum up_err up_user_update(struct up_db *db, uint64_t tenant, uint64_t id,
                           const struct up_user_row *row, const char *now);

/*
 * INSERT a user from row (set columns; the others take their defaults) in
 * one statement (INSERT ... RETURNING): *id is the new id, *out its
 * representation (owned by the caller) and *version its version.
 */
enum up_err up_user_insert(struct up_db *db, uint64_t tenant, const struct up_user_row *row,
                           uint64_t *id, cJSON **out, uint64_t *version);

/* DELETE user id of tenant; UP_ERR_NOT_FOUND if no such row. */
enum up_err up_user_delete(struct up_db *db, uint64_t tenant, uint64_t id);

/* Filters and paging of the users list; NULL strings and disabled < 0 mean "any". */
struct up_user_query {
	const char *group;
	const char *email;
	int disabled;      /* -1 any, 0, 1 */
	uint64_t after_id; /* cursor: only ids above this one */
	uint64_t limit;
	uint64_t offset;
};

/*
 * The users of tenant matching q, ordered by id: *users a JSON array (owned
 * by the caller), *total the count of all matches (ignoring after_id,
 * limit, offset), *more 1 if rows follow the page.
 */
enum up_err up_user_list(struct up_db *db, uint64_t tenant, const struct up_user_query *q,
                         cJSON **users, uint64_t *total, int *more);

#endif
