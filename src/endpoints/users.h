/* SPDX-License-Identifier: ISC */
/* users.h: the Users API (/api/users...) handler. */
#ifndef UP_USERS_H
#define UP_USERS_H

#include "app.h"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_users_routes;

/* Route and serve one request of the /api/users family. */
void up_users_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

#endif
