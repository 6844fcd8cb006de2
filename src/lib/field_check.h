/* SPDX-License-Identifier: ISC */
/*
 * field_check.h: every validator of the field tables, in the one signature
 * up_check_fn (resource.h): the device identifiers (IMEI, IMSI, ICCID in
 * format or strict mode, read from c->mode), E.164 numbers, usernames, user
 * classes, countries and time zones of the catalogs, mail addresses, tags
 * and privileges.  A validator sees a value that passed its type check
 * (resource_validate.c); it says 1, or adds one detail to c->err saying
 * why and says 0.
 */
#ifndef UP_FIELD_CHECK_H
#define UP_FIELD_CHECK_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct up_check;

/* Add {"field": c->path (or the field's name), "reason": <formatted>} to c->err; returns 0. */
int up_check_fail(struct up_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Device identifiers (DESIGN 1.1); strict mode (c->mode) adds the Luhn check and ICCID's 89. */
int up_check_imei(struct up_check *c, const cJSON *v);  /* 15 digits, 16 for an IMEISV */
int up_check_imsi(struct up_check *c, const cJSON *v);  /* 6-15 digits */
int up_check_iccid(struct up_check *c, const cJSON *v); /* 19-20 digits */
int up_check_e164(struct up_check *c, const cJSON *v);  /* '+', 8-15 digits, the first not 0 */
/* The characters of a device's uniqueId (what tracker apps send as the device). */
#define UP_UNIQUE_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"
int up_check_unique_id(struct up_check *c, const cJSON *v); /* 1-64 of [A-Za-z0-9._:-] */

/* Users. */
int up_check_username(struct up_check *c, const cJSON *v);   /* 1-150 of [A-Za-z0-9@.+_-] */
int up_check_user_class(struct up_check *c, const cJSON *v); /* 1-64 of [A-Za-z0-9_.-] */
int up_check_country(struct up_check *c, const cJSON *v);    /* GET /api/users/countries */
int up_check_time_zone(struct up_check *c, const cJSON *v);  /* GET /api/users/timeZones */

/* Shared by several tables. */
int up_check_email(struct up_check *c, const cJSON *v);      /* a mail address */
int up_check_tags(struct up_check *c, const cJSON *v);       /* string -> string, <= max_len */
int up_check_privileges(struct up_check *c, const cJSON *v); /* unique [a-z_]{1,32}, <= max_len */

/* Webhooks: event types as GET /api/events takes them ("user.created", "device.*"). */
int up_check_event_types(struct up_check *c, const cJSON *v);

/* 1 if the n >= 2 bytes at s are digits whose last one is the Luhn check digit. */
int up_luhn_valid(const char *s, size_t n);

#endif
