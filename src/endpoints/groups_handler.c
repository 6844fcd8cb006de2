/* SPDX-License-Identifier: ISC */
/*
 * groups_handler.c: the Groups API (DESIGN 1.4): the route table of the
 * groups family (its table and hook: src/lib/group_store.c).  Everything
 * else is the generic layer: resource_sql.c, resource_validate.c,
 * family_read.c, family_write.c.
 */
#include "groups.h"

#define READ (UP_MB(UP_M_GET) | UP_MB(UP_M_HEAD))
#define R UP_SCOPE_GROUPS_READ
#define W UP_SCOPE_GROUPS_WRITE

static const struct up_route routes[] = {
        {"/api/groups/", READ, R, up_family_list, NULL},
        {"/api/groups/", UP_MB(UP_M_POST), W, up_family_create, NULL},
        {"/api/groups/", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
        /* Fixed names first: "export" and "import" are no group ids (group_store.c). */
        {"/api/groups/export", READ | UP_MB(UP_M_OPTIONS), R, up_family_export, NULL},
        {"/api/groups/import", UP_MB(UP_M_POST) | UP_ROUTE_IMPORT, W, up_family_import, NULL},
        {"/api/groups/import", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
        {"/api/groups/{id}", READ, R, up_family_get, NULL},
        {"/api/groups/{id}", UP_MB(UP_M_PUT), W, up_family_put, NULL},
        {"/api/groups/{id}", UP_MB(UP_M_PATCH), W, up_family_patch, NULL},
        {"/api/groups/{id}", UP_MB(UP_M_DELETE), W, up_family_delete, NULL},
        {"/api/groups/{id}", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
};

const struct up_routes up_groups_routes = {routes, sizeof(routes) / sizeof(routes[0]),
                                           &up_group_family};

void up_groups_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	up_route_dispatch(&up_groups_routes, ctx, req, resp);
}
