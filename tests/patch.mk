# SPDX-License-Identifier: ISC
# JSON Patch engine tests (no database needed).
PATCH_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
PATCH_TEST_LDADD = $(UP_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/patch/test_json_patch tests/patch/test_json_patch_conformance \
	tests/patch/test_admin_json_patch tests/patch/test_json_merge_patch
TESTS += tests/patch/test_json_patch tests/patch/test_json_patch_conformance \
	tests/patch/test_admin_json_patch tests/patch/test_json_merge_patch

tests_patch_test_json_patch_SOURCES = tests/patch/test_json_patch.c
tests_patch_test_json_patch_CFLAGS = $(PATCH_TEST_CFLAGS)
tests_patch_test_json_patch_LDADD = $(PATCH_TEST_LDADD)

tests_patch_test_json_merge_patch_SOURCES = tests/patch/test_json_merge_patch.c
tests_patch_test_json_merge_patch_CFLAGS = $(PATCH_TEST_CFLAGS)
tests_patch_test_json_merge_patch_LDADD = $(PATCH_TEST_LDADD)

tests_patch_test_json_patch_conformance_SOURCES = tests/patch/test_json_patch_conformance.c
tests_patch_test_json_patch_conformance_CFLAGS = $(PATCH_TEST_CFLAGS)
tests_patch_test_json_patch_conformance_LDADD = $(PATCH_TEST_LDADD)

# The admin subcommand is compiled in directly: it is tested as a function.
tests_patch_test_admin_json_patch_SOURCES = tests/patch/test_admin_json_patch.c \
	src/tools/admin_json_patch.c src/tools/admin.h
tests_patch_test_admin_json_patch_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/tools
tests_patch_test_admin_json_patch_CFLAGS = $(PATCH_TEST_CFLAGS)
tests_patch_test_admin_json_patch_LDADD = $(PATCH_TEST_LDADD)

# Where the conformance suite comes from: skip or fail when it is absent.
TESTS += tests/patch/conformance_location.sh
EXTRA_DIST += tests/patch/conformance_location.sh
