/* SPDX-License-Identifier: ISC */
/*
 * devices_handler.c: the Devices API (/api/devices...): its route table.
 * The devices themselves (list, create, read, JSON Patch) are the device family
 * (device_store.c) served by the generic handlers (family.h); positions and
 * alerts are devices_track.c.
 */
#include "device_store.h"
#include "devices.h"
#include "devices_internal.h"

#define READ (UP_MB(UP_M_GET) | UP_MB(UP_M_HEAD))
#define OPTIONS UP_MB(UP_M_OPTIONS)
#define R UP_SCOPE_DEVICES_READ
#define W UP_SCOPE_DEVICES_WRITE
#define REPORT UP_SCOPE_DEVICES_REPORT

static const struct up_route routes[] = {
        {"/api/devices/", READ, R, up_family_list, NULL},
        {"/api/devices/", UP_MB(UP_M_POST), W, up_family_create, NULL},
        {"/api/devices/", OPTIONS, 0, NULL, NULL},
        {"/api/devices/export", READ | OPTIONS, R, up_family_export, NULL},
        {"/api/devices/import", UP_MB(UP_M_POST) | UP_ROUTE_IMPORT, W, up_family_import, NULL},
        {"/api/devices/import", OPTIONS, 0, NULL, NULL},
        {"/api/devices/{id}", READ, R, up_family_get, NULL},
        {"/api/devices/{id}", UP_MB(UP_M_PATCH), W, up_family_patch, NULL},
        {"/api/devices/{id}", UP_MB(UP_M_DELETE), W, up_family_delete, NULL},
        {"/api/devices/{id}", OPTIONS, 0, NULL, NULL},
        {"/api/devices/{id}/lastLocation", READ | OPTIONS, R, up_dev_last_location, NULL},
        {"/api/devices/{id}/locations", READ, R, up_dev_get_locations, NULL},
        {"/api/devices/{id}/locations", UP_MB(UP_M_POST) | UP_ROUTE_BATCH, REPORT,
         up_dev_post_locations, NULL},
        {"/api/devices/{id}/locations", OPTIONS, 0, NULL, NULL},
        {"/api/devices/{id}/alerts", READ, R, up_dev_get_alerts, NULL},
        {"/api/devices/{id}/alerts", UP_MB(UP_M_POST), REPORT, up_dev_post_alert, NULL},
        {"/api/devices/{id}/alerts", OPTIONS, 0, NULL, NULL},
};

const struct up_routes up_devices_routes = {routes, sizeof(routes) / sizeof(routes[0]),
                                            &up_device_family};

void up_devices_handle(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp)
{
	up_route_dispatch(&up_devices_routes, ctx, req, resp);
}
