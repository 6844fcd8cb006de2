/* SPDX-License-Identifier: ISC */
/*
 * resource.h: a resource family is described once, as a table of fields
 * (JSON name, column, type, flags, limits, rule) plus a few facts about its
 * table (name, key, list filters).  Serialisation from a database row,
 * validation (resource_validate.c, with the validators of field_check.h) and
 * every SQL statement (resource_sql.c) come from that table; the generic
 * handlers and the write pipeline (family_read.c, family_write.c) read it
 * too.  A new family is a table, a migration and a small handler
 * (docs/hacking.md).
 */
#ifndef UP_RESOURCE_H
#define UP_RESOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "config.h"
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
	UP_FT_LIST,     /* VARCHAR of comma-separated words, a JSON array of strings */
};

#define UP_FF_READONLY 0x1    /* server-managed: writes are refused */
#define UP_FF_WRITEONLY 0x2   /* accepted on write, never serialised */
#define UP_FF_HIDDEN 0x4      /* a column of the table, not of this API's representation */
#define UP_FF_KEY 0x8         /* the public id: the {id} of the URL, the list's order */
#define UP_FF_CREATEONLY 0x10 /* given (required) on create, read-only afterwards */
#define UP_FF_REQUIRED 0x20   /* never absent nor null */
#define UP_FF_COMPUTED 0x40   /* column is an SQL expression over the row: read-only */
#define UP_FF_MODIFIED 0x80   /* the time of the last write (default: the column modified_at) */

/* At most this many fields in a table (checked at compile time by each table). */
#define UP_MAX_FIELDS 40

struct up_field;

/*
 * What a validator is given: the field, the name to use in details, the
 * identifier mode of the configuration, and where its verdict goes.  A
 * validator that fails adds one detail to err (up_check_fail) and returns
 * 0; a type validator that succeeds sets text to the value as it is bound
 * (owned by the caller, NULL for SQL NULL).  Every validator, type or rule,
 * has the one signature up_check_fn.
 */
struct up_check {
	const struct up_field *field; /* borrowed */
	const char *path;             /* name in details; NULL: field->name */
	enum up_device_mode mode;
	char *text;           /* out */
	struct up_error *err; /* borrowed */
};
typedef int (*up_check_fn)(struct up_check *c, const cJSON *v);

/* The validators themselves, every rule of every table: field_check.h (included here). */

struct up_field {
	const char *name;   /* JSON member name */
	const char *column; /* column of the table (UP_FF_COMPUTED: an SQL expression) */
	enum up_ftype type;
	unsigned flags;
	const char *prefix;      /* UP_FT_ID / UP_FT_REF: public id prefix */
	size_t min_len, max_len; /* strings: length in code points; JSON: entries (0 = no rule) */
	up_check_fn check;       /* rule beyond the type, or NULL */
	const char *unique_key;  /* unique index over (tenant_id, column), or NULL */
	const char *after;       /* datetime: must be later than this field, or NULL */
	const char *dflt;        /* JSON text of the value when absent/NULL; NULL means null */
	const char *ref_sql;     /* reference: "SELECT 1 ... WHERE tenant_id = ? AND x = ?" */
	const char *ref_noun;    /* "device": the reason "no such device" */
};

/* A list filter: ?param=value compares column with value (string, or true/false). */
struct up_filter {
	const char *param;
	const char *column;
	enum up_ftype type; /* UP_FT_STRING or UP_FT_BOOL */
	const char *value;  /* SQL the value is compared as, e.g. "LOWER(?)"; NULL: "?" */
	const char *index;  /* the index (tenant_id, column...) that serves it, or NULL */
};

#define UP_MAX_FILTERS 8

struct up_resource {
	const char *table;    /* SQL table */
	const char *noun;     /* "user": "User not found", "is not a field of a user" */
	const char *path;     /* collection path, e.g. "/api/users" (Location) */
	const char *list_key; /* member of the list body holding the items */
	const struct up_field *fields;
	size_t nfields;
	const struct up_filter *filters;
	size_t nfilters;
	/*
	 * The index (tenant_id, key) the unfiltered list walks, or NULL: without
	 * it the optimiser may walk the primary key from the cursor on and read
	 * other tenants' rows between the tenant's.
	 */
	const char *list_index;
};

/* The column a write of r sets to its time: the UP_FF_MODIFIED field's, else modified_at. */
const char *up_resource_modified(const struct up_resource *r);

/* Index of field `name` in r, or -1. */
int up_resource_field(const struct up_resource *r, const char *name);

/* The key field of r (the one with UP_FF_KEY). */
const struct up_field *up_resource_key(const struct up_resource *r);

/*
 * The key of one row, parsed from its public id: a number for an UP_FT_ID
 * key ("usr-42"), else the text itself (borrowed).
 */
struct up_key {
	uint64_t id;
	const char *text;
};

/* Parse s (borrowed) as a public id of r.  UP_ERR_NOT_FOUND when it cannot be one. */
enum up_err up_resource_parse_key(const struct up_resource *r, const char *s, struct up_key *k);

/* The public id of key k ("usr-42", "administrators") into buf. */
void up_resource_key_format(const struct up_resource *r, const struct up_key *k, char *buf,
                            size_t len);

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
 * object of the non-hidden, non-write-only fields.  Columns that are NULL
 * and have a default (tags, privileges) show the default.  *out owned by
 * the caller.
 */
enum up_err up_resource_to_json(const struct up_resource *r, const struct up_db_result *res,
                                size_t row, cJSON **out);

/* How up_datetime_render writes the fraction of a second. */
enum up_dt_precision {
	UP_DT_TRIMMED, /* up to 6 digits, trailing zeros dropped (none when all zero) */
	UP_DT_SECONDS, /* no fraction */
};

/*
 * The one datetime renderer: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC, as the
 * database gives it) to RFC 3339 "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" in buf.
 */
enum up_err up_datetime_render(const char *sql, enum up_dt_precision p, char *buf, size_t len);

/* up_datetime_render(sql, UP_DT_TRIMMED, ...). */
enum up_err up_datetime_to_rfc3339(const char *sql, char *buf, size_t len);

/*
 * A row to write: for each field of the table, whether a value is to be
 * written (set) and the value as bound text (NULL for SQL NULL).  Texts are
 * owned by the row; up_row_free() wipes and frees them.
 */
struct up_row {
	unsigned char set[UP_MAX_FIELDS];
	char *text[UP_MAX_FIELDS];
};

void up_row_free(struct up_row *row);

/* What is being validated: the mode decides read-only and default handling. */
enum up_vmode {
	UP_V_CREATE,  /* POST: there is no current row; read-only fields are refused */
	UP_V_REPLACE, /* PUT: read-only fields may be given if unchanged */
	UP_V_PATCH,   /* PATCH result: read-only fields must be kept unchanged */
};

/*
 * Validate one field's value v (borrowed; NULL means absent) by the type
 * and rule of line i of r.  Returns 1 with c->text set (may be NULL), or 0
 * with one detail added to c->err.  c->field is set here.
 */
int up_resource_check_value(const struct up_resource *r, size_t i, const cJSON *v,
                            struct up_check *c);

/*
 * Validate doc (borrowed), the complete new representation, against the
 * table; cur (borrowed) is the current representation, NULL for
 * UP_V_CREATE.  A writable field that doc lacks takes its default (null,
 * false, 0, {} or []), except write-only fields (the password): absent, the
 * stored value is kept.  Each broken rule is added to e's details.  row
 * (zeroed by the caller, freed by the caller with up_row_free in every case)
 * receives, for every writable field whose value differs from cur (every
 * field doc gives, for create), the value to write as bound text.  Returns
 * UP_OK (the verdict is whether e has details) or UP_ERR_NOMEM.
 */
enum up_err up_resource_validate(const struct up_resource *r, const cJSON *doc, const cJSON *cur,
                                 enum up_vmode mode, enum up_device_mode idmode, struct up_error *e,
                                 struct up_row *row);

/*
 * The nulls of a JSON Merge Patch (json_merge_patch.h, an up_merge_keep_null_fn
 * with arg the struct up_resource): 1 when a null given for member name sets
 * it to null, which the validation then judges (a nullable field becomes
 * null; a required, read-only, write-only or unknown one is refused); 0 for a
 * field with a default (tags, privileges, disabled, counts), which a null
 * removes, so that it takes its default, as a JSON Patch `remove` does.
 */
int up_resource_merge_keeps_null(const void *arg, const char *name);

/* Names of the set fields of row as a JSON array (owned by the caller); NULL on no memory. */
cJSON *up_row_names(const struct up_resource *r, const struct up_row *row, size_t *count);

/* ---- SQL (resource_sql.c).  Every statement filters by tenant; values are bound. ---- */

/*
 * Load the row of key k as its JSON representation (*out owned by the
 * caller) and its version.  for_update locks the row (inside a
 * transaction).  UP_ERR_NOT_FOUND when absent or of another tenant.
 */
enum up_err up_resource_load(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_key *k, int for_update, cJSON **out,
                             uint64_t *version);

/*
 * A row read with its lock for a write: the representation, its version,
 * the row as selected (kept so that the state after the write is known
 * without reading it back) and the server's UTC_TIMESTAMP(6) when the lock
 * was taken (the modification time the write records).  Owned;
 * up_current_free() releases it.
 */
struct up_current {
	cJSON *json;
	uint64_t version;
	struct up_db_result raw;
	char now[32];
};

/*
 * Lock and load row k of tenant (inside a transaction).  UP_ERR_NOT_FOUND
 * when absent.  The row also carries the stored secrets (up_current_secret).
 */
enum up_err up_resource_lock(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_key *k, struct up_current *cur);
void up_current_free(struct up_current *cur);

/*
 * The locked row's text of field i as the database gave it (borrowed from
 * cur; NULL for SQL NULL): of a readable field (hidden ones too), or with
 * up_current_secret, of a UP_FT_SECRET field (the stored hash), which is
 * never serialised.
 */
const char *up_current_cell(const struct up_resource *r, const struct up_current *cur, size_t i);
const char *up_current_secret(const struct up_resource *r, const struct up_current *cur, size_t i);

/*
 * The representation once row has been written over cur by
 * up_resource_update (set columns replaced, modified_at = cur->now) and its
 * version (cur's plus one), without asking the database.  Modifies
 * cur->raw; *out owned by the caller.
 */
enum up_err up_resource_after_write(const struct up_resource *r, struct up_current *cur,
                                    const struct up_row *row, cJSON **out, uint64_t *version);

/*
 * INSERT a row from row (set columns; the others take their defaults) in one
 * statement (INSERT ... RETURNING): *id is the new auto id (0 for a table
 * keyed by text), *out the representation (owned by the caller; computed
 * fields show their default) and *version its version.
 */
enum up_err up_resource_insert(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_row *row, uint64_t *id, cJSON **out,
                               uint64_t *version);

/*
 * Insert n validated rows (rows[i], borrowed) in one statement, in order:
 * ids[i] the auto id of each (0 for a family keyed by text), versions[i]
 * its version.  A duplicate key fails the whole statement (nothing is
 * inserted): UP_ERR_CONFLICT, as up_resource_insert.
 */
enum up_err up_resource_insert_many(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                    const struct up_row *const *rows, size_t n, uint64_t *ids,
                                    uint64_t *versions);

/*
 * UPDATE the set columns of row k (only those), bump version and set
 * modified_at to now (borrowed; up_current.now; NULL: the server's clock,
 * for a row written without being locked first).  Nothing set: nothing
 * happens.  UP_ERR_NOT_FOUND if the row is gone; UP_ERR_CONFLICT on a
 * duplicate unique value.
 */
enum up_err up_resource_update(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_key *k, const struct up_row *row, const char *now);

/*
 * The same UPDATE of a row this transaction holds locked (now: its
 * up_current.now), kept for the COMMIT (up_db_exec_at_commit): the row
 * cannot be gone, and a duplicate unique value is the transaction's failure
 * (UP_ERR_CONFLICT from up_db_transaction; up_resource_dup_key names it).
 */
enum up_err up_resource_update_at_commit(struct up_db *db, const struct up_resource *r,
                                         uint64_t tenant, const struct up_key *k,
                                         const struct up_row *row, const char *now);

/* DELETE row k of tenant; UP_ERR_NOT_FOUND if no such row. */
enum up_err up_resource_delete(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               const struct up_key *k);

/*
 * Checks that need the database, for the fields of row that are set:
 * references naming a row of the tenant.  Unique fields are not looked up:
 * the unique index answers with a duplicate key at the write, which
 * up_resource_dup_key() turns into the same details.  Each failure is a
 * detail of e; returns UP_OK unless a query failed.
 */
enum up_err up_resource_check_db(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                 const struct up_row *row, struct up_error *e);

/*
 * The unique lookup of field i of a table keyed by UP_FT_ID: *id of the row
 * of tenant whose column equals value (borrowed), locked when lock (which
 * also locks the gap where an absent value would go); 0 when there is none.
 */
enum up_err up_resource_lookup(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                               size_t i, const char *value, int lock, uint64_t *id);

/*
 * The same, for a row other than the one keyed other: *id of the first row
 * (by key) of tenant, other than other, whose column i equals value.
 */
enum up_err up_resource_lookup_other(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                     size_t i, const char *value, uint64_t other, int lock,
                                     uint64_t *id);

/*
 * After UP_ERR_CONFLICT from a write: when the duplicate key is the
 * unique_key of a field, make the details say so and return
 * UP_ERR_VALIDATION (422), or UP_ERR_CONFLICT (409, with a sentence) when
 * that field is the key (POST of an id that exists); else UP_ERR_CONFLICT.
 */
enum up_err up_resource_dup_key(struct up_db *db, const struct up_resource *r, struct up_error *e);

/* Filters and paging of a list; value[i] NULL means "any" for filter i. */
struct up_list_query {
	const char *value[UP_MAX_FILTERS]; /* borrowed; bool filters: "1" or "0" */
	const char *after; /* cursor: only keys above this one, NULL: from the start */
	uint64_t after_id; /* the same for an UP_FT_ID key */
	uint64_t limit;
	uint64_t offset;
	int count_exact; /* 1: also count every match (O(matches), asked for) */
};

/*
 * The rows of tenant matching q, ordered by key: *items a JSON array (owned
 * by the caller), *total the count of all matches (ignoring the cursor,
 * limit, offset) when q->count_exact, else 0, *more 1 if rows follow the
 * page.  Without count_exact a page reads only its own rows (limit + 1
 * entries of an index, plus offset).
 */
enum up_err up_resource_list(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                             const struct up_list_query *q, cJSON **items, uint64_t *total,
                             int *more);

/*
 * The SQL text of the list page (count 0) or of its count (count 1) for the
 * filters that q gives (its values only tell which are given), as
 * up_resource_list runs it: for tests that EXPLAIN each shape.  Borrowed,
 * lives as long as the process; NULL when it cannot be built.
 */
const char *up_resource_list_sql(const struct up_resource *r, const struct up_list_query *q,
                                 int count);

#endif
