/* SPDX-License-Identifier: ISC */
/* db_error.c: server and client error numbers, by what they mean for a request. */
#include <stddef.h>
#include <string.h>
#include "db_error.h"

/* One error number (and, when given, a part of its message) and its kind. */
struct error_rule {
	unsigned no;
	const char *msg_part; /* NULL: any message */
	enum up_db_fault_kind kind;
};

/* The first matching row wins. */
static const struct error_rule rules[] = {
        {1213, NULL, UP_DBF_CONFLICT}, /* ER_LOCK_DEADLOCK (also a Galera conflict) */
        {1205, NULL, UP_DBF_CONFLICT}, /* ER_LOCK_WAIT_TIMEOUT */
        {1062, NULL, UP_DBF_DUPLICATE},
        {2006, NULL, UP_DBF_LOST},        /* CR_SERVER_GONE_ERROR */
        {2013, NULL, UP_DBF_LOST},        /* CR_SERVER_LOST */
        {2055, NULL, UP_DBF_LOST},        /* CR_SERVER_LOST_EXTENDED */
        {1927, NULL, UP_DBF_LOST},        /* ER_CONNECTION_KILLED */
        {4031, NULL, UP_DBF_LOST},        /* ER_CLIENT_INTERACTION_TIMEOUT */
        {1243, NULL, UP_DBF_LOST},        /* prepared statement lost after a reconnect */
        {1053, NULL, UP_DBF_SHUTDOWN},    /* ER_SERVER_SHUTDOWN */
        {1047, NULL, UP_DBF_NOT_PRIMARY}, /* WSREP has not yet prepared node */
        /* ER_ERROR_DURING_COMMIT raised by the wsrep provider of a node cut
         * off from the cluster: the write set was not replicated, so the
         * transaction did not commit. Other 1180s keep their meaning. */
        {1180, "Not connected to Primary Component", UP_DBF_NOT_PRIMARY},
        {1290, NULL, UP_DBF_READ_ONLY},   /* ER_OPTION_PREVENTS_STATEMENT */
        {1836, NULL, UP_DBF_READ_ONLY},   /* ER_READ_ONLY_MODE */
        {2002, NULL, UP_DBF_UNREACHABLE}, /* CR_CONNECTION_ERROR */
        {2003, NULL, UP_DBF_UNREACHABLE}, /* CR_CONN_HOST_ERROR */
        {1040, NULL, UP_DBF_UNREACHABLE}, /* ER_CON_COUNT_ERROR */
};

enum up_db_fault_kind up_db_error_kind(unsigned e, const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].no != e)
			continue;
		if (rules[i].msg_part == NULL ||
		    (msg != NULL && strstr(msg, rules[i].msg_part) != NULL))
			return rules[i].kind;
	}
	return UP_DBF_OTHER;
}
