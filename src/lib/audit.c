/* audit.c: audit rows. */
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "json.h"

static const char sql_audit[] =
        "INSERT INTO audit_log (tenant_id, token_id, user_id, request_id, action, changed_fields) "
        "VALUES (?, ?, ?, ?, ?, ?)";

enum up_err up_audit_write(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                           uint64_t user_id, const char *request_id, const char *action,
                           const cJSON *fields)
{
	struct up_db_param p[6];
	enum up_err rc;
	char *text = up_json_print(fields);

	if (text == NULL)
		return UP_ERR_NOMEM;
	p[0] = UP_P_U64(tenant_id);
	p[1] = token_id != 0 ? UP_P_U64(token_id) : UP_P_NULL();
	p[2] = user_id != 0 ? UP_P_U64(user_id) : UP_P_NULL();
	p[3] = UP_P_STR(request_id != NULL ? request_id : "");
	p[4] = UP_P_STR(action);
	p[5] = UP_P_STR(text);
	rc = up_db_exec(db, sql_audit, p, 6, NULL);
	free(text);
	return rc;
}

static const char sql_audit_resource[] =
        "INSERT INTO audit_log (tenant_id, token_id, resource, resource_key, request_id, action, "
        "changed_fields) VALUES (?, ?, ?, ?, ?, ?, ?)";

enum up_err up_audit_write_resource(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                    const char *resource, const char *key, const char *request_id,
                                    const char *action, const cJSON *fields)
{
	struct up_db_param p[7];
	enum up_err rc;
	char *text = up_json_print(fields);

	if (text == NULL)
		return UP_ERR_NOMEM;
	p[0] = UP_P_U64(tenant_id);
	p[1] = token_id != 0 ? UP_P_U64(token_id) : UP_P_NULL();
	p[2] = UP_P_STR(resource);
	p[3] = UP_P_STR(key);
	p[4] = UP_P_STR(request_id != NULL ? request_id : "");
	p[5] = UP_P_STR(action);
	p[6] = UP_P_STR(text);
	rc = up_db_exec(db, sql_audit_resource, p, 7, NULL);
	free(text);
	return rc;
}
