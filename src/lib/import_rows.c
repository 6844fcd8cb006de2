/* SPDX-License-Identifier: ISC */
/* import_rows.c: NDJSON, CSV or a JSON array into rows (import_rows.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "import_rows.h"
#include "json.h"
#include "parse.h"

struct rows {
	struct up_import_row *v;
	size_t n, cap, max;
};

/* Add a row (doc taken over); UP_ERR_TOO_LARGE past max. */
static enum up_err add(struct rows *rs, size_t line, cJSON *doc, const char *problem)
{
	if (rs->n == rs->max) {
		cJSON_Delete(doc);
		return UP_ERR_TOO_LARGE;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap > 0 ? rs->cap * 2 : 64;
		struct up_import_row *v = realloc(rs->v, cap * sizeof(*v));

		if (v == NULL) {
			cJSON_Delete(doc);
			return UP_ERR_NOMEM;
		}
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n].line = line;
	rs->v[rs->n].doc = doc;
	rs->v[rs->n].problem = problem;
	rs->n++;
	return UP_OK;
}

static enum up_err ndjson(struct rows *rs, const char *p, const char *end, size_t depth)
{
	enum up_err rc = UP_OK;
	size_t line = 0;

	while (rc == UP_OK && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end, *s = p;
		cJSON *doc = NULL;

		line++;
		p = nl != NULL ? nl + 1 : end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == e)
			continue; /* an empty line */
		if (up_json_parse(s, (size_t)(e - s), depth, &doc) != UP_OK)
			rc = add(rs, line, NULL, "The line is not JSON");
		else if (!cJSON_IsObject(doc))
			rc = add(rs, line, (cJSON_Delete(doc), NULL),
			         "The line is not a JSON object");
		else
			rc = add(rs, line, doc, NULL);
	}
	return rc;
}

static enum up_err json_array(struct rows *rs, const char *p, size_t len, size_t depth,
                              struct up_error *err)
{
	cJSON *arr = NULL, *el;
	enum up_err rc = up_json_parse(p, len, depth, &arr);
	size_t i = 0;

	if (rc == UP_ERR_NOMEM)
		return rc;
	if (rc != UP_OK || !cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return up_error_set(err, rc == UP_ERR_LIMIT ? rc : UP_ERR_BAD_JSON,
		                    "The body must be a JSON array of objects");
	}
	while (rc == UP_OK && (el = cJSON_DetachItemFromArray(arr, 0)) != NULL) {
		i++;
		if (cJSON_IsObject(el))
			rc = add(rs, i, el, NULL);
		else
			rc = add(rs, i, (cJSON_Delete(el), NULL),
			         "The element is not a JSON object");
	}
	cJSON_Delete(arr);
	return rc;
}

/* A CSV cell as the JSON value of the field its column names (NULL: no value). */
static cJSON *cell_value(const struct up_resource *r, const char *name, const struct up_csv_cell *c,
                         size_t depth)
{
	int i = up_resource_field(r, name);
	const char *s = up_csv_unescape(c);
	enum up_ftype type = i >= 0 ? r->fields[i].type : UP_FT_STRING;
	cJSON *v = NULL;
	uint64_t num;

	if (c->len == 0 && !c->quoted)
		return NULL;
	if (type == UP_FT_BOOL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
		return cJSON_CreateBool(strcmp(s, "true") == 0);
	if (type == UP_FT_UINT && up_parse_u64(s, 0, UINT32_MAX, &num) == UP_OK)
		return cJSON_CreateNumber((double)num);
	if (type == UP_FT_JSON && c->len > 0 && up_json_parse(s, strlen(s), depth, &v) == UP_OK)
		return v;
	/* Anything else is a string, which the validation judges like any value. */
	return cJSON_CreateString(s);
}

static enum up_err csv_row(struct rows *rs, const struct up_resource *r,
                           const struct up_csv_record *head, const struct up_csv_record *rec,
                           size_t depth)
{
	cJSON *doc;
	size_t i;

	if (rec->ncells > head->ncells)
		return add(rs, rec->line, NULL, "The record has more cells than the header");
	doc = cJSON_CreateObject();
	if (doc == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < rec->ncells; i++) {
		cJSON *v = cell_value(r, head->cells[i].text, &rec->cells[i], depth);

		if (v != NULL)
			cJSON_AddItemToObject(doc, head->cells[i].text, v);
	}
	return add(rs, rec->line, doc, NULL);
}

static enum up_err csv(struct rows *rs, const struct up_resource *r, const char *p, size_t len,
                       size_t depth, struct up_error *e)
{
	struct up_csv c;
	struct up_csv_record head, rec;
	enum up_err rc = UP_OK;
	int got;

	up_csv_init(&c, p, len);
	got = up_csv_next(&c, &head);
	if (got <= 0) {
		up_csv_record_free(&head);
		return up_error_set(e, UP_ERR_BAD_REQUEST, "The CSV body needs a header row%s%s",
		                    got < 0 ? ": " : "", got < 0 ? c.problem : "");
	}
	while (rc == UP_OK && (got = up_csv_next(&c, &rec)) > 0) {
		rc = csv_row(rs, r, &head, &rec, depth);
		up_csv_record_free(&rec);
	}
	if (rc == UP_OK && got < 0)
		rc = up_error_set(e, UP_ERR_BAD_REQUEST,
		                  "The CSV body does not parse at line %zu: %s", c.line, c.problem);
	up_csv_record_free(&rec);
	up_csv_record_free(&head);
	return rc;
}

enum up_err up_import_rows(const struct up_resource *r, const char *ctype, const char *body,
                           size_t len, size_t max_rows, size_t max_depth,
                           struct up_import_row **rows, size_t *n, struct up_error *e)
{
	struct rows rs = {NULL, 0, 0, max_rows};
	enum up_err rc;

	*rows = NULL;
	*n = 0;
	if (body == NULL)
		body = "";
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
		body += 3;
		len -= 3;
	}
	if (ctype != NULL && strcmp(ctype, UP_NDJSON_TYPE) == 0)
		rc = ndjson(&rs, body, body + len, max_depth);
	else if (ctype != NULL && strcmp(ctype, UP_CSV_TYPE) == 0)
		rc = csv(&rs, r, body, len, max_depth, e);
	else if (ctype != NULL && strcmp(ctype, "application/json") == 0)
		rc = json_array(&rs, body, len, max_depth, e);
	else
		rc = up_error_set(e, UP_ERR_MEDIA_TYPE,
		                  "The body must be " UP_NDJSON_TYPE ", " UP_CSV_TYPE
		                  " or application/json (an array)");
	if (rc == UP_ERR_TOO_LARGE)
		up_error_set(e, rc, "More than %zu rows: split the import", max_rows);
	else if (rc == UP_ERR_NOMEM)
		up_error_set(e, rc, NULL);
	if (rc != UP_OK) {
		up_import_rows_free(rs.v, rs.n);
		return rc;
	}
	*rows = rs.v;
	*n = rs.n;
	return UP_OK;
}

void up_import_rows_free(struct up_import_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		up_json_wipe_delete(rows[i].doc); /* rows may hold passwords */
	free(rows);
}
