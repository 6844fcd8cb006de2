/* SPDX-License-Identifier: ISC */
/*
 * device_store.h: the one device store (DESIGN 1.5): the devices table that
 * POST /api/v1/device_app_user_update/ fills and a user's deviceId names,
 * described once as the resource up_device_resource and served by the
 * generic family handlers (family.h) for the Devices API.  The identifier
 * rules (IMEI, IMSI, ICCID in format or strict mode) are validators of
 * field_check.h; per-tenant uniqueness is the unique keys named here.
 */
#ifndef UP_DEVICE_STORE_H
#define UP_DEVICE_STORE_H

#include <cjson/cJSON.h>
#include "family.h"
#include "resource.h"

extern const struct up_resource up_device_resource;
extern const struct up_family up_device_family;

/* The public id of a device: "dev-<id>". */
#define UP_DEVICE_PREFIX "dev-"

/* The unique keys over (tenant_id, identifier) of the devices table. */
#define UP_DEVICE_IMEI_KEY "uq_devices_imei"
#define UP_DEVICE_IMSI_KEY "uq_devices_imsi"
#define UP_DEVICE_ICCID_KEY "uq_devices_iccid"
#define UP_DEVICE_UNIQUE_ID_KEY "uq_devices_unique_id"

#endif
