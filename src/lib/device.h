/*
 * device.h: validators of the identifiers the device-app API receives
 * (DESIGN 1.1): IMEI, IMSI, ICCID, E.164 phone numbers, usernames, and the
 * Luhn check digit.  Pure functions: no allocation, no I/O, no global state.
 *
 * Each validator returns 1 when s is acceptable, else 0 and, when why is not
 * NULL, points *why at a static sentence saying what is wrong.
 */
#ifndef UP_DEVICE_H
#define UP_DEVICE_H

#include <stddef.h>
#include "config.h"

/* 1 if the n >= 2 bytes at s are digits whose last one is the Luhn check digit. */
int up_luhn_valid(const char *s, size_t n);

/*
 * IMEI: 15 digits, or 16 for an IMEISV.  UP_DEVICE_STRICT also requires the
 * Luhn check digit of a 15-digit IMEI (an IMEISV has none).
 */
int up_valid_imei(const char *s, enum up_device_mode mode, const char **why);

/* IMSI: 6-15 digits (MCC 3 + MNC 2-3 + MSIN). */
int up_valid_imsi(const char *s, const char **why);

/* ICCID: 19-20 digits; UP_DEVICE_STRICT also requires the prefix 89 and the Luhn check digit. */
int up_valid_iccid(const char *s, enum up_device_mode mode, const char **why);

/* E.164 phone number: '+', then 8-15 digits, the first not 0. */
int up_valid_e164(const char *s, const char **why);

/* Username: 1-150 characters of [A-Za-z0-9@.+_-]. */
int up_valid_username(const char *s, const char **why);

#endif
