# SPDX-License-Identifier: ISC
# The shared library: HTTP in/out, auth, JSON, validation, database.
noinst_LIBRARIES += src/lib/libuserpatch.a
src_lib_libuserpatch_a_SOURCES = \
	src/lib/errors.c src/lib/errors.h \
	src/lib/parse.c src/lib/parse.h \
	src/lib/log.c src/lib/log.h \
	src/lib/config.c src/lib/config.h \
	src/lib/config_reload.c src/lib/config_reload.h \
	src/lib/json.c src/lib/json_print.c src/lib/json.h \
	src/lib/json_cursor.c src/lib/json_cursor.h \
	src/lib/utf8.c src/lib/utf8.h \
	src/lib/http.c src/lib/http.h \
	src/lib/db.c src/lib/db.h \
	src/lib/db_block.c src/lib/db_block.h \
	src/lib/db_error.c src/lib/db_error.h \
	src/lib/db_hosts.c src/lib/db_hosts.h \
	src/lib/db_rows.c src/lib/db_rows.h \
	src/lib/strbuf.c src/lib/strbuf.h \
	src/lib/auth.c src/lib/auth.h \
	src/lib/usage.c src/lib/usage.h \
	src/lib/proc.c src/lib/proc.h \
	src/lib/mono.c src/lib/mono.h \
	src/lib/hash.c src/lib/hash.h \
	src/lib/usage_fold.c src/lib/usage_fold.h \
	src/lib/resource.c src/lib/resource.h \
	src/lib/resource_sql.c src/lib/resource_validate.c \
	src/lib/field_check.c src/lib/field_check.h \
	src/lib/route.c src/lib/route.h \
	src/lib/ctx.c src/lib/ctx.h \
	src/lib/request_io.c src/lib/request_io.h \
	src/lib/family.h src/lib/family_read.c src/lib/family_write.c \
	src/lib/family_export.c src/lib/family_import.c src/lib/import_rows.c src/lib/import_rows.h \
	src/lib/import_batch.c src/lib/import_batch.h \
	src/lib/import_run.c src/lib/import_run.h \
	src/lib/csv.c src/lib/csv.h src/lib/response_stream.c src/lib/response_stream.h \
	src/lib/user_store.c src/lib/user_store.h \
	src/lib/group_store.c src/lib/group_store.h \
	src/lib/webhook_store.c src/lib/webhook_store.h \
	src/lib/app.c src/lib/app.h \
	src/lib/password.c src/lib/password.h \
	src/lib/secret.c src/lib/secret.h \
	src/lib/audit.c src/lib/audit.h \
	src/lib/event.c src/lib/event.h \
	src/lib/webhook_sign.c src/lib/webhook_sign.h \
	src/lib/net_guard.c src/lib/net_guard.h \
	src/lib/webhook_url.c src/lib/webhook_url.h \
	src/lib/validate.c src/lib/validate.h \
	src/lib/json_equal.c src/lib/json_equal.h \
	src/lib/json_pointer.c src/lib/json_pointer.h \
	src/lib/json_patch.c src/lib/json_patch.h \
	src/lib/json_merge_patch.c src/lib/json_merge_patch.h \
	src/lib/catalog.c src/lib/catalog.h \
	src/lib/device_store.c src/lib/device_store.h \
	src/lib/position.c src/lib/position.h \
	src/lib/position_store.c src/lib/position_store.h

# The catalog data (countries, time zones) is generated at build time from
# Debian's iso-codes and tzdata (paths chosen by configure); it is not
# distributed but regenerated.
nodist_src_lib_libuserpatch_a_SOURCES = src/lib/catalog_data.c
CLEANFILES += src/lib/catalog_data.c
PYTHON3 = python3
src/lib/catalog_data.c: $(top_srcdir)/scripts/gen-catalog $(ISO3166_JSON) $(TZDATA_ZI)
	$(AM_V_GEN)$(MKDIR_P) src/lib && \
	$(PYTHON3) $(top_srcdir)/scripts/gen-catalog $(ISO3166_JSON) $(TZDATA_ZI) $@
