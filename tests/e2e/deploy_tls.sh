#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Deployment over TLS, with a self-signed certificate for 127.0.0.1 in place
# of the example paths:
#   1. docs/deploy/nginx.conf with the TLS lines its header gives applied as
#      it says ("listen 80;" replaced by them), the programs run by
#      spawn-fcgi (docs/deploy/userpatch-spawn);
#   2. docs/deploy/apache-fcgid.conf inside a <VirtualHost> with the mod_ssl
#      lines its header gives;
#   3. docs/deploy/lighttpd.conf with the mod_openssl lines its header gives
#      added (Debian package lighttpd-mod-openssl).
# Every endpoint family answers over HTTPS with the certificate verified,
# and plain HTTP on that port never reaches the programs: the bearer token is
# only ever sent encrypted.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require nginx spawn-fcgi curl python3 openssl /etc/nginx/fastcgi_params apache2 \
	"$APACHE_MODULES/mod_fcgid.so" "$APACHE_MODULES/mod_rewrite.so" "$APACHE_MODULES/mod_ssl.so" \
	lighttpd /usr/lib/lighttpd/mod_openssl.so
dep_setup tls
dep_fixtures

echo "# a certificate for 127.0.0.1"
cert=$DEP_DIR/api.pem
key=$DEP_DIR/api.key
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$key" -out "$cert" \
	>"$DEP_DIR/openssl.log" 2>&1 || fail "openssl could not make a certificate"
chmod 0644 "$key"

echo "# spawn-fcgi: docs/deploy/userpatch-spawn"
dep_spawn_start

echo "# docs/deploy/nginx.conf with the TLS lines of its header"
# The commented lines under "TLS FIRST" that replace "listen 80;".
tls=$DEP_DIR/tls-lines
sed -n 's/^#   \(listen 443 ssl;\|ssl_[a-z_]* .*;\)$/\1/p' "$DEPLOY_DOCS/nginx.conf" >"$tls"
[ "$(wc -l <"$tls")" -eq 4 ] ||
	fail "the header of docs/deploy/nginx.conf no longer gives listen 443 ssl and three ssl_ lines"
sed -i -e "s|listen 443 ssl;|listen 127.0.0.1:$DEP_PORT ssl;|" \
	-e "s|/etc/ssl/certs/api.example.com.pem|$cert|" \
	-e "s|/etc/ssl/private/api.example.com.key|$key|" "$tls"
site=$DEP_DIR/site.conf
dep_subst "$DEPLOY_DOCS/nginx.conf" | python3 -c '
import sys
tls = open(sys.argv[1]).read()
out = []
for line in sys.stdin:
    if line.strip() == "listen 80;" and not line.lstrip().startswith("#"):
        indent = line[: len(line) - len(line.lstrip())]
        out.extend(indent + t + "\n" for t in tls.splitlines())
    else:
        out.append(line)
sys.stdout.write("".join(out))
' "$tls" >"$site"
grep -q "listen 127.0.0.1:$DEP_PORT ssl;" "$site" || fail "the test could not apply the TLS lines"
grep -qE "ssl_certificate +$cert;" "$site" || fail "the certificate line is missing in $site"

# The servers' start-up wait (tests/deploy/servers.sh) goes over HTTPS: a
# TLS port need not answer plain HTTP at all (lighttpd closes the connection).
DEP_SCHEME=https

# Everything below goes over HTTPS, the certificate checked against ours.
export UP_TEST_BASE_URL=https://127.0.0.1:$DEP_PORT
export CURL_CA_BUNDLE=$cert
dep_nginx_start "$site"
dep_check_all nginx_tls
dep_check_groups nginx_tls
dep_check_log "$DEP_RUN/users.log"

# check_plain LABEL: plain HTTP on the TLS port never reaches the programs
# (nginx and Apache answer 400, lighttpd closes the connection).
check_plain() {
	local status
	status=$(curl -s -o "$DEP_DIR/plain.body" -w '%{http_code}' --max-time 10 \
		-H "Authorization: Bearer $DEP_TOKEN" "http://127.0.0.1:$DEP_PORT/api/users/$DEP_USER_ID" ||
		true)
	if { [ "$status" = 400 ] || [ "$status" = 000 ]; } && ! grep -q '"success"' "$DEP_DIR/plain.body"; then
		pass "$1: plain HTTP is refused by the server ($status) and never reaches the programs"
	else
		fail "$1: plain HTTP on the TLS port answered $status: $(head -c 200 "$DEP_DIR/plain.body")"
	fi
}

echo "# plain HTTP on the TLS port"
check_plain nginx
echo "# the certificate is checked"
if curl -s -o /dev/null --max-time 10 --cacert /dev/null \
	"https://127.0.0.1:$DEP_PORT/api/users/$DEP_USER_ID" 2>/dev/null; then
	fail "curl accepted the server without its certificate"
else
	pass "without the certificate curl refuses the server (the test really uses TLS)"
fi

dep_nginx_stop
dep_spawn stop

echo "# 2. Apache + mod_fcgid: docs/deploy/apache-fcgid.conf in a TLS <VirtualHost>"
tls=$DEP_DIR/tls-apache
sed -n 's/^#   \(SSL[A-Za-z]* .*\)$/\1/p' "$DEPLOY_DOCS/apache-fcgid.conf" >"$tls"
[ "$(wc -l <"$tls")" -eq 4 ] ||
	fail "the header of docs/deploy/apache-fcgid.conf no longer gives the four SSL lines"
sed -i -e "s|/etc/ssl/certs/api.example.com.pem|$cert|" \
	-e "s|/etc/ssl/private/api.example.com.key|$key|" "$tls"
grep -qE "^SSLCertificateFile +$cert\$" "$tls" || fail "the certificate line is missing in $tls"
site=$DEP_DIR/site-apache.conf
{
	echo "<VirtualHost 127.0.0.1:$DEP_PORT>"
	cat "$tls"
	dep_subst "$DEPLOY_DOCS/apache-fcgid.conf"
	echo "</VirtualHost>"
} >"$site"
dep_apache_start "rewrite fcgid socache_shmcb ssl" "$site"
dep_check_all apache_tls
check_plain apache
dep_apache_stop

echo "# 3. lighttpd: docs/deploy/lighttpd.conf with the mod_openssl lines of its header"
tls=$DEP_DIR/tls-lighttpd
sed -n 's/^#   \(server\.modules += .*\|ssl\.[a-z.-]* *= .*\)$/\1/p' \
	"$DEPLOY_DOCS/lighttpd.conf" >"$tls"
[ "$(wc -l <"$tls")" -eq 5 ] ||
	fail "the header of docs/deploy/lighttpd.conf no longer gives server.modules and four ssl. lines"
grep -q '^#   server.port = 443$' "$DEPLOY_DOCS/lighttpd.conf" ||
	fail "the header of docs/deploy/lighttpd.conf no longer says server.port = 443"
sed -i -e "s|/etc/ssl/certs/api.example.com.pem|$cert|" \
	-e "s|/etc/ssl/private/api.example.com.key|$key|" "$tls"
conf=$DEP_DIR/lighttpd.conf
dep_lighttpd_docs_conf "$conf" "$tls"
dep_lighttpd_start "$conf"
dep_check_all lighttpd_tls
check_plain lighttpd
dep_lighttpd_stop
e2e_finish
