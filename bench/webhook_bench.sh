#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# webhook_bench.sh [BUILD_DIR] [DELIVERIES]: what webhooks cost, in one run
# on one private MariaDB (scripts/lib/stack.sh) with 1,000 users:
#
#   event row   the PATCH-shaped write ceiling (bench/write_ceiling ...
#               locked: locked read, UPDATE, audit row, COMMIT, 8 threads)
#               against the same with the change feed's event INSERT
#               (write_ceiling ... events), in alternating 3 s turns, three
#               each; printed as the ratio events / locked (target: the
#               event costs under 10 %, a ratio above 0.90)
#   delivery    DELIVERIES (default 20,000) events of as many users, then
#               one `userpatch-admin webhooks deliver --follow --batch 200
#               --parallel 32` until every one is delivered to
#               bench/noop_fcgi behind lighttpd on 127.0.0.1 (ordering,
#               fan-out, claim, signed POST, record: all of it); printed
#               as deliveries/s (target: 1,000/s or more)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
deliveries=${2:-20000}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need webhook_bench curl -- src/tools/userpatch-admin bench/write_ceiling bench/noop_fcgi
export STACK_EXTRA_FCGI="/noop:$build/bench/noop_fcgi"
bench_stack webhooks
"$admin" tenant add bench >/dev/null 2>&1
sql "INSERT INTO users (tenant_id, name, email)
     SELECT 1, CONCAT('User ', seq), CONCAT('user', seq, '@example.com') FROM seq_1_to_1000"
port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"

echo "== the event row against the PATCH-shaped write ceiling (8 threads)"
: >"$work/ceiling"
for turn in 1 2 3; do
	for mode in locked events; do
		out=$("$build/bench/write_ceiling" 1 1 1000 8 3 "$mode")
		echo "$turn $mode $out" >>"$work/ceiling"
		awk '{ printf "  turn %s %-7s %6.0f tx/s\n", $1, $2, $3 / $4 }' <<<"$turn $mode $out"
	done
done
awk '{ r[$2] += $3 / $4 } END { printf "  with the event: %.3f of the ceiling without (target > 0.90)\n", r["events"] / r["locked"] }' "$work/ceiling"

echo "== delivery: $deliveries events to one webhook, one deliverer"
# (the stack's configuration lets webhooks reach 127.0.0.1 over http)
sql "DELETE FROM events"
sql "INSERT INTO webhooks (tenant_id, url, event_types, secret, cursor_seq, created_at, updated_at)
     VALUES (1, 'http://127.0.0.1:$port/noop/', 'user.*',
     CONCAT('whsec_', TO_BASE64(RANDOM_BYTES(32))),
     (SELECT COALESCE(MAX(last_seq), 0) FROM event_seq WHERE tenant_id = 1),
     UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
sql "INSERT INTO events (tenant_id, type, resource_id, version, changed_fields, request_id, created_at)
     SELECT 1, 'user.updated', CONCAT('usr-', seq), 2, '[\"message\"]', CONCAT('bench-', seq),
     UTC_TIMESTAMP(6) FROM seq_1_to_$deliveries"
start=$(date +%s%N)
"$admin" webhooks deliver --follow --batch 200 --parallel 32 &
deliverer=$!
while [ "$(sql "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'")" -lt "$deliveries" ]; do
	stack__alive "$deliverer" || {
		echo "webhook_bench: the deliverer stopped" >&2
		exit 1
	}
	sleep 0.2
done
end=$(date +%s%N)
kill -TERM "$deliverer"
wait "$deliverer" || true
failed=$(sql "SELECT COUNT(*) FROM webhook_attempts WHERE status IS NULL OR status >= 300")
awk -v n="$deliveries" -v ns=$((end - start)) -v f="$failed" 'BEGIN {
	printf "  %d delivered in %.2f s: %.0f deliveries/s (target >= 1000), %d failed attempts\n", n, ns / 1e9, n / (ns / 1e9), f }'
[ "$failed" = 0 ]
