/* SPDX-License-Identifier: ISC */
/* test_users_util.c: see test_users_util.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "test_users_util.h"

static const char *const cols[TUU_NCOLS] = {
        "tenant_id",        "name",       "email",
        "country",          "time_zone",  "description",
        "message",          "disabled",   "tags",
        "privileges",       "user_group", "device_id",
        "admin_devices",    "valid_from", "expires",
        "password_hash",    "last_login", "username",
        "user_external_id", "generic_id", "phone_number",
        "user_class",       "first_name", "last_name",
        "preferences",      "version",    "modified_at",
};

static const char sql_snap[] =
        "SELECT tenant_id, name, email, country, time_zone, description, message, disabled, "
        "tags, privileges, user_group, device_id, admin_devices, valid_from, expires, "
        "password_hash, last_login, username, user_external_id, generic_id, phone_number, "
        "user_class, first_name, last_name, preferences, version, modified_at "
        "FROM users WHERE id = ?";

static uint64_t last_id(struct tu_env *env)
{
	char *s = tu_scalar(env, "SELECT LAST_INSERT_ID()", NULL, NULL, NULL);
	uint64_t id = 0;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(up_parse_u64(s, 1, UINT64_MAX, &id), UP_OK);
	free(s);
	return id;
}

uint64_t tuu_user(struct tu_env *env, uint64_t tenant, const char *name, const char *email)
{
	struct up_db_param p[3] = {UP_P_U64(tenant), UP_P_STR_OR_NULL(name),
	                           UP_P_STR_OR_NULL(email)};

	ck_assert_int_eq(up_db_exec(env->db,
	                            "INSERT INTO users (tenant_id, name, email, tags, privileges) "
	                            "VALUES (?, ?, ?, '{}', '[]')",
	                            p, 3, NULL),
	                 UP_OK);
	return last_id(env);
}

uint64_t tuu_device(struct tu_env *env, uint64_t tenant)
{
	struct up_db_param p[1] = {UP_P_U64(tenant)};

	ck_assert_int_eq(
	        up_db_exec(env->db, "INSERT INTO devices (tenant_id) VALUES (?)", p, 1, NULL),
	        UP_OK);
	return last_id(env);
}

void tuu_snap(struct tu_env *env, uint64_t id, struct tuu_snap *s)
{
	struct up_db_param p[1] = {UP_P_U64(id)};
	struct up_db_result res;
	size_t i;

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(up_db_query(env->db, sql_snap, p, 1, &res), UP_OK);
	ck_assert_msg(res.nrows == 1, "user %llu is absent", (unsigned long long)id);
	ck_assert_uint_eq(res.ncols, TUU_NCOLS);
	for (i = 0; i < TUU_NCOLS; i++)
		if (up_db_cell(&res, 0, i) != NULL)
			s->col[i] = strdup(up_db_cell(&res, 0, i));
	up_db_result_free(&res);
}

void tuu_snap_free(struct tuu_snap *s)
{
	size_t i;

	for (i = 0; i < TUU_NCOLS; i++)
		free(s->col[i]);
	memset(s, 0, sizeof(*s));
}

int tuu_exists(struct tu_env *env, uint64_t id)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	return tu_scalar_int(env, "SELECT COUNT(*) FROM users WHERE id = ?", num, NULL, NULL) == 1;
}

void tuu_diff(const struct tuu_snap *a, const struct tuu_snap *b, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < TUU_NCOLS; i++) {
		const char *x = a->col[i], *y = b->col[i];
		int same = (x == NULL || y == NULL) ? x == y : strcmp(x, y) == 0;

		if (!same)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			                         cols[i]);
	}
}

long long tuu_audits(struct tu_env *env, uint64_t id)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	return tu_scalar_int(env, "SELECT COUNT(*) FROM audit_log WHERE user_id = ?", num, NULL,
	                     NULL);
}

char *tuu_last_audit(struct tu_env *env, uint64_t id, char *action, size_t len)
{
	char num[32], *a;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	a = tu_scalar(env,
	              "SELECT action FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT 1",
	              num, NULL, NULL);
	snprintf(action, len, "%s", a != NULL ? a : "");
	free(a);
	return tu_scalar(env,
	                 "SELECT changed_fields FROM audit_log WHERE user_id = ? ORDER BY id DESC "
	                 "LIMIT 1",
	                 num, NULL, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void tuu_detail_fields(const cJSON *body, char *buf, size_t len)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "details"), *e;
	const char *names[64];
	size_t n = 0, i, used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, d)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");

		if (cJSON_IsString(f) && n < 64)
			names[n++] = f->valuestring;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", names[i]);
}

void tuu_uri(char *buf, size_t len, uint64_t id, const char *suffix)
{
	snprintf(buf, len, "/api/users/usr-%llu%s", (unsigned long long)id,
	         suffix != NULL ? suffix : "");
}
