#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# import_bench.sh [BUILD_DIR]: bulk import and export through lighttpd, on
# one private MariaDB (scripts/lib/stack.sh).
#
#   ceiling   the 100,000 rows as a C client writes them: the mariadb
#             client sending ten multi-row INSERTs of 10,000 users
#   import    POST /api/users/import, ten requests of 10,000 NDJSON rows
#             (each row through the write pipeline, audited)
#   export    GET /api/users/export of 1,000,000 users: rows/s, and the
#             users workers' peak RSS before and after (target: no growth
#             over 2 MiB)
#
# Prints rows per second, the ratio import / ceiling (target: at least
# 0.5), and checks the database holds exactly the rows sent.
# IMPORT_BENCH_EXPORT=0 leaves out the export (the import part alone).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/plain}" && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_need import_bench curl -- src/endpoints/userpatch-users src/tools/userpatch-admin
bench_stack import
"$admin" tenant add bench >/dev/null
"$admin" tenant add ceiling >/dev/null
"$admin" tenant add export >/dev/null
token=$("$admin" token issue --tenant bench --scopes users:read,users:write 2>/dev/null)
xtoken=$("$admin" token issue --tenant export --scopes users:read 2>/dev/null)
port=$(stack_free_port)
stack_lighttpd_start "$work/web" "$port" "$build" "$USERPATCH_CONFIG"
base=http://127.0.0.1:$port
now() { date +%s.%N; }

# The same 100,000 rows for both: ten files of NDJSON, ten INSERT statements.
for f in $(seq 0 9); do
	seq $((f * 10000 + 1)) $((f * 10000 + 10000)) |
		awk '{ printf "{\"name\":\"User %d\",\"email\":\"u%d@example.com\",\"tags\":{\"batch\":\"b\"}}\n", $1, $1 }' >"$work/rows$f.ndjson"
	seq $((f * 10000 + 1)) $((f * 10000 + 10000)) |
		awk 'BEGIN { printf "INSERT INTO users (tenant_id, name, email, tags) VALUES " }
			{ printf "%s(2,\x27User %d\x27,\x27u%d@example.com\x27,\x27{\"batch\":\"b\"}\x27)", (NR > 1 ? "," : ""), $1, $1 }
			END { print ";" }' >"$work/rows$f.sql"
done

t0=$(now)
for f in $(seq 0 9); do
	stack_mariadb_root "$work/db" userpatch <"$work/rows$f.sql"
done
t1=$(now)
for f in $(seq 0 9); do
	code=$(curl -s -o "$work/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/x-ndjson' --data-binary @"$work/rows$f.ndjson" \
		"$base/api/users/import")
	if [ "$code" != 200 ] || ! grep -q '"created":10000' "$work/answer"; then
		echo "import_bench: request $f answered $code: $(head -c 300 "$work/answer")" >&2
		exit 1
	fi
done
t2=$(now)
stored=$(sql "SELECT COUNT(*) FROM users WHERE tenant_id = 1")
[ "$stored" = 100000 ] || { echo "import_bench: $stored users stored, not 100000" >&2; exit 1; }
awk -v c="$(awk -v a="$t0" -v b="$t1" "BEGIN { print b - a }")" -v h="$(awk -v a="$t1" -v b="$t2" "BEGIN { print b - a }")" 'BEGIN {
	printf "ceiling  100000 rows in %.2f s: %.0f rows/s (multi-row INSERT, mariadb client)\n", c, 100000 / c
	printf "import   100000 rows in %.2f s: %.0f rows/s (10 requests of 10,000 NDJSON rows)\n", h, 100000 / h
	printf "ratio    import / ceiling = %.2f (target >= 0.5)\n", c / h }'
[ "${IMPORT_BENCH_EXPORT:-1}" = 0 ] && exit 0

sql "INSERT INTO users (tenant_id, name, email, description, tags)
	SELECT 3, CONCAT('User ', seq), CONCAT('x', seq, '@example.com'), REPEAT('d', 100), '{\"k\":\"v\"}'
	FROM seq_1_to_1000000"
peak() {
	local p m=0 v
	for p in $(pgrep -x userpatch-users || true); do
		# this build's workers only (other stacks may run on the machine)
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$build/src/endpoints/userpatch-users" ] || continue
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	echo "$m"
}
curl -s -o /dev/null -H "Authorization: Bearer $xtoken" "$base/api/users/export?format=csv&group=none"
p1=$(peak)
t3=$(now)
curl -s -o "$work/export.ndjson" -H "Authorization: Bearer $xtoken" "$base/api/users/export"
t4=$(now)
p2=$(peak)
rows=$(wc -l <"$work/export.ndjson")
[ "$rows" = 1000000 ] || { echo "import_bench: exported $rows rows" >&2; exit 1; }
awk -v s="$(awk -v a="$t3" -v b="$t4" "BEGIN { print b - a }")" -v p1="$p1" -v p2="$p2" -v b="$(wc -c <"$work/export.ndjson")" 'BEGIN {
	printf "export   1000000 rows (%.0f MiB NDJSON) in %.2f s: %.0f rows/s\n", b / 1048576, s, 1000000 / s
	printf "memory   users workers peak RSS %d kB before, %d kB after: %+d kB (target <= 2048)\n", p1, p2, p2 - p1 }'
