/* SPDX-License-Identifier: ISC */
/*
 * errors.h: the one error enum of the userpatch library and its mapping to
 * HTTP.  Every fallible library function returns an enum up_err; the HTTP
 * status, the machine code and a default sentence are looked up here and
 * nowhere else.
 */
#ifndef UP_ERRORS_H
#define UP_ERRORS_H

#include <stddef.h>
#include <cjson/cJSON.h>

enum up_err {
	UP_OK = 0,                /* success */
	UP_ERR_NOMEM,             /* allocation failed (500) */
	UP_ERR_INTERNAL,          /* unexpected state, a bug (500) */
	UP_ERR_IO,                /* reading input or a file failed (500) */
	UP_ERR_CONFIG,            /* bad configuration (500 at run time) */
	UP_ERR_BAD_REQUEST,       /* malformed request line or parameter (400) */
	UP_ERR_BAD_JSON,          /* body is not valid JSON or not UTF-8 (400) */
	UP_ERR_BAD_DATA,          /* `data` missing, wrong type or not an object (400) */
	UP_ERR_MISSING_KEY,       /* no identifying key given (400) */
	UP_ERR_PATCH_MALFORMED,   /* JSON Patch document malformed (400) */
	UP_ERR_POINTER_MALFORMED, /* JSON Pointer syntax error (400) */
	UP_ERR_PATH_NOT_FOUND,    /* patch target path does not exist (409) */
	UP_ERR_TEST_FAILED,       /* a JSON Patch `test` op failed (409) */
	UP_ERR_INDEX_RANGE,       /* array index out of range or invalid (409) */
	UP_ERR_MOVE_INTO_CHILD,   /* `move` into one of its own children (409) */
	UP_ERR_LIMIT,             /* ops, pointer length or depth limit exceeded (413) */
	UP_ERR_UNAUTHORIZED,      /* token missing, malformed, unknown, revoked (401) */
	UP_ERR_FORBIDDEN,         /* token lacks the scope (403) */
	UP_ERR_NOT_FOUND,         /* resource absent or of another tenant (404) */
	UP_ERR_METHOD,            /* method not allowed (405) */
	UP_ERR_CONFLICT,          /* identifier or uniqueness conflict (409) */
	UP_ERR_GROUP_IN_USE,      /* a group that users still name cannot go (409) */
	UP_ERR_STALE_VERSION,     /* client version is stale (409) */
	UP_ERR_PRECONDITION,      /* If-Match does not match (412) */
	UP_ERR_TOO_LARGE,         /* body larger than the configured cap (413) */
	UP_ERR_MEDIA_TYPE,        /* unsupported Content-Type (415) */
	UP_ERR_VALIDATION,        /* a field rule is broken (422) */
	UP_ERR_QUOTA,             /* daily quota used up (429) */
	UP_ERR_DB,                /* database error that is not an outage (500) */
	UP_ERR_DB_RETRY,          /* deadlock or lock wait: retry the transaction */
	UP_ERR_DB_UNAVAILABLE,    /* database unreachable (503) */
	UP_ERR_NO_LOCATION,       /* the device has no position yet (404) */
	UP_ERR_OFFSET_RANGE,      /* list offset past the window: page with cursor (400) */
	UP_ERR_DEVICE_NOT_FOUND,  /* a tracker names no device of the tenant (404) */
	UP_ERR_WRONG_DEVICE,      /* a token bound to one device reports for another (403) */
	UP_ERR_DEVICE_IN_USE,     /* a device an unrevoked token is bound to cannot go (409) */
	UP_ERR__MAX
};

/* HTTP status for an error (UP_OK gives 200). */
int up_err_status(enum up_err err);

/* Stable machine code, e.g. "patch_malformed". Static storage. */
const char *up_err_code(enum up_err err);

/* Default human sentence. Static storage. */
const char *up_err_message(enum up_err err);

/* The most details an error lists; the problems past them are only counted (more). */
#define UP_ERROR_MAX_DETAILS 16

/*
 * The one error payload: every layer fills it, and it is the only way an
 * error leaves a handler (up_ctx_fail answers with it).  The error, a
 * sentence ("" = the default one of the enum) and the details, an array of
 * {"field", "reason", ...} objects (NULL = none) holding at most
 * UP_ERROR_MAX_DETAILS of them; the problems found past that are counted in
 * `more` (the answer's "moreDetails").  Zero-initialise it (or
 * up_error_reset); the payload owns details.
 */
struct up_error {
	enum up_err code;
	char message[256];
	cJSON *details;
	size_t more;
};

/* Forget everything (details freed); e is then as zero-initialised. */
void up_error_reset(struct up_error *e);

/* Set code and, when fmt is not NULL, the sentence; details are kept.  Returns code. */
enum up_err up_error_set(struct up_error *e, enum up_err code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * Append {"field": field, "reason": <formatted>} to e->details (made on
 * first use); a reason longer than 255 bytes is cut on a UTF-8 character
 * boundary.  Returns the new object (owned by e), so a caller may add
 * members, or NULL when the details are full or memory ran out (the
 * problem is then only counted, in e->more: up_error_ndetails() sees it).
 */
cJSON *up_error_detail(struct up_error *e, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * As up_error_detail for element index (>= 0) of a batch:
 * {"index": index, "field": field, "reason": <formatted>}.
 */
cJSON *up_error_detail_at(struct up_error *e, long index, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Append detail, an object of another shape made by the caller (a patch
 * error's {"op", "path", "reason"}), to e->details; taken over.  Returns
 * it, or NULL (detail freed) when the details are full or memory ran out
 * (counted in e->more), as is a NULL detail (its own allocation failed).
 */
cJSON *up_error_add(struct up_error *e, cJSON *detail);

/* Number of problems so far: the details listed and those only counted. */
size_t up_error_ndetails(const struct up_error *e);

#endif
