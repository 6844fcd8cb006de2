# Foundation tests: unit (no database) and integration (private MariaDB via
# tests/harness/run-test). Test helpers shared by every Check test:
check_LIBRARIES += tests/common/libtestutil.a
tests_common_libtestutil_a_SOURCES = tests/common/testutil.c tests/common/testutil.h
tests_common_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/common/libtestutil.a $(UP_LIBS) $(CHECK_LIBS)
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
