/* SPDX-License-Identifier: ISC */
/* admin_token.c: `userpatch-admin token issue|revoke|list`. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "admin_common.h"
#include "auth.h"
#include "parse.h"

static const char sql_issue[] =
        "INSERT INTO api_tokens (tenant_id, token_digest, label, scopes, daily_limit, device_id) "
        "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_device[] = "SELECT id FROM devices WHERE tenant_id = ? AND id = ?";
static const char sql_revoke[] =
        "UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ? AND revoked_at IS NULL";
static const char sql_exists[] = "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = ?";
static const char sql_list[] =
        "SELECT k.id, t.name, k.label, k.scopes, k.daily_limit, k.revoked_at IS NOT NULL, "
        "k.device_id "
        "FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id "
        "WHERE ? IS NULL OR t.name = ? ORDER BY k.id";

/* The options of `token issue`, checked. */
struct issue_opts {
	const char *tenant;
	const char *label;               /* "" when not given */
	char scopes[UP_SCOPES_TEXT_LEN]; /* canonical text */
	int has_limit;
	uint64_t limit;
	uint64_t device; /* --device dev-N: the one device it reports for; 0 for none */
};

/* Parse and check the options of `token issue` (argv[0] "token", argv[1] "issue"). */
static int issue_opts_parse(int argc, char **argv, struct issue_opts *o)
{
	const char *scopes, *limit_text, *device;
	unsigned mask;
	int bad = 0, i;

	memset(o, 0, sizeof(*o));
	/* Every argument after "issue" is an option with a value, or --sql. */
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--sql") == 0)
			continue;
		if (strcmp(argv[i], "--tenant") != 0 && strcmp(argv[i], "--scopes") != 0 &&
		    strcmp(argv[i], "--daily-limit") != 0 && strcmp(argv[i], "--label") != 0 &&
		    strcmp(argv[i], "--device") != 0)
			bad = 1;
		else
			i++;
	}
	o->tenant = admin_opt(argc, argv, 2, "--tenant", &bad);
	scopes = admin_opt(argc, argv, 2, "--scopes", &bad);
	limit_text = admin_opt(argc, argv, 2, "--daily-limit", &bad);
	o->label = admin_opt(argc, argv, 2, "--label", &bad);
	device = admin_opt(argc, argv, 2, "--device", &bad);
	if (bad || o->tenant == NULL || scopes == NULL) {
		admin_err("usage: token issue [--sql] --tenant NAME --scopes S1,S2 "
		          "[--daily-limit N] [--label L] [--device dev-N]");
		return 2;
	}
	if (up_scopes_parse(scopes, &mask) != UP_OK) {
		admin_err("unknown scope in '%s' (users:read users:write device_app_user:write "
		          "groups:read groups:write devices:read devices:write devices:report "
		          "events:read webhooks:write)",
		          scopes);
		return 2;
	}
	if (limit_text != NULL && up_parse_u64(limit_text, 1, UINT32_MAX, &o->limit) != UP_OK) {
		admin_err("--daily-limit must be a whole number from 1 to %u", UINT32_MAX);
		return 2;
	}
	o->has_limit = limit_text != NULL;
	/* A bound token only reports: with any other scope it could read every device. */
	if (device != NULL && (up_parse_public_id(device, "dev-", &o->device) != UP_OK ||
	                       mask != UP_SCOPE_DEVICES_REPORT)) {
		admin_err(
		        "--device takes a device id (dev-N) and goes with --scopes devices:report "
		        "only");
		return 2;
	}
	if (o->label == NULL)
		o->label = "";
	if (strlen(o->label) > 128) {
		admin_err("--label is at most 128 characters");
		return 2;
	}
	up_scopes_format(mask, o->scopes, sizeof(o->scopes));
	return 0;
}

/* 0 when device is a device of the tenant; else says so and returns 1. */
static int device_exists(struct up_db *db, uint64_t tenant, uint64_t device, const char *name)
{
	struct up_db_param p[2] = {UP_P_U64(tenant), UP_P_U64(device)};
	struct up_db_result res;
	size_t n;

	if (up_db_query(db, sql_device, p, 2, &res) != UP_OK) {
		admin_err("cannot find device dev-%llu", (unsigned long long)device);
		return 1;
	}
	n = res.nrows;
	up_db_result_free(&res);
	if (n == 0)
		admin_err("no device dev-%llu in tenant '%s'", (unsigned long long)device, name);
	return n == 0;
}

static int token_issue(struct admin_env *env, int argc, char **argv)
{
	unsigned char digest[UP_DIGEST_BYTES];
	char text[UP_TOKEN_HEX + 1];
	struct up_db_param p[6];
	struct up_db_info info;
	struct issue_opts o;
	uint64_t tenant_id;
	enum up_err rc;
	int urc;

	urc = issue_opts_parse(argc, argv, &o);
	if (urc != 0)
		return urc;
	rc = admin_tenant_id(env->db, o.tenant, &tenant_id);
	if (rc != UP_OK) {
		admin_err(rc == UP_ERR_NOT_FOUND ? "no tenant '%s'" : "cannot find tenant '%s'",
		          o.tenant);
		return 1;
	}
	if (o.device != 0 && device_exists(env->db, tenant_id, o.device, o.tenant) != 0)
		return 1;
	up_token_generate(text, digest);
	p[0] = UP_P_U64(tenant_id);
	p[1] = UP_P_BLOB(digest, sizeof(digest));
	p[2] = UP_P_STR(o.label);
	p[3] = UP_P_STR(o.scopes);
	p[4] = o.has_limit ? UP_P_U64(o.limit) : UP_P_NULL();
	p[5] = o.device != 0 ? UP_P_U64(o.device) : UP_P_NULL();
	rc = up_db_exec(env->db, sql_issue, p, 6, &info);
	if (rc != UP_OK) {
		sodium_memzero(text, sizeof(text));
		admin_err("cannot issue token: %s", up_err_message(rc));
		return 1;
	}
	printf("%s\n", text);
	fflush(stdout);
	sodium_memzero(text, sizeof(text));
	fprintf(stderr, "issued token %llu for tenant %s (scopes: %s)",
	        (unsigned long long)info.insert_id, o.tenant, o.scopes);
	if (o.device != 0)
		fprintf(stderr, " bound to device dev-%llu", (unsigned long long)o.device);
	fprintf(stderr, "; it is shown only once\n");
	return 0;
}

/*
 * Print s as an SQL string literal: quoted as it is when it holds only
 * characters that need no escaping in any SQL mode, else as a utf8mb4 hex
 * literal (so no quoting rule of the server matters).
 */
static void print_sql_string(const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789 ._:,@/+=-";
	size_t i, n = strlen(s);

	if (strspn(s, plain) == n) {
		printf("'%s'", s);
		return;
	}
	fputs("_utf8mb4 X'", stdout);
	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
	fputc('\'', stdout);
}

int admin_token_sql(int argc, char **argv)
{
	unsigned char digest[UP_DIGEST_BYTES];
	char text[UP_TOKEN_HEX + 1];
	struct issue_opts o;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "issue") != 0) {
		admin_err("--sql goes with token issue only");
		return 2;
	}
	rc = issue_opts_parse(argc, argv, &o);
	if (rc != 0)
		return rc;
	/* The name goes into the SQL quoted as it is: only the safe alphabet. */
	if (!admin_tenant_name_valid(o.tenant)) {
		admin_err("tenant names are 1-64 characters of A-Z a-z 0-9 . _ -");
		return 2;
	}
	up_token_generate(text, digest);
	printf("-- userpatch: a token for tenant '%s' (scopes: %s).\n", o.tenant, o.scopes);
	printf("-- Run this once in the userpatch database (phpMyAdmin: select the database,\n"
	       "-- then SQL, paste, Go; or Import this file). It creates the tenant if it is\n"
	       "-- new and stores the token's digest; the token itself is not in here.\n");
	printf("INSERT INTO tenants (name) SELECT '%s' FROM DUAL\n"
	       "  WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE name = '%s');\n",
	       o.tenant, o.tenant);
	printf("INSERT INTO api_tokens (tenant_id, token_digest, label, scopes, daily_limit, "
	       "device_id)\n"
	       "  SELECT t.id, X'");
	for (i = 0; i < sizeof(digest); i++)
		printf("%02x", digest[i]);
	fputs("', ", stdout);
	print_sql_string(o.label);
	printf(", '%s', ", o.scopes);
	if (o.has_limit)
		printf("%llu", (unsigned long long)o.limit);
	else
		fputs("NULL", stdout);
	/* Bound: no row at all unless the device is the tenant's (never an unbound token). */
	if (o.device != 0)
		printf(", d.id FROM tenants t JOIN devices d ON d.tenant_id = t.id AND d.id = %llu "
		       "WHERE t.name = '%s';\n",
		       (unsigned long long)o.device, o.tenant);
	else
		printf(", NULL FROM tenants t WHERE t.name = '%s';\n", o.tenant);
	if (fflush(stdout) != 0) {
		sodium_memzero(text, sizeof(text));
		admin_err("cannot write the SQL");
		return 1;
	}
	fprintf(stderr,
	        "userpatch-admin: the token, shown only now (it works once the SQL on stdout "
	        "has run):\n%s\n",
	        text);
	sodium_memzero(text, sizeof(text));
	return 0;
}

static int token_revoke(struct admin_env *env, const char *id_text)
{
	struct up_db_result res;
	struct up_db_param p[1];
	struct up_db_info info;
	uint64_t id;
	enum up_err rc;

	if (up_parse_u64(id_text, 1, INT64_MAX, &id) != UP_OK) {
		admin_err("token ids are positive whole numbers");
		return 2;
	}
	p[0] = UP_P_U64(id);
	rc = up_db_exec(env->db, sql_revoke, p, 1, &info);
	if (rc != UP_OK) {
		admin_err("cannot revoke: %s", up_err_message(rc));
		return 1;
	}
	if (info.affected == 1) {
		fprintf(stderr, "revoked token %llu\n", (unsigned long long)id);
		return 0;
	}
	rc = up_db_query(env->db, sql_exists, p, 1, &res);
	if (rc != UP_OK) {
		admin_err("cannot revoke: %s", up_err_message(rc));
		return 1;
	}
	if (res.nrows == 0)
		admin_err("no token %llu", (unsigned long long)id);
	else
		fprintf(stderr, "token %llu was already revoked\n", (unsigned long long)id);
	up_db_result_free(&res);
	return res.nrows == 0 ? 1 : 0;
}

static int token_list(struct admin_env *env, int argc, char **argv)
{
	struct up_db_result res;
	struct up_db_param p[2];
	const char *tenant;
	enum up_err rc;
	int bad = 0;
	size_t i;

	tenant = admin_opt(argc, argv, 2, "--tenant", &bad);
	if (bad) {
		admin_err("usage: token list [--tenant NAME]");
		return 2;
	}
	p[0] = UP_P_STR_OR_NULL(tenant);
	p[1] = UP_P_STR_OR_NULL(tenant);
	rc = up_db_query(env->db, sql_list, p, 2, &res);
	if (rc != UP_OK) {
		admin_err("cannot list tokens: %s", up_err_message(rc));
		return 1;
	}
	for (i = 0; i < res.nrows; i++) {
		const char *limit = up_db_cell(&res, i, 4);

		const char *device = up_db_cell(&res, i, 6);

		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n", up_db_cell(&res, i, 0),
		       up_db_cell(&res, i, 1), up_db_cell(&res, i, 2), up_db_cell(&res, i, 3),
		       limit != NULL ? limit : "-",
		       strcmp(up_db_cell(&res, i, 5), "0") == 0 ? "active" : "revoked",
		       device != NULL ? "dev-" : "", device != NULL ? device : "-");
	}
	up_db_result_free(&res);
	return 0;
}

int admin_token(struct admin_env *env, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "issue") == 0)
		return token_issue(env, argc, argv);
	if (argc == 3 && strcmp(argv[1], "revoke") == 0)
		return token_revoke(env, argv[2]);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return token_list(env, argc, argv);
	admin_err("usage: token issue|revoke|list ...");
	return 2;
}
