# Tests: device_app (POST /api/v1/device_app_user_update/).
DEVICE_APP_SOURCES = src/endpoints/device_app_handler.c src/endpoints/device_app_fields.c \
	src/endpoints/device_app_store.c src/endpoints/device_app.h

# Validators: no database.
check_PROGRAMS += tests/unit/test_device
tests_unit_test_device_SOURCES = tests/unit/test_device.c
tests_unit_test_device_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_device_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_device

# Through lighttpd with curl.
TESTS += tests/e2e/device_app_seed.sh
EXTRA_DIST += tests/e2e/device_app_seed.sh
