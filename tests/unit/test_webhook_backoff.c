/* SPDX-License-Identifier: ISC */
/*
 * test_webhook_backoff.c: the retry schedule of webhook deliveries,
 * wh_backoff_us (no database): 5 s, 30 s, 2 min, 10 min, 30 min, then an
 * hour each (docs/webhook-deliveries.md), scaled to the retry window, each
 * jittered to 80-120 % of its step; a later step never comes sooner than
 * the one before it, jitter included.
 */
#include <limits.h>
#include <stdint.h>
#include <check.h>
#include <sodium.h>
#include "testutil.h"
#include "webhook_deliver.h"

#define DAY WH_WINDOW_DEFAULT
#define S 1000000ull /* microseconds */
#define DRAWS 4000

struct backoff_case {
	int line;
	const char *desc;
	unsigned next;   /* the attempt the delay comes before */
	uint64_t window; /* seconds */
	uint64_t step;   /* the delay before jitter, in microseconds */
};

static const struct backoff_case cases[] = {
        {__LINE__, "before the 2nd attempt: 5 s", 2, DAY, 5 * S},
        {__LINE__, "before the 3rd: 30 s", 3, DAY, 30 * S},
        {__LINE__, "before the 4th: 2 min", 4, DAY, 120 * S},
        {__LINE__, "before the 5th: 10 min", 5, DAY, 600 * S},
        {__LINE__, "before the 6th: 30 min", 6, DAY, 1800 * S},
        {__LINE__, "before the 7th: an hour", 7, DAY, 3600 * S},
        {__LINE__, "capped: still an hour before the 8th", 8, DAY, 3600 * S},
        {__LINE__, "capped: an hour before the 1000th", 1000, DAY, 3600 * S},
        {__LINE__, "capped: an hour before the last there can be", UINT_MAX, DAY, 3600 * S},
        {__LINE__, "no attempt before (0): as before the 2nd", 0, DAY, 5 * S},
        {__LINE__, "one attempt numbered 1: as before the 2nd", 1, DAY, 5 * S},
        {__LINE__, "a test's 60 s window: 5 s scaled down", 2, 60, 5 * S * 60 / DAY},
        {__LINE__, "a test's 60 s window, capped: an hour scaled down", 9, 60, 3600 * S * 60 / DAY},
        {__LINE__, "the longest window (7 days), capped: 7 hours", 9, 7 * DAY, 7 * 3600 * S},
        {__LINE__, "a window of 0: no delay at all", 2, 0, 0},
        {__LINE__, "a window of 0, capped: no delay at all", 9, 0, 0},
};

/* The least and the most of DRAWS delays before attempt next. */
static void draw(unsigned next, uint64_t window, uint64_t *lo, uint64_t *hi)
{
	int i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < DRAWS; i++) {
		uint64_t d = wh_backoff_us(next, window);

		*lo = d < *lo ? d : *lo;
		*hi = d > *hi ? d : *hi;
	}
}

START_TEST(test_backoff)
{
	const struct backoff_case *c = &cases[_i];
	uint64_t lo, hi;

	draw(c->next, c->window, &lo, &hi);
	ck_assert_msg(lo >= c->step * 4 / 5, "line %d (%s): %llu us, under 80 %% of %llu", c->line,
	              c->desc, (unsigned long long)lo, (unsigned long long)c->step);
	ck_assert_msg(c->step == 0 ? hi == 0 : hi < c->step * 6 / 5,
	              "line %d (%s): %llu us, 120 %% of %llu or more", c->line, c->desc,
	              (unsigned long long)hi, (unsigned long long)c->step);
	/* The jitter is spread over the range: its lowest and highest tenths are met. */
	if (c->step >= 1000)
		ck_assert_msg(lo < c->step * 21 / 25 && hi > c->step * 29 / 25,
		              "line %d (%s): %llu..%llu us, not spread over 80-120 %% of %llu",
		              c->line, c->desc, (unsigned long long)lo, (unsigned long long)hi,
		              (unsigned long long)c->step);
}
END_TEST

/* Up to the cap, the shortest delay before attempt n+1 is longer than the longest before n. */
START_TEST(test_backoff_grows)
{
	uint64_t lo, hi, prev_hi = 0;
	unsigned next;

	for (next = 2; next <= 7; next++) {
		draw(next, DAY, &lo, &hi);
		ck_assert_msg(lo > prev_hi, "before attempt %u: %llu us, not over %llu", next,
		              (unsigned long long)lo, (unsigned long long)prev_hi);
		prev_hi = hi;
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhook_backoff");
	TCase *t = tcase_create("webhook_backoff");

	tcase_add_loop_test(t, test_backoff, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(t, test_backoff_grows);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return tu_run(suite());
}
