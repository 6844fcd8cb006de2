# The Devices API program (DESIGN 1.5): devices of the one device store,
# their positions and alerts.
DEVICES_HANDLER_SOURCES = src/endpoints/devices_handler.c src/endpoints/devices_track.c \
	src/endpoints/devices.h src/endpoints/devices_internal.h
pkglibexec_PROGRAMS += src/endpoints/userpatch-devices
src_endpoints_userpatch_devices_SOURCES = src/endpoints/devices_main.c \
	$(DEVICES_HANDLER_SOURCES)
src_endpoints_userpatch_devices_LDADD = $(UP_LIBS)

# The devices table (the one device store), positions and alerts: checks
# (pure) and storage, in the shared library.
src_lib_libuserpatch_a_SOURCES += src/lib/position.c src/lib/position.h \
	src/lib/position_store.c src/lib/position_store.h \
	src/lib/device_store.c src/lib/device_store.h
