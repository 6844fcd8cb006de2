# SPDX-License-Identifier: ISC
# Tests: the tracker apps' protocols (/api/trackers/...).

# The decoders with each app's real requests: no database.
check_PROGRAMS += tests/unit/test_tracker_decode
tests_unit_test_tracker_decode_SOURCES = tests/unit/test_tracker_decode.c \
	$(TRACKER_DECODE_SOURCES)
tests_unit_test_tracker_decode_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints
tests_unit_test_tracker_decode_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tracker_decode_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_tracker_decode

# Through lighttpd with curl (every response checked against docs/openapi.yaml).
TESTS += tests/e2e/trackers_api.sh
EXTRA_DIST += tests/e2e/trackers_api.sh

# The device of a report, tracker_register_unknown and bound tokens, at
# handler level against a private MariaDB.
check_PROGRAMS += tests/integration/test_trackers
tests_integration_test_trackers_SOURCES = tests/integration/test_trackers.c \
	$(TRACKERS_HANDLER_SOURCES) $(DEVICES_HANDLER_SOURCES)
tests_integration_test_trackers_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_trackers_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_trackers_LDADD = $(TEST_LIBS)
TESTS += tests/integration/test_trackers
