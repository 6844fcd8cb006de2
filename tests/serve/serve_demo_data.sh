#!/usr/bin/env bash
# ./scripts/serve --demo-data as a reader of the docs uses it: on an empty
# run/ it loads the demo data, writes run/demo.env (BASE_URL, TOKEN,
# USERPATCH_CONFIG, userpatch-admin on PATH), and the examples of README.md
# and docs/api/users.md then answer as printed, in a shell that has read
# run/demo.env (tests/docs/doc_examples.py compares them). A second start on
# the same run/ does not load the data twice.
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
serve_pid=

# stop_serve: TERM to ./scripts/serve, which stops its lighttpd and MariaDB.
stop_serve() {
	if [ -n "$serve_pid" ] && stack__alive "$serve_pid"; then
		kill -TERM "$serve_pid"
		stack_wait_gone "$serve_pid" 30 serve
		wait "$serve_pid" 2>/dev/null || true
	fi
	serve_pid=
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local rc=$? f pid
	trap - EXIT
	set +e
	stop_serve
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$co/"; then
			echo "killing leftover process $pid" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	if [ "$rc" -ne 0 ]; then
		for f in "$tmp"/*.out "$co"/run/lighttpd/programs-stderr.log; do
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
port=$(stack_free_port)
db_port=$(stack_free_port)

# start_serve OUT: ./scripts/serve --demo-data in the background until it
# says it runs.
start_serve() {
	local i
	PORT=$port DB_PORT=$db_port SERVE_BUILD=$top_builddir bash "$co/scripts/serve" \
		--demo-data </dev/null >"$1" 2>&1 &
	serve_pid=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q '^userpatch is running' "$1" && return 0
		stack__alive "$serve_pid" || return 1
		sleep 0.1
	done
	return 1
}

# examples DOC [--readme]: the document's examples against the running serve,
# in a shell that has read run/demo.env, as the docs say.
examples() {
	local doc=$1 work
	shift
	work=$(mktemp -d "$tmp/work.XXXXXX")
	(
		cd "$co"
		set -a
		# shellcheck disable=SC1091 # written by serve
		. run/demo.env
		set +a
		python3 "$top_srcdir/tests/docs/doc_examples.py" "$@" "$top_srcdir/$doc" "$work"
	)
}

echo "# ./scripts/serve --demo-data on an empty run/"
if ! start_serve "$tmp/first.out"; then
	fail "./scripts/serve --demo-data did not come up in 120 s"
	exit 1
fi
pass "./scripts/serve --demo-data runs"
if grep -q '^==> loading the demo data' "$tmp/first.out"; then
	pass "it loaded the demo data"
else
	fail "it did not say it loaded the demo data"
fi
# shellcheck disable=SC2016 # a literal $PATH in the file
if grep -q '^BASE_URL=' "$co/run/demo.env" && grep -q '^TOKEN=' "$co/run/demo.env" &&
	grep -q '^PATH=.*src/tools:\$PATH$' "$co/run/demo.env"; then
	pass "run/demo.env sets BASE_URL, TOKEN and PATH"
else
	fail "run/demo.env lacks BASE_URL, TOKEN or PATH"
fi
if examples docs/api/users.md; then
	pass "docs/api/users.md answers as printed"
else
	fail "docs/api/users.md does not answer as printed (above)"
fi

echo "# a second start on the same run/"
stop_serve
if ! start_serve "$tmp/second.out"; then
	fail "the second start did not come up"
	exit 1
fi
if grep -q 'already has users; not loading' "$tmp/second.out"; then
	pass "the second start does not load the demo data again, and says so"
else
	fail "the second start did not refuse to load the demo data twice"
fi
stop_serve

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
