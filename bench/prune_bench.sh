#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# prune_bench.sh [BUILD_DIR] [POSITIONS]: retention at scale, on one private
# MariaDB (scripts/lib/stack.sh) behind lighttpd.
#
#   load      POSITIONS (default 1,000,000) fixes of one device, spread evenly
#             over January to April 2025, by direct SQL (INSERT ... SELECT
#             FROM seq_1_to_N, a million rows per statement) into monthly
#             partitions; then the size of positions on disk: rows per GB
#   month     `positions prune --before 2025-02-01T00:00:00Z`: January, a
#             quarter of the rows, goes as one partition (target < 5 s at
#             10,000,000)
#   idle      1,000-position batches POSTed one after the other to another
#             device: p50 and p99 of their time
#   during    the same while a daily cron is replayed: `positions prune
#             --before` March 2, 3, ... April 2 (a day of rows deleted row
#             by row each, February and March dropped as partitions), one
#             prune after the other; p99 during / p99 idle (target <= 2)
#             (PRUNE_BENCH_PAUSE=P passes --pause P to these prunes: the
#             pause after each delete statement, percent of its time)
#
# Then every position POSTed is in the database (nothing arriving during a
# prune is lost: they are all newer than the cuts).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
rows=${2:-1000000}
idle_batches=${PRUNE_BENCH_IDLE:-300}
pause=()
[ -n "${PRUNE_BENCH_PAUSE:-}" ] && pause=(--pause "$PRUNE_BENCH_PAUSE")
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need prune_bench curl awk -- src/endpoints/userpatch-devices src/tools/userpatch-admin
bench_stack prune
"$admin" tenant add bench >/dev/null
token=$("$admin" token issue --tenant bench --scopes devices:report 2>/dev/null)
sql "INSERT INTO devices (tenant_id) SELECT 1 FROM seq_1_to_3"

bench_months_2025

# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }

span=$((120 * 86400)) # January to April 2025, in seconds
t0=$(now_ms)
done_rows=0
while [ "$done_rows" -lt "$rows" ]; do
	n=$((rows - done_rows < 1000000 ? rows - done_rows : 1000000))
	sql "INSERT INTO positions (device_id, fix_time, latitude, longitude, altitude, speed, course, accuracy, attributes)
		SELECT 1, TIMESTAMP('2025-01-01') + INTERVAL ((seq + $done_rows) * $span DIV $rows) SECOND
			+ INTERVAL ((seq + $done_rows) * $span MOD $rows) * 1000000 DIV $rows MICROSECOND,
			48.85 + seq / 1e7, 2.29 + seq / 1e7, 35, 42.5, seq MOD 360, 5, '{\"batt\":87,\"sat\":9}'
		FROM seq_0_to_$((n - 1))"
	done_rows=$((done_rows + n))
done
sql "UPDATE devices SET last_fix_time = (SELECT MAX(fix_time) FROM positions WHERE device_id = 1) WHERE id = 1"
load_ms=$(($(now_ms) - t0))
sql "ANALYZE TABLE positions" >/dev/null
read -r stored bytes < <(sql "SELECT (SELECT COUNT(*) FROM positions), DATA_LENGTH + INDEX_LENGTH
	FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'userpatch' AND TABLE_NAME = 'positions'")
[ "$stored" -eq "$rows" ] || {
	echo "prune_bench: $stored rows loaded, $rows wanted" >&2
	exit 1
}

port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port

# post DEVICE N: one batch of 1,000 positions, the Nth to DEVICE, 100 ms
# apart from three days ago on (never the same time twice); prints its time
# in seconds, or fails.
start=$(($(date +%s) - 3 * 86400))
post() {
	local out
	awk -v t="$((start + $2 * 100))" 'BEGIN {
		printf "["
		for (i = 0; i < 1000; i++) {
			ms = i * 100
			printf "%s{\"time\":\"%s.%03dZ\",\"latitude\":48.85,\"longitude\":2.29,\"speed\":40}",
				i ? "," : "", strftime("%Y-%m-%dT%H:%M:%S", t + int(ms / 1000), 1), ms % 1000
		}
		printf "]"
	}' >"$work/batch.json"
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' --data-binary @"$work/batch.json" \
		"$base/api/devices/dev-$1/locations")
	[ "${out%% *}" = 200 ] || [ "${out%% *}" = 201 ] || {
		echo "prune_bench: POST answered ${out%% *}" >&2
		return 1
	}
	echo "${out#* }"
}
# pct P FILE: the Pth percentile of the numbers of FILE (nearest rank), in ms.
pct() { sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'; }

for ((i = 0; i < idle_batches; i++)); do post 2 "$i"; done >"$work/idle.txt"

t0=$(now_ms)
"$admin" positions prune --before 2025-02-01T00:00:00Z >"$work/month.txt"
month_ms=$(($(now_ms) - t0))

# The cron replay in the background, batches in the foreground until it ends.
(
	for d in $(seq 2 32); do
		"$admin" positions prune "${pause[@]}" --before "$(date -u -d "2025-03-01 + $((d - 1)) days" +%Y-%m-%dT00:00:00Z)" >/dev/null
	done
) &
cron=$!
t0=$(now_ms)
i=0
: >"$work/during.txt"
while kill -0 "$cron" 2>/dev/null; do
	post 3 "$i" >>"$work/during.txt"
	i=$((i + 1))
done
wait "$cron"
cron_ms=$(($(now_ms) - t0))
during_batches=$i
posted=$(sql "SELECT COUNT(*) FROM positions WHERE device_id IN (2, 3)")
[ "$posted" -eq $(((idle_batches + during_batches) * 1000)) ] || {
	echo "prune_bench: $posted positions of devices 2 and 3 stored, $(((idle_batches + during_batches) * 1000)) POSTed" >&2
	exit 1
}
left=$(sql "SELECT COUNT(*) FROM positions WHERE device_id = 1")

awk -v rows="$rows" -v bytes="$bytes" -v loadms="$load_ms" -v month="$month_ms" \
	-v cron="$cron_ms" -v left="$left" -v nb="$during_batches" -v ni="$idle_batches" \
	-v i50="$(pct 50 "$work/idle.txt")" -v i99="$(pct 99 "$work/idle.txt")" \
	-v d50="$(pct 50 "$work/during.txt")" -v d99="$(pct 99 "$work/during.txt")" \
	-v monthout="$(head -1 "$work/month.txt")" 'BEGIN {
	printf "positions: %d rows of one device loaded in %.1f s; %.1f MB on disk, %.0f rows per GB\n",
		rows, loadms / 1000, bytes / 1048576, rows / (bytes / 1073741824)
	printf "prune of one month (%s): %.2f s (target < 5 s at 10,000,000): %s\n",
		monthout, month / 1000, month < 5000 ? "met" : "NOT met"
	printf "a daily cron replayed for a month (31 prunes, %d rows left): %.1f s\n", left, cron / 1000
	printf "%-44s %10s %10s\n", "POST of 1,000 positions (ms)", "p50", "p99"
	printf "%-44s %10s %10s\n", "idle (" ni " batches)", i50, i99
	printf "%-44s %10s %10s\n", "during the prunes (" nb " batches)", d50, d99
	printf "p99 during / idle = %.2f (target <= 2): %s\n", d99 / i99, d99 <= 2 * i99 ? "met" : "NOT met"
	printf "every position POSTed during the prunes is stored\n"
}'
