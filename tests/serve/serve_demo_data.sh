#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
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
# shellcheck source=tests/serve/lib.sh
. "$top_srcdir/tests/serve/lib.sh"
serve_logs=(run/lighttpd/programs-stderr.log)
port=$(stack_free_port)
db_port=$(stack_free_port)

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
if ! serve_start "$tmp/first.out" "$port" "$db_port" --demo-data; then
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
serve_stop
if ! serve_start "$tmp/second.out" "$port" "$db_port" --demo-data; then
	fail "the second start did not come up"
	exit 1
fi
if grep -q 'already has users; not loading' "$tmp/second.out"; then
	pass "the second start does not load the demo data again, and says so"
else
	fail "the second start did not refuse to load the demo data twice"
fi
serve_stop

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
