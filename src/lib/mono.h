/* SPDX-License-Identifier: ISC */
/*
 * mono.h: the monotonic clock, for ages and intervals (a cached token's
 * age, the usage counts' flush, the db layer's fail-back delay, the admin
 * tool's progress and pauses); never wall time, which can step.
 */
#ifndef UP_MONO_H
#define UP_MONO_H

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t up_mono_ns(void);

/* The same in milliseconds. */
long long up_mono_ms(void);

#endif
