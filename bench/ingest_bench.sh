#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ingest_bench.sh [BUILD_DIR] [SECONDS]: position ingestion, through lighttpd
# and against its ceiling, on one private MariaDB (scripts/lib/stack.sh).
#
#   ceiling   bench/ingest_ceiling: the same rows as a C client inserts them,
#             one multi-row INSERT of 1,000 rows in one transaction per
#             batch, 8 connections (one device each)
#   batch     POST /api/devices/{id}/locations with 1,000-position batches,
#             8 connections (one device each) through lighttpd
#   single    the same with one position per request, 32 connections
#   osmand    GET /api/trackers/osmand, one fix per request as Traccar
#             Client sends it, 32 connections: against single (target 0.9)
#   overland  POST /api/trackers/overland, 1,000-point batches, 8
#             connections: against batch (target 0.9)
#
# The batches (batch and overland) come from bench/batch_post, a C client
# that builds each connection's request once and per request only rewrites
# its 1,000 fix times, so the client takes little of the CPU the server
# shares with it; single and osmand come from wrk with a Lua script.
# Each runs for SECONDS (default 10). The pairs compared (single and
# osmand, batch and overland) run in 4 slices taken in turns, so that both
# sides of a ratio see the same background load. Every position of every
# request has its own fix time, so nothing is a duplicate. It prints
# positions per second, the ratio batch / ceiling (target: at least 0.5)
# and checks that the database holds exactly the positions the requests
# sent.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
seconds=${2:-10}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need ingest_bench wrk curl -- src/endpoints/userpatch-devices src/endpoints/userpatch-trackers src/tools/userpatch-admin \
	bench/ingest_ceiling bench/batch_post
bench_stack ingest
"$admin" tenant add bench >/dev/null
token=$("$admin" token issue --tenant bench --scopes devices:report 2>/dev/null)
# Devices 1-8: batches over HTTP; 9-40: single positions; 41-48: the ceiling;
# 49-80: OsmAnd; 81-88: Overland (the trackers name them by uniqueId u<id>).
sql "INSERT INTO devices (tenant_id) SELECT 1 FROM seq_1_to_88"
sql "UPDATE devices SET unique_id = CONCAT('u', id)"
port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port

# wrk script (single and osmand): thread i (one connection) posts to device
# FIRST + i - 1; each request carries BATCH positions (or one OsmAnd fix)
# with fix times never sent before.
cat >"$work/post.lua" <<'LUA'
local first = tonumber(os.getenv("BENCH_FIRST_DEVICE"))
local batch = tonumber(os.getenv("BENCH_BATCH"))
local token = os.getenv("BENCH_TOKEN")
local mode = os.getenv("BENCH_MODE") or "json"
local base = tonumber(os.getenv("BENCH_T0") or "1577836800")
local next_id = 0
function setup(thread)
	thread:set("device", first + next_id)
	next_id = next_id + 1
end
function init(args)
	n = 0
	path = "/api/devices/dev-" .. device .. "/locations"
	headers = { ["Authorization"] = "Bearer " .. token,
		["Content-Type"] = "application/json" }
	-- OsmAnd's GET has no body, so no Content-Type.
	if mode == "osmand" then headers = { ["Authorization"] = "Bearer " .. token } end
end
local fmt = '{"time":"%s","latitude":%.5f,"longitude":%.5f,"altitude":35,' ..
	'"speed":42.5,"course":90,"accuracy":5}'
function request()
	local t0 = base + n * batch
	if mode == "osmand" then
		n = n + 1
		return wrk.format("GET", string.format("/api/trackers/osmand?id=u%d&timestamp=%d" ..
			"&lat=%.5f&lon=%.5f&speed=22.9&bearing=90&altitude=35&accuracy=5&batt=80",
			device, t0, 48.85, 2.29), headers)
	end
	local parts = {}
	for i = 0, batch - 1 do
		parts[i + 1] = string.format(fmt, os.date("!%Y-%m-%dT%H:%M:%SZ", t0 + i),
			48.85 + i / 1e5, 2.29 + i / 1e5)
	end
	n = n + 1
	local body = parts[1]
	if batch > 1 then body = "[" .. table.concat(parts, ",") .. "]" end
	return wrk.format("POST", path, headers, body)
end
LUA

# wrk_run CONNECTIONS FIRST_DEVICE BATCH [MODE [SECONDS [SLICE]]]: prints
# "requests seconds"; slice k sends fix times from 2020 + k * 10^7 s.
wrk_run() {
	local out
	out=$(BENCH_FIRST_DEVICE=$2 BENCH_BATCH=$3 BENCH_TOKEN=$token BENCH_MODE=${4:-json} \
		BENCH_T0=$((1577836800 + ${6:-0} * 10000000)) \
		wrk -t"$1" -c"$1" -d"${5:-$seconds}s" --timeout 30s -s "$work/post.lua" \
		"$base/api/devices")
	if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
		echo "ingest_bench: failed requests:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/ requests in / { r = $1; s = $4; sub(/s,?$/, "", s); print r, s }' <<<"$out"
}

# post_run CONNECTIONS FIRST_DEVICE BATCH MODE SECONDS SLICE: as wrk_run
# with bench/batch_post (BATCH must be 1000; MODE json or overland): prints
# "requests seconds", the requests answered 2xx within SECONDS.
post_run() {
	"$build/bench/batch_post" "$4" 127.0.0.1 "$port" "$token" "$2" "$1" "$5" \
		$((1577836800 + $6 * 10000000))
}

# turns "RUN1 C1 FIRST1 BATCH1 MODE1" "RUN2 C2 FIRST2 BATCH2 MODE2" (RUN:
# wrk_run or post_run): both in 4 slices of SECONDS / 4 (at least 1 s)
# taken in turns; prints "req1 secs1 req2 secs2"; exits 1 if a run failed.
turns() {
	local slice=$((seconds / 4 > 0 ? seconds / 4 : 1)) k r1=0 s1=0 r2=0 s2=0 r s out
	local -a a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for k in 0 1 2 3; do
		out=$("${a[@]}" "$slice" "$k") || exit 1
		read -r r s <<<"$out"
		r1=$((r1 + r)) s1=$(awk -v a="$s1" -v b="$s" 'BEGIN { print a + b }')
		out=$("${b[@]}" "$slice" "$k") || exit 1
		read -r r s <<<"$out"
		r2=$((r2 + r)) s2=$(awk -v a="$s2" -v b="$s" 'BEGIN { print a + b }')
	done
	echo "$r1 $s1 $r2 $s2"
}

stored() { sql "SELECT COUNT(*) FROM positions WHERE device_id BETWEEN $1 AND $2"; }
# check WHAT SENT STORED [IN_FLIGHT]: every position the client (wrk or
# batch_post) counted is stored; requests still in flight when it stopped
# may add up to IN_FLIGHT more.
check() {
	local what=$1 want=$2 got=$3 slack=${4:-0}
	if [ "$got" -lt "$want" ] || [ "$got" -gt $((want + slack)) ]; then
		echo "ingest_bench: $what: $got positions stored, $want sent" >&2
		exit 1
	fi
}

read -r c_rows c_secs < <(USERPATCH_CONFIG=$USERPATCH_CONFIG "$build/bench/ingest_ceiling" 41 8 "$seconds")
check ceiling "$c_rows" "$(stored 41 48)"
out=$(turns "post_run 8 1 1000 json" "post_run 8 81 1000 overland")
read -r b_reqs b_secs v_reqs v_secs <<<"$out"
check batch "$((b_reqs * 1000))" "$(stored 1 8)" $((4 * 8000))
check overland "$((v_reqs * 1000))" "$(stored 81 88)" $((4 * 8000))
out=$(turns "wrk_run 32 9 1 json" "wrk_run 32 49 1 osmand")
read -r s_reqs s_secs o_reqs o_secs <<<"$out"
check single "$s_reqs" "$(stored 9 40)" $((4 * 32))
check osmand "$o_reqs" "$(stored 49 80)" $((4 * 32))

awk -v cr="$c_rows" -v cs="$c_secs" -v br="$b_reqs" -v bs="$b_secs" \
	-v sr="$s_reqs" -v ss="$s_secs" -v oreq="$o_reqs" -v osec="$o_secs" \
	-v vreq="$v_reqs" -v vsec="$v_secs" 'BEGIN {
	c = cr / cs; b = br * 1000 / bs; s = sr / ss; o = oreq / osec; v = vreq * 1000 / vsec
	printf "%-44s %12s %8s\n", "position ingestion", "positions/s", "ratio"
	printf "%-44s %12.0f %8.3f\n", "ceiling: C client, 1,000-row INSERTs, 8 conns", c, 1
	printf "%-44s %12.0f %8.3f\n", "POST 1,000-position batches, 8 connections", b, b / c
	printf "%-44s %12.0f %8.3f\n", "POST single positions, 32 connections", s, s / c
	printf "%-44s %12.0f %8.3f\n", "GET /api/trackers/osmand, 32 connections", o, o / c
	printf "%-44s %12.0f %8.3f\n", "POST Overland 1,000-point batches, 8 conns", v, v / c
	printf "batch / ceiling = %.3f (target >= 0.5): %s\n", b / c, b / c >= 0.5 ? "met" : "NOT met"
	printf "osmand / single = %.3f (target >= 0.9): %s\n", o / s, o / s >= 0.9 ? "met" : "NOT met"
	printf "overland / batch = %.3f (target >= 0.9): %s\n", v / b, v / b >= 0.9 ? "met" : "NOT met"
}'
