#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Deployment: Apache 2.4 + mod_proxy_fcgi in front of the programs run by
# spawn-fcgi on unix sockets (docs/deploy/apache-proxy-fcgi.conf and
# docs/deploy/userpatch-spawn, as shipped, paths and port substituted):
# every endpoint family; Authorization with CGIPassAuth, with the SetEnvIf
# fallback alone, and (negative control) with neither.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require apache2 spawn-fcgi curl python3 "$APACHE_MODULES/mod_proxy_fcgi.so" \
	"$APACHE_MODULES/mod_proxy.so" "$APACHE_MODULES/mod_setenvif.so"
dep_setup apache_proxy_fcgi
dep_fixtures
site=$DEP_DIR/site.conf

echo "# spawn-fcgi: docs/deploy/userpatch-spawn"
dep_spawn_start
if dep_spawn status >"$DEP_LOG/spawn-status.log" 2>&1; then
	pass "userpatch-spawn status: $(tr '\n' ' ' <"$DEP_LOG/spawn-status.log")"
else
	fail "userpatch-spawn status: $(tr '\n' ' ' <"$DEP_LOG/spawn-status.log")"
fi

echo "# docs/deploy/apache-proxy-fcgi.conf"
dep_subst "$DEPLOY_DOCS/apache-proxy-fcgi.conf" >"$site"
dep_apache_start "proxy proxy_fcgi setenvif" "$site"
dep_check_all apache-proxy-fcgi
dep_check_groups apache-proxy-fcgi

echo "# Authorization: SetEnvIf fallback alone (CGIPassAuth removed)"
dep_apache_stop
sed -i 's/^\([[:space:]]*\)CGIPassAuth On/\1# CGIPassAuth removed by the test/' "$site"
grep -q 'CGIPassAuth On' "$site" && fail "the test could not remove CGIPassAuth"
dep_apache_start "proxy proxy_fcgi setenvif" "$site"
dep_check_get "SetEnvIf fallback only"
dep_check_get_401 "SetEnvIf fallback only, no header"

echo "# Authorization: neither (negative control)"
dep_apache_stop
sed -i 's/^SetEnvIf Authorization/# &/' "$site"
dep_apache_start "proxy proxy_fcgi setenvif" "$site"
reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
expect_error 401 "valid token, but Apache withholds Authorization"

dep_check_log "$DEP_RUN/users.log"

echo "# userpatch-spawn stop"
dep_apache_stop
dep_spawn stop
if [ -z "$(dep_program_pids userpatch-users)" ] && [ ! -e "$DEP_RUN/users.sock" ]; then
	pass "userpatch-spawn stop: no worker left, socket removed"
else
	fail "userpatch-spawn stop left workers or the socket behind"
fi

e2e_finish
