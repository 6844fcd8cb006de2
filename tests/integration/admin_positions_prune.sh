#!/usr/bin/env bash
# `userpatch-admin positions prune`: positions before --before go, device by
# device; each device keeps its newest position (lastLocation) even when it
# is older than --before; --tenant limits the prune to one tenant; bad
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
sql "INSERT INTO devices (tenant_id) VALUES ($ta)"
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

it_finish
