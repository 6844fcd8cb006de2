#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# kill -9 MariaDB under concurrent PATCH load through lighttpd, start it
# again, and keep the load on: only 200 and 503 (with Retry-After) answers,
# every acknowledged write in audit_log, no partial write (each user's
# version counts its audit rows), 200s again after the restart from the same
# workers (no worker restart).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

writers=8

# A crash must not lose what was committed: the harness's server trades
# durability for speed, so restart it durable first.
stack_mariadb_stop "$UP_TEST_DB_DIR"
STACK_MARIADB_EXTRA="--innodb-flush-log-at-trx-commit=1" \
	stack_mariadb_start_again "$UP_TEST_DB_DIR" || {
	echo "cannot restart MariaDB" >&2
	exit 99
}

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write chaos)
users=()
for ((w = 1; w <= writers; w++)); do
	users+=("$(e2e_user "$acme" "Writer $w" "w$w@example.com")")
done

stop=$E2E_TMP/stop
for ((w = 1; w <= writers; w++)); do
	e2e_patch_writer "$token" "${users[w - 1]}" "w$w" "$E2E_TMP/w$w.out" "$stop" &
done
sleep 3
workers=$(e2e_workers userpatch-users)
before=$(cat "$E2E_TMP"/w*.out | awk '$2 == 200' | wc -l)
kill_ms=$(date +%s%3N)
stack_mariadb_kill "$UP_TEST_DB_DIR"
echo "# killed MariaDB (kill -9) after $before acknowledged writes"
# Down until the writers have seen it (a 503; at most 30 s on a busy machine).
for _ in $(seq 150); do
	[ "$(cat "$E2E_TMP"/w*.out | awk -v t="$kill_ms" '$1 > t && $2 == 503' | wc -l)" -gt 0 ] && break
	sleep 0.2
done
STACK_MARIADB_EXTRA="--innodb-flush-log-at-trx-commit=1" \
	stack_mariadb_start_again "$UP_TEST_DB_DIR" || {
	touch "$stop"
	wait
	echo "cannot restart MariaDB after the kill" >&2
	exit 99
}
up_ms=$(date +%s%3N)
up_from=$(e2e_log_lines)
echo "# MariaDB back after $(((up_ms - kill_ms) / 1000)) s (crash recovery included)"
# Up until the writers have seen it (a 200; at most 30 s), then a little more.
for _ in $(seq 150); do
	[ "$(cat "$E2E_TMP"/w*.out | awk -v t="$up_ms" '$1 > t && $2 == 200' | wc -l)" -gt 0 ] && break
	sleep 0.2
done
sleep 2
touch "$stop"
wait

after=$(cat "$E2E_TMP"/w*.out | awk -v t="$up_ms" '$1 > t && $2 == 200' | wc -l)
down=$(cat "$E2E_TMP"/w*.out | awk -v a="$kill_ms" -v b="$up_ms" '$1 > a && $1 < b && $2 == 503' | wc -l)
# The smallest delay in awk itself: `sort | head` would end sort with SIGPIPE
# (a failure under pipefail) once there are more lines than a pipe holds.
first=$(cat "$E2E_TMP"/w*.out | awk -v t="$up_ms" '$1 > t && $2 == 200 && (m == "" || $1 - t < m) { m = $1 - t } END { if (m != "") print m }')
echo "# $before 200s before the kill, $down 503s while down, $after 200s after the restart (first ${first:-?} ms after it)"
if [ "$before" -gt 0 ]; then pass "writes acknowledged before the kill ($before)"; else fail "no write before the kill"; fi
if [ "$down" -gt 0 ]; then pass "503 while MariaDB was down ($down)"; else fail "no 503 while MariaDB was down: was it killed?"; fi
if [ "$after" -gt 0 ]; then pass "200s again after the restart ($after)"; else fail "no 200 after the restart"; fi
e2e_check_writes "$E2E_TMP"/w*.out

# No partial write: per user, one audit row per version step; the stored
# description is the last acknowledged one or one sent after it (a 503 at
# COMMIT may have committed).
for ((w = 1; w <= writers; w++)); do
	uid=${users[w - 1]#usr-}
	read -r version desc <<<"$(e2e_sql "SELECT version, description FROM users WHERE id = $uid")"
	audits=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $uid")
	last_ok=$(awk '$2 == 200 { n = NR } END { print n + 0 }' "$E2E_TMP/w$w.out")
	allowed=$(awk -v k="$last_ok" 'NR >= k && k > 0 { print $5 }' "$E2E_TMP/w$w.out")
	if [ "$version" -eq $((audits + 1)) ] && grep -xF -- "$desc" <<<"$allowed" >/dev/null; then
		pass "writer $w: version $version = 1 + $audits audit rows, description $desc"
	else
		fail "writer $w: version $version, $audits audit rows, description '$desc' (last 200: line $last_ok)"
	fi
done

e2e_expect_workers_kept "$workers" "$up_from"

e2e_finish
