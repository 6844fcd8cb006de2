# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2154 # top and build are the caller's
# bench/lib.sh: what the benchmark scripts share; sourced by them after
# setting top (the source tree) and build (a build directory).  Every
# function takes the script's name first, for its messages.

# bench_need NAME TOOL... -- PROG...: exit 1 unless every TOOL is on PATH
# and every PROG (relative to $build) is built.
bench_need() {
	local name=$1 tool prog
	shift
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		tool=$1
		shift
		command -v "$tool" >/dev/null || {
			echo "$name: $tool is not installed (scripts/deps installs it)" >&2
			exit 1
		}
	done
	[ "$#" -gt 0 ] && shift
	for prog in "$@"; do
		[ -x "$build/$prog" ] || {
			echo "$name: $build/$prog is not built (make)" >&2
			exit 1
		}
	done
}

# bench_stack NAME: a work directory ($work, removed with the stack on
# exit) and a private MariaDB (scripts/lib/stack.sh) with the schema;
# exports USERPATCH_CONFIG, sets admin (userpatch-admin) and defines sql
# (one statement as root, tab-separated, no header).  Environment for
# lighttpd (STACK_*) must be exported before.
bench_stack() {
	# shellcheck source=scripts/lib/stack.sh
	. "$top/scripts/lib/stack.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/userpatch-$1.XXXXXX")
	trap bench_cleanup EXIT
	export STACK_LOG_LEVEL=warn
	stack_mariadb_start "$work/db" >/dev/null
	stack_write_config "$work/db" "$work/userpatch.conf"
	export USERPATCH_CONFIG=$work/userpatch.conf
	admin=$build/src/tools/userpatch-admin
	"$admin" migrate --schema-dir "$top/schema" >/dev/null 2>&1
}

bench_cleanup() {
	set +e
	stack_lighttpd_stop "$work/web"
	stack_mariadb_discard "$work/db"
	rm -rf "$work"
}

sql() { stack_mariadb_root "$work/db" -N -B userpatch -e "$1"; }

# bench_months_2025: monthly partitions of positions for every month from
# January 2025 to the first partition the schema made (from the month it
# was migrated in, the table then empty), split off that first partition as
# migration 012 makes them for an existing history.
bench_months_2025() {
	local first bound parts
	read -r first bound < <(sql "SELECT PARTITION_NAME, PARTITION_DESCRIPTION FROM information_schema.PARTITIONS
		WHERE TABLE_SCHEMA = 'userpatch' AND TABLE_NAME = 'positions' ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1")
	parts=$(sql "WITH RECURSIVE m (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM m WHERE n < 200)
		SELECT GROUP_CONCAT(CONCAT('PARTITION p', DATE_FORMAT(DATE('2025-01-01') + INTERVAL n MONTH, '%Y%m'),
			' VALUES LESS THAN (''', DATE('2025-01-01') + INTERVAL n + 1 MONTH, ''')') ORDER BY n SEPARATOR ', ')
		FROM m WHERE DATE('2025-01-01') + INTERVAL n + 1 MONTH < $bound")
	sql "ALTER TABLE positions REORGANIZE PARTITION $first INTO ($parts, PARTITION $first VALUES LESS THAN ($bound))"
}

# bench_check NAME CURL_ARG...: exit 1 unless the request answers 2xx (what
# a benchmark times must work before it is timed).
bench_check() {
	local name=$1 code
	shift
	code=$(curl -s -o "$work/check.out" -w '%{http_code}' "$@")
	case $code in 2??) ;; *)
		echo "$name: $* answered $code: $(cat "$work/check.out")" >&2
		exit 1
		;;
	esac
}

# bench_lua TOKEN NAME...: the wrk scripts $work/NAME.lua, each request on a
# random user usr-N of usr-1 .. usr-1000 (each wrk thread seeds its own),
# with TOKEN as the bearer:
#   get     GET /api/users/usr-N
#   patch   PATCH /api/users/usr-N, 2 replace ops (/message, /description)
#           with new values, so every request writes
#   device  POST /api/v1/device_app_user_update/ of user_id usr-N, a new
#           profile.first_name, so every request writes
bench_lua() {
	local token=$1 name common
	shift
	common="local auth = 'Bearer $token'
local n = 0
function setup(thread) n = n + 1; thread:set('id', n) end
function init(args) math.randomseed(os.time() * 100 + id) end"
	for name in "$@"; do
		{
			echo "$common"
			case $name in
			get)
				cat <<'LUA'
request = function()
  return wrk.format('GET', '/api/users/usr-' .. math.random(1, 1000), {['Authorization'] = auth})
end
LUA
				;;
			patch)
				cat <<'LUA'
request = function()
  local v = math.random(1, 1000000000)
  return wrk.format('PATCH', '/api/users/usr-' .. math.random(1, 1000),
    {['Authorization'] = auth, ['Content-Type'] = 'application/json-patch+json'},
    '[{"op":"replace","path":"/message","value":"m' .. v .. '"},' ..
    '{"op":"replace","path":"/description","value":"d' .. v .. '"}]')
end
LUA
				;;
			device)
				cat <<'LUA'
request = function()
  return wrk.format('POST', '/api/v1/device_app_user_update/',
    {['Authorization'] = auth, ['Content-Type'] = 'application/json'},
    '{"data":{"user_id":"usr-' .. math.random(1, 1000) ..
    '","profile":{"first_name":"F' .. math.random(1, 1000000000) .. '"}}}')
end
LUA
				;;
			*)
				echo "bench_lua: no wrk script $name" >&2
				exit 2
				;;
			esac
		} >"$work/$name.lua"
	done
}

# bench_check_patch NAME BASE_URL TOKEN: one PATCH of usr-1 like the patch
# script's must answer 2xx.
bench_check_patch() {
	bench_check "$1" -H "Authorization: Bearer $3" -X PATCH -H 'Content-Type: application/json-patch+json' \
		--data '[{"op":"replace","path":"/message","value":"x"}]' "$2/api/users/usr-1"
}

# bench_wrk NAME CONNECTIONS SECONDS URL [WRK_ARG...]: one run of wrk with 2
# threads and CONNECTIONS connections, --latency; prints wrk's output and
# exits 1 on any non-2xx answer (or none at all).
bench_wrk() {
	local name=$1 c=$2 secs=$3 url=$4 out
	shift 4
	out=$(wrk -t2 -c"$c" -d"${secs}s" --latency "$@" "$url")
	if grep -q 'Non-2xx' <<<"$out" || ! grep -q 'Requests/sec' <<<"$out"; then
		echo "$name: wrk -c$c $* $url: non-2xx responses (or none):" >&2
		echo "$out" >&2
		exit 1
	fi
	printf '%s\n' "$out"
}

# bench_wrk_done: "requests seconds" of the wrk output on stdin (as
# bench/write_ceiling prints "transactions seconds").
bench_wrk_done() {
	awk '/requests in/ { sub(/s,$/, "", $4); print $1, $4 }'
}
