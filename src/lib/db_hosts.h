/* SPDX-License-Identifier: ISC */
/*
 * db_hosts.h: the db_host list, "host[:port]" or "[ipv6][:port]" entries
 * separated by commas.  Read by the configuration parser (syntax check) and
 * by the database layer (the hosts it connects to); depends on neither.
 */
#ifndef UP_DB_HOSTS_H
#define UP_DB_HOSTS_H

#include <stddef.h>
#include "errors.h"

/* Longest host name in db_host. */
#define UP_DB_HOST_MAX 256
/* Most hosts db_host may list. */
#define UP_DB_HOSTS_MAX 16

/* One entry of db_host. */
struct up_db_host {
	char name[UP_DB_HOST_MAX];      /* as given, without brackets or port */
	char label[UP_DB_HOST_MAX + 8]; /* "name:port" (or "localhost") for the logs */
	unsigned port;                  /* 0: the configured db_port */
};

/*
 * Split list (borrowed; NULL means "localhost") into hosts[0..max-1], each
 * labelled with default_port when it names none.  Returns the number of
 * hosts, or -1 with a sentence in err (the list is too long or an entry is
 * not host, host:port or [ipv6]:port).
 */
int up_db_hosts_parse(const char *list, unsigned default_port, struct up_db_host *hosts, size_t max,
                      char *err, size_t errlen);

/* Check the syntax of a db_host list; UP_ERR_CONFIG with a reason in err. */
enum up_err up_db_check_hosts(const char *list, char *err, size_t errlen);

#endif
