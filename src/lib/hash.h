/* SPDX-License-Identifier: ISC */
/* hash.h: a fast non-cryptographic hash for lookups and identities (never for secrets). */
#ifndef UP_HASH_H
#define UP_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a (64 bits) of the n bytes at p. */
uint64_t up_hash(const void *p, size_t n);

#endif
