/*
 * group_store.h: what other tables need to know of the groups table
 * (user_groups): how a field that names a group is checked.
 */
#ifndef UP_GROUP_STORE_H
#define UP_GROUP_STORE_H

/*
 * The reference check (ref_sql of a table line) of a field that names a
 * group: a group of the tenant, read with a shared lock, so that a DELETE of
 * the group waits for the write and then counts it (groups_handler.c).
 */
#define UP_GROUP_REF_SQL                                                                           \
	"SELECT id FROM user_groups WHERE tenant_id = ? AND group_key = ? LOCK IN SHARE MODE"

#endif
