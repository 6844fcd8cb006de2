/* SPDX-License-Identifier: ISC */
/* tracker_device.h: which device a tracker report is for (tracker_device.c). */
#ifndef UP_TRACKER_DEVICE_H
#define UP_TRACKER_DEVICE_H

#include <stdint.h>
#include "ctx.h"

/*
 * The device (*device) of the authenticated caller's tenant that name
 * (borrowed; "" when the report names none) is the uniqueId, else the IMEI
 * of.  A token bound to a device: "" means that device, any other is
 * UP_ERR_WRONG_DEVICE (403).  No such device: UP_ERR_DEVICE_NOT_FOUND
 * (404), or with the configuration's tracker_register_unknown a new device
 * with that uniqueId, audited as created by the token (request_id borrowed).
 * "" with an unbound token: UP_ERR_BAD_REQUEST.  Errors are filled in e.
 *
 * *cached is 1 when the device came from this process's memory of earlier
 * lookups by uniqueId, not from the database: the caller must then store
 * with the check that the device still has uniqueId name (up_report's
 * unique_id) and, when that fails, up_tracker_device_forget and ask again.
 */
enum up_err up_tracker_device_of(struct up_ctx *ctx, const char *name, const char *request_id,
                                 uint64_t *device, int *cached, struct up_error *e);

/* Forget the remembered device of uniqueId name (borrowed) in tenant. */
void up_tracker_device_forget(uint64_t tenant, const char *name);

#endif
