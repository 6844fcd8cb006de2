/* SPDX-License-Identifier: ISC */
/*
 * test_net_guard.c: the addresses a webhook may not reach (no network:
 * addresses are parsed, "localhost" comes from /etc/hosts).
 */
#include <string.h>
#include <arpa/inet.h>
#include <check.h>
#include "net_guard.h"
#include "testutil.h"

struct addr_case {
	int line;
	const char *desc;
	const char *addr;
	const char *why; /* NULL: public */
};

static const struct addr_case cases[] = {
        {__LINE__, "public v4", "93.184.216.34", NULL},
        {__LINE__, "public v4, next to private 172.16/12", "172.32.0.1", NULL},
        {__LINE__, "public v4, next to 100.64/10", "100.128.0.1", NULL},
        {__LINE__, "loopback", "127.0.0.1", "loopback"},
        {__LINE__, "loopback, anywhere in 127/8", "127.255.1.2", "loopback"},
        {__LINE__, "private 10/8", "10.1.2.3", "private"},
        {__LINE__, "private 172.16/12", "172.31.255.255", "private"},
        {__LINE__, "private 192.168/16", "192.168.1.1", "private"},
        {__LINE__, "shared (CGNAT)", "100.64.0.1", "shared"},
        {__LINE__, "link-local (cloud metadata)", "169.254.169.254", "link-local"},
        {__LINE__, "multicast", "224.0.0.1", "multicast"},
        {__LINE__, "unspecified", "0.0.0.0", "unspecified"},
        {__LINE__, "broadcast", "255.255.255.255", "reserved"},
        {__LINE__, "documentation range", "192.0.2.10", "reserved"},
        {__LINE__, "public v6", "2606:2800:220:1:248:1893:25c8:1946", NULL},
        {__LINE__, "v6 loopback", "::1", "loopback"},
        {__LINE__, "v6 unspecified", "::", "unspecified"},
        {__LINE__, "v6 unique local", "fd12:3456::1", "private"},
        {__LINE__, "v6 link-local", "fe80::1", "link-local"},
        {__LINE__, "v6 multicast", "ff02::1", "multicast"},
        {__LINE__, "v6 documentation", "2001:db8::1", "reserved"},
        {__LINE__, "IPv4-mapped loopback", "::ffff:127.0.0.1", "loopback"},
        {__LINE__, "IPv4-mapped private", "::ffff:10.0.0.1", "private"},
        {__LINE__, "IPv4-mapped public", "::ffff:93.184.216.34", NULL},
        {__LINE__, "NAT64 of a private address", "64:ff9b::192.168.0.1", "private"},
};

START_TEST(test_addr)
{
	const struct addr_case *c = &cases[_i];
	struct sockaddr_storage ss;
	const char *why;

	memset(&ss, 0, sizeof(ss));
	if (strchr(c->addr, ':') != NULL) {
		ss.ss_family = AF_INET6;
		ck_assert_int_eq(
		        inet_pton(AF_INET6, c->addr, &((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
	} else {
		ss.ss_family = AF_INET;
		ck_assert_int_eq(
		        inet_pton(AF_INET, c->addr, &((struct sockaddr_in *)&ss)->sin_addr), 1);
	}
	why = up_addr_refused((const struct sockaddr *)&ss);
	if (c->why == NULL)
		ck_assert_msg(why == NULL, "line %d (%s): refused as %s", c->line, c->desc, why);
	else
		ck_assert_msg(why != NULL && strcmp(why, c->why) == 0, "line %d (%s): %s", c->line,
		              c->desc, why != NULL ? why : "public");
}
END_TEST

START_TEST(test_host)
{
	const char *why = NULL;

	/* a name that resolves to loopback is refused like the address */
	ck_assert_int_eq(up_host_check("localhost", &why), UP_ERR_VALIDATION);
	ck_assert_str_eq(why, "loopback");
	ck_assert_int_eq(up_host_check("127.0.0.1", &why), UP_ERR_VALIDATION);
	ck_assert_int_eq(up_host_check("[::1]", &why), UP_ERR_BAD_REQUEST);
	ck_assert_int_eq(up_host_check("", &why), UP_ERR_BAD_REQUEST);
	ck_assert_str_eq(why, "does not resolve");
	ck_assert_int_eq(up_host_check("93.184.216.34", &why), UP_OK);
	ck_assert_ptr_null(why);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("net_guard");
	TCase *t = tcase_create("net_guard");

	tcase_add_loop_test(t, test_addr, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(t, test_host);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
