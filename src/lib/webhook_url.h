/* SPDX-License-Identifier: ISC */
/*
 * webhook_url.h: which URLs a webhook may have, and which addresses a
 * delivery may connect to (DESIGN 1.8, SSRF rules).  A URL is
 * https://host[:port][/path][?query] (http:// only with
 * webhook_allow_http); no user name or password, no fragment, no blank or
 * control character.  Its host, and at connect time every address it
 * resolves to, must be public (net_guard.h) unless the configuration's
 * webhook_allow_hosts names it: a comma-separated list of host names
 * (compared case-insensitively with the URL's host), IP addresses and
 * CIDR blocks ("127.0.0.1", "10.0.0.0/8", "fd00::/8").
 */
#ifndef UP_WEBHOOK_URL_H
#define UP_WEBHOOK_URL_H

#include <sys/socket.h>
#include "errors.h"

#define UP_WEBHOOK_URL_MAX 2048
#define UP_WEBHOOK_HOST_MAX 253

/* A URL taken apart by up_webhook_url_parse (no pointers into the text). */
struct up_webhook_url {
	int https;                          /* 1: https, 0: http */
	char host[UP_WEBHOOK_HOST_MAX + 1]; /* as written, brackets of an IPv6 literal removed */
	unsigned port;                      /* the one given, else 443 or 80 */
};

/*
 * Take url (borrowed) apart into *out.  UP_ERR_VALIDATION with *why
 * (static) a short reason ("must be https", "has a user name", ...) when
 * it is not a webhook URL; allow_http accepts http://.
 */
enum up_err up_webhook_url_parse(const char *url, int allow_http, struct up_webhook_url *out,
                                 const char **why);

/*
 * 1 if the allow list (borrowed; NULL or "" is empty) names host (the
 * URL's host, borrowed; may be NULL) or holds the address sa (may be
 * NULL); 0 otherwise.  A malformed entry matches nothing.
 */
int up_webhook_allowed(const char *allow, const char *host, const struct sockaddr *sa);

/*
 * May a delivery for host connect to sa?  NULL if so, else why not
 * ("loopback", "private", ...; static): a public address, or one the
 * allow list names (by host or address).  Call it for the address the
 * connection is about to use (curl's open-socket callback), against DNS
 * rebinding.
 */
const char *up_webhook_addr_refused(const char *allow, const char *host, const struct sockaddr *sa);

/*
 * The whole check of a webhook URL when it is created or changed: parse,
 * resolve the host and judge every address.  UP_ERR_VALIDATION with *why
 * a reason ("resolves to a loopback address"...); UP_ERR_VALIDATION with
 * *why "host does not resolve" when it does not.
 */
enum up_err up_webhook_url_check(const char *url, const char *allow, int allow_http,
                                 const char **why);

#endif
