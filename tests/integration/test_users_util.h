/* SPDX-License-Identifier: ISC */
/*
 * test_users_util.h: fixtures and row checks shared by the Users API
 * integration tests: users inserted directly, snapshots of a users row,
 * the list of columns that differ between two snapshots, audit rows.
 */
#ifndef UP_TEST_USERS_UTIL_H
#define UP_TEST_USERS_UTIL_H

#include <stdint.h>
#include "testutil.h"

#define TUU_NCOLS 27

/* Every column of a users row (except id), as text (NULL for SQL NULL). */
struct tuu_snap {
	char *col[TUU_NCOLS];
};

/* Insert a user of tenant (name, email may be NULL) with [] privileges and {} tags; its id. */
uint64_t tuu_user(struct tu_env *env, uint64_t tenant, const char *name, const char *email);

/* Insert a device of tenant; its id. */
uint64_t tuu_device(struct tu_env *env, uint64_t tenant);

/* Read the row of user id (the test fails if it is absent). Free with tuu_snap_free(). */
void tuu_snap(struct tu_env *env, uint64_t id, struct tuu_snap *s);
void tuu_snap_free(struct tuu_snap *s);

/* 1 if user id exists. */
int tuu_exists(struct tu_env *env, uint64_t id);

/*
 * Names of the columns that differ between a and b, comma-separated in
 * table order ("" if none), into buf.
 */
void tuu_diff(const struct tuu_snap *a, const struct tuu_snap *b, char *buf, size_t len);

/* Number of audit rows of user id. */
long long tuu_audits(struct tu_env *env, uint64_t id);

/* changed_fields of the latest audit row of user id (malloc'd) and its action into action. */
char *tuu_last_audit(struct tu_env *env, uint64_t id, char *action, size_t len);

/* The "field" members of an error's details, sorted and comma-joined, into buf. */
void tuu_detail_fields(const cJSON *body, char *buf, size_t len);

/* "usr-<id>" / "/api/users/usr-<id>" into buf. */
void tuu_uri(char *buf, size_t len, uint64_t id, const char *suffix);

#endif
