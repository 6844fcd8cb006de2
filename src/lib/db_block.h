/* SPDX-License-Identifier: ISC */
/*
 * db_block.h: statements kept for the COMMIT.  Each one added is copied
 * (its SQL text and the values it binds); at COMMIT they become one
 * compound statement that runs them in order and commits, and that rolls
 * back and passes the error on if any of them fails:
 *
 *   BEGIN NOT ATOMIC
 *     DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
 *     <statement>; <statement>; COMMIT;
 *   END
 *
 * The text is made only of the statements' own (constant) SQL; values stay
 * bound parameters.  The db layer owns one per handle.
 */
#ifndef UP_DB_BLOCK_H
#define UP_DB_BLOCK_H

#include <stddef.h>
#include "db.h"
#include "errors.h"

struct up_db_block {
	char *sql; /* the compound statement's text so far (NUL-terminated) */
	size_t len, cap;
	/* string and blob values: ptr is NULL until finished, u64 their offset in data */
	struct up_db_param *params;
	size_t nparams, capparams;
	char *data; /* the copied string and blob values */
	size_t dlen, dcap;
	size_t nstmts;
};

/* Copy sql (one statement, no ';') and its n values into b. */
enum up_err up_db_block_add(struct up_db_block *b, const char *sql,
                            const struct up_db_param *params, size_t n);

/*
 * The compound statement for what b holds (b->nstmts > 0), ending with the
 * COMMIT when commit is set (else the transaction goes on): *sql and *params
 * point into b (valid until b changes).
 */
enum up_err up_db_block_finish(struct up_db_block *b, int commit, const char **sql,
                               const struct up_db_param **params, size_t *n);

/* Empty b, keeping its memory. */
void up_db_block_reset(struct up_db_block *b);

/* Release b's memory. */
void up_db_block_free(struct up_db_block *b);

#endif
