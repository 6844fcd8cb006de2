#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Deployment: Apache 2.4 + mod_fcgid, from the shipped docs/deploy files:
#   1. server config (apache-fcgid.conf): every endpoint family, a killed
#      worker replaced, Authorization with CGIPassAuth, with the rewrite
#      fallback alone, and (negative control) with neither;
#   2. one directory with .htaccess (htaccess.example + userpatch.fcgi.example)
#      under "AllowOverride AuthConfig FileInfo Options=ExecCGI Indexes":
#      every endpoint family, Authorization through CGIPassAuth, through the
#      rewrite fallback alone (REDIRECT_HTTP_AUTHORIZATION), and neither.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require apache2 curl python3 "$APACHE_MODULES/mod_fcgid.so" "$APACHE_MODULES/mod_rewrite.so"
dep_setup apache_fcgid
dep_fixtures
site=$DEP_DIR/site.conf

echo "# 1. server config: docs/deploy/apache-fcgid.conf"
dep_subst "$DEPLOY_DOCS/apache-fcgid.conf" >"$site"
dep_apache_start "rewrite fcgid" "$site"
dep_check_all apache-fcgid
dep_check_groups apache-fcgid

echo "# a worker killed between requests is replaced by mod_fcgid"
dep_check_restart mod_fcgid

echo "# Authorization: rewrite fallback alone (CGIPassAuth removed)"
dep_apache_stop
sed -i 's/^\([[:space:]]*\)CGIPassAuth On/\1# CGIPassAuth removed by the test/' "$site"
grep -q 'CGIPassAuth On' "$site" && fail "the test could not remove CGIPassAuth"
dep_apache_start "rewrite fcgid" "$site"
dep_check_get "rewrite fallback only"
dep_check_get_401 "rewrite fallback only, no header"

echo "# Authorization: neither (the classic pitfall; proves the checks can fail)"
dep_apache_stop
sed -i 's/^RewriteRule \.\* - \[E=HTTP_AUTHORIZATION/# &/' "$site"
grep -q '^RewriteRule .* - \[E=HTTP_AUTHORIZATION' "$site" && fail "the test could not remove the fallback"
dep_apache_start "rewrite fcgid" "$site"
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_error 401 "valid token, but Apache withholds Authorization"
dep_check_log "$DEP_LOG/apache-error.log"
dep_apache_stop

echo "# 2. one directory: docs/deploy/htaccess.example + userpatch.fcgi.example"
api=$DEP_DIR/apache/htdocs/api
mkdir -p "$api"
dep_subst "$DEPLOY_DOCS/htaccess.example" >"$api/.htaccess"
for prog in $(stack_programs); do
	dep_subst "$DEPLOY_DOCS/userpatch.fcgi.example" >"$api/$prog.fcgi"
	chmod 0755 "$api/$prog.fcgi"
done
install -m 0640 -g "$DEP_GROUP" "$DEP_CONF" "$DEP_DIR/userpatch.conf"
chmod 0755 "$api"
cat >"$site" <<CONF
# What a shared host typically allows in its users' directories.
<Directory "$DEP_DIR/apache/htdocs">
    AllowOverride AuthConfig FileInfo Options=ExecCGI Indexes
    Require all granted
</Directory>
CONF
dep_apache_start "rewrite fcgid" "$site"
dep_check_all htaccess
dep_check_groups htaccess

echo "# .htaccess: rewrite fallback alone (CGIPassAuth removed)"
sed -i 's/^CGIPassAuth On/# CGIPassAuth removed by the test/' "$api/.htaccess"
dep_check_get "htaccess, rewrite fallback only"
dep_check_get_401 "htaccess, rewrite fallback only, no header"

echo "# .htaccess: fallback on the first pass only: only REDIRECT_HTTP_AUTHORIZATION arrives"
sed -i 's/^RewriteRule \.\* - \[E=HTTP_AUTHORIZATION/RewriteCond %{ENV:REDIRECT_STATUS} ^$\n&/' "$api/.htaccess"
dep_check_get "htaccess, REDIRECT_HTTP_AUTHORIZATION only"
dep_check_get_401 "htaccess, REDIRECT_HTTP_AUTHORIZATION only, no header"

echo "# .htaccess: neither (negative control)"
sed -i 's/^RewriteRule \.\* - \[E=HTTP_AUTHORIZATION/# &/' "$api/.htaccess"
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_error 401 "htaccess, valid token withheld by Apache"

echo "# a file that is not for the web is denied"
cp "$DEPLOY_DOCS/htaccess.example" "$api/htaccess.example"
req GET /api/htaccess.example
expect_status 403 "htaccess.example is not served"
dep_check_denied "$api" /api

echo "# cgi-bin/.htaccess.example is the shipped htaccess.example"
if cmp -s "$top_srcdir/cgi-bin/.htaccess.example" "$DEPLOY_DOCS/htaccess.example"; then
	pass "cgi-bin/.htaccess.example and docs/deploy/htaccess.example are the same"
else
	fail "cgi-bin/.htaccess.example differs from docs/deploy/htaccess.example"
fi

e2e_finish
