# SPDX-License-Identifier: ISC
# Tests: lists whose cost does not grow with the tenant (migration 008).
# Each list query shape EXPLAINed and its reads counted, the kept group
# counts against COUNT(*) after concurrent writes, the offset window.
check_PROGRAMS += tests/integration/test_list_scale
TESTS += tests/integration/test_list_scale
tests_integration_test_list_scale_SOURCES = tests/integration/test_list_scale.c \
	$(USERS_HANDLER_SOURCES) $(GROUPS_HANDLER_SOURCES) $(DEVICES_HANDLER_SOURCES)
tests_integration_test_list_scale_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_list_scale_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_list_scale_LDADD = $(TEST_LIBS)
