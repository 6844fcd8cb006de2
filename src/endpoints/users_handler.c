/* SPDX-License-Identifier: ISC */
/*
 * users_handler.c: the Users API (/api/users...): its route table, and the
 * countries / time zones catalogs.  Everything else is the users family
 * (user_store.c) served by the generic handlers (family.h).
 */
#include "catalog.h"
#include "request_io.h"
#include "user_store.h"
#include "users.h"

/* GET /api/users/countries and /api/users/timeZones; call->arg is the enum up_catalog. */
static void catalog(struct up_call *call)
{
	enum up_catalog c = *(const enum up_catalog *)call->arg;
	const char *key = c == UP_CATALOG_COUNTRIES ? "countries" : "timeZones";
	cJSON *body = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	size_t i, n = up_catalog_count(c);
	struct up_error e = {0};

	if (body == NULL || arr == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(up_catalog_item(c, i));

		if (s == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, s);
	}
	cJSON_AddItemToObject(body, key, arr);
	up_reply(call, 200, body);
	return;
fail:
	cJSON_Delete(arr);
	cJSON_Delete(body);
	up_error_set(&e, UP_ERR_NOMEM, NULL);
	up_ctx_fail(call->ctx, call->resp, &e);
}

static const enum up_catalog countries = UP_CATALOG_COUNTRIES, time_zones = UP_CATALOG_TIME_ZONES;

#define READ (UP_MB(UP_M_GET) | UP_MB(UP_M_HEAD))
#define R UP_SCOPE_USERS_READ
#define W UP_SCOPE_USERS_WRITE

/* Fixed names first: they are never user ids (those start with "usr-"). */
static const struct up_route routes[] = {
        {"/api/users/", READ, R, up_family_list, NULL},
        {"/api/users/", UP_MB(UP_M_POST), W, up_family_create, NULL},
        {"/api/users/", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
        {"/api/users/countries", READ | UP_MB(UP_M_OPTIONS), R, catalog, &countries},
        {"/api/users/timeZones", READ | UP_MB(UP_M_OPTIONS), R, catalog, &time_zones},
        {"/api/users/export", READ | UP_MB(UP_M_OPTIONS), R, up_family_export, NULL},
        {"/api/users/import", UP_MB(UP_M_POST) | UP_ROUTE_IMPORT, W, up_family_import, NULL},
        {"/api/users/import", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
        {"/api/users/{id}", READ, R, up_family_get, NULL},
        {"/api/users/{id}", UP_MB(UP_M_PUT), W, up_family_put, NULL},
        {"/api/users/{id}", UP_MB(UP_M_PATCH), W, up_family_patch, NULL},
        {"/api/users/{id}", UP_MB(UP_M_DELETE), W, up_family_delete, NULL},
        {"/api/users/{id}", UP_MB(UP_M_OPTIONS), 0, NULL, NULL},
};

const struct up_routes up_users_routes = {routes, sizeof(routes) / sizeof(routes[0]),
                                          &up_user_family};

void up_users_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	up_route_dispatch(&up_users_routes, ctx, req, resp);
}
