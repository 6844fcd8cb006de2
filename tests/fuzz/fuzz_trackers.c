/* SPDX-License-Identifier: ISC */
/*
 * fuzz_trackers.c: libFuzzer entry for the tracker apps' protocols
 * (src/endpoints/tracker_*.c): the OsmAnd query/form decoder and the
 * OsmAnd JSON, OwnTracks and Overland decoders.
 *
 * The first byte chooses the decoder (modulo 4); the rest is the input: for
 * OsmAnd query/form, a query string and a form body separated by the first
 * newline; for the others JSON text (strict reader, depth 32), and for
 * OwnTracks an X-Limit-D value before a first newline.  Checked on every
 * input:
 * - a decoder returns OK, a 400 (bad request, bad data), a validation
 *   error with at least one detail, or out of memory, and nothing else;
 * - on OK the device is "" or 1-64 of [A-Za-z0-9._:-], and the positions
 *   are 1 to 1,000 objects (or none: an OwnTracks message not a location)
 *   that the position checks take or refuse with details, never otherwise;
 * - every detail has a field and a non-empty reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "field_check.h"
#include "json.h"
#include "position.h"
#include "tracker_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-01-01T00:00:00Z: a fixed "now" so that runs repeat. */
#define NOW ((time_t)1767225600)

static void check_details(const struct up_error *e)
{
	const cJSON *d;

	if (up_error_ndetails(e) == 0)
		abort();
	cJSON_ArrayForEach(d, e->details)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "field");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "reason");

		if (!cJSON_IsString(f) || !cJSON_IsString(r) || r->valuestring[0] == '\0')
			abort();
	}
}

static void check_report(const struct up_track_report *r)
{
	struct up_position *p = NULL;
	struct up_error e = {0};
	size_t n = 0, len = strlen(r->device);
	int count;
	enum up_err rc;

	if (len > 64 || strspn(r->device, UP_UNIQUE_ID_CHARS) != len)
		abort();
	if (r->positions == NULL)
		return;
	count = cJSON_GetArraySize(r->positions);
	if (count < 1 || count > UP_POS_MAX_BATCH)
		abort();
	rc = up_positions_check(r->positions, NOW, 300, &p, &n, &e);
	if (rc == UP_OK && n != (size_t)count)
		abort();
	if (rc == UP_ERR_VALIDATION)
		check_details(&e);
	else if (rc != UP_OK && rc != UP_ERR_NOMEM)
		abort();
	up_positions_free(p, n);
	up_error_reset(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct up_track_report r;
	struct up_error e = {0};
	char *text, *nl, *body;
	cJSON *doc = NULL;
	enum up_err rc = UP_OK;
	int which;

	if (size < 1)
		return 0;
	which = data[0] % 4;
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(&r, 0, sizeof(r));
	nl = strchr(text, '\n');
	if (nl != NULL && (which == 0 || which == 2))
		*nl = '\0';
	body = nl != NULL && (which == 0 || which == 2) ? nl + 1 : text;
	if (which == 0) {
		rc = up_tracker_osmand_form(text, nl != NULL ? body : NULL, NOW, &r, &e);
	} else if (which == 3) {
		if (up_json_validate(body, strlen(body), 32, NULL) == UP_OK)
			rc = up_tracker_overland_text(body, strlen(body), NOW, &r, &e);
	} else if (up_json_parse(body, strlen(body), 32, &doc) == UP_OK) {
		rc = which == 1 ? up_tracker_osmand_json(doc, NOW, &r, &e)
		                : up_tracker_owntracks(doc, nl != NULL ? text : NULL, NOW, &r, &e);
	}
	if (rc == UP_OK)
		check_report(&r);
	else if (rc == UP_ERR_VALIDATION)
		check_details(&e);
	else if (rc != UP_ERR_BAD_REQUEST && rc != UP_ERR_BAD_DATA && rc != UP_ERR_NOMEM)
		abort();
	up_track_report_free(&r);
	up_error_reset(&e);
	cJSON_Delete(doc);
	free(text);
	return 0;
}
