#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin events prune --older-than DAYS`: the events created more
# than DAYS days ago go, of every tenant, the newer stay; bad arguments
# change nothing.  Runs under tests/harness/run-test (private MariaDB with
# the schema applied).
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$UP_TEST_ADMIN" tenant add events-a >/dev/null
"$UP_TEST_ADMIN" tenant add events-b >/dev/null
ta=$(sql "SELECT id FROM tenants WHERE name = 'events-a'")
tb=$(sql "SELECT id FROM tenants WHERE name = 'events-b'")
# Tenant a: events 100, 40, 10 and 0 days old; tenant b: 100 and 0 days old.
for row in "$ta 100" "$ta 40" "$ta 10" "$ta 0" "$tb 100" "$tb 0"; do
	# shellcheck disable=SC2086 # two words: tenant, age
	set -- $row
	sql "INSERT INTO events (tenant_id, type, resource_id, version, request_id, created_at) VALUES ($1, 'group.created', 'g$2', 1, 'r', UTC_TIMESTAMP(6) - INTERVAL $2 DAY)"
done
count() { sql "SELECT COUNT(*) FROM events WHERE tenant_id = $1"; }

# Bad arguments: exit 2, nothing deleted.
for args in "prune" "prune --older-than" "prune --older-than 0" "prune --older-than 3d" \
	"prune --older-than -1" "trim --older-than 30" "prune --older-than 30 --extra x"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	"$UP_TEST_ADMIN" events $args >/dev/null 2>&1 || rc=$?
	expect "events $args exits 2" 2 "$rc"
done
expect "nothing deleted by refused commands" "4 2" "$(count "$ta") $(count "$tb")"

out=$("$UP_TEST_ADMIN" events prune --older-than 30)
expect "prune reports what it deleted" "pruned 3 events" "${out%% created*}"
expect "tenant a keeps 10 and 0 days old" "g0,g10" \
	"$(sql "SELECT GROUP_CONCAT(resource_id ORDER BY resource_id) FROM events WHERE tenant_id = $ta")"
expect "tenant b keeps its new event" "1" "$(count "$tb")"
out=$("$UP_TEST_ADMIN" events prune --older-than 30)
expect "a second run prunes nothing" "pruned 0 events" "${out%% created*}"
it_finish
