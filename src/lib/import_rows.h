/* SPDX-License-Identifier: ISC */
/*
 * import_rows.h: the rows of an import body, each as the JSON object of
 * one representation with the line it starts on.  Three forms:
 *
 *   application/x-ndjson  one JSON object a line (empty lines skipped);
 *   text/csv              a header row of field names, then one row a
 *                         record: a cell is typed by the field its column
 *                         names (true/false, a whole number, JSON text for
 *                         objects and arrays, else a string); an unquoted
 *                         empty cell is no value, a quoted one ("") an
 *                         empty string; one leading apostrophe (the
 *                         formula escape of exports) is taken off;
 *   application/json      an array of objects (line: the element's index
 *                         plus one).
 *
 * A UTF-8 BOM in front is skipped.  A row that is not an object (a bad
 * NDJSON line, a CSV record with more cells than the header, an array
 * element that is no object) is kept with doc NULL and a problem, so it
 * fails alone; a body that is not of its form at all (CSV that does not
 * parse, not a JSON array) is refused as a whole.
 */
#ifndef UP_IMPORT_ROWS_H
#define UP_IMPORT_ROWS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "errors.h"
#include "resource.h"

#define UP_NDJSON_TYPE "application/x-ndjson"
#define UP_CSV_TYPE "text/csv"

struct up_import_row {
	size_t line;         /* 1-based; CSV counts the header line */
	cJSON *doc;          /* the row (owned), or NULL with problem set */
	const char *problem; /* static sentence when doc is NULL */
};

/*
 * Read body (len bytes, borrowed) of media type ctype (UP_NDJSON_TYPE,
 * UP_CSV_TYPE or "application/json") as rows of resource r.  *rows (owned:
 * up_import_rows_free) and *n on UP_OK.  More than max_rows rows is
 * UP_ERR_TOO_LARGE; a body not of its form UP_ERR_BAD_JSON (NDJSON never:
 * its lines fail alone) or UP_ERR_BAD_REQUEST (CSV); another type
 * UP_ERR_MEDIA_TYPE.  e says why.
 */
enum up_err up_import_rows(const struct up_resource *r, const char *ctype, const char *body,
                           size_t len, size_t max_rows, size_t max_depth,
                           struct up_import_row **rows, size_t *n, struct up_error *e);

void up_import_rows_free(struct up_import_row *rows, size_t n);

#endif
