# SPDX-License-Identifier: ISC
# Tests: bulk import and export (every family).

# The CSV writer and reader, and the import body reader: no database.
check_PROGRAMS += tests/unit/test_csv
TESTS += tests/unit/test_csv
tests_unit_test_csv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_csv_LDADD = $(UP_LIBS) $(CHECK_LIBS)

# Policies, dry runs, atomic imports, CSV, round trips, tenants against a private MariaDB.
check_PROGRAMS += tests/integration/test_import
TESTS += tests/integration/test_import
tests_integration_test_import_SOURCES = tests/integration/test_import.c \
	$(USERS_HANDLER_SOURCES) $(GROUPS_HANDLER_SOURCES) $(DEVICES_HANDLER_SOURCES)
tests_integration_test_import_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_import_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_import_LDADD = $(TEST_LIBS)

# Through lighttpd with curl: streaming, CSV, limits, round trip, worker memory.
TESTS += tests/e2e/import_export.sh
EXTRA_DIST += tests/e2e/import_export.sh

# userpatch-admin import|export: chunks, progress, --resume after a kill, --json, exit status.
TESTS += tests/integration/admin_bulk.sh
EXTRA_DIST += tests/integration/admin_bulk.sh
