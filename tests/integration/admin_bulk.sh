#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin import|export`: chunked imports with the file's own line
# numbers in the results, the exit status (1 when rows failed), progress on
# stderr (a line without a terminal, a bar on one), --json, an import killed
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
# On a terminal (script(1) gives stderr one): the bar, redrawn in place.
"$UP_TEST_ADMIN" tenant add bulk-tty >/dev/null
script -qec "$(printf '%q ' "$UP_TEST_ADMIN" import users --tenant bulk-tty --chunk 100 "$work/users.ndjson") >/dev/null" \
	"$work/tty" >/dev/null 2>&1 || true
if grep -q $'\r\[#' "$work/tty" && grep -q '\[##############################\] 1000/1000 rows .* rows/s  ETA 0s' "$work/tty" &&
	! grep -q 'userpatch-admin: [0-9]*/' "$work/tty"; then
	ok "on a terminal: a bar redrawn in place, full at the end, no progress lines"
else
	bad "progress on a terminal: $(tr '\r' '|' <"$work/tty" | head -c 400)"
fi
expect "the terminal's import stored its rows" 999 "$(users "$(sql "SELECT id FROM tenants WHERE name = 'bulk-tty'")")"
rc=0
"$UP_TEST_ADMIN" import users --tenant bulk-a --on-conflict skip "$work/users.ndjson" >"$work/out" 2>/dev/null || rc=$?
expect "again with skip: exit 1 for the bad row only" 1 "$rc"
expect "summary line" "created 0, updated 0, skipped 999, failed 1 of 1000 rows" "$(head -1 "$work/out")"

# Killed in the middle, then --resume: every row exactly once.  The rows
# name no unique key (no e-mail), so a row sent twice would be a second
# user.  The run FILE.progress names counts its rows in import_runs, in the
# transaction of the rows it counts: after a kill -9 it is the number of
# users stored, and --resume sends only the rows after it.
run_of() { sed -n 's/^run //p' "$1.progress"; }
done_of() { sql "SELECT rows_done FROM import_runs WHERE tenant_id = $1 AND run_id = '$2'"; }
# kill_when PID TENANT MIN STEP: kill -9 the import once TENANT has MIN users
# or more, and (STEP > 0) a number that is not a multiple of STEP: stopped
# first, and the count read again, so that it holds when the kill comes.
kill_when() {
	local n
	for _ in $(seq 1 1000); do
		n=$(users "$2")
		if [ "$n" -ge "$3" ] && { [ "$4" = 0 ] || [ $((n % $4)) != 0 ]; }; then
			kill -STOP "$1"
			sleep 0.2
			n=$(users "$2")
			[ "$4" = 0 ] || [ $((n % $4)) != 0 ] && break
			kill -CONT "$1"
		fi
		sleep 0.02
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
# resume_case WHAT TENANT ROWS CHUNK MIN STEP FILE: import FILE (ROWS rows)
# into tenant bulk-TENANT in requests of CHUNK rows, kill it (kill_when MIN
# STEP), resume it, and check that every row is stored once.
resume_case() {
	local w=$1 t rows=$3 mid run rc=0
	t=$(tenant "$2")
	"$UP_TEST_ADMIN" import users --tenant "bulk-$2" --chunk "$4" "$7" >/dev/null 2>&1 &
	kill_when "$!" "$t" "$5" "$6"
	mid=$(users "$t")
	run=$(run_of "$7")
	if [ "$mid" -gt 0 ] && [ "$mid" -lt "$rows" ] && { [ "$6" = 0 ] || [ $((mid % $6)) != 0 ]; }; then
		ok "$w: killed after $mid rows"
	else
		bad "$w: not killed where meant: $mid rows"
	fi
	expect "$w: the run's count is the users stored" "$mid" "$(done_of "$t" "$run")"
	"$UP_TEST_ADMIN" import users --tenant "bulk-$2" --chunk "$4" --resume --json "$7" >"$work/out" 2>/dev/null || rc=$?
	expect "$w: resume: exit 0" 0 "$rc"
	expect "$w: resume created the rows after the committed ones only" "$((rows - mid))" "$(jq .created "$work/out")"
	expect "$w: every row once" "$rows $rows" \
		"$(sql "SELECT CONCAT(COUNT(*), ' ', COUNT(DISTINCT name)) FROM users WHERE tenant_id = $t")"
	expect "$w: the run and its file are gone" "0 no" \
		"$(sql "SELECT COUNT(*) FROM import_runs WHERE tenant_id = $t") $([ -e "$7.progress" ] && echo yes || echo no)"
}
tenant() { sql "SELECT id FROM tenants WHERE name = 'bulk-$1'"; }
for i in $(seq 1 3000); do echo "{\"name\":\"R $i\"}"; done >"$work/resume.ndjson"
resume_case "requests of 20" b 3000 20 200 0 "$work/resume.ndjson"
# Requests of 2,500 rows, over the handler's own chunk (1,000): killed
# between two of its commits inside one request.  The chunks of a request
# commit one right after the other, so that the poll can catch the moment
# between two of them on a loaded machine too, a trigger of this test's
# database makes each row take 0.2 ms more (200 ms a chunk) for these two
# cases.
sql "CREATE TRIGGER test_slow_rows BEFORE INSERT ON users FOR EACH ROW SET @slow = SLEEP(0.0002)"
"$UP_TEST_ADMIN" tenant add bulk-d >/dev/null
for i in $(seq 1 5000); do echo "{\"name\":\"D $i\"}"; done >"$work/big.ndjson"
resume_case "requests of 2500" d 5000 2500 1 2500 "$work/big.ndjson"
# A JSON array is one request: on resume the handler leaves its committed rows out.
"$UP_TEST_ADMIN" tenant add bulk-e >/dev/null
jq -sc . "$work/big.ndjson" >"$work/big.json"
resume_case "a JSON array" e 5000 20 1 5000 "$work/big.json"
sql "DROP TRIGGER test_slow_rows"

# A progress file that names no run of the tenant is not resumed; a dry run records nothing.
rc=0
printf 'run %s\n' "$(printf '%032d' 0)" >"$work/big.ndjson.progress"
"$UP_TEST_ADMIN" import users --tenant bulk-d --resume "$work/big.ndjson" >/dev/null 2>"$work/err" || rc=$?
expect "unknown run: exit 2, nothing sent" "2 5000" "$rc $(users "$(tenant d)")"
rm -f "$work/big.ndjson.progress"
"$UP_TEST_ADMIN" import users --tenant bulk-d --dry-run "$work/big.ndjson" >/dev/null 2>&1 || true
expect "dry run: no run, no file" "0 no" \
	"$(sql "SELECT COUNT(*) FROM import_runs") $([ -e "$work/big.ndjson.progress" ] && echo yes || echo no)"

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
