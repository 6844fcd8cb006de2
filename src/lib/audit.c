/* SPDX-License-Identifier: ISC */
/* audit.c: audit rows. */
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "json.h"
#include "strbuf.h"

/* Both forms carry the event's columns (NULL when no event rides). */
static const char sql_audit[] =
        "INSERT INTO audit_log (tenant_id, token_id, user_id, resource_key, request_id, action, "
        "changed_fields, event_type, event_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char sql_audit_resource[] =
        "INSERT INTO audit_log (tenant_id, token_id, resource, resource_key, request_id, action, "
        "changed_fields, event_type, event_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/*
 * Run sql, whose parameters are the tenant, the token (NULL when 0), the
 * two values of what (borrowed), the request id, the action, fields as JSON
 * text and the event's type and version (NULL without ev).
 */
static enum up_err insert(struct up_db *db, const char *sql, uint64_t tenant_id, uint64_t token_id,
                          const struct up_db_param what[2], const char *request_id,
                          const char *action, const cJSON *fields, const struct up_audit_event *ev)
{
	struct up_db_param p[9];
	enum up_err rc;
	char *text = up_json_print(fields);

	if (text == NULL)
		return UP_ERR_NOMEM;
	p[0] = UP_P_U64(tenant_id);
	p[1] = token_id != 0 ? UP_P_U64(token_id) : UP_P_NULL();
	p[2] = what[0];
	p[3] = what[1];
	p[4] = UP_P_STR(request_id != NULL ? request_id : "");
	p[5] = UP_P_STR(action);
	p[6] = UP_P_STR(text);
	p[7] = ev != NULL ? UP_P_STR(ev->type) : UP_P_NULL();
	p[8] = ev != NULL ? UP_P_U64(ev->version) : UP_P_NULL();
	/* Sent with the COMMIT (or its answer read with the next statement's). */
	rc = up_db_exec_at_commit(db, sql, p, 9);
	free(text);
	return rc;
}

enum up_err up_audit_write(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                           uint64_t user_id, const char *request_id, const char *action,
                           const cJSON *fields, const struct up_audit_event *ev)
{
	struct up_db_param what[2] = {
	        user_id != 0 ? UP_P_U64(user_id) : UP_P_NULL(),
	        ev != NULL ? UP_P_STR(ev->resource_id) : UP_P_NULL(),
	};

	return insert(db, sql_audit, tenant_id, token_id, what, request_id, action, fields, ev);
}

enum up_err up_audit_write_resource(struct up_db *db, uint64_t tenant_id, uint64_t token_id,
                                    const char *resource, const char *key, const char *request_id,
                                    const char *action, const cJSON *fields,
                                    const struct up_audit_event *ev)
{
	struct up_db_param what[2] = {UP_P_STR(resource), UP_P_STR(key)};

	return insert(db, sql_audit_resource, tenant_id, token_id, what, request_id, action, fields,
	              ev);
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
