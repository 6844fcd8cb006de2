/* SPDX-License-Identifier: ISC */
/*
 * catalog.h: the fixed lists the Users API validates against and serves:
 * country names (ISO 3166-1 short names, from Debian's iso-codes) and IANA
 * time zone names (zones and links of tzdata.zi).  The lists are compiled in
 * from a source generated at build time (scripts/gen-catalog), sorted by
 * their bytes.
 */
#ifndef UP_CATALOG_H
#define UP_CATALOG_H

#include <stddef.h>

enum up_catalog { UP_CATALOG_COUNTRIES = 0, UP_CATALOG_TIME_ZONES };

/* Number of entries of a catalog. */
size_t up_catalog_count(enum up_catalog c);

/* Entry i (0 <= i < count), static storage; NULL when out of range. */
const char *up_catalog_item(enum up_catalog c, size_t i);

/* 1 if s (NUL-terminated, borrowed) is exactly an entry of the catalog, else 0. */
int up_catalog_has(enum up_catalog c, const char *s);

#endif
