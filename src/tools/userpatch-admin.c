/* SPDX-License-Identifier: ISC */
/* userpatch-admin: schema migrations, tenants, tokens, and a JSON Patch tool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "admin.h"
#include "admin_common.h"
#include "log.h"

static const char usage[] =
        "usage: userpatch-admin [--config FILE] COMMAND ...\n"
        "       userpatch-admin --help | --version | COMMAND [SUBCOMMAND] --help\n"
        "  migrate [--schema-dir DIR]       apply new schema migrations\n"
        "  tenant add NAME                  create a tenant\n"
        "  tenant list                      list tenants (ID<TAB>NAME)\n"
        "  token issue --tenant NAME --scopes S1,S2 [--daily-limit N] [--label L] [--device "
        "dev-N]\n"
        "                                   issue a token; it is printed once, alone, on stdout\n"
        "  token issue --sql --tenant NAME --scopes ... [--daily-limit N] [--label L]\n"
        "                                   no database needed: print the SQL that stores the\n"
        "                                   token (and the tenant if new) on stdout, the token\n"
        "                                   once on stderr\n"
        "  token revoke ID                  revoke a token\n"
        "  token list [--tenant NAME]       list tokens (never their secrets)\n"
        "  json-patch [--merge] DOC_FILE PATCH_FILE\n"
        "                                   apply a JSON Patch (--merge: a JSON Merge Patch,\n"
        "                                   RFC 7396) to a document\n"
        "  positions prune --before TIME | --older-than DURATION [--tenant NAME]\n"
        "                  [--pause PERCENT]\n"
        "                                   delete device positions older than TIME (RFC 3339)\n"
        "                                   or DURATION (90d, 12w, 36h): whole months by\n"
        "                                   partition; each device keeps its newest "
        "(lastLocation);\n"
        "                                   a pause of PERCENT (default 300) of each delete's\n"
        "                                   time after it\n"
        "  alerts prune --before TIME | --older-than DURATION [--tenant NAME]\n"
        "                  [--pause PERCENT]\n"
        "                                   delete device alerts older than TIME or DURATION\n"
        "  positions partitions [--ahead N] add the monthly partitions of the next N months\n"
        "                                   (default 3; every prune does it too)\n"
        "  alerts partitions [--ahead N]    the same for alerts\n"
        "  audit prune --before TIME | --older-than DURATION [--tenant NAME]\n"
        "                                   delete audit rows older than TIME or DURATION\n"
        "  usage fold                       move the usage counts of days before yesterday\n"
        "                                   into daily totals (run it daily, from cron)\n"
        "  usage show TOKEN_ID              a token's lifetime count, then its count per UTC\n"
        "                                   day, newest first (DAY<TAB>COUNT)\n"
        "  events prune --older-than DURATION\n"
        "                                   delete change-feed events older than DURATION\n"
        "                                   (90d, 12w, 36h; a bare number is days) that every\n"
        "                                   enabled webhook has received (daily, from cron)\n"
        "  webhooks deliver --once | --follow [--batch N] [--parallel N]\n"
        "                                   send the webhooks' due deliveries: --once what is\n"
        "                                   due now (cron), --follow until SIGTERM (a service);\n"
        "                                   for tests: [--retry-window SECONDS] [--lease SECONDS]\n"
        "  webhooks prune --before TIME | --older-than DURATION\n"
        "                                   delete delivery attempts made before the cut and\n"
        "                                   finished deliveries due before it (daily, from cron)\n"
        "  export users|groups|devices --tenant NAME [--format csv]\n"
        "                                   every record of the tenant on stdout (NDJSON or CSV)\n"
        "  import users|groups|devices --tenant NAME [--on-conflict fail|skip|update]\n"
        "         [--dry-run] [--atomic] [--chunk N] [--resume] [--json] [--format F] FILE\n"
        "                                   import FILE (NDJSON, .csv, .json array) in chunks;\n"
        "                                   progress on stderr; exit status 1 if rows failed\n"
        "scopes: users:read users:write device_app_user:write devices:read devices:write\n"
        "        devices:report groups:read groups:write events:read webhooks:write\n"
        "The configuration is read from --config, $USERPATCH_CONFIG or " SYSCONFDIR
        "/userpatch.conf.\n";

/* The subcommand that serves cmd (each needs the configuration and the database), NULL if none. */
typedef int admin_fn(struct admin_env *env, int argc, char **argv);

static admin_fn *command(const char *cmd)
{
	if (strcmp(cmd, "migrate") == 0)
		return admin_migrate;
	if (strcmp(cmd, "tenant") == 0)
		return admin_tenant;
	if (strcmp(cmd, "token") == 0)
		return admin_token;
	if (strcmp(cmd, "positions") == 0)
		return admin_prune;
	if (strcmp(cmd, "alerts") == 0)
		return admin_prune;
	if (strcmp(cmd, "usage") == 0)
		return admin_usage;
	if (strcmp(cmd, "events") == 0)
		return admin_events;
	if (strcmp(cmd, "webhooks") == 0)
		return admin_webhooks;
	if (strcmp(cmd, "audit") == 0)
		return admin_audit;
	if (strcmp(cmd, "export") == 0 || strcmp(cmd, "import") == 0)
		return admin_bulk;
	return NULL;
}

int main(int argc, char **argv)
{
	struct admin_env env;
	const char *config_path = NULL, *cmd;
	admin_fn *fn;
	char err[256];
	int argi = 1, rc = 2;

	/*
	 * A web server ran it as a CGI program (under Apache mod_cgi a query
	 * without "=" becomes argv): do nothing at all.
	 */
	if (getenv("GATEWAY_INTERFACE") != NULL) {
		fputs("userpatch-admin: refusing to run as a CGI program (GATEWAY_INTERFACE "
		      "is set): it is a command-line tool, keep it out of the web server's "
		      "directories\n",
		      stderr);
		return 2;
	}
	memset(&env, 0, sizeof(env));
	if (sodium_init() < 0)
		return 1;
	up_log_init("userpatch-admin", UP_LOG_WARN, NULL);
	if (argi + 1 < argc && strcmp(argv[argi], "--config") == 0) {
		config_path = argv[argi + 1];
		argi += 2;
	}
	if (argi >= argc || strcmp(argv[argi], "--help") == 0 || strcmp(argv[argi], "-h") == 0) {
		fputs(usage, argi >= argc ? stderr : stdout);
		return argi >= argc ? 2 : 0;
	}
	if (strcmp(argv[argi], "--version") == 0)
		return admin_version();
	cmd = argv[argi];
	if (admin_wants_help(argc - argi, argv + argi))
		return admin_help(usage, argc - argi, argv + argi);
	if (strcmp(cmd, "json-patch") == 0)
		return up_admin_json_patch(argc - argi, argv + argi);
	fn = command(cmd);
	if (fn == NULL) {
		admin_err("unknown command '%s'", cmd);
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(cmd, "token") == 0 && admin_has_flag(argc, argv, argi + 1, "--sql"))
		return admin_token_sql(argc - argi, argv + argi);
	if (config_path == NULL)
		config_path = up_config_path();
	if (up_config_load(config_path, &env.cfg, err, sizeof(err)) != UP_OK) {
		admin_err("configuration %s: %s", config_path, err);
		return 1;
	}
	if (up_db_new(&env.cfg, &env.db) != UP_OK) {
		rc = 1;
		goto out;
	}
	rc = fn(&env, argc - argi, argv + argi);
out:
	up_db_close(env.db);
	up_db_library_end();
	up_config_free(&env.cfg);
	return rc;
}
