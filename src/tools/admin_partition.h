/* SPDX-License-Identifier: ISC */
/*
 * admin_partition.h: the monthly partitions of a history table (positions,
 * alerts; schema/012_retention.sql): keep months ahead, drop the months
 * wholly before a cut.  Partition pYYYYMM holds the month YYYY-MM; the last
 * one, pmax (MAXVALUE), takes whatever no month does, so an insert never
 * fails.  Partition DDL cannot bind parameters: its text is made here from
 * integers and from names read back from information_schema and checked to
 * be [a-z0-9_], never from user input.
 */
#ifndef UP_ADMIN_PARTITION_H
#define UP_ADMIN_PARTITION_H

#include <stdint.h>
#include "db.h"

struct part_table {
	const char *table;  /* "positions" */
	const char *column; /* the partitioning column, "fix_time" */
	int keep_newest;    /* 1: a device's newest row (devices.last_fix_time) survives */
};

struct part_outcome {
	int partitioned;   /* 0: the table has no partitions (nothing was done) */
	unsigned created;  /* months added ahead */
	unsigned dropped;  /* partitions dropped, or emptied but for the rows kept */
	uint64_t rows_est; /* rows they held, as information_schema estimates them */
};

/*
 * Make sure every month up to `ahead` months after the current (UTC) one has
 * its partition, split off pmax; adds to out->created.  A table without
 * partitions is left alone (out->partitioned 0).
 */
enum up_err admin_part_ahead(struct up_db *db, const struct part_table *t, unsigned ahead,
                             struct part_outcome *out);

/*
 * Remove every partition whose months all lie before cut ("YYYY-MM-DD
 * HH:MM:SS[.ffffff]", UTC, borrowed): dropped whole, or, when devices have
 * their newest row in it and t->keep_newest, swapped for a table holding
 * just those rows (EXCHANGE PARTITION), the kept rows of older months merged
 * into it.  Rows at or after cut are never touched; the partition the cut
 * falls in is left to the caller's row-wise delete.  Adds to out.
 */
enum up_err admin_part_drop_before(struct up_db *db, const struct part_table *t, const char *cut,
                                   struct part_outcome *out);

#endif
