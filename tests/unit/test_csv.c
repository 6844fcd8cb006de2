/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the CSV writer and reader (csv.c) and of the import body
 * reader (import_rows.c): quoting of commas, quotes and line breaks, the
 * formula escape and its undoing, a BOM, typed cells, NDJSON lines and JSON
 * arrays, the row limit, and bodies that are not of their form.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "import_rows.h"
#include "json.h"
#include "user_store.h"

struct cell_case {
	int line;
	const char *desc;
	const char *in;
	const char *out; /* the cell as written */
};

static const struct cell_case cell_cases[] = {
        {__LINE__, "plain text stays bare", "Ada", "Ada"},
        {__LINE__, "a comma is quoted", "Lovelace, Ada", "\"Lovelace, Ada\""},
        {__LINE__, "quotes are doubled inside quotes", "say \"hi\"", "\"say \"\"hi\"\"\""},
        {__LINE__, "a line break is quoted", "a\nb", "\"a\nb\""},
        {__LINE__, "CRLF is quoted", "a\r\nb", "\"a\r\nb\""},
        {__LINE__, "an empty string is a quoted empty cell", "", "\"\""},
        {__LINE__, "= is escaped", "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
        {__LINE__, "+ is escaped", "+4930123456", "'+4930123456"},
        {__LINE__, "- is escaped", "-1", "'-1"},
        {__LINE__, "@ is escaped", "@SUM(A1)", "'@SUM(A1)"},
        {__LINE__, "a tab in front is escaped", "\tx", "'\tx"},
        {__LINE__, "an apostrophe in front is doubled", "'quoted", "''quoted"},
        {__LINE__, "= later in the text is not", "a=b", "a=b"},
};

/* Every cell written reads back as the text it was made from. */
START_TEST(test_cells)
{
	const struct cell_case *c = &cell_cases[_i];
	struct up_text t = {0};
	struct up_csv csv;
	struct up_csv_record rec;

	ck_assert_int_eq(up_csv_put_text(&t, c->in, strlen(c->in)), UP_OK);
	ck_assert_msg(strcmp(t.p, c->out) == 0, "line %d (%s): wrote [%s]", c->line, c->desc, t.p);
	up_csv_init(&csv, t.p, t.len);
	ck_assert_msg(up_csv_next(&csv, &rec) == 1, "line %d (%s): no record", c->line, c->desc);
	ck_assert_int_eq(rec.ncells, 1);
	ck_assert_msg(strcmp(up_csv_unescape(&rec.cells[0]), c->in) == 0,
	              "line %d (%s): read back [%s]", c->line, c->desc,
	              up_csv_unescape(&rec.cells[0]));
	up_csv_record_free(&rec);
	up_text_free(&t);
}
END_TEST

struct record_case {
	int line;
	const char *desc;
	const char *text;
	int records;           /* records read before the end, or before the failure */
	int fails;             /* 1: the text is not CSV */
	const char *last_cell; /* the last cell of the last record read, or NULL */
	size_t last_line;      /* the line the last record starts on */
};

static const struct record_case record_cases[] = {
        {__LINE__, "two records, LF", "a,b\nc,d\n", 2, 0, "d", 2},
        {__LINE__, "CRLF and no final line break", "a,b\r\nc,d", 2, 0, "d", 2},
        {__LINE__, "a BOM is skipped",
         "\xEF\xBB\xBF"
         "a\n",
         1, 0, "a", 1},
        {__LINE__, "empty lines are skipped", "a\n\n\nb\n", 2, 0, "b", 4},
        {__LINE__, "a line break in a quoted cell", "\"x\ny\",z\nlast\n", 2, 0, "last", 3},
        {__LINE__, "a trailing empty cell", "a,\n", 1, 0, "", 1},
        {__LINE__, "a quote that never closes", "a,\"b\n", 0, 1, NULL, 0},
        {__LINE__, "text after a closing quote", "\"a\"b\n", 0, 1, NULL, 0},
        {__LINE__, "a quote inside a bare cell", "a\"b\n", 0, 1, NULL, 0},
        {__LINE__, "nothing at all", "", 0, 0, NULL, 0},
};

START_TEST(test_records)
{
	const struct record_case c = record_cases[_i];
	struct up_csv csv;
	struct up_csv_record rec;
	int n = 0, got;
	char last[64] = "";
	size_t line = 0;

	up_csv_init(&csv, c.text, strlen(c.text));
	while ((got = up_csv_next(&csv, &rec)) == 1) {
		n++;
		snprintf(last, sizeof(last), "%s", rec.cells[rec.ncells - 1].text);
		line = rec.line;
		up_csv_record_free(&rec);
	}
	up_csv_record_free(&rec);
	ck_assert_msg(n == c.records, "line %d (%s): %d records", c.line, c.desc, n);
	ck_assert_msg((got < 0) == c.fails, "line %d (%s): outcome %d", c.line, c.desc, got);
	if (c.fails)
		ck_assert_ptr_nonnull(csv.problem);
	if (c.last_cell != NULL) {
		ck_assert_msg(strcmp(last, c.last_cell) == 0, "line %d (%s): last [%s]", c.line,
		              c.desc, last);
		ck_assert_msg(line == c.last_line, "line %d (%s): line %zu", c.line, c.desc, line);
	}
}
END_TEST

struct rows_case {
	int line;
	const char *desc;
	const char *ctype, *body;
	size_t max_rows;
	enum up_err rc;
	size_t rows;       /* rows read */
	size_t bad;        /* rows that fail alone (doc NULL) */
	const char *check; /* JSON the first good row must equal, or NULL */
	size_t first_line; /* line of the first row */
};

#define ND UP_NDJSON_TYPE
#define CSV UP_CSV_TYPE
#define AJ "application/json"

static const struct rows_case rows_cases[] = {
        {__LINE__, "NDJSON, two rows", ND, "{\"name\":\"a\"}\n{\"name\":\"b\"}\n", 10, UP_OK, 2, 0,
         "{\"name\":\"a\"}", 1},
        {__LINE__, "NDJSON, a bad line fails alone", ND, "{\"name\":\"a\"}\n{oops\n[1]\n", 10,
         UP_OK, 3, 2, "{\"name\":\"a\"}", 1},
        {__LINE__, "NDJSON, empty lines are no rows", ND, "\n\n{\"name\":\"a\"}\r\n\n", 10, UP_OK,
         1, 0, "{\"name\":\"a\"}", 3},
        {__LINE__, "NDJSON, past the row limit", ND, "{}\n{}\n{}\n", 2, UP_ERR_TOO_LARGE, 0, 0,
         NULL, 0},
        {__LINE__, "a JSON array", AJ, "[{\"name\":\"a\"},2]", 10, UP_OK, 2, 1, "{\"name\":\"a\"}",
         1},
        {__LINE__, "JSON that is no array", AJ, "{\"name\":\"a\"}", 10, UP_ERR_BAD_JSON, 0, 0, NULL,
         0},
        {__LINE__, "CSV typed by the field", CSV,
         "\xEF\xBB\xBFname,disabled,adminDevices,tags,description,country\n"
         "\"Lovelace, Ada\",true,3,\"{\"\"k\"\":\"\"v\"\"}\",\"\",\n",
         10, UP_OK, 1, 0,
         "{\"name\":\"Lovelace, Ada\",\"disabled\":true,\"adminDevices\":3,"
         "\"tags\":{\"k\":\"v\"},\"description\":\"\"}",
         2},
        {__LINE__, "CSV, the formula escape is taken off", CSV, "name\n'=1+1\n", 10, UP_OK, 1, 0,
         "{\"name\":\"=1+1\"}", 2},
        {__LINE__, "CSV, a cell that is not of the field's type stays text", CSV,
         "disabled,adminDevices\nmaybe,-1\n", 10, UP_OK, 1, 0,
         "{\"disabled\":\"maybe\",\"adminDevices\":\"-1\"}", 2},
        {__LINE__, "CSV, more cells than the header", CSV, "name\na,b\n", 10, UP_OK, 1, 1, NULL, 2},
        {__LINE__, "CSV, a multi-line cell counts its lines", CSV,
         "name,description\na,\"x\ny\"\nb,z\n", 10, UP_OK, 2, 0, NULL, 2},
        {__LINE__, "CSV that does not parse", CSV, "name\n\"a\n", 10, UP_ERR_BAD_REQUEST, 0, 0,
         NULL, 0},
        {__LINE__, "CSV without a header", CSV, "", 10, UP_ERR_BAD_REQUEST, 0, 0, NULL, 0},
        {__LINE__, "another media type", "text/plain", "x", 10, UP_ERR_MEDIA_TYPE, 0, 0, NULL, 0},
};

START_TEST(test_rows)
{
	const struct rows_case *c = &rows_cases[_i];
	struct up_import_row *rows = NULL;
	struct up_error e = {0};
	size_t n = 0, i, bad = 0;
	enum up_err rc;

	rc = up_import_rows(&up_user_resource, c->ctype, c->body, strlen(c->body), c->max_rows, 32,
	                    &rows, &n, &e);
	ck_assert_msg(rc == c->rc, "line %d (%s): rc %d", c->line, c->desc, rc);
	if (rc != UP_OK) {
		ck_assert_msg(e.message[0] != '\0', "line %d (%s): no sentence", c->line, c->desc);
		up_error_reset(&e);
		return;
	}
	ck_assert_msg(n == c->rows, "line %d (%s): %zu rows", c->line, c->desc, n);
	for (i = 0; i < n; i++)
		bad += rows[i].doc == NULL;
	ck_assert_msg(bad == c->bad, "line %d (%s): %zu bad", c->line, c->desc, bad);
	ck_assert_msg(rows[0].line == c->first_line, "line %d (%s): first line %zu", c->line,
	              c->desc, rows[0].line);
	if (c->check != NULL) {
		cJSON *want = NULL;

		ck_assert_int_eq(up_json_parse(c->check, strlen(c->check), 8, &want), UP_OK);
		ck_assert_msg(cJSON_Compare(rows[0].doc, want, 1), "line %d (%s): got %s", c->line,
		              c->desc, cJSON_PrintUnformatted(rows[0].doc));
		cJSON_Delete(want);
	}
	up_import_rows_free(rows, n);
}
END_TEST

/* The second record of a multi-line cell starts on line 4 (header, then two lines). */
START_TEST(test_multiline_line_numbers)
{
	const char *body = "name,description\na,\"x\ny\"\nb,z\n";
	struct up_import_row *rows = NULL;
	struct up_error e = {0};
	size_t n = 0;

	ck_assert_int_eq(
	        up_import_rows(&up_user_resource, CSV, body, strlen(body), 10, 32, &rows, &n, &e),
	        UP_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(rows[1].line, 4);
	up_import_rows_free(rows, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_cells, 0, sizeof(cell_cases) / sizeof(cell_cases[0]));
	tcase_add_loop_test(tc, test_records, 0, sizeof(record_cases) / sizeof(record_cases[0]));
	tcase_add_loop_test(tc, test_rows, 0, sizeof(rows_cases) / sizeof(rows_cases[0]));
	tcase_add_test(tc, test_multiline_line_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
