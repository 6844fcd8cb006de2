/* SPDX-License-Identifier: ISC */
/* events.h: the change feed (/api/events) handler. */
#ifndef UP_EVENTS_H
#define UP_EVENTS_H

#include "app.h"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_events_routes;

/* Route and serve one request of the /api/events family. */
void up_events_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
