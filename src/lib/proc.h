/* SPDX-License-Identifier: ISC */
/*
 * proc.h: the process's id without a system call per use.  glibc no longer
 * caches getpid(), and the request path asked for it several times per
 * request (whose are the usage counts, the token cache); the id is read
 * once and again in a forked child (pthread_atfork).
 */
#ifndef UP_PROC_H
#define UP_PROC_H

#include <sys/types.h>

/* The calling process's id (getpid()), read once per process. */
pid_t up_proc_id(void);

#endif
