# POST /api/v1/device_app_user_update/ program.
pkglibexec_PROGRAMS += src/endpoints/userpatch-device-app
src_endpoints_userpatch_device_app_SOURCES = src/endpoints/device_app_main.c \
	src/endpoints/device_app_handler.c src/endpoints/device_app_decode.c \
	src/endpoints/device_app_fields.c \
	src/endpoints/device_app_store.c src/endpoints/device_app.h
src_endpoints_userpatch_device_app_LDADD = $(UP_LIBS)
