/* SPDX-License-Identifier: ISC */
/*
 * json_patch.c: JSON Patch (RFC 6902).
 *
 * up_patch_apply_to() first checks the whole patch into an array of decoded
 * operations, then applies them one by one to a copy of the document
 * (cJSON_Duplicate): on success the copy is the result, on failure it is
 * dropped, so the document given is never touched.  This is the patch
 * library's one atomicity strategy, and what the write pipeline needs anyway:
 * it keeps the current representation to validate the result against.
 * Within the copy every operation works in place and frees (wiping it: it may
 * hold a secret) what it displaces at once.
 *
 * cJSON children form a list where first->prev is the last child and
 * last->next is NULL; the list_* helpers below keep that invariant and are
 * O(1).  Array positions are found by walking; a one-entry cache (array,
 * index, item, and the length once known) lets walks start from the nearest
 * known point, so a patch touching nearby indices, or the end, does not
 * rescan the array from its head.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_patch.h"

enum op_kind { OP_ADD, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST };

static const char *const op_names[] = {
        [OP_ADD] = "add",   [OP_REMOVE] = "remove", [OP_REPLACE] = "replace",
        [OP_MOVE] = "move", [OP_COPY] = "copy",     [OP_TEST] = "test",
};

/* One checked operation; all pointers borrowed from the patch. */
struct op {
	enum op_kind kind;
	const char *path;
	const char *from;
	const cJSON *value;
	size_t path_tokens;
};

#define STACK_OPS 8

struct txn {
	cJSON *root; /* the copy being patched */
	struct up_json_limits lim;
	size_t copy_budget;
	const struct op *op;
	long op_index;
	struct up_patch_error *perr;
	/* array position cache */
	cJSON *c_arr;
	cJSON *c_item; /* element at c_idx, or NULL */
	size_t c_idx;
	size_t c_len; /* length of c_arr, valid if c_len_known */
	int c_len_known;
};

void up_patch_error_clear(struct up_patch_error *perr)
{
	if (perr == NULL)
		return;
	perr->err = UP_OK;
	perr->op_index = -1;
	perr->pointer[0] = '\0';
	perr->message[0] = '\0';
}

/* ---- error reporting ---- */

static void set_pointer(struct up_patch_error *perr, const char *ptr)
{
	size_t n = ptr ? strlen(ptr) : 0;

	if (n >= sizeof(perr->pointer)) {
		n = up_utf8_prefix(ptr, sizeof(perr->pointer) - 4);
		memcpy(perr->pointer, ptr, n);
		memcpy(perr->pointer + n, "...", 4);
	} else {
		memcpy(perr->pointer, ptr ? ptr : "", n + 1);
	}
}

static enum up_err report(struct up_patch_error *perr, enum up_err err, long op_index,
                          const char *ptr, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static enum up_err report(struct up_patch_error *perr, enum up_err err, long op_index,
                          const char *ptr, const char *fmt, ...)
{
	char detail[128];
	va_list ap;

	if (!perr)
		return err;
	perr->err = err;
	perr->op_index = op_index;
	set_pointer(perr, ptr);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	up_utf8_trim(detail);
	if (op_index >= 0 && ptr)
		snprintf(perr->message, sizeof(perr->message), "operation %ld at \"%.*s\": %s",
		         op_index, UP_UTF8_CUT(perr->pointer, 80), detail);
	else if (op_index >= 0)
		snprintf(perr->message, sizeof(perr->message), "operation %ld: %s", op_index,
		         detail);
	else
		snprintf(perr->message, sizeof(perr->message), "%s", detail);
	up_utf8_trim(perr->message);
	return err;
}

/* ---- limits and sizes ---- */

/* ---- checking ---- */

static const char *const member_names[] = {"op", "path", "from", "value"};

/*
 * The pointer member m ("path" or "from", NULL when absent) of op i: present,
 * a string, within max_pointer_len and well formed.  Errors name the pointer
 * at (NULL or the op's path) until the member itself can be named.  On
 * success *ptr (borrowed from m) is the pointer and *ntok its token count.
 */
static enum up_err check_pointer(const cJSON *m, const char *name, const char *at, long i,
                                 const struct up_json_limits *lim, struct up_patch_error *perr,
                                 const char **ptr, size_t *ntok)
{
	if (!m)
		return report(perr, UP_ERR_PATCH_MALFORMED, i, at, "member \"%s\" is missing",
		              name);
	if (!cJSON_IsString(m) || !m->valuestring)
		return report(perr, UP_ERR_PATCH_MALFORMED, i, at, "member \"%s\" is not a string",
		              name);
	if (strlen(m->valuestring) > lim->max_pointer_len)
		return report(perr, UP_ERR_LIMIT, i, m->valuestring, "%s longer than %zu bytes",
		              name, lim->max_pointer_len);
	if (up_pointer_check(m->valuestring, ntok) != UP_OK)
		return report(perr, UP_ERR_POINTER_MALFORMED, i, m->valuestring,
		              "malformed JSON Pointer");
	*ptr = m->valuestring;
	return UP_OK;
}

static enum up_err check_op(const cJSON *jop, long i, const struct up_json_limits *lim,
                            struct op *out, struct up_patch_error *perr)
{
	const cJSON *m[4] = {NULL, NULL, NULL, NULL};
	const cJSON *c;
	const char *s;
	size_t k, ntok, nfrom;
	enum up_err err;
	int kind = -1;

	if (!cJSON_IsObject(jop))
		return report(perr, UP_ERR_PATCH_MALFORMED, i, NULL, "operation is not an object");
	for (c = jop->child; c; c = c->next) {
		if (!c->string)
			continue;
		for (k = 0; k < 4; k++) {
			if (strcmp(c->string, member_names[k]) != 0)
				continue;
			if (m[k])
				return report(perr, UP_ERR_PATCH_MALFORMED, i, NULL,
				              "member \"%s\" appears twice", member_names[k]);
			m[k] = c;
		}
	}
	if (!m[0])
		return report(perr, UP_ERR_PATCH_MALFORMED, i, NULL, "member \"op\" is missing");
	if (!cJSON_IsString(m[0]) || !m[0]->valuestring)
		return report(perr, UP_ERR_PATCH_MALFORMED, i, NULL,
		              "member \"op\" is not a string");
	for (k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
		if (strcmp(m[0]->valuestring, op_names[k]) == 0)
			kind = (int)k;
	if (kind < 0)
		return report(perr, UP_ERR_PATCH_MALFORMED, i, NULL, "unknown op \"%.*s\"",
		              UP_UTF8_CUT(m[0]->valuestring, 60));
	err = check_pointer(m[1], "path", NULL, i, lim, perr, &s, &ntok);
	if (err != UP_OK)
		return err;
	if (ntok > lim->max_depth)
		return report(perr, UP_ERR_LIMIT, i, s, "path deeper than %zu levels",
		              lim->max_depth);
	if (kind == OP_REMOVE && ntok == 0)
		return report(perr, UP_ERR_PATCH_MALFORMED, i, s,
		              "cannot remove the whole document");
	out->kind = (enum op_kind)kind;
	out->path = s;
	out->path_tokens = ntok;
	out->from = NULL;
	out->value = NULL;
	if (kind == OP_ADD || kind == OP_REPLACE || kind == OP_TEST) {
		if (!m[3])
			return report(perr, UP_ERR_PATCH_MALFORMED, i, s,
			              "member \"value\" is missing");
		if (up_json_deeper_than(m[3], lim->max_depth - ntok))
			return report(perr, UP_ERR_LIMIT, i, s,
			              "value would nest deeper than %zu levels", lim->max_depth);
		out->value = m[3];
	}
	if (kind == OP_MOVE || kind == OP_COPY) {
		err = check_pointer(m[2], "from", s, i, lim, perr, &out->from, &nfrom);
		if (err != UP_OK)
			return err;
	}
	return UP_OK;
}

/* Check patch; fill ops[0..n) when ops is not NULL. */
static enum up_err check_patch(const cJSON *patch, const struct up_json_limits *lim, struct op *ops,
                               size_t nops, struct up_patch_error *perr)
{
	const cJSON *c;
	struct op scratch;
	enum up_err err;
	size_t i = 0;

	for (c = patch->child; c; c = c->next, i++) {
		err = check_op(c, (long)i, lim, ops && i < nops ? &ops[i] : &scratch, perr);
		if (err != UP_OK)
			return err;
	}
	return UP_OK;
}

/* Count ops; UP_OK, or an error if the patch is not an array or too long. */
static enum up_err count_ops(const cJSON *patch, const struct up_json_limits *lim, size_t *n,
                             struct up_patch_error *perr)
{
	const cJSON *c;
	size_t i = 0;

	if (!cJSON_IsArray(patch))
		return report(perr, UP_ERR_PATCH_MALFORMED, -1, NULL,
		              "patch document is not a JSON array");
	for (c = patch->child; c; c = c->next) {
		if (i == lim->max_ops)
			return report(perr, UP_ERR_LIMIT, (long)i, NULL,
			              "patch has more than %zu operations", lim->max_ops);
		i++;
	}
	*n = i;
	return UP_OK;
}

enum up_err up_patch_check(const cJSON *patch, const struct up_json_limits *lim,
                           struct up_patch_error *perr)
{
	struct up_json_limits l;
	enum up_err err;
	size_t n;

	up_json_limits_resolve(lim, &l);
	err = count_ops(patch, &l, &n, perr);
	if (err != UP_OK)
		goto out;
	err = check_patch(patch, &l, NULL, 0, perr);
	if (err != UP_OK)
		goto out;
	up_patch_error_clear(perr);
out:
	return err;
}

/* ---- list primitives (keep first->prev == last) ---- */

/* Link item into parent before anchor (NULL: at the end). */
static void list_insert_before(cJSON *parent, cJSON *item, cJSON *anchor)
{
	cJSON *first = parent->child;

	if (!first) {
		parent->child = item;
		item->prev = item;
		item->next = NULL;
	} else if (!anchor) {
		item->prev = first->prev;
		item->next = NULL;
		first->prev->next = item;
		first->prev = item;
	} else if (anchor == first) {
		item->prev = first->prev;
		item->next = first;
		first->prev = item;
		parent->child = item;
	} else {
		item->prev = anchor->prev;
		item->next = anchor;
		anchor->prev->next = item;
		anchor->prev = item;
	}
}

static void list_detach(cJSON *parent, cJSON *item)
{
	cJSON *first = parent->child;

	if (item == first) {
		parent->child = item->next;
		if (item->next)
			item->next->prev = item->prev;
	} else {
		item->prev->next = item->next;
		if (item->next)
			item->next->prev = item->prev;
		else
			first->prev = item->prev;
	}
	item->prev = NULL;
	item->next = NULL;
}

/* ---- array position cache ---- */

static void cache_drop(struct txn *t)
{
	t->c_arr = NULL;
	t->c_item = NULL;
	t->c_len_known = 0;
}

/* Element idx of arr, or NULL past the end (then the length is learnt). */
static cJSON *array_at(struct txn *t, cJSON *arr, size_t idx)
{
	cJSON *it = arr->child;
	size_t pos = 0, dist = idx, d;

	if (!it)
		return NULL;
	if (t->c_arr != arr) {
		cache_drop(t);
		t->c_arr = arr;
	}
	if (t->c_len_known) {
		if (idx >= t->c_len)
			return NULL;
		d = t->c_len - 1 - idx;
		if (d < dist) {
			it = arr->child->prev;
			pos = t->c_len - 1;
			dist = d;
		}
	}
	if (t->c_item) {
		d = t->c_idx > idx ? t->c_idx - idx : idx - t->c_idx;
		if (d < dist) {
			it = t->c_item;
			pos = t->c_idx;
		}
	}
	while (pos > idx) {
		it = it->prev;
		pos--;
	}
	while (pos < idx && it) {
		if (!it->next) {
			t->c_len = pos + 1;
			t->c_len_known = 1;
		}
		it = it->next;
		pos++;
	}
	if (it) {
		t->c_item = it;
		t->c_idx = idx;
	}
	return it;
}

/* item was linked into arr at index idx. */
static void cache_inserted(struct txn *t, cJSON *arr, size_t idx)
{
	if (t->c_arr != arr)
		return;
	if (t->c_item && t->c_idx >= idx)
		t->c_idx++;
	if (t->c_len_known)
		t->c_len++;
}

/* item, at index idx, is about to be unlinked from arr. */
static void cache_detaching(struct txn *t, cJSON *arr, cJSON *item, size_t idx)
{
	if (t->c_arr != arr)
		return;
	if (t->c_item == item) {
		t->c_item = item->next;
	} else if (t->c_item && t->c_idx > idx) {
		t->c_idx--;
	}
	if (t->c_len_known)
		t->c_len--;
}

/* ---- names and what an operation displaces ---- */

/* Give item the name key (taken over; NULL for none), freeing its old one. */
static void set_name(cJSON *item, char *key)
{
	if (item->string != NULL && !(item->type & cJSON_StringIsConst))
		cJSON_free(item->string);
	item->string = key;
	item->type &= ~cJSON_StringIsConst;
}

/*
 * Free a value the patch displaced or failed to place, wiping its strings.
 * The array cache is dropped when a container goes: the cached array might
 * have been inside it, and its address be reused.
 */
static void discard(struct txn *t, cJSON *v)
{
	if (v == NULL)
		return;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		cache_drop(t);
	up_json_wipe_delete(v);
}

/* ---- resolution ---- */

static enum up_err op_fail(struct txn *t, enum up_err err, const char *ptr, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static enum up_err op_fail(struct txn *t, enum up_err err, const char *ptr, const char *fmt, ...)
{
	char detail[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	up_utf8_trim(detail);
	return report(t->perr, err, t->op_index, ptr, "%s %s", op_names[t->op->kind], detail);
}

/* First member of obj named by tok, or NULL. */
static cJSON *object_member(cJSON *obj, const struct up_pointer_token *tok)
{
	cJSON *c;

	for (c = obj->child; c; c = c->next)
		if (c->string && up_pointer_token_eq(tok, c->string))
			return c;
	return NULL;
}

/*
 * Walk ptr (non-empty, checked) down to the container of its last token.
 * On UP_OK *parent is that container and *last the last token.
 */
static enum up_err resolve_parent(struct txn *t, const char *ptr, cJSON **parent,
                                  struct up_pointer_token *last)
{
	struct up_pointer_token tok;
	cJSON *cur = t->root, *next;
	const char *p = ptr;
	size_t idx;

	p = up_pointer_next(p, &tok);
	while (*p) {
		if (cJSON_IsObject(cur)) {
			next = object_member(cur, &tok);
			if (!next)
				return op_fail(t, UP_ERR_PATH_NOT_FOUND, ptr,
				               "failed: \"%.*s\" does not exist",
				               (int)(tok.s + tok.len - ptr), ptr);
		} else if (cJSON_IsArray(cur)) {
			if (up_pointer_token_index(&tok, &idx) != UP_OK)
				return op_fail(t, UP_ERR_INDEX_RANGE, ptr,
				               "failed: \"%.*s\" is not a valid array index",
				               (int)(tok.s + tok.len - ptr), ptr);
			next = array_at(t, cur, idx);
			if (!next)
				return op_fail(t, UP_ERR_INDEX_RANGE, ptr,
				               "failed: \"%.*s\" is past the end of the array",
				               (int)(tok.s + tok.len - ptr), ptr);
		} else {
			return op_fail(t, UP_ERR_PATH_NOT_FOUND, ptr,
			               "failed: \"%.*s\" is not an object or array",
			               (int)(tok.s - ptr - 1), ptr);
		}
		cur = next;
		p = up_pointer_next(p, &tok);
	}
	*parent = cur;
	*last = tok;
	return UP_OK;
}

/* An existing value named by the last token in parent; *idx for arrays. */
static enum up_err resolve_child(struct txn *t, const char *ptr, cJSON *parent,
                                 const struct up_pointer_token *tok, cJSON **out, size_t *idx)
{
	if (cJSON_IsObject(parent)) {
		*out = object_member(parent, tok);
		if (!*out)
			return op_fail(t, UP_ERR_PATH_NOT_FOUND, ptr,
			               "failed: path does not exist");
		return UP_OK;
	}
	if (cJSON_IsArray(parent)) {
		if (up_pointer_token_index(tok, idx) != UP_OK)
			return op_fail(t, UP_ERR_INDEX_RANGE, ptr,
			               "failed: \"%.*s\" is not a valid array index", (int)tok->len,
			               tok->s);
		*out = array_at(t, parent, *idx);
		if (!*out)
			return op_fail(t, UP_ERR_INDEX_RANGE, ptr,
			               "failed: index %zu is past the end of the array", *idx);
		return UP_OK;
	}
	return op_fail(t, UP_ERR_PATH_NOT_FOUND, ptr,
	               "failed: the parent is not an object or array");
}

/* Resolve an existing location. For the root, *parent is NULL. */
static enum up_err resolve(struct txn *t, const char *ptr, cJSON **parent, cJSON **out, size_t *idx)
{
	struct up_pointer_token tok;
	enum up_err err;

	*parent = NULL;
	if (!*ptr) {
		*out = t->root;
		return UP_OK;
	}
	err = resolve_parent(t, ptr, parent, &tok);
	if (err != UP_OK)
		return err;
	return resolve_child(t, ptr, *parent, &tok, out, idx);
}

/* ---- operations ---- */

/*
 * Link value at ptr as JSON Patch `add` does.  value is taken over: a fresh
 * copy, or an item the current `move` detached; on failure it is freed.
 */
static enum up_err add_at(struct txn *t, const char *ptr, cJSON *value)
{
	struct up_pointer_token tok;
	cJSON *parent, *old, *anchor;
	enum up_err err;
	size_t idx;
	char *name;

	if (!*ptr) {
		set_name(value, NULL);
		discard(t, t->root);
		t->root = value;
		return UP_OK;
	}
	err = resolve_parent(t, ptr, &parent, &tok);
	if (err != UP_OK)
		goto fail;
	if (cJSON_IsObject(parent)) {
		name = up_pointer_token_name(&tok);
		if (!name) {
			err = op_fail(t, UP_ERR_NOMEM, ptr, "failed: out of memory");
			goto fail;
		}
		old = object_member(parent, &tok);
		set_name(value, name);
		list_insert_before(parent, value, old);
		if (old) {
			list_detach(parent, old);
			discard(t, old);
		}
		return UP_OK;
	}
	if (cJSON_IsArray(parent)) {
		if (up_pointer_token_is_end(&tok)) {
			anchor = NULL;
			idx = SIZE_MAX;
		} else {
			if (up_pointer_token_index(&tok, &idx) != UP_OK) {
				err = op_fail(t, UP_ERR_INDEX_RANGE, ptr,
				              "failed: \"%.*s\" is not a valid array index",
				              (int)tok.len, tok.s);
				goto fail;
			}
			anchor = array_at(t, parent, idx);
			if (!anchor && idx > 0 && !array_at(t, parent, idx - 1)) {
				err = op_fail(t, UP_ERR_INDEX_RANGE, ptr,
				              "failed: index %zu is past the end of the array",
				              idx);
				goto fail;
			}
		}
		set_name(value, NULL);
		list_insert_before(parent, value, anchor);
		if (anchor)
			cache_inserted(t, parent, idx);
		else if (t->c_arr == parent && t->c_len_known)
			t->c_len++;
		return UP_OK;
	}
	err = op_fail(t, UP_ERR_PATH_NOT_FOUND, ptr,
	              "failed: the parent is not an object or array");
fail:
	discard(t, value);
	return err;
}

/* Unlink the value at ptr (not the root); *out is the item, now the caller's. */
static enum up_err detach_at(struct txn *t, const char *ptr, cJSON **out)
{
	cJSON *parent, *item;
	enum up_err err;
	size_t idx = 0;

	err = resolve(t, ptr, &parent, &item, &idx);
	if (err != UP_OK)
		return err;
	if (!parent)
		return op_fail(t, UP_ERR_INTERNAL, ptr, "failed: cannot detach the root");
	if (cJSON_IsArray(parent))
		cache_detaching(t, parent, item, idx);
	list_detach(parent, item);
	*out = item;
	return UP_OK;
}

static enum up_err fresh_copy(struct txn *t, const char *ptr, const cJSON *v, cJSON **out)
{
	*out = cJSON_Duplicate(v, 1);
	if (!*out)
		return op_fail(t, UP_ERR_NOMEM, ptr, "failed: out of memory");
	/* the copy carries the name of the member it was copied from */
	set_name(*out, NULL);
	return UP_OK;
}

static enum up_err op_replace(struct txn *t, const struct op *op)
{
	cJSON *parent, *old, *value;
	enum up_err err;
	size_t idx = 0;

	err = resolve(t, op->path, &parent, &old, &idx);
	if (err != UP_OK)
		return err;
	err = fresh_copy(t, op->path, op->value, &value);
	if (err != UP_OK)
		return err;
	if (!parent) {
		discard(t, t->root);
		t->root = value;
		return UP_OK;
	}
	/* the new value takes the old one's name (none in an array) */
	if (old->string) {
		value->string = cJSON_malloc(strlen(old->string) + 1);
		if (!value->string) {
			up_json_wipe_delete(value);
			return op_fail(t, UP_ERR_NOMEM, op->path, "failed: out of memory");
		}
		strcpy(value->string, old->string);
	}
	if (t->c_arr == parent && t->c_item == old)
		t->c_item = value;
	list_insert_before(parent, value, old);
	list_detach(parent, old);
	discard(t, old);
	return UP_OK;
}

/*
 * The value at op->from for move/copy, in *item (borrowed), checked that it
 * still fits the depth limit once placed at op->path.
 */
static enum up_err resolve_source(struct txn *t, const struct op *op, cJSON **item)
{
	cJSON *parent;
	enum up_err err;
	size_t idx = 0;

	err = resolve(t, op->from, &parent, item, &idx);
	if (err != UP_OK)
		return err;
	if (up_json_deeper_than(*item, t->lim.max_depth - op->path_tokens))
		return op_fail(t, UP_ERR_LIMIT, op->path,
		               "failed: value would nest deeper than %zu levels", t->lim.max_depth);
	return UP_OK;
}

static enum up_err op_move(struct txn *t, const struct op *op)
{
	size_t flen = strlen(op->from);
	cJSON *parent, *item;
	enum up_err err;
	size_t idx = 0;

	if (strcmp(op->from, op->path) == 0)
		return resolve(t, op->from, &parent, &item, &idx);
	if (strncmp(op->from, op->path, flen) == 0 && op->path[flen] == '/')
		return op_fail(t, UP_ERR_MOVE_INTO_CHILD, op->path,
		               "failed: \"%s\" is inside \"%s\"", op->path, op->from);
	err = resolve_source(t, op, &item);
	if (err != UP_OK)
		return err;
	err = detach_at(t, op->from, &item);
	if (err != UP_OK)
		return err;
	return add_at(t, op->path, item);
}

static enum up_err op_copy(struct txn *t, const struct op *op)
{
	cJSON *item, *value;
	enum up_err err;
	size_t n;

	err = resolve_source(t, op, &item);
	if (err != UP_OK)
		return err;
	n = up_json_count_nodes(item, t->copy_budget);
	if (n > t->copy_budget)
		return op_fail(t, UP_ERR_LIMIT, op->path,
		               "failed: copies exceed %zu values in one patch",
		               t->lim.max_copy_nodes);
	t->copy_budget -= n;
	err = fresh_copy(t, op->path, item, &value);
	if (err != UP_OK)
		return err;
	return add_at(t, op->path, value);
}

static enum up_err apply_op(struct txn *t, const struct op *op)
{
	cJSON *parent, *item, *value;
	enum up_err err;
	size_t idx = 0;

	switch (op->kind) {
	case OP_ADD:
		err = fresh_copy(t, op->path, op->value, &value);
		if (err != UP_OK)
			return err;
		return add_at(t, op->path, value);
	case OP_REMOVE:
		err = detach_at(t, op->path, &item);
		if (err == UP_OK)
			discard(t, item);
		return err;
	case OP_REPLACE:
		return op_replace(t, op);
	case OP_MOVE:
		return op_move(t, op);
	case OP_COPY:
		return op_copy(t, op);
	case OP_TEST:
		err = resolve(t, op->path, &parent, &item, &idx);
		if (err != UP_OK)
			return err;
		if (!up_json_equal(item, op->value))
			return op_fail(t, UP_ERR_TEST_FAILED, op->path,
			               "failed: the value differs");
		return UP_OK;
	}
	return op_fail(t, UP_ERR_INTERNAL, op->path, "failed: unknown operation");
}

/* ---- driver ---- */

enum up_err up_patch_apply_to(const cJSON *doc, const cJSON *patch,
                              const struct up_json_limits *lim, cJSON **out,
                              struct up_patch_error *perr)
{
	struct op stack_ops[STACK_OPS], *ops = stack_ops;
	struct txn t;
	enum up_err err;
	size_t n = 0, i;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	t.perr = perr;
	up_json_limits_resolve(lim, &t.lim);
	t.copy_budget = t.lim.max_copy_nodes;
	err = count_ops(patch, &t.lim, &n, perr);
	if (err != UP_OK)
		goto out;
	if (!doc) {
		err = report(perr, UP_ERR_INTERNAL, -1, NULL, "no document to patch");
		goto out;
	}
	if (n > STACK_OPS && !(ops = malloc(n * sizeof(*ops)))) {
		err = report(perr, UP_ERR_NOMEM, -1, NULL, "out of memory");
		goto out;
	}
	err = check_patch(patch, &t.lim, ops, n, perr);
	if (err != UP_OK)
		goto out;
	t.root = cJSON_Duplicate(doc, 1);
	if (!t.root) {
		err = report(perr, UP_ERR_NOMEM, -1, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n && err == UP_OK; i++) {
		t.op = &ops[i];
		t.op_index = (long)i;
		err = apply_op(&t, &ops[i]);
	}
	if (err != UP_OK) {
		up_json_wipe_delete(t.root);
		goto out;
	}
	*out = t.root;
	up_patch_error_clear(perr);
out:
	if (ops != stack_ops)
		free(ops);
	return err;
}

enum up_err up_patch_apply(cJSON **doc, const cJSON *patch, const struct up_json_limits *lim,
                           struct up_patch_error *perr)
{
	cJSON *out = NULL;
	enum up_err err;

	err = up_patch_apply_to(doc ? *doc : NULL, patch, lim, &out, perr);
	if (err != UP_OK)
		return err;
	up_json_wipe_delete(*doc);
	*doc = out;
	return UP_OK;
}
