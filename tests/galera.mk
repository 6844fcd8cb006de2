# SPDX-License-Identifier: ISC
# Fail-over against a real 3-node Galera cluster (tests/galera/failover.sh):
# about a minute and three database servers, so not part of `make check`;
# scripts/test runs it as its own stage (make check-galera).
GALERA_TESTS = tests/galera/failover.sh
EXTRA_DIST += $(GALERA_TESTS)

check-galera:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(GALERA_TESTS)'
.PHONY: check-galera

# The database layer's fault handling, handler-free, against the private
# MariaDB of the harness (killed connections, restart, a stopped server).
check_PROGRAMS += tests/integration/test_db_faults
TESTS += tests/integration/test_db_faults
tests_integration_test_db_faults_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/common
tests_integration_test_db_faults_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_db_faults_LDADD = $(TEST_LIBS)

# What each server and client error means to the database layer (db_error.c).
check_PROGRAMS += tests/unit/test_db_error
TESTS += tests/unit/test_db_error
tests_unit_test_db_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_db_error_LDADD = $(TEST_LIBS)
