# SPDX-License-Identifier: ISC
# Tests of what is installed and how it is run: man pages (rendering, and
# every key, command, option, scope and program of the code documented), and
# ./scripts/serve refusing a second start in the same checkout.
TESTS += tests/man/man_pages.sh tests/serve/serve_twice.sh
EXTRA_DIST += tests/man/man_pages.sh tests/serve/serve_twice.sh
# The Debian package's web server snippets for the programs of this build,
# checked by apache2 -t and lighttpd -tt (no root, no install).
TESTS += tests/package/snippets.sh
EXTRA_DIST += tests/package/snippets.sh
# The shared-hosting bundle's MANIFEST: each library with its Debian version.
TESTS += tests/package/bundle_manifest.sh
EXTRA_DIST += tests/package/bundle_manifest.sh
# make install-cgi keeps userpatch-admin out of the cgi-bin; the admin tool
# refuses to run as a CGI program.
TESTS += tests/package/install_cgi.sh
EXTRA_DIST += tests/package/install_cgi.sh
# The Debian package end to end: run by ./scripts/test (STAGES=package), not
# by make check, since it installs and purges the package on the machine.
EXTRA_DIST += tests/package/package_test.sh
# What the ./scripts/serve tests share.
EXTRA_DIST += tests/serve/lib.sh
