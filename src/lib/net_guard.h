/* SPDX-License-Identifier: ISC */
/*
 * net_guard.h: which network addresses an outgoing request (a webhook
 * delivery) must not reach: loopback, private, shared (CGNAT),
 * link-local, multicast, broadcast, unspecified and reserved addresses, IPv4
 * and IPv6 (IPv4-mapped and NAT64 addresses are judged by their IPv4
 * address).  Used when a URL is accepted and again at connect time,
 * against DNS rebinding.
 */
#ifndef UP_NET_GUARD_H
#define UP_NET_GUARD_H

#include <sys/socket.h>
#include "errors.h"

/*
 * Why sa (borrowed) must not be reached ("loopback", "private",
 * "link-local"...), or NULL when it is a public address.  A family other
 * than AF_INET / AF_INET6 is "unsupported".
 */
const char *up_addr_refused(const struct sockaddr *sa);

/*
 * Resolve host (borrowed) and judge every address it has: UP_OK when all
 * are public; UP_ERR_VALIDATION with *why (borrowed, static) the reason of
 * the first refused one; UP_ERR_BAD_REQUEST with *why "does not resolve".
 */
enum up_err up_host_check(const char *host, const char **why);

#endif
