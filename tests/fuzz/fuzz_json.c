/* SPDX-License-Identifier: ISC */
/*
 * fuzz_json.c: libFuzzer entry for the strict JSON reader and the writer.
 *
 * The first byte chooses the flags (bit 0: raw TAB/LF/CR in strings) and the
 * depth limit (bits 1-4); the rest is the text.  Checked on every input:
 * - up_json_validate_opts and up_json_parse_opts agree, and *where is inside
 *   the text;
 * - a valid text parses (cJSON never refuses what the validator accepted),
 *   and its printed form is again valid JSON, no deeper, that reads back
 *   and prints to the same text (the writer escapes everything the reader
 *   refuses, and numbers survive exactly);
 * - where no number needs more than cJSON's 15 digits, the text is byte for
 *   byte what cJSON_PrintUnformatted gives (up_json_print is our own writer);
 * - up_utf8_valid agrees with the validator on string contents it accepted,
 *   and up_utf8_prefix always ends on a boundary.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if some number under v is not an integer of at most 15 digits. */
static int long_numbers(const cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if (cJSON_IsNumber(v) &&
		    !(fabs(v->valuedouble) < 1e15 && v->valuedouble == floor(v->valuedouble)))
			return 1;
		if (long_numbers(v->child))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	size_t depth, len, where = (size_t)-1, where2 = (size_t)-1, cut;
	const char *text;
	enum up_err v, p;
	cJSON *tree = NULL, *again = NULL;
	char *printed = NULL;

	if (size < 1)
		return 0;
	flags = (data[0] & 1) ? UP_JSON_RAW_WS_IN_STRINGS : 0;
	depth = (size_t)((data[0] >> 1) & 0x0f) + 1;
	text = (const char *)data + 1;
	len = size - 1;

	v = up_json_validate_opts(text, len, depth, flags, &where);
	if (where > len)
		abort();
	p = up_json_parse_opts(text, len, depth, flags, &where2, &tree);
	if (p == UP_ERR_NOMEM)
		return 0;
	if (v != p || (v != UP_OK && where != where2))
		abort();
	if ((v == UP_OK) != (tree != NULL))
		abort();
	if (v != UP_OK && v != UP_ERR_BAD_JSON && v != UP_ERR_LIMIT)
		abort();
	if (tree != NULL) {
		/* Strict mode (no raw white space in strings) must accept what we print. */
		printed = up_json_print(tree);
		if (printed != NULL) {
			size_t plen = strlen(printed);

			if (up_json_validate(printed, plen, depth, NULL) != UP_OK)
				abort();
			/* Reading it back and printing again gives the same text
			 * (text, not cJSON_Compare: duplicate member names stay). */
			if (up_json_parse(printed, plen, depth, &again) == UP_OK) {
				char *twice = up_json_print(again);

				if (twice != NULL && strcmp(twice, printed) != 0)
					abort();
				cJSON_free(twice);
			}
			if (!up_utf8_valid(printed, plen))
				abort();
			if (!long_numbers(tree)) {
				char *theirs = cJSON_PrintUnformatted(tree);

				if (theirs != NULL && strcmp(theirs, printed) != 0)
					abort();
				cJSON_free(theirs);
			}
			if (up_json_depth(tree) > depth)
				abort();
		}
	}
	/* The prefix helper on arbitrary bytes (NUL-terminated copy). */
	{
		char *copy = malloc(len + 1);

		if (copy != NULL) {
			memcpy(copy, text, len);
			copy[len] = '\0';
			cut = up_utf8_prefix(copy, len / 2 + 1);
			if (cut > len / 2 + 1 || !up_utf8_valid(copy, cut))
				abort();
			up_utf8_trim(copy);
			if (!up_utf8_valid(copy, strlen(copy)))
				abort();
			free(copy);
		}
	}
	cJSON_free(printed);
	cJSON_Delete(again);
	up_json_wipe_delete(tree);
	return 0;
}
