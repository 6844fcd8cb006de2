# SPDX-License-Identifier: ISC
# libFuzzer targets (--enable-fuzzing, with CC=clang), run by tests/fuzz/run-fuzz.
# The sources under test are compiled into each fuzzer itself so that they
# carry the coverage instrumentation; anything else they call comes from the
# library archive (built without it: the linker takes an archive member only
# for a symbol still missing, so nothing is defined twice).  Seed corpora
# live in tests/fuzz/corpus/<target>/.
EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/corpus tests/fuzz/json_patch.dict \
	tests/fuzz/merge_patch.dict \
	tests/fuzz/json.dict tests/fuzz/request.dict tests/fuzz/device_app.dict
if FUZZING
FUZZ_CC_FLAGS = $(AM_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_LIBS = $(UP_LIBS)

noinst_PROGRAMS += tests/fuzz/fuzz_json_patch
tests_fuzz_fuzz_json_patch_SOURCES = tests/fuzz/fuzz_json_patch.c \
	src/lib/json_patch.c src/lib/json_pointer.c src/lib/json_equal.c src/lib/errors.c \
	src/lib/json.c src/lib/utf8.c src/lib/validate.c
tests_fuzz_fuzz_json_patch_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_json_patch_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_json_patch_LDADD = $(FUZZ_LIBS)

# JSON Merge Patch, against the same change written as a JSON Patch.
noinst_PROGRAMS += tests/fuzz/fuzz_merge_patch
tests_fuzz_fuzz_merge_patch_SOURCES = tests/fuzz/fuzz_merge_patch.c \
	src/lib/json_merge_patch.c src/lib/json_patch.c src/lib/json_pointer.c \
	src/lib/json_equal.c src/lib/errors.c src/lib/json.c src/lib/utf8.c src/lib/validate.c
tests_fuzz_fuzz_merge_patch_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_merge_patch_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_merge_patch_LDADD = $(FUZZ_LIBS)

# The strict JSON validator and the writer.
noinst_PROGRAMS += tests/fuzz/fuzz_json
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c src/lib/json.c src/lib/utf8.c
tests_fuzz_fuzz_json_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_json_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_json_LDADD = $(FUZZ_LIBS)

# The query-string parser.
noinst_PROGRAMS += tests/fuzz/fuzz_query
tests_fuzz_fuzz_query_SOURCES = tests/fuzz/fuzz_query.c src/lib/http.c src/lib/parse.c \
	src/lib/json.c src/lib/utf8.c src/lib/errors.c src/lib/validate.c
tests_fuzz_fuzz_query_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_query_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_query_LDADD = $(FUZZ_LIBS)

# The request reader: CGI environment and body stream to struct up_request.
noinst_PROGRAMS += tests/fuzz/fuzz_request
tests_fuzz_fuzz_request_SOURCES = tests/fuzz/fuzz_request.c src/lib/http.c src/lib/parse.c \
	src/lib/json.c src/lib/utf8.c src/lib/errors.c src/lib/validate.c
tests_fuzz_fuzz_request_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_request_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_request_LDADD = $(FUZZ_LIBS)

# The device-app decoder (envelope, data, form encoding) and field validation.
noinst_PROGRAMS += tests/fuzz/fuzz_device_app
tests_fuzz_fuzz_device_app_SOURCES = tests/fuzz/fuzz_device_app.c \
	src/endpoints/device_app_decode.c src/endpoints/device_app_fields.c \
	src/lib/http.c src/lib/parse.c src/lib/json.c src/lib/utf8.c src/lib/errors.c \
	src/lib/validate.c src/lib/field_check.c
tests_fuzz_fuzz_device_app_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints
tests_fuzz_fuzz_device_app_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_device_app_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_device_app_LDADD = $(FUZZ_LIBS)

# Positions and alerts as trackers send them (Devices API).
noinst_PROGRAMS += tests/fuzz/fuzz_positions
tests_fuzz_fuzz_positions_SOURCES = tests/fuzz/fuzz_positions.c src/lib/position.c \
	src/lib/json.c src/lib/utf8.c src/lib/errors.c src/lib/validate.c src/lib/resource.c
tests_fuzz_fuzz_positions_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_positions_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_positions_LDADD = $(FUZZ_LIBS)

# The import body readers: CSV and NDJSON rows, and CSV cells written and read back.
noinst_PROGRAMS += tests/fuzz/fuzz_import
tests_fuzz_fuzz_import_SOURCES = tests/fuzz/fuzz_import.c src/lib/import_rows.c src/lib/csv.c \
	src/lib/response_stream.c src/lib/json.c src/lib/utf8.c src/lib/errors.c
tests_fuzz_fuzz_import_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_import_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_import_LDADD = $(FUZZ_LIBS)
# The tracker apps' protocols: OsmAnd query/form and JSON, OwnTracks, Overland.
noinst_PROGRAMS += tests/fuzz/fuzz_trackers
tests_fuzz_fuzz_trackers_SOURCES = tests/fuzz/fuzz_trackers.c $(TRACKER_DECODE_SOURCES) \
	src/lib/position.c src/lib/http.c src/lib/parse.c src/lib/json.c src/lib/utf8.c \
	src/lib/errors.c src/lib/validate.c
tests_fuzz_fuzz_trackers_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/endpoints
tests_fuzz_fuzz_trackers_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_trackers_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_trackers_LDADD = $(FUZZ_LIBS)
endif
