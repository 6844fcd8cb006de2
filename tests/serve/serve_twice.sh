#!/usr/bin/env bash
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
# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/userpatch-serve.XXXXXX")
co=$tmp/checkout
first_pid=

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local rc=$? f pid
	trap - EXIT
	set +e
	if [ -n "$first_pid" ] && stack__alive "$first_pid"; then
		kill -TERM "$first_pid"
		stack_wait_gone "$first_pid" 30 serve
	fi
	# Anything still running from the temporary checkout.
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$co/"; then
			echo "killing leftover process $pid" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	if [ "$rc" -ne 0 ]; then
		for f in "$tmp"/*.out "$co"/run/lighttpd/lighttpd-error.log "$co"/run/mariadb/mariadb.err; do
			[ -s "$f" ] && { echo "--- $f (tail)"; tail -n 20 "$f"; }
		done
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT

mkdir -p "$co/scripts"
cp -R "$top_srcdir/scripts/serve" "$top_srcdir/scripts/deps" "$top_srcdir/scripts/lib" "$co/scripts/"
cp -R "$top_srcdir/schema" "$co/"
chmod -R u+w "$co"

port1=$(stack_free_port)
db1=$(stack_free_port)
port2=$(stack_free_port)
db2=$(stack_free_port)

echo "# the first ./scripts/serve (PORT=$port1)"
PORT=$port1 DB_PORT=$db1 SERVE_BUILD=$top_builddir bash "$co/scripts/serve" \
	</dev/null >"$tmp/first.out" 2>&1 &
first_pid=$!
up=no
for ((i = 0; i < 1200; i++)); do
	if grep -q '^userpatch is running' "$tmp/first.out"; then
		up=yes
		break
	fi
	stack__alive "$first_pid" || break
	sleep 0.1
done
if [ "$up" != yes ]; then
	fail "the first ./scripts/serve did not come up in 120 s"
	exit 1
fi
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
first_pid=
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
