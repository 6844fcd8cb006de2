/*
 * devices_internal.h: what the files of the Devices API program share.  A
 * route handler gets the device id already parsed (0 for the collection)
 * and fills resp completely, success or error.
 */
#ifndef UP_DEVICES_INTERNAL_H
#define UP_DEVICES_INTERNAL_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "app.h"

typedef void (*up_dev_fn)(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                          struct up_response *resp);

/* GET /api/devices/{id}/lastLocation */
void up_dev_last_location(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                          struct up_response *resp);
/* POST and GET /api/devices/{id}/locations */
void up_dev_post_locations(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                           struct up_response *resp);
void up_dev_get_locations(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                          struct up_response *resp);
/* POST and GET /api/devices/{id}/alerts */
void up_dev_post_alert(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                       struct up_response *resp);
void up_dev_get_alerts(struct up_ctx *ctx, const struct up_request *req, uint64_t device,
                       struct up_response *resp);

/*
 * Answer status with {"success": true, <members of body>, apiUsage,
 * apiDailyUsage}; body is taken over (freed here).
 */
void up_dev_send(struct up_ctx *ctx, struct up_response *resp, int status, cJSON *body);

/*
 * Parse an application/json body into *doc (owned by the caller).  On
 * failure resp holds the error (415, 400) and the error is returned.
 */
enum up_err up_dev_read_json(struct up_ctx *ctx, const struct up_request *req,
                             struct up_response *resp, cJSON **doc);

/*
 * The query parameters of req that a route knows (names, n): 400 in resp
 * and 0 when another one is present.
 */
int up_dev_known_params(struct up_ctx *ctx, const struct up_request *req, const char *const *names,
                        size_t n, struct up_response *resp);

#endif
