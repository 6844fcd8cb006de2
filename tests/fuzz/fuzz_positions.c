/* SPDX-License-Identifier: ISC */
/*
 * fuzz_positions.c: libFuzzer entry for what trackers send: the checks of
 * a POST .../locations body (one position or a batch) and of an alert.
 *
 * The input is JSON text (read by the strict reader, depth 32).  Checked on
 * every input:
 * - the checks return OK, a validation error with at least one detail, the
 *   not-a-body error, or out of memory, and nothing else; a refused batch
 *   returns no positions;
 * - every accepted position is inside the ranges of its rules (latitude,
 *   longitude, course < 360...), its fix time is an SQL date-time, and
 *   its JSON form reads back through the same check to the same values
 *   (what is stored reads back as it was accepted);
 * - every detail has a field and a non-empty reason, and an index that
 *   names an element of the batch.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "position.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-01-01T00:00:00Z: a fixed "now" so that runs repeat. */
#define NOW ((time_t)1767225600)
/* The default max_future_fix. */
#define MAX_AHEAD 300UL

static void check_details(const cJSON *details, int batch_len)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, details)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "field");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "reason");
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(d, "index");

		if (!cJSON_IsString(f) || !cJSON_IsString(r) || r->valuestring[0] == '\0')
			abort();
		if (i != NULL &&
		    (!cJSON_IsNumber(i) || i->valueint < 0 || i->valueint >= batch_len))
			abort();
	}
}

static void check_position(const struct up_position *p)
{
	struct up_position again;
	struct up_error err = {0};
	cJSON *json = NULL;
	size_t k;

	for (k = 0; k < UP_POS__NUM; k++) {
		const struct up_pos_num_rule *r = &up_pos_num_rules[k];

		if (r->required && !p->has[k])
			abort();
		if (p->has[k] && (!isfinite(p->num[k]) || p->num[k] < r->min ||
		                  p->num[k] > r->max || (r->max_open && p->num[k] >= r->max)))
			abort();
	}
	if (strlen(p->time) != 26 || p->time[10] != ' ' || p->time[19] != '.')
		abort();
	if (up_position_to_json(p, &json) != UP_OK)
		return; /* out of memory */
	if (up_position_check(json, NOW, MAX_AHEAD, -1, "", &again, &err) != UP_OK)
		abort();
	if (strcmp(again.time, p->time) != 0 || memcmp(again.has, p->has, sizeof(p->has)) != 0)
		abort();
	for (k = 0; k < UP_POS__NUM; k++)
		if (p->has[k] && again.num[k] != p->num[k])
			abort();
	if ((p->attributes == NULL) != (again.attributes == NULL) ||
	    (p->attributes != NULL && strcmp(p->attributes, again.attributes) != 0))
		abort();
	up_position_free(&again);
	cJSON_Delete(json);
	up_error_reset(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct up_position *p = NULL;
	struct up_alert a;
	struct up_error err = {0};
	cJSON *doc = NULL;
	size_t n = 0, i;
	enum up_err rc;
	int batch_len;

	if (up_json_parse((const char *)data, size, 32, &doc) != UP_OK)
		return 0;
	batch_len = cJSON_IsArray(doc) ? cJSON_GetArraySize(doc) : 1;
	rc = up_positions_check(doc, NOW, MAX_AHEAD, &p, &n, &err);
	if (rc == UP_OK) {
		if (n == 0 || n > UP_POS_MAX_BATCH || up_error_ndetails(&err) != 0)
			abort();
		for (i = 0; i < n; i++)
			check_position(&p[i]);
	} else if (rc == UP_ERR_VALIDATION) {
		if (p != NULL || n != 0 || up_error_ndetails(&err) == 0 ||
		    cJSON_GetArraySize(err.details) > UP_ERROR_MAX_DETAILS)
			abort();
	} else if (rc != UP_ERR_BAD_DATA && rc != UP_ERR_NOMEM) {
		abort();
	}
	check_details(err.details, batch_len);
	up_positions_free(p, n);
	up_error_reset(&err);
	rc = up_alert_check(doc, NOW, MAX_AHEAD, &a, &err);
	if (rc == UP_OK) {
		if (a.type == NULL)
			abort();
		if (a.has_position)
			check_position(&a.position);
	} else if (rc == UP_ERR_VALIDATION) {
		if (up_error_ndetails(&err) == 0)
			abort();
	} else if (rc != UP_ERR_BAD_DATA && rc != UP_ERR_NOMEM) {
		abort();
	}
	check_details(err.details, 1);
	up_alert_free(&a);
	up_error_reset(&err);
	cJSON_Delete(doc);
	return 0;
}
