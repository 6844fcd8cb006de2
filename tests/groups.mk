# SPDX-License-Identifier: ISC
# Tests: groups (the Groups API on the generic resource layer).
check_PROGRAMS += tests/unit/test_group_validate tests/integration/test_groups
TESTS += tests/unit/test_group_validate tests/integration/test_groups

# Validators of the groups table: no database.
tests_unit_test_group_validate_SOURCES = tests/unit/test_group_validate.c \
	$(GROUPS_HANDLER_SOURCES)
tests_unit_test_group_validate_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints
tests_unit_test_group_validate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_group_validate_LDADD = $(TEST_LIBS)

# Every method and status against a private MariaDB (tests/harness/run-test).
tests_integration_test_groups_SOURCES = tests/integration/test_groups.c \
	$(GROUPS_HANDLER_SOURCES) $(USERS_HANDLER_SOURCES)
tests_integration_test_groups_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_groups_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_groups_LDADD = $(TEST_LIBS)

# Through lighttpd with curl (every response checked against docs/openapi.yaml).
TESTS += tests/e2e/groups_api.sh
EXTRA_DIST += tests/e2e/groups_api.sh

# Route tables of the generic layer (pattern matching, Allow, OPTIONS, 405): no database.
check_PROGRAMS += tests/unit/test_route
TESTS += tests/unit/test_route
tests_unit_test_route_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_route_LDADD = $(UP_LIBS) $(CHECK_LIBS)

# Migration 005 on users with free-text groups (a database of its own).
TESTS += tests/integration/migration_005.sh
EXTRA_DIST += tests/integration/migration_005.sh
