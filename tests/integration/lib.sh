# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by the shell tests of tests/integration (run under
# tests/harness/run-test): counted checks and SQL on the private MariaDB.
#   ok WHAT / bad WHAT     count a check that passed / failed, and say it
#   expect WHAT WANT GOT   ok when GOT is WANT, else bad with both
#   sql STATEMENTS         run as root on database $it_db (default userpatch),
#                          rows tab-separated, no column names
#   it_finish              the summary line; exit 1 unless all passed (and
#                          at least one check ran)
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"

it_passed=0
it_failed=0
it_db=${it_db:-userpatch}

ok() {
	it_passed=$((it_passed + 1))
	echo "ok   $*"
}

bad() {
	it_failed=$((it_failed + 1))
	echo "FAIL $*"
}

expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$3', expected '$2'"; fi
}

sql() {
	mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -N -B "$it_db" -e "$1"
}

it_finish() {
	echo "$it_passed passed, $it_failed failed"
	[ "$it_failed" -eq 0 ] && [ "$it_passed" -gt 0 ] || exit 1
	exit 0
}
