#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin positions prune` and `alerts prune`: rows before --before
# go, device by device; each device keeps its newest position (lastLocation)
# even when it is older than --before (alerts keep nothing); --tenant limits
# the prune to one tenant; one history's prune leaves the other alone; bad
# arguments change nothing.  Runs under tests/harness/run-test (private
# MariaDB with the schema applied).
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$UP_TEST_ADMIN" tenant add prune-a >/dev/null
"$UP_TEST_ADMIN" tenant add prune-b >/dev/null
ta=$(sql "SELECT id FROM tenants WHERE name = 'prune-a'")
tb=$(sql "SELECT id FROM tenants WHERE name = 'prune-b'")
# Device 1 (tenant a): fixes on days 1..10 of May 2025. Device 2 (tenant a):
# two old fixes only. Device 3 (tenant b): fixes on days 1..10 as device 1.
# Device 4 (tenant a): no position.
d1=$(sql "INSERT INTO devices (tenant_id) VALUES ($ta); SELECT LAST_INSERT_ID()")
d2=$(sql "INSERT INTO devices (tenant_id) VALUES ($ta); SELECT LAST_INSERT_ID()")
d3=$(sql "INSERT INTO devices (tenant_id) VALUES ($tb); SELECT LAST_INSERT_ID()")
d4=$(sql "INSERT INTO devices (tenant_id) VALUES ($ta); SELECT LAST_INSERT_ID()")
for d in $d1 $d3; do
	for day in 01 02 03 04 05 06 07 08 09 10; do
		sql "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES ($d, '2025-05-$day 12:00:00', 1, 1)"
	done
	sql "UPDATE devices SET last_fix_time = '2025-05-10 12:00:00' WHERE id = $d"
done
sql "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES ($d2, '2025-01-01 00:00:00', 1, 1), ($d2, '2025-01-02 00:00:00', 2, 2)"
sql "UPDATE devices SET last_fix_time = '2025-01-02 00:00:00' WHERE id = $d2"

count() { sql "SELECT COUNT(*) FROM positions WHERE device_id = $1"; }

# Bad arguments: exit 2, nothing deleted.
for args in "prune" "prune --before yesterday" "prune --before" "trim --before 2025-05-06T00:00:00Z" \
	"prune --before 2025-05-06T00:00:00Z --extra x"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	"$UP_TEST_ADMIN" positions $args >/dev/null 2>&1 || rc=$?
	expect "positions $args exits 2" 2 "$rc"
done
rc=0
"$UP_TEST_ADMIN" positions prune --before 2025-05-06T00:00:00Z --tenant nobody >/dev/null 2>&1 || rc=$?
expect "an unknown tenant exits 1" 1 "$rc"
expect "nothing deleted by refused commands" "10 2 10" "$(count "$d1") $(count "$d2") $(count "$d3")"

# Tenant a only, before May 6 (an offset is honoured: 02:00+02:00 is 00:00Z).
out=$("$UP_TEST_ADMIN" positions prune --before 2025-05-06T02:00:00+02:00 --tenant prune-a)
expect "prune reports what it deleted" "pruned 6 positions of 2 devices" "$out"
expect "device 1 keeps May 6..10" "5" "$(count "$d1")"
expect "device 1's oldest left is May 6" "2025-05-06 12:00:00.000000" \
	"$(sql "SELECT MIN(fix_time) FROM positions WHERE device_id = $d1")"
expect "device 2 keeps its newest position although older than --before" \
	"2025-01-02 00:00:00.000000" "$(sql "SELECT GROUP_CONCAT(fix_time) FROM positions WHERE device_id = $d2")"
expect "tenant b untouched" "10" "$(count "$d3")"

# Every tenant; a second run finds nothing more.
out=$("$UP_TEST_ADMIN" positions prune --before 2025-05-08T00:00:00Z)
expect "prune of every tenant" "pruned 9 positions of 2 devices" "$out"
expect "device 1 keeps May 8..10" "3" "$(count "$d1")"
expect "device 3 keeps May 8..10" "3" "$(count "$d3")"
out=$("$UP_TEST_ADMIN" positions prune --before 2025-05-08T00:00:00Z)
expect "a second run prunes nothing" "pruned 0 positions of 0 devices" "$out"

# Alerts: device 1 on May 1..4, device 3 (tenant b) on May 1..2, device 4
# (no position) on May 1.
add_alerts() { # DEVICE DAYS: one alert on each of May 1..DAYS
	local day
	for ((day = 1; day <= $2; day++)); do
		sql "INSERT INTO alerts (device_id, type, alert_time) VALUES ($1, 'sos', '2025-05-0$day 08:00:00')"
	done
}
add_alerts "$d1" 4
add_alerts "$d3" 2
add_alerts "$d4" 1
alerts() { sql "SELECT COUNT(*) FROM alerts WHERE device_id = $1"; }
positions_before=$(sql "SELECT COUNT(*) FROM positions")
for args in "prune" "prune --before soon" "trim --before 2025-05-03T00:00:00Z"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	"$UP_TEST_ADMIN" alerts $args >/dev/null 2>&1 || rc=$?
	expect "alerts $args exits 2" 2 "$rc"
done
expect "no alert deleted by refused commands" "4 2 1" "$(alerts "$d1") $(alerts "$d3") $(alerts "$d4")"
out=$("$UP_TEST_ADMIN" alerts prune --before 2025-05-03T00:00:00Z --tenant prune-a)
expect "alerts prune of tenant a reports what it deleted" "pruned 3 alerts of 2 devices" "$out"
expect "device 1 keeps May 3..4, device 3 (tenant b) both, device 4 none" "2 2 0" \
	"$(alerts "$d1") $(alerts "$d3") $(alerts "$d4")"
out=$("$UP_TEST_ADMIN" alerts prune --before 2025-06-01T00:00:00Z)
expect "alerts prune of every tenant keeps no newest" "pruned 4 alerts of 2 devices" "$out"
expect "no alert left" "0" "$(sql "SELECT COUNT(*) FROM alerts")"
expect "alerts prune leaves positions alone" "$positions_before" "$(sql "SELECT COUNT(*) FROM positions")"
expect "alerts --help shows the alerts command" "2" \
	"$("$UP_TEST_ADMIN" alerts --help | grep -c '^  alerts prune\|^usage:')"

it_finish
