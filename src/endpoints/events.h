/* SPDX-License-Identifier: ISC */
/* events.h: the change feed (/api/events) handler. */
#ifndef UP_EVENTS_H
#define UP_EVENTS_H

#include "app.h"
#include "family.h"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_events_routes;

/*
 * The webhooks (/api/webhooks...), served by the same program: create and
 * patch (the generic handlers, after ordering the committed events),
 * rotation of the secret, the deliveries list (webhooks_handler.c,
 * webhooks_deliveries.c).
 */
void up_webhooks_create(struct up_call *call);
void up_webhooks_patch(struct up_call *call);
void up_webhooks_rotate(struct up_call *call);
void up_webhooks_deliveries(struct up_call *call);

/* Route and serve one request of the /api/events family. */
void up_events_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
