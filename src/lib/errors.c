/* SPDX-License-Identifier: ISC */
/* errors.c: the one place where library errors become HTTP statuses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "errors.h"
#include "utf8.h"

struct err_info {
	int status;
	const char *code;
	const char *message;
};

static const struct err_info err_table[UP_ERR__MAX] = {
        [UP_OK] = {200, "ok", "OK"},
        [UP_ERR_NOMEM] = {500, "internal_error", "Out of memory"},
        [UP_ERR_INTERNAL] = {500, "internal_error", "Internal error"},
        [UP_ERR_IO] = {500, "internal_error", "Input/output error"},
        [UP_ERR_CONFIG] = {500, "internal_error", "Server misconfigured"},
        [UP_ERR_BAD_REQUEST] = {400, "bad_request", "Malformed request"},
        [UP_ERR_BAD_JSON] = {400, "invalid_json", "Body is not valid JSON"},
        [UP_ERR_BAD_DATA] = {400, "invalid_data", "The data parameter is not a JSON object"},
        [UP_ERR_MISSING_KEY] = {400, "missing_key", "No identifying key given"},
        [UP_ERR_PATCH_MALFORMED] = {400, "patch_malformed", "Invalid patch document"},
        [UP_ERR_POINTER_MALFORMED] = {400, "pointer_malformed", "Malformed JSON Pointer"},
        [UP_ERR_PATH_NOT_FOUND] = {409, "path_not_found", "Patch path does not exist"},
        [UP_ERR_TEST_FAILED] = {409, "test_failed", "Patch test operation failed"},
        [UP_ERR_INDEX_RANGE] = {409, "index_out_of_range", "Array index out of range"},
        [UP_ERR_MOVE_INTO_CHILD] = {409, "move_into_child",
                                    "Cannot move a value into its own child"},
        [UP_ERR_LIMIT] = {413, "limit_exceeded", "A request limit was exceeded"},
        [UP_ERR_UNAUTHORIZED] = {401, "invalid_token", "Missing or invalid bearer token"},
        [UP_ERR_FORBIDDEN] = {403, "insufficient_scope", "Token lacks the required scope"},
        [UP_ERR_NOT_FOUND] = {404, "not_found", "Not found"},
        [UP_ERR_METHOD] = {405, "method_not_allowed", "Method not allowed"},
        [UP_ERR_CONFLICT] = {409, "conflict", "Conflict with the current state"},
        [UP_ERR_GROUP_IN_USE] = {409, "group_in_use", "The group still has users"},
        [UP_ERR_STALE_VERSION] = {409, "stale_version", "The version given is stale"},
        [UP_ERR_PRECONDITION] = {412, "precondition_failed", "If-Match does not match"},
        [UP_ERR_TOO_LARGE] = {413, "payload_too_large", "Request body too large"},
        [UP_ERR_MEDIA_TYPE] = {415, "unsupported_media_type", "Unsupported Content-Type"},
        [UP_ERR_VALIDATION] = {422, "validation_failed", "Validation failed"},
        [UP_ERR_QUOTA] = {429, "quota_exceeded", "Daily quota used up"},
        [UP_ERR_DB] = {500, "internal_error", "Database error"},
        [UP_ERR_DB_RETRY] = {503, "service_unavailable", "Database busy, try again"},
        [UP_ERR_DB_UNAVAILABLE] = {503, "service_unavailable", "Database unavailable"},
        [UP_ERR_NO_LOCATION] = {404, "no_location", "The device has reported no position yet"},
        [UP_ERR_OFFSET_RANGE] = {400, "offset_too_large",
                                 "offset is past the paging window: page with cursor"},
        [UP_ERR_DEVICE_NOT_FOUND] = {404, "device_not_found",
                                     "No device of the tenant has this uniqueId or IMEI"},
        [UP_ERR_WRONG_DEVICE] = {403, "wrong_device", "The token reports for another device only"},
        [UP_ERR_DEVICE_IN_USE] = {409, "device_in_use",
                                  "A token is bound to the device: revoke it first"},
};

static const struct err_info *lookup(enum up_err err)
{
	if ((unsigned)err >= UP_ERR__MAX)
		err = UP_ERR_INTERNAL;
	return &err_table[err];
}

int up_err_status(enum up_err err)
{
	return lookup(err)->status;
}

const char *up_err_code(enum up_err err)
{
	return lookup(err)->code;
}

const char *up_err_message(enum up_err err)
{
	return lookup(err)->message;
}

void up_error_reset(struct up_error *e)
{
	cJSON_Delete(e->details);
	memset(e, 0, sizeof(*e));
}

enum up_err up_error_set(struct up_error *e, enum up_err code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof(e->message), fmt, ap);
		va_end(ap);
		up_utf8_trim(e->message);
	}
	return code;
}

/* 1 when e lists no more details: the next problem is only counted. */
static int full(struct up_error *e)
{
	if (up_error_ndetails(e) - e->more < UP_ERROR_MAX_DETAILS)
		return 0;
	e->more++;
	return 1;
}

cJSON *up_error_add(struct up_error *e, cJSON *detail)
{
	if (detail == NULL) {
		e->more++; /* its own allocation failed: still a problem, counted */
		return NULL;
	}
	if (full(e))
		goto drop;
	if ((e->details == NULL && (e->details = cJSON_CreateArray()) == NULL) ||
	    !cJSON_AddItemToArray(e->details, detail)) {
		e->more++; /* out of memory: still a problem, counted */
		goto drop;
	}
	return detail;
drop:
	cJSON_Delete(detail);
	return NULL;
}

/* The detail {"index"?, "field", "reason"}; index < 0 leaves "index" out. */
static cJSON *detail_v(struct up_error *e, long index, const char *field, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));
static cJSON *detail_v(struct up_error *e, long index, const char *field, const char *fmt,
                       va_list ap)
{
	char reason[256];
	cJSON *o;

	if (full(e))
		return NULL;
	vsnprintf(reason, sizeof(reason), fmt, ap);
	up_utf8_trim(reason);
	o = cJSON_CreateObject();
	if (o == NULL ||
	    (index >= 0 && cJSON_AddNumberToObject(o, "index", (double)index) == NULL) ||
	    cJSON_AddStringToObject(o, "field", field) == NULL ||
	    cJSON_AddStringToObject(o, "reason", reason) == NULL ||
	    (e->details == NULL && (e->details = cJSON_CreateArray()) == NULL) ||
	    !cJSON_AddItemToArray(e->details, o)) {
		cJSON_Delete(o);
		e->more++; /* out of memory: still a problem, counted */
		return NULL;
	}
	return o;
}

cJSON *up_error_detail(struct up_error *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	o = detail_v(e, -1, field, fmt, ap);
	va_end(ap);
	return o;
}

cJSON *up_error_detail_at(struct up_error *e, long index, const char *field, const char *fmt, ...)
{
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	o = detail_v(e, index, field, fmt, ap);
	va_end(ap);
	return o;
}

size_t up_error_ndetails(const struct up_error *e)
{
	return (e->details != NULL ? (size_t)cJSON_GetArraySize(e->details) : 0) + e->more;
}
