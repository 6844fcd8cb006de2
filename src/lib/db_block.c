/* SPDX-License-Identifier: ISC */
/* db_block.c: statements kept for the COMMIT, made into one compound statement. */
#include <stdlib.h>
#include <string.h>
#include "db_block.h"

static const char head[] =
        "BEGIN NOT ATOMIC DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; ";
static const char tail_commit[] = "COMMIT; END";
static const char tail_end[] = "END"; /* a long transaction's block: it goes on after it */

/* Room for need more bytes in a buffer of *cap bytes holding *len. */
static int grow(void **buf, size_t *cap, size_t len, size_t need, size_t size)
{
	size_t c = *cap != 0 ? *cap : 16;
	void *p;

	if (len + need <= *cap)
		return 1;
	while (c < len + need)
		c *= 2;
	if ((p = realloc(*buf, c * size)) == NULL)
		return 0;
	*buf = p;
	*cap = c;
	return 1;
}

static int add_text(struct up_db_block *b, const char *s, size_t n)
{
	if (!grow((void **)&b->sql, &b->cap, b->len, n + 1, 1))
		return 0;
	memcpy(b->sql + b->len, s, n);
	b->len += n;
	b->sql[b->len] = '\0';
	return 1;
}

enum up_err up_db_block_add(struct up_db_block *b, const char *sql,
                            const struct up_db_param *params, size_t n)
{
	size_t i, len = b->len, np = b->nparams, dlen = b->dlen;

	if (b->nparams + n > UP_DB_MAX_PARAMS)
		return UP_ERR_INTERNAL;
	if (!grow((void **)&b->params, &b->capparams, b->nparams, n, sizeof(*b->params)))
		return UP_ERR_NOMEM;
	if ((b->len == 0 && !add_text(b, head, sizeof(head) - 1)) ||
	    !add_text(b, sql, strlen(sql)) || !add_text(b, "; ", 2))
		goto nomem;
	for (i = 0; i < n; i++) {
		struct up_db_param *p = &b->params[b->nparams];

		*p = params[i];
		if (p->type == UP_DB_STR || p->type == UP_DB_BLOB) {
			if (!grow((void **)&b->data, &b->dcap, b->dlen, p->len + 1, 1))
				goto nomem;
			if (p->len > 0)
				memcpy(b->data + b->dlen, p->ptr, p->len);
			p->u64 = b->dlen;
			b->dlen += p->len;
			p->ptr = NULL;
		}
		b->nparams++;
	}
	b->nstmts++;
	return UP_OK;
nomem:
	/* Nothing of this statement stays. */
	b->len = len;
	if (b->sql != NULL)
		b->sql[len] = '\0';
	b->nparams = np;
	b->dlen = dlen;
	return UP_ERR_NOMEM;
}

enum up_err up_db_block_finish(struct up_db_block *b, int commit, const char **sql,
                               const struct up_db_param **params, size_t *n)
{
	const char *tail = commit ? tail_commit : tail_end;
	size_t i, tlen = strlen(tail);

	if (b->nstmts == 0)
		return UP_ERR_INTERNAL;
	if (!add_text(b, tail, tlen))
		return UP_ERR_NOMEM;
	b->len -= tlen; /* the tail stays out of what later adds extend */
	for (i = 0; i < b->nparams; i++)
		if (b->params[i].type == UP_DB_STR || b->params[i].type == UP_DB_BLOB)
			b->params[i].ptr = b->data + b->params[i].u64;
	*sql = b->sql;
	*params = b->params;
	*n = b->nparams;
	return UP_OK;
}

void up_db_block_reset(struct up_db_block *b)
{
	b->len = b->nparams = b->dlen = b->nstmts = 0;
}

void up_db_block_free(struct up_db_block *b)
{
	free(b->sql);
	free(b->params);
	free(b->data);
	memset(b, 0, sizeof(*b));
}
