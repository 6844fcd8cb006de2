# The Debian packaging travels in the release tarball, so that
# `dpkg-buildpackage -us -uc -b` works in an unpacked tarball as in a checkout.
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/userpatch.install debian/gen-snippets \
	debian/userpatch.postrm debian/userpatch.lintian-overrides debian/userpatch.cron.d \
	debian/userpatch-webhooks.service \
	debian/local.mk
