/*
 * admin_prune.c: `userpatch-admin positions prune --before TIME [--tenant
 * NAME]` and `alerts prune ...`: delete a device history's rows older than
 * TIME, device by device, in short statements (a range of the (device_id,
 * time) key each, at most PRUNE_CHUNK rows), so trackers posting at the same
 * time wait for no long lock.  A device's newest position (its lastLocation)
 * is always kept.
 */
#include <stdio.h>
#include <string.h>
#include "admin_common.h"
#include "parse.h"
#include "validate.h"

#define PRUNE_CHUNK 10000
#define DEVICE_PAGE 500

/* A device history table: which devices to visit, and the chunked delete. */
struct history {
	const char *noun; /* the command word and the rows' name */
	/* (tenant or NULL) twice, after id, limit -> id, the newest time to keep or NULL */
	const char *sql_devices;
	const char *sql_prune; /* device, before, limit */
};

static const struct history histories[] = {
        {"positions",
         "SELECT id, last_fix_time FROM devices WHERE (? IS NULL OR tenant_id = ?) "
         "AND last_fix_time IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
         "DELETE FROM positions WHERE device_id = ? AND fix_time < ? ORDER BY fix_time LIMIT ?"},
        {"alerts",
         "SELECT id, NULL FROM devices WHERE (? IS NULL OR tenant_id = ?) "
         "AND id > ? ORDER BY id LIMIT ?",
         "DELETE FROM alerts WHERE device_id = ? AND alert_time < ? "
         "ORDER BY alert_time, id LIMIT ?"},
};

/* Delete device's rows before `before` (exclusive); adds the count to *pruned. */
static enum up_err prune_device(struct up_db *db, const struct history *h, uint64_t device,
                                const char *before, uint64_t *pruned)
{
	struct up_db_param p[3] = {UP_P_U64(device), UP_P_STR(before), UP_P_U64(PRUNE_CHUNK)};
	struct up_db_info info;
	enum up_err rc;

	do {
		rc = up_db_exec(db, h->sql_prune, p, 3, &info);
		if (rc != UP_OK)
			return rc;
		*pruned += info.affected;
	} while (info.affected == PRUNE_CHUNK);
	return UP_OK;
}

static enum up_err prune(struct up_db *db, const struct history *h, int has_tenant, uint64_t tenant,
                         const char *before, uint64_t *pruned, uint64_t *devices)
{
	struct up_db_param p[4];
	struct up_db_result res;
	uint64_t after = 0;
	enum up_err rc;
	size_t i;

	p[0] = has_tenant ? UP_P_U64(tenant) : UP_P_NULL();
	p[1] = p[0];
	p[3] = UP_P_U64(DEVICE_PAGE);
	for (;;) {
		p[2] = UP_P_U64(after);
		rc = up_db_query(db, h->sql_devices, p, 4, &res);
		if (rc != UP_OK)
			return rc;
		for (i = 0; i < res.nrows; i++) {
			const char *last = up_db_cell(&res, i, 1);
			uint64_t before_count = *pruned;

			if (up_parse_u64(up_db_cell(&res, i, 0), 1, UINT64_MAX, &after) != UP_OK) {
				rc = UP_ERR_INTERNAL;
				break;
			}
			/* Strictly before the newest to keep too: lastLocation stays. */
			rc = prune_device(db, h, after,
			                  last != NULL && strcmp(last, before) < 0 ? last : before,
			                  pruned);
			if (rc != UP_OK)
				break;
			if (*pruned > before_count)
				(*devices)++;
		}
		i = res.nrows;
		up_db_result_free(&res);
		if (rc != UP_OK || i < DEVICE_PAGE)
			return rc;
	}
}

int admin_prune(struct admin_env *env, int argc, char **argv)
{
	const struct history *h = NULL;
	const char *before_text, *tenant_name;
	char before[27];
	uint64_t tenant = 0, pruned = 0, devices = 0;
	enum up_err rc;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(histories) / sizeof(histories[0]); i++)
		if (strcmp(argv[0], histories[i].noun) == 0)
			h = &histories[i];
	before_text = admin_opt(argc, argv, 2, "--before", &bad);
	tenant_name = admin_opt(argc, argv, 2, "--tenant", &bad);
	if (h == NULL || argc < 2 || strcmp(argv[1], "prune") != 0 || bad || before_text == NULL ||
	    argc != 4 + (tenant_name != NULL ? 2 : 0)) {
		admin_err("usage: %s prune --before TIME [--tenant NAME]", argv[0]);
		return 2;
	}
	if (!up_valid_rfc3339(before_text, before, sizeof(before))) {
		admin_err("--before must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z");
		return 2;
	}
	if (tenant_name != NULL) {
		rc = admin_tenant_id(env->db, tenant_name, &tenant);
		if (rc == UP_ERR_NOT_FOUND) {
			admin_err("no tenant '%s'", tenant_name);
			return 1;
		}
		if (rc != UP_OK) {
			admin_err("cannot read tenants: %s", up_err_message(rc));
			return 1;
		}
	}
	rc = prune(env->db, h, tenant_name != NULL, tenant, before, &pruned, &devices);
	if (rc != UP_OK) {
		admin_err("prune stopped after %llu %s: %s", (unsigned long long)pruned, h->noun,
		          up_err_message(rc));
		return 1;
	}
	printf("pruned %llu %s of %llu devices\n", (unsigned long long)pruned, h->noun,
	       (unsigned long long)devices);
	return 0;
}
