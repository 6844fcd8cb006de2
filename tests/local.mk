# SPDX-License-Identifier: ISC
# Foundation tests: unit (no database) and integration (private MariaDB via
# tests/harness/run-test). Test helpers shared by every Check test:
check_LIBRARIES += tests/common/libtestutil.a
tests_common_libtestutil_a_SOURCES = tests/common/testutil.c tests/common/testutil.h \
	tests/common/value_check.c tests/common/value_check.h
tests_common_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/common/libtestutil.a $(UP_LIBS) $(CHECK_LIBS)
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/common

# Unit tests (no database).
UNIT_TESTS = tests/unit/test_config tests/unit/test_http tests/unit/test_token \
	tests/unit/test_json tests/unit/test_request_io
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_LDADD = $(TEST_LIBS)
tests_unit_test_http_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_LDADD = $(TEST_LIBS)
tests_unit_test_token_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_token_LDADD = $(TEST_LIBS)
tests_unit_test_json_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_json_LDADD = $(TEST_LIBS)
tests_unit_test_request_io_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_request_io_LDADD = $(TEST_LIBS)

# Integration tests (a private MariaDB per program, started by the harness).
check_PROGRAMS += tests/integration/test_foundation
TESTS += tests/integration/test_foundation
tests_integration_test_foundation_SOURCES = tests/integration/test_foundation.c \
	$(USERS_HANDLER_SOURCES)
tests_integration_test_foundation_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_foundation_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_foundation_LDADD = $(TEST_LIBS)

# The configuration in force follows edits of its file (no database).
check_PROGRAMS += tests/unit/test_config_reload
TESTS += tests/unit/test_config_reload
tests_unit_test_config_reload_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_reload_LDADD = $(TEST_LIBS)

# A secret hashed outside the transaction: what a write is told to store (no database).
check_PROGRAMS += tests/unit/test_secret
TESTS += tests/unit/test_secret
tests_unit_test_secret_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_secret_LDADD = $(TEST_LIBS)

# Every migration records itself, so a hand import (phpMyAdmin) counts.
TESTS += tests/unit/test_schema_import.sh
EXTRA_DIST += tests/unit/test_schema_import.sh
# Statements and commits per request, usage counters, RateLimit headers.
check_PROGRAMS += tests/integration/test_request_cost
TESTS += tests/integration/test_request_cost
tests_integration_test_request_cost_SOURCES = tests/integration/test_request_cost.c \
	$(USERS_HANDLER_SOURCES) $(DEVICE_APP_HANDLER_SOURCES)
tests_integration_test_request_cost_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_request_cost_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_request_cost_LDADD = $(TEST_LIBS)
# The daily fold of the usage counts (userpatch-admin usage fold).
check_PROGRAMS += tests/integration/test_usage_fold
TESTS += tests/integration/test_usage_fold
tests_integration_test_usage_fold_SOURCES = tests/integration/test_usage_fold.c \
	$(USERS_HANDLER_SOURCES)
tests_integration_test_usage_fold_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_usage_fold_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_usage_fold_LDADD = $(TEST_LIBS)
TESTS += tests/integration/admin_usage.sh
EXTRA_DIST += tests/integration/admin_usage.sh tests/integration/lib.sh
