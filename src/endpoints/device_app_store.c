/* SPDX-License-Identifier: ISC */
/*
 * device_app_store.c: the upsert of DESIGN 1.1 in one transaction, on the
 * resource layer: users are found by key with up_resource_lookup(), locked
 * and read with up_resource_lock(), written with up_resource_insert() and
 * up_resource_update(), over the users and devices tables the fields view
 * (device_app_fields.c).  Every row it reads is locked (SELECT ... FOR
 * UPDATE, which also locks the gap where an absent key would go under
 * REPEATABLE READ, so that two requests creating the same user serialise:
 * the loser deadlocks, is retried, and then finds the user).  Under READ
 * COMMITTED there is no gap lock: the loser meets the winner's rows later (a
 * device identifier bound to it, or 1062 on the write) and, finding the keys
 * it saw free now taken, is retried the same way (see lost_race), so the
 * outcome does not depend on the server's isolation level.  The password is
 * hashed, or verified against the stored hash, outside the transaction
 * (secret.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "device_app.h"
#include "device_store.h"
#include "event.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "user_store.h"

/* One attempt of the transaction: what it found, locked and is about to write. */
struct state {
	uint64_t found[DA__MAX];     /* the user each identifying key points to (0: none) */
	uint64_t target;             /* the user to update, 0 to create one */
	struct up_current user, dev; /* the locked rows (json NULL: none) */
	uint64_t device_id;          /* the user's device, 0: none */
	const char *modified_at;     /* the user's, borrowed from user */
	const char *val[DA__MAX];    /* stored text of each field, borrowed; NULL: SQL NULL */
	const char *next[DA__MAX];   /* the text after the write, borrowed */
	char *prefs_text;            /* the merged preferences (owned) */
	cJSON *changed;              /* updated_fields (owned) */
	int device_changed;
	int user_unique_changed; /* a users column a unique index covers changes */
	int later;               /* the password is judged outside the transaction: write nothing */
};

static void state_free(struct state *st)
{
	up_current_free(&st->user);
	up_current_free(&st->dev);
	free(st->prefs_text);
	cJSON_Delete(st->changed);
	memset(st, 0, sizeof(*st));
}

/* The line of field name in r (it exists: the tables are constants). */
static size_t line(const struct up_resource *r, const char *name)
{
	return (size_t)up_resource_field(r, name);
}

/* Lock and read user id of the tenant and its device.  UP_ERR_NOT_FOUND if absent. */
static enum up_err load_user(struct up_db *db, const struct da_upsert *u, uint64_t id,
                             struct state *st)
{
	const struct up_resource *ur = &up_user_resource;
	struct up_key k = {id, NULL};
	const char *dev;
	enum up_err rc;
	int fid;

	rc = up_resource_lock(db, ur, u->tenant_id, &k, &st->user);
	if (rc != UP_OK)
		return rc;
	dev = up_current_cell(ur, &st->user, line(ur, "deviceId"));
	st->modified_at = up_current_cell(ur, &st->user, line(ur, "modification"));
	if ((dev != NULL && up_parse_u64(dev, 1, UINT64_MAX, &st->device_id) != UP_OK) ||
	    st->modified_at == NULL)
		return UP_ERR_INTERNAL;
	for (fid = 0; fid < DA__MAX; fid++)
		if (da_resource(fid) == ur)
			st->val[fid] =
			        fid == DA_PASSWORD
			                ? up_current_secret(ur, &st->user, (size_t)da_line(fid))
			                : up_current_cell(ur, &st->user, (size_t)da_line(fid));
	if (st->device_id == 0)
		return UP_OK;
	k.id = st->device_id;
	rc = up_resource_lock(db, &up_device_resource, u->tenant_id, &k, &st->dev);
	if (rc == UP_ERR_NOT_FOUND)
		return UP_OK; /* no identifiers to show */
	for (fid = 0; rc == UP_OK && fid < DA__MAX; fid++)
		if (da_resource(fid) == &up_device_resource)
			st->val[fid] = up_current_cell(&up_device_resource, &st->dev,
			                               (size_t)da_line(fid));
	return rc;
}

/* The user of the tenant that identifying key fid points to (0: none), locked when lock. */
static enum up_err lookup_user(struct up_db *db, const struct da_upsert *u, int fid, int lock,
                               uint64_t *id)
{
	return up_resource_lookup(db, &up_user_resource, u->tenant_id, (size_t)da_line(fid),
	                          u->in->text[fid], lock, id);
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

/* 1. The users of the tenant the identifying keys point to: st->target (0: none). */
static enum up_err find_target(struct up_db *db, struct da_upsert *u, struct state *st)
{
	const struct da_input *in = u->in;
	enum up_err rc;
	int fid, split = 0;

	for (fid = 0; fid < DA__MAX; fid++) {
		if (!(da_fields[fid].flags & DA_F_KEY) || !in->present[fid])
			continue;
		if (fid == DA_USER_ID) {
			/* By id: the row itself is locked and loaded, no separate lookup. */
			rc = load_user(db, u, in->user_id, st);
			if (rc == UP_ERR_NOT_FOUND)
				return up_error_set(&u->err, UP_ERR_NOT_FOUND,
				                    "user_id " UP_USER_PREFIX "%llu names no user",
				                    (unsigned long long)in->user_id);
			st->found[fid] = in->user_id;
		} else {
			rc = lookup_user(db, u, fid, 1, &st->found[fid]);
		}
		if (rc != UP_OK)
			return rc;
		if (st->found[fid] != 0 && st->target == 0)
			st->target = st->found[fid];
		else if (st->found[fid] != 0 && st->found[fid] != st->target)
			split = 1;
	}
	if (!split)
		return UP_OK;
	for (fid = 0; fid < DA__MAX; fid++) {
		if (!(da_fields[fid].flags & DA_F_KEY) || !in->present[fid])
			continue;
		if (st->found[fid] != 0)
			conflict_detail(u, da_fields[fid].path, st->found[fid],
			                "points to " UP_USER_PREFIX "%llu",
			                (unsigned long long)st->found[fid]);
		else
			conflict_detail(u, da_fields[fid].path, 0, "matches no user");
	}
	return up_error_set(&u->err, UP_ERR_CONFLICT,
	                    "The identifying keys point to different users");
}

/* 2. The target's stored state (loaded above when user_id named it), and the version sent. */
static enum up_err load_target(struct up_db *db, struct da_upsert *u, struct state *st)
{
	uint64_t version = st->target != 0 ? st->user.version : 0;
	enum up_err rc;

	if (st->target != 0 && st->user.json == NULL) {
		rc = load_user(db, u, st->target, st);
		if (rc != UP_OK)
			return rc;
		version = st->user.version;
	}
	if (!u->in->present[DA_VERSION] || u->in->version == version)
		return UP_OK;
	if (st->target != 0)
		return up_error_set(&u->err, UP_ERR_STALE_VERSION,
		                    "version %llu is stale: the user is at version %llu",
		                    (unsigned long long)u->in->version,
		                    (unsigned long long)version);
	return up_error_set(&u->err, UP_ERR_STALE_VERSION,
	                    "version %llu is stale: no user matches the keys (0 creates one)",
	                    (unsigned long long)u->in->version);
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
 * The password's next value: its hash, or the stored hash when it verifies
 * against it (*same); not judged yet, st->later (argon2id runs outside).
 */
static enum up_err next_password(struct da_upsert *u, struct state *st, int *same)
{
	enum up_secret_verdict v;
	enum up_err rc =
	        up_secret_judge(&u->secret, u->in->text[DA_PASSWORD], st->val[DA_PASSWORD], &v);

	*same = v != UP_SECRET_NEW;
	if (rc == UP_OK && v == UP_SECRET_LATER)
		st->later = 1;
	else if (rc == UP_OK && v == UP_SECRET_NEW)
		st->next[DA_PASSWORD] = u->secret.hash;
	return rc;
}

/* 3. The new values, and which of them differ from the stored ones (st->changed). */
static enum up_err next_values(struct da_upsert *u, struct state *st)
{
	const struct da_input *in = u->in;
	enum up_err rc;
	int fid, same;

	st->changed = cJSON_CreateArray();
	if (st->changed == NULL)
		return UP_ERR_NOMEM;
	for (fid = 0; fid < DA__MAX; fid++) {
		st->next[fid] = st->val[fid];
		if (da_fields[fid].store == DA_S_NONE || !in->present[fid])
			continue;
		if (fid == DA_PASSWORD) {
			rc = next_password(u, st, &same);
			if (rc != UP_OK)
				return rc;
			if (same)
				continue;
		} else if (fid == DA_PREFERENCES) {
			rc = merge_prefs(u, st->val[fid], st->changed, &st->prefs_text);
			if (rc != UP_OK)
				return rc;
			st->next[fid] = st->prefs_text;
			continue; /* merge_prefs named the settings that changed */
		} else {
			if (st->val[fid] != NULL && strcmp(st->val[fid], in->text[fid]) == 0)
				continue;
			st->next[fid] = in->text[fid];
		}
		if (da_fields[fid].store == DA_S_DEVICE)
			st->device_changed = 1;
		else if (da_field_unique(fid))
			st->user_unique_changed = 1;
		cJSON_AddItemToArray(st->changed, cJSON_CreateString(da_fields[fid].path));
	}
	return UP_OK;
}

/* The user other than st->target whose device is dev (0: none), locked. */
static enum up_err device_user(struct up_db *db, const struct da_upsert *u, const struct state *st,
                               uint64_t dev, uint64_t *other)
{
	char id[32];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)dev);
	return up_resource_lookup_other(db, &up_user_resource, u->tenant_id,
	                                line(&up_user_resource, "deviceId"), id, st->target, 1,
	                                other);
}

/* Take the identifier of field fid off device dev (a device of no user). */
static enum up_err release(struct up_db *db, const struct da_upsert *u, int fid, uint64_t dev)
{
	struct up_row row;
	struct up_key k = {dev, NULL};

	memset(&row, 0, sizeof(row));
	row.set[da_line(fid)] = 1; /* to NULL */
	return up_resource_update(db, &up_device_resource, u->tenant_id, &k, &row, NULL);
}

/*
 * Device identifiers: a changed imei/imsi/iccid must not be recorded on a
 * device of another user (409).  Found on a device no user has, it is taken
 * off that device.  The user's own device must not be shared with another
 * user when its identifiers change.
 */
static enum up_err check_devices(struct up_db *db, struct da_upsert *u, const struct state *st)
{
	uint64_t free_dev[DA__MAX] = {0}, other, dev;
	enum up_err rc;
	int fid;

	for (fid = 0; fid < DA__MAX; fid++) {
		const char *next = st->next[fid];

		other = 0;
		if (da_fields[fid].store != DA_S_DEVICE || next == NULL ||
		    (st->val[fid] != NULL && strcmp(st->val[fid], next) == 0))
			continue;
		rc = up_resource_lookup(db, &up_device_resource, u->tenant_id, (size_t)da_line(fid),
		                        next, 1, &dev);
		if (rc == UP_OK && dev != 0 && dev != st->device_id)
			rc = device_user(db, u, st, dev, &other);
		if (rc != UP_OK)
			return rc;
		if (dev == 0 || dev == st->device_id)
			continue;
		if (other != 0)
			conflict_detail(u, da_fields[fid].path, other,
			                "is bound to the device of " UP_USER_PREFIX "%llu",
			                (unsigned long long)other);
		else
			free_dev[fid] = dev;
	}
	if (up_error_ndetails(&u->err) > 0)
		return up_error_set(&u->err, UP_ERR_CONFLICT,
		                    "A device identifier is bound to another user");
	if (st->device_id != 0) {
		rc = device_user(db, u, st, st->device_id, &other);
		if (rc != UP_OK)
			return rc;
		if (other != 0) {
			up_error_set(&u->err, UP_ERR_CONFLICT,
			             "The user's device " UP_DEVICE_PREFIX
			             "%llu is shared with " UP_USER_PREFIX
			             "%llu; its identifiers cannot change",
			             (unsigned long long)st->device_id, (unsigned long long)other);
			for (fid = 0; fid < DA__MAX; fid++)
				if (da_fields[fid].store == DA_S_DEVICE &&
				    st->next[fid] != st->val[fid])
					conflict_detail(u, da_fields[fid].path, other,
					                "the device is shared with " UP_USER_PREFIX
					                "%llu",
					                (unsigned long long)other);
			return UP_ERR_CONFLICT;
		}
	}
	for (fid = 0, rc = UP_OK; fid < DA__MAX && rc == UP_OK; fid++)
		if (free_dev[fid] != 0)
			rc = release(db, u, fid, free_dev[fid]);
	return rc;
}

/* What the write stored: the user's id, version and modification time (SQL form). */
struct written {
	uint64_t id, version;
	char modified_at[32];
};

/* row: every field of table r the device app writes, from st->next. */
static enum up_err fill_row(const struct up_resource *r, const struct state *st, struct up_row *row)
{
	int fid;

	for (fid = 0; fid < DA__MAX; fid++) {
		const char *v = st->next[fid];
		int i = da_line(fid);

		if (da_resource(fid) != r)
			continue;
		row->set[i] = 1;
		if (v != NULL && (row->text[i] = strdup(v)) == NULL)
			return UP_ERR_NOMEM;
	}
	return UP_OK;
}

/*
 * The event of a write of table r (devices) at key id: created, or updated
 * with those names of `changed` (the device app's updated_fields) that are
 * fields of r.  (The user's event rides on its audit row, all names; the
 * device has no audit row, so its event is inserted here.)
 */
static enum up_err da_event(struct up_db *db, const struct da_upsert *u,
                            const struct up_resource *r, uint64_t id, int created, uint64_t version,
                            const cJSON *changed)
{
	struct up_key k = {id, NULL};
	cJSON *names = NULL;
	const cJSON *c;
	char key[64];
	enum up_err rc;

	if (!created && (names = cJSON_CreateArray()) == NULL)
		return UP_ERR_NOMEM;
	for (c = created || changed == NULL ? NULL : changed->child; c != NULL; c = c->next) {
		if (cJSON_IsString(c) && up_resource_field(r, c->valuestring) >= 0 &&
		    !cJSON_AddItemToArray(names, cJSON_CreateString(c->valuestring))) {
			cJSON_Delete(names);
			return UP_ERR_NOMEM;
		}
	}
	up_resource_key_format(r, &k, key, sizeof(key));
	rc = up_event_append_noun(db, u->tenant_id, r->noun, created ? "created" : "updated", key,
	                          version, names, u->request_id);
	cJSON_Delete(names);
	return rc;
}

/* The device: inserted (st->device_id set) or its identifiers updated. */
static enum up_err write_device(struct up_db *db, const struct da_upsert *u, struct state *st)
{
	struct up_key k = {st->device_id, NULL};
	struct up_row row;
	cJSON *json = NULL;
	uint64_t version = st->dev.version + 1;
	int created = st->device_id == 0;
	enum up_err rc;

	memset(&row, 0, sizeof(row));
	rc = fill_row(&up_device_resource, st, &row);
	if (rc == UP_OK && st->device_id == 0)
		rc = up_resource_insert(db, &up_device_resource, u->tenant_id, &row, &st->device_id,
		                        &json, &version);
	else if (rc == UP_OK)
		rc = up_resource_update(db, &up_device_resource, u->tenant_id, &k, &row,
		                        st->dev.json != NULL ? st->dev.now : NULL);
	if (rc == UP_OK)
		rc = da_event(db, u, &up_device_resource, st->device_id, created, version,
		              st->changed);
	cJSON_Delete(json);
	up_row_free(&row);
	return rc;
}

/* The user: inserted when st->target is 0, else updated; *w what was stored. */
static enum up_err write_user(struct up_db *db, const struct da_upsert *u, const struct state *st,
                              struct written *w)
{
	const struct up_resource *ur = &up_user_resource;
	struct up_key k = {st->target, NULL};
	const cJSON *m;
	struct up_row row;
	cJSON *json = NULL;
	char dev[32];
	size_t d = line(ur, "deviceId");
	enum up_err rc;

	memset(&row, 0, sizeof(row));
	rc = fill_row(ur, st, &row);
	/* The device reference is always written: the UPDATE bumps version even when only
	 * the device changed. */
	snprintf(dev, sizeof(dev), "%llu", (unsigned long long)st->device_id);
	row.set[d] = 1;
	if (rc == UP_OK && st->device_id != 0 && (row.text[d] = strdup(dev)) == NULL)
		rc = UP_ERR_NOMEM;
	if (rc == UP_OK && st->target == 0) {
		rc = up_resource_insert(db, ur, u->tenant_id, &row, &w->id, &json, &w->version);
		m = cJSON_GetObjectItemCaseSensitive(json, "modification");
		/* RFC 3339 back to the database's form: the one renderer makes the answer's. */
		if (rc == UP_OK && (!cJSON_IsString(m) || strlen(m->valuestring) < 19))
			rc = UP_ERR_INTERNAL;
		else if (rc == UP_OK)
			snprintf(w->modified_at, sizeof(w->modified_at), "%.10s %.8s",
			         m->valuestring, m->valuestring + 11);
	} else if (rc == UP_OK) {
		/* The locked user's UPDATE goes with the COMMIT unless it may meet a duplicate,
		 * which lost_race() must see here. */
		rc = st->user_unique_changed
		             ? up_resource_update(db, ur, u->tenant_id, &k, &row, st->user.now)
		             : up_resource_update_at_commit(db, ur, u->tenant_id, &k, &row,
		                                            st->user.now);
		w->id = st->target;
		w->version = st->user.version + 1;
		snprintf(w->modified_at, sizeof(w->modified_at), "%s", st->user.now);
	}
	cJSON_Delete(json);
	up_row_free(&row);
	return rc;
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

/* The user's audit row, which carries its event, the names the same (all of them). */
static enum up_err audit_user(struct up_db *db, const struct da_upsert *u, const struct state *st,
                              uint64_t id, uint64_t version)
{
	struct up_key uk = {id, NULL};
	char key[64];
	struct up_audit_event ev = {st->target == 0 ? "user.created" : "user.updated", key,
	                            version};

	up_resource_key_format(&up_user_resource, &uk, key, sizeof(key));
	return up_audit_write(db, u->tenant_id, u->token_id, id, u->request_id,
	                      st->target == 0 ? "create" : "update", st->changed, &ev);
}

/* 4. Write the device and the user, and the audit row; the result without reading back. */
static enum up_err write_all(struct up_db *db, struct da_upsert *u, struct state *st)
{
	struct written w;
	enum up_err rc = UP_OK;

	memset(&w, 0, sizeof(w));
	if (st->device_changed) {
		rc = check_devices(db, u, st);
		rc = lost_race(db, u, st->found, rc, 0);
		if (rc != UP_OK)
			return rc;
		rc = write_device(db, u, st);
	}
	if (rc == UP_OK)
		rc = write_user(db, u, st, &w);
	rc = lost_race(db, u, st->found, rc, 1);
	/* The audit row, kept for the COMMIT (after the UPDATE, when that is kept too). */
	if (rc == UP_OK)
		rc = audit_user(db, u, st, w.id, w.version);
	if (rc == UP_OK)
		rc = take_result(u, w.id, w.version, w.modified_at, st->next);
	return rc;
}

static enum up_err upsert_txn(struct up_db *db, void *arg)
{
	struct da_upsert *u = arg;
	struct state st;
	enum up_err rc;

	reset_result(u);
	memset(&st, 0, sizeof(st));
	rc = find_target(db, u, &st);
	if (rc == UP_OK)
		rc = load_target(db, u, &st);
	if (rc == UP_OK)
		rc = next_values(u, &st);
	if (rc != UP_OK || st.later)
		goto out; /* later: nothing written; the password is judged, then this runs again */
	/* Write when anything changed (a new user always does). */
	if (st.target == 0 || cJSON_GetArraySize(st.changed) > 0)
		rc = write_all(db, u, &st);
	else
		rc = take_result(u, st.target, st.user.version, st.modified_at, st.val);
	if (rc != UP_OK)
		goto out;
	u->created = st.target == 0;
	u->updated_fields = st.changed;
	st.changed = NULL;
out:
	if (rc == UP_ERR_CONFLICT && up_error_ndetails(&u->err) == 0)
		dup_key_detail(up_db_dup_key(db), u);
	state_free(&st);
	return rc;
}

enum up_err da_upsert_run(struct up_db *db, struct da_upsert *u)
{
	return up_secret_transaction(db, u->cfg, &u->secret, upsert_txn, u);
}

void da_upsert_free(struct da_upsert *u)
{
	reset_result(u);
	up_secret_wipe(&u->secret);
}
