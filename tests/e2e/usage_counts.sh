#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Usage counters through lighttpd and its pool of workers: every request is
# counted durably per token and UTC day without a row written by every
# request (docs/operations.md, "Usage counters"): an idle worker writes its
# counts within about a second, a stopped one at exit, and a daily quota
# holds under concurrent requests spread over the workers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"
: "${UP_TEST_WEB_DIR:?run this test through tests/harness/run-test}"
port=${UP_TEST_BASE_URL##*:}

acme=$(e2e_tenant acme)
ada=$(e2e_user "$acme" 'Ada Lovelace' 'ada@example.com')
t_read=$(e2e_token acme users:read reader)
id_read=$(e2e_token_id acme reader)

durable() {
	e2e_sql "SELECT IFNULL(SUM(count), 0) FROM api_usage_slot WHERE token_id = $1 AND day = UTC_DATE()"
}
# expect_durable TOKEN_ID WANT WHAT: the durable count reaches WANT. Idle
# workers write theirs about a second after their last request; on a busy
# machine later, so the count is awaited (at most 20 s), never assumed
# written after a fixed pause. A count past WANT never comes back: it fails.
expect_durable() {
	local token_id=$1 want=$2 what=$3 got i
	for ((i = 0; i < 100; i++)); do
		got=$(durable "$token_id")
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	if [ "$got" = "$want" ]; then
		pass "$what"
	else
		fail "$what: the slot rows hold $got, want $want"
	fi
}

echo "# an idle worker writes its counts within a second"
reqt "$t_read" GET "/api/users/$ada"
expect_status 200
expect_json apiDailyUsage 1
expect_durable "$id_read" 1 "one GET, then idle: counted in api_usage_slot"
rows=$(e2e_sql "SELECT COUNT(*) FROM api_usage_slot WHERE token_id = $id_read")
if [ "$rows" -le "${STACK_MAX_PROCS:-16}" ]; then pass "no more rows than workers ($rows)"; else fail "$rows slot rows for one token"; fi

echo "# a stopped worker writes its counts at exit"
for _ in 1 2 3 4 5 6 7 8; do
	reqt "$t_read" GET "/api/users/$ada"
	expect_status 200
done
stack_lighttpd_stop "$UP_TEST_WEB_DIR"
expect_durable "$id_read" 9 "8 more GETs, then lighttpd stopped at once: all counted"
stack_lighttpd_start "$UP_TEST_WEB_DIR" "$port" "$top_builddir" "$USERPATCH_CONFIG"
reqt "$t_read" GET "/api/users/$ada"
expect_status 200
expect_json apiDailyUsage 10 "a new worker reads the durable count"

echo "# a daily quota under 16 concurrent clients spread over the workers"
limit=30
sent=120
t_quota=$(e2e_token acme users:read quota --daily-limit "$limit")
id_quota=$(e2e_token_id acme quota)
mkdir -p "$E2E_TMP/q"
# shellcheck disable=SC2016
seq "$sent" | xargs -P 16 -I{} sh -c 'curl -s -o /dev/null -D "$1/{}.h" -w "%{http_code}\n" \
	-H "Authorization: Bearer $2" "$3" >"$1/{}.s"' _ "$E2E_TMP/q" "$t_quota" \
	"$UP_TEST_BASE_URL/api/users/$ada"
ok=$(cat "$E2E_TMP"/q/*.s | grep -c '^200$' || true)
refused=$(cat "$E2E_TMP"/q/*.s | grep -c '^429$' || true)
if [ $((ok + refused)) -eq "$sent" ]; then
	pass "every answer is 200 or 429 ($ok and $refused)"
else
	fail "answers other than 200 and 429: $(sort "$E2E_TMP"/q/*.s | uniq -c | tr '\n' ' ')"
fi
# A worker's view of the count never exceeds the true count: nobody is
# refused before the quota is used up.
if [ "$ok" -ge "$limit" ]; then
	pass "at least the quota answered 200 ($ok)"
else
	fail "only $ok of the first $limit requests answered 200"
fi
# The overshoot is bounded by the requests the other workers had not yet
# written (about a second of them): here, fewer than all of them.
if [ "$ok" -lt "$sent" ]; then
	pass "the quota refused requests under concurrency ($refused)"
else
	fail "all $sent concurrent requests answered 200 with a quota of $limit"
fi
bad_retry=0
for h in "$E2E_TMP"/q/*.h; do
	grep -q '^HTTP/1.1 429' "$h" || continue
	grep -qi '^Retry-After: [1-9]' "$h" && grep -qi '^RateLimit: "daily";r=0;t=' "$h" ||
		bad_retry=$((bad_retry + 1))
done
if [ "$bad_retry" -eq 0 ]; then
	pass "each 429 has Retry-After and RateLimit r=0"
else
	fail "$bad_retry 429 answers without Retry-After or RateLimit r=0"
fi
expect_durable "$id_quota" "$sent" "every concurrent request counted once, durably"
reqt "$t_quota" GET "/api/users/$ada"
expect_error 429 "the quota stays used up"
expect_json apiDailyUsage $((sent + 1)) "the count is exact once the workers have written"
expect_header RateLimit-Policy "\"daily\";q=$limit;w=86400"

e2e_finish
