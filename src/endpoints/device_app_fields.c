/* SPDX-License-Identifier: ISC */
/* device_app_fields.c: the device-app field table and validation of `data`. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "device_store.h"
#include "device_app.h"
#include "hash.h"
#include "json.h"
#include "parse.h"
#include "user_store.h"
#include "validate.h"

#define USER(line) DA_S_USER, line
#define DEVICE(line) DA_S_DEVICE, line

/*
 * The table: JSON name, path, parent, kind, the table and line it views,
 * flags, length limits of its own (0: the line's).
 */
const struct da_field da_fields[DA__MAX] = {
        [DA_NUMBER] = {"number", "number", DA_P_TOP, DA_K_TEXT, USER("number"), DA_F_KEY, 0, 0},
        [DA_GENERIC_ID] = {"generic_id", "generic_id", DA_P_TOP, DA_K_TEXT, USER("generic_id"),
                           DA_F_KEY, 0, 0},
        [DA_IMEI] = {"imei", "imei", DA_P_TOP, DA_K_TEXT, DEVICE("imei"), 0, 0, 0},
        [DA_IMSI] = {"imsi", "imsi", DA_P_TOP, DA_K_TEXT, DEVICE("imsi"), 0, 0, 0},
        [DA_ICCID] = {"iccid", "iccid", DA_P_TOP, DA_K_TEXT, DEVICE("iccid"), 0, 0, 0},
        [DA_USERNAME] = {"username", "username", DA_P_TOP, DA_K_TEXT, USER("username"), DA_F_KEY, 0,
                         0},
        /* Client-hashed: any 1 to 1024 characters (the Users API asks 8 of a person). */
        [DA_PASSWORD] = {"password", "password", DA_P_TOP, DA_K_TEXT, USER("password"), DA_F_SECRET,
                         1, 1024},
        [DA_USER_EXTERNAL_ID] = {"user_external_id", "user_external_id", DA_P_TOP, DA_K_TEXT,
                                 USER("user_external_id"), DA_F_KEY, 0, 0},
        [DA_USER_CLASS] = {"user_class", "user_class", DA_P_TOP, DA_K_TEXT, USER("user_class"), 0,
                           0, 0},
        [DA_FIRST_NAME] = {"first_name", "profile.first_name", DA_P_PROFILE, DA_K_TEXT,
                           USER("first_name"), 0, 0, 0},
        [DA_LAST_NAME] = {"last_name", "profile.last_name", DA_P_PROFILE, DA_K_TEXT,
                          USER("last_name"), 0, 0, 0},
        [DA_EMAIL] = {"email", "profile.email", DA_P_PROFILE, DA_K_TEXT, USER("email"), 0, 0, 0},
        [DA_PREFERENCES] = {"preferences", "preferences", DA_P_TOP, DA_K_PREFS, USER("preferences"),
                            0, 0, 0},
        [DA_USER_ID] = {"user_id", "user_id", DA_P_TOP, DA_K_USER_ID, DA_S_NONE, NULL, DA_F_KEY, 0,
                        0},
        [DA_VERSION] = {"version", "version", DA_P_TOP, DA_K_VERSION, DA_S_NONE, NULL, 0, 0, 0},
};

const struct up_resource *da_resource(int fid)
{
	switch (da_fields[fid].store) {
	case DA_S_USER:
		return &up_user_resource;
	case DA_S_DEVICE:
		return &up_device_resource;
	case DA_S_NONE:
		break;
	}
	return NULL;
}

int da_line(int fid)
{
	const struct up_resource *r = da_resource(fid);

	return r != NULL ? up_resource_field(r, da_fields[fid].line) : -1;
}

/* The line field fid views, or NULL. */
static const struct up_field *line_of(int fid)
{
	int i = da_line(fid);

	return i >= 0 ? &da_resource(fid)->fields[i] : NULL;
}

int da_field_by_unique_key(const char *key)
{
	int i;

	for (i = 0; i < DA__MAX; i++) {
		const struct up_field *l = line_of(i);

		if (l != NULL && l->unique_key != NULL && strcmp(l->unique_key, key) == 0)
			return i;
	}
	return -1;
}

int da_field_unique(int fid)
{
	const struct up_field *l = line_of(fid);

	return l != NULL && (l->unique_key != NULL || (l->flags & UP_FF_KEY));
}

static int find_field(enum da_parent parent, const char *name)
{
	int i;

	for (i = 0; i < DA__MAX; i++)
		if (da_fields[i].parent == parent && strcmp(da_fields[i].name, name) == 0)
			return i;
	return -1;
}

/* 1 if s has no control characters (C0 or DEL). */
static int printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void parse_text(int fid, const cJSON *v, enum up_device_mode mode, struct da_input *in,
                       struct up_error *e)
{
	const struct da_field *f = &da_fields[fid];
	const struct up_field *l = line_of(fid);
	struct up_check c = {l, f->path, mode, NULL, e};
	size_t n, min = f->min_len, max = f->max_len;

	if (max == 0) {
		min = l->min_len;
		max = l->max_len;
	}
	if (!cJSON_IsString(v)) {
		up_error_detail(e, f->path, "must be a string");
		return;
	}
	n = up_utf8_length(v->valuestring);
	if (n < min || n > max) {
		if (min == 1)
			up_error_detail(e, f->path, "must be 1 to %zu characters", max);
		else
			up_error_detail(e, f->path, "must be %zu to %zu characters", min, max);
		return;
	}
	if (!printable(v->valuestring)) {
		up_error_detail(e, f->path, "must not contain control characters");
		return;
	}
	/* utf8mb4 PAD SPACE would find "crm-1" for "crm-1 ": identifiers are taken as seen. */
	if ((f->flags & DA_F_KEY) && up_edge_space(v->valuestring)) {
		up_error_detail(e, f->path, "must not begin or end with a space");
		return;
	}
	if (l->check != NULL && !l->check(&c, v))
		return;
	in->text[fid] = strdup(v->valuestring);
	if (in->text[fid] == NULL)
		up_error_detail(e, f->path, "out of memory");
}

/* "usr-<n>", or "<n>" and <n> as older clients send it. */
static void parse_user_id(const cJSON *v, struct da_input *in, struct up_error *e)
{
	static const char rule[] = "must be a user id such as \"usr-42\" (or 42)";

	if (cJSON_IsString(v)) {
		if (up_parse_public_id(v->valuestring, UP_USER_PREFIX, &in->user_id) == UP_OK ||
		    up_parse_u64(v->valuestring, 1, (uint64_t)INT64_MAX, &in->user_id) == UP_OK)
			return;
	} else if (cJSON_IsNumber(v) && v->valuedouble >= 1 &&
	           v->valuedouble <= 9007199254740991.0 &&
	           floor(v->valuedouble) == v->valuedouble) {
		in->user_id = (uint64_t)v->valuedouble;
		return;
	}
	up_error_detail(e, "user_id", "%s", rule);
}

static void parse_version(const cJSON *v, struct da_input *in, struct up_error *e)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 9007199254740991.0 &&
	    floor(v->valuedouble) == v->valuedouble) {
		in->version = (uint64_t)v->valuedouble;
		return;
	}
	up_error_detail(e, "version", "must be an integer >= 0");
}

/* Largest integer magnitude a preference number may have: every integer up to it is exact. */
#define DA_PREFS_MAX_EXACT 9007199254740991.0 /* 2^53 - 1 */

/*
 * Names seen so far, for a duplicate check in linear time: an open-addressing
 * table of twice DA_PREFS_MAX_KEYS slots (parse_prefs never adds more names).
 */
struct name_set {
	const char *slot[2 * DA_PREFS_MAX_KEYS];
};

/* Add name (borrowed); 1 if it was new, 0 if already there. */
static int name_set_add(struct name_set *set, const char *name)
{
	const size_t n = sizeof(set->slot) / sizeof(set->slot[0]);
	size_t i;

	for (i = (size_t)(up_hash(name, strlen(name)) % n); set->slot[i] != NULL; i = (i + 1) % n)
		if (strcmp(set->slot[i], name) == 0)
			return 0;
	set->slot[i] = name;
	return 1;
}

/* An object of scalars; a null member removes that setting. */
static void parse_prefs(const cJSON *v, struct da_input *in, struct up_error *e)
{
	struct name_set seen;
	const cJSON *m;
	size_t n = 0;
	int bad = 0;
	char path[96];

	if (!cJSON_IsObject(v)) {
		up_error_detail(e, "preferences", "must be an object");
		return;
	}
	/* The count first: past the limit no setting is looked at one by one. */
	cJSON_ArrayForEach(m, v) n++;
	if (n > DA_PREFS_MAX_KEYS) {
		up_error_detail(e, "preferences", "at most %d settings", DA_PREFS_MAX_KEYS);
		return;
	}
	memset(&seen, 0, sizeof(seen));
	cJSON_ArrayForEach(m, v)
	{
		size_t klen = up_utf8_length(m->string);

		snprintf(path, sizeof(path), "preferences.%.*s", UP_UTF8_CUT(m->string, 80));
		if (klen < 1 || klen > DA_PREFS_MAX_KEY_LEN || !printable(m->string)) {
			up_error_detail(e, path, "setting names must be 1 to %d characters",
			                DA_PREFS_MAX_KEY_LEN);
			bad = 1;
		} else if (!name_set_add(&seen, m->string)) {
			up_error_detail(e, path, "given more than once");
			bad = 1;
		} else if (cJSON_IsString(m) &&
		           up_utf8_length(m->valuestring) > DA_PREFS_MAX_VALUE_LEN) {
			up_error_detail(e, path, "must be at most %d characters",
			                DA_PREFS_MAX_VALUE_LEN);
			bad = 1;
		} else if (cJSON_IsNumber(m) && (!isfinite(m->valuedouble) ||
		                                 fabs(m->valuedouble) > DA_PREFS_MAX_EXACT)) {
			/* 1e999 would be stored as null, 2^53 + 1 rounded: refuse both. */
			up_error_detail(
			        e, path,
			        "must be a number from -9007199254740991 to 9007199254740991 "
			        "(larger ones cannot be stored exactly)");
			bad = 1;
		} else if (!cJSON_IsString(m) && !cJSON_IsNumber(m) && !cJSON_IsBool(m) &&
		           !cJSON_IsNull(m)) {
			up_error_detail(e, path,
			                "must be a string, number, boolean or null (to remove it)");
			bad = 1;
		}
	}
	if (bad)
		return;
	in->prefs = cJSON_Duplicate(v, 1);
	if (in->prefs == NULL)
		up_error_detail(e, "preferences", "out of memory");
}

static void parse_member(int fid, const cJSON *v, enum up_device_mode mode, struct da_input *in,
                         struct up_error *e)
{
	const struct da_field *f = &da_fields[fid];

	if (in->present[fid]) {
		up_error_detail(e, f->path, "given more than once");
		return;
	}
	in->present[fid] = 1;
	switch (f->kind) {
	case DA_K_TEXT:
		parse_text(fid, v, mode, in, e);
		break;
	case DA_K_PREFS:
		parse_prefs(v, in, e);
		break;
	case DA_K_USER_ID:
		parse_user_id(v, in, e);
		break;
	case DA_K_VERSION:
		parse_version(v, in, e);
		break;
	}
}

enum up_err da_input_parse(const cJSON *data, enum up_device_mode mode, struct da_input *in,
                           struct up_error *e)
{
	const cJSON *m, *p;
	int profile_seen = 0, key = 0, fid, before = (int)up_error_ndetails(e);
	char path[96];

	memset(in, 0, sizeof(*in));
	cJSON_ArrayForEach(m, data)
	{
		if (strcmp(m->string, "profile") == 0) {
			if (profile_seen++) {
				up_error_detail(e, "profile", "given more than once");
				continue;
			}
			if (!cJSON_IsObject(m)) {
				up_error_detail(e, "profile",
				                "must be an object {first_name, last_name, email}");
				continue;
			}
			cJSON_ArrayForEach(p, m)
			{
				fid = find_field(DA_P_PROFILE, p->string);
				if (fid < 0) {
					snprintf(path, sizeof(path), "profile.%.*s",
					         UP_UTF8_CUT(p->string, 80));
					up_error_detail(e, path, "unknown field");
					continue;
				}
				parse_member(fid, p, mode, in, e);
			}
			continue;
		}
		fid = find_field(DA_P_TOP, m->string);
		if (fid < 0) {
			snprintf(path, sizeof(path), "%.*s", UP_UTF8_CUT(m->string, 80));
			up_error_detail(e, path, "unknown field");
			continue;
		}
		if (da_fields[fid].flags & DA_F_KEY)
			key = 1;
		parse_member(fid, m, mode, in, e);
	}
	if (!key)
		return UP_ERR_MISSING_KEY;
	return (int)up_error_ndetails(e) <= before ? UP_OK : UP_ERR_VALIDATION;
}

void da_input_free(struct da_input *in)
{
	int i;

	for (i = 0; i < DA__MAX; i++) {
		if (in->text[i] != NULL && (da_fields[i].flags & DA_F_SECRET))
			sodium_memzero(in->text[i], strlen(in->text[i]));
		free(in->text[i]);
	}
	cJSON_Delete(in->prefs);
	memset(in, 0, sizeof(*in));
}
