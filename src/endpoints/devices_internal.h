/*
 * devices_internal.h: the route handlers of the Devices API that are not
 * the generic family handlers (family.h): what trackers report and what is
 * read back.  Each fills call->resp completely, success or error;
 * call->id is the {id} segment, a device id of the caller's tenant or 404.
 */
#ifndef UP_DEVICES_INTERNAL_H
#define UP_DEVICES_INTERNAL_H

#include "route.h"

void up_dev_last_location(struct up_call *call);  /* GET .../lastLocation */
void up_dev_post_locations(struct up_call *call); /* POST .../locations */
void up_dev_get_locations(struct up_call *call);  /* GET .../locations */
void up_dev_post_alert(struct up_call *call);     /* POST .../alerts */
void up_dev_get_alerts(struct up_call *call);     /* GET .../alerts */

#endif
