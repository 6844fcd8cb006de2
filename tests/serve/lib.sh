# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2154 # top_srcdir and top_builddir: checked by the tests
# tests/serve/lib.sh: what the ./scripts/serve tests share.  Sourcing it
# makes a temporary checkout $co (a copy of scripts/, schema/ and the family
# registry under $tmp, so run/ is created there, the programs of this build
# are served (SERVE_BUILD), nothing is built and the source tree is not
# written to),
# counts pass/fail, and on exit stops the serve it started and anything
# else still running from $co, showing $tmp/*.out and the files listed in
# serve_logs (relative to $co) when the test failed.
set -euo pipefail
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
serve_pid=
serve_logs=()

# serve_stop: TERM to the ./scripts/serve serve_start started (if it still
# runs), which stops its lighttpd and MariaDB.
serve_stop() {
	if [ -n "$serve_pid" ] && stack__alive "$serve_pid"; then
		kill -TERM "$serve_pid"
		stack_wait_gone "$serve_pid" 30 serve
		wait "$serve_pid" 2>/dev/null || true
	fi
	serve_pid=
}

# shellcheck disable=SC2317 # called from the EXIT trap
serve_cleanup() {
	local rc=$? f pid
	trap - EXIT
	set +e
	serve_stop
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
		for f in "$tmp"/*.out "${serve_logs[@]/#/$co/}"; do
			[ -s "$f" ] && { echo "--- $f (tail)"; tail -n 20 "$f"; }
		done
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap serve_cleanup EXIT

mkdir -p "$co/scripts"
cp -R "$top_srcdir/scripts/serve" "$top_srcdir/scripts/deps" "$top_srcdir/scripts/lib" "$co/scripts/"
cp -R "$top_srcdir/schema" "$co/"
mkdir -p "$co/src/endpoints"
cp "$top_srcdir/src/endpoints/families" "$co/src/endpoints/"
chmod -R u+w "$co"

# serve_start OUT PORT DB_PORT [SERVE ARGS...]: ./scripts/serve of $co in
# the background (serve_pid), output to OUT, until it says it runs (0) or
# it ends or 120 s pass (1).
serve_start() {
	local out=$1 port=$2 db_port=$3 i
	shift 3
	PORT=$port DB_PORT=$db_port SERVE_BUILD=$top_builddir bash "$co/scripts/serve" \
		"$@" </dev/null >"$out" 2>&1 &
	serve_pid=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q '^userpatch is running' "$out" && return 0
		stack__alive "$serve_pid" || return 1
		sleep 0.1
	done
	return 1
}
