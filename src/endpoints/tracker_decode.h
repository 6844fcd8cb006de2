/* SPDX-License-Identifier: ISC */
/*
 * tracker_decode.h: the HTTP protocols of tracker apps (DESIGN 1.6) turned
 * into our own position and alert documents (DESIGN 1.5), which then go
 * through the same checks and the one position store as POST
 * .../locations.  The decoders are pure (no database, the time of arrival
 * is a parameter), so each app's real requests are table tests.
 *
 * Units become ours: speed in km/h (OsmAnd sends knots in its query and
 * form, m/s in its JSON; Overland m/s; OwnTracks km/h); a negative
 * "unknown" value (-1) is left out.  What has no member of its own goes to
 * "attributes".
 */
#ifndef UP_TRACKER_DECODE_H
#define UP_TRACKER_DECODE_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "errors.h"

#define UP_TRACKER_DEVICE_LEN 64

/* What one request reports. */
struct up_track_report {
	char device[UP_TRACKER_DEVICE_LEN + 1]; /* the device the request names; "" for none */
	cJSON *positions;                       /* array of position documents (owned), or NULL */
	cJSON *alert;                           /* an alert document (owned), or NULL */
	int batch; /* 1: the app sent a batch (details then carry "index") */
};

void up_track_report_free(struct up_track_report *r);

/*
 * Each decoder fills *out (release with up_track_report_free, also after a
 * failure) and returns UP_OK; else the error in e: UP_ERR_BAD_REQUEST or
 * UP_ERR_BAD_DATA (400, a sentence), UP_ERR_VALIDATION (422, details naming
 * the app's own field names), UP_ERR_NOMEM.  now is the time the request
 * arrived: a report without a fix time gets it.
 */

/*
 * OsmAnd as a query string or form body (application/x-www-form-urlencoded):
 * query and form (each may be NULL or "") are read in that order; "key" is
 * the token, never an attribute.
 */
enum up_err up_tracker_osmand_form(const char *query, const char *form, time_t now,
                                   struct up_track_report *out, struct up_error *e);

/* OsmAnd JSON (Traccar Client 9): {"device_id", "location": {...}}; doc borrowed. */
enum up_err up_tracker_osmand_json(const cJSON *doc, time_t now, struct up_track_report *out,
                                   struct up_error *e);

/*
 * OwnTracks HTTP mode; limit_d is the X-Limit-D header (NULL when absent).
 * Any _type but "location" gives no position (out->positions NULL).
 */
enum up_err up_tracker_owntracks(const cJSON *doc, const char *limit_d, time_t now,
                                 struct up_track_report *out, struct up_error *e);

/*
 * Overland: {"locations": [GeoJSON Point Feature, ...]}, 1 to 1,000 of them,
 * read from the len bytes of text (borrowed), which up_json_validate must
 * have accepted.  up_tracker_overland does the same from a tree (it prints
 * doc, borrowed, and reads the text).
 */
enum up_err up_tracker_overland_text(const char *text, size_t len, time_t now,
                                     struct up_track_report *out, struct up_error *e);
enum up_err up_tracker_overland(const cJSON *doc, time_t now, struct up_track_report *out,
                                struct up_error *e);

/*
 * Helpers shared by the decoders (tracker_common.c).
 *
 * up_tracker_time: a fix time as an app sends it (epoch seconds, epoch
 * milliseconds, RFC 3339 with or without a colon in the offset,
 * "yyyy-MM-dd HH:mm:ss" in UTC) into RFC 3339 text in buf; 0, or -1 when it
 * is none of these.  up_tracker_epoch: epoch seconds (fractions kept to the
 * millisecond) into RFC 3339 text.
 */
int up_tracker_time(const char *s, char *buf, size_t len);
int up_tracker_epoch(double seconds, char *buf, size_t len);

/* Set the device from s when it is a valid uniqueId ("" names none); 0, or -1 (e: 422 for field).
 */
int up_tracker_device(struct up_track_report *r, const char *s, const char *field,
                      struct up_error *e);

/* Add number v as member name of o unless v < 0 (unknown); factor converts units. 0 or -1 (memory).
 */
int up_tracker_add_known(cJSON *o, const char *name, double v, double factor);

/* A decimal number (the whole of s) into *out: 0, or -1. */
int up_tracker_number(const char *s, double *out);

/*
 * The alert an alarm makes (out->alert): type alarm when it is one of ours
 * (sos, overspeed, ...), else "custom" with the alarm as its message; the
 * time and position of position (borrowed).  0, or -1 when memory ran out.
 */
int up_tracker_alert(struct up_track_report *r, const char *alarm, const cJSON *position);

#define UP_KNOTS_KMH 1.852 /* km/h in a knot */
#define UP_MPS_KMH 3.6     /* km/h in a metre per second */

#endif
