# SPDX-License-Identifier: ISC
# Tests: users. Integration tests run under tests/harness/run-test (private
# MariaDB); unit tests need no database.
USERS_IT_SOURCES = tests/integration/test_users_util.c tests/integration/test_users_util.h
USERS_IT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/common -I$(top_srcdir)/src/endpoints

USERS_IT = tests/integration/test_users_patch tests/integration/test_users_methods \
	tests/integration/test_users_concurrency
check_PROGRAMS += $(USERS_IT) tests/unit/test_user_validate
TESTS += $(USERS_IT) tests/unit/test_user_validate

tests_integration_test_users_patch_SOURCES = tests/integration/test_users_patch.c \
	$(USERS_IT_SOURCES) $(USERS_HANDLER_SOURCES)
tests_integration_test_users_patch_CPPFLAGS = $(USERS_IT_CPPFLAGS)
tests_integration_test_users_patch_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_users_patch_LDADD = $(TEST_LIBS)

tests_unit_test_user_validate_SOURCES = tests/unit/test_user_validate.c \
	tests/unit/user_validate.c tests/unit/user_validate.h
tests_unit_test_user_validate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_user_validate_LDADD = $(UP_LIBS) $(CHECK_LIBS)

tests_integration_test_users_methods_SOURCES = tests/integration/test_users_methods.c \
	$(USERS_IT_SOURCES) $(USERS_HANDLER_SOURCES)
tests_integration_test_users_methods_CPPFLAGS = $(USERS_IT_CPPFLAGS)
tests_integration_test_users_methods_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_users_methods_LDADD = $(TEST_LIBS)

tests_integration_test_users_concurrency_SOURCES = tests/integration/test_users_concurrency.c \
	$(USERS_IT_SOURCES) $(USERS_HANDLER_SOURCES)
tests_integration_test_users_concurrency_CPPFLAGS = $(USERS_IT_CPPFLAGS)
tests_integration_test_users_concurrency_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_users_concurrency_LDADD = $(TEST_LIBS)

# End-to-end through lighttpd (the harness starts it with the built programs).
USERS_E2E = tests/e2e/users_api.sh tests/e2e/users_concurrency.sh
TESTS += $(USERS_E2E)
EXTRA_DIST += $(USERS_E2E)

# docs/openapi.yaml: structural check (python3-yaml).
TESTS += tests/unit/test_user_openapi.sh
EXTRA_DIST += tests/unit/test_user_openapi.sh
