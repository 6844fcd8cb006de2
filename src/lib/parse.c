/* SPDX-License-Identifier: ISC */
/* parse.c: strict number and id parsing. */
#include <string.h>
#include <sodium.h>
#include "parse.h"

enum up_err up_parse_u64n(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || len == 0 || len > 20)
		return UP_ERR_BAD_REQUEST;
	if (len > 1 && s[0] == '0')
		return UP_ERR_BAD_REQUEST;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return UP_ERR_BAD_REQUEST;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return UP_ERR_BAD_REQUEST;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return UP_ERR_BAD_REQUEST;
	*out = v;
	return UP_OK;
}

enum up_err up_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (s == NULL)
		return UP_ERR_BAD_REQUEST;
	return up_parse_u64n(s, strlen(s), min, max, out);
}

enum up_err up_parse_duration(const char *s, uint64_t *seconds)
{
	static const struct {
		char unit;
		uint64_t seconds;
	} units[] = {{'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	const uint64_t max = 100ULL * 366 * 86400;
	size_t len = s != NULL ? strlen(s) : 0, i;
	uint64_t n;

	if (len < 2)
		return UP_ERR_BAD_REQUEST;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (s[len - 1] != units[i].unit)
			continue;
		if (up_parse_u64n(s, len - 1, 1, max / units[i].seconds, &n) != UP_OK)
			return UP_ERR_BAD_REQUEST;
		*seconds = n * units[i].seconds;
		return UP_OK;
	}
	return UP_ERR_BAD_REQUEST;
}

enum up_err up_parse_public_id(const char *s, const char *prefix, uint64_t *id)
{
	size_t plen = strlen(prefix);

	if (s == NULL || strncmp(s, prefix, plen) != 0)
		return UP_ERR_NOT_FOUND;
	if (up_parse_u64(s + plen, 1, (uint64_t)INT64_MAX, id) != UP_OK)
		return UP_ERR_NOT_FOUND;
	return UP_OK;
}

int up_memeq_const_time(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}
