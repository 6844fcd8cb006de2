/* SPDX-License-Identifier: ISC */
/*
 * fuzz_merge_patch.c: libFuzzer entry for JSON Merge Patch (RFC 7396),
 * checked against the JSON Patch engine.
 *
 * The input is "DOCUMENT\nPATCH": split at the first newline (no newline:
 * the whole input is the merge patch, applied to {}).  The merge patch is
 * applied to the document; when it applies, the same change written as a
 * JSON Patch (translate() below: add for a value, remove for a null that
 * names a member, {} then the members for an object where the document has
 * none) must apply too and give the same document, member order included.
 * up_merge_patch_check() must agree with the apply, and the document given
 * to the merge must be left unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "json_merge_patch.h"
#include "json_patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *parse(const uint8_t *p, size_t n)
{
	char *buf = malloc(n + 1);
	cJSON *v;

	if (!buf)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	v = cJSON_ParseWithLength(buf, n);
	free(buf);
	return v;
}

/* ptr + "/" + name escaped, malloc'd (NULL when out of memory). */
static char *child_pointer(const char *ptr, const char *name)
{
	size_t n = strlen(ptr);
	char *out = malloc(n + 2 + 2 * strlen(name)), *o;

	if (!out)
		return NULL;
	memcpy(out, ptr, n);
	o = out + n;
	*o++ = '/';
	for (; *name; name++) {
		if (*name == '~' || *name == '/') {
			*o++ = '~';
			*o++ = *name == '~' ? '0' : '1';
		} else {
			*o++ = *name;
		}
	}
	*o = '\0';
	return out;
}

/* Append {"op", "path"[, "value" (a copy)]} to ops; 0 when out of memory. */
static int emit(cJSON *ops, const char *op, const char *path, const cJSON *value)
{
	cJSON *o = cJSON_CreateObject(), *v = value ? cJSON_Duplicate(value, 1) : NULL;

	if (!o || (value && !v) || !cJSON_AddStringToObject(o, "op", op) ||
	    !cJSON_AddStringToObject(o, "path", path) ||
	    (v && !cJSON_AddItemToObject(o, "value", v)) || !cJSON_AddItemToArray(ops, o)) {
		cJSON_Delete(o);
		return 0;
	}
	return 1;
}

/*
 * The JSON Patch operations that do to target (an object, or NULL for a
 * fresh {}) at pointer ptr what the merge patch object p does; 0 when out
 * of memory.
 */
static int translate(cJSON *ops, const cJSON *target, const cJSON *p, const char *ptr)
{
	const cJSON *c, *old;
	cJSON *empty = cJSON_CreateObject();
	char *path;
	int ok = empty != NULL;

	for (c = p->child; ok && c; c = c->next) {
		old = target ? cJSON_GetObjectItemCaseSensitive(target, c->string) : NULL;
		path = child_pointer(ptr, c->string);
		if (!path) {
			ok = 0;
		} else if (cJSON_IsNull(c)) {
			if (old)
				ok = emit(ops, "remove", path, NULL);
		} else if (cJSON_IsObject(c)) {
			if (!cJSON_IsObject(old)) {
				ok = emit(ops, "add", path, empty);
				old = NULL;
			}
			ok = ok && translate(ops, old, c, path);
		} else {
			ok = emit(ops, "add", path, c);
		}
		free(path);
	}
	cJSON_Delete(empty);
	return ok;
}

/* The JSON Patch equivalent to merge patch `patch` on doc; NULL when out of memory. */
static cJSON *equivalent(const cJSON *doc, const cJSON *patch)
{
	cJSON *ops = cJSON_CreateArray(), *empty = cJSON_CreateObject();
	int ok = ops && empty;

	if (ok && !cJSON_IsObject(patch)) {
		ok = emit(ops, "replace", "", patch);
	} else if (ok) {
		if (!cJSON_IsObject(doc))
			ok = emit(ops, "replace", "", empty);
		ok = ok && translate(ops, cJSON_IsObject(doc) ? doc : NULL, patch, "");
	}
	cJSON_Delete(empty);
	if (!ok) {
		cJSON_Delete(ops);
		return NULL;
	}
	return ops;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct up_json_limits lim = {64, 256, 16, 4096};
	const uint8_t *nl = memchr(data, '\n', size);
	cJSON *doc, *patch, *merged = NULL, *patched = NULL, *ops = NULL;
	char *before = NULL, *after = NULL, *t1 = NULL, *t2 = NULL;
	struct up_patch_error e1, e2;
	enum up_err rc, r1;

	if (nl) {
		doc = parse(data, (size_t)(nl - data));
		patch = parse(nl + 1, size - (size_t)(nl - data) - 1);
	} else {
		doc = cJSON_CreateObject();
		patch = parse(data, size);
	}
	if (!doc || !patch)
		goto out;
	before = up_json_print(doc);
	if (!before)
		goto out;
	rc = up_merge_patch_check(patch, &lim, &e1);
	r1 = up_merge_patch_apply(doc, patch, &lim, NULL, NULL, &merged, &e1);
	if (rc != r1 && r1 != UP_ERR_NOMEM)
		abort();
	after = up_json_print(doc);
	if (after && strcmp(before, after) != 0)
		abort(); /* the merge touched its input */
	if (r1 != UP_OK) {
		if (merged)
			abort();
		goto out;
	}
	ops = equivalent(doc, patch);
	patched = cJSON_Duplicate(doc, 1);
	if (!ops || !patched)
		goto out;
	r1 = up_patch_apply(&patched, ops, &lim, &e2);
	if (r1 == UP_ERR_LIMIT || r1 == UP_ERR_NOMEM)
		goto out; /* its pointers escape ~ and /: longer than the merge's own members */
	if (r1 != UP_OK)
		abort(); /* the equivalent JSON Patch must apply */
	t1 = up_json_print(merged);
	t2 = up_json_print(patched);
	if (!up_json_equal(merged, patched) || (t1 && t2 && strcmp(t1, t2) != 0))
		abort();
out:
	free(before);
	free(after);
	free(t1);
	free(t2);
	cJSON_Delete(ops);
	cJSON_Delete(patched);
	cJSON_Delete(merged);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	return 0;
}
