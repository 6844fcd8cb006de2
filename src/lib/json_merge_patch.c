/* SPDX-License-Identifier: ISC */
/*
 * json_merge_patch.c: JSON Merge Patch (RFC 7396).
 *
 * Every limit depends on the patch alone, so the patch is checked first, as
 * a whole (check_object), and the merge itself (merge_object) can then fail
 * only for want of memory.  The merge works on a copy of the document, the
 * one atomicity strategy of the patch library (json_patch.c): on failure the
 * copy is dropped and the document was never touched.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_merge_patch.h"

/* The member being looked at: a chain up to the root of the patch. */
struct path {
	const struct path *up; /* NULL: a member of the root object */
	const char *name;
	size_t len;   /* bytes of its JSON Pointer (names escaped) */
	size_t depth; /* tokens of its JSON Pointer */
};

struct merge {
	struct up_json_limits lim;
	size_t members; /* members of the patch seen so far */
	size_t nodes;   /* values the patch adds, so far */
	up_merge_keep_null_fn keep_null;
	const void *arg;
	struct up_patch_error *perr;
};

/* ---- error reporting ---- */

/* Append the escaped pointer of p to buf[*n..cap), stopping short of the end. */
static void put_path(char *buf, size_t cap, size_t *n, const struct path *p)
{
	const char *s;

	if (p == NULL)
		return;
	put_path(buf, cap, n, p->up);
	if (*n + 1 < cap)
		buf[(*n)++] = '/';
	for (s = p->name; *s != '\0' && *n + 2 < cap; s++) {
		if (*s == '~' || *s == '/') {
			buf[(*n)++] = '~';
			buf[(*n)++] = *s == '~' ? '0' : '1';
		} else {
			buf[(*n)++] = *s;
		}
	}
}

/* The pointer of p (NULL: "") into perr->pointer, cut with "..." when too long. */
static void set_pointer(struct up_patch_error *perr, const struct path *p)
{
	char full[2 * sizeof(perr->pointer)];
	size_t n = 0;

	put_path(full, sizeof(full), &n, p);
	full[n] = '\0';
	if (n >= sizeof(perr->pointer)) {
		n = up_utf8_prefix(full, sizeof(perr->pointer) - 4);
		memcpy(full + n, "...", 4);
	}
	memcpy(perr->pointer, full, strlen(full) + 1);
	up_utf8_trim(perr->pointer);
}

static enum up_err report(struct merge *m, enum up_err err, const struct path *p, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

static enum up_err report(struct merge *m, enum up_err err, const struct path *p, const char *fmt,
                          ...)
{
	struct up_patch_error *perr = m->perr;
	char detail[128];
	va_list ap;

	if (perr == NULL)
		return err;
	perr->err = err;
	perr->op_index = -1;
	set_pointer(perr, p);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	up_utf8_trim(detail);
	if (p != NULL)
		snprintf(perr->message, sizeof(perr->message), "merge patch member \"%.*s\": %s",
		         UP_UTF8_CUT(perr->pointer, 80), detail);
	else
		snprintf(perr->message, sizeof(perr->message), "merge patch: %s", detail);
	up_utf8_trim(perr->message);
	return err;
}

/* ---- checking ---- */

/* Bytes of name once escaped as a JSON Pointer token. */
static size_t escaped_len(const char *name)
{
	size_t n = 0;

	for (; *name != '\0'; name++)
		n += *name == '~' || *name == '/' ? 2 : 1;
	return n;
}

/* Count n more values added by the patch at p against the budget. */
static enum up_err add_nodes(struct merge *m, const struct path *p, size_t n)
{
	if (n > m->lim.max_copy_nodes - m->nodes)
		return report(m, UP_ERR_LIMIT, p, "the patch adds more than %zu values",
		              m->lim.max_copy_nodes);
	m->nodes += n;
	return UP_OK;
}

static enum up_err check_object(struct merge *m, const cJSON *obj, const struct path *at);

/* One member c of a patch object, at p: the limits, and its value. */
static enum up_err check_member(struct merge *m, const cJSON *c, const struct path *p)
{
	if (++m->members > m->lim.max_ops)
		return report(m, UP_ERR_LIMIT, p, "the patch has more than %zu members",
		              m->lim.max_ops);
	if (p->len > m->lim.max_pointer_len)
		return report(m, UP_ERR_LIMIT, p, "pointer longer than %zu bytes",
		              m->lim.max_pointer_len);
	/* An object nests one container here and the rest in its own members. */
	if (p->depth > m->lim.max_depth ||
	    (cJSON_IsObject(c) ? p->depth == m->lim.max_depth
	                       : up_json_deeper_than(c, m->lim.max_depth - p->depth)))
		return report(m, UP_ERR_LIMIT, p, "value would nest deeper than %zu levels",
		              m->lim.max_depth);
	if (cJSON_IsNull(c))
		return UP_OK;
	if (!cJSON_IsObject(c))
		return add_nodes(m, p, up_json_count_nodes(c, m->lim.max_copy_nodes));
	if (add_nodes(m, p, 1) != UP_OK)
		return UP_ERR_LIMIT;
	return check_object(m, c, p);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/*
 * A name given twice in obj is malformed: its members sorted by name, so a
 * large object costs n log n, not n * n.  An object with more members than
 * the limit leaves is left to the count, which refuses it.
 */
static enum up_err check_names(struct merge *m, const cJSON *obj, const struct path *at)
{
	const cJSON *stack[16], **v = stack, *c;
	enum up_err err = UP_OK;
	size_t n = 0, i;

	for (c = obj->child; c != NULL; c = c->next)
		if (c->string == NULL || ++n > m->lim.max_ops - m->members)
			return UP_OK;
	if (n > sizeof(stack) / sizeof(stack[0]) && !(v = malloc(n * sizeof(*v))))
		return report(m, UP_ERR_NOMEM, at, "out of memory");
	for (c = obj->child, i = 0; c != NULL; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), by_name);
	for (i = 1; i < n && err == UP_OK; i++) {
		if (strcmp(v[i - 1]->string, v[i]->string) == 0) {
			struct path p = {at, v[i]->string, 0, 0};

			err = report(m, UP_ERR_PATCH_MALFORMED, &p, "the name is given twice");
		}
	}
	if (v != stack)
		free(v);
	return err;
}

static enum up_err check_object(struct merge *m, const cJSON *obj, const struct path *at)
{
	const cJSON *c;
	enum up_err err;

	err = check_names(m, obj, at);
	if (err != UP_OK)
		return err;
	for (c = obj->child; c != NULL; c = c->next) {
		struct path p = {at, c->string != NULL ? c->string : "", 0, 1};

		if (c->string == NULL)
			return report(m, UP_ERR_PATCH_MALFORMED, at, "a member has no name");
		p.len = (at != NULL ? at->len : 0) + 1 + escaped_len(c->string);
		p.depth = (at != NULL ? at->depth : 0) + 1;
		err = check_member(m, c, &p);
		if (err != UP_OK)
			return err;
	}
	return UP_OK;
}

static enum up_err check(struct merge *m, const cJSON *patch)
{
	if (patch == NULL)
		return report(m, UP_ERR_INTERNAL, NULL, "no patch");
	if (cJSON_IsObject(patch))
		return check_object(m, patch, NULL);
	if (up_json_deeper_than(patch, m->lim.max_depth))
		return report(m, UP_ERR_LIMIT, NULL,
		              "the document would nest deeper than %zu levels", m->lim.max_depth);
	return add_nodes(m, NULL, up_json_count_nodes(patch, m->lim.max_copy_nodes));
}

static void setup(struct merge *m, const struct up_json_limits *lim, struct up_patch_error *perr)
{
	memset(m, 0, sizeof(*m));
	up_json_limits_resolve(lim, &m->lim);
	m->perr = perr;
}

enum up_err up_merge_patch_check(const cJSON *patch, const struct up_json_limits *lim,
                                 struct up_patch_error *perr)
{
	struct merge m;
	enum up_err err;

	setup(&m, lim, perr);
	err = check(&m, patch);
	if (err == UP_OK)
		up_patch_error_clear(perr);
	return err;
}

/* ---- merging (the patch has been checked) ---- */

/*
 * old (a member of the result) takes the value of v in place, keeping its
 * name and position; v, left holding the old value, is wiped and freed (a
 * replaced value may have been a secret).
 */
static void take_value(cJSON *old, cJSON *v)
{
	const int name_flag = cJSON_StringIsConst;
	cJSON *child = old->child;
	char *valuestring = old->valuestring;
	double valuedouble = old->valuedouble;
	int valueint = old->valueint, type = old->type;

	old->child = v->child;
	old->valuestring = v->valuestring;
	old->valuedouble = v->valuedouble;
	old->valueint = v->valueint;
	old->type = (v->type & ~name_flag) | (type & name_flag);
	v->child = child;
	v->valuestring = valuestring;
	v->valuedouble = valuedouble;
	v->valueint = valueint;
	v->type = (type & ~name_flag) | (v->type & name_flag);
	up_json_wipe_delete(v);
}

/* Make old's place in target (NULL: a new member name) hold v; v is taken over. */
static int put_member(cJSON *target, cJSON *old, const char *name, cJSON *v)
{
	if (v == NULL)
		return 0;
	if (old != NULL) {
		take_value(old, v);
		return 1;
	}
	if (cJSON_AddItemToObject(target, name, v))
		return 1;
	cJSON_Delete(v);
	return 0;
}

static enum up_err merge_object(struct merge *m, cJSON *target, const cJSON *patch, int top)
{
	const cJSON *c;
	cJSON *old, *v;

	for (c = patch->child; c != NULL; c = c->next) {
		old = cJSON_GetObjectItemCaseSensitive(target, c->string);
		if (cJSON_IsNull(c) && !(top && m->keep_null && m->keep_null(m->arg, c->string))) {
			if (old != NULL)
				up_json_wipe_delete(cJSON_DetachItemViaPointer(target, old));
			continue;
		}
		if (cJSON_IsObject(c) && cJSON_IsObject(old)) {
			if (merge_object(m, old, c, 0) != UP_OK)
				return UP_ERR_NOMEM;
			continue;
		}
		if (cJSON_IsObject(c)) {
			v = cJSON_CreateObject();
			if (v != NULL && merge_object(m, v, c, 0) != UP_OK) {
				cJSON_Delete(v);
				return UP_ERR_NOMEM;
			}
		} else {
			v = cJSON_Duplicate(c, 1);
		}
		if (!put_member(target, old, c->string, v))
			return UP_ERR_NOMEM;
	}
	return UP_OK;
}

enum up_err up_merge_patch_apply(const cJSON *doc, const cJSON *patch,
                                 const struct up_json_limits *lim, up_merge_keep_null_fn keep_null,
                                 const void *arg, cJSON **out, struct up_patch_error *perr)
{
	struct merge m;
	enum up_err err;
	cJSON *result = NULL;

	*out = NULL;
	setup(&m, lim, perr);
	m.keep_null = keep_null;
	m.arg = arg;
	err = check(&m, patch);
	if (err != UP_OK)
		goto out;
	if (!cJSON_IsObject(patch))
		result = cJSON_Duplicate(patch, 1);
	else if (cJSON_IsObject(doc))
		result = cJSON_Duplicate(doc, 1);
	else
		result = cJSON_CreateObject();
	err = result == NULL ? UP_ERR_NOMEM : UP_OK;
	if (err == UP_OK && cJSON_IsObject(patch))
		err = merge_object(&m, result, patch, 1);
	if (err != UP_OK) {
		up_json_wipe_delete(result);
		report(&m, err, NULL, "out of memory");
		goto out;
	}
	*out = result;
	up_patch_error_clear(perr);
out:
	return err;
}
