# End-to-end tests through real web servers. Each runs under
# tests/harness/run-test, which starts a private MariaDB and lighttpd.
TESTS += tests/e2e/get_user.sh
EXTRA_DIST += tests/e2e/lib.sh tests/e2e/get_user.sh tests/harness
