#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An edit of db_host takes effect at the next request of every worker, not
# one reload later: the host moved to a dead port answers 503 (with
# Retry-After) from every worker, and the host moved back answers 200 from
# every worker, each without a restart.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read reload)
user=$(e2e_user "$acme" 'Rhea' 'rhea@example.com')
config=$USERPATCH_CONFIG
umask 077 # the edited files stay private, as the harness wrote the first one
cp "$config" "$E2E_TMP/config.orig"

# burst N: N GETs at once; appends "STATUS RETRY_AFTER" lines to $E2E_TMP/statuses.
burst() {
	local i
	for ((i = 0; i < $1; i++)); do
		curl -s -o /dev/null -w '%{http_code} %header{retry-after}\n' --max-time 30 \
			-H "Authorization: Bearer $token" "$UP_TEST_BASE_URL/api/users/$user" &
	done >>"$E2E_TMP/statuses"
	wait
}

# serve_all FROM_LINE: bursts until every worker has logged a request after
# line FROM_LINE; the statuses are in $E2E_TMP/statuses.
serve_all() {
	: >"$E2E_TMP/statuses"
	if e2e_until_served "$workers" "$1" burst 8; then
		pass "every worker ($(echo "$workers" | tr '\n' ' ')) served a request"
	else
		fail "not every worker served a request"
	fi
}

# expect_only STATUS WHAT: every status of the last serve_all is STATUS (a
# 503 with Retry-After).
expect_only() {
	local others
	others=$(awk -v s="$1" '$1 != s || (s == 503 && $2 !~ /^[0-9]+$/)' "$E2E_TMP/statuses")
	if [ -z "$others" ] && [ -s "$E2E_TMP/statuses" ]; then
		pass "$2: $(wc -l <"$E2E_TMP/statuses") requests, all $1"
	else
		fail "$2: $(awk '{ print $1 }' "$E2E_TMP/statuses" | sort | uniq -c | tr -s ' \n' ' ')"
	fi
}

workers=""
deadline=$((SECONDS + 60))
while [ "$(echo "$workers" | grep -c .)" -lt 2 ] && [ "$SECONDS" -lt "$deadline" ]; do
	burst 8
	workers=$(e2e_log_pids userpatch-users)
done
if [ "$(echo "$workers" | grep -c .)" -ge 2 ]; then
	pass "two workers served with the first configuration"
else
	fail "only $(echo "$workers" | grep -c .) worker served"
fi
running=$(e2e_workers userpatch-users)

# Each edit puts a new file in place, as an editor does; then the test waits
# past the workers' check interval (a lower bound: a worker looks at its next
# request once a second has passed since it last looked).
from=$(e2e_log_lines)
sed 's/^db_host = .*/db_host = 127.0.0.1:1/' "$E2E_TMP/config.orig" >"$config.new"
mv "$config.new" "$config"
sleep 2
serve_all "$from"
expect_only 503 "db_host moved to a dead port"
if e2e_log_has "$from" "database host 127\.0\.0\.1:1: "; then
	pass "the workers tried the new host 127.0.0.1:1"
else
	fail "no connection attempt to 127.0.0.1:1 in the log"
fi

from=$(e2e_log_lines)
cp "$E2E_TMP/config.orig" "$config.new"
mv "$config.new" "$config"
sleep 2
serve_all "$from"
expect_only 200 "db_host moved back"
# (An idle worker may still write its usage counts, rid=-, with the
# configuration in force until its next request.)
if [ "$(tail -n +"$from" "$E2E_PROG_LOG" | grep -cE 'rid=[0-9a-f]+ database host 127\.0\.0\.1:1: ' || true)" -eq 0 ]; then
	pass "no request tried 127.0.0.1:1 after the restore"
else
	fail "requests still tried 127.0.0.1:1 after the restore"
fi

reqt "$token" GET "/api/users/$user"
expect_status 200 "a request after both reloads"
e2e_expect_workers_kept "$running" "$from"

e2e_finish
