/* SPDX-License-Identifier: ISC */
/* admin.h: subcommands of userpatch-admin, one file each. */
#ifndef UP_ADMIN_H
#define UP_ADMIN_H

/*
 * `userpatch-admin json-patch [--merge] DOC_FILE PATCH_FILE`: argv[0] is
 * "json-patch".  Applies a JSON Patch (with --merge: a JSON Merge Patch, RFC
 * 7396).  Prints the patched document as compact JSON on stdout and returns
 * 0; on any error prints the error JSON on stderr and returns 1 (2 for usage
 * errors).
 */
int up_admin_json_patch(int argc, char **argv);

#endif
