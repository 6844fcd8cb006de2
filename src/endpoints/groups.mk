# The Groups API program (DESIGN 1.4): a table, a hook and a route table on
# the generic resource layer of the shared library.
GROUPS_HANDLER_SOURCES = src/endpoints/groups_handler.c src/endpoints/groups.h
pkglibexec_PROGRAMS += src/endpoints/userpatch-groups
src_endpoints_userpatch_groups_SOURCES = src/endpoints/groups_main.c $(GROUPS_HANDLER_SOURCES)
src_endpoints_userpatch_groups_LDADD = $(UP_LIBS)
