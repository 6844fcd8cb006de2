/*
 * device_app_store.c: the upsert of DESIGN 1.1 in one transaction.  Every
 * row it reads is locked (SELECT ... FOR UPDATE, which also locks the gap
 * where an absent key would go under REPEATABLE READ, so that two requests
 * creating the same user serialise: the loser deadlocks, is retried, and then
 * finds the user).  Under READ COMMITTED there is no gap lock: the loser
 * meets the winner's rows later (a device identifier bound to it, or 1062 on
 * the write) and, finding the keys it saw free now taken, is retried the same
 * way (see lost_race), so the outcome does not depend on the server's
 * isolation level.  The SQL text is built once from the field table; values are
 * always bound.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "device_app.h"
#include "json.h"
#include "log.h"
#include "db_rows.h"
#include "parse.h"
#include "device_store.h"
#include "strbuf.h"
#include "user_store.h"

/* Statements (constant text once built: column names come from the table). */
static char sql_user_load[512], sql_user_insert[512], sql_user_update[512];
static char sql_dev_load[160], sql_dev_insert[160], sql_dev_update[256];
static char sql_find_dev[DA__MAX][128];
static char sql_release_dev[DA__MAX][192];

static const char sql_dev_other_user[] = "SELECT id FROM users WHERE tenant_id = ? AND "
                                         "device_id = ? AND id <> ? ORDER BY id LIMIT 1 FOR UPDATE";

/* Columns of the users table (in table order) and of the devices table. */
static size_t n_user_cols, n_dev_cols;
static int user_col[DA__MAX], dev_col[DA__MAX];

static enum up_err build_sql(void)
{
	size_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, i;
	int ok = 1, fid;

	if (sql_user_load[0] != '\0')
		return UP_OK;
	n_user_cols = n_dev_cols = 0;
	for (fid = 0; fid < DA__MAX; fid++) {
		if (da_fields[fid].store == DA_S_USER)
			user_col[n_user_cols++] = fid;
		else if (da_fields[fid].store == DA_S_DEVICE)
			dev_col[n_dev_cols++] = fid;
	}
	ok &= up_buf_cat(sql_user_load, sizeof(sql_user_load), &a,
	                 "SELECT id, version, device_id, modified_at");
	ok &= up_buf_cat(sql_user_insert, sizeof(sql_user_insert), &b,
	                 "INSERT INTO users (tenant_id, device_id");
	ok &= up_buf_cat(sql_user_update, sizeof(sql_user_update), &c,
	                 "UPDATE users SET device_id = ?");
	for (i = 0; i < n_user_cols; i++) {
		const char *col = da_column(user_col[i]);

		ok &= up_buf_cat(sql_user_load, sizeof(sql_user_load), &a, ", %s", col);
		ok &= up_buf_cat(sql_user_insert, sizeof(sql_user_insert), &b, ", %s", col);
		ok &= up_buf_cat(sql_user_update, sizeof(sql_user_update), &c, ", %s = ?", col);
	}
	ok &= up_buf_cat(sql_user_load, sizeof(sql_user_load), &a,
	                 ", UTC_TIMESTAMP(6) FROM users WHERE tenant_id = ? AND id = ? FOR UPDATE");
	ok &= up_buf_cat(sql_user_insert, sizeof(sql_user_insert), &b, ") VALUES (?, ?");
	for (i = 0; i < n_user_cols; i++)
		ok &= up_buf_cat(sql_user_insert, sizeof(sql_user_insert), &b, ", ?");
	ok &= up_buf_cat(sql_user_insert, sizeof(sql_user_insert), &b,
	                 ") RETURNING id, version, modified_at");
	ok &= up_buf_cat(sql_user_update, sizeof(sql_user_update), &c,
	                 ", version = version + 1, modified_at = ? WHERE tenant_id = ? AND id = ?");

	ok &= up_buf_cat(sql_dev_load, sizeof(sql_dev_load), &d, "SELECT ");
	ok &= up_buf_cat(sql_dev_insert, sizeof(sql_dev_insert), &e,
	                 "INSERT INTO devices (tenant_id");
	ok &= up_buf_cat(sql_dev_update, sizeof(sql_dev_update), &f, "UPDATE devices SET ");
	for (i = 0; i < n_dev_cols; i++) {
		const char *col = da_column(dev_col[i]);

		ok &= up_buf_cat(sql_dev_load, sizeof(sql_dev_load), &d, "%s%s", i > 0 ? ", " : "",
		                 col);
		ok &= up_buf_cat(sql_dev_insert, sizeof(sql_dev_insert), &e, ", %s", col);
		ok &= up_buf_cat(sql_dev_update, sizeof(sql_dev_update), &f, "%s = ?, ", col);
	}
	ok &= up_buf_cat(sql_dev_load, sizeof(sql_dev_load), &d,
	                 " FROM devices WHERE tenant_id = ? AND id = ? FOR UPDATE");
	ok &= up_buf_cat(sql_dev_insert, sizeof(sql_dev_insert), &e, ") VALUES (?");
	for (i = 0; i < n_dev_cols; i++)
		ok &= up_buf_cat(sql_dev_insert, sizeof(sql_dev_insert), &e, ", ?");
	ok &= up_buf_cat(sql_dev_insert, sizeof(sql_dev_insert), &e, ")");
	ok &= up_buf_cat(sql_dev_update, sizeof(sql_dev_update), &f,
	                 "version = version + 1, modified_at = CURRENT_TIMESTAMP(6)"
	                 " WHERE tenant_id = ? AND id = ?");

	for (fid = 0; fid < DA__MAX; fid++) {
		const struct da_field *fl = &da_fields[fid];

		a = b = c = 0;
		if (fl->store == DA_S_DEVICE) {
			ok &= up_buf_cat(
			        sql_find_dev[fid], sizeof(sql_find_dev[fid]), &b,
			        "SELECT id FROM devices WHERE tenant_id = ? AND %s = ? FOR UPDATE",
			        da_column(fid));
			ok &= up_buf_cat(
			        sql_release_dev[fid], sizeof(sql_release_dev[fid]), &c,
			        "UPDATE devices SET %s = NULL, version = version + 1, "
			        "modified_at = CURRENT_TIMESTAMP(6) WHERE tenant_id = ? AND id = ?",
			        da_column(fid));
		}
	}
	if (!ok) {
		sql_user_load[0] = '\0';
		return UP_ERR_INTERNAL;
	}
	return UP_OK;
}

/* The stored state of one user and its device. */
struct row {
	struct up_db_result user, dev; /* owned */
	uint64_t id, version, device_id;
	const char *modified_at;  /* borrowed from user */
	const char *now;          /* UTC_TIMESTAMP(6) when the row was locked; borrowed */
	const char *val[DA__MAX]; /* borrowed from user/dev; NULL for SQL NULL */
};

static void row_free(struct row *r)
{
	up_db_result_free(&r->user);
	up_db_result_free(&r->dev);
	memset(r, 0, sizeof(*r));
}

/* Load (and lock) user id of tenant with its device.  UP_ERR_NOT_FOUND if absent. */
static enum up_err row_load(struct up_db *db, uint64_t tenant, uint64_t id, struct row *r)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(id)};
	const char *dev;
	enum up_err rc;
	size_t i;

	memset(r, 0, sizeof(*r));
	rc = up_db_query(db, sql_user_load, p, 2, &r->user);
	if (rc != UP_OK)
		goto out;
	if (r->user.nrows != 1 || r->user.ncols != 5 + n_user_cols) {
		rc = UP_ERR_NOT_FOUND;
		goto out;
	}
	dev = up_db_cell(&r->user, 0, 2);
	if (up_parse_u64(up_db_cell(&r->user, 0, 0), 1, UINT64_MAX, &r->id) != UP_OK ||
	    up_parse_u64(up_db_cell(&r->user, 0, 1), 0, UINT64_MAX, &r->version) != UP_OK ||
	    (dev != NULL && up_parse_u64(dev, 1, UINT64_MAX, &r->device_id) != UP_OK) ||
	    up_db_cell(&r->user, 0, 3) == NULL ||
	    up_db_cell(&r->user, 0, 4 + n_user_cols) == NULL) {
		rc = UP_ERR_INTERNAL;
		goto out;
	}
	r->modified_at = up_db_cell(&r->user, 0, 3);
	r->now = up_db_cell(&r->user, 0, 4 + n_user_cols);
	for (i = 0; i < n_user_cols; i++)
		r->val[user_col[i]] = up_db_cell(&r->user, 0, 4 + i);
	if (r->device_id != 0) {
		p[1] = UP_P_U64(r->device_id);
		rc = up_db_query(db, sql_dev_load, p, 2, &r->dev);
		if (rc != UP_OK)
			goto out;
		if (r->dev.nrows == 1 && r->dev.ncols == n_dev_cols)
			for (i = 0; i < n_dev_cols; i++)
				r->val[dev_col[i]] = up_db_cell(&r->dev, 0, i);
	}
out:
	if (rc != UP_OK)
		row_free(r);
	return rc;
}

/* The user of the tenant that identifying key fid points to (0: none), locked when lock. */
static enum up_err lookup_user(struct up_db *db, const struct da_upsert *u, int fid, int lock,
                               uint64_t *id)
{
	/* The users table's unique lookup of the key's line (resource_sql.c). */
	return up_resource_lookup(db, &up_user_resource, u->tenant_id,
	                          (size_t)up_user_field_index(da_fields[fid].user_field),
	                          u->in->text[fid], lock, id);
}

static enum up_err find_user(struct up_db *db, const struct da_upsert *u, int fid, uint64_t *id)
{
	return lookup_user(db, u, fid, 1, id);
}

/* Add {"field", "reason", "user_id"} (user_id when not 0) to the details of u->err. */
static void conflict_detail(struct da_upsert *u, const char *field, uint64_t user, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));
static void conflict_detail(struct da_upsert *u, const char *field, uint64_t user, const char *fmt,
                            ...)
{
	char reason[192], id[32];
	cJSON *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	o = up_error_detail(&u->err, field, "%s", reason);
	if (o != NULL && user != 0) {
		snprintf(id, sizeof(id), UP_USER_PREFIX "%llu", (unsigned long long)user);
		cJSON_AddStringToObject(o, "user_id", id);
	}
}

/*
 * Merge the sent preferences into the stored ones (a null member removes a
 * setting).  *text receives the new stored text (NULL when no setting is
 * left; owned by the caller); each changed setting is appended to changed.
 */
static enum up_err merge_prefs(struct da_upsert *u, const char *stored, cJSON *changed, char **text)
{
	cJSON *cur = NULL, *m;
	enum up_err rc = UP_OK;
	char path[DA_PREFS_MAX_KEY_LEN * 4 + 16];

	*text = NULL;
	if (stored != NULL) {
		rc = up_json_parse(stored, strlen(stored), 64, &cur);
		if (rc != UP_OK || !cJSON_IsObject(cur)) {
			up_log(UP_LOG_ERROR, "stored preferences of a user are not a JSON object");
			rc = UP_ERR_INTERNAL;
			goto out;
		}
	} else if ((cur = cJSON_CreateObject()) == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	cJSON_ArrayForEach(m, u->in->prefs)
	{
		cJSON *old = cJSON_GetObjectItemCaseSensitive(cur, m->string), *dup;

		if (cJSON_IsNull(m)) {
			if (old == NULL)
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(cur, m->string);
		} else {
			if (old != NULL && cJSON_Compare(old, m, 1))
				continue;
			dup = cJSON_Duplicate(m, 1);
			if (dup == NULL) {
				rc = UP_ERR_NOMEM;
				goto out;
			}
			if (old != NULL)
				cJSON_ReplaceItemViaPointer(cur, old, dup);
			else
				cJSON_AddItemToObject(cur, m->string, dup);
		}
		snprintf(path, sizeof(path), "preferences.%s", m->string);
		cJSON_AddItemToArray(changed, cJSON_CreateString(path));
	}
	if (cJSON_GetArraySize(cur) > DA_PREFS_MAX_KEYS) {
		rc = up_error_set(&u->err, UP_ERR_VALIDATION,
		                  "A user keeps at most %d preferences; remove some with null",
		                  DA_PREFS_MAX_KEYS);
		conflict_detail(u, "preferences", 0, "at most %d settings in all",
		                DA_PREFS_MAX_KEYS);
		goto out;
	}
	if (cJSON_GetArraySize(cur) == 0)
		goto out;
	*text = up_json_print(cur);
	if (*text == NULL) {
		rc = UP_ERR_NOMEM;
	} else if (strlen(*text) > 65535) {
		free(*text);
		*text = NULL;
		rc = up_error_set(&u->err, UP_ERR_VALIDATION, "Preferences too large to store");
		conflict_detail(u, "preferences", 0, "at most 65535 bytes in all");
	}
out:
	cJSON_Delete(cur);
	return rc;
}

/*
 * Device identifiers: a changed imei/imsi/iccid must not be recorded on a
 * device of another user (409).  Found on a device no user has, it is taken
 * off that device.  The user's own device must not be shared with another
 * user when its identifiers change.
 */
static enum up_err check_devices(struct up_db *db, struct da_upsert *u, uint64_t target,
                                 uint64_t device_id, const char *const *next, const struct row *cur)
{
	uint64_t release[DA__MAX] = {0}, other, dev;
	struct up_db_param p[3];
	enum up_err rc;
	size_t i;

	for (i = 0; i < n_dev_cols; i++) {
		int fid = dev_col[i];

		if (next[fid] == NULL ||
		    (cur->val[fid] != NULL && strcmp(cur->val[fid], next[fid]) == 0))
			continue;
		p[0] = UP_P_U64(u->tenant_id);
		p[1] = UP_P_STR(next[fid]);
		rc = up_db_query_id(db, sql_find_dev[fid], p, 2, &dev);
		if (rc != UP_OK)
			return rc;
		if (dev == 0 || dev == device_id)
			continue;
		p[1] = UP_P_U64(dev);
		p[2] = UP_P_U64(target);
		rc = up_db_query_id(db, sql_dev_other_user, p, 3, &other);
		if (rc != UP_OK)
			return rc;
		if (other != 0)
			conflict_detail(u, da_fields[fid].path, other,
			                "is bound to the device of " UP_USER_PREFIX "%llu",
			                (unsigned long long)other);
		else
			release[fid] = dev;
	}
	if (up_error_ndetails(&u->err) > 0) {
		return up_error_set(&u->err, UP_ERR_CONFLICT,
		                    "A device identifier is bound to another user");
	}
	if (device_id != 0) {
		p[0] = UP_P_U64(u->tenant_id);
		p[1] = UP_P_U64(device_id);
		p[2] = UP_P_U64(target);
		rc = up_db_query_id(db, sql_dev_other_user, p, 3, &other);
		if (rc != UP_OK)
			return rc;
		if (other != 0) {
			up_error_set(&u->err, UP_ERR_CONFLICT,
			             "The user's device " UP_DEVICE_PREFIX
			             "%llu is shared with " UP_USER_PREFIX
			             "%llu; its identifiers cannot change",
			             (unsigned long long)device_id, (unsigned long long)other);
			for (i = 0; i < n_dev_cols; i++)
				if (next[dev_col[i]] != cur->val[dev_col[i]])
					conflict_detail(u, da_fields[dev_col[i]].path, other,
					                "the device is shared with " UP_USER_PREFIX
					                "%llu",
					                (unsigned long long)other);
			return UP_ERR_CONFLICT;
		}
	}
	for (i = 0; i < n_dev_cols; i++) {
		int fid = dev_col[i];

		if (release[fid] == 0)
			continue;
		p[0] = UP_P_U64(u->tenant_id);
		p[1] = UP_P_U64(release[fid]);
		rc = up_db_exec(db, sql_release_dev[fid], p, 2, NULL);
		if (rc != UP_OK)
			return rc;
	}
	return UP_OK;
}

/* What the write stored: the user's id, version and modification time. */
struct written {
	uint64_t id, version;
	char modified_at[32];
};

/* The id, version and modified_at an INSERT ... RETURNING gave back. */
static enum up_err returned(struct up_db *db, const struct up_db_param *p, size_t n,
                            struct written *w)
{
	struct up_db_result res;
	enum up_err rc = up_db_query(db, sql_user_insert, p, n, &res);

	if (rc != UP_OK)
		return rc;
	if (res.nrows != 1 || res.ncols != 3 ||
	    up_parse_u64(up_db_cell(&res, 0, 0), 1, UINT64_MAX, &w->id) != UP_OK ||
	    up_parse_u64(up_db_cell(&res, 0, 1), 0, UINT64_MAX, &w->version) != UP_OK ||
	    up_db_cell(&res, 0, 2) == NULL || res.lens[2] >= sizeof(w->modified_at))
		rc = UP_ERR_INTERNAL;
	else
		memcpy(w->modified_at, up_db_cell(&res, 0, 2), res.lens[2] + 1);
	up_db_result_free(&res);
	return rc;
}

/*
 * Write the user (insert when cur holds none) and its device; *w receives
 * what was stored, known without reading the row back.
 */
static enum up_err write_rows(struct up_db *db, struct da_upsert *u, const struct row *cur,
                              int device_changed, const char *const *next, struct written *w)
{
	struct up_db_param p[DA__MAX + 5];
	struct up_db_info info;
	uint64_t target = cur->id, device_id = cur->device_id;
	enum up_err rc;
	size_t i, n = 0;

	if (device_changed) {
		if (device_id == 0)
			p[n++] = UP_P_U64(u->tenant_id);
		for (i = 0; i < n_dev_cols; i++)
			p[n++] = UP_P_STR_OR_NULL(next[dev_col[i]]);
		if (device_id != 0) {
			p[n++] = UP_P_U64(u->tenant_id);
			p[n++] = UP_P_U64(device_id);
		}
		rc = up_db_exec(db, device_id != 0 ? sql_dev_update : sql_dev_insert, p, n, &info);
		if (rc != UP_OK)
			return rc;
		if (device_id == 0)
			device_id = info.insert_id;
	}
	n = 0;
	if (target == 0)
		p[n++] = UP_P_U64(u->tenant_id);
	p[n++] = device_id != 0 ? UP_P_U64(device_id) : UP_P_NULL();
	for (i = 0; i < n_user_cols; i++)
		p[n++] = UP_P_STR_OR_NULL(next[user_col[i]]);
	if (target == 0)
		return returned(db, p, n, w);
	p[n++] = UP_P_STR(cur->now);
	p[n++] = UP_P_U64(u->tenant_id);
	p[n++] = UP_P_U64(target);
	rc = up_db_exec(db, sql_user_update, p, n, &info);
	if (rc != UP_OK)
		return rc;
	w->id = target;
	w->version = cur->version + 1;
	if (strlen(cur->now) >= sizeof(w->modified_at))
		return UP_ERR_INTERNAL;
	memcpy(w->modified_at, cur->now, strlen(cur->now) + 1);
	return UP_OK;
}

/* The result of u: the user's id, version, modification time and the value of every field. */
static enum up_err take_result(struct da_upsert *u, uint64_t id, uint64_t version, const char *m,
                               const char *const *val)
{
	int fid;

	u->user_id = id;
	u->version = version;
	for (fid = 0; fid < DA__MAX; fid++) {
		if (da_fields[fid].store == DA_S_NONE || (da_fields[fid].flags & DA_F_SECRET) ||
		    val[fid] == NULL)
			continue;
		u->stored[fid] = strdup(val[fid]);
		if (u->stored[fid] == NULL)
			return UP_ERR_NOMEM;
	}
	/* The device-app API has always answered whole seconds. */
	return up_datetime_render(m, UP_DT_SECONDS, u->updated_at, sizeof(u->updated_at));
}

/* Forget what an earlier attempt of the transaction produced. */
static void reset_result(struct da_upsert *u)
{
	int i;

	for (i = 0; i < DA__MAX; i++) {
		free(u->stored[i]);
		u->stored[i] = NULL;
	}
	cJSON_Delete(u->updated_fields);
	u->updated_fields = NULL;
	up_error_reset(&u->err);
	u->created = 0;
	u->user_id = u->version = 0;
	u->updated_at[0] = '\0';
}

/* After a duplicate key: name the field whose value is taken. */
static void dup_key_detail(const char *key, struct da_upsert *u)
{
	int fid = da_field_by_unique_key(key);

	if (fid < 0) {
		up_error_set(&u->err, UP_ERR_CONFLICT, "A unique value is already in use");
		return;
	}
	up_error_set(&u->err, UP_ERR_CONFLICT, "%s is already in use", da_fields[fid].path);
	conflict_detail(u, da_fields[fid].path, 0,
	                da_fields[fid].store == DA_S_DEVICE ? "is recorded on another device"
	                                                    : "is already used by another user");
}

/*
 * A conflict met after the lookups (a device identifier bound to another
 * user, or a duplicate key on the write) may be a lost race rather than a
 * real conflict: another request created the same user after this
 * transaction looked its keys up and found them free.  Under REPEATABLE READ
 * the locking lookups' gap locks prevent that (the loser deadlocks, 1213, and
 * the db layer retries); under READ COMMITTED there are no gap locks.  So the
 * keys found free are looked up again: when one now names a user, nothing of
 * this attempt is committed and it runs again (UP_ERR_DB_RETRY), finding that
 * user; the upsert does not depend on the session's isolation level.  A
 * duplicate device identifier on the write is retried too: the next attempt's
 * device check sees the row and answers precisely (409 or release).  Returns
 * rc itself when it is a real conflict, or an error of the lookups.
 */
static enum up_err lost_race(struct up_db *db, struct da_upsert *u, const uint64_t *found,
                             enum up_err rc, int on_write)
{
	char key[64];
	int fid, dup;
	uint64_t now;

	if (rc != UP_ERR_CONFLICT)
		return rc;
	/* The lookups below replace the failed statement's key name: keep it. */
	snprintf(key, sizeof(key), "%s", on_write ? up_db_dup_key(db) : "");
	dup = on_write ? da_field_by_unique_key(key) : -1;
	for (fid = 0; fid < DA__MAX; fid++) {
		enum up_err lrc;

		if (!(da_fields[fid].flags & DA_F_KEY) || !u->in->present[fid] || found[fid] != 0)
			continue;
		/* A plain read (the session is READ COMMITTED: it sees the winner's
		 * commit): asking for the winner's row lock here, while the failed
		 * INSERT still holds a shared lock on the same key, deadlocks the
		 * losers with each other; the run again takes it in order. */
		lrc = lookup_user(db, u, fid, 0, &now);
		if (lrc != UP_OK)
			return lrc;
		if (now != 0) {
			up_log(UP_LOG_INFO, "device_app: %s was taken meanwhile; running again",
			       da_fields[fid].path);
			return UP_ERR_DB_RETRY;
		}
	}
	if (dup >= 0 && da_fields[dup].store == DA_S_DEVICE) {
		up_log(UP_LOG_INFO, "device_app: %s was recorded meanwhile; running again",
		       da_fields[dup].path);
		return UP_ERR_DB_RETRY;
	}
	if (on_write && up_error_ndetails(&u->err) == 0)
		dup_key_detail(key, u); /* a real conflict: name the field now */
	return rc;
}

static enum up_err upsert_txn(struct up_db *db, void *arg)
{
	struct da_upsert *u = arg;
	const struct da_input *in = u->in;
	uint64_t found[DA__MAX] = {0}, target = 0;
	const char *next[DA__MAX] = {NULL};
	struct written w;
	struct row cur;
	cJSON *changed = NULL;
	char *prefs_text = NULL;
	int fid, split = 0, device_changed = 0;
	enum up_err rc;

	reset_result(u);
	memset(&cur, 0, sizeof(cur));
	memset(&w, 0, sizeof(w));
	changed = cJSON_CreateArray();
	if (changed == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}

	/* 1. The users of the tenant the identifying keys point to. */
	for (fid = 0; fid < DA__MAX; fid++) {
		if (!(da_fields[fid].flags & DA_F_KEY) || !in->present[fid])
			continue;
		if (fid == DA_USER_ID) {
			/* By id: the row itself is locked and loaded, no separate lookup. */
			rc = row_load(db, u->tenant_id, in->user_id, &cur);
			if (rc == UP_ERR_NOT_FOUND)
				rc = UP_OK;
			found[fid] = cur.id;
		} else {
			rc = find_user(db, u, fid, &found[fid]);
		}
		if (rc != UP_OK)
			goto out;
		if (fid == DA_USER_ID && found[fid] == 0) {
			rc = up_error_set(&u->err, UP_ERR_NOT_FOUND,
			                  "user_id " UP_USER_PREFIX "%llu names no user",
			                  (unsigned long long)in->user_id);
			goto out;
		}
		if (found[fid] != 0 && target == 0)
			target = found[fid];
		else if (found[fid] != 0 && found[fid] != target)
			split = 1;
	}
	if (split) {
		for (fid = 0; fid < DA__MAX; fid++) {
			if (!(da_fields[fid].flags & DA_F_KEY) || !in->present[fid])
				continue;
			if (found[fid] != 0)
				conflict_detail(u, da_fields[fid].path, found[fid],
				                "points to " UP_USER_PREFIX "%llu",
				                (unsigned long long)found[fid]);
			else
				conflict_detail(u, da_fields[fid].path, 0, "matches no user");
		}
		rc = up_error_set(&u->err, UP_ERR_CONFLICT,
		                  "The identifying keys point to different users");
		goto out;
	}

	/* 2. Its stored state (loaded above when user_id named it), and the version the client saw.
	 */
	if (target != 0 && cur.id != target) {
		rc = row_load(db, u->tenant_id, target, &cur);
		if (rc != UP_OK)
			goto out;
	}
	if (in->present[DA_VERSION] && in->version != (target != 0 ? cur.version : 0)) {
		if (target != 0)
			up_error_set(&u->err, UP_ERR_STALE_VERSION,
			             "version %llu is stale: the user is at version %llu",
			             (unsigned long long)in->version,
			             (unsigned long long)cur.version);
		else
			up_error_set(
			        &u->err, UP_ERR_STALE_VERSION,
			        "version %llu is stale: no user matches the keys (0 creates one)",
			        (unsigned long long)in->version);
		rc = UP_ERR_STALE_VERSION;
		goto out;
	}

	/* 3. The new values, and which of them differ from the stored ones. */
	for (fid = 0; fid < DA__MAX; fid++) {
		next[fid] = cur.val[fid];
		if (da_fields[fid].store == DA_S_NONE || !in->present[fid])
			continue;
		if (fid == DA_PASSWORD) {
			/* Judged outside the transaction (da_upsert_run), then run again. */
			if (cur.val[fid] != NULL &&
			    (!u->pw_verified || strcmp(u->pw_stored, cur.val[fid]) != 0)) {
				if (strlen(cur.val[fid]) >= sizeof(u->pw_stored)) {
					rc = UP_ERR_INTERNAL;
					goto out;
				}
				memcpy(u->pw_stored, cur.val[fid], strlen(cur.val[fid]) + 1);
				u->pw_verified = 0;
				u->pw_need = 1;
				rc = UP_ERR_INTERNAL;
				goto out;
			}
			if (cur.val[fid] != NULL && u->pw_same)
				continue;
			if (!u->pw_hashed) {
				u->pw_need = 1;
				rc = UP_ERR_INTERNAL;
				goto out;
			}
			next[fid] = u->pw_hash;
		} else if (fid == DA_PREFERENCES) {
			rc = merge_prefs(u, cur.val[fid], changed, &prefs_text);
			if (rc != UP_OK)
				goto out;
			next[fid] = prefs_text;
			continue; /* merge_prefs named the settings that changed */
		} else {
			if (cur.val[fid] != NULL && strcmp(cur.val[fid], in->text[fid]) == 0)
				continue;
			next[fid] = in->text[fid];
		}
		if (da_fields[fid].store == DA_S_DEVICE)
			device_changed = 1;
		cJSON_AddItemToArray(changed, cJSON_CreateString(da_fields[fid].path));
	}

	/* 4. Write, when anything changed (a new user always does). */
	if (target == 0 || cJSON_GetArraySize(changed) > 0) {
		if (device_changed) {
			rc = check_devices(db, u, target, cur.device_id, next, &cur);
			rc = lost_race(db, u, found, rc, 0);
			if (rc != UP_OK)
				goto out;
		}
		rc = write_rows(db, u, &cur, device_changed, next, &w);
		rc = lost_race(db, u, found, rc, 1);
		if (rc != UP_OK)
			goto out;
		rc = up_audit_write(db, u->tenant_id, u->token_id, w.id, u->request_id,
		                    target == 0 ? "create" : "update", changed);
		if (rc != UP_OK)
			goto out;
		/* The new state is known: no SELECT reads it back. */
		rc = take_result(u, w.id, w.version, w.modified_at, next);
	} else {
		rc = take_result(u, cur.id, cur.version, cur.modified_at, cur.val);
	}
	if (rc != UP_OK)
		goto out;
	u->created = target == 0;
	u->updated_fields = changed;
	changed = NULL;
out:
	if (rc == UP_ERR_CONFLICT && up_error_ndetails(&u->err) == 0)
		dup_key_detail(up_db_dup_key(db), u);
	row_free(&cur);
	free(prefs_text);
	cJSON_Delete(changed);
	return rc;
}

enum up_err da_upsert_run(struct up_db *db, struct da_upsert *u)
{
	const char *pw = u->in->present[DA_PASSWORD] ? u->in->text[DA_PASSWORD] : NULL;
	enum up_err rc = build_sql();
	int round;

	for (round = 0; rc == UP_OK; round++) {
		u->pw_need = 0;
		rc = up_db_transaction(db, upsert_txn, u);
		if (!u->pw_need || pw == NULL || round >= 2)
			break;
		/* Rolled back, no lock held: verify against the stored hash, hash if it differs. */
		rc = UP_OK;
		if (u->pw_stored[0] != '\0' && !u->pw_verified) {
			u->pw_same = up_password_verify(u->pw_stored, pw, strlen(pw));
			u->pw_verified = 1;
		}
		if (!u->pw_hashed && !(u->pw_verified && u->pw_same)) {
			rc = up_password_hash(u->cfg, pw, strlen(pw), u->pw_hash);
			u->pw_hashed = rc == UP_OK;
		}
		reset_result(u);
	}
	if (rc != UP_OK && u->pw_need)
		rc = UP_ERR_INTERNAL;
	return rc;
}

void da_upsert_free(struct da_upsert *u)
{
	reset_result(u);
	sodium_memzero(u->pw_hash, sizeof(u->pw_hash));
	u->pw_hashed = 0;
	u->pw_need = u->pw_verified = u->pw_same = 0;
	u->pw_stored[0] = '\0';
}
