# JSON Pointer / JSON Patch engine sources (added to the shared library).
src_lib_libuserpatch_a_SOURCES += \
	src/lib/json_equal.c src/lib/json_equal.h \
	src/lib/json_pointer.c src/lib/json_pointer.h \
	src/lib/json_patch.c src/lib/json_patch.h \
	src/lib/json_merge_patch.c src/lib/json_merge_patch.h
