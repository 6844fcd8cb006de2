#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# kill -9 a FastCGI worker in the middle of a PATCH, after its transaction has
# written the audit row and changed the user row but before it could commit:
# nothing of that write stays (the server rolls the transaction back), the
# client gets an error, not a 200, and lighttpd replaces the worker;
# concurrent writers carry on (only 200/503 for them, all acknowledged
# writes in audit_log). The worker is held there by a trigger of the test's
# database that waits, after that one UPDATE, for a named lock the test
# holds and releases.
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

# Hold a named lock in a session the test controls; the victim's UPDATE waits for it.
e2e_sql "CREATE TRIGGER tr_chaos_hold AFTER UPDATE ON users FOR EACH ROW
	DO IF(NEW.description = 'never stored', GET_LOCK('up_chaos_hold', 120), 0)"
mkfifo "$E2E_TMP/sql"
mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -N -B userpatch \
	<"$E2E_TMP/sql" >"$E2E_TMP/locker.out" 2>&1 &
locker=$!
exec 3>"$E2E_TMP/sql"
echo "SELECT GET_LOCK('up_chaos_hold', 10); SELECT 'locked';" >&3
for _ in $(seq 100); do grep -q locked "$E2E_TMP/locker.out" && break; sleep 0.1; done

curl -s -o "$E2E_TMP/victim.body" -w '%{http_code}' --max-time 60 -X PATCH \
	-H "Authorization: Bearer $token" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/description","value":"never stored"}]' \
	"$UP_TEST_BASE_URL/api/users/$victim" >"$E2E_TMP/victim.status" 3>&- &
client=$!

# The worker's connection waits in its UPDATE (the trigger) with the audit
# row written and the user row changed in its open transaction: a dirty
# read (READ UNCOMMITTED) sees both, which no one else can.
conn=
for _ in $(seq 600); do
	# (In the trigger the process list shows its statement and its definer.)
	conn=$(e2e_sql "SELECT p.ID FROM information_schema.PROCESSLIST p
		WHERE p.STATE = 'User lock' AND p.INFO LIKE 'DO IF(NEW.description%' LIMIT 1")
	if [ -n "$conn" ] && [ "$(e2e_sql "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
		SELECT CONCAT(description, '/', (SELECT COUNT(*) FROM audit_log WHERE user_id = $vid))
		FROM users WHERE id = $vid")" = "never stored/$((a0 + 1))" ]; then
		break
	fi
	conn=
	sleep 0.05
done
if [ -n "$conn" ]; then
	pass "a worker is mid-request: audit row written, row changed, not committed (connection $conn)"
else
	fail "no worker blocked inside its write transaction"
	e2e_sql "SELECT p.ID, p.USER, p.STATE, LEFT(p.INFO, 60), t.trx_rows_modified
		FROM information_schema.PROCESSLIST p
		LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID" || true
	cat "$E2E_TMP/locker.out"
fi
# Concurrent writers on another user meanwhile.
stop=$E2E_TMP/stop
for w in 1 2 3; do
	e2e_patch_writer "$token" "$other" "w$w" "$E2E_TMP/w$w.out" "$stop" 3>&- &
done
sleep 0.5
pid=$(sed -nE "s/^[^ ]+ userpatch-users\[([0-9]+)\] .*connected to database host .* \(connection ${conn:-x}\)$/\1/p" \
	"$E2E_PROG_LOG" | tail -n 1)
if [ -n "$pid" ] && printf '%s\n' "$workers" | grep -qx "$pid"; then
	pass "connection $conn belongs to worker $pid"
	kill -9 "$pid"
else
	fail "cannot tell which worker holds connection ${conn:-?} (log level debug needed)"
fi
wait "$client" 2>/dev/null || true
status=$(cat "$E2E_TMP/victim.status")
if [ "$status" != 200 ] && [ "$status" != 000 ]; then
	pass "the interrupted PATCH answered $status, not 200"
else
	fail "the interrupted PATCH answered '$status'"
fi
# Release the lock: the UPDATE ends, and the server finds the connection
# closed and rolls back; wait until it has.
echo "DO RELEASE_LOCK('up_chaos_hold');" >&3
for _ in $(seq 200); do
	[ -z "$(e2e_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ${conn:-0}")" ] && break
	sleep 0.05
done
e2e_sql "DROP TRIGGER tr_chaos_hold"
exec 3>&-
wait "$locker" || true
sleep 3
touch "$stop"
wait
# A writer's request that lighttpd had already queued on the killed worker
# fails with it: lighttpd answers it (no program's request id), whenever
# that shows on a busy machine; any answer of a program is 200 or 503.
awk '$3 == "-" && $2 != 200' "$E2E_TMP"/w*.out >"$E2E_TMP/inflight"
n_inflight=$(wc -l <"$E2E_TMP/inflight")
if [ "$n_inflight" -le 3 ]; then
	pass "writers: $n_inflight request(s) in flight on the killed worker failed with it"
else
	fail "writers: $n_inflight failures around the kill: $(tr '\n' ';' <"$E2E_TMP/inflight")"
fi
for w in 1 2 3; do
	grep -vxF -f "$E2E_TMP/inflight" "$E2E_TMP/w$w.out" >"$E2E_TMP/w$w.rest" || true
done
e2e_check_writes "$E2E_TMP"/w*.rest

read -r v1 d1 <<<"$(e2e_sql "SELECT version, IFNULL(description, '-') FROM users WHERE id = $vid")"
a1=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $vid")
if [ "$v1" = "$v0" ] && [ "$d1" != "never stored" ] && [ "$a1" = "$a0" ]; then
	pass "no partial write: version $v1, description '$d1', $a1 audit rows as before"
else
	fail "partial write: version $v0 -> $v1, description '$d1', audit rows $a0 -> $a1"
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
	[ -n "$(comm -13 <(printf '%s\n' "$workers") <(printf '%s\n' "$served"))" ]; then
	pass "lighttpd replaced worker $pid: workers now $(echo "$now" | tr '\n' ' '), a new one served"
else
	fail "worker not replaced: before $(echo "$workers" | tr '\n' ' '), now $(echo "$now" | tr '\n' ' '), served by $(echo "$served" | tr '\n' ' ')"
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
