/* SPDX-License-Identifier: ISC */
/* net_guard.c: addresses an outgoing request must not reach (SSRF rules). */
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include "net_guard.h"

/* One IPv4 range: net/bits, and why it is refused. */
struct range4 {
	unsigned char net[4];
	unsigned bits;
	const char *why;
};

static const struct range4 ranges4[] = {
        {{0, 0, 0, 0}, 8, "unspecified"},     {{10, 0, 0, 0}, 8, "private"},
        {{100, 64, 0, 0}, 10, "shared"},      {{127, 0, 0, 0}, 8, "loopback"},
        {{169, 254, 0, 0}, 16, "link-local"}, {{172, 16, 0, 0}, 12, "private"},
        {{192, 0, 0, 0}, 24, "reserved"},     {{192, 0, 2, 0}, 24, "reserved"},
        {{192, 88, 99, 0}, 24, "reserved"},   {{192, 168, 0, 0}, 16, "private"},
        {{198, 18, 0, 0}, 15, "reserved"},    {{198, 51, 100, 0}, 24, "reserved"},
        {{203, 0, 113, 0}, 24, "reserved"},   {{224, 0, 0, 0}, 4, "multicast"},
        {{240, 0, 0, 0}, 4, "reserved"},
};

/* 1 if the first bits of a and b agree. */
static int prefix_eq(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

static const char *refused4(const unsigned char *a)
{
	size_t i;

	for (i = 0; i < sizeof(ranges4) / sizeof(ranges4[0]); i++)
		if (prefix_eq(a, ranges4[i].net, ranges4[i].bits))
			return ranges4[i].why;
	return NULL; /* 255.255.255.255 is in 240/4 */
}

struct range6 {
	unsigned char net[16];
	unsigned bits;
	const char *why;
};

static const struct range6 ranges6[] = {
        {{0xfc}, 7, "private"},
        {{0xfe, 0x80}, 10, "link-local"},
        {{0xfe, 0xc0}, 10, "private"},
        {{0xff}, 8, "multicast"},
        {{0x20, 0x01, 0x0d, 0xb8}, 32, "reserved"},
        {{0x01, 0x00}, 64, "reserved"},
};

static const char *refused6(const unsigned char *a)
{
	static const unsigned char zero[16],
	        mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
	size_t i;

	if (memcmp(a, zero, 15) == 0)
		return a[15] == 0 ? "unspecified" : a[15] == 1 ? "loopback" : "reserved";
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return refused4(a + 12);
	if (memcmp(a, zero, 12) == 0)
		return "reserved"; /* IPv4-compatible, deprecated */
	for (i = 0; i < sizeof(ranges6) / sizeof(ranges6[0]); i++)
		if (prefix_eq(a, ranges6[i].net, ranges6[i].bits))
			return ranges6[i].why;
	return NULL;
}

const char *up_addr_refused(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return refused4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return refused6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
	return "unsupported";
}

enum up_err up_host_check(const char *host, const char **why)
{
	struct addrinfo hints, *res = NULL, *ai;
	enum up_err rc = UP_OK;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	*why = NULL;
	if (host == NULL || host[0] == '\0' || getaddrinfo(host, NULL, &hints, &res) != 0) {
		*why = "does not resolve";
		return UP_ERR_BAD_REQUEST;
	}
	for (ai = res; ai != NULL && rc == UP_OK; ai = ai->ai_next) {
		*why = up_addr_refused(ai->ai_addr);
		if (*why != NULL)
			rc = UP_ERR_VALIDATION;
	}
	freeaddrinfo(res);
	return rc;
}
