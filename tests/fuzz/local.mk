# libFuzzer targets (--enable-fuzzing, with CC=clang).  The engine sources are
# compiled into the fuzzer itself so that they carry the coverage
# instrumentation (the library archive is built without it).
EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/corpus tests/fuzz/json_patch.dict
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_json_patch
tests_fuzz_fuzz_json_patch_SOURCES = tests/fuzz/fuzz_json_patch.c \
	src/lib/json_patch.c src/lib/json_pointer.c src/lib/json_equal.c src/lib/errors.c \
	src/lib/json.c
tests_fuzz_fuzz_json_patch_CFLAGS = $(AM_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
tests_fuzz_fuzz_json_patch_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_json_patch_LDADD = $(CJSON_LIBS) -lm
endif
