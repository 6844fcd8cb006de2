/* SPDX-License-Identifier: ISC */
/*
 * devices_internal.h: the route handlers of the Devices API that are not
 * the generic family handlers (family.h): what trackers report and what is
 * read back.  Each fills call->resp completely, success or error;
 * call->id is the {id} segment, a device id of the caller's tenant or 404.
 */
#ifndef UP_DEVICES_INTERNAL_H
#define UP_DEVICES_INTERNAL_H

#include <stdint.h>
#include "route.h"

void up_dev_last_location(struct up_call *call);  /* GET .../lastLocation */
void up_dev_post_locations(struct up_call *call); /* POST .../locations */
void up_dev_get_locations(struct up_call *call);  /* GET .../locations */
void up_dev_post_alert(struct up_call *call);     /* POST .../alerts */
void up_dev_get_alerts(struct up_call *call);     /* GET .../alerts */

/* The route history's formats besides the JSON page (devices_route.c), by Accept. */
enum up_route_format { UP_ROUTE_JSON, UP_ROUTE_CSV, UP_ROUTE_GPX, UP_ROUTE_GEOJSON };
enum up_route_format up_dev_route_format(const struct up_request *req);

/*
 * Stream every position of the device in [from, to) (UTC SQL times, NULL:
 * unbounded) in format f.  An error before anything was sent is returned
 * (the caller answers it); later, the answer just ends.
 */
enum up_err up_dev_route_stream(struct up_call *call, uint64_t device, const char *from,
                                const char *to, enum up_route_format f);

#endif
