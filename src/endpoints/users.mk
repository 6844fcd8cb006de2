# One small program per endpoint family.
pkglibexec_PROGRAMS += src/endpoints/userpatch-users
src_endpoints_userpatch_users_SOURCES = src/endpoints/users_main.c \
	src/endpoints/users_handler.c src/endpoints/users.h
src_endpoints_userpatch_users_LDADD = $(UP_LIBS)
