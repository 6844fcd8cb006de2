#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The conformance test and where its suite lives (./configure
# --with-conformance): absent and not required -> skip (77) with a one-line
# reason; absent and required (the option given, or CI set) -> failure;
# present -> it runs. Runs the built test program with each environment.
set -euo pipefail
: "${top_builddir:?run this test through make check}"
prog=$top_builddir/tests/patch/test_json_patch_conformance
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case_ DESCRIPTION EXPECTED_STATUS|fail OUTPUT_REGEX ONE_LINE(yes|no) ENV...
case_() {
	local what=$1 want=$2 re=$3 one=$4 rc=0 lines
	shift 4
	env -u CI -u UP_CONFORMANCE_DIR -u UP_CONFORMANCE_REQUIRED "$@" "$prog" \
		>"$tmp/out" 2>&1 || rc=$?
	lines=$(wc -l <"$tmp/out")
	# "fail": any status but 0 (pass) and 77 (skip); under the sanitizers a
	# failing Check child may end otherwise than with 1.
	if [ "$want" = fail ]; then
		want=-1
		[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || want=$rc
	fi
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" "$tmp/out" &&
		{ [ "$one" = no ] || [ "$lines" -eq 1 ]; }; then
		echo "PASS: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what: exit $rc (want $want), $lines line(s):"
		sed 's/^/    /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

case_ "no directory configured: skip" 77 '^SKIP: .*--with-conformance' yes
case_ "configured directory without the suite: skip" 77 "^SKIP: .*$tmp" yes \
	UP_CONFORMANCE_DIR="$tmp"
case_ "absent but required by --with-conformance: fail" 1 '^FAIL: .*--with-conformance' yes \
	UP_CONFORMANCE_DIR="$tmp/nowhere" UP_CONFORMANCE_REQUIRED=yes
case_ "absent with CI set: fail" 1 '^FAIL: .*CI is set' yes CI=true
case_ "absent from a directory with CI set: fail" 1 '^FAIL: ' yes \
	UP_CONFORMANCE_DIR="$tmp" CI=1
# A suite that is there but empty is never a pass nor a skip.
mkdir -p "$tmp/empty/json-patch-tests"
printf '[]' >"$tmp/empty/json-patch-tests/tests.json"
printf '[]' >"$tmp/empty/json-patch-tests/spec_tests.json"
case_ "a suite with no runnable case: fail" fail 'holds no runnable case' no \
	UP_CONFORMANCE_DIR="$tmp/empty"
# The configured suite, when this build has one, runs (and passes).
if [ -n "${UP_CONFORMANCE_DIR:-}" ] && [ -d "$UP_CONFORMANCE_DIR/json-patch-tests" ]; then
	case_ "the configured suite runs" 0 'tests.json: [0-9]+ cases ran' no \
		UP_CONFORMANCE_DIR="$UP_CONFORMANCE_DIR"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
