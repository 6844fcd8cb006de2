#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The family registry (src/endpoints/families) and what is made from it:
#   - every generated block (deploy configs, .htaccess samples, the spawn
#     script, the program list of the build, docs tables) is what
#     scripts/gen-families writes from the registry today, and a block that
#     was edited by hand is found;
#   - each family's program is built, and answers OPTIONS on each of its
#     registry paths from its own route table (not 404), as plain CGI;
#   - each registry scope is a scope tokens can have (auth.c).
# (debian/gen-snippets reads the registry: tests/package/snippets.sh.)
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
registry=$top_srcdir/src/endpoints/families
gen=$top_srcdir/scripts/gen-families
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	failed=1
}

families() { grep -Ev '^[[:space:]]*(#|$)' "$registry"; }

echo "# 1. the generated blocks agree with the registry"
if out=$(sh "$gen" --check 2>&1); then
	pass "every generated block matches src/endpoints/families"
else
	fail "generated blocks differ from the registry: $out"
fi
# A block edited by hand (one RewriteRule gone) is found.
grep -v '^RewriteRule ^groups' "$top_srcdir/docs/deploy/htaccess.example" >"$work/htaccess.example"
if sh "$gen" --check "$work/htaccess.example" >"$work/check.out" 2>&1; then
	fail "gen-families --check accepts an .htaccess without the groups RewriteRule"
elif grep -q '^+RewriteRule ^groups' "$work/check.out"; then
	pass "a hand-edited block is reported, with the missing line"
else
	fail "gen-families --check failed without naming the missing line: $(cat "$work/check.out")"
fi

echo "# 2. each program serves its registry paths"
printf 'db_user = nobody\ndb_name = nothing\ndb_host = 127.0.0.1:1\n' >"$work/userpatch.conf"
n=0
while read -r prog _short paths scopes _body _workers; do
	n=$((n + 1))
	bin=$top_builddir/src/endpoints/$prog
	if [ ! -x "$bin" ]; then
		fail "$prog of the registry is not built (src/endpoints/local.mk)"
		continue
	fi
	for path in ${paths//,/ }; do
		for uri in "$path" "${path%/}/x"; do
			# A one-resource path ("/x/") has nothing under it.
			case $path in */) [ "$uri" = "$path" ] || continue ;; esac
			status=$(env -i PATH="$PATH" USERPATCH_CONFIG="$work/userpatch.conf" \
				GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=OPTIONS REQUEST_URI="$uri" \
				"$bin" </dev/null 2>/dev/null | sed -n '1s/^Status: \([0-9]*\).*/\1/p')
			case $status in
			204 | 405) pass "$prog routes OPTIONS $uri ($status)" ;;
			*) fail "$prog answers OPTIONS $uri with '${status:-nothing}', not 204/405" ;;
			esac
		done
	done
	for scope in ${scopes//,/ }; do
		if grep -qF "{\"$scope\"," "$top_srcdir/src/lib/auth.c"; then
			pass "$prog: scope $scope exists"
		else
			fail "$prog: scope $scope is not in scope_names (src/lib/auth.c)"
		fi
	done
done < <(families)
if [ "$n" -gt 0 ]; then
	pass "$n families in the registry"
else
	fail "no family in the registry"
fi

exit $failed
