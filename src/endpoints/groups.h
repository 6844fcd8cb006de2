/* SPDX-License-Identifier: ISC */
/* groups.h: the Groups API (/api/groups...) handler. */
#ifndef UP_GROUPS_H
#define UP_GROUPS_H

#include "app.h"
#include "group_store.h"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_groups_routes;

/* Route and serve one request of the /api/groups family. */
void up_groups_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
