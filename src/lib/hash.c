/* SPDX-License-Identifier: ISC */
/* hash.c: FNV-1a (hash.h). */
#include "hash.h"

uint64_t up_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}
