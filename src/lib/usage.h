/* SPDX-License-Identifier: ISC */
/*
 * usage.h: request counting without a hot row.  A worker process counts the
 * requests of each token in memory (per token and UTC day) and adds them to
 * its own row of api_usage_slot (token, day, slot of this process) once the
 * oldest count waiting is a second old:
 *   - inside the worker's next write transaction, just before its COMMIT (no
 *     extra commit: up_usage_install() sets the db hooks);
 *   - otherwise by itself (one autocommit statement) after the response of
 *     a request, or, when the worker is idle, as it waits for the next one;
 *   - and at exit (up_usage_flush_now()).
 * So a busy worker writes its counts with one statement a second, whatever
 * its request rate.
 * See docs/operations.md ("Usage counters") for the bounds this gives.
 */
#ifndef UP_USAGE_H
#define UP_USAGE_H

#include <stdint.h>
#include "db.h"
#include "errors.h"

/* Counts wait at most this long before a request writes them by itself. */
#define UP_USAGE_FLUSH_MS 1000

/* Rows per token and day at most: the slot is the process id modulo this. */
#define UP_USAGE_SLOTS 1024

/* Today's UTC date as "YYYY-MM-DD" (day is at least 11 bytes). */
void up_usage_today(char day[11]);

/*
 * Count one request of token on day (in memory).  -1 when the table of
 * waiting counts is full (up_usage_flush_now() first), else 0.
 */
int up_usage_count(uint64_t token_id, const char *day);

/* Counts of token not yet written: of day, or of every day when day is NULL. */
uint64_t up_usage_unwritten(uint64_t token_id, const char *day);

/* Have db write the counts inside each of its transactions. */
void up_usage_install(struct up_db *db);

/* Write the counts if the oldest has waited UP_USAGE_FLUSH_MS (autocommit). */
enum up_err up_usage_flush_due(struct up_db *db);

/* Milliseconds until the waiting counts are due (0: now), -1 when none wait. */
long up_usage_due_in_ms(void);

/* Write every count now (autocommit); at exit, and in tests. */
enum up_err up_usage_flush_now(struct up_db *db);

/* Forget every count (tests: a fresh worker). */
void up_usage_reset(void);

#endif
