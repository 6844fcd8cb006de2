/*
 * users_internal.h: what the files of the Users API program share.  Each
 * function below fills resp completely, success or error.
 */
#ifndef UP_USERS_INTERNAL_H
#define UP_USERS_INTERNAL_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "app.h"

/* The media type PATCH accepts first (also in Accept-Patch). */
#define UP_JSON_PATCH_TYPE "application/json-patch+json"

/*
 * 200/201 with {"success": true, <members of user>, apiUsage, apiDailyUsage}
 * and ETag "<version>".  user is taken over (freed here).
 */
void up_users_send_user(struct up_ctx *ctx, struct up_response *resp, int status, cJSON *user,
                        uint64_t version);

/* 1 if an If-Match header value (borrowed; NULL = absent) admits version. */
int up_users_if_match(const char *if_match, uint64_t version);

/* GET /api/users/{userId} */
void up_users_get(struct up_ctx *ctx, const char *id_text, struct up_response *resp);

/* PATCH, PUT, DELETE /api/users/{userId} */
void up_users_patch(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                    struct up_response *resp);
void up_users_put(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                  struct up_response *resp);
void up_users_delete(struct up_ctx *ctx, const struct up_request *req, const char *id_text,
                     struct up_response *resp);

/* POST /api/users */
void up_users_create(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

/* GET /api/users */
void up_users_list(struct up_ctx *ctx, const struct up_request *req, struct up_response *resp);

/* GET /api/users/countries and /api/users/timeZones (catalog: enum up_catalog). */
void up_users_catalog(struct up_ctx *ctx, int catalog, struct up_response *resp);

#endif
