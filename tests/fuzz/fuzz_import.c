/* SPDX-License-Identifier: ISC */
/*
 * fuzz_import.c: libFuzzer entry for the import body readers (CSV and
 * NDJSON, import_rows.c over csv.c).
 *
 * The first byte picks the form (even: CSV, odd: NDJSON), the rest is the
 * body.  Checked: the reader never crashes nor leaks; every row it keeps
 * is an object or has a problem sentence; lines never go backwards and
 * never exceed the number of line breaks plus one; and every cell the CSV
 * writer makes of a row's string reads back as that string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "import_rows.h"
#include "user_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A string written as a CSV cell reads back unchanged. */
static void round_trip(const char *s)
{
	struct up_text t = {0};
	struct up_csv c;
	struct up_csv_record rec;

	/* After a first cell, as in a file (a BOM in front of a file is not a value). */
	if (up_text_add(&t, "x,", 2) != UP_OK || up_csv_put_text(&t, s, strlen(s)) != UP_OK) {
		up_text_free(&t);
		return;
	}
	up_csv_init(&c, t.p, t.len);
	if (up_csv_next(&c, &rec) != 1 || rec.ncells != 2 ||
	    strcmp(up_csv_unescape(&rec.cells[1]), s) != 0)
		abort();
	up_csv_record_free(&rec);
	up_text_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct up_import_row *rows = NULL;
	struct up_error e = {0};
	const char *body = (const char *)data + 1;
	size_t n = 0, i, breaks = 0, len;
	const char *type;

	if (size < 1)
		return 0;
	len = size - 1;
	type = data[0] % 2 == 0 ? UP_CSV_TYPE : UP_NDJSON_TYPE;
	for (i = 0; i < len; i++)
		breaks += body[i] == '\n' || body[i] == '\r';
	if (up_import_rows(&up_user_resource, type, body, len, 1000, 16, &rows, &n, &e) != UP_OK) {
		up_error_reset(&e);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const cJSON *m;

		if (rows[i].doc == NULL ? rows[i].problem == NULL : !cJSON_IsObject(rows[i].doc))
			abort();
		if (rows[i].line < 1 || rows[i].line > breaks + 1 ||
		    (i > 0 && rows[i].line < rows[i - 1].line))
			abort();
		for (m = rows[i].doc != NULL ? rows[i].doc->child : NULL; m != NULL; m = m->next)
			if (cJSON_IsString(m))
				round_trip(m->valuestring);
	}
	up_import_rows_free(rows, n);
	return 0;
}
