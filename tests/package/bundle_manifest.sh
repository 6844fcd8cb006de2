#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make shared-hosting-bundle records where its libraries come from: the
# bundle's MANIFEST has one line "library package version" for every library
# in its lib/ (and lib/mariadb-plugin/), each version the one dpkg has installed for that package, and
# the run prints the versions of libssl, libcrypto and zlib it bundles (the
# ones whose security updates call for a new bundle).
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"
failed=0
pass() { echo "PASS: $*"; }
fail() {
	failed=1
	echo "FAIL: $*"
}
command -v dpkg-query >/dev/null || {
	echo "FAIL: dpkg-query is needed (the bundle is built on Debian)"
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" shared-hosting-bundle \
	SHARED_HOSTING_BUNDLE="$tmp/bundle.tar.gz" >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: make shared-hosting-bundle"
	exit 1
fi
tar -C "$tmp" -xzf "$tmp/bundle.tar.gz"
manifest=$tmp/userpatch/MANIFEST
[ -f "$manifest" ] || {
	echo "FAIL: the bundle has no userpatch/MANIFEST"
	exit 1
}

n=0
for lib in "$tmp"/userpatch/lib/*.so* "$tmp"/userpatch/lib/mariadb-plugin/*.so; do
	[ -e "$lib" ] || continue
	soname=${lib#"$tmp"/userpatch/lib/}
	n=$((n + 1))
	read -r _ pkg version _ < <(grep "^$soname " "$manifest" || echo "- - -")
	if [ "$pkg" = - ] || [ "$pkg" = unknown ]; then
		fail "MANIFEST names no package for lib/$soname"
		continue
	fi
	installed=$(dpkg-query -W -f '${Version}' "$pkg")
	if [ "$version" = "$installed" ]; then
		pass "lib/$soname: $pkg $version, as installed"
	else
		fail "lib/$soname: MANIFEST says $pkg '$version', dpkg has '$installed'"
	fi
done
if [ "$n" -ge 4 ]; then
	pass "$n libraries in the bundle"
else
	fail "only $n libraries in the bundle"
fi

for soname in libssl.so libcrypto.so libz.so; do
	line=$(grep "^shared-hosting-bundle: bundles $soname\.[0-9]* from " "$tmp/out" || true)
	version=$(sed -n "s/^\\($soname\\.[0-9]*\\) [^ ]* //p" "$manifest")
	if [ -n "$line" ] && [ -n "$version" ] && [ "${line##* }" = "$version" ]; then
		pass "printed: ${line#shared-hosting-bundle: }"
	else
		fail "no version printed for $soname (output: $(cat "$tmp/out"))"
	fi
done
exit $failed
