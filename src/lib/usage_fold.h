/* SPDX-License-Identifier: ISC */
/*
 * usage_fold.h: moving the usage counts of past days out of api_usage_slot
 * into api_usage (one row per token and day: the table of schema/001 that
 * migration 003 emptied), so that the rows a request reads with its token
 * stay those of the last few days.  Run by `userpatch-admin usage
 * fold` (daily, from cron).
 */
#ifndef UP_USAGE_FOLD_H
#define UP_USAGE_FOLD_H

#include <stdint.h>
#include "db.h"
#include "errors.h"

struct up_usage_fold_stats {
	char before[11]; /* the days folded: those before this one ("YYYY-MM-DD") */
	uint64_t tokens; /* tokens that had such rows */
	uint64_t rows;   /* slot rows removed */
	uint64_t counts; /* requests they counted, now in api_usage and usage_total */
};

/*
 * Fold the slot rows of every day before yesterday (UTC, the database's
 * clock; yesterday stays for counts still on their way), token by token in
 * one transaction each: the day sums go into api_usage, the counts into
 * api_tokens.usage_total, the rows go.  A token's lifetime and daily usage
 * read the same before and after, and a count written meanwhile is neither
 * lost nor counted twice.  *st (caller's) tells what was done, also on an
 * error (what the committed tokens did).
 */
enum up_err up_usage_fold(struct up_db *db, struct up_usage_fold_stats *st);

#endif
