/* SPDX-License-Identifier: ISC */
/*
 * admin_audit.c: `userpatch-admin audit prune (--before TIME | --older-than
 * DURATION) [--tenant NAME]`: delete the audit rows written before the cut.
 * Audit rows come one per write (never per position), so they stay orders
 * of magnitude fewer than positions: they go in chunks of AUDIT_CHUNK rows,
 * oldest first through ix_audit_created (schema/012_retention.sql), each
 * chunk its own short statement, instead of partitions, which would need
 * created_at in the primary key of a table every write appends to.
 */
#include <stdio.h>
#include <string.h>
#include "admin_common.h"

#define AUDIT_CHUNK 10000

static const char sql_prune[] = "DELETE FROM audit_log WHERE created_at < ? "
                                "AND (? IS NULL OR tenant_id = ?) ORDER BY created_at LIMIT ?";

int admin_audit(struct admin_env *env, int argc, char **argv)
{
	struct up_db_param p[4];
	struct up_db_info info;
	const char *tenant_name;
	char before[27];
	uint64_t tenant = 0, pruned = 0;
	enum up_err rc;
	int bad = 0;

	tenant_name = admin_opt(argc, argv, 2, "--tenant", &bad);
	if (argc < 2 || strcmp(argv[1], "prune") != 0 || bad ||
	    argc != 4 + (tenant_name != NULL ? 2 : 0)) {
		admin_err("usage: audit prune --before TIME | --older-than DURATION "
		          "[--tenant NAME]");
		return 2;
	}
	if (admin_cut(argc, argv, 2, before) != 0)
		return 2;
	if (tenant_name != NULL) {
		rc = admin_tenant_id(env->db, tenant_name, &tenant);
		if (rc != UP_OK) {
			admin_err(rc == UP_ERR_NOT_FOUND ? "no tenant '%s'"
			                                 : "cannot read tenant '%s'",
			          tenant_name);
			return 1;
		}
	}
	p[0] = UP_P_STR(before);
	p[1] = tenant_name != NULL ? UP_P_U64(tenant) : UP_P_NULL();
	p[2] = p[1];
	p[3] = UP_P_U64(AUDIT_CHUNK);
	do {
		rc = up_db_exec(env->db, sql_prune, p, 4, &info);
		if (rc != UP_OK) {
			admin_err("audit prune stopped after %llu rows: %s",
			          (unsigned long long)pruned, up_err_message(rc));
			return 1;
		}
		pruned += info.affected;
	} while (info.affected == AUDIT_CHUNK);
	printf("pruned %llu audit rows\n", (unsigned long long)pruned);
	return 0;
}
