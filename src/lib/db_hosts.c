/* SPDX-License-Identifier: ISC */
/* db_hosts.c: parsing the db_host list. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "db_hosts.h"
#include "parse.h"

/* Parse one entry "host", "host:port", "[v6]" or "[v6]:port" into h. */
static int parse_host(const char *s, size_t n, struct up_db_host *h)
{
	const char *name = s, *colon;
	size_t namelen = n;
	uint64_t port = 0;

	memset(h, 0, sizeof(*h));
	if (n > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (end == NULL)
			return -1;
		name = s + 1;
		namelen = (size_t)(end - name);
		colon = end + 1 < s + n ? end + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return -1;
	} else {
		colon = memchr(s, ':', n);
		if (colon != NULL)
			namelen = (size_t)(colon - s);
	}
	if (namelen == 0 || namelen >= sizeof(h->name))
		return -1;
	if (colon != NULL &&
	    up_parse_u64n(colon + 1, (size_t)(s + n - colon - 1), 1, 65535, &port) != UP_OK)
		return -1;
	memcpy(h->name, name, namelen);
	h->name[namelen] = '\0';
	if (strpbrk(h->name, " \t[]") != NULL)
		return -1;
	h->port = (unsigned)port;
	return 0;
}

static void label_host(struct up_db_host *h, unsigned default_port)
{
	if (strcmp(h->name, "localhost") == 0 && h->port == 0)
		snprintf(h->label, sizeof(h->label), "localhost");
	else
		snprintf(h->label, sizeof(h->label), strchr(h->name, ':') ? "[%s]:%u" : "%s:%u",
		         h->name, h->port != 0 ? h->port : default_port);
}

int up_db_hosts_parse(const char *list, unsigned default_port, struct up_db_host *hosts, size_t max,
                      char *err, size_t errlen)
{
	size_t count = 0;

	if (list == NULL)
		list = "localhost";
	for (;;) {
		size_t n = strcspn(list, ",");

		while (n > 0 && (*list == ' ' || *list == '\t')) {
			list++;
			n--;
		}
		while (n > 0 && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			n--;
		if (count == max) {
			snprintf(err, errlen, "db_host lists more than %zu hosts", max);
			return -1;
		}
		if (parse_host(list, n, &hosts[count]) != 0) {
			snprintf(err, errlen,
			         "db_host entry %zu is not host, host:port or [ipv6]:port",
			         count + 1);
			return -1;
		}
		label_host(&hosts[count], default_port);
		count++;
		list += strcspn(list, ",");
		if (*list != ',')
			break;
		list++;
	}
	return (int)count;
}

enum up_err up_db_check_hosts(const char *list, char *err, size_t errlen)
{
	struct up_db_host hosts[UP_DB_HOSTS_MAX];

	return up_db_hosts_parse(list, 3306, hosts, UP_DB_HOSTS_MAX, err, errlen) < 0
	               ? UP_ERR_CONFIG
	               : UP_OK;
}
