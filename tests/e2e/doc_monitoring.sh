#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The one-liners of the "Monitoring" section of docs/operations.md run as
# printed on a real log: requests answered 200, 401 and, with the database
# stopped, 503 are logged by the programs; the section's `sh` block, run in a
# directory where that log is userpatch.log, must count every request line
# of each minute and exactly the 503s among them.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
: "${UP_TEST_WEB_DIR:?run this test through tests/harness/run-test}"

acme=$(e2e_tenant acme)
t=$(e2e_token acme users:read rw)
u=$(e2e_user "$acme" 'Ana' 'ana@example.com')

for _ in 1 2 3; do
	reqt "$t" GET "/api/users/$u"
done
req GET "/api/users/$u"
"$UP_TEST_DB_CTL" stop "$UP_TEST_DB_DIR"
E2E_OPENAPI_SKIP=1 # (answers without a database are checked elsewhere)
for _ in 1 2; do
	reqt "$t" GET "/api/users/$u"
	[ "$E2E_STATUS" = 503 ] || fail "with the database stopped: $E2E_STATUS, not 503"
done
"$UP_TEST_DB_CTL" start "$UP_TEST_DB_DIR"
E2E_OPENAPI_SKIP=
reqt "$t" GET "/api/users/$u"
expect_status 200 "the database is back"

work=$E2E_TMP/monitoring
mkdir -p "$work"
# the programs' lines only (lighttpd's breakage log holds nothing else here)
grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z userpatch-' \
	"$UP_TEST_WEB_DIR/programs-stderr.log" >"$work/userpatch.log"

# The `sh` block of the Monitoring section, as printed.
awk '/^## / { in_section = ($0 == "## Monitoring") }
	in_section && /^```sh$/ { in_block = 1; next }
	in_block && /^```$/ { exit }
	in_block { print }' "$top_srcdir/docs/operations.md" >"$work/monitoring.sh"
if [ ! -s "$work/monitoring.sh" ]; then
	fail "no sh block in the Monitoring section of docs/operations.md"
	e2e_finish
fi
sed 's/^/     | /' "$work/monitoring.sh"
(cd "$work" && bash monitoring.sh) >"$work/out" 2>&1 || fail "the Monitoring commands exited non-zero"
sed 's/^/     > /' "$work/out"

# What the log holds, counted here independently.
requests=$(grep -cE ' info rid=[^ ]+ [A-Z]+ [^ ]+ [0-9]{3} [0-9]+us ' "$work/userpatch.log")
errors=$(grep -cE ' info rid=[^ ]+ [A-Z]+ [^ ]+ 503 [0-9]+us ' "$work/userpatch.log")
got_requests=$(awk '/ requests, / { n += $2 } END { print n + 0 }' "$work/out")
got_errors=$(awk '/ requests, / { n += $4 } END { print n + 0 }' "$work/out")
if [ "$requests" -ge 7 ] && [ "$got_requests" = "$requests" ]; then
	pass "the per-minute counts add up to the $requests request lines"
else
	fail "the per-minute counts add up to $got_requests, the log has $requests request lines"
fi
if [ "$errors" -eq 2 ] && [ "$got_errors" = 2 ]; then
	pass "the 503s counted: 2"
else
	fail "503s counted: $got_errors (the log has $errors)"
fi
retries=$(grep -c 'transaction retry' "$work/userpatch.log" || true)
got_retries=$(awk '!/ requests, / { n += $1 } END { print n + 0 }' "$work/out")
if [ "$got_retries" = "$retries" ]; then
	pass "transaction retry lines counted: $retries"
else
	fail "transaction retry lines counted: $got_retries, the log has $retries"
fi
e2e_finish
