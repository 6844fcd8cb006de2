# SPDX-License-Identifier: ISC
# Benchmarks: built by `make`, run by hand or with `make bench`.
noinst_PROGRAMS += bench/json_patch_bench
bench_json_patch_bench_SOURCES = bench/json_patch_bench.c
bench_json_patch_bench_CFLAGS = $(AM_CFLAGS) -O2
bench_json_patch_bench_LDADD = $(UP_LIBS)
EXTRA_DIST += bench/README.md

.PHONY: bench
bench: bench/json_patch_bench$(EXEEXT)
	./bench/json_patch_bench$(EXEEXT)
EXTRA_DIST += bench/http_bench.sh

# Position ingestion (Devices API) through lighttpd against its C-client
# ceiling: bench/ingest_bench.sh, run by `make bench` too.  bench/batch_post
# is its load generator for the 1,000-position batches.
noinst_PROGRAMS += bench/ingest_ceiling bench/batch_post
bench_ingest_ceiling_SOURCES = bench/ingest_ceiling.c
bench_ingest_ceiling_CFLAGS = $(AM_CFLAGS) -O2
bench_ingest_ceiling_LDADD = $(UP_LIBS)
bench_batch_post_SOURCES = bench/batch_post.c
bench_batch_post_CFLAGS = $(AM_CFLAGS) -O2 -pthread
bench_batch_post_LDADD = $(UP_LIBS) -lpthread
EXTRA_DIST += bench/ingest_bench.sh
.PHONY: bench-ingest
bench: bench-ingest
bench-ingest: all bench/ingest_ceiling$(EXEEXT) bench/batch_post$(EXEEXT)
	$(SHELL) $(srcdir)/bench/ingest_bench.sh $(abs_builddir)

# The users write path through lighttpd against the database's durable-write
# ceiling and a FastCGI no-op: bench/http_bench.sh, run by `make bench`.
noinst_PROGRAMS += bench/write_ceiling bench/noop_fcgi bench/db_hop
bench_db_hop_SOURCES = bench/db_hop.c
bench_db_hop_CFLAGS = $(AM_CFLAGS) -O2 -pthread
bench_db_hop_LDADD = $(UP_LIBS) -lpthread
bench_write_ceiling_SOURCES = bench/write_ceiling.c
bench_write_ceiling_CFLAGS = $(AM_CFLAGS) -O2 -pthread
bench_write_ceiling_LDADD = $(UP_LIBS) -lpthread
bench_noop_fcgi_SOURCES = bench/noop_fcgi.c
bench_noop_fcgi_CFLAGS = $(AM_CFLAGS) -O2
bench_noop_fcgi_LDADD = $(FCGI_LIBS)
.PHONY: bench-http
bench: bench-http
bench-http: all bench/write_ceiling$(EXEEXT) bench/noop_fcgi$(EXEEXT) bench/db_hop$(EXEEXT)
	$(SHELL) $(srcdir)/bench/http_bench.sh $(abs_builddir)

# What the benchmark scripts share.
EXTRA_DIST += bench/lib.sh

# Lists, reads and writes at 1,000 users and at SCALE_USERS (default 1,000,000),
# route history at 10,000 positions and at SCALE_POSITIONS (10,000,000),
# and the prune of a month: bench/scale_bench.sh, `make bench-scale`;
# `make bench` runs it at 20,000 users and 200,000 positions.
SCALE_USERS = 1000000
SCALE_POSITIONS = 10000000
EXTRA_DIST += bench/scale_bench.sh
.PHONY: bench-scale bench-scale-small
bench: bench-scale-small
bench-scale: all
	$(SHELL) $(srcdir)/bench/scale_bench.sh $(abs_builddir) $(SCALE_USERS) $(SCALE_POSITIONS)
bench-scale-small: all
	$(SHELL) $(srcdir)/bench/scale_bench.sh $(abs_builddir) 20000 200000
# Retention at scale: one device's history loaded by SQL, a month pruned,
# and 1,000-position batches during a replayed daily prune against idle:
# bench/prune_bench.sh, run by `make bench` with 1,000,000 positions and by
# `make bench-scale` with 10,000,000.
EXTRA_DIST += bench/prune_bench.sh
.PHONY: bench-prune bench-prune-scale bench-scale
bench: bench-prune
bench-prune: all
	$(SHELL) $(srcdir)/bench/prune_bench.sh $(abs_builddir) 1000000
bench-scale: bench-prune-scale
bench-prune-scale: all
	$(SHELL) $(srcdir)/bench/prune_bench.sh $(abs_builddir) 10000000
# Bulk import over HTTP against a multi-row INSERT, and an export of
# 1,000,000 users with the workers' memory: bench/import_bench.sh.
EXTRA_DIST += bench/import_bench.sh
.PHONY: bench-import
bench: bench-import
bench-import: all
	$(SHELL) $(srcdir)/bench/import_bench.sh $(abs_builddir)

# Webhooks: the event row's cost on PATCH (PATCH through lighttpd in turns
# with the PATCH-shaped write ceiling without and with the event row), and
# the delivery throughput of one deliverer against a local receiver:
# bench/webhook_bench.sh, run by `make bench`.
EXTRA_DIST += bench/webhook_bench.sh
.PHONY: bench-webhooks
bench: bench-webhooks
bench-webhooks: all bench/write_ceiling$(EXEEXT) bench/noop_fcgi$(EXEEXT)
	$(SHELL) $(srcdir)/bench/webhook_bench.sh $(abs_builddir)
