# SPDX-License-Identifier: ISC
# Tests: device_app (POST /api/v1/device_app_user_update/).

# Validators: no database.
check_PROGRAMS += tests/unit/test_device
tests_unit_test_device_SOURCES = tests/unit/test_device.c
tests_unit_test_device_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_device_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_device

# The handler against a private MariaDB (tests/harness/run-test).
check_PROGRAMS += tests/integration/test_device_app
tests_integration_test_device_app_SOURCES = tests/integration/test_device_app.c \
	$(DEVICE_APP_HANDLER_SOURCES)
tests_integration_test_device_app_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_device_app_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_device_app_LDADD = $(TEST_LIBS)
TESTS += tests/integration/test_device_app

# Through lighttpd with curl.
TESTS += tests/e2e/device_app_seed.sh
EXTRA_DIST += tests/e2e/device_app_seed.sh

# One user store with PATCH /api/users/{id}.
TESTS += tests/e2e/device_app_users_patch.sh
EXTRA_DIST += tests/e2e/device_app_users_patch.sh

# The body decoder and password wiping: no database.
check_PROGRAMS += tests/unit/test_device_decode
tests_unit_test_device_decode_SOURCES = tests/unit/test_device_decode.c \
	src/endpoints/device_app_decode.c src/endpoints/device_app_fields.c src/endpoints/device_app.h
tests_unit_test_device_decode_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints
tests_unit_test_device_decode_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_device_decode_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_device_decode
