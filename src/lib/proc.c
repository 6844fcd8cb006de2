/* SPDX-License-Identifier: ISC */
/* proc.c: the process id, cached and refreshed in a forked child. */
#include <pthread.h>
#include <unistd.h>
#include "proc.h"

static pid_t cached;
static int registered;

static void in_child(void)
{
	cached = getpid();
}

pid_t up_proc_id(void)
{
	if (cached == 0) {
		if (!registered && pthread_atfork(NULL, NULL, in_child) == 0)
			registered = 1;
		cached = getpid();
		if (!registered) {
			/* No fork handler: ask every time rather than answer a stale id. */
			pid_t pid = cached;

			cached = 0;
			return pid;
		}
	}
	return cached;
}
