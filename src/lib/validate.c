/* SPDX-License-Identifier: ISC */
/* validate.c: shared field validators. */
#define _GNU_SOURCE /* timegm */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "json.h"
#include "validate.h"

int up_valid_charset(const char *s, const char *allowed, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, allowed) == n;
}

int up_valid_digits(const char *s, size_t min, size_t max)
{
	return min > 0 && up_valid_charset(s, "0123456789", min, max);
}

int up_valid_email(const char *s)
{
	static const char local_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "0123456789.!#$%&'*+/=?^_`{|}~-";
	static const char label_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "0123456789-";
	const char *at = strchr(s, '@'), *d;
	size_t n = strlen(s), local;
	int labels = 0;

	if (at == NULL || n > 254 || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || strspn(s, local_ok) < local)
		return 0;
	if (s[0] == '.' || at[-1] == '.' || strstr(s, "..") != NULL)
		return 0;
	/* Domain: dot-separated labels of 1-63 [A-Za-z0-9-], not starting or ending with '-'. */
	d = at + 1;
	for (;;) {
		size_t len = strspn(d, label_ok);

		if (len == 0 || len > 63 || d[0] == '-' || d[len - 1] == '-')
			return 0;
		labels++;
		d += len;
		if (*d == '\0')
			break;
		if (*d != '.')
			return 0;
		d++;
	}
	return labels >= 2;
}

static int two(const char *p, int *v)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return 0;
	*v = (p[0] - '0') * 10 + (p[1] - '0');
	return 1;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int up_valid_rfc3339(const char *s, char *sql, size_t len)
{
	int y1, y2, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	char frac[7] = "000000";
	struct tm tm;
	time_t t;
	const char *p;
	size_t nfrac = 0;

	if (strlen(s) < 20 || !two(s, &y1) || !two(s + 2, &y2) || s[4] != '-' || !two(s + 5, &mo) ||
	    s[7] != '-' || !two(s + 8, &d) || (s[10] != 'T' && s[10] != 't') || !two(s + 11, &h) ||
	    s[13] != ':' || !two(s + 14, &mi) || s[16] != ':' || !two(s + 17, &se))
		return 0;
	y1 = y1 * 100 + y2;
	if (y1 < 1000 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y1, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return 0;
	p = s + 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nfrac < 6)
				frac[nfrac] = *p;
			nfrac++;
			p++;
		}
		if (nfrac == 0 || nfrac > 9)
			return 0;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (!two(p + 1, &oh) || p[3] != ':' || !two(p + 4, &om) || oh > 23 || om > 59)
			return 0;
		p += 6;
	} else {
		return 0;
	}
	if (*p != '\0')
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y1 - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
		return 0;
	if (sql != NULL) {
		int n = snprintf(sql, len, "%04d-%02d-%02d %02d:%02d:%02d.%s", tm.tm_year + 1900,
		                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);

		if (n < 0 || (size_t)n >= len)
			return 0;
	}
	return 1;
}

/* UTF-8 of the Unicode spaces up_edge_space refuses (ASCII space apart). */
static const char *const unicode_spaces[] = {
        "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
        "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
        "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
        "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80", "\xef\xbb\xbf",
};

int up_edge_space(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return 1;
	for (i = 0; i < sizeof(unicode_spaces) / sizeof(unicode_spaces[0]); i++) {
		size_t k = strlen(unicode_spaces[i]);

		if (n >= k && (memcmp(s, unicode_spaces[i], k) == 0 ||
		               memcmp(s + n - k, unicode_spaces[i], k) == 0))
			return 1;
	}
	return 0;
}
