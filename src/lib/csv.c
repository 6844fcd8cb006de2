/* SPDX-License-Identifier: ISC */
/* csv.c: RFC 4180 cells out and records in, with the formula escape (csv.h). */
#include <stdlib.h>
#include <string.h>
#include "csv.h"

static int needs_escape(const char *s, size_t len)
{
	return len > 0 && strchr("=+-@\t\r'", s[0]) != NULL;
}

enum up_err up_csv_put_text(struct up_text *t, const char *s, size_t len)
{
	int quote = len == 0 || memchr(s, ',', len) != NULL || memchr(s, '"', len) != NULL ||
	            memchr(s, '\r', len) != NULL || memchr(s, '\n', len) != NULL;
	enum up_err rc = UP_OK;
	size_t i, from = 0;

	if (quote)
		rc = up_text_add(t, "\"", 1);
	if (rc == UP_OK && needs_escape(s, len))
		rc = up_text_add(t, "'", 1);
	for (i = 0; rc == UP_OK && i < len; i++) {
		if (s[i] != '"')
			continue;
		rc = up_text_add(t, s + from, i + 1 - from); /* the quote, doubled below */
		if (rc == UP_OK)
			rc = up_text_add(t, "\"", 1);
		from = i + 1;
	}
	if (rc == UP_OK)
		rc = up_text_add(t, s + from, len - from);
	if (rc == UP_OK && quote)
		rc = up_text_add(t, "\"", 1);
	return rc;
}

enum up_err up_csv_put_raw(struct up_text *t, const char *s)
{
	return up_text_str(t, s);
}

void up_csv_init(struct up_csv *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = text;
	c->end = text + len;
	c->line = 1;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
}

void up_csv_record_free(struct up_csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->ncells; i++)
		free(rec->cells[i].text);
	memset(rec, 0, sizeof(*rec));
}

static int fail(struct up_csv *c, const char *why)
{
	c->problem = why;
	return -1;
}

/* One quoted cell from c->p (just after its opening quote) into *cell. */
static int quoted_cell(struct up_csv *c, struct up_csv_cell *cell)
{
	const char *q = c->p;
	size_t n = 0;
	char *out;

	/* First pass: the closing quote and the decoded length. */
	for (;; q++, n++) {
		if (q == c->end)
			return fail(c, "a quoted cell does not end");
		if (*q == '"') {
			if (q + 1 < c->end && q[1] == '"')
				q++;
			else
				break;
		}
	}
	out = malloc(n + 1);
	if (out == NULL)
		return fail(c, "out of memory");
	for (n = 0; c->p < q; c->p++) {
		if (*c->p == '\n')
			c->line++;
		if (*c->p == '"')
			c->p++;
		out[n++] = *c->p;
	}
	out[n] = '\0';
	c->p = q + 1;
	cell->text = out;
	cell->len = n;
	cell->quoted = 1;
	return 0;
}

/* One unquoted cell: up to a comma, CR, LF or the end. */
static int plain_cell(struct up_csv *c, struct up_csv_cell *cell)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
		if (*c->p == '"')
			return fail(c, "a quote inside an unquoted cell");
		c->p++;
	}
	cell->len = (size_t)(c->p - s);
	cell->text = malloc(cell->len + 1);
	if (cell->text == NULL)
		return fail(c, "out of memory");
	memcpy(cell->text, s, cell->len);
	cell->text[cell->len] = '\0';
	return 0;
}

int up_csv_next(struct up_csv *c, struct up_csv_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	/* Empty lines between records are skipped. */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p == c->end)
		return 0;
	rec->line = c->line;
	for (;;) {
		struct up_csv_cell *cell;

		if (rec->ncells == UP_CSV_MAX_CELLS)
			return fail(c, "a record has too many cells");
		cell = &rec->cells[rec->ncells];
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			if (quoted_cell(c, cell) < 0)
				return -1;
		} else if (plain_cell(c, cell) < 0) {
			return -1;
		}
		rec->ncells++;
		if (memchr(cell->text, '\0', cell->len) != NULL)
			return fail(c, "a NUL byte in a cell");
		if (c->p == c->end)
			return 1;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
			c->p++;
		if (*c->p == '\n' || *c->p == '\r') {
			if (*c->p == '\n')
				c->line++;
			c->p++;
			return 1;
		}
		return fail(c, "text after the closing quote of a cell");
	}
}

const char *up_csv_unescape(const struct up_csv_cell *cell)
{
	return cell->len > 0 && cell->text[0] == '\'' ? cell->text + 1 : cell->text;
}
