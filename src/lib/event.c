/* SPDX-License-Identifier: ISC */
/*
 * event.c: the change feed.  Writers append (one INSERT, seq NULL); readers
 * order what has committed (seq) under the tenant's event_seq row, then
 * read by seq.  Why this never skips a committed event: docs/hacking.md,
 * "The change feed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_rows.h"
#include "event.h"
#include "json.h"
#include "parse.h"
#include "resource.h"
#include "strbuf.h"

static const char sql_append[] =
        "INSERT INTO events (tenant_id, type, resource_id, version, changed_fields, request_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";

/* Makes the row and locks it (an existing row is locked by the no-op update). */
static const char sql_seq_lock[] = "INSERT INTO event_seq (tenant_id, last_seq) VALUES (?, 0) "
                                   "ON DUPLICATE KEY UPDATE last_seq = last_seq";
static const char sql_seq_read[] = "SELECT last_seq FROM event_seq WHERE tenant_id = ?";
/* A plain read (READ COMMITTED): the committed rows only, never waiting for a writer. */
static const char sql_unordered[] = "SELECT id FROM events WHERE tenant_id = ? AND seq IS NULL "
                                    "ORDER BY id LIMIT 1000";
static const char sql_set_seq[] = "UPDATE events SET seq = ? WHERE id = ? AND seq IS NULL";
static const char sql_seq_write[] = "UPDATE event_seq SET last_seq = ? WHERE tenant_id = ?";

static const char sql_page[] =
        "SELECT seq, type, resource_id, version, changed_fields, created_at, request_id "
        "FROM events WHERE tenant_id = ? AND seq > ? AND (? = '' OR FIND_IN_SET(type, ?) > 0 "
        "OR FIND_IN_SET(CONCAT(SUBSTRING_INDEX(type, '.', 1), '.*'), ?) > 0) "
        "ORDER BY seq LIMIT ?";

/* Kept: what an enabled webhook has not yet taken (unordered, or after its cursor) or still sends.
 */
static const char sql_prune[] =
        "DELETE FROM events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM webhooks w "
        "WHERE w.tenant_id = events.tenant_id AND w.enabled = 1 AND (events.seq IS NULL "
        "OR events.seq > w.cursor_seq)) AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d "
        "WHERE d.event_id = events.id AND d.state = 'pending') ORDER BY id LIMIT ?";

/* The types an event can have; "noun.*" stands for every type of the noun. */
static const char *const known_types[] = {
        "user.created",
        "user.updated",
        "user.deleted",
        "group.created",
        "group.updated",
        "group.deleted",
        "device.created",
        "device.updated",
        "device.deleted",
        "alert.created",
        NULL,
};

enum up_err up_event_append(struct up_db *db, uint64_t tenant_id, const char *type,
                            const char *resource_id, uint64_t version, const cJSON *fields,
                            const char *request_id)
{
	struct up_db_param p[6];
	char *text = NULL;
	enum up_err rc;

	if (fields != NULL && (text = up_json_print(fields)) == NULL)
		return UP_ERR_NOMEM;
	p[0] = UP_P_U64(tenant_id);
	p[1] = UP_P_STR(type);
	p[2] = UP_P_STR(resource_id);
	p[3] = UP_P_U64(version);
	p[4] = UP_P_STR_OR_NULL(text);
	p[5] = UP_P_STR(request_id != NULL ? request_id : "");
	/* In a transaction it is sent with the COMMIT. */
	rc = up_db_exec_at_commit(db, sql_append, p, 6);
	free(text);
	return rc;
}

enum up_err up_event_append_noun(struct up_db *db, uint64_t tenant_id, const char *noun,
                                 const char *what, const char *resource_id, uint64_t version,
                                 const cJSON *fields, const char *request_id)
{
	char type[40];
	int n = snprintf(type, sizeof(type), "%s.%s", noun, what);

	if (n < 0 || (size_t)n >= sizeof(type))
		return UP_ERR_INTERNAL;
	return up_event_append(db, tenant_id, type, resource_id, version, fields, request_id);
}

enum up_err up_event_append_many(struct up_db *db, uint64_t tenant_id, const char *noun,
                                 const char *what, const struct up_event_row *rows, size_t n,
                                 const char *request_id)
{
	struct up_db_param *p = NULL;
	char type[40], *sql = NULL;
	int len = snprintf(type, sizeof(type), "%s.%s", noun, what);
	enum up_err rc = UP_ERR_NOMEM;
	size_t i, k = 0;

	if (n == 0)
		return UP_OK;
	if (len < 0 || (size_t)len >= sizeof(type) || n > UP_DB_MAX_PARAMS / 5)
		return UP_ERR_INTERNAL;
	sql = up_sql_rows(
	        "INSERT INTO events (tenant_id, type, resource_id, version, changed_fields, "
	        "request_id, created_at) VALUES ",
	        "(?, ?, ?, ?, NULL, ?, UTC_TIMESTAMP(6))", n, "");
	p = calloc(n * 5, sizeof(*p));
	if (sql == NULL || p == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		p[k++] = UP_P_U64(tenant_id);
		p[k++] = UP_P_STR(type);
		p[k++] = UP_P_STR(rows[i].resource_id);
		p[k++] = UP_P_U64(rows[i].version);
		p[k++] = UP_P_STR(request_id != NULL ? request_id : "");
	}
	rc = up_db_exec(db, sql, p, k, NULL);
out:
	free(p);
	free(sql);
	return rc;
}

static enum up_err order_txn(struct up_db *db, void *arg)
{
	const uint64_t tenant = *(const uint64_t *)arg;
	struct up_db_param p[2] = {UP_P_U64(tenant)};
	struct up_db_result res = {0};
	uint64_t last = 0, id;
	enum up_err rc;
	size_t i;

	rc = up_db_exec(db, sql_seq_lock, p, 1, NULL);
	if (rc == UP_OK)
		rc = up_db_count(db, sql_seq_read, p, 1, &last);
	/* Read after the lock: every order handed out before is committed and seen. */
	if (rc == UP_OK)
		rc = up_db_query(db, sql_unordered, p, 1, &res);
	if (rc != UP_OK)
		return rc;
	for (i = 0; i < res.nrows && rc == UP_OK; i++) {
		rc = up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &id);
		p[0] = UP_P_U64(last + 1);
		p[1] = UP_P_U64(id);
		if (rc == UP_OK)
			rc = up_db_exec(db, sql_set_seq, p, 2, NULL);
		if (rc == UP_OK)
			last++;
	}
	if (rc == UP_OK && res.nrows > 0) {
		p[0] = UP_P_U64(last);
		p[1] = UP_P_U64(tenant);
		rc = up_db_exec(db, sql_seq_write, p, 2, NULL);
	}
	up_db_result_free(&res);
	return rc;
}

enum up_err up_event_order(struct up_db *db, uint64_t tenant_id)
{
	return up_db_transaction(db, order_txn, &tenant_id);
}

/* One row of sql_page as the feed's JSON. */
static enum up_err event_json(const struct up_db_result *res, size_t row, void *ctx, cJSON **out)
{
	const char *fields = up_db_cell(res, row, 4), *v;
	cJSON *o = cJSON_CreateObject(), *names = NULL;
	uint64_t n;
	char when[64];

	(void)ctx;
	*out = NULL;
	if (o == NULL)
		return UP_ERR_NOMEM;
	if (up_parse_u64(up_db_cell(res, row, 0), 1, UINT64_MAX, &n) != UP_OK ||
	    up_datetime_to_rfc3339(up_db_cell(res, row, 5), when, sizeof(when)) != UP_OK)
		goto internal;
	cJSON_AddNumberToObject(o, "id", (double)n);
	cJSON_AddStringToObject(o, "type", up_db_cell(res, row, 1));
	cJSON_AddStringToObject(o, "resourceId", up_db_cell(res, row, 2));
	v = up_db_cell(res, row, 3);
	if (v == NULL || up_parse_u64(v, 0, UINT64_MAX, &n) != UP_OK)
		goto internal;
	cJSON_AddNumberToObject(o, "version", (double)n);
	if (fields != NULL) {
		names = cJSON_Parse(fields);
		if (!cJSON_IsArray(names))
			goto internal;
		cJSON_AddItemToObject(o, "changedFields", names);
		names = NULL;
	}
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "requestId", up_db_cell(res, row, 6));
	*out = o;
	return UP_OK;
internal:
	cJSON_Delete(names);
	cJSON_Delete(o);
	return UP_ERR_INTERNAL;
}

enum up_err up_event_page(struct up_db *db, uint64_t tenant_id, uint64_t after, const char *types,
                          uint64_t limit, cJSON **items, uint64_t *last)
{
	const char *t = types != NULL ? types : "";
	struct up_db_param p[6] = {UP_P_U64(tenant_id), UP_P_U64(after), UP_P_STR(t),
	                           UP_P_STR(t),         UP_P_STR(t),     UP_P_U64(limit)};
	struct up_db_result res = {0};
	enum up_err rc;

	*items = NULL;
	*last = after;
	if (limit < 1 || limit > UP_EVENT_PAGE_MAX)
		return UP_ERR_INTERNAL;
	rc = up_db_query(db, sql_page, p, 6, &res);
	if (rc == UP_OK)
		rc = up_db_rows_json(&res, res.nrows, event_json, NULL, items);
	if (rc == UP_OK && res.nrows > 0)
		rc = up_parse_u64(up_db_cell(&res, res.nrows - 1, 0), 1, UINT64_MAX, last);
	up_db_result_free(&res);
	if (rc != UP_OK) {
		cJSON_Delete(*items);
		*items = NULL;
	}
	return rc;
}

/* 1 if the n bytes at s are a known type, or "noun.*" of a known noun. */
static int type_known(const char *s, size_t n)
{
	size_t i;

	for (i = 0; known_types[i] != NULL; i++) {
		const char *k = known_types[i];
		size_t noun = (size_t)(strchr(k, '.') - k);

		if (strlen(k) == n && memcmp(k, s, n) == 0)
			return 1;
		if (n == noun + 2 && memcmp(k, s, noun + 1) == 0 && s[noun + 1] == '*')
			return 1;
	}
	return 0;
}

int up_event_types_valid(const char *text)
{
	const char *s = text, *comma;

	if (text == NULL || text[0] == '\0')
		return 1;
	for (;;) {
		comma = strchr(s, ',');
		if (!type_known(s, comma != NULL ? (size_t)(comma - s) : strlen(s)))
			return 0;
		if (comma == NULL)
			return 1;
		s = comma + 1;
	}
}

enum up_err up_event_prune(struct up_db *db, const char *before, uint64_t batch, uint64_t *deleted)
{
	struct up_db_param p[2] = {UP_P_STR(before), UP_P_U64(batch)};
	struct up_db_info info;
	enum up_err rc;

	*deleted = 0;
	do {
		rc = up_db_exec(db, sql_prune, p, 2, &info);
		if (rc == UP_OK)
			*deleted += info.affected;
	} while (rc == UP_OK && info.affected == batch && batch > 0);
	return rc;
}
