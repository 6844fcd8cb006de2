#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Shared hosting, as a customer without root follows
# docs/deploy/shared-hosting.md: an account (its own non-root user, home
# directory, public_html), a database and database user "made in the panel",
# a private Apache 2.4 + mod_fcgid + suEXEC (Debian's apache2-suexec-custom)
# that runs the account's programs as the account's user:
#   1. `make shared-hosting-bundle`; the tarball unpacked in the account;
#   2. in a chroot holding the bundle and only the C library (no libfcgi,
#      libcjson, libsodium, libmariadb): every library resolves inside the
#      bundle, `token issue --sql` runs with no config and no database, and
#      userpatch-users answers a request as plain CGI;
#   3. the no-shell path: schema files and the token's SQL imported with the
#      mariadb client (as phpMyAdmin would), then `migrate` recognises them
#      (the bundle's userpatch-admin, and the one `make install-cgi` puts
#      beside the programs, each finding the schema beside itself);
#   4. htaccess.example under AllowOverride AuthConfig FileInfo
#      Options=ExecCGI: every endpoint family, the workers run as the account
#      with the bundle's libraries; a config edit is seen by the next request
#      without a restart, a bad edit keeps the old config and is logged;
#   5. what the guide says about errors: suEXEC's refusal of a group-writable
#      file (500, and the suexec.log line to ask the host for), and the 403
#      when the server config allows no symlink option;
#   6. a host without AuthConfig: htaccess.example answers 500 ("CGIPassAuth
#      not allowed here", then "Require not allowed in <FilesMatch>
#      context" without that line),
#      htaccess-noauthconfig.example passes every check; a host that allows
#      no Options in .htaccess ("Options not allowed here" until the line is
#      removed); plain CGI under suEXEC (AddHandler cgi-script).
# Runs as root (to create the account and start Apache with suEXEC), inside a
# private mount namespace whose /var/www (suEXEC's document root) is a tmpfs:
# nothing of the test stays on the machine but for suEXEC's own log lines.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "*** shared_hosting.sh needs root: it creates a hosting account and starts Apache with suEXEC" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# Time-boxed (UP_SHARED_HOSTING_TIMEOUT seconds, default 480), in its own
# mount namespace.
if [ -z "${UP_SHARED_HOSTING_NS:-}" ]; then
	UP_SHARED_HOSTING_NS=1 exec timeout --kill-after=40 "${UP_SHARED_HOSTING_TIMEOUT:-480}" \
		unshare --mount --propagation private -- "$BASH" "${BASH_SOURCE[0]}" "$@"
fi

# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

SUEXEC_BIN=/usr/lib/apache2/suexec
SUEXEC_LOG=/var/log/apache2/suexec.log
dep_require apache2 curl python3 mariadb patchelf chroot unshare useradd userdel runuser \
	"$APACHE_MODULES/mod_fcgid.so" "$APACHE_MODULES/mod_rewrite.so" \
	"$APACHE_MODULES/mod_suexec.so" "$SUEXEC_BIN" /etc/apache2/suexec/www-data
[ "$(sed -n 1p /etc/apache2/suexec/www-data)" = /var/www ] ||
	dep_cannot_run "/etc/apache2/suexec/www-data does not name /var/www as suEXEC's document root"
dep_setup shared_hosting
# The time box (or ^C) ends the test through its EXIT trap: Apache stopped,
# the account's processes killed, the account removed.
trap 'exit 143' TERM
trap 'exit 130' INT

# --- the machine: suEXEC's document root, the account, the database --------

mount -t tmpfs -o mode=0755 userpatch-test /var/www
# Accounts left by an earlier run that was killed: each names the pid of the
# test that made it; one whose test is gone is removed. (Not by its home:
# every run has its own /var/www.)
while IFS=: read -r name _ _ _ gecos _ _; do
	case $name:$gecos in
	upsh*:"userpatch shared_hosting.sh pid "*)
		owner=${gecos##* }
		if ! tr '\0' ' ' <"/proc/$owner/cmdline" 2>/dev/null | grep -q shared_hosting.sh; then
			userdel -f "$name" 2>/dev/null || true
		fi
		;;
	esac
done </etc/passwd

ACCT=upsh$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
HOME_DIR=/var/www/$ACCT
useradd --no-create-home --home-dir "$HOME_DIR" --shell /usr/sbin/nologin --user-group \
	--comment "userpatch shared_hosting.sh pid $$" "$ACCT"
# shellcheck disable=SC2317 # called from dep_cleanup
acct_cleanup() {
	local f pid
	for f in /proc/[0-9]*/status; do
		pid=${f#/proc/}
		pid=${pid%/status}
		if awk -v u="$ACCT_UID" '$1 == "Uid:" && $2 == u { found = 1 } END { exit !found }' "$f" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	userdel -f "$ACCT" 2>/dev/null || true
}
ACCT_UID=$(id -u "$ACCT")
[ "$(id -g "$ACCT")" = "$ACCT_UID" ] || dep_cannot_run "useradd gave $ACCT a group id other than its user id"
DEP_STOPS+=("acct_cleanup")
install -d -o "$ACCT" -g "$ACCT" -m 0711 "$HOME_DIR"
pass "account $ACCT (uid $ACCT_UID), home $HOME_DIR"

# as_acct COMMAND...: run as the account's user, in its home directory.
as_acct() {
	(cd "$HOME_DIR" && runuser -u "$ACCT" -- env HOME="$HOME_DIR" "$@")
}

# The database and its user, as the hosting panel makes them.
DB_NAME=${ACCT}_up
DB_USER=${ACCT}_up
DB_PASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -e "
CREATE DATABASE \`$DB_NAME\`;
CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';"

# panel_sql: SQL on stdin, as the account's database user (what phpMyAdmin
# runs for the customer).
panel_sql() {
	mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u "$DB_USER" -p"$DB_PASS" \
		-N -B "$DB_NAME"
}

# --- 1. the bundle -----------------------------------------------------------

echo "# make shared-hosting-bundle"
BUNDLE=$DEP_DIR/userpatch-shared-hosting.tar.gz
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" shared-hosting-bundle \
	SHARED_HOSTING_BUNDLE="$BUNDLE" >"$DEP_LOG/bundle.log" 2>&1 && [ -s "$BUNDLE" ]; then
	pass "make shared-hosting-bundle wrote one tarball"
else
	cat "$DEP_LOG/bundle.log" >&2
	fail "make shared-hosting-bundle"
	e2e_finish
fi
tar -tzf "$BUNDLE" >"$DEP_DIR/bundle.list"
for f in $(stack_programs | sed 's|^|libexec/|') libexec/userpatch-admin \
	lib/libfcgi.so.0 lib/libcjson.so.1 lib/libsodium.so.23 lib/libmariadb.so.3 \
	schema/001_base.sql web/htaccess.example web/htaccess-noauthconfig.example \
	web/userpatch.fcgi.example userpatch.conf.sample SHARED-HOSTING.md MANIFEST; do
	if grep -qx "userpatch/$f" "$DEP_DIR/bundle.list"; then
		pass "the bundle has userpatch/$f"
	else
		fail "the bundle lacks userpatch/$f"
	fi
done

echo "# the customer unpacks it in the account (FTP upload + the panel's file manager)"
cp "$BUNDLE" "$HOME_DIR/bundle.tar.gz"
chown "$ACCT:$ACCT" "$HOME_DIR/bundle.tar.gz"
as_acct tar -xzf bundle.tar.gz
UP=$HOME_DIR/userpatch
ADMIN_B=$UP/libexec/userpatch-admin
if [ -x "$ADMIN_B" ] && [ "$(stat -c %U "$ADMIN_B")" = "$ACCT" ]; then
	pass "unpacked as the account: $ADMIN_B"
else
	fail "the bundle did not unpack as $ACCT into $UP"
fi

# --- 2. a host without the libraries: a chroot with only the C library -----

echo "# chroot: the bundle plus the C library, /bin/sh, and nothing else"
ROOT=$DEP_DIR/chroot
mkdir -p "$ROOT/home" "$ROOT/run" "$ROOT/tmp" "$ROOT/proc" "$ROOT/bin"
chmod 1777 "$ROOT/tmp"
install -d -o "$ACCT" -g "$ACCT" -m 0711 "$ROOT/home/$ACCT"
(cd "$ROOT/home/$ACCT" && runuser -u "$ACCT" -- tar -xzf "$HOME_DIR/bundle.tar.gz")
# The C library's objects (those the bundle leaves to the host: glibc's own
# libraries), as the programs and sh name them, at their paths.
for obj in $( (for p in "$UP"/libexec/userpatch-*; do [ -x "$p" ] && ldd "$p"; done; ldd /bin/sh) |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
	case $obj in "$UP"/*) continue ;; esac
	case ${obj##*/} in
	ld-linux*.so.* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | \
		libresolv.so.* | libutil.so.* | libanl.so.* | libnsl.so.* | libmvec.so.*) ;;
	*) continue ;;
	esac
	mkdir -p "$ROOT$(dirname "$obj")"
	cp -L "$obj" "$ROOT$obj"
done
cp -L /bin/sh "$ROOT/bin/sh"
mount -t proc proc "$ROOT/proc"
CUP=/home/$ACCT/userpatch
leaked=$(find "$ROOT" -path "$ROOT/proc" -prune -o \( -name 'libfcgi*' -o -name 'libcjson*' \
	-o -name 'libsodium*' -o -name 'libmariadb*' \) -print | grep -v "^$ROOT$CUP/lib/" || true)
if [ -z "$leaked" ]; then
	pass "the chroot holds libfcgi, libcjson, libsodium, libmariadb only inside the bundle"
else
	fail "libraries outside the bundle in the chroot: $leaked"
fi
ldso=$(readelf -l "$UP/libexec/userpatch-users" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
for prog in userpatch-users userpatch-device-app userpatch-admin; do
	chroot "$ROOT" "$ldso" --list "$CUP/libexec/$prog" >"$E2E_TMP/ldd" 2>&1 || true
	if ! grep -q 'not found' "$E2E_TMP/ldd" &&
		grep -q "libmariadb.so.3 => $CUP/libexec/../lib/libmariadb.so.3" "$E2E_TMP/ldd" &&
		grep -q "libsodium.so.23 => $CUP/libexec/../lib/libsodium.so.23" "$E2E_TMP/ldd" &&
		{ [ "$prog" = userpatch-admin ] ||
			grep -q "libfcgi.so.0 => $CUP/libexec/../lib/libfcgi.so.0" "$E2E_TMP/ldd"; }; then
		pass "chroot: every library of $prog resolves (libmariadb, libsodium, libfcgi from the bundle)"
	else
		fail "chroot: libraries of $prog:"
		sed 's/^/     /' "$E2E_TMP/ldd"
	fi
done

echo "# the no-shell token: token issue --sql, in the chroot (no config, no database)"
if chroot --userspec="$ACCT_UID:$ACCT_UID" "$ROOT" "$CUP/libexec/userpatch-admin" token issue --sql \
	--tenant acme --scopes users:read,users:write,device_app_user:write,devices:read,devices:report \
	--label "panel's token" \
	>"$DEP_DIR/token.sql" 2>"$E2E_TMP/token.err"; then
	pass "token issue --sql ran with no config and no database"
else
	fail "token issue --sql failed: $(cat "$E2E_TMP/token.err")"
fi
TOKEN=$(grep -xE '[0-9a-f]{64}' "$E2E_TMP/token.err" || true)
if [ -n "$TOKEN" ] && [ "$(grep -cxE '[0-9a-f]{64}' "$E2E_TMP/token.err")" = 1 ] &&
	! grep -qF "$TOKEN" "$DEP_DIR/token.sql"; then
	pass "the token is printed once, on stderr, and is not in the SQL"
else
	fail "token issue --sql: no single token on stderr, or the token is in the SQL"
fi

# Refusals: exit status 2, a reason on stderr, no SQL and no token.
while IFS='|' read -r why args; do
	# shellcheck disable=SC2086 # the arguments of each row, split on blanks
	if chroot --userspec="$ACCT_UID:$ACCT_UID" "$ROOT" "$CUP/libexec/userpatch-admin" \
		token issue --sql $args >"$E2E_TMP/bad.out" 2>"$E2E_TMP/bad.err"; then
		rc=0
	else
		rc=$?
	fi
	if [ "$rc" = 2 ] && [ ! -s "$E2E_TMP/bad.out" ] && [ -s "$E2E_TMP/bad.err" ] &&
		! grep -qxE '[0-9a-f]{64}' "$E2E_TMP/bad.err"; then
		pass "token issue --sql refuses $why: $(head -n 1 "$E2E_TMP/bad.err")"
	else
		fail "token issue --sql with $why: exit $rc, stdout '$(head -c 200 "$E2E_TMP/bad.out")'"
	fi
done <<'ROWS'
a tenant name that is not safe in SQL|--tenant a';DROP --scopes users:read
an unknown scope|--tenant acme --scopes users:admin
no scopes|--tenant acme
no tenant|--scopes users:read
an unknown option|--tenant acme --scopes users:read --tenant-id 3
a daily limit of 0|--tenant acme --scopes users:read --daily-limit 0
ROWS

# --- 3. the schema and the token through "phpMyAdmin" ------------------------

echo "# phpMyAdmin: import each schema file in numeric order, then the token's SQL"
imported=0
for f in "$UP"/schema/[0-9]*_*.sql; do
	if panel_sql <"$f" >/dev/null 2>"$E2E_TMP/import.err"; then
		imported=$((imported + 1))
	else
		fail "importing $(basename "$f") as it is: $(cat "$E2E_TMP/import.err")"
	fi
done
pass "imported $imported schema files with the mariadb client"
if panel_sql <"$DEP_DIR/token.sql" 2>"$E2E_TMP/import.err"; then
	pass "the token's SQL ran in the account's database"
else
	fail "the token's SQL failed: $(cat "$E2E_TMP/import.err")"
fi
if [ "$(panel_sql <<<"SELECT COUNT(*) FROM api_tokens k JOIN tenants t ON t.id = k.tenant_id WHERE t.name = 'acme' AND k.label = 'panel''s token'")" = 1 ]; then
	pass "tenant acme and its token (label with a quote) are stored"
else
	fail "tenant acme or its token is missing after the SQL"
fi
nversions=$(panel_sql <<<"SELECT COUNT(*) FROM schema_migrations")
if [ "$nversions" = "$imported" ]; then
	pass "the imported files recorded themselves in schema_migrations ($nversions)"
else
	fail "schema_migrations has $nversions rows after importing $imported files"
fi

echo "# the account's config, from the sample (what the guide says to change)"
as_acct sh -c "sed -e 's|^db_socket = .*|db_socket = $UP_TEST_DB_DIR/mysqld.sock|' \
	-e 's|^db_user = .*|db_user = $DB_USER|' -e 's|^db_name = .*|db_name = $DB_NAME|' \
	-e 's|^db_password_file = .*|db_password = $DB_PASS|' \
	userpatch/userpatch.conf.sample >userpatch/userpatch.conf && chmod 0600 userpatch/userpatch.conf"
CONF=$UP/userpatch.conf

echo "# with a shell: migrate accepts the database set up by hand"
if as_acct "$ADMIN_B" --config "$CONF" migrate >"$E2E_TMP/migrate.out" 2>&1 &&
	grep -q "schema up to date (0 applied now, $imported in all)" "$E2E_TMP/migrate.out"; then
	pass "migrate (no --schema-dir: the bundle's schema/) applies nothing: $(tail -n 1 "$E2E_TMP/migrate.out")"
else
	fail "migrate after the hand import: $(cat "$E2E_TMP/migrate.out")"
fi
as_acct "$ADMIN_B" --config "$CONF" tenant list >"$E2E_TMP/tenants" 2>&1 || true
if grep -qP '^\d+\tacme$' "$E2E_TMP/tenants"; then
	pass "the bundle's userpatch-admin, as the account, lists tenant acme"
else
	fail "userpatch-admin tenant list as the account"
fi

echo "# the guide's daily cron line (section 9), as the account's cron runs it"
cronline=$(sed -n '/^## 9\./,/^## /{/^[0-9][0-9]* [0-9][0-9]* \* \* \* /p}' \
	"$top_srcdir/docs/deploy/shared-hosting.md")
cronjob=$(printf '%s\n' "$cronline" | sed 's/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* //')
if [ -n "$cronline" ] && cron_out=$(as_acct env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin \
	sh -c "$cronjob" 2>&1) && [ -z "$cron_out" ]; then
	pass "the guide's cron job runs silently as the account: $cronjob"
else
	fail "the guide's cron job (${cronline:-not found in section 9}): ${cron_out:-}"
fi

echo "# make install-cgi: userpatch-admin beside the programs, the schema beside them"
INST=$HOME_DIR/built-here
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install-cgi \
	CGIBINDIR="$INST/libexec" >"$DEP_LOG/install-cgi.log" 2>&1; then
	pass "make install-cgi CGIBINDIR=~/built-here/libexec"
else
	cat "$DEP_LOG/install-cgi.log" >&2
	fail "make install-cgi"
fi
chown -R "$ACCT:$ACCT" "$INST"
for f in libexec/userpatch-users libexec/userpatch-device-app libexec/userpatch-admin \
	libexec/userpatch.fcgi.example libexec/.htaccess.example \
	libexec/htaccess-noauthconfig.example schema/001_base.sql; do
	if [ -e "$INST/$f" ]; then
		pass "install-cgi installed $f"
	else
		fail "install-cgi did not install $f"
	fi
done
if as_acct "$INST/libexec/userpatch-admin" --config "$CONF" migrate >"$E2E_TMP/migrate.out" 2>&1 &&
	grep -q "schema up to date (0 applied now, $imported in all)" "$E2E_TMP/migrate.out"; then
	pass "the installed userpatch-admin runs as the account and finds its schema: $(tail -n 1 "$E2E_TMP/migrate.out")"
else
	fail "the installed userpatch-admin: $(cat "$E2E_TMP/migrate.out")"
fi

# A user for the checks, as the customer's SQL would add it.
TENANT_ID=$(panel_sql <<<"SELECT id FROM tenants WHERE name = 'acme'")
DEP_USER_ID=usr-$(panel_sql <<<"INSERT INTO users (tenant_id, name, email) VALUES ($TENANT_ID, 'Ada Lovelace', 'ada@example.com'); SELECT LAST_INSERT_ID();")
DEP_TOKEN=$TOKEN
head -c 70000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big"
printf '[]' >>"$E2E_TMP/big"
dep_make_batch
dep_new_device() {
	panel_sql <<<"INSERT INTO devices (tenant_id, name) VALUES ($TENANT_ID, '$1');
		UPDATE devices SET unique_id = CONCAT('phone-', id) WHERE id = LAST_INSERT_ID();
		SELECT LAST_INSERT_ID();"
}

echo "# chroot: userpatch-users answers a request as plain CGI, without the system's libraries"
ln "$UP_TEST_DB_DIR/mysqld.sock" "$ROOT/run/mysqld.sock"
sed "s|^db_socket = .*|db_socket = /run/mysqld.sock|" "$CONF" >"$ROOT$CUP/userpatch.conf"
chown "$ACCT:$ACCT" "$ROOT$CUP/userpatch.conf"
chmod 0600 "$ROOT$CUP/userpatch.conf"
env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET "REQUEST_URI=/api/users/$DEP_USER_ID" \
	SERVER_PROTOCOL=HTTP/1.1 "HTTP_AUTHORIZATION=Bearer $TOKEN" \
	"USERPATCH_CONFIG=$CUP/userpatch.conf" \
	"$(command -v chroot)" --userspec="$ACCT_UID:$ACCT_UID" "$ROOT" "$CUP/libexec/userpatch-users" </dev/null \
	>"$E2E_TMP/cgi.out" 2>"$E2E_TMP/cgi.err" || true
if head -n 1 "$E2E_TMP/cgi.out" | grep -q '^Status: 200' &&
	grep -qF "\"id\":\"$DEP_USER_ID\"" "$E2E_TMP/cgi.out"; then
	pass "chroot: GET /api/users/$DEP_USER_ID answers 200 with the user"
else
	fail "chroot: the CGI request did not answer 200: $(head -c 400 "$E2E_TMP/cgi.out") $(head -c 400 "$E2E_TMP/cgi.err")"
fi
umount "$ROOT/proc"

# --- 4. the web directory and Apache with suEXEC -----------------------------

API=$HOME_DIR/public_html/api
as_acct mkdir -p public_html/api
chmod 0755 "$HOME_DIR/public_html" "$API"
# install_web HTACCESS: the customer's web directory with that .htaccess.
install_web() {
	local prog
	as_acct cp "userpatch/web/$1" public_html/api/.htaccess
	# One wrapper per program of the bundle (every endpoint family).
	for prog in "$UP"/libexec/userpatch-*; do
		prog=${prog##*/}
		[ "$prog" != userpatch-admin ] || continue
		as_acct sh -c "sed 's|/home/USER/userpatch|$UP|g' userpatch/web/userpatch.fcgi.example \
			>public_html/api/$prog.fcgi && chmod 0755 public_html/api/$prog.fcgi"
	done
}
install_web htaccess.example

SITE=$DEP_DIR/site.conf
# write_site ALLOWOVERRIDE OPTIONS: the host's virtual host for the account.
write_site() {
	cat >"$SITE" <<CONF
# The host's side (server config, not the customer's): the account's virtual
# host, its programs run as the account through suEXEC.
<VirtualHost 127.0.0.1:$DEP_PORT>
    ServerName 127.0.0.1
    DocumentRoot "$HOME_DIR/public_html"
    SuexecUserGroup $ACCT $ACCT
    <Directory "$HOME_DIR/public_html">
        AllowOverride $1
        Options $2
        Require all granted
    </Directory>
</VirtualHost>
CONF
}
# site_start ALLOWOVERRIDE OPTIONS [MODULES]
site_start() {
	write_site "$1" "$2"
	dep_apache_start "${3:-rewrite fcgid suexec}" "$SITE"
	if grep -q 'suEXEC mechanism enabled' "$DEP_LOG/apache-error.log"; then
		pass "Apache: suEXEC mechanism enabled"
	else
		fail "Apache did not enable suEXEC"
	fi
}
# expect_error_log OFFSET ERE WHAT: the Apache error log has a line matching
# ERE after byte OFFSET.
expect_error_log() {
	if tail -c +"$(($1 + 1))" "$DEP_LOG/apache-error.log" | grep -qE -- "$2"; then
		pass "error log: $3"
	else
		fail "error log: no line matching '$2' ($3); new lines:"
		tail -c +"$(($1 + 1))" "$DEP_LOG/apache-error.log" | tail -n 5 | cut -c1-300 | sed 's/^/     /'
	fi
}
# apache_answers COMMAND...: a request that Apache itself answers (a refusal
# or an error page of a deliberately wrong setup), not the API: not checked
# against docs/openapi.yaml.
apache_answers() {
	local E2E_OPENAPI_SKIP=1
	"$@"
}
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

echo "# htaccess.example, host allows AuthConfig FileInfo Options=ExecCGI"
site_start "AuthConfig FileInfo Options=ExecCGI" "SymLinksIfOwnerMatch"
dep_check_all suexec
# groups_reached WHAT: /api/groups reaches userpatch-groups (its 401, not Apache's 404).
groups_reached() {
	req GET /api/groups
	expect_error 401 "/api/groups reaches its program ($1)"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
}
groups_reached htaccess.example
dep_check_denied "$API" /api

echo "# the workers run as the account, with the bundle's libraries"
pids=
for f in /proc/[0-9]*/exe; do
	if [ "$(readlink "$f" 2>/dev/null)" = "$UP/libexec/userpatch-users" ]; then
		p=${f#/proc/}
		pids="$pids ${p%/exe}"
	fi
done
if [ -z "$pids" ]; then
	fail "no userpatch-users worker from $UP/libexec"
fi
for pid in $pids; do
	uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")
	if [ "$uid" = "$ACCT_UID" ]; then
		pass "worker $pid runs as $ACCT (uid $uid), not root"
	else
		fail "worker $pid runs as uid $uid, not $ACCT ($ACCT_UID)"
	fi
	if grep -q "$UP/lib/libmariadb.so.3" "/proc/$pid/maps" &&
		grep -q "$UP/lib/libfcgi.so.0" "/proc/$pid/maps" &&
		! grep -qE ' /(usr/)?lib/[^ ]*/lib(fcgi|cjson|sodium|mariadb)\.so' "/proc/$pid/maps"; then
		pass "worker $pid maps libfcgi and libmariadb from the bundle, none from the system"
	else
		fail "worker $pid does not use the bundle's libraries: $(grep -E 'lib(fcgi|cjson|sodium|mariadb)' "/proc/$pid/maps" | awk '{print $6}' | sort -u | tr '\n' ' ')"
	fi
done
dep_check_log "$DEP_LOG/apache-error.log"

echo "# a config edit is seen by the next request, without a restart"
head -c 2000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/mid"
printf '[]' >>"$E2E_TMP/mid"
patch_mid() {
	reqt "$DEP_TOKEN" PATCH "/api/users/$DEP_USER_ID" \
		-H 'Content-Type: application/json-patch+json' --data-binary "@$E2E_TMP/mid"
}
patch_mid
expect_status 200 "2 KB patch under max_body = 65536 (an empty patch)"
as_acct sed -i 's/^max_body = .*/max_body = 1024/' "$CONF"
sleep 1.2
patch_mid
expect_error 413 "max_body = 1024 written to the config: the next request sees it"
for _ in 1 2 3; do
	patch_mid
	expect_status 413 "every worker sees max_body = 1024"
done
off=$(log_size "$DEP_LOG/apache-error.log")
as_acct sed -i 's/^max_body = .*/max_body = lots/' "$CONF"
sleep 1.2
patch_mid
expect_status 413 "a bad edit (max_body = lots): the old config stays in force"
dep_check_get "a bad edit: requests are still served"
expect_error_log "$off" "configuration $CONF changed but cannot be used \(.*max_body.*\): keeping the previous one" \
	"the bad edit is logged with the reason"
as_acct sed -i 's/^max_body = .*/max_body = 65536/' "$CONF"
sleep 1.2
patch_mid
expect_status 200 "the config fixed: max_body = 65536 again"

echo "# suEXEC refuses a group-writable file: 500, the reason only in suexec.log"
as_acct cp public_html/api/userpatch-users.fcgi public_html/api/probe.fcgi
as_acct chmod 0775 public_html/api/probe.fcgi
soff=$(log_size "$SUEXEC_LOG")
off=$(log_size "$DEP_LOG/apache-error.log")
apache_answers req GET /api/probe.fcgi
expect_status 500 "a wrapper writable by its group"
expect_error_log "$off" "End of script output before headers: probe\.fcgi" \
	"End of script output before headers (the guide's row for suEXEC refusals)"
if tail -c +"$((soff + 1))" "$SUEXEC_LOG" 2>/dev/null | grep -qE "file is writable by others: \($API/probe\.fcgi\)|probe\.fcgi.*writable"; then
	pass "suexec.log: $(tail -c +"$((soff + 1))" "$SUEXEC_LOG" | grep -m1 'writable' | cut -c1-160)"
else
	fail "no suexec.log line about $API/probe.fcgi"
fi
as_acct rm -f public_html/api/probe.fcgi
dep_apache_stop

echo "# the server config allows no symlink option: RewriteRule is forbidden, 403"
off=$(log_size "$DEP_LOG/apache-error.log")
site_start "AuthConfig FileInfo Options=ExecCGI" "None"
apache_answers reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_status 403 "Options None in the server config"
expect_error_log "$off" "Options FollowSymLinks and SymLinksIfOwnerMatch are both off" \
	"names FollowSymLinks and SymLinksIfOwnerMatch"
dep_apache_stop

# --- 6. a host without AuthConfig --------------------------------------------

echo "# host allows FileInfo Options=ExecCGI, no AuthConfig: htaccess.example fails loudly"
off=$(log_size "$DEP_LOG/apache-error.log")
site_start "FileInfo Options=ExecCGI" "SymLinksIfOwnerMatch"
apache_answers reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_status 500 "htaccess.example without AuthConfig"
expect_error_log "$off" "CGIPassAuth not allowed here" "CGIPassAuth not allowed here"
as_acct sed -i '/^CGIPassAuth On/d' public_html/api/.htaccess
off=$(log_size "$DEP_LOG/apache-error.log")
apache_answers reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_status 500 "htaccess.example without AuthConfig, CGIPassAuth line removed"
expect_error_log "$off" "Require not allowed in <FilesMatch> context" \
	"Require not allowed in <FilesMatch> context"

echo "# htaccess-noauthconfig.example on the same host"
install_web htaccess-noauthconfig.example
dep_check_all noauthconfig
groups_reached htaccess-noauthconfig.example
as_acct cp userpatch/web/htaccess.example public_html/api/htaccess.example
apache_answers req GET /api/htaccess.example
expect_status 403 "a file not for the web is refused without Require"
dep_check_denied "$API" /api
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_header X-Request-Id '^[^[:space:]]+$'
dep_apache_stop

echo "# host allows FileInfo only and enables ExecCGI itself: the Options line must go"
off=$(log_size "$DEP_LOG/apache-error.log")
site_start "FileInfo" "SymLinksIfOwnerMatch ExecCGI"
apache_answers reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_status 500 "Options +ExecCGI in .htaccess, host allows no Options"
expect_error_log "$off" "Options not allowed here" "Options not allowed here"
as_acct sed -i '/^Options +ExecCGI/d' public_html/api/.htaccess
dep_check_get "htaccess-noauthconfig.example without its Options line"
dep_apache_stop

echo "# plain CGI under suEXEC (AddHandler cgi-script): one process per request, as the account"
as_acct sed -i -e 's/^AddHandler fcgid-script \.fcgi/#&/' \
	-e 's/^#AddHandler cgi-script \.fcgi/AddHandler cgi-script .fcgi/' public_html/api/.htaccess
as_acct sed -i "s|^#log_file = .*|log_file = $UP/userpatch.log|" "$CONF"
site_start "FileInfo" "SymLinksIfOwnerMatch ExecCGI" "rewrite cgid suexec"
dep_check_get "plain CGI under suEXEC, Authorization through the rewrite fallback"
dep_check_get_401 "plain CGI under suEXEC, no header"
if [ "$(stat -c %U "$UP/userpatch.log" 2>/dev/null)" = "$ACCT" ] &&
	grep -qE "userpatch-users\[[0-9]+\] info rid=[^ ]+ GET /api/users/$DEP_USER_ID 200" "$UP/userpatch.log"; then
	pass "the CGI program ran as $ACCT: it created its log_file $UP/userpatch.log, owned by $ACCT"
else
	fail "no log_file written by $ACCT at $UP/userpatch.log ($(stat -c '%U %a' "$UP/userpatch.log" 2>&1))"
fi

echo "# revoking without a shell: the guide's UPDATE, in the panel"
panel_sql <<<"UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE label = 'panel''s token';"
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_error 401 "the token revoked by the guide's SQL"
dep_apache_stop

# Sanitizer builds: what the workers reported lands in Apache's error log
# (and the CGI one's in its log_file), not in the test's output.
if grep -hE -A 20 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	"$DEP_LOG/apache-error.log" "$UP/userpatch.log" >"$E2E_TMP/san" 2>/dev/null; then
	fail "sanitizer report from a program:"
	head -n 60 "$E2E_TMP/san" | sed 's/^/     /'
else
	pass "no sanitizer report in Apache's error log or the programs' log_file"
fi

e2e_finish
