#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Deployment: Apache 2.4 + mod_cgid, the programs as plain CGI (one request a
# process), from docs/deploy/apache-cgi.conf as shipped (paths and port
# substituted): every endpoint family; Authorization with CGIPassAuth and
# (negative control) without it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require apache2 curl python3 "$APACHE_MODULES/mod_cgid.so" \
	"$APACHE_MODULES/mod_alias.so" "$APACHE_MODULES/mod_env.so"
dep_setup apache_cgi
dep_fixtures
site=$DEP_DIR/site.conf

echo "# docs/deploy/apache-cgi.conf"
dep_subst "$DEPLOY_DOCS/apache-cgi.conf" >"$site"
dep_apache_start "cgid alias env" "$site"
dep_check_all apache-cgi
dep_check_groups apache-cgi

echo "# one process per request"
if [ -z "$(dep_program_pids userpatch-users)" ]; then
	pass "no userpatch-users process outlives its request"
else
	fail "a userpatch-users process is still running between requests"
fi

echo "# Authorization: without CGIPassAuth (negative control)"
dep_apache_stop
sed -i 's/^\([[:space:]]*\)CGIPassAuth On/\1# CGIPassAuth removed by the test/' "$site"
dep_apache_start "cgid alias env" "$site"
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_error 401 "valid token, but Apache withholds Authorization"
dep_check_log "$DEP_LOG/apache-error.log"

e2e_finish
