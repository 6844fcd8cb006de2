# SPDX-License-Identifier: ISC
# The endpoint programs, one per family of src/endpoints/families. Each
# program is NAME_main.c (the accept loop) and NAME_HANDLER_SOURCES (its
# route table, tables and hooks), linked with the shared library. The
# tests link the same handler sources.
USERS_HANDLER_SOURCES = src/endpoints/users_handler.c src/endpoints/users.h
DEVICE_APP_HANDLER_SOURCES = src/endpoints/device_app_handler.c \
	src/endpoints/device_app_decode.c src/endpoints/device_app_fields.c \
	src/endpoints/device_app_store.c src/endpoints/device_app.h
DEVICES_HANDLER_SOURCES = src/endpoints/devices_handler.c src/endpoints/devices_track.c \
	src/endpoints/devices_route.c \
	src/endpoints/devices.h src/endpoints/devices_internal.h
GROUPS_HANDLER_SOURCES = src/endpoints/groups_handler.c src/endpoints/groups.h
EVENTS_HANDLER_SOURCES = src/endpoints/events_handler.c src/endpoints/events.h \
	src/endpoints/webhooks_handler.c src/endpoints/webhooks_deliveries.c
TRACKER_DECODE_SOURCES = src/endpoints/tracker_common.c src/endpoints/tracker_osmand_form.c \
	src/endpoints/tracker_osmand_json.c src/endpoints/tracker_owntracks.c \
	src/endpoints/tracker_overland.c src/endpoints/tracker_decode.h
TRACKERS_HANDLER_SOURCES = src/endpoints/trackers_handler.c src/endpoints/trackers.h \
	src/endpoints/tracker_device.c src/endpoints/tracker_device.h \
	$(TRACKER_DECODE_SOURCES)

# families:begin automake (generated from src/endpoints/families)
pkglibexec_PROGRAMS += src/endpoints/userpatch-users
src_endpoints_userpatch_users_SOURCES = src/endpoints/users_main.c $(USERS_HANDLER_SOURCES)
src_endpoints_userpatch_users_LDADD = $(UP_LIBS)
pkglibexec_PROGRAMS += src/endpoints/userpatch-device-app
src_endpoints_userpatch_device_app_SOURCES = src/endpoints/device_app_main.c $(DEVICE_APP_HANDLER_SOURCES)
src_endpoints_userpatch_device_app_LDADD = $(UP_LIBS)
pkglibexec_PROGRAMS += src/endpoints/userpatch-devices
src_endpoints_userpatch_devices_SOURCES = src/endpoints/devices_main.c $(DEVICES_HANDLER_SOURCES)
src_endpoints_userpatch_devices_LDADD = $(UP_LIBS)
pkglibexec_PROGRAMS += src/endpoints/userpatch-groups
src_endpoints_userpatch_groups_SOURCES = src/endpoints/groups_main.c $(GROUPS_HANDLER_SOURCES)
src_endpoints_userpatch_groups_LDADD = $(UP_LIBS)
pkglibexec_PROGRAMS += src/endpoints/userpatch-events
src_endpoints_userpatch_events_SOURCES = src/endpoints/events_main.c $(EVENTS_HANDLER_SOURCES)
src_endpoints_userpatch_events_LDADD = $(UP_LIBS)
pkglibexec_PROGRAMS += src/endpoints/userpatch-trackers
src_endpoints_userpatch_trackers_SOURCES = src/endpoints/trackers_main.c $(TRACKERS_HANDLER_SOURCES)
src_endpoints_userpatch_trackers_LDADD = $(UP_LIBS)
# families:end
EXTRA_DIST += src/endpoints/families
