/*
 * resource.h: a resource is described once, as a table of fields (JSON
 * name, column, type, flags, limits).  Serialisation from a database row,
 * validation, read-only checks and the UPDATE column lists all come from
 * that table.
 */
#ifndef UP_RESOURCE_H
#define UP_RESOURCE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "errors.h"

enum up_ftype {
	UP_FT_ID,       /* BIGINT id shown as "<prefix><n>" */
	UP_FT_STRING,   /* VARCHAR, JSON string (null when NULL) */
	UP_FT_BOOL,     /* TINYINT(1), JSON boolean */
	UP_FT_UINT,     /* INT UNSIGNED, JSON integer */
	UP_FT_DATETIME, /* DATETIME(6) UTC, RFC 3339 string (null when NULL) */
	UP_FT_JSON,     /* TEXT holding JSON (object or array), emitted as JSON */
	UP_FT_REF,      /* BIGINT id of another resource, "<prefix><n>" or null */
	UP_FT_SECRET,   /* never read back (password hash) */
};

#define UP_FF_READONLY 0x1  /* server-managed: writes are refused */
#define UP_FF_WRITEONLY 0x2 /* accepted on write, never serialised */
#define UP_FF_HIDDEN 0x4    /* not part of the JSON representation */

struct up_field {
	const char *name;   /* JSON member name */
	const char *column; /* column of the table */
	enum up_ftype type;
	unsigned flags;
	const char *prefix;      /* UP_FT_ID / UP_FT_REF: public id prefix */
	size_t min_len, max_len; /* strings: length in code points (0 = no rule) */
};

struct up_resource {
	const char *table;
	const struct up_field *fields;
	size_t nfields;
};

/*
 * The column list "col1, col2, ..." of the readable fields (not SECRET, in
 * table order) into buf; the position of field i in a row is given by
 * up_resource_read_index().  Returns UP_ERR_INTERNAL if buf is too small.
 */
enum up_err up_resource_columns(const struct up_resource *r, char *buf, size_t len);

/* The row position of field i in a SELECT built from up_resource_columns(), or -1. */
int up_resource_read_index(const struct up_resource *r, size_t i);

/*
 * Convert row `row` of res (selected with up_resource_columns) into a JSON
 * object of the non-hidden, non-write-only fields.  *out owned by the caller.
 */
enum up_err up_resource_to_json(const struct up_resource *r, const struct up_db_result *res,
                                size_t row, cJSON **out);

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) to RFC 3339 "YYYY-MM-DDTHH:MM:SS[.ffffff]Z". */
enum up_err up_datetime_to_rfc3339(const char *sql, char *buf, size_t len);

#endif
