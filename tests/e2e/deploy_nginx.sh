#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Deployment: nginx in front of the programs run by spawn-fcgi on unix
# sockets (docs/deploy/nginx.conf and docs/deploy/userpatch-spawn as
# shipped, paths and port substituted): every endpoint family; Authorization
# arrives, and a request without it gets 401.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require nginx spawn-fcgi curl python3 /etc/nginx/fastcgi_params
dep_setup nginx
dep_fixtures

echo "# spawn-fcgi: docs/deploy/userpatch-spawn"
dep_spawn_start

echo "# docs/deploy/nginx.conf"
site=$DEP_DIR/site.conf
dep_subst "$DEPLOY_DOCS/nginx.conf" |
	sed -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$DEP_PORT;|" >"$site"
grep -q "listen 127.0.0.1:$DEP_PORT;" "$site" || fail "the test could not set the port in $site"
dep_nginx_start "$site"
dep_check_all nginx
dep_check_groups nginx
dep_check_log "$DEP_RUN/users.log"

echo "# userpatch-spawn stop"
dep_nginx_stop
dep_spawn stop
if [ -z "$(dep_program_pids userpatch-users)" ] && [ ! -e "$DEP_RUN/users.sock" ]; then
	pass "userpatch-spawn stop: no worker left, socket removed"
else
	fail "userpatch-spawn stop left workers or the socket behind"
fi

e2e_finish
