/* SPDX-License-Identifier: ISC */
/* devices.h: the Devices API (/api/devices...) handler (DESIGN 1.5). */
#ifndef UP_DEVICES_H
#define UP_DEVICES_H

#include "app.h"

#define UP_DEVICES_PATH "/api/devices"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_devices_routes;

/* Route and serve one request of the /api/devices family. */
void up_devices_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
