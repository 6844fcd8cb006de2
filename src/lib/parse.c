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
