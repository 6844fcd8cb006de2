# One small program per endpoint family: the Users API.
pkglibexec_PROGRAMS += src/endpoints/userpatch-users
src_endpoints_userpatch_users_SOURCES = src/endpoints/users_main.c \
	src/endpoints/users_handler.c src/endpoints/users.h
src_endpoints_userpatch_users_LDADD = $(UP_LIBS)

# The countries / time zones catalogs (shared library).
src_lib_libuserpatch_a_SOURCES += src/lib/catalog.c src/lib/catalog.h
# The catalog data is generated at build time from Debian's iso-codes and
# tzdata (paths chosen by configure); it is not distributed but regenerated.
nodist_src_lib_libuserpatch_a_SOURCES = src/lib/catalog_data.c
CLEANFILES += src/lib/catalog_data.c
PYTHON3 = python3
src/lib/catalog_data.c: $(top_srcdir)/scripts/gen-catalog $(ISO3166_JSON) $(TZDATA_ZI)
	$(AM_V_GEN)$(MKDIR_P) src/lib && \
	$(PYTHON3) $(top_srcdir)/scripts/gen-catalog $(ISO3166_JSON) $(TZDATA_ZI) $@
