#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# scale_bench.sh [BUILD_DIR] [N] [M]: whether list, read and write requests
# cost the same for a tenant of 1,000 users and for one of N (default 1,000,000),
# and a device's route history the same for 10,000 positions and for M
# (default 10,000,000), through lighttpd on one private MariaDB
# (scripts/lib/stack.sh).
#
# It loads one tenant by direct SQL (every tenth user in the group `big`,
# every seventh disabled), first 1,000 users, then up to N, and at each size
# times, with curl, the median of 5 (after one warm-up) of each request of
# the table below, and prints both times and their ratio (the target is
# at most 2x for every request).  `offset` stops at 10000 (400 past it), so
# the offset request skips 900 rows at both sizes; the cursor request starts
# after the user at 90 % of the tenant.  count=exact is timed too, for
# information: it counts the filter, on request, and grows with it.
#
#   GET /api/users?limit=50                  first page
#   GET /api/users?limit=50&offset=900       offset page
#   GET /api/users?limit=50&cursor=usr-C     cursor page, C at 90 %
#   GET /api/users?group=big&limit=50        filter (N/10 in the group)
#   GET /api/users?disabled=true&limit=50    filter (N/7)
#   GET /api/users?email=...                 filter (one)
#   GET /api/groups/big                      a group and its users count
#   GET /api/groups                          the groups
#   GET /api/users/usr-C                     one user
#   GET .../lastLocation                     the device's newest position
#
# and the writes, each of the 6 runs (and the 7th that counts the rows)
# on a user or fix times no other request touches, so that they change
# nothing a later measurement reads:
#
#   PATCH /api/users/usr-W                   a JSON Patch of /message, W from 50 %
#   POST /api/v1/device_app_user_update/     first_name of usr-W', W' after them
#   POST .../locations                       a batch of 1,000 positions of the big
#                                            device, fix times in June 2024 (before
#                                            every loaded one: lastLocation and the
#                                            route stay as they were)
#
# Beside each time, the rows (and index entries) the database read for the
# request at each size, from its Handler_read_* counters: the time is what
# the target is stated in, the rows are why, and they are not disturbed by
# other load on the machine.  Any answer but 200 (201 for a new batch and a
# device-app update) fails the run.  BENCH_SMALL sets the first size.
#
# The device's positions are one a second from 2025-01-01 on, loaded by
# direct SQL (INSERT ... SELECT FROM a sequence, a million rows a statement)
# into monthly partitions: first 10,000 (BENCH_SMALL_POSITIONS), then up to
# M.  The route requests are the same at both sizes and read the same rows
# (the target is at most 2x):
#
#   GET .../locations?from=<Jan 1>&to=<Jan 2>&limit=1000          first page of a day
#   GET .../locations?from=<Jan 1>&to=<Jan 2>&limit=1000&cursor=  a page at 02:00
#   GET .../locations?from=<Jan 1 01:00>&to=<02:00>, Accept: text/csv  one hour, 3,600 rows
#
# Then the load time, the bytes per position on disk, and the time of
# `positions prune --before 2025-02-01`: January, 2,678,400 positions at
# the default M, dropped as a partition (target under 5 s).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
big=${2:-1000000}
small=${BENCH_SMALL:-1000}
pos_big=${3:-10000000}
pos_small=${BENCH_SMALL_POSITIONS:-10000}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need scale_bench curl -- src/endpoints/userpatch-users src/endpoints/userpatch-groups \
	src/endpoints/userpatch-devices src/tools/userpatch-admin
if [ "$big" -le "$small" ] || [ "$pos_big" -le "$pos_small" ] || [ "$pos_small" -lt 10000 ]; then
	echo "scale_bench: N ($big) must be above $small, M ($pos_big) above $pos_small (at least 10000)" >&2
	exit 1
fi
bench_stack scale
"$admin" tenant add scale >/dev/null 2>&1
tenant=$(sql "SELECT id FROM tenants WHERE name = 'scale'")
token=$("$admin" token issue --tenant scale \
	--scopes users:read,users:write,groups:read,devices:read,devices:report,device_app_user:write \
	2>/dev/null)
sql "INSERT INTO user_groups (tenant_id, group_key, name, privileges, tags)
     VALUES ($tenant, 'big', 'Big', '[]', '{}'), ($tenant, 'small', 'Small', '[]', '{}')"
sql "INSERT INTO devices (tenant_id) VALUES ($tenant)"
device=$(sql "SELECT MAX(id) FROM devices WHERE tenant_id = $tenant")
bench_months_2025

# load FROM TO: users FROM..TO of the tenant, in chunks of 100,000.
load() {
	local from=$1 to=$2 end
	while [ "$from" -le "$to" ]; do
		end=$((from + 99999 > to ? to : from + 99999))
		sql "INSERT INTO users (tenant_id, name, email, disabled, user_group, tags, privileges)
		     SELECT $tenant, CONCAT('User ', seq), CONCAT('user', seq, '@example.com'),
		            seq % 7 = 0, IF(seq % 10 = 0, 'big', NULL), '{}', '[]'
		     FROM seq_${from}_to_${end}"
		from=$((end + 1))
	done
	sql "ANALYZE TABLE users, user_groups, group_members" >/dev/null
}

# load_positions FROM TO: the device's positions FROM..TO (the Nth at N
# seconds past 2025-01-01), a million a statement.
load_positions() {
	local from=$1 to=$2 end
	while [ "$from" -le "$to" ]; do
		end=$((from + 999999 > to ? to : from + 999999))
		sql "INSERT INTO positions (device_id, fix_time, latitude, longitude, altitude, speed, course, accuracy, attributes)
		     SELECT $device, TIMESTAMP('2025-01-01') + INTERVAL seq SECOND,
		            48.85 + seq / 1e8, 2.29 + seq / 1e8, 35, 42.5, seq MOD 360, 5, '{\"batt\":87,\"sat\":9}'
		     FROM seq_${from}_to_${end}"
		from=$((end + 1))
	done
	sql "UPDATE devices SET last_fix_time = (SELECT MAX(fix_time) FROM positions WHERE device_id = $device)
	     WHERE id = $device"
	sql "ANALYZE TABLE positions" >/dev/null
}

port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port

# median5_ms T1 ... T5: the median of five times in seconds, in ms.
median5_ms() {
	printf '%s\n' "$@" | sort -n | sed -n 3p | awk '{printf "%.1f", $1 * 1000}'
}

# median_ms PATH [ACCEPT]: one warm-up, then the median of 5 times of GET
# PATH (with Accept: ACCEPT if given), in ms.
median_ms() {
	local i code t times=()
	for i in 0 1 2 3 4 5; do
		read -r code t < <(curl -s -o "$work/out" -w '%{http_code} %{time_total}\n' \
			-H "Authorization: Bearer $token" -H "Accept: ${2:-application/json}" "$base$1")
		[ "$code" = 200 ] || {
			echo "scale_bench: GET $1 answered $code: $(head -c 300 "$work/out")" >&2
			exit 1
		}
		[ "$i" = 0 ] || times+=("$t")
	done
	median5_ms "${times[@]}"
}

# reads PATH: rows and index entries the database read for one GET PATH
# (the Handler_read_* counters of this private server, before and after,
# less what reading them costs): unlike a time, not disturbed by the load
# of the machine.
handler_reads() {
	sql "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
	     WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'"
}
reads() {
	local a b c
	a=$(handler_reads)
	b=$(handler_reads)
	curl -s -o /dev/null -H "Authorization: Bearer $token" -H "Accept: ${2:-application/json}" "$base$1"
	c=$(handler_reads)
	echo $((c - b - (b - a)))
}

# requests SIZE: the table's requests for a tenant of SIZE users (one a
# line: the path, then the Accept header if not JSON).
requests() {
	local c
	c=$(sql "SELECT id FROM users WHERE tenant_id = $tenant ORDER BY id LIMIT 1 OFFSET $(($1 * 9 / 10))")
	cat <<EOF
/api/users?limit=50
/api/users?limit=50&offset=900
/api/users?limit=50&cursor=usr-$c
/api/users?group=big&limit=50
/api/users?disabled=true&limit=50
/api/users?email=user77%40example.com
/api/groups/big
/api/groups
/api/users/usr-$c
/api/devices/dev-$device/lastLocation
/api/users?group=big&limit=50&count=exact
/api/devices/dev-$device/locations?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&limit=1000
/api/devices/dev-$device/locations?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&limit=1000&cursor=2025-01-01T02:00:00Z
/api/devices/dev-$device/locations?from=2025-01-01T01:00:00Z&to=2025-01-01T02:00:00Z text/csv
EOF
}

# The writes of the table, by name.
writes="patch device-app batch"
# writes_users SIZE: the 14 users the writes at SIZE change (two runs of 7),
# from the middle of the tenant: none of them is read by a GET above.
writes_users() {
	# shellcheck disable=SC2207
	wusers=($(sql "SELECT id FROM users WHERE tenant_id = $tenant ORDER BY id
		LIMIT 14 OFFSET $(($1 / 2))"))
}
# batch_body FILE PHASE K: 1,000 positions of fix times in June 2024, each
# (PHASE, K) its own 1,000 seconds.
batch_body() {
	awk -v s0=$((($2 * 7 + $3) * 1000)) 'BEGIN {
		printf "["
		for (i = 0; i < 1000; i++) {
			s = s0 + i
			printf "%s{\"time\":\"2024-06-01T%02d:%02d:%02dZ\",\"latitude\":%.5f,\"longitude\":%.5f,\"speed\":42.5}",
				i ? "," : "", int(s / 3600), int(s % 3600 / 60), s % 60, 48.85 + i / 1e5, 2.29 + i / 1e5
		}
		printf "]"
	}' >"$1"
}
# write_once NAME PHASE K: the Kth (0-6) write NAME of PHASE (0 small, 1
# big), on wusers; prints "code seconds".
write_once() {
	local fmt='%{http_code} %{time_total}\n' auth="Authorization: Bearer $token"
	case $1 in
	patch)
		curl -s -o "$work/out" -w "$fmt" -H "$auth" -X PATCH \
			-H 'Content-Type: application/json-patch+json' \
			--data "[{\"op\":\"replace\",\"path\":\"/message\",\"value\":\"m$2-$3\"}]" \
			"$base/api/users/usr-${wusers[$3]}" ;;
	device-app)
		curl -s -o "$work/out" -w "$fmt" -H "$auth" -H 'Content-Type: application/json' \
			--data "{\"data\":{\"user_id\":\"usr-${wusers[$(($3 + 7))]}\",\"profile\":{\"first_name\":\"F$2-$3\"}}}" \
			"$base/api/v1/device_app_user_update/" ;;
	batch)
		batch_body "$work/batch.json" "$2" "$3"
		curl -s -o "$work/out" -w "$fmt" -H "$auth" -H 'Content-Type: application/json' \
			--data-binary @"$work/batch.json" "$base/api/devices/dev-$device/locations" ;;
	esac
}
# write_ms NAME PHASE: one warm-up, then the median of 5 writes NAME, in ms.
write_ms() {
	local k code t want=200 times=()
	[ "$1" = patch ] || want=201 # the device-app update answers 201 on success
	for k in 0 1 2 3 4 5; do
		read -r code t < <(write_once "$1" "$2" "$k")
		[ "$code" = "$want" ] || {
			echo "scale_bench: write $1 answered $code: $(head -c 300 "$work/out")" >&2
			exit 1
		}
		[ "$k" = 0 ] || times+=("$t")
	done
	median5_ms "${times[@]}"
}
# write_reads NAME PHASE: the rows the database read for the 7th write.
write_reads() {
	local a b c
	a=$(handler_reads)
	b=$(handler_reads)
	write_once "$1" "$2" 6 >/dev/null
	c=$(handler_reads)
	echo $((c - b - (b - a)))
}
write_label() {
	case $1 in
	patch) echo "PATCH /api/users/usr-W (JSON Patch of /message)" ;;
	device-app) echo "POST /api/v1/device_app_user_update/ (first_name)" ;;
	batch) echo "POST .../locations (a batch of 1,000 positions)" ;;
	esac
}

declare -A at_small rows_small
load 1 "$small"
load_positions 0 $((pos_small - 1))
echo "scale_bench: timing at $small users, $pos_small positions" >&2
i=0
while read -r path accept; do
	at_small[$i]=$(median_ms "$path" "$accept")
	rows_small[$i]=$(reads "$path" "$accept")
	i=$((i + 1))
done < <(requests "$small")
writes_users "$small"
for w in $writes; do
	at_small[$w]=$(write_ms "$w" 0)
	rows_small[$w]=$(write_reads "$w" 0)
done
t0=$(date +%s)
load $((small + 1)) "$big"
users_s=$(($(date +%s) - t0))
t0=$(date +%s)
load_positions "$pos_small" $((pos_big - 1))
pos_s=$(($(date +%s) - t0))
echo "scale_bench: loaded $big users in $users_s s, $pos_big positions in $pos_s s; timing" >&2
[ "$(sql "SELECT COUNT(*) FROM users WHERE tenant_id = $tenant")" = "$big" ] || {
	echo "scale_bench: could not create the $big users" >&2
	exit 1
}
[ "$(sql "SELECT COUNT(*) FROM positions WHERE device_id = $device
	AND fix_time >= '2025-01-01'")" = "$pos_big" ] || {
	echo "scale_bench: could not create the $pos_big positions" >&2
	exit 1
}
echo "users table at $big users: $(sql "SELECT ROUND(data_length / 1048576), ROUND(index_length / 1048576)
	FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users'" |
	awk '{ print $1 " MB of rows, " $2 " MB of secondary indexes" }')"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
	"$base/api/users?limit=50&offset=900000")
echo "offset=900000 answers $code (offset_too_large: page with cursor)"
echo "positions at $pos_big: loaded in $pos_s s, $(sql "SELECT DATA_LENGTH + INDEX_LENGTH
	FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'positions'" |
	awk -v n="$pos_big" '{ printf "%.0f MB on disk, %.0f bytes a row, %.1f million rows per GB",
		$1 / 1048576, $1 / n, n / ($1 / 1073741824) / 1e6 }')"
echo "(users: $small, then $big; positions of the device: $pos_small, then $pos_big)"
printf '%-64s %10s %10s %7s %8s %8s\n' request "small (ms)" "big (ms)" ratio "rows sm" "rows big"
i=0
worst=0
while read -r path accept; do
	t=$(median_ms "$path" "$accept")
	rows=$(reads "$path" "$accept")
	ratio=$(awk -v a="${at_small[$i]}" -v b="$t" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
	note=
	case $path in *count=exact*) note=" (on request: counts the filter)" ;; *)
		awk -v r="$ratio" 'BEGIN { exit !(r > 2) }' && note=" (above 2x)"
		worst=$(awk -v r="$ratio" -v w="$worst" 'BEGIN { print (r > w ? r : w) }') ;;
	esac
	label=${path/usr-[0-9]*/usr-C}
	label=${label/\/api\/devices\/dev-[0-9]*\/locations/.../locations}
	label=${label/\/api\/devices\/dev-[0-9]*\/lastLocation/.../lastLocation}
	label=${label//2025-01-/}
	[ -z "$accept" ] || label="$label ($accept)"
	printf '%-64s %10s %10s %6sx %8s %8s%s\n' "$label" "${at_small[$i]}" "$t" \
		"$ratio" "${rows_small[$i]}" "$rows" "$note"
	i=$((i + 1))
done < <(requests "$big")
writes_users "$big"
for w in $writes; do
	t=$(write_ms "$w" 1)
	rows=$(write_reads "$w" 1)
	ratio=$(awk -v a="${at_small[$w]}" -v b="$t" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
	note=
	awk -v r="$ratio" 'BEGIN { exit !(r > 2) }' && note=" (above 2x)"
	worst=$(awk -v r="$ratio" -v w="$worst" 'BEGIN { print (r > w ? r : w) }')
	printf '%-64s %10s %10s %6sx %8s %8s%s\n' "$(write_label "$w")" "${at_small[$w]}" "$t" \
		"$ratio" "${rows_small[$w]}" "$rows" "$note"
done
echo "largest growth (count=exact aside): ${worst}x (target <= 2x)"

t0=$(date +%s%3N)
"$admin" positions prune --before 2025-02-01T00:00:00Z >"$work/month.txt"
month_ms=$(($(date +%s%3N) - t0))
awk -v ms="$month_ms" -v out="$(head -1 "$work/month.txt")" -v n="$pos_big" 'BEGIN {
	printf "prune of one month at %d positions (%s): %.2f s (target under 5 s): %s\n",
		n, out, ms / 1000, ms < 5000 ? "met" : "NOT met" }'
