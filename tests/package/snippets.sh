#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The web server snippets of the Debian package (debian/gen-snippets), without
# building the package: generated for the endpoint programs this build has,
# every program gets an Apache Alias and a lighttpd fastcgi.server entry, the
# Apache one passes `apache2 -t` (with mod_alias and mod_fcgid loaded, and
# with mod_fcgid absent: <IfModule>) and the lighttpd one `lighttpd -tt`.
# A program the family registry (src/endpoints/families) does not name
# fails here.
# (The package stage of ./scripts/test serves through both, installed.)
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac
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
for tool in apache2 lighttpd; do
	command -v "$tool" >/dev/null || {
		echo "FAIL: $tool is not installed (scripts/deps installs it)"
		exit 1
	}
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The programs of this build, as the package installs them.
mkdir -p "$tmp/progs"
programs=$(sed -n 's/^pkglibexec_PROGRAMS[[:space:]]*+\{0,1\}=\(.*\)/\1/p' "$top_srcdir"/src/*/*.mk |
	tr -s ' \t' '\n' | sed -n 's|.*/\(userpatch-[a-z-]*\)$|\1|p' | sort -u)
for p in $programs; do
	printf '#!/bin/sh\n' >"$tmp/progs/$p"
	chmod 0755 "$tmp/progs/$p"
done
if sh "$top_srcdir/debian/gen-snippets" "$tmp/progs" "$tmp/out" 2>"$tmp/gen.err"; then
	pass "gen-snippets knows every program: $(echo "$programs" | tr '\n' ' ')"
else
	fail "gen-snippets: $(cat "$tmp/gen.err")"
	echo "$passed passed, $failed failed"
	exit 1
fi
apache=$tmp/out/etc/apache2/conf-available/userpatch.conf
lighty=$tmp/out/etc/lighttpd/conf-available/50-userpatch.conf
for p in $programs; do
	if grep -qE "^[[:space:]]*Alias /api/[^ ]+ /usr/lib/userpatch/$p\$" "$apache"; then
		pass "Apache: an Alias to $p"
	else
		fail "Apache: no Alias to $p"
	fi
	if grep -qF "\"/usr/lib/userpatch/$p\"" "$lighty"; then
		pass "lighttpd: a fastcgi.server entry for $p"
	else
		fail "lighttpd: no fastcgi.server entry for $p"
	fi
done
if grep -q '^[[:space:]]*CGIPassAuth On' "$apache"; then
	pass "Apache: CGIPassAuth On"
else
	fail "Apache: no CGIPassAuth On"
fi

modules=/usr/lib/apache2/modules
for variant in "alias fcgid" "alias"; do
	{
		echo "ServerRoot \"$tmp\""
		echo "Listen 127.0.0.1:1"
		echo "ServerName 127.0.0.1"
		echo "PidFile \"$tmp/httpd.pid\""
		echo "DefaultRuntimeDir \"$tmp\""
		echo "ErrorLog \"$tmp/error.log\""
		for m in mpm_event authz_core $variant; do
			echo "LoadModule ${m}_module $modules/mod_$m.so"
		done
		echo "Include \"$apache\""
	} >"$tmp/httpd.conf"
	if apache2 -t -f "$tmp/httpd.conf" >"$tmp/apache-t.log" 2>&1; then
		pass "apache2 -t with modules: $variant"
	else
		fail "apache2 -t with modules $variant: $(cat "$tmp/apache-t.log")"
	fi
done
{
	echo 'server.modules = ( "mod_access", "mod_fastcgi" )'
	echo 'server.port = 1'
	echo "server.document-root = \"$tmp\""
	echo "include \"$lighty\""
} >"$tmp/lighttpd.conf"
if lighttpd -tt -f "$tmp/lighttpd.conf" >"$tmp/lighttpd-t.log" 2>&1; then
	pass "lighttpd -tt"
else
	fail "lighttpd -tt: $(cat "$tmp/lighttpd-t.log")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
