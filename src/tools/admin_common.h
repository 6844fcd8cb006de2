/* SPDX-License-Identifier: ISC */
/* admin_common.h: what the userpatch-admin subcommands share; defined in admin_common.c. */
#ifndef UP_ADMIN_COMMON_H
#define UP_ADMIN_COMMON_H

#include <stdint.h>
#include "config.h"
#include "db.h"

struct admin_env {
	struct up_config cfg;
	struct up_db *db;
};

/* Print "userpatch-admin: <msg>" on stderr. */
void admin_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Value of option name (e.g. "--tenant") in argv[from..argc), NULL if absent; -1 in *bad if given
 * without a value. */
const char *admin_opt(int argc, char **argv, int from, const char *name, int *bad);

/* 1 if the flag name (e.g. "--sql") is among argv[from..argc), else 0. */
int admin_has_flag(int argc, char **argv, int from, const char *name);

/*
 * The cut of a prune, from argv[from..argc): --before TIME (RFC 3339) or
 * --older-than DURATION (up_parse_duration: now minus it), exactly one of
 * them; written to cut as "YYYY-MM-DD HH:MM:SS.ffffff" UTC.  0, or -1
 * after saying what is wrong on stderr.
 */
int admin_cut(int argc, char **argv, int from, char cut[27]);

/* Tenant id by name: UP_ERR_NOT_FOUND if none. */
enum up_err admin_tenant_id(struct up_db *db, const char *name, uint64_t *id);

/* `--version`: print the version on stdout; returns 0. */
int admin_version(void);

/* 1 if argv[1..argc) holds --help or -h (argv[0] is the command). */
int admin_wants_help(int argc, char **argv);

/*
 * `COMMAND [SUBCOMMAND] --help` (argv[0] is the command): print on stdout the
 * lines of usage (the tool's usage text, borrowed) that describe it; 0, or 2
 * after an error message if usage has no such command.
 */
int admin_help(const char *usage, int argc, char **argv);

/* 1 if name is a valid tenant name (1-64 of A-Z a-z 0-9 . _ -), else 0. */
int admin_tenant_name_valid(const char *name);

/*
 * `token issue --sql ...` (argv[0] is "token"): no configuration, no database.
 * Prints the SQL that stores the new token's digest (and creates the tenant
 * if it is new) on stdout, and the token itself, once, on stderr.
 */
int admin_token_sql(int argc, char **argv);

int admin_migrate(struct admin_env *env, int argc, char **argv);
int admin_tenant(struct admin_env *env, int argc, char **argv);
int admin_token(struct admin_env *env, int argc, char **argv);
/* `positions prune ...` and `alerts prune ...` (argv[0] is the history's name). */
int admin_prune(struct admin_env *env, int argc, char **argv);
int admin_usage(struct admin_env *env, int argc, char **argv);
/* `events prune --older-than DURATION|DAYS`. */
int admin_events(struct admin_env *env, int argc, char **argv);
/* `webhooks deliver ...` (admin_webhooks.c). */
int admin_webhooks(struct admin_env *env, int argc, char **argv);
/* `webhooks prune ...` (webhook_prune.c; argv[0] is "webhooks"). */
int admin_webhooks_prune(struct admin_env *env, int argc, char **argv);
/* `audit prune ...` (admin_audit.c). */
int admin_audit(struct admin_env *env, int argc, char **argv);
/* `export ...` and `import ...` (argv[0] is which; admin_bulk.c). */
int admin_bulk(struct admin_env *env, int argc, char **argv);

#endif
