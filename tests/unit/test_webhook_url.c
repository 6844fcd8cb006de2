/* SPDX-License-Identifier: ISC */
/*
 * test_webhook_url.c: webhook URLs and the allow list (no network: only
 * address literals and "localhost", which /etc/hosts answers).
 */
#include <string.h>
#include <arpa/inet.h>
#include <check.h>
#include "webhook_url.h"
#include "testutil.h"

struct parse_case {
	int line;
	const char *desc;
	const char *url;
	int allow_http;
	const char *why; /* NULL: accepted */
	const char *host;
	unsigned port;
};

static const struct parse_case parse_cases[] = {
        {__LINE__, "https with path and query", "https://hooks.example.com/in?x=1", 0, NULL,
         "hooks.example.com", 443},
        {__LINE__, "https with a port", "https://example.com:8443", 0, NULL, "example.com", 8443},
        {__LINE__, "scheme in capitals", "HTTPS://example.com/", 0, NULL, "example.com", 443},
        {__LINE__, "IPv6 literal", "https://[2001:db8::1]:9000/x", 0, NULL, "2001:db8::1", 9000},
        {__LINE__, "http when allowed", "http://127.0.0.1:8080/hook", 1, NULL, "127.0.0.1", 8080},
        {__LINE__, "http when not allowed", "http://example.com/", 0, "must be https", NULL, 0},
        {__LINE__, "another scheme", "ftp://example.com/", 1, "must be http or https", NULL, 0},
        {__LINE__, "no scheme", "example.com/hook", 0, "must be https", NULL, 0},
        {__LINE__, "empty", "", 0, "is empty", NULL, 0},
        {__LINE__, "user and password", "https://u:p@example.com/", 0,
         "has a user name or password", NULL, 0},
        {__LINE__, "@ hiding the real host", "https://example.com@10.0.0.1/", 0,
         "has a user name or password", NULL, 0},
        {__LINE__, "no host", "https:///path", 0, "has no host", NULL, 0},
        {__LINE__, "port 0", "https://example.com:0/", 0, "has a bad port", NULL, 0},
        {__LINE__, "port too big", "https://example.com:65536/", 0, "has a bad port", NULL, 0},
        {__LINE__, "port not a number", "https://example.com:8a/", 0, "has a bad port", NULL, 0},
        {__LINE__, "empty port", "https://example.com:/", 0, "has a bad port", NULL, 0},
        {__LINE__, "unclosed IPv6", "https://[::1/x", 0, "has a malformed IPv6 address", NULL, 0},
        {__LINE__, "blank inside", "https://example.com/a b", 0,
         "holds a blank or control character", NULL, 0},
        {__LINE__, "newline (header injection)", "https://example.com/\r\nX: y", 0,
         "holds a blank or control character", NULL, 0},
        {__LINE__, "fragment", "https://example.com/#top", 0, "has a fragment", NULL, 0},
};

START_TEST(test_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	struct up_webhook_url u;
	const char *why = NULL;
	enum up_err rc = up_webhook_url_parse(c->url, c->allow_http, &u, &why);

	if (c->why == NULL) {
		ck_assert_msg(rc == UP_OK, "line %d (%s): refused: %s", c->line, c->desc,
		              why != NULL ? why : "?");
		ck_assert_str_eq(u.host, c->host);
		ck_assert_uint_eq(u.port, c->port);
	} else {
		ck_assert_msg(rc == UP_ERR_VALIDATION && why != NULL && strcmp(why, c->why) == 0,
		              "line %d (%s): %s", c->line, c->desc, why != NULL ? why : "accepted");
	}
}
END_TEST

struct allow_case {
	int line;
	const char *desc;
	const char *allow;
	const char *host;
	const char *addr;
	int allowed;
};

static const struct allow_case allow_cases[] = {
        {__LINE__, "empty list", "", "localhost", "127.0.0.1", 0},
        {__LINE__, "no list", NULL, "localhost", "127.0.0.1", 0},
        {__LINE__, "the address", "127.0.0.1", "x.example", "127.0.0.1", 1},
        {__LINE__, "another address", "127.0.0.2", "x.example", "127.0.0.1", 0},
        {__LINE__, "a block", "10.0.0.0/8", "x.example", "10.200.0.1", 1},
        {__LINE__, "outside the block", "10.0.0.0/8", "x.example", "11.0.0.1", 0},
        {__LINE__, "a /12 block, inside", "172.16.0.0/12", "x", "172.31.0.1", 1},
        {__LINE__, "a /12 block, outside", "172.16.0.0/12", "x", "172.32.0.1", 0},
        {__LINE__, "host name, any case", "Hooks.Internal", "hooks.internal", "10.0.0.1", 1},
        {__LINE__, "host name is not a suffix", "internal", "hooks.internal", "10.0.0.1", 0},
        {__LINE__, "second entry, with blanks", "a.example , 192.168.0.0/16", "x", "192.168.3.4",
         1},
        {__LINE__, "v6 block", "fd00::/8", "x", "fd12::1", 1},
        {__LINE__, "v6 entry, v4 address", "::1", "x", "127.0.0.1", 0},
        {__LINE__, "malformed entry matches nothing", "10.0.0.0/33", "x", "10.0.0.1", 0},
        {__LINE__, "prefix of zero bits", "0.0.0.0/0", "x", "10.0.0.1", 1},
};

static void fill(struct sockaddr_storage *ss, const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') != NULL) {
		ss->ss_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)ss)->sin6_addr),
		                 1);
	} else {
		ss->ss_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, addr, &((struct sockaddr_in *)ss)->sin_addr),
		                 1);
	}
}

START_TEST(test_allow)
{
	const struct allow_case *c = &allow_cases[_i];
	struct sockaddr_storage ss;

	fill(&ss, c->addr);
	ck_assert_msg(up_webhook_allowed(c->allow, c->host, (struct sockaddr *)&ss) == c->allowed,
	              "line %d (%s)", c->line, c->desc);
}
END_TEST

START_TEST(test_check)
{
	struct sockaddr_storage ss;
	const char *why = NULL;

	/* a name that resolves to loopback, not allowed */
	ck_assert_int_eq(up_webhook_url_check("http://localhost:9/x", NULL, 1, &why),
	                 UP_ERR_VALIDATION);
	ck_assert_str_eq(why, "resolves to a loopback address");
	ck_assert_int_eq(up_webhook_url_check("https://169.254.169.254/", "", 0, &why),
	                 UP_ERR_VALIDATION);
	ck_assert_str_eq(why, "resolves to a link-local address");
	ck_assert_int_eq(up_webhook_url_check("https://[fd00::1]/", "", 0, &why),
	                 UP_ERR_VALIDATION);
	ck_assert_str_eq(why, "resolves to a private address");
	/* allowed by address, and by name */
	ck_assert_int_eq(up_webhook_url_check("http://127.0.0.1:9/x", "127.0.0.1", 1, &why), UP_OK);
	ck_assert_int_eq(up_webhook_url_check("https://93.184.216.34/", NULL, 0, &why), UP_OK);
	/* at connect time: the address decides, the name's exception holds */
	fill(&ss, "127.0.0.1");
	ck_assert_str_eq(up_webhook_addr_refused(NULL, "example.com", (struct sockaddr *)&ss),
	                 "loopback");
	ck_assert_ptr_null(
	        up_webhook_addr_refused("127.0.0.0/8", "example.com", (struct sockaddr *)&ss));
	fill(&ss, "93.184.216.34");
	ck_assert_ptr_null(up_webhook_addr_refused(NULL, "example.com", (struct sockaddr *)&ss));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhook_url");
	TCase *t = tcase_create("webhook_url");

	tcase_add_loop_test(t, test_parse, 0, (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	tcase_add_loop_test(t, test_allow, 0, (int)(sizeof(allow_cases) / sizeof(allow_cases[0])));
	tcase_add_test(t, test_check);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
