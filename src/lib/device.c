/* device.c: device-app identifier validators (see device.h). */
#include <string.h>
#include "device.h"

#define DIGITS "0123456789"

/* Length of s when it is digits only, else 0 (the empty string gives 0 too). */
static size_t digits_len(const char *s)
{
	size_t n = strlen(s);

	return strspn(s, DIGITS) == n ? n : 0;
}

static int no(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return 0;
}

int up_luhn_valid(const char *s, size_t n)
{
	unsigned sum = 0;
	size_t i;

	if (n < 2)
		return 0;
	/* From the right: the check digit as is, every second digit doubled. */
	for (i = 0; i < n; i++) {
		unsigned d;
		char c = s[n - 1 - i];

		if (c < '0' || c > '9')
			return 0;
		d = (unsigned)(c - '0');
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int up_valid_imei(const char *s, enum up_device_mode mode, const char **why)
{
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return no(why, "must contain digits only");
	if (n != 15 && n != 16)
		return no(why, "must be 15 digits (16 for an IMEISV)");
	if (mode == UP_DEVICE_STRICT && n == 15 && !up_luhn_valid(s, n))
		return no(why, "check digit (Luhn) is wrong");
	return 1;
}

int up_valid_imsi(const char *s, const char **why)
{
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return no(why, "must contain digits only");
	if (n < 6 || n > 15)
		return no(why, "must be 6 to 15 digits");
	return 1;
}

int up_valid_iccid(const char *s, enum up_device_mode mode, const char **why)
{
	size_t n = digits_len(s);

	if (n == 0 && s[0] != '\0')
		return no(why, "must contain digits only");
	if (n < 19 || n > 20)
		return no(why, "must be 19 or 20 digits");
	if (mode == UP_DEVICE_STRICT) {
		if (s[0] != '8' || s[1] != '9')
			return no(why, "must start with 89 (telecommunication industry)");
		if (!up_luhn_valid(s, n))
			return no(why, "check digit (Luhn) is wrong");
	}
	return 1;
}

int up_valid_e164(const char *s, const char **why)
{
	size_t n;

	if (s[0] != '+')
		return no(why, "must be in E.164 form: '+' then 8 to 15 digits");
	n = digits_len(s + 1);
	if (n < 8 || n > 15)
		return no(why, "must be in E.164 form: '+' then 8 to 15 digits");
	if (s[1] == '0')
		return no(why, "country code cannot start with 0");
	return 1;
}

int up_valid_username(const char *s, const char **why)
{
	static const char allowed[] =
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "@.+_-";
	size_t n = strlen(s);

	if (n < 1 || n > 150)
		return no(why, "must be 1 to 150 characters");
	if (strspn(s, allowed) != n)
		return no(why, "may contain only letters, digits and @ . + _ -");
	return 1;
}
