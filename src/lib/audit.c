/* SPDX-License-Identifier: ISC */
/* audit.c: audit rows. */
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "json.h"
#include "strbuf.h"

static const char sql_audit[] =
        "INSERT INTO audit_log (tenant_id, token_id, user_id, request_id, action, changed_fields) "
        "VALUES (?, ?, ?, ?, ?, ?)";

static const char sql_audit_resource[] =
        "INSERT INTO audit_log (tenant_id, token_id, resource, resource_key, request_id, action, "
        "changed_fields) VALUES (?, ?, ?, ?, ?, ?, ?)";

/*
 * Run sql, whose parameters are the tenant, the token (NULL when 0), the
 * nwhat values of what (borrowed, at most 2), the request id, the action and
 * fields as JSON text.
 */
static enum up_err insert(struct up_db *db, const char *sql, uint64_t tenant_id, uint64_t token_id,
                          const struct up_db_param *what, size_t nwhat, const char *request_id,
                          const char *action, const cJSON *fields)
{
	struct up_db_param p[7];
	enum up_err rc;
	size_t i, n = 0;
	char *text;

	if (nwhat > 2)
		return UP_ERR_INTERNAL;
	text = up_json_print(fields);
	if (text == NULL)
		return UP_ERR_NOMEM;
	p[n++] = UP_P_U64(tenant_id);
	p[n++] = token_id != 0 ? UP_P_U64(token_id) : UP_P_NULL();
	for (i = 0; i < nwhat; i++)
		p[n++] = what[i];
	p[n++] = UP_P_STR(request_id != NULL ? request_id : "");
	p[n++] = UP_P_STR(action);
	p[n++] = UP_P_STR(text);
	rc = up_db_exec(db, sql, p, n, NULL);
	free(text);
	return rc;
}

enum up_err up_audit_write(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                           uint64_t user_id, const char *request_id, const char *action,
                           const cJSON *fields)
{
	struct up_db_param user = user_id != 0 ? UP_P_U64(user_id) : UP_P_NULL();

	return insert(db, sql_audit, tenant_id, token_id, &user, 1, request_id, action, fields);
}

enum up_err up_audit_write_resource(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                    const char *resource, const char *key, const char *request_id,
                                    const char *action, const cJSON *fields)
{
	struct up_db_param what[2] = {UP_P_STR(resource), UP_P_STR(key)};

	return insert(db, sql_audit_resource, tenant_id, token_id, what, 2, request_id, action,
	              fields);
}

static enum up_err many_params(struct up_db_param *p, char **texts, uint64_t tenant_id,
                               uint64_t token_id, const char *resource, const char *request_id,
                               const char *action, const struct up_audit_row *rows, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		texts[i] = up_json_print(rows[i].fields);
		if (texts[i] == NULL)
			return UP_ERR_NOMEM;
		p[k++] = UP_P_U64(tenant_id);
		p[k++] = token_id != 0 ? UP_P_U64(token_id) : UP_P_NULL();
		if (resource == NULL) {
			p[k++] = rows[i].user_id != 0 ? UP_P_U64(rows[i].user_id) : UP_P_NULL();
		} else {
			p[k++] = UP_P_STR(resource);
			p[k++] = UP_P_STR(rows[i].key);
		}
		p[k++] = UP_P_STR(request_id != NULL ? request_id : "");
		p[k++] = UP_P_STR(action);
		p[k++] = UP_P_STR(texts[i]);
	}
	return UP_OK;
}

enum up_err up_audit_write_many(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                const char *resource, const char *request_id, const char *action,
                                const struct up_audit_row *rows, size_t n)
{
	size_t width = resource == NULL ? 6 : 7, i;
	struct up_db_param *p = NULL;
	char **texts = NULL, *sql = NULL;
	enum up_err rc = UP_ERR_NOMEM;

	if (n == 0)
		return UP_OK;
	if (n > UP_DB_MAX_PARAMS / width)
		return UP_ERR_INTERNAL;
	sql = resource == NULL
	              ? up_sql_rows("INSERT INTO audit_log (tenant_id, token_id, user_id, "
	                            "request_id, action, changed_fields) VALUES ",
	                            "(?, ?, ?, ?, ?, ?)", n, "")
	              : up_sql_rows("INSERT INTO audit_log (tenant_id, token_id, resource, "
	                            "resource_key, request_id, action, changed_fields) VALUES ",
	                            "(?, ?, ?, ?, ?, ?, ?)", n, "");
	p = calloc(n * width, sizeof(*p));
	texts = calloc(n, sizeof(*texts));
	if (sql == NULL || p == NULL || texts == NULL)
		goto out;
	rc = many_params(p, texts, tenant_id, token_id, resource, request_id, action, rows, n);
	if (rc == UP_OK)
		rc = up_db_exec(db, sql, p, n * width, NULL);
out:
	for (i = 0; texts != NULL && i < n; i++)
		free(texts[i]);
	free(texts);
	free(p);
	free(sql);
	return rc;
}
