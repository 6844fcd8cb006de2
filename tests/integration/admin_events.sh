#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin events prune --older-than DURATION`: the events created
# more than DURATION (or a bare number of days) ago go, of every tenant, the
# newer stay, and so do the old ones an enabled webhook has not yet
# received; bad arguments change nothing.  Runs under tests/harness/run-test (private MariaDB with
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
for args in "prune" "prune --older-than" "prune --older-than 0" "prune --older-than 0d" "prune --older-than 3x" \
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

# The duration syntax of the other prunes: g10 is 240 hours old.
out=$("$UP_TEST_ADMIN" events prune --older-than 200h)
expect "--older-than 200h prunes the 10 days old event" "pruned 1 events" "${out%% created*}"
expect "tenant a keeps its new event" "g0" \
	"$(sql "SELECT GROUP_CONCAT(resource_id) FROM events WHERE tenant_id = $ta")"

# Webhooks hold what they have not received.  Tenant c's enabled webhook has
# taken seq 1 and 2 (cursor 2), seq 1 still pending; seq 3 and an unordered
# event are not taken yet.  Tenant d's webhook is disabled: it holds nothing.
"$UP_TEST_ADMIN" tenant add events-c >/dev/null
"$UP_TEST_ADMIN" tenant add events-d >/dev/null
tc=$(sql "SELECT id FROM tenants WHERE name = 'events-c'")
td=$(sql "SELECT id FROM tenants WHERE name = 'events-d'")
for row in "$tc 1 pending" "$tc 2 delivered" "$tc 3 none" "$tc NULL none" "$td NULL none"; do
	# shellcheck disable=SC2086 # three words: tenant, seq, delivery state
	set -- $row
	ins="INSERT INTO events (tenant_id, seq, type, resource_id, version, request_id, created_at) VALUES ($1, $2, 'user.updated', 'seq-$2', 1, 'r', UTC_TIMESTAMP(6) - INTERVAL 100 DAY)"
	if [ "$3" != none ]; then
		ins="$ins; INSERT INTO webhook_deliveries (webhook_id, tenant_id, event_id, event_seq, resource_id, state, next_attempt_at, created_at) VALUES (1, $1, LAST_INSERT_ID(), $2, 'seq-$2', '$3', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
	fi
	sql "$ins"
done
for row in "$tc 1 2" "$td 0 0"; do
	# shellcheck disable=SC2086 # three words: tenant, enabled, cursor
	set -- $row
	sql "INSERT INTO webhooks (tenant_id, url, event_types, secret, enabled, cursor_seq, created_at, updated_at) VALUES ($1, 'https://example.com/h', 'user.*', 'whsec_AAAA', $2, $3, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
done
out=$("$UP_TEST_ADMIN" events prune --older-than 50d)
expect "prune takes only what every enabled webhook has received" "pruned 2 events" "${out%% created*}"
expect "tenant c keeps the pending, the untaken and the unordered events" "seq-1,seq-3,seq-NULL" \
	"$(sql "SELECT GROUP_CONCAT(resource_id ORDER BY resource_id) FROM events WHERE tenant_id = $tc")"
expect "a disabled webhook holds nothing" 0 "$(count "$td")"
it_finish
