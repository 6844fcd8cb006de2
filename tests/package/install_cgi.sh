#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make install-cgi never puts userpatch-admin where a web server runs
# programs, and the admin tool refuses to run as a CGI program:
#   - CGIBINDIR=/site/cgi-bin: the endpoint programs (every one of the family
#     registry) go there, userpatch-admin to /site/libexec, the migrations to
#     /site/schema; the admin tool is not in cgi-bin;
#   - CGIBINDIR=~/userpatch/libexec (the shared-hosting layout): the admin
#     tool sits beside the programs, as the guide says;
#   - without CGIBINDIR: the usage, exit non-zero;
#   - the installed userpatch-admin with GATEWAY_INTERFACE set (as a web
#     server runs a CGI program; Apache mod_cgi turns a query without "="
#     into argv) exits with status 2, prints nothing on stdout and says why on
#     stderr; without it, the same command line runs.
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"
failed=0
pass() { echo "PASS: $*"; }
fail() {
	failed=1
	echo "FAIL: $*"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
install_cgi() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install-cgi "$@"; }
programs=$(sed -n 's/^\(userpatch-[a-z0-9_-]*\)[[:space:]].*/\1/p' "$top_srcdir/src/endpoints/families")

echo "# CGIBINDIR=/site/cgi-bin"
if install_cgi DESTDIR="$tmp/a" CGIBINDIR=/site/cgi-bin >"$tmp/a.log" 2>&1; then
	pass "make install-cgi CGIBINDIR=/site/cgi-bin"
else
	fail "make install-cgi CGIBINDIR=/site/cgi-bin: $(cat "$tmp/a.log")"
fi
for prog in $programs; do
	if [ -x "$tmp/a/site/cgi-bin/$prog" ]; then
		pass "$prog in cgi-bin"
	else
		fail "$prog is not in cgi-bin"
	fi
done
if [ -e "$tmp/a/site/cgi-bin/userpatch-admin" ]; then
	fail "userpatch-admin was installed into the cgi-bin"
else
	pass "no userpatch-admin in the cgi-bin"
fi
if [ -x "$tmp/a/site/libexec/userpatch-admin" ]; then
	pass "userpatch-admin in /site/libexec"
else
	fail "userpatch-admin is not in /site/libexec"
fi
if [ -f "$tmp/a/site/schema/001_base.sql" ]; then
	pass "the migrations in /site/schema"
else
	fail "no migrations in /site/schema"
fi

echo "# CGIBINDIR=~/userpatch/libexec (the shared-hosting layout)"
if install_cgi DESTDIR="$tmp/b" CGIBINDIR=/home/u/userpatch/libexec >"$tmp/b.log" 2>&1 &&
	[ -x "$tmp/b/home/u/userpatch/libexec/userpatch-admin" ] &&
	[ -x "$tmp/b/home/u/userpatch/libexec/userpatch-users" ]; then
	pass "userpatch-admin beside the programs in ~/userpatch/libexec"
else
	fail "install-cgi CGIBINDIR=~/userpatch/libexec: $(cat "$tmp/b.log"; ls -R "$tmp/b")"
fi

echo "# no CGIBINDIR"
if install_cgi DESTDIR="$tmp/c" >"$tmp/c.log" 2>&1; then
	fail "make install-cgi without CGIBINDIR succeeded"
elif grep -q 'usage: make install-cgi CGIBINDIR=' "$tmp/c.log"; then
	pass "make install-cgi without CGIBINDIR: $(grep usage "$tmp/c.log")"
else
	fail "make install-cgi without CGIBINDIR: no usage in $(cat "$tmp/c.log")"
fi

echo "# userpatch-admin as a CGI program"
admin=$tmp/a/site/libexec/userpatch-admin
# name  environment  arguments
cases=(
	"query string as argv|GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING=--version|--version"
	"tenant list, no query|GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET|tenant list"
	"--help|GATEWAY_INTERFACE=CGI/1.0|--help"
	"empty GATEWAY_INTERFACE|GATEWAY_INTERFACE=|--version"
)
for c in "${cases[@]}"; do
	IFS='|' read -r what envs args <<<"$c"
	rc=0
	# shellcheck disable=SC2086 # words
	env -i PATH="$PATH" $envs "$admin" $args >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q 'refusing to run as a CGI program' "$tmp/err"; then
		pass "$what: exit $rc, nothing on stdout, $(cat "$tmp/err")"
	else
		fail "$what: exit $rc, stdout '$(head -c 200 "$tmp/out")', stderr '$(head -c 200 "$tmp/err")'"
	fi
done
if env -i PATH="$PATH" "$admin" --version >"$tmp/out" 2>&1 && grep -q '[0-9]' "$tmp/out"; then
	pass "without GATEWAY_INTERFACE: userpatch-admin --version runs: $(head -n 1 "$tmp/out")"
else
	fail "userpatch-admin --version without GATEWAY_INTERFACE: $(cat "$tmp/out")"
fi
exit $failed
