/* SPDX-License-Identifier: ISC */
/*
 * admin_json_patch.c: `userpatch-admin json-patch [--merge] DOC_FILE PATCH_FILE`.
 *
 * Applies a JSON Patch file (with --merge: a JSON Merge Patch, RFC 7396) to
 * a JSON document file with the library engine
 * (default limits) and prints the result as compact JSON on stdout, through
 * the library's printer (json_print.c: numbers read back exactly).  Both
 * files are read strictly: at most MAX_INPUT bytes, valid UTF-8, no NUL
 * bytes, exactly one JSON value.  Errors go to stderr as
 * {"code": "...", "error": "...", "op": <index or null>}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "errors.h"
#include "json.h"
#include "json_merge_patch.h"
#include "json_patch.h"

#define MAX_INPUT (16u * 1024 * 1024)

/* Print the error JSON on stderr; op_index < 0 prints null. */
static void print_error(enum up_err err, const char *message, long op_index)
{
	cJSON *e = cJSON_CreateObject();
	char *text = NULL;

	if (!e || !cJSON_AddStringToObject(e, "code", up_err_code(err)) ||
	    !cJSON_AddStringToObject(e, "error", message) ||
	    !(op_index >= 0 ? cJSON_AddNumberToObject(e, "op", (double)op_index)
	                    : cJSON_AddNullToObject(e, "op")))
		goto out;
	text = up_json_print(e);
out:
	if (text)
		fprintf(stderr, "%s\n", text);
	else
		fputs("{\"code\":\"internal_error\",\"error\":\"Out of memory\",\"op\":null}\n",
		      stderr);
	free(text);
	cJSON_Delete(e);
}

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates, or > U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, len, k;
	unsigned long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/*
 * Read and parse the JSON file at path.  On success *out is the parsed value,
 * owned by the caller.  On failure the error JSON is printed.
 */
static enum up_err load_json(const char *path, cJSON **out)
{
	enum up_err err = UP_ERR_IO;
	char msg[256];
	char *buf = NULL;
	FILE *f = NULL;
	size_t n;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		snprintf(msg, sizeof(msg), "%.180s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc(MAX_INPUT + 1);
	if (!buf) {
		err = UP_ERR_NOMEM;
		snprintf(msg, sizeof(msg), "%.180s: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, MAX_INPUT + 1, f);
	if (ferror(f)) {
		snprintf(msg, sizeof(msg), "%.180s: read error", path);
		goto out;
	}
	if (n > MAX_INPUT) {
		err = UP_ERR_TOO_LARGE;
		snprintf(msg, sizeof(msg), "%.180s: larger than %u bytes", path, MAX_INPUT);
		goto out;
	}
	buf[n] = '\0';
	err = UP_ERR_BAD_JSON;
	if (memchr(buf, '\0', n)) {
		snprintf(msg, sizeof(msg), "%.180s: contains a NUL byte", path);
		goto out;
	}
	if (!valid_utf8((const unsigned char *)buf, n)) {
		snprintf(msg, sizeof(msg), "%.180s: not valid UTF-8", path);
		goto out;
	}
	/* the length includes the terminating NUL so that trailing text fails */
	*out = cJSON_ParseWithLengthOpts(buf, n + 1, NULL, 1);
	if (!*out) {
		snprintf(msg, sizeof(msg), "%.180s: not a valid JSON document", path);
		goto out;
	}
	err = UP_OK;
out:
	if (err != UP_OK)
		print_error(err, msg, -1);
	free(buf);
	if (f)
		fclose(f);
	return err;
}

/* Apply patch (a JSON Patch, or a merge patch) to *doc, replacing it; the error printed. */
static enum up_err apply(cJSON **doc, const cJSON *patch, int merge)
{
	struct up_patch_error perr;
	enum up_err err;
	cJSON *out = NULL;

	if (merge) {
		err = up_merge_patch_apply(*doc, patch, NULL, NULL, NULL, &out, &perr);
		if (err == UP_OK) {
			cJSON_Delete(*doc);
			*doc = out;
		}
	} else {
		err = up_patch_apply(doc, patch, NULL, &perr);
	}
	if (err != UP_OK)
		print_error(perr.err, perr.message, perr.op_index);
	return err;
}

int up_admin_json_patch(int argc, char **argv)
{
	cJSON *doc = NULL, *patch = NULL;
	const char *file[2] = {NULL, NULL};
	char *text = NULL;
	int merge = 0, nfiles = 0, rc = 1, i;

	/* --merge may come anywhere; the two other words are the files, in order. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--merge") == 0)
			merge = 1;
		else if (nfiles < 2)
			file[nfiles++] = argv[i];
		else
			nfiles = 3;
	}
	if (nfiles != 2 || argc != 3 + merge) {
		fputs("usage: userpatch-admin json-patch [--merge] DOC_FILE PATCH_FILE\n", stderr);
		return 2;
	}
	if (load_json(file[0], &doc) != UP_OK || load_json(file[1], &patch) != UP_OK)
		goto out;
	if (apply(&doc, patch, merge) != UP_OK)
		goto out;
	text = up_json_print(doc);
	if (!text) {
		print_error(UP_ERR_NOMEM, up_err_message(UP_ERR_NOMEM), -1);
		goto out;
	}
	if (printf("%s\n", text) < 0 || fflush(stdout) != 0) {
		print_error(UP_ERR_IO, "cannot write the result", -1);
		goto out;
	}
	rc = 0;
out:
	free(text);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
	return rc;
}
