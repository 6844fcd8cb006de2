/* SPDX-License-Identifier: ISC */
/*
 * test_device.c: table-driven tests of the identifier validators of field_check.h
 * (IMEI, IMSI, ICCID, E.164, usernames, Luhn) in both validation modes,
 * called as the field tables call them.  No database.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "field_check.h"
#include "resource.h"
#include "testutil.h"

enum kind { K_IMEI, K_IMSI, K_ICCID, K_E164, K_USERNAME, K_UNIQUE_ID, K_LUHN };

struct dev_case {
	int line;
	const char *desc;
	enum kind kind;
	const char *input;
	int format_ok; /* expected in UP_DEVICE_FORMAT mode */
	int strict_ok; /* expected in UP_DEVICE_STRICT mode */
};

#define C(kind, desc, input, format_ok, strict_ok)                                                 \
	{                                                                                          \
		__LINE__, desc, kind, input, format_ok, strict_ok                                  \
	}

static const struct dev_case cases[] = {
        /* IMEI */
        C(K_IMEI, "seed example IMEI: 15 digits, Luhn wrong", "123456789012345", 1, 0),
        C(K_IMEI, "15 digits with a correct Luhn digit", "490154203237518", 1, 1),
        C(K_IMEI, "another Luhn-valid IMEI", "353918053412348", 1, 1),
        C(K_IMEI, "Luhn-valid IMEI with its last digit changed", "353918053412349", 1, 0),
        C(K_IMEI, "spare digit sent as 0 by a device (Luhn wrong)", "353918053412340", 1, 0),
        C(K_IMEI, "16-digit IMEISV: no check digit to verify", "3539180534123401", 1, 1),
        C(K_IMEI, "14 digits is too short", "35391805341234", 0, 0),
        C(K_IMEI, "17 digits is too long", "35391805341234012", 0, 0),
        C(K_IMEI, "empty", "", 0, 0),
        C(K_IMEI, "letter inside", "35391805341234A", 0, 0),
        C(K_IMEI, "dashes as printed on a box", "35-391805-341234-8", 0, 0),
        C(K_IMEI, "leading space", " 353918053412348", 0, 0),
        C(K_IMEI, "sign", "+353918053412348", 0, 0),
        /* IMSI */
        C(K_IMSI, "seed example IMSI: 15 digits", "310120123456789", 1, 1),
        C(K_IMSI, "14-digit IMSI exists", "31012012345678", 1, 1),
        C(K_IMSI, "6 digits: MCC + MNC + 1-digit MSIN (minimum)", "310120", 1, 1),
        C(K_IMSI, "5 digits is too short", "31012", 0, 0),
        C(K_IMSI, "16 digits is too long", "3101201234567890", 0, 0),
        C(K_IMSI, "empty", "", 0, 0),
        C(K_IMSI, "hex digit", "31012012345678f", 0, 0),
        C(K_IMSI, "trailing newline", "310120123456789\n", 0, 0),
        /* ICCID */
        C(K_ICCID, "seed example ICCID: 20 digits, no 89, Luhn wrong", "12345678901234567890", 1,
          0),
        C(K_ICCID, "20 digits, 89 prefix, Luhn valid", "89148000001234567898", 1, 1),
        C(K_ICCID, "19 digits, 89 prefix, Luhn valid", "8910042348144559361", 1, 1),
        C(K_ICCID, "89 prefix but Luhn wrong", "89148000001234567899", 1, 0),
        C(K_ICCID, "Luhn valid but no 89 prefix", "79927398713000000008", 1, 0),
        C(K_ICCID, "18 digits is too short", "891480000012345678", 0, 0),
        C(K_ICCID, "21 digits is too long", "891480000012345678981", 0, 0),
        C(K_ICCID, "empty", "", 0, 0),
        C(K_ICCID, "trailing F filler as read from some SIMs", "8914800000123456789F", 0, 0),
        /* E.164 */
        C(K_E164, "seed example number: + and 10 digits", "+1234567890", 1, 1),
        C(K_E164, "8 digits (minimum)", "+12345678", 1, 1),
        C(K_E164, "15 digits (maximum)", "+123456789012345", 1, 1),
        C(K_E164, "7 digits is too short", "+1234567", 0, 0),
        C(K_E164, "16 digits is too long", "+1234567890123456", 0, 0),
        C(K_E164, "no plus sign", "1234567890", 0, 0),
        C(K_E164, "country code starting with 0", "+0234567890", 0, 0),
        C(K_E164, "international prefix 00 instead of +", "001234567890", 0, 0),
        C(K_E164, "spaces", "+1 234 567 890", 0, 0),
        C(K_E164, "plus alone", "+", 0, 0),
        C(K_E164, "empty", "", 0, 0),
        /* usernames */
        C(K_USERNAME, "seed example", "john_doe", 1, 1),
        C(K_USERNAME, "every allowed punctuation", "a.b+c_d-e@f", 1, 1),
        C(K_USERNAME, "one character", "x", 1, 1),
        C(K_USERNAME, "150 characters (maximum)",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "a"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          1, 1),
        C(K_USERNAME, "151 characters is too long",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "a"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          0, 0),
        C(K_USERNAME, "empty", "", 0, 0),
        C(K_USERNAME, "space inside", "john doe", 0, 0),
        C(K_USERNAME, "non-ASCII letter", "j\xc3\xb6rg", 0, 0),
        C(K_USERNAME, "slash", "john/doe", 0, 0),
        C(K_USERNAME, "quote", "john'doe", 0, 0),
        /* Luhn on its own (mode does not matter) */
        C(K_LUHN, "classic example 79927398713", "79927398713", 1, 1),
        C(K_LUHN, "79927398710 is wrong", "79927398710", 0, 0),
        C(K_UNIQUE_ID, "Traccar Client's default: 6 digits", "123456", 1, 1),
        C(K_UNIQUE_ID, "every allowed kind of character", "Phone-7_a.b:c", 1, 1),
        C(K_UNIQUE_ID, "an IMEI works as a uniqueId", "353918053412348", 1, 1),
        C(K_UNIQUE_ID, "64 characters",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 1),
        C(K_UNIQUE_ID, "65 characters is too long",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0),
        C(K_UNIQUE_ID, "empty", "", 0, 0),
        C(K_UNIQUE_ID, "space inside", "my phone", 0, 0),
        C(K_UNIQUE_ID, "slash (a path segment)", "a/b", 0, 0),
        C(K_UNIQUE_ID, "non-ASCII letter", "t\xc3\xa9l", 0, 0),
        C(K_LUHN, "all zeros", "00", 1, 1),
        C(K_LUHN, "a single digit is too short", "0", 0, 0),
        C(K_LUHN, "non-digit", "7992739871a", 0, 0),
};

/* validator fn on the string s in mode; *why (when not NULL) the detail's reason. */
static int call(up_check_fn fn, const char *s, enum up_device_mode mode, char *why, size_t len)
{
	struct up_error e = {0};
	struct up_check c = {NULL, "x", mode, NULL, &e};
	cJSON *v = cJSON_CreateString(s);
	const cJSON *reason;
	int ok;

	ck_assert_ptr_nonnull(v);
	ok = fn(&c, v);
	reason = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(e.details, 0), "reason");
	ck_assert_msg(ok == (reason == NULL), "'%s': verdict %d and %s detail", s, ok,
	              reason != NULL ? "a" : "no");
	if (why != NULL)
		snprintf(why, len, "%s", cJSON_IsString(reason) ? reason->valuestring : "");
	cJSON_Delete(v);
	up_error_reset(&e);
	return ok;
}

static int run(const struct dev_case *c, enum up_device_mode mode, char *why, size_t len)
{
	static const up_check_fn fns[] = {
	        [K_IMEI] = up_check_imei,         [K_IMSI] = up_check_imsi,
	        [K_ICCID] = up_check_iccid,       [K_E164] = up_check_e164,
	        [K_USERNAME] = up_check_username, [K_UNIQUE_ID] = up_check_unique_id,
	};

	if (c->kind == K_LUHN)
		return up_luhn_valid(c->input, strlen(c->input));
	return call(fns[c->kind], c->input, mode, why, len);
}

static void check_mode(int i, enum up_device_mode mode, int expected)
{
	const struct dev_case *c = &cases[i];
	char why[256] = "";
	int got = run(c, mode, why, sizeof(why));

	ck_assert_msg(got == expected, "line %d (%s mode): %s: '%s' gave %d, expected %d", c->line,
	              mode == UP_DEVICE_STRICT ? "strict" : "format", c->desc, c->input, got,
	              expected);
	if (c->kind != K_LUHN && !got)
		ck_assert_msg(why[0] != '\0', "line %d: %s: no reason given", c->line, c->desc);
}

START_TEST(test_format_mode)
{
	check_mode(_i, UP_DEVICE_FORMAT, cases[_i].format_ok);
}
END_TEST

START_TEST(test_strict_mode)
{
	check_mode(_i, UP_DEVICE_STRICT, cases[_i].strict_ok);
}
END_TEST

/* Every 15-digit prefix has exactly one Luhn digit: the strict rule is not vacuous. */
START_TEST(test_luhn_one_digit_per_prefix)
{
	char imei[16] = "35391805341234?";
	int valid = 0, d;

	for (d = 0; d <= 9; d++) {
		imei[14] = (char)('0' + d);
		valid += call(up_check_imei, imei, UP_DEVICE_STRICT, NULL, 0);
		ck_assert_int_eq(call(up_check_imei, imei, UP_DEVICE_FORMAT, NULL, 0), 1);
	}
	ck_assert_int_eq(valid, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("validators");

	tcase_add_loop_test(tc, test_format_mode, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_strict_mode, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_luhn_one_digit_per_prefix);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
