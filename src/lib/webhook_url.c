/* SPDX-License-Identifier: ISC */
/* webhook_url.c: webhook URLs and the addresses a delivery may reach. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "net_guard.h"
#include "parse.h"
#include "webhook_url.h"

/* 1 if c may appear in a URL we send (printable ASCII, no blank). */
static int url_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '<' && c != '>';
}

/* The authority [start, end) into out: host and port. */
static enum up_err parse_authority(const char *start, const char *end, struct up_webhook_url *out,
                                   const char **why)
{
	const char *host = start, *host_end, *colon = NULL;
	size_t n;

	if (memchr(start, '@', (size_t)(end - start)) != NULL) {
		*why = "has a user name or password";
		return UP_ERR_VALIDATION;
	}
	if (start < end && *start == '[') {
		host = start + 1;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (host_end == NULL || (host_end + 1 < end && host_end[1] != ':')) {
			*why = "has a malformed IPv6 address";
			return UP_ERR_VALIDATION;
		}
		colon = host_end + 1 < end ? host_end + 1 : NULL;
	} else {
		colon = memchr(start, ':', (size_t)(end - start));
		host_end = colon != NULL ? colon : end;
	}
	n = (size_t)(host_end - host);
	if (n == 0 || n > UP_WEBHOOK_HOST_MAX) {
		*why = "has no host";
		return UP_ERR_VALIDATION;
	}
	memcpy(out->host, host, n);
	out->host[n] = '\0';
	if (colon != NULL) {
		uint64_t port;

		if (up_parse_u64n(colon + 1, (size_t)(end - colon - 1), 1, 65535, &port) != UP_OK) {
			*why = "has a bad port";
			return UP_ERR_VALIDATION;
		}
		out->port = (unsigned)port;
	}
	return UP_OK;
}

enum up_err up_webhook_url_parse(const char *url, int allow_http, struct up_webhook_url *out,
                                 const char **why)
{
	const char *p, *auth_end;
	size_t i, len;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	len = url != NULL ? strlen(url) : 0;
	if (len == 0 || len > UP_WEBHOOK_URL_MAX) {
		*why = len == 0 ? "is empty" : "is longer than 2048 characters";
		return UP_ERR_VALIDATION;
	}
	for (i = 0; i < len; i++)
		if (!url_char_ok((unsigned char)url[i])) {
			*why = "holds a blank or control character";
			return UP_ERR_VALIDATION;
		}
	if (strncasecmp(url, "https://", 8) == 0) {
		out->https = 1;
		out->port = 443;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		if (!allow_http) {
			*why = "must be https";
			return UP_ERR_VALIDATION;
		}
		out->port = 80;
		p = url + 7;
	} else {
		*why = allow_http ? "must be http or https" : "must be https";
		return UP_ERR_VALIDATION;
	}
	if (strchr(p, '#') != NULL) {
		*why = "has a fragment";
		return UP_ERR_VALIDATION;
	}
	auth_end = p + strcspn(p, "/?");
	return parse_authority(p, auth_end, out, why);
}

/* 1 if sa lies in the block written as text ("10.0.0.0/8", "::1"). */
static int in_block(const char *text, size_t n, const struct sockaddr *sa)
{
	char buf[64];
	const char *slash;
	unsigned char net[16];
	const unsigned char *addr;
	uint64_t bits;
	int family = memchr(text, ':', n) != NULL ? AF_INET6 : AF_INET;
	size_t alen = family == AF_INET6 ? 16 : 4, whole, rest;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, text, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	bits = alen * 8;
	if (slash != NULL) {
		if (up_parse_u64(slash + 1, 0, alen * 8, &bits) != UP_OK)
			return 0;
		buf[slash - buf] = '\0';
	}
	if (inet_pton(family, buf, net) != 1 || sa == NULL || sa->sa_family != family)
		return 0;
	addr = family == AF_INET6
	               ? ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr
	               : (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
	whole = bits / 8;
	rest = bits % 8;
	if (memcmp(addr, net, whole) != 0)
		return 0;
	return rest == 0 || ((addr[whole] ^ net[whole]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

int up_webhook_allowed(const char *allow, const char *host, const struct sockaddr *sa)
{
	const char *p = allow;

	while (p != NULL && *p != '\0') {
		const char *end = p + strcspn(p, ",");
		const char *s = p, *e = end;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s) {
			if (host != NULL && strlen(host) == (size_t)(e - s) &&
			    strncasecmp(host, s, (size_t)(e - s)) == 0)
				return 1;
			if (in_block(s, (size_t)(e - s), sa))
				return 1;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

const char *up_webhook_addr_refused(const char *allow, const char *host, const struct sockaddr *sa)
{
	const char *why = up_addr_refused(sa);

	if (why != NULL && up_webhook_allowed(allow, host, sa))
		return NULL;
	return why;
}

enum up_err up_webhook_url_check(const char *url, const char *allow, int allow_http,
                                 const char **why)
{
	static const struct {
		const char *why, *said;
	} says[] = {
	        {"loopback", "resolves to a loopback address"},
	        {"private", "resolves to a private address"},
	        {"shared", "resolves to a shared (carrier-grade NAT) address"},
	        {"link-local", "resolves to a link-local address"},
	        {"multicast", "resolves to a multicast address"},
	        {"unspecified", "resolves to the unspecified address"},
	        {"reserved", "resolves to a reserved address"},
	};
	struct up_webhook_url u;
	struct addrinfo hints, *res = NULL, *ai;
	const char *refused = NULL;
	enum up_err rc;
	size_t i;

	rc = up_webhook_url_parse(url, allow_http, &u, why);
	if (rc != UP_OK)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(u.host, NULL, &hints, &res) != 0) {
		*why = "host does not resolve";
		return UP_ERR_VALIDATION;
	}
	for (ai = res; ai != NULL && refused == NULL; ai = ai->ai_next)
		refused = up_webhook_addr_refused(allow, u.host, ai->ai_addr);
	freeaddrinfo(res);
	if (refused == NULL)
		return UP_OK;
	*why = "resolves to an address that may not be reached";
	for (i = 0; i < sizeof(says) / sizeof(says[0]); i++)
		if (strcmp(says[i].why, refused) == 0)
			*why = says[i].said;
	return UP_ERR_VALIDATION;
}
