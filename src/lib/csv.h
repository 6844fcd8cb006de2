/* SPDX-License-Identifier: ISC */
/*
 * csv.h: CSV as RFC 4180 has it, for exports and imports.
 *
 * Writing: a cell is quoted when it holds a comma, a quote, CR or LF, or
 * when it is an empty string (an unquoted empty cell means "no value").
 * A text that begins with = + - @ TAB CR or an apostrophe gets an
 * apostrophe in front, so a spreadsheet never runs it as a formula; the
 * reader takes one leading apostrophe off again, so what is exported
 * imports back unchanged.
 *
 * Reading: records of cells separated by commas, ended by CRLF or LF; a
 * quoted cell may hold commas, doubled quotes and line breaks; a UTF-8 BOM
 * before the first record is skipped.
 */
#ifndef UP_CSV_H
#define UP_CSV_H

#include <stddef.h>
#include "errors.h"
#include "response_stream.h"

/* Append s (len bytes, borrowed) to t as one cell, escaped and quoted as above. */
enum up_err up_csv_put_text(struct up_text *t, const char *s, size_t len);

/* Append s unquoted and unescaped (numbers, true/false): the caller knows it is safe. */
enum up_err up_csv_put_raw(struct up_text *t, const char *s);

/* A cell read: its text (NUL-terminated, owned by the record), and how it was written. */
struct up_csv_cell {
	char *text;
	size_t len;
	int quoted; /* 1 for a quoted cell ("" is an empty string, not "no value") */
};

#define UP_CSV_MAX_CELLS 64

/* A reader over len bytes of text (borrowed, must outlive it). */
struct up_csv {
	const char *p, *end;
	size_t line;         /* physical line (1-based) where the next record starts */
	const char *problem; /* static sentence after a failure */
};

struct up_csv_record {
	struct up_csv_cell cells[UP_CSV_MAX_CELLS];
	size_t ncells;
	size_t line; /* physical line where the record starts */
};

void up_csv_init(struct up_csv *c, const char *text, size_t len);

/*
 * The next record into rec (release with up_csv_record_free, also after a
 * failure).  Returns 1 for a record, 0 at the end of the text, -1 when the
 * text is not CSV (a quote that does not close, text after a closing quote,
 * more than UP_CSV_MAX_CELLS cells, a NUL byte): c->problem says which.
 * Empty lines are skipped.
 */
int up_csv_next(struct up_csv *c, struct up_csv_record *rec);
void up_csv_record_free(struct up_csv_record *rec);

/* The text of a cell with the formula escape taken off (borrowed from cell). */
const char *up_csv_unescape(const struct up_csv_cell *cell);

#endif
