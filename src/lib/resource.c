/* resource.c: field tables to SQL column lists and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "parse.h"
#include "resource.h"

static int readable(const struct up_field *f)
{
	return f->type != UP_FT_SECRET;
}

enum up_err up_resource_columns(const struct up_resource *r, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nfields; i++) {
		int n;

		if (!readable(&r->fields[i]))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
		             r->fields[i].column);
		if (n < 0 || (size_t)n >= len - used)
			return UP_ERR_INTERNAL;
		used += (size_t)n;
	}
	return UP_OK;
}

int up_resource_read_index(const struct up_resource *r, size_t i)
{
	size_t k;
	int idx = 0;

	if (i >= r->nfields || !readable(&r->fields[i]))
		return -1;
	for (k = 0; k < i; k++)
		if (readable(&r->fields[k]))
			idx++;
	return idx;
}

enum up_err up_datetime_to_rfc3339(const char *sql, char *buf, size_t len)
{
	size_t n = strlen(sql), frac_end;

	/* "YYYY-MM-DD HH:MM:SS" then optional ".ffffff" */
	if (n < 19 || sql[10] != ' ')
		return UP_ERR_INTERNAL;
	frac_end = n;
	if (n > 20 && sql[19] == '.') {
		/* Drop trailing zeros of the fraction, and the fraction if all zero. */
		while (frac_end > 20 && sql[frac_end - 1] == '0')
			frac_end--;
		if (frac_end == 20)
			frac_end = 19;
	} else {
		frac_end = 19;
	}
	if (frac_end + 2 > len)
		return UP_ERR_INTERNAL;
	memcpy(buf, sql, frac_end);
	buf[10] = 'T';
	buf[frac_end] = 'Z';
	buf[frac_end + 1] = '\0';
	return UP_OK;
}

/* One field's JSON value from its cell; NULL return only on allocation failure. */
static cJSON *field_value(const struct up_field *f, const char *cell, enum up_err *rc)
{
	char buf[64];
	uint64_t n;

	*rc = UP_OK;
	if (cell == NULL)
		return cJSON_CreateNull();
	switch (f->type) {
	case UP_FT_ID:
	case UP_FT_REF:
		snprintf(buf, sizeof(buf), "%s%s", f->prefix != NULL ? f->prefix : "", cell);
		return cJSON_CreateString(buf);
	case UP_FT_STRING:
		return cJSON_CreateString(cell);
	case UP_FT_BOOL:
		return cJSON_CreateBool(strcmp(cell, "0") != 0);
	case UP_FT_UINT:
		if (up_parse_u64(cell, 0, UINT32_MAX, &n) != UP_OK) {
			*rc = UP_ERR_INTERNAL;
			return NULL;
		}
		return cJSON_CreateNumber((double)n);
	case UP_FT_DATETIME:
		if (up_datetime_to_rfc3339(cell, buf, sizeof(buf)) != UP_OK) {
			*rc = UP_ERR_INTERNAL;
			return NULL;
		}
		return cJSON_CreateString(buf);
	case UP_FT_JSON: {
		cJSON *v = NULL;

		*rc = up_json_parse(cell, strlen(cell), 64, &v);
		return v;
	}
	case UP_FT_SECRET:
		break;
	}
	*rc = UP_ERR_INTERNAL;
	return NULL;
}

enum up_err up_resource_to_json(const struct up_resource *r, const struct up_db_result *res,
                                size_t row, cJSON **out)
{
	cJSON *o = cJSON_CreateObject();
	enum up_err rc = UP_OK;
	size_t i;

	*out = NULL;
	if (o == NULL)
		return UP_ERR_NOMEM;
	for (i = 0; i < r->nfields; i++) {
		const struct up_field *f = &r->fields[i];
		int idx = up_resource_read_index(r, i);
		cJSON *v;

		if (idx < 0 || (f->flags & (UP_FF_WRITEONLY | UP_FF_HIDDEN)))
			continue;
		v = field_value(f, up_db_cell(res, row, (size_t)idx), &rc);
		if (v == NULL) {
			if (rc == UP_OK)
				rc = UP_ERR_NOMEM;
			goto out;
		}
		cJSON_AddItemToObject(o, f->name, v);
	}
	*out = o;
	o = NULL;
out:
	cJSON_Delete(o);
	return rc;
}
