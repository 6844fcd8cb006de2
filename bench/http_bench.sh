#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# http_bench.sh [BUILD_DIR] [SECONDS]: what the users write path and GET cost
# through lighttpd, against the database's durable-write ceiling and a
# FastCGI no-op, in one run on one private MariaDB (scripts/lib/stack.sh)
# with 1,000 users:
#
#   ceiling   bench/write_ceiling: UPDATE a random user + INSERT its audit row
#             + COMMIT, from 8 and from 32 threads (C client, no HTTP)
#   lceiling  the PATCH-shaped ceiling: the same with the locked read of the
#             row a PATCH makes first (SELECT of the API's columns ... FOR
#             UPDATE), `write_ceiling ... locked`
#   nceiling  (only when asked for) the PATCH-shaped ceiling with a narrow
#             locked read (id and version), `write_ceiling ... narrow`
#   bceiling  the PATCH-shaped ceiling without START TRANSACTION (autocommit
#             off), `write_ceiling ... nobegin`: how the write pipeline now
#             begins a transaction when the worker's previous one was a write
#   pceiling  (only when asked for) bceiling plus the event row through the
#             audit row, the audit row sent first and its answer read with
#             the UPDATE's: what a PATCH sent after a write in the fourth
#             round (3 round trips)
#   kceiling  what a PATCH now sends: the locked read, then the audit row with
#             its event and the UPDATE kept for the COMMIT and sent with it as
#             one compound statement (`write_ceiling ... block`): 2 round trips
#   oceiling  (only when asked for) a candidate: no transaction and no lock:
#             the read a GET makes, then one UPDATE committed on its own if
#             the version is still the one read, which sets session variables
#             in its WHERE from which a trigger (added to this benchmark's
#             database only) writes the audit row and the event: 2 statements
#   tceiling  (only when asked for) a candidate: the same rows, the audit row
#             (and so the event) written by a trigger from columns the UPDATE
#             sets (added to this benchmark's database only): 3 statements
#   no-op     bench/noop_fcgi behind the same lighttpd (HTTP + FastCGI only)
#   GET       GET /api/users/usr-N, N random of 1,000
#   PATCH     PATCH /api/users/usr-N, N random, 2 replace ops (/message,
#             /description) with new values, so every request writes
#   device    POST /api/v1/device_app_user_update/ of user_id usr-N, N random,
#             a new profile.first_name, so every request writes
#
# each with wrk (2 threads) at 8 and at 32 connections for SECONDS (default
# 8), taken in BENCH_ROUNDS (default 4) turns of short slices so that all
# of them see the same background load, after a 1 s warm-up. It prints
# req/s, p50 and p99 (medians of the slices'), the ratios the
# targets are stated in (writes / ceiling at the same concurrency, GET /
# no-op), statements and COMMITs per request (MariaDB global status deltas:
# Com_stmt_execute + Com_begin + Com_commit + Com_rollback; Com_commit; and
# Com_insert, which for GET are the once-a-second usage writes), and the
# workers' resident memory. Any non-2xx answer fails the run.
#
# BENCH_PROCS sets the workers per program (lighttpd max-procs; default: the
# dev stack's); BENCH_ONLY=ceiling,lceiling,bceiling,kceiling,noop,get,patch,device runs
# a subset (and nceiling, pceiling, oceiling, tceiling: see above). BENCH_DB_DELAY_US=N
# puts the database N microseconds away, each way (bench/db_hop between every
# client, the workers' and the ceilings', and the server's socket), as a
# database on another host would be.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
seconds=${2:-8}
only=${BENCH_ONLY:-ceiling,lceiling,bceiling,kceiling,noop,get,patch,device}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need http_bench wrk curl -- src/endpoints/userpatch-users src/endpoints/userpatch-device-app \
	src/tools/userpatch-admin bench/write_ceiling bench/noop_fcgi bench/db_hop
[ -n "${BENCH_PROCS:-}" ] && export STACK_MAX_PROCS=$BENCH_PROCS
export STACK_EXTRA_FCGI="/noop:$build/bench/noop_fcgi"
bench_stack bench
if [ -n "${BENCH_DB_DELAY_US:-}" ]; then
	"$build/bench/db_hop" "$work/hop.sock" "$work/db/mysqld.sock" "$BENCH_DB_DELAY_US" &
	hop=$!
	trap 'kill $hop 2>/dev/null; bench_cleanup' EXIT
	for _ in $(seq 50); do [ -S "$work/hop.sock" ] && break; sleep 0.1; done
	sed -i "s|^db_socket = .*|db_socket = $work/hop.sock|" "$USERPATCH_CONFIG"
fi
"$admin" tenant add bench >/dev/null 2>&1
token=$("$admin" token issue --tenant bench \
	--scopes users:read,users:write,device_app_user:write 2>/dev/null)
sql "INSERT INTO users (tenant_id, name, email)
     SELECT 1, CONCAT('User ', seq), CONCAT('user', seq, '@example.com') FROM seq_1_to_1000"
[ "$(sql 'SELECT COUNT(*) FROM users')" = 1000 ] || {
	echo "http_bench: could not create the 1,000 users" >&2
	exit 1
}
port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port

# tceiling measures a candidate: the audit row written by a trigger from
# columns the UPDATE sets. Only this benchmark's own database gets them.
if [[ ",$only," == *",tceiling,"* ]]; then
	sql "ALTER TABLE users ADD COLUMN audit_request_id VARCHAR(64) NULL,
	     ADD COLUMN audit_fields TEXT NULL"
	sql "CREATE TRIGGER tr_bench_users_audit AFTER UPDATE ON users FOR EACH ROW
	     INSERT INTO audit_log (tenant_id, token_id, user_id, resource_key, request_id,
	       action, changed_fields, event_type, event_version)
	     SELECT NEW.tenant_id, NULL, NEW.id, CONCAT('usr-', NEW.id), NEW.audit_request_id,
	       'update', NEW.audit_fields, 'user.updated', NEW.version FROM DUAL
	     WHERE NEW.audit_request_id IS NOT NULL
	       AND NOT (NEW.audit_request_id <=> OLD.audit_request_id)"
fi

# oceiling measures a candidate: the audit row written by a trigger from
# session variables the UPDATE sets (only when they are set).
if [[ ",$only," == *",oceiling,"* ]]; then
	sql "CREATE TRIGGER tr_bench_users_vars AFTER UPDATE ON users FOR EACH ROW
	     INSERT INTO audit_log (tenant_id, token_id, user_id, resource_key, request_id,
	       action, changed_fields, event_type, event_version)
	     SELECT NEW.tenant_id, NULL, NEW.id, @up_key, @up_rid, 'update', @up_names,
	       'user.updated', NEW.version FROM DUAL WHERE @up_rid IS NOT NULL"
fi

# Every request must work before anything is timed.
auth=(-H "Authorization: Bearer $token")
bench_check http_bench "$base/noop/"
bench_check http_bench "${auth[@]}" "$base/api/users/usr-1"
bench_check_patch http_bench "$base" "$token"
bench_check http_bench "${auth[@]}" -H 'Content-Type: application/json' \
	--data '{"data":{"user_id":"usr-1","profile":{"first_name":"X"}}}' \
	"$base/api/v1/device_app_user_update/"

# wrk scripts: a random user per request (bench/lib.sh).
bench_lua "$token" get patch device

status_vars="'Com_stmt_execute','Com_begin','Com_commit','Com_rollback','Com_insert'"
status() {
	sql "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME SEPARATOR ' ')
	     FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
	     ($(tr '[:lower:]' '[:upper:]' <<<"$status_vars"))"
}

# "<value><unit>" of wrk to milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}

# CPU time (clock ticks) of the workers running PROG, of lighttpd and of mariadbd.
hz=$(getconf CLK_TCK)
cpu_ticks() {
	local pids
	pids=$(ps -o pid=,args= --ppid "$(cat "$work/web/lighttpd.launch.pid")" |
		awk -v p="$1" '$2 ~ p"$" { print $1 }')
	local set files pid
	for set in "$pids" "$(cat "$work/web/lighttpd.launch.pid")" "$(cat "$work/db/mysqld.pid")"; do
		files=()
		for pid in $set; do files+=("/proc/$pid/stat"); done
		if [ "${#files[@]}" -eq 0 ]; then
			printf '0 '
		else
			awk '{ t += $14 + $15 } END { printf "%d ", t }' "${files[@]}" 2>/dev/null
		fi
	done
}

# Totals over the slices of each measure (NAME and connections as key).
declare -A REQS SECS P50L P99L DSTMT DCOMMIT DINS DCPU RATE P50 P99 STMT COMMIT INS CPU
add() { local -n arr=$1; arr[$2]=$(awk -v a="${arr[$2]:-0}" -v b="$3" 'BEGIN { print a + b }'); }

# slice NAME CONNECTIONS SECONDS URL [wrk args]: one wrk run, added to NAME's totals.
slice() {
	local name=$1 c=$2 secs=$3 url=$4 out before after reqs prog cpu0 cpu1
	shift 4
	case $name in
	noop) prog=noop_fcgi ;; device) prog=userpatch-device-app ;; *) prog=userpatch-users ;;
	esac
	before=$(status)
	cpu0=$(cpu_ticks "$prog")
	out=$(bench_wrk http_bench "$c" "$secs" "$url" "$@")
	cpu1=$(cpu_ticks "$prog")
	after=$(status)
	read -r reqs secs < <(bench_wrk_done <<<"$out")
	add REQS "$name$c" "$reqs"
	add SECS "$name$c" "$secs"
	P50L[$name$c]+="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")") "
	P99L[$name$c]+="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")") "
	# Sorted names: Com_begin Com_commit Com_insert Com_rollback Com_stmt_execute.
	read -r b0 c0 i0 r0 e0 <<<"$before"
	read -r b1 c1 i1 r1 e1 <<<"$after"
	add DSTMT "$name$c" $(((e1 - e0) + (b1 - b0) + (c1 - c0) + (r1 - r0)))
	add DCOMMIT "$name$c" $((c1 - c0))
	add DINS "$name$c" $((i1 - i0))
	read -r w0 l0 m0 <<<"$cpu0"
	read -r w1 l1 m1 <<<"$cpu1"
	DCPU[$name$c]="$(awk -v old="${DCPU[$name$c]:-0 0 0}" -v w=$((w1 - w0)) -v l=$((l1 - l0)) \
		-v m=$((m1 - m0)) 'BEGIN { split(old, x, " "); print x[1] + w, x[2] + l, x[3] + m }')"
}

# ceiling_slice NAME THREADS SECONDS: one run of the C client (NAME ceiling:
# the write alone; lceiling: with the locked read first), added to the totals.
ceiling_slice() {
	local name=$1 threads=$2 secs=$3 out db0 db1 mode=plain
	case $name in
	lceiling) mode=locked ;; nceiling) mode=narrow ;; bceiling) mode=nobegin ;;
	pceiling) mode=pipeline ;; tceiling) mode=trigger ;; oceiling) mode=vars ;; kceiling) mode=block ;;
	esac
	db0=$(awk '{ print $14 + $15 }' "/proc/$(cat "$work/db/mysqld.pid")/stat")
	out=$("$build/bench/write_ceiling" 1 1 1000 "$threads" "$secs" "$mode")
	db1=$(awk '{ print $14 + $15 }' "/proc/$(cat "$work/db/mysqld.pid")/stat")
	add REQS "$name$threads" "$(awk '{ print $1 }' <<<"$out")"
	add SECS "$name$threads" "$(awk '{ print $2 }' <<<"$out")"
	DCPU[$name$threads]="$(awk -v old="${DCPU[$name$threads]:-0 0 0}" -v m=$((db1 - db0)) \
		'BEGIN { split(old, x, " "); print 0, 0, x[3] + m }')"
}
is_ceiling() { [[ ${1%%[0-9]*} == *ceiling ]]; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The totals as the figures printed: rates, medians of the slices' percentiles, per request.
finish() {
	local k=$1 n=${REQS[$1]}
	RATE[$k]=$(awk -v n="$n" -v s="${SECS[$k]}" 'BEGIN { printf "%.0f", n / s }')
	CPU[$k]=$(awk -v n="$n" -v hz="$hz" -v t="${DCPU[$k]}" -v ceil="${k%%[0-9]*}" 'BEGIN {
		split(t, x, " ")
		if (ceil ~ /ceiling$/) printf "-/-/%d", x[3] * 1e6 / hz / n
		else printf "%d/%d/%d", x[1] * 1e6 / hz / n, x[2] * 1e6 / hz / n, x[3] * 1e6 / hz / n }')
	is_ceiling "$k" && return 0
	P50[$k]=$(median "${P50L[$k]}")
	P99[$k]=$(median "${P99L[$k]}")
	STMT[$k]=$(awk -v n="$n" -v d="${DSTMT[$k]}" 'BEGIN { printf "%.2f", d / n }')
	COMMIT[$k]=$(awk -v n="$n" -v d="${DCOMMIT[$k]}" 'BEGIN { printf "%.3f", d / n }')
	INS[$k]=$(awk -v n="$n" -v d="${DINS[$k]}" 'BEGIN { printf "%.3f", d / n }')
}

# The measures of one concurrency run in turns of short slices (ROUNDS of
# SECONDS / ROUNDS each), so that each sees the same background load and the
# ratios compare like with like on a busy machine.
want() { [[ ",$only," == *",$1,"* ]]; }
rounds=${BENCH_ROUNDS:-4}
slice_s=$(awk -v s="$seconds" -v r="$rounds" 'BEGIN { v = int(s / r); print v < 1 ? 1 : v }')
for c in 8 32; do
	# Warm-up: workers started, statements prepared.
	for name in get patch device; do
		want "$name" && wrk -t2 -c"$c" -d1s -s "$work/$name.lua" "$base/" >/dev/null 2>&1
	done
	for ((r = 0; r < rounds; r++)); do
		want ceiling && ceiling_slice ceiling "$c" "$slice_s"
		want lceiling && ceiling_slice lceiling "$c" "$slice_s"
		want nceiling && ceiling_slice nceiling "$c" "$slice_s"
		want bceiling && ceiling_slice bceiling "$c" "$slice_s"
		want pceiling && ceiling_slice pceiling "$c" "$slice_s"
		want tceiling && ceiling_slice tceiling "$c" "$slice_s"
		want oceiling && ceiling_slice oceiling "$c" "$slice_s"
		want kceiling && ceiling_slice kceiling "$c" "$slice_s"
		want noop && slice noop "$c" "$slice_s" "$base/noop/"
		want get && slice get "$c" "$slice_s" "$base/" -s "$work/get.lua"
		want patch && slice patch "$c" "$slice_s" "$base/" -s "$work/patch.lua"
		want device && slice device "$c" "$slice_s" "$base/" -s "$work/device.lua"
	done
	for name in ceiling lceiling nceiling bceiling pceiling tceiling oceiling kceiling noop get patch device; do
		want "$name" && finish "$name$c"
	done
done

# Resident memory of the workers (lighttpd's children), after the runs.
lpid=$(cat "$work/web/lighttpd.launch.pid")
rss() {
	ps -o rss=,args= --ppid "$lpid" | awk -v p="$1" '$2 ~ p"$" { if ($1 > m) m = $1; n++ }
		END { printf "%.1f MiB (largest of %d)", m / 1024, n }'
}

ratio() { awk -v a="${RATE[$1]:-0}" -v b="${RATE[$2]:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }
tail_ratio() { awk -v a="${P99[$1]:-0}" -v b="${P50[$1]:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

echo "MariaDB $(sql 'SELECT VERSION()'), innodb_flush_log_at_trx_commit=$(sql 'SELECT @@innodb_flush_log_at_trx_commit'), data on $(stat -f -c %T "$work/db"), $(nproc) CPUs"
echo "workers per program: ${STACK_MAX_PROCS:-dev stack default}; per measure $rounds slices of ${slice_s}s, taken in turns; wrk -t2"
echo "p50/p99: median over the slices; stmt/req, commit/req, ins/req: MariaDB global status deltas"
printf '%-10s %3s %9s %9s %9s %8s %9s %9s %9s  %s\n' what c req/s p50_ms p99_ms p99/p50 stmt/req commit/req ins/req \
	"cpu_us/req (workers/lighttpd/mariadbd)"
for c in 8 32; do
	for name in ceiling lceiling nceiling bceiling pceiling tceiling oceiling kceiling noop get patch device; do
		[ -n "${RATE[$name$c]:-}" ] || continue
		if is_ceiling "$name"; then
			printf '%-10s %3s %9s %9s %9s %8s %9s %9s %9s  %s\n' "$name" "$c" "${RATE[$name$c]}" \
				- - - "$(case $name in [ln]ceiling) echo 5 ;; tceiling) echo 3 ;; [ok]ceiling) echo 2 ;; *) echo 4 ;; esac)" 1 1 "${CPU[$name$c]}"
		else
			printf '%-10s %3s %9s %9s %9s %8s %9s %9s %9s  %s\n' "$name" "$c" "${RATE[$name$c]}" \
				"${P50[$name$c]}" "${P99[$name$c]}" "$(tail_ratio "$name$c")" \
				"${STMT[$name$c]}" "${COMMIT[$name$c]}" "${INS[$name$c]}" "${CPU[$name$c]}"
		fi
	done
done
echo
echo "ratios (target):"
for c in 8 32; do
	echo "  c=$c: PATCH/ceiling $(ratio "patch$c" "ceiling$c")," \
		"PATCH/locked ceiling $(ratio "patch$c" "lceiling$c") (>= 0.7 at 32)," \
		"device/ceiling $(ratio "device$c" "ceiling$c")," \
		"device/locked ceiling $(ratio "device$c" "lceiling$c") (>= 0.8 at 32)," \
		"PATCH/locked ceiling without BEGIN $(ratio "patch$c" "bceiling$c")," \
		"device/that ceiling $(ratio "device$c" "bceiling$c")," \
		"PATCH/its own protocol's ceiling (kceiling) $(ratio "patch$c" "kceiling$c")," \
		"GET/no-op $(ratio "get$c" "noop$c") (>= 0.5 at 32)"
done
cpu_ratio() { awk -v a="${CPU[$1]:-}" -v b="${CPU[$2]:-}" 'BEGIN {
	split(a, x, "/"); split(b, y, "/"); if (x[1] > 0 && y[1] > 0) printf "%.2f", x[1] / y[1]; else print "-" }'; }
echo "  worker CPU per request at c=32: PATCH/GET $(cpu_ratio patch32 get32) (<= 2)," \
	"device/GET $(cpu_ratio device32 get32)"
echo "  p99/p50 at c=32: GET $(tail_ratio get32), PATCH $(tail_ratio patch32), device $(tail_ratio device32) (<= 3)"
echo "worker RSS: userpatch-users $(rss userpatch-users), userpatch-device-app $(rss userpatch-device-app) (<= 8 MiB)"
