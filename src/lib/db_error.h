/* SPDX-License-Identifier: ISC */
/*
 * db_error.h: what a server or client error number means to the database
 * layer, from the error number and, where one number covers several causes,
 * the server's message.  Pure: no connection, no logging; db.c acts on it.
 */
#ifndef UP_DB_ERROR_H
#define UP_DB_ERROR_H

enum up_db_fault_kind {
	UP_DBF_OTHER = 0,   /* an error of the statement itself (500) */
	UP_DBF_CONFLICT,    /* deadlock (1213) or lock-wait timeout (1205): nothing
	                     * committed, run the transaction again */
	UP_DBF_DUPLICATE,   /* duplicate key (1062) */
	UP_DBF_LOST,        /* the connection is gone: the statement may or may not
	                     * have run */
	UP_DBF_SHUTDOWN,    /* the server is shutting down (1053): lost, and the
	                     * host is left */
	UP_DBF_NOT_PRIMARY, /* a Galera node outside the primary component: not
	                     * ready (1047), or its provider could not replicate
	                     * (1180 "Not connected to Primary Component"); nothing
	                     * was applied, the next host is tried */
	UP_DBF_READ_ONLY,   /* a read-only server refused a write (1290, 1836) */
	UP_DBF_UNREACHABLE, /* no connection could be made (2002, 2003, 1040) */
};

/* The kind of error number e with message msg (borrowed; NULL reads as ""). */
enum up_db_fault_kind up_db_error_kind(unsigned e, const char *msg);

#endif
