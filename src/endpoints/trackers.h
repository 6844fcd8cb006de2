/* SPDX-License-Identifier: ISC */
/* trackers.h: the tracker apps' own protocols (/api/trackers/...), DESIGN 1.6. */
#ifndef UP_TRACKERS_H
#define UP_TRACKERS_H

#include "app.h"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_trackers_routes;

/* Route and serve one request of the /api/trackers family. */
void up_trackers_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
