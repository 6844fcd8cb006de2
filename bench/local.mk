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
