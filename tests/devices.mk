# SPDX-License-Identifier: ISC
# Tests: the Devices API (positions, alerts, devices of the one device store).

# Position and alert checks: no database.
check_PROGRAMS += tests/unit/test_position
tests_unit_test_position_SOURCES = tests/unit/test_position.c
tests_unit_test_position_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_position_LDADD = $(TEST_LIBS)
TESTS += tests/unit/test_position

# Handlers against a private MariaDB (tests/harness/run-test).
DEVICES_IT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints -I$(top_srcdir)/tests/common
check_PROGRAMS += tests/integration/test_devices_track
tests_integration_test_devices_track_SOURCES = tests/integration/test_devices_track.c \
	$(DEVICES_HANDLER_SOURCES)
tests_integration_test_devices_track_CPPFLAGS = $(DEVICES_IT_CPPFLAGS)
tests_integration_test_devices_track_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_devices_track_LDADD = $(TEST_LIBS)
TESTS += tests/integration/test_devices_track

# userpatch-admin positions prune and alerts prune (private MariaDB).
TESTS += tests/integration/admin_prune.sh
EXTRA_DIST += tests/integration/admin_prune.sh
# Migration 012 on existing history, partition prunes, audit prune.
TESTS += tests/integration/retention.sh
EXTRA_DIST += tests/integration/retention.sh

# Through lighttpd with curl (every response checked against docs/openapi.yaml).
TESTS += tests/e2e/devices_api.sh
EXTRA_DIST += tests/e2e/devices_api.sh

# Devices (list, read, JSON Patch) and the one device store across the
# Devices API, the Users API and the device-app endpoint.
check_PROGRAMS += tests/integration/test_devices
tests_integration_test_devices_SOURCES = tests/integration/test_devices.c \
	$(DEVICES_HANDLER_SOURCES) $(USERS_HANDLER_SOURCES) $(DEVICE_APP_HANDLER_SOURCES) \
	$(GROUPS_HANDLER_SOURCES)
tests_integration_test_devices_CPPFLAGS = $(DEVICES_IT_CPPFLAGS)
tests_integration_test_devices_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_devices_LDADD = $(TEST_LIBS)
TESTS += tests/integration/test_devices
