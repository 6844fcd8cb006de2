#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# kill -9 a FastCGI worker in the middle of a write; the write is whole or
# absent, never half, the client gets an error, not a 200, and lighttpd
# replaces the worker; concurrent writers carry on (only 200/503 for them,
# all acknowledged writes in audit_log). Twice, the worker held each time by
# a trigger of the test's database that waits for a named lock the test
# holds and releases:
# - a POST held inside its INSERT, before it could send its COMMIT: nothing
#   of it stays (the server rolls the transaction back);
# - a PATCH held inside its last statement, which carries its UPDATE, its
#   audit row and its COMMIT: the COMMIT was sent before the kill, so the
#   server decides, and what it keeps is the whole write (row, version and
#   audit row) or nothing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write chaos)
victim=$(e2e_user "$acme" 'Victim' 'victim@example.com')
vid=${victim#usr-}
other=$(e2e_user "$acme" 'Other' 'other@example.com')

reqt "$token" GET "/api/users/$victim"
expect_status 200 "warm-up"
# Every worker runs a write once, so that its statements are prepared.
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null --max-time 30 -X PATCH -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"warm $i\"}]" \
		"$UP_TEST_BASE_URL/api/users/$other" &
done
wait
workers=$(e2e_workers userpatch-users)
echo "# workers: $(echo "$workers" | tr '\n' ' ')"
v0=$(e2e_sql "SELECT version FROM users WHERE id = $vid")
a0=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $vid")

mkfifo "$E2E_TMP/sql"
mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -N -B userpatch \
	<"$E2E_TMP/sql" >"$E2E_TMP/locker.out" 2>&1 &
locker=$!
exec 3>"$E2E_TMP/sql"

# hold_and_kill TAG WHAT CHECK METHOD PATH BODY: send METHOD PATH BODY while
# a trigger (tr_chaos_hold, made by the caller) holds it on the named lock,
# until the SQL CHECK (a dirty read) answers WHAT; then kill -9 the worker
# that runs it, with writers busy on another user, and release the lock.
# Sets pid (the killed worker), before_kill (the workers then) and workers
# (the workers after it).
hold_and_kill() {
	local tag=$1 what=$2 check=$3 method=$4 path=$5 data=$6 conn='' status w ctype stop wpids=''
	before_kill=$workers
	ctype=application/json
	[ "$method" = PATCH ] && ctype=application/json-patch+json
	echo "SELECT GET_LOCK('up_chaos_hold', 10); SELECT 'locked $tag';" >&3
	for _ in $(seq 100); do grep -q "locked $tag" "$E2E_TMP/locker.out" && break; sleep 0.1; done
	curl -s -o "$E2E_TMP/victim.body" -w '%{http_code}' --max-time 60 -X "$method" \
		-H "Authorization: Bearer $token" -H "Content-Type: $ctype" \
		--data-binary "$data" "$UP_TEST_BASE_URL$path" >"$E2E_TMP/victim.status" 3>&- &
	client=$!
	for _ in $(seq 600); do
		# (In the trigger the process list shows its statement and its definer.)
		conn=$(e2e_sql "SELECT p.ID FROM information_schema.PROCESSLIST p
			WHERE p.STATE = 'User lock' AND p.INFO LIKE 'DO IF(NEW.description%' LIMIT 1")
		if [ -n "$conn" ] && [ "$(e2e_sql "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
			$check")" = "$what" ]; then
			break
		fi
		conn=
		sleep 0.05
	done
	if [ -n "$conn" ]; then
		pass "$tag: a worker is mid-request, its write not committed (connection $conn)"
	else
		fail "$tag: no worker blocked inside its write transaction"
		e2e_sql "SELECT p.ID, p.USER, p.STATE, LEFT(p.INFO, 60), t.trx_rows_modified
			FROM information_schema.PROCESSLIST p
			LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID" || true
		cat "$E2E_TMP/locker.out"
	fi
	# Concurrent writers on another user meanwhile.
	stop=$E2E_TMP/stop.$tag
	for w in 1 2 3; do
		e2e_patch_writer "$token" "$other" "$tag$w" "$E2E_TMP/$tag$w.out" "$stop" 3>&- &
		wpids="$wpids $!"
	done
	sleep 0.5
	pid=$(sed -nE "s/^[^ ]+ userpatch-users\[([0-9]+)\] .*connected to database host .* \(connection ${conn:-x}\)$/\1/p" \
		"$E2E_PROG_LOG" | tail -n 1)
	if [ -n "$pid" ] && printf '%s\n' "$workers" | grep -qx "$pid"; then
		pass "$tag: connection $conn belongs to worker $pid"
		kill -9 "$pid"
	else
		fail "$tag: cannot tell which worker holds connection ${conn:-?} (log level debug needed)"
	fi
	wait "$client" 2>/dev/null || true
	status=$(cat "$E2E_TMP/victim.status")
	if [ "$status" != 200 ] && [ "$status" != 201 ] && [ "$status" != 000 ]; then
		pass "$tag: the interrupted $method answered $status, not 2xx"
	else
		fail "$tag: the interrupted $method answered '$status'"
	fi
	# Release the lock: the statement goes on, and the server ends the
	# transaction of the closed connection; wait until it has.
	echo "DO RELEASE_LOCK('up_chaos_hold');" >&3
	for _ in $(seq 200); do
		[ -z "$(e2e_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ${conn:-0}")" ] && break
		sleep 0.05
	done
	sleep 3
	touch "$stop"
	# shellcheck disable=SC2086 # the writers' pids, one word each
	wait $wpids
	# A writer's request that lighttpd had already queued on the killed worker
	# fails with it: lighttpd answers it (no program's request id), whenever
	# that shows on a busy machine; any answer of a program is 200 or 503.
	awk '$3 == "-" && $2 != 200' "$E2E_TMP/$tag"?.out >"$E2E_TMP/inflight"
	n_inflight=$(wc -l <"$E2E_TMP/inflight")
	if [ "$n_inflight" -le 3 ]; then
		pass "$tag: writers: $n_inflight request(s) in flight on the killed worker failed with it"
	else
		fail "$tag: writers: $n_inflight failures around the kill: $(tr '\n' ';' <"$E2E_TMP/inflight")"
	fi
	for w in 1 2 3; do
		grep -vxF -f "$E2E_TMP/inflight" "$E2E_TMP/$tag$w.out" >"$E2E_TMP/$tag$w.rest" || true
	done
	e2e_check_writes "$E2E_TMP/$tag"?.rest
	# lighttpd replaces the worker: the next round's list has no killed one.
	for _ in $(seq 300); do
		workers=$(e2e_workers userpatch-users)
		[ "$(printf '%s\n' "$workers" | grep -c .)" -ge 2 ] &&
			! printf '%s\n' "$workers" | grep -qx "$pid" && break
		sleep 0.1
	done
}

# 1. A POST held inside its INSERT: nothing was committed, nothing stays.
c0=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE action = 'create'")
e2e_sql "CREATE TRIGGER tr_chaos_hold AFTER INSERT ON users FOR EACH ROW
	DO IF(NEW.description = 'never created', GET_LOCK('up_chaos_hold', 120), 0)"
hold_and_kill post 1 "SELECT COUNT(*) FROM users WHERE description = 'never created'" \
	POST /api/users '{"name":"Never","email":"never@example.com","description":"never created"}'
e2e_sql "DROP TRIGGER tr_chaos_hold"
n=$(e2e_sql "SELECT COUNT(*) FROM users WHERE description = 'never created'")
c1=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE action = 'create'")
if [ "$n" = 0 ] && [ "$c1" = "$c0" ]; then
	pass "post: nothing of the interrupted POST stays (no row, $c1 create audit rows as before)"
else
	fail "post: $n rows of the interrupted POST, create audit rows $c0 -> $c1"
fi

# 2. A PATCH held inside its last statement (audit row, UPDATE, COMMIT): the
# audit row is written and the row changed, not committed; what stays is all
# of it or none of it.
e2e_sql "CREATE TRIGGER tr_chaos_hold AFTER UPDATE ON users FOR EACH ROW
	DO IF(NEW.description = 'never stored', GET_LOCK('up_chaos_hold', 120), 0)"
hold_and_kill patch "never stored/$((a0 + 1))" \
	"SELECT CONCAT(description, '/', (SELECT COUNT(*) FROM audit_log WHERE user_id = $vid))
	FROM users WHERE id = $vid" \
	PATCH "/api/users/$victim" '[{"op":"replace","path":"/description","value":"never stored"}]'
e2e_sql "DROP TRIGGER tr_chaos_hold"
exec 3>&-
wait "$locker" || true

read -r v1 d1 <<<"$(e2e_sql "SELECT version, IFNULL(description, '-') FROM users WHERE id = $vid")"
a1=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $vid")
if { [ "$v1" = "$v0" ] && [ "$d1" != "never stored" ] && [ "$a1" = "$a0" ]; } ||
	{ [ "$v1" = $((v0 + 1)) ] && [ "$d1" = "never stored" ] && [ "$a1" = $((a0 + 1)) ]; }; then
	pass "patch: no partial write: version $v0 -> $v1, description '$d1', audit rows $a0 -> $a1"
else
	fail "patch: partial write: version $v0 -> $v1, description '$d1', audit rows $a0 -> $a1"
fi

# lighttpd starts a new worker; requests (several at once) are served.
for _ in $(seq 300); do
	now=$(e2e_workers userpatch-users)
	[ "$(printf '%s\n' "$now" | grep -c .)" -ge 2 ] && ! printf '%s\n' "$now" | grep -qx "$pid" && break
	sleep 0.1
done
from=$(e2e_log_lines)
for i in 1 2 3 4 5 6; do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 -X PATCH \
		-H "Authorization: Bearer $token" -H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"after $i\"}]" \
		"$UP_TEST_BASE_URL/api/users/$([ $((i % 2)) = 0 ] && echo "$victim" || echo "$other")" &
done >"$E2E_TMP/after.status"
wait
if [ "$(grep -c '^200$' "$E2E_TMP/after.status")" -eq 6 ]; then
	pass "6 concurrent PATCHes after the kill answered 200"
else
	fail "after the kill: $(sort "$E2E_TMP/after.status" | uniq -c | tr -s ' \n' ' ')"
fi
now=$(e2e_workers userpatch-users)
served=$(e2e_log_pids userpatch-users "$from")
if ! printf '%s\n' "$now" | grep -qx "$pid" && [ "$(printf '%s\n' "$now" | grep -c .)" -ge 2 ] &&
	[ -n "$(comm -13 <(printf '%s\n' "$before_kill") <(printf '%s\n' "$served"))" ]; then
	pass "lighttpd replaced worker $pid: workers now $(echo "$now" | tr '\n' ' '), a new one served"
else
	fail "worker not replaced: before $(echo "$before_kill" | tr '\n' ' '), now $(echo "$now" | tr '\n' ' '), served by $(echo "$served" | tr '\n' ' ')"
fi
for u in "$victim" "$other"; do
	v2=$(e2e_sql "SELECT version FROM users WHERE id = ${u#usr-}")
	a2=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = ${u#usr-}")
	if [ "$v2" -eq $((a2 + 1)) ]; then
		pass "$u: version $v2 = 1 + $a2 audit rows"
	else
		fail "$u: version $v2, $a2 audit rows"
	fi
done

e2e_finish
