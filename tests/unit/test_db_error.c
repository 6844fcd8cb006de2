/* SPDX-License-Identifier: ISC */
/* Unit tests: what each server and client error means to the database layer. */
#include <check.h>
#include "db_error.h"
#include "testutil.h"

static const struct {
	int line;
	const char *desc;
	unsigned no;
	const char *msg;
	enum up_db_fault_kind want;
} cases[] = {
        {__LINE__, "deadlock: run the transaction again", 1213,
         "Deadlock found when trying to get lock; try restarting transaction", UP_DBF_CONFLICT},
        {__LINE__, "lock wait timeout: run it again", 1205, "Lock wait timeout exceeded",
         UP_DBF_CONFLICT},
        {__LINE__, "duplicate key", 1062, "Duplicate entry 'a' for key 'uq_users_email'",
         UP_DBF_DUPLICATE},
        {__LINE__, "server gone", 2006, "Server has gone away", UP_DBF_LOST},
        {__LINE__, "connection lost during a query", 2013, "Lost connection", UP_DBF_LOST},
        {__LINE__, "connection killed", 1927, "Connection was killed", UP_DBF_LOST},
        {__LINE__, "prepared statement lost after a reconnect", 1243,
         "Unknown prepared statement handler", UP_DBF_LOST},
        {__LINE__, "server shutting down", 1053, "Server shutdown in progress", UP_DBF_SHUTDOWN},
        {__LINE__, "Galera node not ready", 1047,
         "WSREP has not yet prepared node for application use", UP_DBF_NOT_PRIMARY},
        {__LINE__, "Galera node cut off: fragment not appended", 1180,
         "Error while appending streaming replication fragment (provider status: Not "
         "connected to Primary Component)",
         UP_DBF_NOT_PRIMARY},
        {__LINE__, "Galera node cut off: commit not replicated", 1180,
         "Error during commit : (provider status: Not connected to Primary Component)",
         UP_DBF_NOT_PRIMARY},
        {__LINE__, "1180 of another cause keeps its meaning", 1180,
         "Got error 28 \"No space left on device\" during COMMIT", UP_DBF_OTHER},
        {__LINE__, "1180 without a message", 1180, NULL, UP_DBF_OTHER},
        {__LINE__, "read-only server", 1290,
         "The MariaDB server is running with the --read-only option so it cannot execute "
         "this statement",
         UP_DBF_READ_ONLY},
        {__LINE__, "read-only mode", 1836, "Running in read-only mode", UP_DBF_READ_ONLY},
        {__LINE__, "cannot connect (socket)", 2002, "Can't connect to server", UP_DBF_UNREACHABLE},
        {__LINE__, "cannot connect (TCP)", 2003, "Can't connect to server on '10.0.0.9'",
         UP_DBF_UNREACHABLE},
        {__LINE__, "too many connections", 1040, "Too many connections", UP_DBF_UNREACHABLE},
        {__LINE__, "a statement's own error", 1064, "You have an error in your SQL syntax",
         UP_DBF_OTHER},
        {__LINE__, "data too long", 1406, "Data too long for column 'name'", UP_DBF_OTHER},
        {__LINE__, "no error", 0, "", UP_DBF_OTHER},
};

START_TEST(test_error_kinds)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum up_db_fault_kind got = up_db_error_kind(cases[i].no, cases[i].msg);

		ck_assert_msg(got == cases[i].want, "line %d (%s): %u gives kind %d, want %d",
		              cases[i].line, cases[i].desc, cases[i].no, (int)got,
		              (int)cases[i].want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db_error");
	TCase *tc = tcase_create("kinds");

	tcase_add_test(tc, test_error_kinds);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
