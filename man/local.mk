# SPDX-License-Identifier: ISC
# Man pages (roff, written by hand), installed by `make install`:
# userpatch-admin(8), userpatch.conf(5), userpatch(7).
dist_man_MANS = man/userpatch-admin.8 man/userpatch.conf.5 man/userpatch.7
EXTRA_DIST += man/local.mk
