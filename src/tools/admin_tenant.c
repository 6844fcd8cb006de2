/* SPDX-License-Identifier: ISC */
/* admin_tenant.c: `userpatch-admin tenant add|list`. */
#include <stdio.h>
#include <string.h>
#include "admin_common.h"

static const char sql_add[] = "INSERT INTO tenants (name) VALUES (?)";
static const char sql_list[] = "SELECT id, name FROM tenants ORDER BY id";

int admin_tenant_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int admin_tenant(struct admin_env *env, int argc, char **argv)
{
	struct up_db_result res;
	enum up_err rc;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "add") == 0) {
		struct up_db_param p[1] = {UP_P_STR(argv[2])};
		struct up_db_info info;

		if (!admin_tenant_name_valid(argv[2])) {
			admin_err("tenant names are 1-64 characters of A-Z a-z 0-9 . _ -");
			return 2;
		}
		rc = up_db_exec(env->db, sql_add, p, 1, &info);
		if (rc == UP_ERR_CONFLICT) {
			admin_err("tenant '%s' exists", argv[2]);
			return 1;
		}
		if (rc != UP_OK) {
			admin_err("cannot add tenant: %s", up_err_message(rc));
			return 1;
		}
		printf("%llu\t%s\n", (unsigned long long)info.insert_id, argv[2]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		rc = up_db_query(env->db, sql_list, NULL, 0, &res);
		if (rc != UP_OK) {
			admin_err("cannot list tenants: %s", up_err_message(rc));
			return 1;
		}
		for (i = 0; i < res.nrows; i++)
			printf("%s\t%s\n", up_db_cell(&res, i, 0), up_db_cell(&res, i, 1));
		up_db_result_free(&res);
		return 0;
	}
	admin_err("usage: tenant add NAME | tenant list");
	return 2;
}
