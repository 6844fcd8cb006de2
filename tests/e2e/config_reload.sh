#!/usr/bin/env bash
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
# line FROM_LINE (at most a minute); the statuses are in $E2E_TMP/statuses.
serve_all() {
	local deadline=$((SECONDS + 60)) missing
	: >"$E2E_TMP/statuses"
	while :; do
		burst 8
		missing=$(comm -23 <(printf '%s\n' "$workers") <(e2e_log_pids userpatch-users "$1"))
		[ -z "$missing" ] || [ "$SECONDS" -ge "$deadline" ] && break
	done
	if [ -z "$missing" ]; then
		pass "every worker ($(echo "$workers" | tr '\n' ' ')) served a request"
	else
		fail "workers that served no request: $(echo "$missing" | tr '\n' ' ')"
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

# reload_after EDIT...: apply the edit (a new file put in place, as an editor
# does), then wait past the workers' check interval (a lower bound: each
# worker looks at its next request once a second has passed).
reload_after() {
	"$@"
	sleep 2
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

to_dead_port() {
	sed 's/^db_host = .*/db_host = 127.0.0.1:1/' "$E2E_TMP/config.orig" >"$config.new"
	mv "$config.new" "$config"
}
restore() {
	cp "$E2E_TMP/config.orig" "$config.new"
	mv "$config.new" "$config"
}

from=$(e2e_log_lines)
reload_after to_dead_port
serve_all "$from"
expect_only 503 "db_host moved to a dead port"
if e2e_log_has "$from" "database host 127\.0\.0\.1:1: "; then
	pass "the workers tried the new host 127.0.0.1:1"
else
	fail "no connection attempt to 127.0.0.1:1 in the log"
fi

from=$(e2e_log_lines)
reload_after restore
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
