# SPDX-License-Identifier: ISC
# userpatch-admin: migrations, tenants, tokens, json-patch, history prunes, usage.
bin_PROGRAMS += src/tools/userpatch-admin
src_tools_userpatch_admin_SOURCES = src/tools/userpatch-admin.c \
	src/tools/admin_common.c \
	src/tools/admin_common.h src/tools/admin.h \
	src/tools/admin_migrate.c src/tools/admin_tenant.c src/tools/admin_token.c \
	src/tools/admin_json_patch.c src/tools/admin_prune.c src/tools/admin_usage.c \
	src/tools/admin_partition.c src/tools/admin_partition.h src/tools/admin_audit.c \
	src/tools/admin_help.c src/tools/admin_events.c src/tools/admin_bulk.c \
	src/tools/admin_resume.c src/tools/admin_resume.h \
	src/tools/admin_webhooks.c src/tools/webhook_deliver.h src/tools/webhook_opts.c \
	src/tools/webhook_fanout.c src/tools/webhook_claim.c src/tools/webhook_send.c \
	src/tools/webhook_record.c src/tools/webhook_prune.c
# libcurl (webhook deliveries) is linked here only: the web programs stay lean.
src_tools_userpatch_admin_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
src_tools_userpatch_admin_LDADD = $(UP_LIBS) $(CURL_LIBS)
