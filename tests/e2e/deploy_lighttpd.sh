#!/usr/bin/env bash
# Deployment: lighttpd + mod_fastcgi with bin-path, from the standalone
# docs/deploy/lighttpd.conf as shipped (paths and port substituted): every
# endpoint family; a killed worker is restarted by lighttpd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/deploy/servers.sh
. "$top_srcdir/tests/deploy/servers.sh"

dep_require lighttpd curl python3
dep_setup lighttpd
dep_fixtures

echo "# docs/deploy/lighttpd.conf"
mkdir -p "$DEP_DIR/htdocs" "$DEP_DIR/uploads"
chown "$DEP_USER:$DEP_GROUP" "$DEP_DIR/uploads"
conf=$DEP_DIR/lighttpd.conf
dep_subst "$DEPLOY_DOCS/lighttpd.conf" | sed \
	-e "s|^server.bind *= .*|server.bind = \"127.0.0.1\"|" \
	-e "s|^server.port *= .*|server.port = $DEP_PORT|" \
	-e "s|\"/var/www/html\"|\"$DEP_DIR/htdocs\"|" \
	-e "s|\"/run/lighttpd-userpatch.pid\"|\"$DEP_RUN/lighttpd.pid\"|" \
	-e "s|/var/log/lighttpd/|$DEP_LOG/|" \
	-e "s|\"/var/cache/lighttpd/uploads\"|\"$DEP_DIR/uploads\"|" \
	-e "s|\"/run/lighttpd/|\"$DEP_RUN/|" >"$conf"
dep_lighttpd_drop_missing "$conf"
if [ "$(id -u)" -ne 0 ]; then
	sed -i '/^server\.\(username\|groupname\)/d' "$conf"
fi
if grep -nE '"/(var|run)/' "$conf"; then
	fail "the test left a system path in $conf (above)"
fi
dep_lighttpd_start "$conf"
dep_check_all lighttpd
dep_check_groups lighttpd

echo "# a worker killed between requests is restarted by lighttpd"
dep_check_restart lighttpd
dep_check_log "$DEP_LOG/userpatch.log"

e2e_finish
