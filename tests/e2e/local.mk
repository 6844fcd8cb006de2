# SPDX-License-Identifier: ISC
# End-to-end tests through real web servers. Each runs under
# tests/harness/run-test, which starts a private MariaDB and lighttpd.
TESTS += tests/e2e/get_user.sh
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/get_user.sh tests/harness

# Database faults: restarts, lost connections, crashes (db.c).
DB_FAULT_TESTS = tests/e2e/db_restart.sh tests/e2e/chaos_db_kill.sh \
	tests/e2e/chaos_worker_kill.sh
TESTS += $(DB_FAULT_TESTS)
EXTRA_DIST += $(DB_FAULT_TESTS)

# Shared hosting as the customer does it: the bundle, suEXEC, the no-shell
# token, config reload, the no-AuthConfig .htaccess (needs root).
TESTS += tests/e2e/shared_hosting.sh
EXTRA_DIST += tests/e2e/shared_hosting.sh

# An edited db_host takes effect at every worker's next request.
TESTS += tests/e2e/config_reload.sh
EXTRA_DIST += tests/e2e/config_reload.sh

# Bad input found by review (query escapes, UTF-8 cuts, identifiers, email
# case, preference numbers, request ids) through lighttpd.
TESTS += tests/e2e/bad_input.sh
EXTRA_DIST += tests/e2e/bad_input.sh

# Usage counters across the worker pool: idle and exit writes, quota under
# concurrency (docs/operations.md, "Usage counters").
TESTS += tests/e2e/usage_counts.sh
EXTRA_DIST += tests/e2e/usage_counts.sh

# How a worker closes its FastCGI connections (Unix socket: at once; TCP:
# libfcgi's careful close), talking FastCGI to one worker directly.
TESTS += tests/e2e/fastcgi_close.sh
EXTRA_DIST += tests/e2e/fastcgi_close.sh tests/e2e/fastcgi_close.py
