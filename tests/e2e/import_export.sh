#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Bulk import and export through lighttpd with curl: the export streamed
# (no Content-Length) as NDJSON and as CSV, with the formula escape; the
# export -> import round trip changing nothing; each worker's peak memory,
# taken after an export of no rows, growing at most 2 MiB over exports of
# 60,000 users; an import body above max_body but within max_import_body;
# 413 past max_import_rows with nothing written; and a dry run of the
# largest import writing nothing (every answer is also checked against
# docs/openapi.yaml by lib.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
t_rw=$(e2e_token acme users:read,users:write rw)
nd='Content-Type: application/x-ndjson'
users() { e2e_sql "SELECT COUNT(*) FROM users WHERE tenant_id = $acme"; }

echo "# export"
e2e_user "$acme" '=HYPERLINK(1)' 'f@example.com' >/dev/null
reqt "$t_rw" GET /api/users/export
expect_status 200
expect_header Content-Type '^application/x-ndjson$'
if jq -e -s 'length == 1 and .[0].name == "=HYPERLINK(1)"' "$E2E_TMP/body" >/dev/null; then
	pass "one NDJSON line, the name as stored"
else
	fail "NDJSON export: $(head -c 300 "$E2E_TMP/body")"
fi
reqt "$t_rw" GET /api/users/export -H 'Accept: text/csv'
expect_status 200
expect_header Content-Type '^text/csv'
if head -1 "$E2E_TMP/body" | grep -q '^id,name,email,' && grep -q "^usr-[0-9]*,'=HYPERLINK(1),f@example.com," "$E2E_TMP/body"; then
	pass "CSV header row and the formula escape"
else
	fail "CSV export: $(head -c 300 "$E2E_TMP/body")"
fi
reqt "$t_rw" GET '/api/users/export?format=xml'
expect_status 400

echo "# round trip"
before=$(e2e_sql "SELECT SUM(version) FROM users WHERE tenant_id = $acme")
reqt "$t_rw" GET '/api/users/export?format=csv'
cp "$E2E_TMP/body" "$E2E_TMP/export.csv"
reqt "$t_rw" POST '/api/users/import?onConflict=update' -H 'Content-Type: text/csv' --data-binary @"$E2E_TMP/export.csv"
expect_status 200
if jq -e '.created == 0 and .updated == 0 and .failed == 0 and .skipped == 1' "$E2E_TMP/body" >/dev/null &&
	[ "$(e2e_sql "SELECT SUM(version) FROM users WHERE tenant_id = $acme")" = "$before" ]; then
	pass "export -> import changes nothing"
else
	fail "round trip: $(cat "$E2E_TMP/body")"
fi

echo "# memory"
# Each worker's peak RSS (VmHWM) is taken after a small export (the 1,000
# disabled users: two chunks of 500, so what any export costs once and per
# chunk is in it), then again after exports of every user: a worker that
# streams grows little, one that holds the export (about 20 MiB of CSV)
# grows by the export's size. (After an export of no rows, the first chunk's
# buffers alone came to 1.8 MiB, too close to the 2 MiB allowed.)
# This runs before the large imports below, whose bodies would raise the
# peaks and hide an export's growth. Under AddressSanitizer (the asan stage)
# a worker is several times slower and its quarantine holds freed memory,
# so peak RSS says nothing there: the export is smaller and only its rows
# are checked, and the test says so.
asan=0
workers=$(e2e_workers userpatch-users)
for p in $workers; do
	grep -q libasan "/proc/$p/maps" 2>/dev/null && asan=1
done
n=60000
[ "$asan" -eq 1 ] && n=10000
e2e_sql "INSERT INTO users (tenant_id, name, email, description, tags, disabled)
	SELECT $acme, CONCAT('User ', seq), CONCAT('u', seq, '@example.com'), REPEAT('x', 200), '{\"k\":\"v\"}', seq <= 1000
	FROM seq_1_to_$n"
# peaks: "PID KB" for each users worker, its peak RSS.
peaks() {
	local p
	for p in $(e2e_workers userpatch-users); do
		printf '%s %s\n' "$p" "$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)"
	done
}
# small_exports: four at once, so that every worker serves some.
# shellcheck disable=SC2317 # called by e2e_until_served
small_exports() {
	local i
	for ((i = 0; i < 4; i++)); do
		curl -s -o /dev/null -H "Authorization: Bearer $t_rw" \
			"$UP_TEST_BASE_URL/api/users/export?format=csv&disabled=true" &
	done
	wait
}
from=$(e2e_log_lines)
if e2e_until_served "$workers" "$from" small_exports; then
	pass "every worker ($(echo "$workers" | tr '\n' ' ')) served an export of the 1,000 disabled users"
else
	fail "not every worker served the small export"
fi
reqt "$t_rw" GET '/api/users/export?format=csv&disabled=true'
expect_status 200
if [ "$(wc -l <"$E2E_TMP/body")" -eq 1001 ]; then
	pass "the small export holds the header and 1,000 rows"
else
	fail "small export: $(wc -l <"$E2E_TMP/body") lines"
fi
peaks >"$E2E_TMP/peaks.before"
for f in ndjson csv; do
	reqt "$t_rw" GET "/api/users/export?format=$f" --max-time 180
	expect_status 200
done
peaks >"$E2E_TMP/peaks.after"
rows=$(($(wc -l <"$E2E_TMP/body") - 1))
bytes=$(wc -c <"$E2E_TMP/body")
# growth: the largest growth of one worker's peak (a worker started since counts whole).
growth=$(awk 'NR == FNR { before[$1] = $2; next }
	{ g = $2 - ($1 in before ? before[$1] : 0); if (g > max) max = g }
	END { print max + 0 }' "$E2E_TMP/peaks.before" "$E2E_TMP/peaks.after")
echo "     export of $rows users, $bytes bytes of CSV; workers' peak RSS (pid kB) before: $(tr '\n' ' ' <"$E2E_TMP/peaks.before")after: $(tr '\n' ' ' <"$E2E_TMP/peaks.after")"
if [ "$rows" -eq $((n + 1)) ]; then pass "every user exported"; else fail "exported $rows rows"; fi
if [ "$asan" -eq 1 ]; then
	echo "     worker peak memory not compared: an AddressSanitizer build (its quarantine keeps freed memory)"
elif [ -s "$E2E_TMP/peaks.before" ] && [ "$growth" -le 2048 ]; then
	pass "a worker's peak memory grew at most $growth kB (2 MiB allowed) over a $((bytes / 1048576)) MiB export"
else
	fail "a worker's peak memory grew $growth kB over a $((bytes / 1048576)) MiB export"
fi

echo "# limits"
# 10,000 rows (past max_body, within max_import_body), judged and not written.
seq 1 10000 | sed 's/.*/{"name":"Bulk &"}/' >"$E2E_TMP/rows.ndjson"
n=$(users)
reqt "$t_rw" POST '/api/users/import?dryRun=true' -H "$nd" --data-binary @"$E2E_TMP/rows.ndjson"
expect_status 200 "a body of $(wc -c <"$E2E_TMP/rows.ndjson") bytes"
if jq -e '.created == 10000 and .committed == false' "$E2E_TMP/body" >/dev/null && [ "$(users)" = "$n" ]; then
	pass "dry run of 10,000 rows: judged, nothing written"
else
	fail "dry run: $(head -c 300 "$E2E_TMP/body")"
fi
echo '{"name":"One too many"}' >>"$E2E_TMP/rows.ndjson"
reqt "$t_rw" POST /api/users/import -H "$nd" --data-binary @"$E2E_TMP/rows.ndjson"
expect_status 413
expect_json code '"payload_too_large"'
if [ "$(users)" = "$n" ]; then pass "nothing written"; else fail "rows written: $(users)"; fi

e2e_finish
