#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Fail-over against a real 3-node Galera cluster on 127.0.0.1 (galera-4,
# rsync SST), through lighttpd and the built programs, config listing all
# three nodes:
#  1. concurrent PATCH writers; the node that serves them (from the request
#     log's db=) is killed with kill -9; answers stay 200 or 503 with
#     Retry-After, 200s come from the other nodes within a bound, and the
#     time to recover is printed;
#  2. the killed node is started again and rejoins (IST); every
#     acknowledged write is in audit_log on every node, and each user's
#     version counts its audit rows; after db_failback_delay the workers
#     move back to the first host;
#  3. the node serving concurrent writers isolated from the others (still
#     accepting connections; 1180 at commit, then 1047 on statements and
#     wsrep_ready OFF): only 200/503, 200s from the others, no acknowledged
#     write lost, no request served by it once it is out;
#  4. a node restarted with --read-only and listed first: writes go to the
#     writable host;
#     with the writable host down, reads still answer 200 and writes 503.
# Runs as its own stage of scripts/test (make check-galera): about a minute.
set -euo pipefail

: "${top_srcdir:?run this test through tests/harness/run-test}"
: "${top_builddir:?run this test through tests/harness/run-test}"
# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"

for tool in mariadbd mariadb-install-db rsync lighttpd curl jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "failover: $tool not found (run scripts/deps)" >&2
		exit 99
	fi
done
if [ ! -f "$STACK_GALERA_PROVIDER" ]; then
	echo "failover: $STACK_GALERA_PROVIDER not found (galera-4; run scripts/deps)" >&2
	exit 99
fi

base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/userpatch-galera.XXXXXX")
chmod 0755 "$work"
web=$work/web
web2=$work/web-ro

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local rc=$? j
	trap - EXIT INT TERM
	set +e
	# Writers still running after a failure stop first.
	[ -n "${stop:-}" ] && touch "$stop"
	for j in $(jobs -p); do kill "$j" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${E2E_TMP:-}" ] && rm -rf "$E2E_TMP"
	stack_lighttpd_stop "$web"
	stack_lighttpd_stop "$web2"
	for n in 1 2 3; do stack_mariadb_discard "$work/n$n"; done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "--- program log (tail) ---" >&2
		tail -n 40 "$web/programs-stderr.log" >&2 2>/dev/null
		for n in 1 2 3; do
			echo "--- node $n error log (tail) ---" >&2
			tail -n 15 "$work/n$n/mariadb.err" >&2 2>/dev/null
		done
	fi
	if [ -n "${UP_TEST_KEEP:-}" ]; then
		echo "failover: kept $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A hung cluster must not hold CI: stop after UP_GALERA_TIMEOUT seconds.
(
	sleep "${UP_GALERA_TIMEOUT:-420}" >/dev/null 2>&1 &
	sleeper=$!
	trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
	wait "$sleeper" || exit 0
	echo "failover: still running after ${UP_GALERA_TIMEOUT:-420} s, stopping" >&2
	kill -TERM $$
) &

setup_failed() {
	echo "failover: $*" >&2
	exit 99
}

now_ms() { date +%s%3N; }

# The cluster ----------------------------------------------------------------
t0=$(now_ms)
peers=""
declare -a P G
for n in 1 2 3; do
	read -r "P[$n]" "G[$n]" < <(stack_galera_ports) || setup_failed "no free ports"
	peers+="${peers:+,}127.0.0.1:${G[n]}"
done
stack_galera_start "$work/n1" "${P[1]}" "${G[1]}" node1 "$peers" new || setup_failed "node 1"
stack_galera_wait "$work/n1" 60 1 || setup_failed "node 1 did not bootstrap"
for n in 2 3; do
	stack_galera_start "$work/n$n" "${P[n]}" "${G[n]}" "node$n" "$peers" - ||
		setup_failed "node $n"
done
for n in 2 3; do
	stack_galera_wait "$work/n$n" 120 3 || setup_failed "node $n did not join"
done
echo "# 3-node cluster formed in $((($(now_ms) - t0) / 1000)) s"

pwfile=$work/db.password
(
	umask 077
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$pwfile"
)
stack_galera_user "$work/n1" "$pwfile" || setup_failed "database account"

host() { echo "127.0.0.1:${P[$1]}"; }
config=$work/userpatch.conf
cat >"$config" <<CONF
db_host = $(host 1),$(host 2),$(host 3)
db_user = userpatch
db_password_file = $pwfile
db_name = userpatch
db_connect_timeout = 2
db_rw_timeout = 10
db_failback_delay = 5
log_level = info
CONF
export USERPATCH_CONFIG=$config
admin=$top_builddir/src/tools/userpatch-admin
"$admin" migrate --schema-dir "$top_srcdir/schema" >"$work/migrate.log" 2>&1 || {
	cat "$work/migrate.log" >&2
	setup_failed "userpatch-admin migrate on the cluster failed"
}

started=no
for _ in 1 2 3 4 5; do
	port=$(stack_free_port) || setup_failed "no free port"
	if stack_lighttpd_start "$web" "$port" "$top_builddir" "$config"; then
		started=yes
		break
	fi
	stack_lighttpd_stop "$web"
done
[ "$started" = yes ] || setup_failed "cannot start lighttpd"

export UP_TEST_BASE_URL=http://127.0.0.1:$port UP_TEST_WEB_DIR=$web UP_TEST_DB_DIR=$work/n2
export UP_TEST_ADMIN=$admin top_srcdir top_builddir
# shellcheck source=tests/e2e/lib.sh
. "$top_srcdir/tests/e2e/lib.sh"
# lib.sh's EXIT trap removes its temporary directory only: stop the servers too.
trap cleanup EXIT

# node_sql N SQL: as root on node N, reading what the cluster has committed.
node_sql() {
	stack_mariadb_root "$work/n$1" -N -B userpatch -e "SET SESSION wsrep_sync_wait = 1; $2"
}
# node_of PORT: the node number listening on PORT.
node_of() {
	local n
	for n in 1 2 3; do
		if [ "${P[n]}" = "$1" ]; then echo "$n"; fi
	done
}

# Phase 1: kill -9 the node the workers write to ----------------------------
writers=8
acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write galera)
users=()
for ((w = 1; w <= writers; w++)); do
	users+=("$(e2e_user "$acme" "Writer $w" "w$w@example.com")")
done
stop=$E2E_TMP/stop
writer_pids=()
for ((w = 1; w <= writers; w++)); do
	e2e_patch_writer "$token" "${users[w - 1]}" "w$w" "$E2E_TMP/w$w.out" "$stop" &
	writer_pids+=($!)
done
sleep 3

# Which host served the writes so far: the request lines' db= field.
from=$(e2e_log_lines)
served=$(grep -E ' info rid=[^ ]+ PATCH /api/users/[^ ]+ 200 [0-9]+us db=' "$E2E_PROG_LOG" |
	sed -E 's/.* db=([^ ]+)$/\1/' | sort | uniq -c | sort -rn)
echo "# writes served by (count host): $(echo "$served" | tr -s ' \n' ' ')"
active=$(echo "$served" | awk 'NR == 1 { print $2 }')
victim=$(node_of "${active##*:}")
if [ -n "$victim" ] && [ "$(echo "$served" | grep -c .)" -eq 1 ]; then
	pass "all workers write to node $victim ($active), the first host listed that serves"
else
	fail "writes not served by one known node: $served"
	victim=1
fi
workers=$(e2e_workers userpatch-users)
kill_from=$(e2e_log_lines)
kill_ms=$(now_ms)
stack_mariadb_kill "$work/n$victim" || setup_failed "cannot kill node $victim"
echo "# killed node $victim (kill -9) at +0 ms"

# Keep writing until 200s come from another node, then a little longer.
deadline=$((kill_ms + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
	if [ "$(tail -n +"$from" "$E2E_PROG_LOG" |
		grep -E " PATCH /api/users/[^ ]+ 200 [0-9]+us db=" | grep -cvF "db=$active")" -gt 0 ]; then
		break
	fi
	sleep 0.2
done
sleep 3

# Map each request id to the host that served it.
sed -nE 's/.* info rid=([^ ]+) PATCH \/api\/users\/[^ ]+ ([0-9]{3}) [0-9]+us db=([^ ]+)$/\1 \3/p' \
	"$E2E_PROG_LOG" | sort >"$E2E_TMP/rid_host"
cat "$E2E_TMP"/w*.out | awk -v t="$kill_ms" '$1 > t && $2 == 200 { print $3, $1 - t }' | sort \
	>"$E2E_TMP/after_kill"
join "$E2E_TMP/after_kill" "$E2E_TMP/rid_host" | sort -k2,2n >"$E2E_TMP/after_kill_hosts"
recover_ms=$(awk -v a="$active" '$3 != a { print $2; exit }' "$E2E_TMP/after_kill_hosts")
late_on_victim=$(awk -v a="$active" '$3 == a && $2 > 1000' "$E2E_TMP/after_kill_hosts" | wc -l)
others=$(awk -v a="$active" '$3 != a { print $3 }' "$E2E_TMP/after_kill_hosts" | sort | uniq -c |
	tr -s ' \n' ' ')
if [ -n "$recover_ms" ]; then
	echo "# time to recover: $recover_ms ms from the kill to the first 200 served by another node"
	echo "# 200s after the kill by host: $others"
fi
if [ -n "$recover_ms" ] && [ "$recover_ms" -le 20000 ]; then
	pass "200s from the other nodes $recover_ms ms after the kill (bound 20000 ms)"
else
	fail "no 200 from another node within 20 s of the kill (${recover_ms:-never})"
fi
if [ "$late_on_victim" -eq 0 ]; then
	pass "no 200 attributed to the killed node more than 1 s after the kill"
else
	fail "$late_on_victim 200s claim the killed node served them"
fi
e2e_expect_workers_kept "$workers" "$kill_from"
if e2e_log_has "$from" "database fail-over: now using host"; then
	pass "the log names the fail-over"
else
	fail "no fail-over line in the log"
fi

# Phase 2: the killed node rejoins; nothing acknowledged is lost -------------
t_rejoin=$(now_ms)
stack_galera_start_again "$work/n$victim" || setup_failed "cannot restart node $victim"
if stack_galera_wait "$work/n$victim" 120 3; then
	how=$(grep -qE 'WSREP: IST received' "$work/n$victim/mariadb.err" && echo IST || echo SST)
	pass "node $victim rejoined by $how in $((($(now_ms) - t_rejoin) / 1000)) s"
else
	fail "node $victim did not rejoin"
fi
sleep 2
touch "$stop"
wait "${writer_pids[@]}"

e2e_check_writes "$E2E_TMP"/w*.out
for n in 1 2 3; do
	node_sql "$n" "SELECT request_id FROM audit_log" | sort -u >"$E2E_TMP/audit.n$n"
	missing=$(comm -23 "$E2E_TMP/acked" "$E2E_TMP/audit.n$n" | wc -l)
	what="node $n"
	[ "$n" = "$victim" ] && what="node $n (killed, rejoined)"
	if [ "$missing" -eq 0 ]; then
		pass "$what: all $(wc -l <"$E2E_TMP/acked") acknowledged writes in audit_log"
	else
		fail "$what: $missing acknowledged writes missing from audit_log"
	fi
	bad=$(node_sql "$n" "SELECT u.id, u.version, COUNT(a.id) FROM users u
		LEFT JOIN audit_log a ON a.user_id = u.id GROUP BY u.id, u.version
		HAVING u.version <> COUNT(a.id) + 1")
	if [ -z "$bad" ]; then
		pass "$what: every user's version = 1 + its audit rows"
	else
		fail "$what: version and audit rows disagree: $(echo "$bad" | tr '\n' ';')"
	fi
done

# Fail-back: the killed node is listed first; after db_failback_delay the
# workers try it again between requests and move back to it.
sleep 5
from=$(e2e_log_lines)
curls=()
for _ in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null --max-time 20 -H "Authorization: Bearer $token" \
		"$UP_TEST_BASE_URL/api/users/${users[0]}" &
	curls+=($!)
done
wait "${curls[@]}"
back=$(tail -n +"$kill_from" "$E2E_PROG_LOG" |
	grep -c "database fail-back: host $(host 1) serves again" || true)
elsewhere=$(tail -n +"$from" "$E2E_PROG_LOG" | grep -E ' GET /api/users/[^ ]+ [0-9]{3} [0-9]+us db=' |
	grep -vcE " 200 [0-9]+us db=$(host 1)$" || true)
if [ "$victim" != 1 ]; then
	pass "fail-back not applicable (node $victim was not the first host)"
elif [ "$back" -ge 1 ] && [ "$elsewhere" -eq 0 ]; then
	pass "after db_failback_delay the workers moved back to $(host 1) ($back fail-backs; the last 8 requests all served there)"
else
	fail "fail-back to $(host 1): $back fail-back lines, $elsewhere of the last 8 requests served elsewhere"
fi

# Phase 3: the node that serves the writers is cut off from the cluster
# while they write (gmcast.isolate: it still accepts connections; until it
# sees that it left the primary component its commits fail with 1180 "Not
# connected to Primary Component", then statements get 1047 and wsrep_ready
# is OFF). Answers stay 200 or 503, nothing acknowledged is lost, 200s come
# from the other nodes, and after the restore the node rejoins.
stop=$E2E_TMP/stop.iso
rm -f "$stop"
from=$(e2e_log_lines)
writer_pids=()
for ((w = writers + 1; w <= 2 * writers; w++)); do
	users+=("$(e2e_user "$acme" "Writer $w" "w$w@example.com")")
done
for ((w = 1; w <= 2 * writers; w++)); do
	e2e_patch_writer "$token" "${users[w - 1]}" "i$w" "$E2E_TMP/i$w.out" "$stop" &
	writer_pids+=($!)
done
sleep 3
active=$(tail -n +"$from" "$E2E_PROG_LOG" |
	sed -nE 's/.* info rid=[^ ]+ PATCH \/api\/users\/[^ ]+ 200 [0-9]+us db=([^ ]+)$/\1/p' |
	sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
iso=$(node_of "${active##*:}")
[ -n "$iso" ] || setup_failed "no node served the writers before the isolation"
iso_from=$(e2e_log_lines)
iso_ms=$(now_ms)
node_sql "$iso" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'"
echo "# isolated node $iso ($active), the one serving the writers"
for _ in $(seq 100); do
	[ "$(stack_galera_status "$work/n$iso" | awk '{ print $1 }')" = OFF ] && break
	sleep 0.2
done
echo "# node $iso after the isolation: $(stack_galera_status "$work/n$iso")"
deadline=$((iso_ms + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
	if [ "$(tail -n +"$iso_from" "$E2E_PROG_LOG" |
		grep -E " PATCH /api/users/[^ ]+ 200 [0-9]+us db=" | grep -cvF "db=$active")" -gt 0 ]; then
		break
	fi
	sleep 0.2
done
sleep 3
isolated_from=$(e2e_log_lines)
sleep 2
touch "$stop"
wait "${writer_pids[@]}"
sed -nE 's/.* info rid=([^ ]+) PATCH \/api\/users\/[^ ]+ ([0-9]{3}) [0-9]+us db=([^ ]+)$/\1 \3/p' \
	"$E2E_PROG_LOG" | sort >"$E2E_TMP/rid_host"
cat "$E2E_TMP"/i*.out | awk -v t="$iso_ms" '$1 > t && $2 == 200 { print $3, $1 - t }' | sort |
	join - "$E2E_TMP/rid_host" | awk -v a="$active" '$3 != a { print $2 }' | sort -n \
	>"$E2E_TMP/iso_others"
iso_others=$(wc -l <"$E2E_TMP/iso_others")
echo "# after the isolation: $(tail -n +"$iso_from" "$E2E_PROG_LOG" | grep -c '(1180)' || true) commits refused with 1180, $(tail -n +"$iso_from" "$E2E_PROG_LOG" | grep -c '(1047)' || true) statements with 1047"
if [ "$iso_others" -gt 0 ]; then
	pass "$iso_others writes answered 200 from the other nodes, the first $(head -n 1 "$E2E_TMP/iso_others") ms after the isolation"
else
	fail "no write answered 200 from another node after node $iso was isolated"
fi
on_iso=$(tail -n +"$isolated_from" "$E2E_PROG_LOG" | grep -cE " [0-9]{3} [0-9]+us db=$active$" || true)
if [ "$on_iso" -eq 0 ]; then
	pass "once node $iso was out of the primary component, no request was served by it"
else
	fail "$on_iso requests were served by the isolated node $iso"
fi
if e2e_log_has "$iso_from" "database host $active: (not ready \(1047\)|not in the primary component \(1180\)|Galera node not ready \(wsrep_ready OFF\))"; then
	pass "the workers left node $iso on 1180 / 1047 / wsrep_ready OFF"
else
	fail "no 1180, 1047 or wsrep_ready line for node $iso in the log"
fi
if ! e2e_log_has "$iso_from" "database error 1180"; then
	pass "no request failed on 1180"
else
	fail "1180 reached a request as a database error"
fi

# One request after another while it is still isolated: all 200.
statuses=""
for i in 1 2 3 4 5 6 7 8; do
	reqt "$token" PATCH "/api/users/${users[2]}" -H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"iso-$i\"}]"
	statuses+="$E2E_STATUS "
done
if [ "$statuses" = "200 200 200 200 200 200 200 200 " ]; then
	pass "8 writes with node $iso out of the primary component: all 200"
else
	fail "writes with node $iso isolated: $statuses"
fi
node_sql "$iso" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'" 2>/dev/null ||
	stack_mariadb_root "$work/n$iso" -e "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'"
stack_galera_wait "$work/n$iso" 60 3 || fail "node $iso did not rejoin after isolation"
e2e_check_writes "$E2E_TMP"/i*.out
for n in 1 2 3; do
	node_sql "$n" "SELECT request_id FROM audit_log" | sort -u >"$E2E_TMP/audit.n$n"
	missing=$(comm -23 "$E2E_TMP/acked" "$E2E_TMP/audit.n$n" | wc -l)
	if [ "$missing" -eq 0 ]; then
		pass "node $n: all $(wc -l <"$E2E_TMP/acked") writes acknowledged around the isolation in audit_log"
	else
		fail "node $n: $missing writes acknowledged around the isolation missing from audit_log"
	fi
done

# Phase 4: a read-only server listed first ----------------------------------
ro=3 rw=2
[ "$victim" = 2 ] && rw=1
# Node 3 becomes a read-only server: restarted with --read-only (it rejoins
# and keeps applying the cluster's writes, as a replica does).
stack_mariadb_stop "$work/n$ro"
read -r ro_port ro_gport ro_name ro_peers <"$work/n$ro/galera.node"
stack_galera_start "$work/n$ro" "$ro_port" "$ro_gport" "$ro_name" "$ro_peers" - --read-only ||
	setup_failed "cannot restart node $ro with --read-only"
stack_galera_wait "$work/n$ro" 120 3 || setup_failed "node $ro did not rejoin read-only"
if [ "$(node_sql "$ro" "SELECT @@global.read_only")" = 1 ]; then
	pass "node $ro rejoined with --read-only"
else
	fail "node $ro is not read-only"
fi
config2=$work/userpatch-ro.conf
sed "s/^db_host = .*/db_host = $(host $ro),$(host $rw)/" "$config" >"$config2"
port2=$(stack_free_port) || setup_failed "no free port"
stack_lighttpd_start "$web2" "$port2" "$top_builddir" "$config2" || setup_failed "lighttpd 2"
UP_TEST_BASE_URL=http://127.0.0.1:$port2
E2E_PROG_LOG=$web2/programs-stderr.log
for i in 1 2 3 4; do
	reqt "$token" PATCH "/api/users/${users[1]}" -H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"ro-$i\"}]"
	expect_status 200 "write with a read-only server listed first ($i)"
done
if [ "$(grep -E ' PATCH /api/users/[^ ]+ 200 [0-9]+us db=' "$E2E_PROG_LOG" | grep -cvF "db=$(host $rw)")" -gt 0 ]; then
	fail "a write was served by another host than the writable $(host $rw)"
else
	pass "every write was served by the writable host $(host $rw), not the read-only $(host $ro)"
fi
if grep -q "database host $(host $ro): read-only server" "$E2E_PROG_LOG"; then
	pass "the log says why $(host $ro) was passed over"
else
	fail "no read-only line for $(host $ro) in the log"
fi
# The writable host goes away: reads from the read-only one, writes 503.
stack_mariadb_stop "$work/n$rw"
reqt "$token" GET "/api/users/${users[1]}"
expect_status 200 "read with only the read-only server left"
expect_json description '"ro-4"'
reqt "$token" PATCH "/api/users/${users[1]}" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/description","value":"refused"}]'
expect_status 503 "write with only the read-only server left"
expect_header Retry-After '^[0-9]+$'
if [ "$(node_sql "$ro" "SELECT description FROM users WHERE id = ${users[1]#usr-}")" = ro-4 ]; then
	pass "the refused write changed nothing"
else
	fail "the refused write changed the user"
fi

echo "# whole test: $((($(now_ms) - t0) / 1000)) s"
e2e_finish
