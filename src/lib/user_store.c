/* user_store.c: the users field table, reading and writing users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "json.h"
#include "parse.h"
#include "user_store.h"
#include "validate.h"

#define DEVICE_REF "SELECT id FROM devices WHERE tenant_id = ? AND id = ?"

/*
 * The users resource, one line per field: JSON name, column, type, flags,
 * id prefix, length limits (code points; entries for tags/privileges),
 * rule, unique, must-be-after field, default (JSON text), reference check.
 * Adding a field is one line here plus a migration.
 */
#define USER_FIELDS(X)                                                                             \
	X("id", "id", UP_FT_ID, UP_FF_READONLY, UP_USER_PREFIX, 0, 0, UP_UR_NONE, 0, NULL, NULL,   \
	  NULL)                                                                                    \
	X("name", "name", UP_FT_STRING, 0, NULL, 1, 100, UP_UR_NONE, 0, NULL, NULL, NULL)          \
	X("email", "email", UP_FT_STRING, 0, NULL, 3, 254, UP_UR_EMAIL, 1, NULL, NULL, NULL)       \
	X("country", "country", UP_FT_STRING, 0, NULL, 1, 100, UP_UR_COUNTRY, 0, NULL, NULL, NULL) \
	X("timeZone", "time_zone", UP_FT_STRING, 0, NULL, 1, 64, UP_UR_TIMEZONE, 0, NULL, NULL,    \
	  NULL)                                                                                    \
	X("description", "description", UP_FT_STRING, 0, NULL, 0, 1000, UP_UR_NONE, 0, NULL, NULL, \
	  NULL)                                                                                    \
	X("message", "message", UP_FT_STRING, 0, NULL, 0, 1000, UP_UR_NONE, 0, NULL, NULL, NULL)   \
	X("disabled", "disabled", UP_FT_BOOL, 0, NULL, 0, 0, UP_UR_NONE, 0, NULL, "false", NULL)   \
	X("tags", "tags", UP_FT_JSON, 0, NULL, 0, 64, UP_UR_TAGS, 0, NULL, "{}", NULL)             \
	X("privileges", "privileges", UP_FT_JSON, 0, NULL, 0, 64, UP_UR_PRIVILEGES, 0, NULL, "[]", \
	  NULL)                                                                                    \
	X("group", "user_group", UP_FT_STRING, 0, NULL, 0, 64, UP_UR_NONE, 0, NULL, NULL, NULL)    \
	X("deviceId", "device_id", UP_FT_REF, 0, UP_DEVICE_PREFIX, 0, 0, UP_UR_NONE, 0, NULL,      \
	  NULL, DEVICE_REF)                                                                        \
	X("adminDevices", "admin_devices", UP_FT_UINT, 0, NULL, 0, 0, UP_UR_NONE, 0, NULL, "0",    \
	  NULL)                                                                                    \
	X("from", "valid_from", UP_FT_DATETIME, 0, NULL, 0, 0, UP_UR_NONE, 0, NULL, NULL, NULL)    \
	X("expires", "expires", UP_FT_DATETIME, 0, NULL, 0, 0, UP_UR_NONE, 0, "from", NULL, NULL)  \
	X("password", "password_hash", UP_FT_SECRET, UP_FF_WRITEONLY, NULL, 8, 1024, UP_UR_NONE,   \
	  0, NULL, NULL, NULL)                                                                     \
	X("creation", "created_at", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0, UP_UR_NONE, 0,     \
	  NULL, NULL, NULL)                                                                        \
	X("modification", "modified_at", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0, UP_UR_NONE,   \
	  0, NULL, NULL, NULL)                                                                     \
	X("lastLogin", "last_login", UP_FT_DATETIME, UP_FF_READONLY, NULL, 0, 0, UP_UR_NONE, 0,    \
	  NULL, NULL, NULL)

#define AS_FIELD(n, c, t, fl, p, mn, mx, r, u, a, d, ref) {n, c, t, fl, p, mn, mx},
#define AS_RULE(n, c, t, fl, p, mn, mx, r, u, a, d, ref) {r, u, a, d, ref},

static const struct up_field user_fields[] = {USER_FIELDS(AS_FIELD)};
const struct up_user_rule_def up_user_rules[] = {USER_FIELDS(AS_RULE)};

#define NFIELDS (sizeof(user_fields) / sizeof(user_fields[0]))
_Static_assert(NFIELDS <= UP_USER_MAX_FIELDS, "raise UP_USER_MAX_FIELDS");

const struct up_resource up_user_resource = {"users", user_fields, NFIELDS};

int up_user_field_index(const char *name)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(user_fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

void up_user_row_free(struct up_user_row *row)
{
	size_t i;

	for (i = 0; i < UP_USER_MAX_FIELDS; i++) {
		if (row->text[i] != NULL) {
			sodium_memzero(row->text[i], strlen(row->text[i]));
			free(row->text[i]);
		}
	}
	memset(row, 0, sizeof(*row));
}

/* A writable column: not read-only, and not a server id. */
static int writable(size_t i)
{
	return !(user_fields[i].flags & UP_FF_READONLY) && user_fields[i].type != UP_FT_ID;
}

/*
 * Statements built once from the table (constant text, values bound).  The
 * db layer keeps a pointer to the text of a prepared statement, so every
 * text lives as long as the process.
 */
static char sql_load[1024], sql_load_locked[1100], sql_insert[2300], sql_list[1400], sql_count[400];

static const char list_where[] =
        "WHERE tenant_id = ? AND (? IS NULL OR user_group = ?) "
        "AND (? IS NULL OR email_key = LOWER(?)) AND (? IS NULL OR disabled = ?)";

static enum up_err build_sql(void)
{
	char cols[800], icols[800], qs[200];
	size_t i, ui = 0, uq = 0;
	enum up_err rc;

	if (sql_load[0] != '\0')
		return UP_OK;
	rc = up_resource_columns(&up_user_resource, cols, sizeof(cols));
	if (rc != UP_OK)
		return rc;
	icols[0] = '\0';
	qs[0] = '\0';
	for (i = 0; i < NFIELDS; i++) {
		int n;

		if (!writable(i))
			continue;
		n = snprintf(icols + ui, sizeof(icols) - ui, ", %s", user_fields[i].column);
		if (n < 0 || (size_t)n >= sizeof(icols) - ui)
			return UP_ERR_INTERNAL;
		ui += (size_t)n;
		if (uq + 3 >= sizeof(qs))
			return UP_ERR_INTERNAL;
		memcpy(qs + uq, ", ?", 4);
		uq += 3;
	}
	/* RETURNING: the stored row comes back with the insert, no read-back SELECT. */
	snprintf(sql_insert, sizeof(sql_insert),
	         "INSERT INTO users (tenant_id%s) VALUES (?%s) RETURNING %s, version", icols, qs,
	         cols);
	snprintf(sql_list, sizeof(sql_list),
	         "SELECT %s, version FROM users %s AND id > ? ORDER BY id LIMIT ? OFFSET ?", cols,
	         list_where);
	snprintf(sql_count, sizeof(sql_count), "SELECT COUNT(*) FROM users %s", list_where);
	snprintf(sql_load_locked, sizeof(sql_load_locked),
	         "SELECT %s, version, UTC_TIMESTAMP(6) FROM users WHERE tenant_id = ? AND id = ? "
	         "FOR UPDATE",
	         cols);
	snprintf(sql_load, sizeof(sql_load),
	         "SELECT %s, version FROM users WHERE tenant_id = ? AND id = ?", cols);
	return UP_OK;
}

/* Replace null members that have a default by the default value. */
static enum up_err apply_defaults(cJSON *user)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(user, user_fields[i].name), *d = NULL;

		if (v == NULL || !cJSON_IsNull(v) || up_user_rules[i].dflt == NULL)
			continue;
		if (up_json_parse(up_user_rules[i].dflt, strlen(up_user_rules[i].dflt), 4, &d) !=
		    UP_OK)
			return UP_ERR_NOMEM;
		if (!cJSON_ReplaceItemInObjectCaseSensitive(user, user_fields[i].name, d)) {
			cJSON_Delete(d);
			return UP_ERR_NOMEM;
		}
	}
	return UP_OK;
}

/* Row `r` of res (columns, then version) as JSON and its version. */
static enum up_err row_to_json(const struct up_db_result *res, size_t r, size_t version_col,
                               cJSON **out, uint64_t *version)
{
	enum up_err rc;

	*out = NULL;
	if (version != NULL &&
	    up_parse_u64(up_db_cell(res, r, version_col), 0, UINT64_MAX, version) != UP_OK)
		return UP_ERR_INTERNAL;
	rc = up_resource_to_json(&up_user_resource, res, r, out);
	if (rc == UP_OK)
		rc = apply_defaults(*out);
	if (rc != UP_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

enum up_err up_user_load(struct up_db *db, uint64_t tenant, uint64_t id, int for_update,
                         cJSON **out, uint64_t *version)
{
	struct up_user_current cur;
	struct up_db_result res;
	struct up_db_param p[2];
	enum up_err rc;

	*out = NULL;
	if (for_update) {
		rc = up_user_lock(db, tenant, id, &cur);
		if (rc != UP_OK)
			return rc;
		*out = cur.json;
		cur.json = NULL;
		if (version != NULL)
			*version = cur.version;
		up_user_current_free(&cur);
		return UP_OK;
	}
	rc = build_sql();
	if (rc != UP_OK)
		return rc;
	p[0] = UP_P_U64(tenant);
	p[1] = UP_P_U64(id);
	rc = up_db_query(db, sql_load, p, 2, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1)
		rc = UP_ERR_NOT_FOUND;
	else
		rc = row_to_json(&res, 0, res.ncols - 1, out, version);
	up_db_result_free(&res);
	return rc;
}

void up_user_current_free(struct up_user_current *cur)
{
	cJSON_Delete(cur->json);
	up_db_result_free(&cur->raw);
	memset(cur, 0, sizeof(*cur));
}

enum up_err up_user_lock(struct up_db *db, uint64_t tenant, uint64_t id,
                         struct up_user_current *cur)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(id)};
	const char *now;
	enum up_err rc;

	memset(cur, 0, sizeof(*cur));
	rc = build_sql();
	if (rc != UP_OK)
		return rc;
	rc = up_db_query(db, sql_load_locked, p, 2, &cur->raw);
	if (rc != UP_OK)
		return rc;
	if (cur->raw.nrows != 1 || cur->raw.ncols < 2) {
		rc = UP_ERR_NOT_FOUND;
		goto out;
	}
	now = up_db_cell(&cur->raw, 0, cur->raw.ncols - 1);
	if (now == NULL || strlen(now) >= sizeof(cur->now)) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	memcpy(cur->now, now, strlen(now) + 1);
	rc = row_to_json(&cur->raw, 0, cur->raw.ncols - 2, &cur->json, &cur->version);
out:
	if (rc != UP_OK)
		up_user_current_free(cur);
	return rc;
}

/* Replace cell i of row 0 of res by a copy of text (NULL: SQL NULL). */
static enum up_err set_cell(struct up_db_result *res, size_t i, const char *text)
{
	char *copy = NULL;

	if (text != NULL && (copy = strdup(text)) == NULL)
		return UP_ERR_NOMEM;
	free(res->cells[i]);
	res->cells[i] = copy;
	res->lens[i] = copy != NULL ? strlen(copy) : 0;
	return UP_OK;
}

enum up_err up_user_after_write(struct up_user_current *cur, const struct up_user_row *row,
                                cJSON **out, uint64_t *version)
{
	int mod = up_user_field_index("modification");
	enum up_err rc = UP_OK;
	size_t i;

	*out = NULL;
	for (i = 0; i < NFIELDS && rc == UP_OK; i++) {
		int idx = up_resource_read_index(&up_user_resource, i);

		if (idx < 0 || !row->set[i] || !writable(i))
			continue;
		rc = set_cell(&cur->raw, (size_t)idx, row->text[i]);
	}
	if (rc == UP_OK && mod >= 0 && up_resource_read_index(&up_user_resource, (size_t)mod) >= 0)
		rc = set_cell(&cur->raw,
		              (size_t)up_resource_read_index(&up_user_resource, (size_t)mod),
		              cur->now);
	if (rc != UP_OK)
		return rc;
	rc = row_to_json(&cur->raw, 0, cur->raw.ncols - 2, out, NULL);
	if (rc == UP_OK)
		*version = cur->version + 1;
	return rc;
}

enum up_err up_user_check_db(struct up_db *db, uint64_t tenant, const struct up_user_row *row,
                             cJSON *details)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct up_user_rule_def *r = &up_user_rules[i];
		struct up_db_result res;
		struct up_db_param p[2];
		enum up_err rc;
		int found;

		/* Unique fields are left to the unique index (1062, mapped by the caller). */
		if (!row->set[i] || row->text[i] == NULL || r->ref_sql == NULL)
			continue;
		p[0] = UP_P_U64(tenant);
		p[1] = UP_P_STR(row->text[i]);
		rc = up_db_query(db, r->ref_sql, p, 2, &res);
		if (rc != UP_OK)
			return rc;
		found = res.nrows > 0;
		up_db_result_free(&res);
		if (!found)
			up_details_add(
			        details, user_fields[i].name, "no such %s",
			        user_fields[i].prefix != NULL &&
			                        strcmp(user_fields[i].prefix, UP_DEVICE_PREFIX) == 0
			                ? "device"
			                : "item");
	}
	return UP_OK;
}

/*
 * UPDATE statements by set of changed columns (bit i = field i), built from
 * the table on first use and kept for the process's life.
 */
struct update_sql {
	uint32_t mask;
	char *sql;
	struct update_sql *next;
};
static struct update_sql *updates;

static const char *update_sql(uint32_t mask)
{
	struct update_sql *u;
	char buf[1400];
	size_t used, i;
	int n;

	for (u = updates; u != NULL; u = u->next)
		if (u->mask == mask)
			return u->sql;
	used = (size_t)snprintf(buf, sizeof(buf), "UPDATE users SET ");
	for (i = 0; i < NFIELDS; i++) {
		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + used, sizeof(buf) - used, "%s = ?, ", user_fields[i].column);
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			return NULL;
		used += (size_t)n;
	}
	n = snprintf(buf + used, sizeof(buf) - used,
	             "version = version + 1, modified_at = ? WHERE tenant_id = ? AND id = ?");
	if (n < 0 || (size_t)n >= sizeof(buf) - used)
		return NULL;
	u = malloc(sizeof(*u));
	if (u == NULL)
		return NULL;
	u->sql = strdup(buf);
	if (u->sql == NULL) {
		free(u);
		return NULL;
	}
	u->mask = mask;
	u->next = updates;
	updates = u;
	return u->sql;
}

static struct up_db_param text_param(const char *s)
{
	return UP_P_STR_OR_NULL(s);
}

enum up_err up_user_update(struct up_db *db, uint64_t tenant, uint64_t id,
                           const struct up_user_row *row, const char *now)
{
	struct up_db_param p[UP_USER_MAX_FIELDS + 3];
	struct up_db_info info;
	uint32_t mask = 0;
	size_t i, n = 0;
	const char *sql;
	enum up_err rc;

	for (i = 0; i < NFIELDS; i++) {
		if (!row->set[i] || !writable(i))
			continue;
		mask |= 1u << i;
		p[n++] = text_param(row->text[i]);
	}
	if (mask == 0)
		return UP_OK;
	sql = update_sql(mask);
	if (sql == NULL)
		return UP_ERR_NOMEM;
	p[n++] = UP_P_STR(now);
	p[n++] = UP_P_U64(tenant);
	p[n++] = UP_P_U64(id);
	rc = up_db_exec(db, sql, p, n, &info);
	if (rc == UP_OK && info.affected == 0)
		rc = UP_ERR_NOT_FOUND;
	return rc;
}

enum up_err up_user_insert(struct up_db *db, uint64_t tenant, const struct up_user_row *row,
                           uint64_t *id, cJSON **out, uint64_t *version)
{
	struct up_db_param p[UP_USER_MAX_FIELDS + 1];
	struct up_db_result res;
	size_t i, n = 0;
	int id_col = up_resource_read_index(&up_user_resource, 0);
	enum up_err rc;

	*out = NULL;
	rc = build_sql();
	if (rc != UP_OK)
		return rc;
	p[n++] = UP_P_U64(tenant);
	for (i = 0; i < NFIELDS; i++) {
		const char *d = up_user_rules[i].dflt;

		if (!writable(i))
			continue;
		/* Columns with a default are NOT NULL: an unset one takes the default. */
		if (row->set[i])
			p[n++] = text_param(row->text[i]);
		else if (d != NULL && user_fields[i].type == UP_FT_BOOL)
			p[n++] = UP_P_STR(strcmp(d, "true") == 0 ? "1" : "0");
		else
			p[n++] = text_param(d);
	}
	rc = up_db_query(db, sql_insert, p, n, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || id_col < 0 || user_fields[0].type != UP_FT_ID ||
	    up_parse_u64(up_db_cell(&res, 0, (size_t)id_col), 1, UINT64_MAX, id) != UP_OK)
		rc = UP_ERR_INTERNAL;
	else
		rc = row_to_json(&res, 0, res.ncols - 1, out, version);
	up_db_result_free(&res);
	return rc;
}

enum up_err up_user_delete(struct up_db *db, uint64_t tenant, uint64_t id)
{
	static const char sql[] = "DELETE FROM users WHERE tenant_id = ? AND id = ?";
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(id)};
	struct up_db_info info;
	enum up_err rc;

	rc = up_db_exec(db, sql, p, 2, &info);
	if (rc == UP_OK && info.affected == 0)
		rc = UP_ERR_NOT_FOUND;
	return rc;
}

/* The 7 filter parameters of list_where. */
static void filter_params(struct up_db_param *p, uint64_t tenant, const struct up_user_query *q)
{
	p[0] = UP_P_U64(tenant);
	p[1] = UP_P_STR_OR_NULL(q->group);
	p[2] = UP_P_STR_OR_NULL(q->group);
	p[3] = UP_P_STR_OR_NULL(q->email);
	p[4] = UP_P_STR_OR_NULL(q->email);
	p[5] = q->disabled < 0 ? UP_P_NULL() : UP_P_I64(q->disabled);
	p[6] = q->disabled < 0 ? UP_P_NULL() : UP_P_I64(q->disabled);
}

enum up_err up_user_list(struct up_db *db, uint64_t tenant, const struct up_user_query *q,
                         cJSON **users, uint64_t *total, int *more)
{
	struct up_db_param p[10];
	struct up_db_result res;
	cJSON *arr = NULL;
	enum up_err rc;
	size_t i;

	*users = NULL;
	*more = 0;
	rc = build_sql();
	if (rc != UP_OK)
		return rc;
	filter_params(p, tenant, q);
	rc = up_db_query(db, sql_count, p, 7, &res);
	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || up_parse_u64(up_db_cell(&res, 0, 0), 0, UINT64_MAX, total) != UP_OK)
		rc = UP_ERR_INTERNAL;
	up_db_result_free(&res);
	if (rc != UP_OK)
		return rc;
	p[7] = UP_P_U64(q->after_id);
	p[8] = UP_P_U64(q->limit + 1); /* one more tells whether a next page exists */
	p[9] = UP_P_U64(q->offset);
	rc = up_db_query(db, sql_list, p, 10, &res);
	if (rc != UP_OK)
		return rc;
	arr = cJSON_CreateArray();
	if (arr == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < res.nrows && i < q->limit; i++) {
		cJSON *u = NULL;

		rc = up_resource_to_json(&up_user_resource, &res, i, &u);
		if (rc == UP_OK)
			rc = apply_defaults(u);
		if (rc != UP_OK) {
			cJSON_Delete(u);
			goto out;
		}
		cJSON_AddItemToArray(arr, u);
	}
	*more = res.nrows > q->limit;
	*users = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	up_db_result_free(&res);
	return rc;
}
