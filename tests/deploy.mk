# SPDX-License-Identifier: ISC
# Tests: deploy
# Deployments as shipped in docs/deploy/, each through its own real server
# (Apache + mod_fcgid, Apache + mod_proxy_fcgi, Apache + mod_cgid, lighttpd,
# nginx + spawn-fcgi) on a free port of 127.0.0.1.
DEPLOY_TESTS = tests/e2e/deploy_apache_fcgid.sh \
	tests/e2e/deploy_apache_proxy_fcgi.sh tests/e2e/deploy_apache_cgi.sh \
	tests/e2e/deploy_lighttpd.sh tests/e2e/deploy_nginx.sh tests/e2e/deploy_tls.sh
TESTS += $(DEPLOY_TESTS)
EXTRA_DIST += $(DEPLOY_TESTS) tests/deploy/servers.sh
