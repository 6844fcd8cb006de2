#!/usr/bin/env bash
# http_bench.sh [BUILD_DIR] [SECONDS]: requests per second through lighttpd.
#
# Starts a private MariaDB and lighttpd (scripts/lib/stack.sh) serving the
# programs of BUILD_DIR (default build/plain), then measures with wrk, each
# for SECONDS (default 5), 2 threads and 8 connections on 127.0.0.1:
#   baseline  a static JSON file of the same size served by the same lighttpd
#   GET       GET /api/users/usr-1 (token check, usage counters, SELECT)
#   PATCH     PATCH /api/users/usr-1 replacing /message (transaction, row
#             lock, patch, validation, UPDATE, audit row), when PATCH is served
# and prints each rate with its ratio to the baseline measured in this run.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
seconds=${2:-5}
for tool in wrk curl; do
	command -v "$tool" >/dev/null || {
		echo "http_bench: $tool is not installed (scripts/deps installs it)" >&2
		exit 1
	}
done
# shellcheck source=scripts/lib/stack.sh
. "$top/scripts/lib/stack.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/userpatch-bench.XXXXXX")
cleanup() {
	set +e
	stack_lighttpd_stop "$work/web"
	stack_mariadb_discard "$work/db"
	rm -rf "$work"
}
trap cleanup EXIT

export STACK_LOG_LEVEL=warn
stack_mariadb_start "$work/db" >/dev/null
stack_write_config "$work/db" "$work/userpatch.conf"
export USERPATCH_CONFIG=$work/userpatch.conf
admin=$build/src/tools/userpatch-admin
"$admin" migrate --schema-dir "$top/schema" 2>/dev/null
"$admin" tenant add bench >/dev/null
token=$("$admin" token issue --tenant bench --scopes users:read,users:write 2>/dev/null)
stack_mariadb_root "$work/db" userpatch -e \
	"INSERT INTO users (tenant_id, name, email) VALUES (1, 'Bench User', 'bench@example.com')"
port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port

# The baseline file has the size of the GET response.
curl -s -H "Authorization: Bearer $token" "$base/api/users/usr-1" >"$work/web/htdocs/user.json"

cat >"$work/patch.lua" <<'LUA'
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json-patch+json"
wrk.body = '[{"op":"replace","path":"/message","value":"benchmark"}]'
LUA

# rate URL [wrk args...]: requests per second, non-2xx responses fail the run.
rate() {
	local url=$1 out
	shift
	out=$(wrk -t2 -c8 -d"${seconds}s" --latency "$@" "$url")
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "http_bench: non-2xx responses from $url:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

printf '%-10s %12s %8s\n' what req/s ratio
b=$(rate "$base/user.json")
printf '%-10s %12.0f %8.3f\n' baseline "$b" 1
g=$(rate "$base/api/users/usr-1" -H "Authorization: Bearer $token")
printf '%-10s %12.0f %8.3f\n' GET "$g" "$(awk -v a="$g" -v b="$b" 'BEGIN { print a / b }')"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $token" \
	-H 'Content-Type: application/json-patch+json' --data '[]' "$base/api/users/usr-1")
if [ "$code" = 200 ]; then
	p=$(rate "$base/api/users/usr-1" -H "Authorization: Bearer $token" -s "$work/patch.lua")
	printf '%-10s %12.0f %8.3f\n' PATCH "$p" "$(awk -v a="$p" -v b="$b" 'BEGIN { print a / b }')"
else
	echo "PATCH not measured: the build answers $code to an empty patch"
fi
