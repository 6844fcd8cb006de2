/* SPDX-License-Identifier: ISC */
/*
 * group_store.h: the groups table (user_groups), the family every field
 * that names a group refers to.
 */
#ifndef UP_GROUP_STORE_H
#define UP_GROUP_STORE_H

#include "family.h"
#include "resource.h"

/* The user_groups table: fields, keys, filters (static, never freed). */
extern const struct up_resource up_group_resource;

/* The groups family: the table and its delete hook (409 group_in_use). */
extern const struct up_family up_group_family;

/*
 * The reference check (ref_sql of a table line) of a field that names a
 * group: a group of the tenant, read with a shared lock, so that a DELETE of
 * the group waits for the write and then counts it (group_store.c).
 */
#define UP_GROUP_REF_SQL                                                                           \
	"SELECT id FROM user_groups WHERE tenant_id = ? AND group_key = ? LOCK IN SHARE MODE"

#endif
