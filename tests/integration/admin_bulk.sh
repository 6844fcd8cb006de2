#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin import|export`: chunked imports with the file's own line
# numbers in the results, the exit status (1 when rows failed), progress on
# stderr (a line, not a bar, without a terminal), --json, an import killed
# in the middle and finished with --resume (every row exactly once), CSV,
# and an export of one tenant imported into another.  Runs under
# tests/harness/run-test (private MariaDB with the schema applied).
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$UP_TEST_ADMIN" tenant add bulk-a >/dev/null
"$UP_TEST_ADMIN" tenant add bulk-b >/dev/null
ta=$(sql "SELECT id FROM tenants WHERE name = 'bulk-a'")
tb=$(sql "SELECT id FROM tenants WHERE name = 'bulk-b'")
users() { sql "SELECT COUNT(*) FROM users WHERE tenant_id = $1"; }

# 1,000 rows, the 500th with a bad e-mail; an empty line after row 10.
for i in $(seq 1 1000); do
	if [ "$i" = 500 ]; then echo '{"name":"Bad","email":"not an address"}'; else echo "{\"name\":\"U $i\",\"email\":\"u$i@example.com\"}"; fi
	[ "$i" = 10 ] && echo
done >"$work/users.ndjson"
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-a --chunk 100 --json "$work/users.ndjson" >"$work/out" 2>"$work/err" || rc=$?
expect "exit status 1: a row failed" 1 "$rc"
expect "999 created" 999 "$(jq .created "$work/out")"
expect "the bad row by its line in the file" '[501]' "$(jq -c '[.results[].line]' "$work/out")"
expect "stored" 999 "$(users "$ta")"
if grep -q '1001/1001 rows\|1000/1000 rows' "$work/err" && ! grep -q $'\r' "$work/err"; then
	ok "progress lines on stderr, no bar without a terminal"
else
	bad "progress: $(head -c 300 "$work/err")"
fi
expect "no progress file left" no "$([ -e "$work/users.ndjson.progress" ] && echo yes || echo no)"
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-a --on-conflict skip "$work/users.ndjson" >"$work/out" 2>/dev/null || rc=$?
expect "again with skip: exit 1 for the bad row only" 1 "$rc"
expect "summary line" "created 0, updated 0, skipped 999, failed 1 of 1000 rows" "$(head -1 "$work/out")"

# Killed in the middle, then --resume: every row exactly once.
for i in $(seq 1 3000); do echo "{\"name\":\"R $i\",\"email\":\"r$i@example.com\",\"password\":\"\$argon2id\$v=19\$m=65536,t=2,p=1\$c29tZXNhbHQ\$aGFzaGhhc2hoYXNo\"}"; done >"$work/resume.ndjson"
"$UP_TEST_ADMIN" import users --tenant bulk-b --chunk 20 "$work/resume.ndjson" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	[ "$(users "$tb")" -ge 200 ] && break
	sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
mid=$(users "$tb")
if [ "$mid" -gt 0 ] && [ "$mid" -lt 3000 ]; then ok "interrupted after $mid rows"; else bad "not interrupted in the middle: $mid rows"; fi
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-b --chunk 20 --resume --on-conflict skip "$work/resume.ndjson" >"$work/out" 2>/dev/null || rc=$?
expect "resume: exit 0" 0 "$rc"
expect "every row once" "3000 3000" "$(sql "SELECT CONCAT(COUNT(*), ' ', COUNT(DISTINCT email)) FROM users WHERE tenant_id = $tb")"
if [ "$(sed -E 's/created ([0-9]+), updated 0, skipped ([0-9]+),.*/\1 \2/' "$work/out" | awk '{print ($1 + $2 <= 3000 - '"$mid"' + 20)}')" = 1 ]; then
	ok "resume sent only the rows after the last committed chunk"
else
	bad "resume: $(cat "$work/out")"
fi

# CSV, line numbers counting the header and a multi-line cell; an export moved to another tenant.
printf 'name,email,description\r\n"Multi",m1@example.com,"two\r\nlines"\r\nNo mail,bad,x\r\n' >"$work/users.csv"
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-a --json "$work/users.csv" >"$work/out" 2>/dev/null || rc=$?
expect "CSV: the bad record by its line" '[4]' "$(jq -c '[.results[].line]' "$work/out")"
"$UP_TEST_ADMIN" tenant add bulk-c >/dev/null
tc=$(sql "SELECT id FROM tenants WHERE name = 'bulk-c'")
"$UP_TEST_ADMIN" export users --tenant bulk-a --format csv >"$work/a.csv"
expect "export: a header and every user" "$(($(users "$ta") + 1))" "$(grep -c '^usr-\|^id,' "$work/a.csv")"
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-c "$work/a.csv" >/dev/null 2>&1 || rc=$?
expect "import into another tenant: exit 0" 0 "$rc"
expect "the same users there" "$(users "$ta")" "$(users "$tc")"
expect "the other tenant's users untouched" 3000 "$(users "$tb")"
rc=0
"$UP_TEST_ADMIN" import users --tenant nobody "$work/a.csv" >/dev/null 2>&1 || rc=$?
expect "unknown tenant: exit 2" 2 "$rc"

it_finish
