#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ./scripts/serve twice in one checkout: the second refuses at once, with a
# message naming the first, and changes nothing of the first's (its lighttpd
# and MariaDB keep serving, its pid files stay). Then the first stops cleanly
# and leaves no server running, and the checkout can be served again.
#
# The checkout is a copy of scripts/ and schema/ in a temporary directory
# (run/ is created there), serving the programs of this build (SERVE_BUILD),
# so nothing is built and the source tree is not written to.
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"
# shellcheck source=tests/serve/lib.sh
. "$top_srcdir/tests/serve/lib.sh"
serve_logs=(run/lighttpd/lighttpd-error.log run/mariadb/mariadb.err)

port1=$(stack_free_port)
db1=$(stack_free_port)
port2=$(stack_free_port)
db2=$(stack_free_port)

echo "# the first ./scripts/serve (PORT=$port1)"
if ! serve_start "$tmp/first.out" "$port1" "$db1"; then
	fail "the first ./scripts/serve did not come up in 120 s"
	exit 1
fi
first_pid=$serve_pid
pass "the first ./scripts/serve runs"
# shellcheck disable=SC1091 # written by serve
. "$co/run/demo.env"
lpid=$(cat "$co/run/lighttpd/lighttpd.launch.pid")
mpid=$(cat "$co/run/mariadb/mysqld.pid")

echo "# a second ./scripts/serve in the same checkout (PORT=$port2)"
start=$SECONDS
rc=0
PORT=$port2 DB_PORT=$db2 SERVE_BUILD=$top_builddir timeout 60 bash "$co/scripts/serve" \
	</dev/null >"$tmp/second.out" 2>&1 || rc=$?
took=$((SECONDS - start))
sed 's/^/    /' "$tmp/second.out"
if [ "$rc" -eq 1 ]; then
	pass "the second exits with status 1"
else
	fail "the second exited with status $rc, not 1"
fi
if grep -q "already running in this checkout" "$tmp/second.out" &&
	grep -q "kill $first_pid" "$tmp/second.out" && grep -q "port $port1" "$tmp/second.out"; then
	pass "its message says another serve runs here, with its pid and port"
else
	fail "its message does not name the running serve (pid $first_pid, port $port1)"
fi
if [ "$took" -le 10 ] && ! grep -qE '^==> (checking|building|serving|starting|applying)' "$tmp/second.out"; then
	pass "it refused before doing anything (${took} s)"
else
	fail "it did work before refusing (${took} s)"
fi
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port2/"; then
	fail "something answers on the second's port $port2"
else
	pass "nothing was started on the second's port"
fi
if [ "$(cat "$co/run/lighttpd/lighttpd.launch.pid")" = "$lpid" ] &&
	[ "$(cat "$co/run/mariadb/mysqld.pid")" = "$mpid" ] && stack__alive "$lpid" && stack__alive "$mpid"; then
	pass "the first's lighttpd ($lpid) and MariaDB ($mpid) and their pid files are untouched"
else
	fail "the first's pid files or servers changed"
fi
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	-H "Authorization: Bearer $TOKEN" "$BASE_URL/api/users")
if [ "$status" = 200 ]; then
	pass "the first still serves GET /api/users (200)"
else
	fail "the first answers GET /api/users with $status"
fi

echo "# stopping the first"
kill -TERM "$first_pid"
stack_wait_gone "$first_pid" 30 serve
wait "$first_pid" 2>/dev/null || true
serve_pid=
gone=yes
for pid in $lpid $mpid; do
	stack__alive "$pid" && gone=no
done
if [ "$gone" = yes ]; then
	pass "stopping the first stops its lighttpd and MariaDB"
else
	fail "lighttpd or MariaDB still runs after the first stopped"
fi
if flock -n "$co/run/serve.lock" true; then
	pass "run/ is free again (the lock is released)"
else
	fail "run/serve.lock is still held after the first stopped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
