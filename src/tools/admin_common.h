/* admin_common.h: what the userpatch-admin subcommands share. */
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

int admin_migrate(struct admin_env *env, int argc, char **argv);
int admin_tenant(struct admin_env *env, int argc, char **argv);
int admin_token(struct admin_env *env, int argc, char **argv);

#endif
