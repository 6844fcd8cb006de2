/* SPDX-License-Identifier: ISC */
/*
 * position.h: what a tracker reports (DESIGN 1.5): positions and alerts,
 * checked against declarative field tables.  Pure functions apart from
 * allocation: the current time and how far ahead of it a fix time may lie
 * (the configuration's max_future_fix) are parameters, so the rule is
 * testable.
 *
 * Problems are details of a struct up_error (errors.h, which caps them) as
 * {"field", "reason"}, with "index" when the value was element `index` of a
 * batch, so one 422 names the bad elements and fields at once; a fix time
 * too far ahead also carries "code": "fix_in_future".
 */
#ifndef UP_POSITION_H
#define UP_POSITION_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "errors.h"

#define UP_POS_MAX_BATCH 1000      /* positions in one POST .../locations */
#define UP_POS_MAX_ATTRIBUTES 32   /* members of "attributes" */
#define UP_POS_MAX_ATTR_KEY 64     /* code points of an attribute name */
#define UP_POS_MAX_ATTR_STRING 256 /* code points of a string attribute */
#define UP_ALERT_MAX_MESSAGE 500   /* code points of an alert message */

/* The numeric members of a position, in the order of the table and of the columns. */
enum up_pos_num {
	UP_POS_LATITUDE = 0,
	UP_POS_LONGITUDE,
	UP_POS_ALTITUDE,
	UP_POS_SPEED,
	UP_POS_COURSE,
	UP_POS_ACCURACY,
	UP_POS__NUM
};

/* One numeric member: its JSON name and the range it must fall in. */
struct up_pos_num_rule {
	const char *name;
	int required;
	double min, max;
	int max_open;       /* 1: max itself is refused (course < 360) */
	const char *reason; /* the sentence when out of range */
};

/* Indexed by enum up_pos_num. */
extern const struct up_pos_num_rule up_pos_num_rules[UP_POS__NUM];

/* A checked position. */
struct up_position {
	char time[27]; /* fix time, UTC, "YYYY-MM-DD HH:MM:SS.ffffff" */
	double num[UP_POS__NUM];
	unsigned char has[UP_POS__NUM]; /* 1 when the member was given */
	char *attributes;               /* compact JSON text of "attributes", or NULL; owned */
};

void up_position_free(struct up_position *p);

/*
 * Check one position v (borrowed) at time now; its fix time may be at most
 * max_ahead seconds after now.  index >= 0 adds "index" to each detail;
 * prefix ("" or e.g. "position.") is put before field names.  Returns UP_OK
 * and fills *out (release with up_position_free) when v is acceptable; else
 * UP_ERR_VALIDATION with at least one problem added to e and *out empty, or
 * UP_ERR_NOMEM.
 */
enum up_err up_position_check(const cJSON *v, time_t now, unsigned long max_ahead, long index,
                              const char *prefix, struct up_position *out, struct up_error *e);

/*
 * Check a POST .../locations body: one position (an object) or an array of
 * 1 to UP_POS_MAX_BATCH of them, as a whole.  UP_OK fills *out (an array of
 * *n positions; release with up_positions_free).  UP_ERR_VALIDATION: every
 * problem is in e and nothing is returned.  UP_ERR_BAD_DATA: body is
 * neither an object nor an array.  UP_ERR_NOMEM.
 */
enum up_err up_positions_check(const cJSON *body, time_t now, unsigned long max_ahead,
                               struct up_position **out, size_t *n, struct up_error *e);
void up_positions_free(struct up_position *p, size_t n);

/* The alert types of DESIGN 1.5. */
extern const char *const up_alert_types[];
extern const size_t up_alert_ntypes;

/* A checked alert. */
struct up_alert {
	const char *type; /* one of up_alert_types (static) */
	char time[27];    /* UTC, "YYYY-MM-DD HH:MM:SS.ffffff" */
	char *message;    /* owned, or NULL */
	int has_position;
	struct up_position position;
};

void up_alert_free(struct up_alert *a);

/*
 * Check a POST .../alerts body v: {"type", "time", "message"?, "position"?}.
 * Its time (and its position's) may be at most max_ahead seconds after now.
 * UP_OK fills *out (release with up_alert_free); UP_ERR_VALIDATION with the
 * problems in e; UP_ERR_BAD_DATA when v is not an object; UP_ERR_NOMEM.
 */
enum up_err up_alert_check(const cJSON *v, time_t now, unsigned long max_ahead,
                           struct up_alert *out, struct up_error *e);

/*
 * The JSON of a position from its stored text: fix time as stored
 * ("YYYY-MM-DD HH:MM:SS[.ffffff]"), the numeric members (NULL when absent)
 * and the attributes' JSON text (NULL when absent).  *out owned by the caller.
 */
enum up_err up_position_json(const char *time, const char *const num[UP_POS__NUM],
                             const char *attributes, cJSON **out);

/* A checked position as JSON (what is stored, as it will read back). *out owned by the caller. */
enum up_err up_position_to_json(const struct up_position *p, cJSON **out);

#endif
