/* SPDX-License-Identifier: ISC */
/*
 * tracker_device.c: the device a tracker report is for: the one the report
 * names, by uniqueId, else by IMEI; the one a bound token reports for; or,
 * with tracker_register_unknown = on, a new device of the token's tenant
 * with that uniqueId, made and audited in one transaction.
 *
 * A device found by uniqueId is remembered by the process (a small table
 * indexed by a hash of tenant and uniqueId), so that a phone reporting
 * every few seconds costs no lookup statement: the store then checks the
 * uniqueId under the device's lock, and a miss (changed uniqueId, deleted
 * device) forgets the entry and looks again.
 */
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "device_store.h"
#include "hash.h"
#include "tracker_decode.h"
#include "tracker_device.h"

#define CACHE_SLOTS 256

/* Devices found by uniqueId: slot by hash; a colliding entry replaces the older. */
static struct {
	uint64_t tenant, id; /* id 0: empty */
	char name[UP_TRACKER_DEVICE_LEN + 1];
} cache[CACHE_SLOTS];

static size_t slot_of(uint64_t tenant, const char *name)
{
	return (size_t)((up_hash(name, strlen(name)) ^ tenant) % CACHE_SLOTS);
}

/* The cached device of name in tenant: its id, 0 for none. */
static uint64_t cache_get(uint64_t tenant, const char *name)
{
	size_t i = slot_of(tenant, name);

	return cache[i].id != 0 && cache[i].tenant == tenant && strcmp(cache[i].name, name) == 0
	               ? cache[i].id
	               : 0;
}

static void cache_put(uint64_t tenant, const char *name, uint64_t id)
{
	size_t i = slot_of(tenant, name);

	if (strlen(name) > UP_TRACKER_DEVICE_LEN)
		return;
	cache[i].tenant = tenant;
	cache[i].id = id;
	snprintf(cache[i].name, sizeof(cache[i].name), "%s", name);
}

void up_tracker_device_forget(uint64_t tenant, const char *name)
{
	size_t i = slot_of(tenant, name);

	if (cache[i].tenant == tenant && strcmp(cache[i].name, name) == 0)
		cache[i].id = 0;
}

static const char sql_register[] = "INSERT INTO devices (tenant_id, unique_id) VALUES (?, ?)";

/* Device of the tenant whose field name (uniqueId, imei) is value: *id, 0 for none. */
static enum up_err find_by(struct up_ctx *ctx, const char *name, const char *value, int lock,
                           uint64_t *id)
{
	int i = up_resource_field(&up_device_resource, name);

	*id = 0;
	if (i < 0)
		return UP_ERR_INTERNAL;
	return up_resource_lookup(ctx->db, &up_device_resource, ctx->auth.tenant_id, (size_t)i,
	                          value, lock, id);
}

struct register_job {
	struct up_ctx *ctx;
	const char *name, *request_id;
	uint64_t id;
};

/*
 * Look again under lock (a racing first report may have made it), else
 * insert, audit, and append its device.created event.
 */
static enum up_err register_txn(struct up_db *db, void *arg)
{
	struct register_job *job = arg;
	struct up_db_param p[2] = {UP_P_U64(job->ctx->auth.tenant_id), UP_P_STR(job->name)};
	struct up_db_info info;
	cJSON *fields = NULL;
	char key[32];
	enum up_err rc;

	rc = find_by(job->ctx, "uniqueId", job->name, 1, &job->id);
	if (rc != UP_OK || job->id != 0)
		return rc;
	rc = up_db_exec(db, sql_register, p, 2, &info);
	if (rc != UP_OK)
		return rc;
	job->id = info.insert_id;
	fields = cJSON_CreateStringArray((const char *const[]){"uniqueId"}, 1);
	if (fields == NULL)
		return UP_ERR_NOMEM;
	snprintf(key, sizeof(key), UP_DEVICE_PREFIX "%llu", (unsigned long long)job->id);
	/* A new device is in the change feed, as one the API makes: its event rides on the audit
	 * row. */
	rc = up_audit_write_resource(db, job->ctx->auth.tenant_id, job->ctx->auth.token_id,
	                             "device", key, job->request_id, "create", fields,
	                             &(struct up_audit_event){"device.created", key, 1});
	cJSON_Delete(fields);
	return rc;
}

enum up_err up_tracker_device_of(struct up_ctx *ctx, const char *name, const char *request_id,
                                 uint64_t *device, int *cached, struct up_error *e)
{
	uint64_t bound = ctx->auth.device_id;
	enum up_err rc = UP_OK;

	*device = 0;
	*cached = 0;
	if (name[0] == '\0') {
		*device = bound;
		return bound != 0 ? UP_OK
		                  : up_error_set(e, UP_ERR_BAD_REQUEST,
		                                 "The report names no device (OsmAnd id, "
		                                 "device_id, X-Limit-D, topic or tid)");
	}
	*device = cache_get(ctx->auth.tenant_id, name);
	/* A refusal is never made on memory alone: the database says it. */
	if (bound != 0 && *device != bound)
		*device = 0;
	*cached = *device != 0;
	if (*device == 0)
		rc = find_by(ctx, "uniqueId", name, 0, device);
	if (rc == UP_OK && *device != 0 && !*cached)
		cache_put(ctx->auth.tenant_id, name, *device);
	if (rc == UP_OK && *device == 0)
		rc = find_by(ctx, "imei", name, 0, device);
	if (rc != UP_OK)
		return rc;
	if (bound != 0 && *device != bound)
		return up_error_set(e, UP_ERR_WRONG_DEVICE,
		                    "The token reports for another device only");
	if (*device == 0 && ctx->cfg->tracker_register_unknown) {
		struct register_job job = {ctx, name, request_id, 0};

		rc = up_db_transaction(ctx->db, register_txn, &job);
		*device = job.id;
		return rc;
	}
	if (*device == 0)
		return up_error_set(e, UP_ERR_DEVICE_NOT_FOUND,
		                    "No device of the tenant has the uniqueId or IMEI '%s'", name);
	return UP_OK;
}
