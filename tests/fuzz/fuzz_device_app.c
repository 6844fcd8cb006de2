/* SPDX-License-Identifier: ISC */
/*
 * fuzz_device_app.c: libFuzzer entry for the device-app decoder: the body
 * (JSON envelope with `data` as a string or an object, or form encoding)
 * to the `data` object, then the field table's validation of it.
 *
 * Byte 0: bit 0 chooses the content type (JSON or form), bit 1 the device
 * validation mode, bit 2 a wrong content type; the rest is the body.
 * Checked: an error has a sentence that is valid UTF-8 and no object; a
 * success gives an object, which da_input_parse turns into UP_OK,
 * UP_ERR_MISSING_KEY or UP_ERR_VALIDATION with 1 to UP_ERROR_MAX_DETAILS
 * details listed (the rest counted) whose fields and reasons are valid UTF-8; accepted texts
 * respect their length limits; and everything is freed (wiped).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "device_app.h"
#include "json.h"
#include "user_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int utf8_text(const char *s)
{
	return s != NULL && up_utf8_valid(s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct up_request req;
	struct da_input in;
	enum up_device_mode mode;
	char msg[160] = "", *body;
	struct up_error e = {0};
	cJSON *obj = NULL;
	enum up_err rc;
	int fid;

	if (size < 1)
		return 0;
	body = malloc(size);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	memset(&req, 0, sizeof(req));
	req.content_type = (char *)((data[0] & 4)   ? "text/plain"
	                            : (data[0] & 1) ? "application/x-www-form-urlencoded"
	                                            : "application/json");
	req.body = size > 1 ? body : NULL;
	req.body_len = size - 1;
	mode = (data[0] & 2) ? UP_DEVICE_STRICT : UP_DEVICE_FORMAT;

	rc = da_decode(&req, 16, &obj, msg, sizeof(msg));
	if (rc != UP_OK) {
		if (obj != NULL || msg[0] == '\0' || !utf8_text(msg))
			abort();
		goto out;
	}
	if (!cJSON_IsObject(obj))
		abort();
	rc = da_input_parse(obj, mode, &in, &e);
	if (rc == UP_ERR_VALIDATION) {
		const cJSON *d;
		int n = cJSON_GetArraySize(e.details);

		if (n < 1 || n > UP_ERROR_MAX_DETAILS || up_error_ndetails(&e) < (size_t)n)
			abort();
		cJSON_ArrayForEach(d, e.details)
		{
			if (!utf8_text(cJSON_GetStringValue(cJSON_GetObjectItem(d, "field"))) ||
			    !utf8_text(cJSON_GetStringValue(cJSON_GetObjectItem(d, "reason"))))
				abort();
		}
	} else if (rc == UP_OK) {
		if (up_error_ndetails(&e) != 0)
			abort();
		for (fid = 0; fid < DA__MAX; fid++) {
			const struct da_field *f = &da_fields[fid];
			size_t n, lo = f->min_len, hi = f->max_len;

			if (f->kind != DA_K_TEXT || !in.present[fid])
				continue;
			if (in.text[fid] == NULL)
				abort();
			if (hi == 0) {
				/* 0: the limits of the users or devices line the field views */
				const struct up_field *u;

				if (da_line(fid) < 0)
					abort();
				u = &da_resource(fid)->fields[da_line(fid)];
				lo = u->min_len;
				hi = u->max_len;
			}
			n = up_utf8_length(in.text[fid]);
			if (hi > 0 && (n < lo || n > hi))
				abort();
		}
		if (in.present[DA_PREFERENCES] &&
		    (in.prefs == NULL || cJSON_GetArraySize(in.prefs) > DA_PREFS_MAX_KEYS))
			abort();
	} else if (rc != UP_ERR_MISSING_KEY) {
		abort();
	}
	da_input_free(&in);
	up_error_reset(&e);
out:
	up_json_wipe_delete(obj);
	free(body);
	return 0;
}
