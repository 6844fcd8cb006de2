/* SPDX-License-Identifier: ISC */
/* catalog.c: lookups in the generated countries and time zones lists. */
#include <stdlib.h>
#include <string.h>
#include "catalog.h"

/* Defined in the generated catalog_data.c. */
extern const char *const up_catalog_countries[];
extern const size_t up_catalog_countries_count;
extern const char *const up_catalog_time_zones[];
extern const size_t up_catalog_time_zones_count;

static const char *const *list(enum up_catalog c, size_t *n)
{
	if (c == UP_CATALOG_COUNTRIES) {
		*n = up_catalog_countries_count;
		return up_catalog_countries;
	}
	*n = up_catalog_time_zones_count;
	return up_catalog_time_zones;
}

size_t up_catalog_count(enum up_catalog c)
{
	size_t n;

	(void)list(c, &n);
	return n;
}

const char *up_catalog_item(enum up_catalog c, size_t i)
{
	size_t n;
	const char *const *l = list(c, &n);

	return i < n ? l[i] : NULL;
}

static int cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

int up_catalog_has(enum up_catalog c, const char *s)
{
	size_t n;
	const char *const *l = list(c, &n);

	return bsearch(s, l, n, sizeof(l[0]), cmp) != NULL;
}
