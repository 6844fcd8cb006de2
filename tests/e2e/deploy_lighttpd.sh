#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
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
conf=$DEP_DIR/lighttpd.conf
dep_lighttpd_docs_conf "$conf"
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
