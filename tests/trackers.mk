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
