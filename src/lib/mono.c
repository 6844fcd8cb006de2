/* SPDX-License-Identifier: ISC */
/* mono.c: the monotonic clock (mono.h). */
#include <time.h>
#include "mono.h"

uint64_t up_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long long up_mono_ms(void)
{
	return (long long)(up_mono_ns() / 1000000u);
}
