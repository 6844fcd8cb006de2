#!/usr/bin/env bash
# A database restart between two requests costs no request: each worker holds
# a connection (and prepared statements) that the restart kills; the next
# request's first statement (the token lookup, a read outside a transaction)
# finds the connection gone, reconnects, re-prepares and runs once more.
# The same after the server drops idle connections (wait_timeout) and after
# KILL CONNECTION. Workers are not restarted for any of it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write rw)
user=$(e2e_user "$acme" 'Rhea' 'rhea@example.com')

# burst N: N GETs at once (so that every worker serves some); prints the
# statuses, one a line.
burst() {
	local i
	for ((i = 0; i < $1; i++)); do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
			-H "Authorization: Bearer $token" "$UP_TEST_BASE_URL/api/users/$user" &
	done
	wait
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
for _ in 1 2 3 4 5 6; do
	burst 8 >/dev/null
	[ "$(e2e_log_pids userpatch-users | wc -l)" -ge 2 ] && break
done
workers=$(e2e_workers userpatch-users)
if [ "$(e2e_log_pids userpatch-users | wc -l)" -ge 2 ]; then
	pass "two workers served requests before the restart"
else
	fail "only $(e2e_log_pids userpatch-users | wc -l) worker served requests"
fi

# 1. Clean restart between two requests.
reqt "$token" GET "/api/users/$user"
expect_status 200 "before the restart"
from=$(e2e_log_lines)
restart_from=$from
before_pids=$(e2e_log_pids userpatch-users)
"$UP_TEST_DB_CTL" stop "$UP_TEST_DB_DIR"
"$UP_TEST_DB_CTL" start "$UP_TEST_DB_DIR"
reqt "$token" GET "/api/users/$user"
expect_status 200 "first request after the restart"
reqt "$token" PATCH "/api/users/$user" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/description","value":"after restart"}]'
expect_status 200 "a write after the restart"
# Until two of the workers that held a connection before have served again.
again() {
	comm -12 <(printf '%s\n' "$before_pids") <(e2e_log_pids userpatch-users "$from")
}
statuses=""
for _ in 1 2 3 4 5 6 7 8; do
	statuses+="$(burst 8)"$'\n'
	[ "$(again | grep -c .)" -ge 2 ] && break
done
expect_all_200 "requests to every worker after the restart" "${statuses%$'\n'}"
served=$(again)
retried=$(tail -n +"$from" "$E2E_PROG_LOG" |
	sed -nE 's/^[^ ]+ userpatch-users\[([0-9]+)\] warn .*running the statement again on a new connection.*/\1/p' |
	sort -u)
if [ "$(printf '%s\n' "$served" | grep -c .)" -ge 2 ] &&
	[ -z "$(comm -23 <(printf '%s\n' "$served") <(printf '%s\n' "$retried"))" ]; then
	pass "each worker that held a connection reconnected and ran its first statement again ($(echo "$served" | tr '\n' ' '))"
else
	fail "workers connected before that served again: $(echo "$served" | tr '\n' ' '); that ran a statement again: $(echo "$retried" | tr '\n' ' ')"
fi

# 2. The server closes idle connections (wait_timeout on a quiet host).
e2e_sql "SET GLOBAL wait_timeout = 1"
from=$(e2e_log_lines)
# Drop the workers' connections so that they reconnect under the new timeout.
for id in $(e2e_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'userpatch'"); do
	e2e_sql "KILL CONNECTION $id" || true
done
expect_all_200 "requests after KILL CONNECTION" "$(burst 8)"
sleep 2.5
expect_all_200 "requests after the server closed idle connections" "$(burst 8)"
retried=$(tail -n +"$from" "$E2E_PROG_LOG" | grep -c 'running the statement again on a new connection' || true)
if [ "$retried" -ge 2 ]; then
	pass "lost connections were replaced by the workers ($retried statements ran again)"
else
	fail "expected retried statements after KILL and wait_timeout, saw $retried"
fi
e2e_sql "SET GLOBAL wait_timeout = 28800"

e2e_expect_workers_kept "$workers" "$restart_from"
if [ "$(e2e_sql "SELECT description FROM users WHERE id = ${user#usr-}")" = "after restart" ]; then
	pass "the write after the restart is stored"
else
	fail "the write after the restart is not stored"
fi

e2e_finish
