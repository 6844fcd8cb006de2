/* SPDX-License-Identifier: ISC */
/*
 * log.h: one log line per event, each carrying the request id:
 *   2026-11-23T10:00:00Z userpatch-users[123] info rid=... message
 * Secrets (tokens, passwords) are never passed to these functions.
 */
#ifndef UP_LOG_H
#define UP_LOG_H

#include <stdio.h>

enum up_log_level { UP_LOG_ERROR = 0, UP_LOG_WARN, UP_LOG_INFO, UP_LOG_DEBUG };

/* Set the program name (borrowed, static), threshold and output (borrowed; NULL = stderr). */
void up_log_init(const char *prog, enum up_log_level level, FILE *out);

/* Set the request id used in following lines (copied; NULL clears). */
void up_log_set_request_id(const char *rid);

void up_log(enum up_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
