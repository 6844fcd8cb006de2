/* SPDX-License-Identifier: ISC */
/* json_equal.c: RFC 6902 section 4.6 equality of two cJSON values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_equal.h"

/* Objects up to this many members are compared without allocating. */
#define SMALL_OBJECT 32

struct member {
	const char *name;
	size_t pos;
	const cJSON *item;
};

static int kind(const cJSON *v)
{
	return v->type & 0xff;
}

static const char *name_of(const cJSON *m)
{
	return m->string ? m->string : "";
}

static size_t count_children(const cJSON *v)
{
	size_t n = 0;
	const cJSON *c;

	for (c = v->child; c; c = c->next)
		n++;
	return n;
}

/*
 * The rank of member m among the members of its object that share its name:
 * 0 for the first of that name, 1 for the second...
 */
static size_t name_rank(const cJSON *obj, const cJSON *m)
{
	const cJSON *c;
	size_t rank = 0;

	for (c = obj->child; c && c != m; c = c->next)
		if (strcmp(name_of(c), name_of(m)) == 0)
			rank++;
	return rank;
}

/* The member of obj named name with the given rank, or NULL. */
static const cJSON *find_ranked(const cJSON *obj, const char *name, size_t rank)
{
	const cJSON *c;

	for (c = obj->child; c; c = c->next) {
		if (strcmp(name_of(c), name) != 0)
			continue;
		if (rank == 0)
			return c;
		rank--;
	}
	return NULL;
}

/* O(n*m) comparison, for small objects and as a fallback without memory. */
static int objects_equal_small(const cJSON *a, const cJSON *b)
{
	const cJSON *m, *other;

	for (m = a->child; m; m = m->next) {
		other = find_ranked(b, name_of(m), name_rank(a, m));
		if (!other || !up_json_equal(m, other))
			return 0;
	}
	return 1;
}

static int member_cmp(const void *pa, const void *pb)
{
	const struct member *x = pa, *y = pb;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Fill arr (n slots) with obj's members sorted by (name, position). */
static void sorted_members(const cJSON *obj, struct member *arr, size_t n)
{
	const cJSON *c;
	size_t i = 0;

	for (c = obj->child; c && i < n; c = c->next, i++) {
		arr[i].name = name_of(c);
		arr[i].pos = i;
		arr[i].item = c;
	}
	qsort(arr, n, sizeof(*arr), member_cmp);
}

/* O(n log n) comparison for large objects. */
static int objects_equal_large(const cJSON *a, const cJSON *b, size_t n)
{
	struct member *ma = NULL, *mb = NULL;
	size_t i;
	int equal = 0;

	if (n > SIZE_MAX / 2 / sizeof(*ma))
		goto out;
	ma = malloc(2 * n * sizeof(*ma));
	if (!ma) {
		/* no memory: still answer, more slowly */
		equal = objects_equal_small(a, b);
		goto out;
	}
	mb = ma + n;
	sorted_members(a, ma, n);
	sorted_members(b, mb, n);
	for (i = 0; i < n; i++) {
		if (strcmp(ma[i].name, mb[i].name) != 0)
			goto out;
		if (!up_json_equal(ma[i].item, mb[i].item))
			goto out;
	}
	equal = 1;
out:
	free(ma);
	return equal;
}

static int objects_equal(const cJSON *a, const cJSON *b)
{
	size_t n = count_children(a);

	if (n != count_children(b))
		return 0;
	if (n <= SMALL_OBJECT)
		return objects_equal_small(a, b);
	return objects_equal_large(a, b, n);
}

static int arrays_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x = a->child, *y = b->child;

	while (x && y) {
		if (!up_json_equal(x, y))
			return 0;
		x = x->next;
		y = y->next;
	}
	return x == NULL && y == NULL;
}

int up_json_equal(const cJSON *a, const cJSON *b)
{
	if (a == b)
		return 1;
	if (!a || !b || kind(a) != kind(b))
		return 0;
	switch (kind(a)) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		if (!a->valuestring || !b->valuestring)
			return a->valuestring == b->valuestring;
		return strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		return arrays_equal(a, b);
	case cJSON_Object:
		return objects_equal(a, b);
	default:
		return 0;
	}
}
