# SPDX-License-Identifier: ISC
# Deployment files: install rules and shipped configs.
#
#   make install               programs, admin tool, schema (elsewhere), plus:
#                              the sample config as $(sysconfdir)/userpatch.conf
#                              (mode 0600, only if absent) and the deployment
#                              docs and configs in $(docdir)
#   make install-cgi CGIBINDIR=DIR
#                              copy the programs, the .htaccess examples and
#                              the wrapper example into DIR (no root needed;
#                              outside the web root, e.g. ~/userpatch/libexec:
#                              the wrappers run them), userpatch-admin into
#                              CGIADMINDIR (default DIR/../libexec: never a
#                              cgi-bin, where a web server would run it), and
#                              the migrations into CGISCHEMADIR (default
#                              DIR/../schema, where the admin tool looks)
#   make shared-hosting-bundle one tarball for a shared-hosting account:
#                              programs, admin tool, their shared libraries,
#                              .htaccess files, wrapper, config sample, schema

deploydocdir = $(docdir)/deploy
dist_deploydoc_DATA = \
	docs/deploy/apache.md docs/deploy/lighttpd.md docs/deploy/nginx.md \
	docs/deploy/shared-hosting.md docs/deploy/workers.md \
	docs/deploy/apache-fcgid.conf docs/deploy/apache-proxy-fcgi.conf \
	docs/deploy/apache-cgi.conf docs/deploy/htaccess.example \
	docs/deploy/htaccess-noauthconfig.example \
	docs/deploy/lighttpd.conf docs/deploy/nginx.conf \
	docs/deploy/userpatch.conf.sample docs/deploy/userpatch.fcgi.example
dist_deploydoc_SCRIPTS = docs/deploy/userpatch-spawn
opsdocdir = $(docdir)
dist_opsdoc_DATA = docs/operations.md
EXTRA_DIST += docs/deploy/local.mk cgi-bin/.htaccess.example

# The sample with the configured sysconfdir in its paths.
UP_CONF_SAMPLE = sed -e 's|/usr/local/etc|$(sysconfdir)|g' \
	$(srcdir)/docs/deploy/userpatch.conf.sample

# Never overwrite a config that is already there (it holds the site's
# settings); a new one is readable by root only until the admin decides.
install-data-hook: install-userpatch-conf
install-userpatch-conf:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)'
	@if test -e '$(DESTDIR)$(sysconfdir)/userpatch.conf'; then \
	  echo "$(DESTDIR)$(sysconfdir)/userpatch.conf exists: left as it is"; \
	else \
	  rm -f userpatch.conf.tmp && $(UP_CONF_SAMPLE) >userpatch.conf.tmp && \
	  echo " $(INSTALL) -m 0600 userpatch.conf.tmp '$(DESTDIR)$(sysconfdir)/userpatch.conf'" && \
	  $(INSTALL) -m 0600 userpatch.conf.tmp '$(DESTDIR)$(sysconfdir)/userpatch.conf' && \
	  rm -f userpatch.conf.tmp; \
	fi

# Remove the config only if it is still the unmodified sample.
uninstall-hook: uninstall-userpatch-conf
uninstall-userpatch-conf:
	@f='$(DESTDIR)$(sysconfdir)/userpatch.conf'; \
	if test -f "$$f" && $(UP_CONF_SAMPLE) | cmp -s - "$$f"; then \
	  echo " rm -f '$$f'"; rm -f "$$f"; \
	elif test -e "$$f"; then \
	  echo "$$f was changed: left in place"; \
	fi

CGISCHEMADIR = $(CGIBINDIR)/../schema
CGIADMINDIR = $(CGIBINDIR)/../libexec
install-cgi: $(pkglibexec_PROGRAMS) src/tools/userpatch-admin$(EXEEXT)
	@if test -z '$(CGIBINDIR)'; then \
	  echo "usage: make install-cgi CGIBINDIR=~/userpatch/libexec [CGIADMINDIR=DIR] [CGISCHEMADIR=DIR]" >&2; \
	  echo "  (CGIBINDIR: outside the web root; userpatch-admin goes to CGIADMINDIR, default CGIBINDIR/../libexec)" >&2; \
	  exit 1; \
	fi
	$(MKDIR_P) '$(DESTDIR)$(CGIBINDIR)' '$(DESTDIR)$(CGISCHEMADIR)' '$(DESTDIR)$(CGIADMINDIR)'
	$(INSTALL_PROGRAM) $(pkglibexec_PROGRAMS) '$(DESTDIR)$(CGIBINDIR)'
	$(INSTALL_PROGRAM) src/tools/userpatch-admin$(EXEEXT) '$(DESTDIR)$(CGIADMINDIR)'
	$(INSTALL_DATA) $(srcdir)/cgi-bin/.htaccess.example '$(DESTDIR)$(CGIBINDIR)/.htaccess.example'
	$(INSTALL_DATA) $(srcdir)/docs/deploy/htaccess-noauthconfig.example '$(DESTDIR)$(CGIBINDIR)/htaccess-noauthconfig.example'
	$(INSTALL_SCRIPT) $(srcdir)/docs/deploy/userpatch.fcgi.example '$(DESTDIR)$(CGIBINDIR)/userpatch.fcgi.example'
	for f in $(dist_schema_DATA); do \
	  $(INSTALL_DATA) "$(srcdir)/$$f" '$(DESTDIR)$(CGISCHEMADIR)' || exit 1; \
	done

# The tarball for a shared-hosting account (docs/deploy/shared-hosting.md).
SHARED_HOSTING_BUNDLE = $(PACKAGE)-$(VERSION)-shared-hosting-$(host_cpu).tar.gz
shared-hosting-bundle: $(pkglibexec_PROGRAMS) src/tools/userpatch-admin$(EXEEXT)
	$(SHELL) $(srcdir)/scripts/shared-hosting-bundle '$(srcdir)' . \
	  '$(SHARED_HOSTING_BUNDLE)' '$(PATCHELF)' $(pkglibexec_PROGRAMS)

CLEANFILES += userpatch.conf.tmp $(SHARED_HOSTING_BUNDLE)
.PHONY: install-userpatch-conf uninstall-userpatch-conf install-cgi shared-hosting-bundle
