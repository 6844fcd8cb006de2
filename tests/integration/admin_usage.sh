#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin usage fold` and `usage show`: the fold reports what it
# moved and keeps every count (lifetime and per day); show lists a token's
# days newest first after its lifetime count; bad arguments exit 2 and an
# unknown token 1, changing nothing.  Runs under tests/harness/run-test
# (private MariaDB with the schema applied).
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

day() { sql "SELECT UTC_DATE() - INTERVAL $1 DAY"; }

"$UP_TEST_ADMIN" tenant add usage-a >/dev/null
"$UP_TEST_ADMIN" token issue --tenant usage-a --scopes users:read --label a >/dev/null
"$UP_TEST_ADMIN" token issue --tenant usage-a --scopes users:read --label b >/dev/null
ta=$(sql "SELECT id FROM api_tokens WHERE label = 'a'")
tb=$(sql "SELECT id FROM api_tokens WHERE label = 'b'")
# Token a: 3 days ago (two slots), 2 days ago, yesterday, today. Token b: 10 days ago.
sql "INSERT INTO api_usage_slot (token_id, day, slot, count) VALUES
	($ta, UTC_DATE() - INTERVAL 3 DAY, 1, 5), ($ta, UTC_DATE() - INTERVAL 3 DAY, 2, 7),
	($ta, UTC_DATE() - INTERVAL 2 DAY, 1, 11), ($ta, UTC_DATE() - INTERVAL 1 DAY, 1, 13),
	($ta, UTC_DATE(), 1, 17), ($tb, UTC_DATE() - INTERVAL 10 DAY, 9, 19)"
want_a="lifetime	53
$(day 0)	17
$(day 1)	13
$(day 2)	11
$(day 3)	12"
expect "usage show before the fold" "$want_a" "$("$UP_TEST_ADMIN" usage show "$ta")"

# Bad arguments: exit 2; an unknown token: exit 1; nothing changed.
for args in "" "fold now" "show" "show x" "show 0" "show $ta $tb" "list"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	"$UP_TEST_ADMIN" usage $args >/dev/null 2>&1 || rc=$?
	expect "usage $args exits 2" 2 "$rc"
done
rc=0
"$UP_TEST_ADMIN" usage show 999999 >/dev/null 2>&1 || rc=$?
expect "an unknown token exits 1" 1 "$rc"
expect "nothing folded by refused commands" "6 0" \
	"$(sql "SELECT CONCAT((SELECT COUNT(*) FROM api_usage_slot), ' ', (SELECT COUNT(*) FROM api_usage))")"

out=$("$UP_TEST_ADMIN" usage fold)
expect "fold reports what it moved" \
	"folded 4 rows of 2 tokens (42 requests, days before $(day 1))" "$out"
expect "yesterday and today stay in the slot rows" "2" \
	"$(sql "SELECT COUNT(*) FROM api_usage_slot")"
expect "usage show after the fold is the same" "$want_a" "$("$UP_TEST_ADMIN" usage show "$ta")"
expect "token b's day is kept" "lifetime	19
$(day 10)	19" "$("$UP_TEST_ADMIN" usage show "$tb")"
out=$("$UP_TEST_ADMIN" usage fold)
expect "a second fold moves nothing" \
	"folded 0 rows of 0 tokens (0 requests, days before $(day 1))" "$out"
# A fold that fails half-way (here: a database without the api_usage table)
# exits 1, points at migrate, and leaves every count where it was: the rows
# its DELETE took come back with the rollback.
sql "RENAME TABLE api_usage TO api_usage_away"
sql "INSERT INTO api_usage_slot (token_id, day, slot, count) VALUES ($ta, UTC_DATE() - INTERVAL 5 DAY, 1, 23)"
rc=0
err=$("$UP_TEST_ADMIN" usage fold 2>&1 >/dev/null) || rc=$?
expect "a fold without api_usage exits 1" 1 "$rc"
case $err in
*"run userpatch-admin migrate"*) ok "it says to run migrate" ;;
*) bad "no hint to run migrate: $err" ;;
esac
expect "the counts it could not fold stay" "3 23" \
	"$(sql "SELECT CONCAT(COUNT(*), ' ', SUM(count * (day = UTC_DATE() - INTERVAL 5 DAY))) FROM api_usage_slot")"
sql "RENAME TABLE api_usage_away TO api_usage"
expect "usage --help shows the usage commands" "3" \
	"$("$UP_TEST_ADMIN" usage --help | grep -c '^  usage \|^usage:')"

it_finish
