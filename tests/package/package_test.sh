#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Debian package end to end, as an administrator would use it (the
# "package" stage of ./scripts/test):
#   1. the release tarball (make dist) unpacked and built with
#      `dpkg-buildpackage -us -uc -b`: userpatch_<version>_<arch>.deb;
#   2. lintian on it: no error and no warning (overrides carry their reason);
#   3. `dpkg -i` on this machine: every file where it belongs, the conffile
#      root:www-data 0640 without secrets, man pages, the dependencies from
#      the real libraries; the maintainer scripts start nothing and touch no
#      database;
#   4. a private MariaDB, migrated with the installed userpatch-admin (its
#      default configuration and schema directory, after the one edit an
#      administrator makes: the database socket and password file), a token;
#   5. a private Apache (own port, own httpd.conf, mod_fcgid) that Includes
#      the packaged /etc/apache2/conf-available/userpatch.conf as it is: the
#      deployment checks (GET, PATCH, device-app, 401 with WWW-Authenticate,
#      400, 413, no static-file headers, a killed worker replaced, request log
#      lines) against the installed programs;
#   6. a private lighttpd with the packaged 50-userpatch.conf (its socket
#      directory moved into the test's): the same checks;
#   7. a2enconf and lighty-enable-mod as documented, the system's own
#      configurations still valid; then `dpkg --purge`: nothing is left
#      outside what Debian policy keeps (dpkg's database and log).
#
# usage: package_test.sh BUILD_DIR OUT_DIR
#   BUILD_DIR  a configured build tree of this source (for make dist)
#   OUT_DIR    where the package is built (emptied first)
# Runs as root (it installs and purges the package) and refuses to run when a
# userpatch package is already installed. JOBS: make -j (default 2).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: package_test.sh BUILD_DIR OUT_DIR" >&2
	exit 2
fi
top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
top_builddir=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
export top_srcdir top_builddir
JOBS=${JOBS:-2}
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

say() { printf '# %s\n' "$*"; }
die() {
	printf '*** package test: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: it installs and purges the package"
for tool in dpkg-buildpackage lintian apache2 lighttpd mariadbd curl python3 man; do
	command -v "$tool" >/dev/null || die "$tool is not installed (scripts/deps installs it)"
done
state=$(dpkg-query -W -f='${db:Status-Status}' userpatch 2>/dev/null || true)
case $state in
"" | not-installed) ;;
*) die "a userpatch package is already on this machine ($state): remove it first (dpkg --purge userpatch)" ;;
esac

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/autoconfig.h")
arch=$(dpkg --print-architecture)
[ -n "$version" ] || die "no PACKAGE_VERSION in $top_builddir/autoconfig.h"
deb=$out/userpatch_${version}_${arch}.deb
apache_snippet=/etc/apache2/conf-available/userpatch.conf
lighttpd_snippet=/etc/lighttpd/conf-available/50-userpatch.conf
conffile=/etc/userpatch/userpatch.conf

# --- 1. build -------------------------------------------------------------
say "build: make dist, then dpkg-buildpackage -us -uc -b in the unpacked tarball"
changelog_version=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
[ "$changelog_version" = "$version" ] ||
	die "debian/changelog is at $changelog_version, configure.ac at $version: make them agree"
find "$out" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
if ! make -C "$top_builddir" dist >"$out/dist.log" 2>&1; then
	tail -n 30 "$out/dist.log" >&2
	die "make dist failed"
fi
tar -xzf "$top_builddir/userpatch-$version.tar.gz" -C "$out"
if ! (cd "$out/userpatch-$version" &&
	DEB_BUILD_OPTIONS="parallel=$JOBS" dpkg-buildpackage -us -uc -b) \
	>"$out/dpkg-buildpackage.log" 2>&1; then
	tail -n 40 "$out/dpkg-buildpackage.log" >&2
	die "dpkg-buildpackage failed (log: $out/dpkg-buildpackage.log)"
fi
[ -f "$deb" ] || die "dpkg-buildpackage did not write $(basename "$deb")"
grep -E '^# (TOTAL|PASS|FAIL):' "$out/dpkg-buildpackage.log" | sed 's/^/    build-time tests: /' || true

# From here on the checks are counted by the e2e helpers, and a failure no
# longer stops the test (but for what the next steps need).
work=$(mktemp -d "${TMPDIR:-/tmp}/userpatch-package.XXXXXX")
chmod 0711 "$work"
export UP_TEST_DB_DIR=$work/db
export UP_TEST_BASE_URL=http://127.0.0.1:1
export UP_TEST_ADMIN=/usr/sbin/userpatch-admin
unset USERPATCH_CONFIG USERPATCH_SCHEMA_DIR
# shellcheck source=tests/e2e/lib.sh
. "$top_srcdir/tests/e2e/lib.sh"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

installed=no
made_links=()
pwfile=

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local rc=$? i link
	trap - EXIT
	set +e
	for ((i = ${#DEP_STOPS[@]} - 1; i >= 0; i--)); do
		eval "${DEP_STOPS[$i]}"
	done
	stack_mariadb_discard "$UP_TEST_DB_DIR" 2>/dev/null
	if [ "$installed" = yes ]; then
		echo "package test: failed midway, purging the package" >&2
		[ -n "$pwfile" ] && rm -f "$pwfile"
		dpkg --purge userpatch >"$out/purge-cleanup.log" 2>&1
	fi
	for link in "${made_links[@]}"; do
		[ -L "$link" ] && rm -f "$link"
	done
	if [ "$rc" -ne 0 ] && [ -n "${DEP_DIR:-}" ]; then
		dep_show_logs
	fi
	rm -rf "$work" "$E2E_TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- 2. lintian -----------------------------------------------------------
say "lintian $(basename "$deb")"
if lintian --fail-on error,warning "$deb" >"$out/lintian.log" 2>&1; then
	pass "lintian: no error, no warning"
else
	fail "lintian found errors or warnings:"
	{ grep -E '^[EW]:' "$out/lintian.log" || cat "$out/lintian.log"; } | sed 's/^/    /'
fi
# What is overridden, and why (the N: lines are the reasons).
lintian -I --show-overrides "$deb" 2>/dev/null | grep -E '^(O|N):' | sed 's/^/    /' || true
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libfcgi0ldbl libcjson1 libmariadb3 libsodium23 libcurl4; do
	if [[ $depends == *"$lib "* || $depends == *"$lib," || $depends == *"$lib" ]]; then
		pass "Depends names $lib (from shlibs)"
	else
		fail "Depends ($depends) lacks $lib"
	fi
done
dpkg-deb -e "$deb" "$work/control"
if grep -lE 'mysql|mariadb|userpatch-admin|invoke-rc\.d|systemctl|deb-systemd|start-stop-daemon' \
	"$work"/control/{preinst,postinst,prerm,postrm} 2>/dev/null; then
	fail "a maintainer script runs a database client or starts a service (above)"
else
	pass "maintainer scripts call no database client and start no service"
fi

# --- 3. dpkg -i -------------------------------------------------------------
say "dpkg -i on this machine"
# What the purge must leave as it was: everything under /etc, /usr and
# /var/lib but dpkg's and apt's own records.
# a2enconf and a2disconf record their state in files under
# /var/lib/apache2/conf/<state>/ and create those directories on first use,
# never removing them: the directories are Apache's, the files are checked.
snapshot() {
	find /etc /usr /var/lib -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \
		-o -path /var/lib/ucf \) -prune -o \
		\( -type d -path '/var/lib/apache2/conf/*_by_*' \) -prune -o -print 2>/dev/null |
		sort
	find /var/lib/apache2/conf -mindepth 2 -type f 2>/dev/null | sort
}
snapshot >"$work/before"
# Services the system would run: their pid files must not appear.
service_pids=(/run/apache2/apache2.pid /run/lighttpd.pid /run/mysqld/mysqld.pid /run/nginx.pid)
alive_services() {
	local f
	for f in "${service_pids[@]}"; do
		[ -f "$f" ] && stack__alive "$(cat "$f" 2>/dev/null)" && echo "$f"
	done
	return 0
}
services_before=$(alive_services)
if dpkg -i "$deb" >"$out/dpkg-i.log" 2>&1; then
	installed=yes
	pass "dpkg -i $(basename "$deb")"
else
	cat "$out/dpkg-i.log" >&2
	fail "dpkg -i failed"
	e2e_finish
fi
if [ "$(alive_services)" = "$services_before" ]; then
	pass "installing started no web server or database service"
else
	fail "a service started while installing: $(alive_services)"
fi
running=$(for f in /proc/[0-9]*/exe; do readlink "$f" 2>/dev/null; done | grep -c '^/usr/lib/userpatch/' || true)
if [ "$running" -eq 0 ]; then
	pass "no userpatch program runs after installing"
else
	fail "$running userpatch program(s) run after installing"
fi

programs=()
for p in "$top_builddir"/src/endpoints/userpatch-*; do
	[ -x "$p" ] && [ -f "$p" ] && programs+=("${p##*/}")
done
[ "${#programs[@]}" -ge 2 ] || fail "found only ${#programs[@]} endpoint programs in $top_builddir"
for p in "${programs[@]}"; do
	if [ -x "/usr/lib/userpatch/$p" ]; then
		pass "/usr/lib/userpatch/$p installed"
	else
		fail "/usr/lib/userpatch/$p missing"
	fi
	if grep -qE "^[[:space:]]*Alias /api/[^ ]+ /usr/lib/userpatch/$p\$" "$apache_snippet"; then
		pass "the Apache snippet has an Alias to $p"
	else
		fail "the Apache snippet has no Alias to $p"
	fi
	if grep -qF "\"bin-path\"        => \"/usr/lib/userpatch/$p\"" "$lighttpd_snippet"; then
		pass "the lighttpd snippet starts $p"
	else
		fail "the lighttpd snippet does not start $p"
	fi
done
if ldd /usr/lib/userpatch/* /usr/sbin/userpatch-admin | grep -q 'not found'; then
	fail "a library of the installed programs is not found: $(ldd /usr/lib/userpatch/* | grep 'not found' | head -3)"
else
	pass "the installed programs find all their libraries"
fi
if [ "$(/usr/sbin/userpatch-admin --version)" = "userpatch-admin (userpatch) $version" ]; then
	pass "/usr/sbin/userpatch-admin --version: $version"
else
	fail "/usr/sbin/userpatch-admin --version printed '$(/usr/sbin/userpatch-admin --version 2>&1)'"
fi
nschema=$(find "$top_srcdir/schema" -name '[0-9]*_*.sql' | wc -l)
if [ "$(find /usr/share/userpatch/schema -name '[0-9]*_*.sql' | wc -l)" -eq "$nschema" ]; then
	pass "/usr/share/userpatch/schema holds the $nschema migrations"
else
	fail "/usr/share/userpatch/schema does not hold the $nschema migrations"
fi
if [ "$(stat -c '%a %U %G' "$conffile")" = "640 root www-data" ]; then
	pass "$conffile is root:www-data, mode 0640"
else
	fail "$conffile is $(stat -c '%a %U %G' "$conffile"), not 640 root www-data"
fi
conffiles=$(dpkg-query -W -f='${Conffiles}\n' userpatch)
for f in "$conffile" "$apache_snippet" "$lighttpd_snippet"; do
	if printf '%s\n' "$conffiles" | grep -q "^ $f "; then
		pass "$f is a conffile"
	else
		fail "$f is not a conffile"
	fi
done
if grep -qE '^[[:space:]]*db_password[[:space:]]*=' "$conffile"; then
	fail "$conffile holds a password"
else
	pass "$conffile holds no password (it names db_password_file)"
fi
for f in examples/nginx.conf examples/userpatch-spawn deploy/apache.md operations.md.gz; do
	if [ -e "/usr/share/doc/userpatch/$f" ] || [ -e "/usr/share/doc/userpatch/$f.gz" ]; then
		pass "/usr/share/doc/userpatch/$f installed"
	else
		fail "/usr/share/doc/userpatch/$f missing"
	fi
done
for page in "8 userpatch-admin" "5 userpatch.conf" "7 userpatch"; do
	# shellcheck disable=SC2086 # section and name
	if path=$(man -w $page 2>/dev/null) && [[ $path == /usr/share/man/* ]] &&
		MANWIDTH=80 man --warnings $page 2>&1 >/dev/null | { ! grep -q .; }; then
		pass "man $page: $path, renders without warnings"
	else
		fail "man $page is not installed or renders with warnings"
	fi
done

# --- 4. a private MariaDB, migrated with the installed tool ------------------
say "a private MariaDB; the conffile edited as an administrator would"
export STACK_MARIADB_EXTRA="--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0"
stack_mariadb_start "$UP_TEST_DB_DIR" || die "cannot start the private MariaDB"
chmod 0711 "$UP_TEST_DB_DIR"
pwfile=$(sed -n 's/^db_password_file[[:space:]]*=[[:space:]]*//p' "$conffile")
[ -n "$pwfile" ] || die "$conffile names no db_password_file"
install -m 0640 -o root -g www-data "$UP_TEST_DB_DIR/db.password" "$pwfile"
sed -i "s|^db_socket[[:space:]]*=.*|db_socket = $UP_TEST_DB_DIR/mysqld.sock|" "$conffile"
if /usr/sbin/userpatch-admin migrate >"$work/migrate.log" 2>&1 &&
	grep -q "schema up to date ($nschema applied now, $nschema in all)" "$work/migrate.log"; then
	pass "userpatch-admin migrate (installed, default config and schema): $nschema applied"
else
	cat "$work/migrate.log" >&2
	fail "userpatch-admin migrate with the installed defaults"
	e2e_finish
fi
if /usr/sbin/userpatch-admin migrate 2>&1 | grep -q "(0 applied now, $nschema in all)"; then
	pass "a second migrate applies nothing"
else
	fail "a second migrate did not report 0 applied"
fi
# The packaged cron job, its command run as cron runs it: silent, exit 0.
cronjob=$(sed -n 's/^[0-9][0-9]* [0-9][0-9]* \* \* \* root //p' /etc/cron.d/userpatch)
if [ -n "$cronjob" ] && cron_out=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c "$cronjob" 2>&1) &&
	[ -z "$cron_out" ]; then
	pass "/etc/cron.d/userpatch: '$cronjob' runs silently"
else
	fail "/etc/cron.d/userpatch: '${cronjob:-no daily root job}' printed '${cron_out:-}'"
fi

# --- 5. a private Apache with the packaged snippet ---------------------------
say "a private Apache + mod_fcgid that Includes $apache_snippet as it is"
DEP_DIR=$work/apache-package
DEP_USER=www-data
DEP_GROUP=www-data
DEP_LIBEXEC=/usr/lib/userpatch
DEP_LOG=$DEP_DIR/log
DEP_STOPS=()
DEP_MISSING=()
mkdir -p "$DEP_LOG"
chmod 0755 "$DEP_DIR"
chown www-data:www-data "$DEP_LOG"
DEP_PORT=$(dep_free_port)
export UP_TEST_BASE_URL=http://127.0.0.1:$DEP_PORT
dep_apache_start "alias fcgid" "$apache_snippet"
dep_fixtures
pass "tenant and token from the installed userpatch-admin"
dep_check_all package-apache
# Every aliased path reaches its program (the families dep_check_all does
# not cover too): the answer is the program's JSON with its X-Request-Id.
dep_check_routes() {
	local path paths
	mapfile -t paths < <(sed -n 's|^[[:space:]]*Alias \(/api/[^ ]*\) .*|\1|p' "$apache_snippet")
	for path in "${paths[@]}"; do
		case $path in */device_app_user_update*) continue ;; esac
		E2E_OPENAPI_SKIP=1 req GET "$path"
		echo "     ($1: GET $path answered $E2E_STATUS)"
		expect_common
	done
}
dep_check_routes package-apache
dep_check_restart mod_fcgid
dep_check_log "$DEP_LOG/apache-error.log"
if [ "$(ps -o user= -p "$(dep_program_pids userpatch-users | head -n 1)" 2>/dev/null)" = www-data ]; then
	pass "the programs run as www-data"
else
	fail "the programs do not run as www-data"
fi
dep_apache_stop

# --- 6. a private lighttpd with the packaged snippet -------------------------
say "a private lighttpd with $lighttpd_snippet (socket directory moved)"
DEP_DIR=$work/lighttpd-package
DEP_LOG=$DEP_DIR/log
mkdir -p "$DEP_LOG" "$DEP_DIR/sock" "$DEP_DIR/htdocs" "$DEP_DIR/upload"
chmod 0755 "$DEP_DIR"
chown www-data:www-data "$DEP_LOG" "$DEP_DIR/sock" "$DEP_DIR/upload"
DEP_PORT=$(dep_free_port)
export UP_TEST_BASE_URL=http://127.0.0.1:$DEP_PORT
sed "s|\"/run/lighttpd/|\"$DEP_DIR/sock/|" "$lighttpd_snippet" >"$DEP_DIR/50-userpatch.conf"
cat >"$DEP_DIR/lighttpd.conf" <<CONF
# The parts of Debian's /etc/lighttpd/lighttpd.conf the snippet relies on
# (10-fastcgi.conf loads mod_fastcgi), on a private port.
server.modules = ( "mod_access", "mod_accesslog", "mod_fastcgi" )
server.bind = "127.0.0.1"
server.port = $DEP_PORT
server.username = "www-data"
server.groupname = "www-data"
server.document-root = "$DEP_DIR/htdocs"
server.upload-dirs = ( "$DEP_DIR/upload" )
server.pid-file = "$DEP_DIR/lighttpd.pid"
server.errorlog = "$DEP_LOG/error.log"
server.breakagelog = "$DEP_LOG/programs.log"
accesslog.filename = "$DEP_LOG/access.log"
server.max-request-size = 1024
include "$DEP_DIR/50-userpatch.conf"
CONF
dep_lighttpd_start "$DEP_DIR/lighttpd.conf"
dep_check_all package-lighttpd
dep_check_routes package-lighttpd
dep_check_log "$DEP_LOG/programs.log"
dep_lighttpd_stop

# --- 7. enable as documented, then purge -------------------------------------
say "a2enconf userpatch, lighty-enable-mod userpatch, then dpkg --purge"
for link in /etc/apache2/conf-enabled/userpatch.conf /etc/lighttpd/conf-enabled/50-userpatch.conf \
	/etc/lighttpd/conf-enabled/10-fastcgi.conf; do
	[ -e "$link" ] || [ -L "$link" ] || made_links+=("$link")
done
if a2enconf userpatch >"$work/a2enconf.log" 2>&1 && [ -L /etc/apache2/conf-enabled/userpatch.conf ]; then
	pass "a2enconf userpatch"
else
	cat "$work/a2enconf.log"
	fail "a2enconf userpatch"
fi
if apache2ctl -t >"$work/apache2ctl.log" 2>&1; then
	pass "the system's Apache configuration with the snippet enabled is valid (apache2ctl -t)"
else
	cat "$work/apache2ctl.log"
	fail "apache2ctl -t with the snippet enabled"
fi
if lighty-enable-mod userpatch >"$work/lighty.log" 2>&1 </dev/null &&
	[ -L /etc/lighttpd/conf-enabled/50-userpatch.conf ]; then
	pass "lighty-enable-mod userpatch"
else
	cat "$work/lighty.log"
	fail "lighty-enable-mod userpatch"
fi
if lighttpd -tt -f /etc/lighttpd/lighttpd.conf >"$work/lighttpd-t.log" 2>&1; then
	pass "the system's lighttpd configuration with the snippet enabled is valid (lighttpd -tt)"
else
	cat "$work/lighttpd-t.log"
	fail "lighttpd -tt with the snippet enabled"
fi

# Remove first: the snippets are disabled (the programs they name are gone),
# the conffiles stay.
if dpkg -r userpatch >"$out/dpkg-r.log" 2>&1; then
	pass "dpkg -r userpatch"
else
	cat "$out/dpkg-r.log" >&2
	fail "dpkg -r userpatch"
fi
for link in /etc/apache2/conf-enabled/userpatch.conf /etc/lighttpd/conf-enabled/50-userpatch.conf; do
	if [ -e "$link" ] || [ -L "$link" ]; then
		fail "removing the package left $link enabled"
	else
		pass "removing the package disabled $link"
	fi
done
if [ -f "$conffile" ] && [ -f "$apache_snippet" ] && [ ! -e /usr/lib/userpatch ] &&
	[ ! -e /usr/sbin/userpatch-admin ]; then
	pass "removing kept the conffiles and removed the programs"
else
	fail "after dpkg -r: conffiles or programs not as expected"
fi
# The administrator's own file goes with the package.
rm -f "$pwfile"
if dpkg --purge userpatch >"$out/dpkg-purge.log" 2>&1; then
	installed=no
	pass "dpkg --purge userpatch"
else
	cat "$out/dpkg-purge.log" >&2
	fail "dpkg --purge userpatch"
fi
# lighty-enable-mod also enabled fastcgi, which is the administrator's to keep.
[ -L /etc/lighttpd/conf-enabled/10-fastcgi.conf ] &&
	[[ " ${made_links[*]} " == *" /etc/lighttpd/conf-enabled/10-fastcgi.conf "* ]] &&
	rm -f /etc/lighttpd/conf-enabled/10-fastcgi.conf
state=$(dpkg-query -W -f='${db:Status-Status}' userpatch 2>/dev/null || true)
if [ -z "$state" ] || [ "$state" = not-installed ]; then
	pass "dpkg knows nothing of userpatch any more"
else
	fail "dpkg still lists userpatch ($state)"
fi
if compgen -G '/var/lib/dpkg/info/userpatch.*' >/dev/null; then
	fail "dpkg's info files of userpatch remain"
fi
snapshot >"$work/after"
if cmp -s "$work/before" "$work/after"; then
	pass "nothing left or changed under /etc, /usr, /var/lib (but dpkg's records)"
else
	fail "the purge left the machine different:"
	diff "$work/before" "$work/after" | grep '^[<>]' | head -n 30 | sed 's/^/    /'
fi

e2e_finish
