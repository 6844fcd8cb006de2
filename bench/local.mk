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
# ceiling: bench/ingest_bench.sh, run by `make bench` too.
noinst_PROGRAMS += bench/ingest_ceiling
bench_ingest_ceiling_SOURCES = bench/ingest_ceiling.c
bench_ingest_ceiling_CFLAGS = $(AM_CFLAGS) -O2
bench_ingest_ceiling_LDADD = $(UP_LIBS)
EXTRA_DIST += bench/ingest_bench.sh
.PHONY: bench-ingest
bench: bench-ingest
bench-ingest: all bench/ingest_ceiling$(EXEEXT)
	$(SHELL) $(srcdir)/bench/ingest_bench.sh $(abs_builddir)
