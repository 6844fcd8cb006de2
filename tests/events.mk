# SPDX-License-Identifier: ISC
# Tests: the change feed (events appended by every write, GET /api/events).
check_PROGRAMS += tests/integration/test_events
TESTS += tests/integration/test_events
tests_integration_test_events_SOURCES = tests/integration/test_events.c \
	$(EVENTS_HANDLER_SOURCES) $(GROUPS_HANDLER_SOURCES) $(USERS_HANDLER_SOURCES) \
	$(DEVICES_HANDLER_SOURCES) $(DEVICE_APP_HANDLER_SOURCES)
tests_integration_test_events_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_events_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_events_LDADD = $(TEST_LIBS)

# `userpatch-admin events prune` (a database of its own).
TESTS += tests/integration/admin_events.sh
EXTRA_DIST += tests/integration/admin_events.sh

# Standard Webhooks secrets and signatures (no database).
check_PROGRAMS += tests/unit/test_webhook_sign
TESTS += tests/unit/test_webhook_sign
tests_unit_test_webhook_sign_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_webhook_sign_LDADD = $(TEST_LIBS)

# Addresses a webhook may not reach (no network).
check_PROGRAMS += tests/unit/test_net_guard
TESTS += tests/unit/test_net_guard
tests_unit_test_net_guard_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_net_guard_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_webhook_url
TESTS += tests/unit/test_webhook_url
tests_unit_test_webhook_url_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_webhook_url_LDADD = $(TEST_LIBS)

# The webhooks resource (/api/webhooks, served by the events program).
check_PROGRAMS += tests/integration/test_webhooks
TESTS += tests/integration/test_webhooks
tests_integration_test_webhooks_SOURCES = tests/integration/test_webhooks.c \
	$(EVENTS_HANDLER_SOURCES)
tests_integration_test_webhooks_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints \
	-I$(top_srcdir)/tests/common
tests_integration_test_webhooks_CFLAGS = $(TEST_CFLAGS)
tests_integration_test_webhooks_LDADD = $(TEST_LIBS)

# The webhooks resource through lighttpd with curl (checked against docs/openapi.yaml).
TESTS += tests/e2e/webhooks_api.sh
EXTRA_DIST += tests/e2e/webhooks_api.sh

# Validators of the webhooks table (the list type of types): no database.
check_PROGRAMS += tests/unit/test_webhook_validate
TESTS += tests/unit/test_webhook_validate
tests_unit_test_webhook_validate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_webhook_validate_LDADD = $(TEST_LIBS)

# The retry schedule of deliveries (wh_backoff_us, compiled in: no database).
check_PROGRAMS += tests/unit/test_webhook_backoff
TESTS += tests/unit/test_webhook_backoff
tests_unit_test_webhook_backoff_SOURCES = tests/unit/test_webhook_backoff.c \
	src/tools/webhook_opts.c src/tools/webhook_deliver.h
tests_unit_test_webhook_backoff_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/tools
tests_unit_test_webhook_backoff_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_webhook_backoff_LDADD = $(TEST_LIBS)

# `userpatch-admin webhooks deliver` against a real receiver (a database of its own).
TESTS += tests/integration/webhooks_deliver.sh
EXTRA_DIST += tests/integration/webhooks_deliver.sh tests/integration/webhook_receiver.py
