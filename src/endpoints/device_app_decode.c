/* SPDX-License-Identifier: ISC */
/*
 * device_app_decode.c: the body of POST /api/v1/device_app_user_update/ to
 * the `data` object: the JSON envelope ({"data": "<text>"} or {"data":
 * {...}}) and the form encoding (data=<percent-encoded text>).  Everything
 * that held the body's text on the way (envelope tree, decoded form value)
 * is wiped before it is freed: it may carry a password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "device_app.h"
#include "json.h"

#define CT_JSON "application/json"
#define CT_FORM "application/x-www-form-urlencoded"

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsString(v))
		return "a string";
	return "an object";
}

/* The object held by the text of `data` (len bytes). *out owned by the caller. */
static enum up_err parse_data_text(const char *text, size_t len, size_t max_depth, cJSON **out,
                                   struct up_error *e)
{
	size_t where = 0;
	enum up_err rc = up_json_parse_opts(text, len, max_depth, 0, &where, out);

	if (rc == UP_ERR_LIMIT)
		return up_error_set(e, UP_ERR_LIMIT, "data is nested deeper than %zu levels",
		                    max_depth);
	if (rc == UP_ERR_BAD_JSON)
		return up_error_set(e, UP_ERR_BAD_DATA,
		                    "data is not valid JSON (error at byte %zu of data)", where);
	if (rc != UP_OK)
		return up_error_set(e, rc, "data could not be parsed");
	if (!cJSON_IsObject(*out)) {
		up_error_set(e, UP_ERR_BAD_DATA, "data must hold a JSON object, not %s",
		             json_type_name(*out));
		up_json_wipe_delete(*out);
		*out = NULL;
	}
	return e->code;
}

/* {"data": "<json object text>"} or {"data": {...}}. */
static enum up_err decode_json(const struct up_request *req, size_t max_depth, cJSON **out,
                               struct up_error *e)
{
	cJSON *body = NULL, *m, *data = NULL;
	size_t where = 0;
	enum up_err rc;

	*out = NULL;
	if (req->body == NULL || req->body_len == 0)
		return up_error_set(e, UP_ERR_BAD_DATA, "The body is empty: data is missing");
	/* The documented example prints the data string across lines: raw line
	 * breaks and tabs inside the envelope's strings are accepted. */
	rc = up_json_parse_opts(req->body, req->body_len, max_depth, UP_JSON_RAW_WS_IN_STRINGS,
	                        &where, &body);
	if (rc == UP_ERR_LIMIT)
		return up_error_set(e, rc, "The body is nested deeper than %zu levels", max_depth);
	if (rc == UP_ERR_BAD_JSON)
		return up_error_set(e, UP_ERR_BAD_JSON,
		                    "The body is not valid JSON (error at byte %zu)", where);
	if (rc != UP_OK)
		return up_error_set(e, rc, "The body could not be parsed");
	if (!cJSON_IsObject(body)) {
		up_error_set(e, UP_ERR_BAD_DATA,
		             "The body must be a JSON object with a data member, not %s",
		             json_type_name(body));
		goto out;
	}
	cJSON_ArrayForEach(m, body)
	{
		if (strcmp(m->string, "data") != 0) {
			up_error_set(e, UP_ERR_BAD_DATA,
			             "Unexpected member \"%.*s\": the body carries only data",
			             UP_UTF8_CUT(m->string, 40));
			goto out;
		}
		if (data != NULL) {
			up_error_set(e, UP_ERR_BAD_DATA, "data is given more than once");
			goto out;
		}
		data = m;
	}
	if (data == NULL) {
		up_error_set(e, UP_ERR_BAD_DATA, "data is missing");
	} else if (cJSON_IsString(data)) {
		parse_data_text(data->valuestring, strlen(data->valuestring), max_depth, out, e);
	} else if (cJSON_IsObject(data)) {
		*out = cJSON_DetachItemViaPointer(body, data);
	} else {
		up_error_set(e, UP_ERR_BAD_DATA,
		             "data must be a JSON string holding an object (or an object), not %s",
		             json_type_name(data));
	}
out:
	up_json_wipe_delete(body); /* the envelope may hold the password */
	return e->code;
}

/* data=<percent-encoded json object text>, and nothing else. */
static enum up_err decode_form(const struct up_request *req, size_t max_depth, cJSON **out,
                               struct up_error *e)
{
	const char *p = req->body != NULL ? req->body : "";
	size_t count = 0;
	char *value = NULL;
	enum up_err rc;

	*out = NULL;
	if (req->body != NULL && strlen(req->body) != req->body_len)
		return up_error_set(e, UP_ERR_BAD_REQUEST, "The body contains a NUL byte");
	while (*p != '\0') {
		size_t len = strcspn(p, "&"), klen = strcspn(p, "=&");

		if (len > 0) {
			if (klen != 4 || strncmp(p, "data", 4) != 0)
				return up_error_set(
				        e, UP_ERR_BAD_DATA,
				        "Unexpected parameter \"%.*s\": the body carries only "
				        "data",
				        UP_UTF8_CUT(p, klen > 40 ? 40 : klen));
			count++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (count == 0)
		return up_error_set(e, UP_ERR_BAD_DATA, "data is missing");
	if (count > 1)
		return up_error_set(e, UP_ERR_BAD_DATA, "data is given more than once");
	rc = up_query_get(req->body, "data", &value);
	if (rc == UP_ERR_NOMEM)
		return up_error_set(e, rc, "out of memory");
	if (rc != UP_OK || value == NULL)
		return up_error_set(e, UP_ERR_BAD_DATA, "data is not valid percent-encoding");
	parse_data_text(value, strlen(value), max_depth, out, e);
	sodium_memzero(value, strlen(value)); /* the decoded text may hold the password */
	free(value);
	return e->code;
}

enum up_err da_decode(const struct up_request *req, size_t max_depth, cJSON **out, char *msg,
                      size_t msglen)
{
	struct up_error e = {0};
	enum up_err rc;

	*out = NULL;
	if (req->content_type == NULL ||
	    (strcmp(req->content_type, CT_JSON) != 0 && strcmp(req->content_type, CT_FORM) != 0))
		up_error_set(&e, UP_ERR_MEDIA_TYPE, "Content-Type must be " CT_JSON " or " CT_FORM);
	else if (strcmp(req->content_type, CT_JSON) == 0)
		decode_json(req, max_depth, out, &e);
	else
		decode_form(req, max_depth, out, &e);
	rc = e.code;
	if (rc != UP_OK)
		snprintf(msg, msglen, "%s", e.message);
	up_error_reset(&e);
	return rc;
}
