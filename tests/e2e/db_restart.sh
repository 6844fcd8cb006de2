#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A database restart between two requests costs no request: each worker holds
# a connection (and prepared statements) that the restart kills; it notices,
# reconnects and re-prepares without failing a request. The same after the
# server drops idle connections (wait_timeout) and after KILL CONNECTION.
# Workers are not restarted for any of it. The test asserts what a client
# sees (no 503, every worker serves again), not which way a worker found out
# (the request's first statement run again, or an idle worker's usage write
# that reconnected first: under load either may come first).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write rw)
user=$(e2e_user "$acme" 'Rhea' 'rhea@example.com')

# burst N: N GETs at once (so that every worker serves some); appends the
# statuses, one a line, to $E2E_TMP/statuses.
burst() {
	local i
	for ((i = 0; i < $1; i++)); do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
			-H "Authorization: Bearer $token" "$UP_TEST_BASE_URL/api/users/$user" &
	done >>"$E2E_TMP/statuses"
	wait
}

# every_worker WHAT FROM_LINE: bursts until each worker of $workers has served
# a request logged after line FROM_LINE; every answer must be 200.
every_worker() {
	: >"$E2E_TMP/statuses"
	if e2e_until_served "$workers" "$2" burst 8; then
		pass "$1: every worker served again ($(echo "$workers" | tr '\n' ' '))"
	else
		fail "$1: not every worker served again"
	fi
	expect_all_200 "$1" "$(cat "$E2E_TMP/statuses")"
}

# expect_all_200 WHAT STATUSES
expect_all_200() {
	local others
	others=$(printf '%s\n' "$2" | grep -vc '^200$' || true)
	if [ "$others" -eq 0 ] && [ -n "$2" ]; then
		pass "$1: $(printf '%s\n' "$2" | wc -l) requests, all 200"
	else
		fail "$1: $(printf '%s\n' "$2" | sort | uniq -c | tr -s ' \n' ' ')"
	fi
}

# Both workers connected (and statements prepared) before the restart.
workers=""
deadline=$((SECONDS + 60))
while [ "$(echo "$workers" | grep -c .)" -lt 2 ] && [ "$SECONDS" -lt "$deadline" ]; do
	burst 8
	workers=$(e2e_log_pids userpatch-users)
done
if [ "$(echo "$workers" | grep -c .)" -ge 2 ]; then
	pass "two workers served requests before the restart"
else
	fail "only $(echo "$workers" | grep -c .) worker served requests"
fi
running=$(e2e_workers userpatch-users)

# 1. Clean restart between two requests.
reqt "$token" GET "/api/users/$user"
expect_status 200 "before the restart"
from=$(e2e_log_lines)
restart_from=$from
"$UP_TEST_DB_CTL" stop "$UP_TEST_DB_DIR"
"$UP_TEST_DB_CTL" start "$UP_TEST_DB_DIR"
reqt "$token" GET "/api/users/$user"
expect_status 200 "first request after the restart"
reqt "$token" PATCH "/api/users/$user" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/description","value":"after restart"}]'
expect_status 200 "a write after the restart"
every_worker "requests to every worker after the restart" "$from"

# 2. The server closes idle connections (wait_timeout on a quiet host).
e2e_sql "SET GLOBAL wait_timeout = 1"
from=$(e2e_log_lines)
# Drop the workers' connections so that they reconnect under the new timeout.
killed=0
for id in $(e2e_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'userpatch'"); do
	if e2e_sql "KILL CONNECTION $id"; then killed=$((killed + 1)); fi
done
if [ "$killed" -ge 1 ]; then
	pass "KILL CONNECTION of the workers' $killed connection(s)"
else
	fail "no connection of the workers to kill: did they hold any?"
fi
every_worker "requests after KILL CONNECTION" "$from"
sleep 2.5
every_worker "requests after the server closed idle connections" "$(e2e_log_lines)"
e2e_sql "SET GLOBAL wait_timeout = 28800"

e2e_expect_workers_kept "$running" "$restart_from"
if [ "$(e2e_sql "SELECT description FROM users WHERE id = ${user#usr-}")" = "after restart" ]; then
	pass "the write after the restart is stored"
else
	fail "the write after the restart is not stored"
fi

e2e_finish
