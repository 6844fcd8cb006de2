/* SPDX-License-Identifier: ISC */
/*
 * fuzz_json_patch.c: libFuzzer entry for the JSON Patch engine.
 *
 * The input is "DOCUMENT\nPATCH": split at the first newline (no newline:
 * the whole input is the patch, applied to {}).  Both halves are parsed with
 * cJSON; the patch is checked and applied with small limits through both
 * entry points (up_patch_apply_to, which never touches the document, and
 * up_patch_apply, which replaces it), and the results must agree.  A failed
 * apply must leave the document unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *parse(const uint8_t *p, size_t n)
{
	char *buf = malloc(n + 1);
	cJSON *v;

	if (!buf)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	v = cJSON_ParseWithLength(buf, n);
	free(buf);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct up_json_limits lim = {64, 256, 16, 4096};
	const uint8_t *nl = memchr(data, '\n', size);
	struct up_patch_error e1, e2;
	cJSON *doc, *copy, *patch, *out = NULL;
	char *before = NULL, *after = NULL;
	enum up_err r1, r2, rc;

	if (nl) {
		doc = parse(data, (size_t)(nl - data));
		patch = parse(nl + 1, size - (size_t)(nl - data) - 1);
	} else {
		doc = cJSON_CreateObject();
		patch = parse(data, size);
	}
	if (!doc || !patch)
		goto out;
	copy = cJSON_Duplicate(doc, 1);
	before = cJSON_PrintUnformatted(doc);
	if (!copy || !before) {
		cJSON_Delete(copy);
		goto out;
	}
	rc = up_patch_check(patch, &lim, &e1);
	r1 = up_patch_apply_to(doc, patch, &lim, &out, &e1);
	after = cJSON_PrintUnformatted(doc);
	if (after && strcmp(before, after) != 0)
		abort(); /* the document given was touched */
	if ((out != NULL) != (r1 == UP_OK))
		abort();
	r2 = up_patch_apply(&copy, patch, &lim, &e2);
	if (r1 != r2 || e1.op_index != e2.op_index)
		abort();
	if (rc != UP_OK && rc != r1)
		abort();
	if (r1 == UP_OK && !up_json_equal(out, copy))
		abort();
	if (r1 != UP_OK) {
		cJSON_free(after);
		after = cJSON_PrintUnformatted(copy);
		if (after && strcmp(before, after) != 0)
			abort();
	}
	cJSON_Delete(out);
	(void)up_json_equal(doc, patch);
	cJSON_Delete(copy);
out:
	cJSON_free(before);
	cJSON_free(after);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	return 0;
}
