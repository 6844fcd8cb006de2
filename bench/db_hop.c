/* SPDX-License-Identifier: ISC */
/*
 * db_hop.c: a database on another host, for the benchmarks.  Listens on a
 * Unix socket and forwards every connection to the database's socket,
 * holding each chunk of bytes, in both directions, DELAY_US microseconds
 * before passing it on, as a network of that one-way latency would: chunks
 * sent back to back arrive back to back, each DELAY_US after it left.
 *
 *   db_hop LISTEN_SOCKET TARGET_SOCKET DELAY_US
 *
 * Point db_socket at LISTEN_SOCKET.  Runs until killed.  Two threads per
 * direction of each connection (one reads and stamps, one waits and writes).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "parse.h"

struct chunk {
	struct chunk *next;
	struct timespec due;
	size_t len; /* 0: the sender closed its side */
	char data[];
};

/* One direction of one connection: chunks read from `from`, written to `to` when due. */
struct pipe {
	int from, to;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct chunk *head, *tail;
	struct conn *conn;
};

struct conn {
	struct pipe dir[2];
	pthread_mutex_t lock;
	int open; /* directions still running (4 threads: 2 per direction) */
};

static long delay_ns;

static void conn_release(struct conn *c)
{
	int last;

	pthread_mutex_lock(&c->lock);
	last = --c->open == 0;
	pthread_mutex_unlock(&c->lock);
	if (last) {
		close(c->dir[0].from);
		close(c->dir[1].from);
		free(c);
	}
}

static void push(struct pipe *p, struct chunk *k)
{
	pthread_mutex_lock(&p->lock);
	if (p->tail != NULL)
		p->tail->next = k;
	else
		p->head = k;
	p->tail = k;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
}

static void *reader(void *arg)
{
	struct pipe *p = arg;
	char buf[65536];

	for (;;) {
		ssize_t n = read(p->from, buf, sizeof(buf));
		struct chunk *k = malloc(sizeof(*k) + (n > 0 ? (size_t)n : 0));

		if (n < 0 && errno == EINTR) {
			free(k);
			continue;
		}
		if (k == NULL)
			abort();
		k->next = NULL;
		k->len = n > 0 ? (size_t)n : 0;
		if (n > 0)
			memcpy(k->data, buf, (size_t)n);
		clock_gettime(CLOCK_MONOTONIC, &k->due);
		k->due.tv_nsec += delay_ns;
		k->due.tv_sec += k->due.tv_nsec / 1000000000L;
		k->due.tv_nsec %= 1000000000L;
		push(p, k);
		if (n <= 0)
			break;
	}
	conn_release(p->conn);
	return NULL;
}

static void *writer(void *arg)
{
	struct pipe *p = arg;

	for (;;) {
		struct chunk *k;
		size_t off = 0;

		pthread_mutex_lock(&p->lock);
		while (p->head == NULL)
			pthread_cond_wait(&p->ready, &p->lock);
		k = p->head;
		p->head = k->next;
		if (p->head == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &k->due, NULL) == EINTR)
			;
		if (k->len == 0) {
			free(k);
			shutdown(p->to, SHUT_WR);
			break;
		}
		while (off < k->len) {
			ssize_t n = write(p->to, k->data + off, k->len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		free(k);
	}
	conn_release(p->conn);
	return NULL;
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un la, ta;
	uint64_t us;
	int ls;

	if (argc != 4 || unix_addr(argv[1], &la) != 0 || unix_addr(argv[2], &ta) != 0 ||
	    up_parse_u64(argv[3], 0, 1000000, &us) != UP_OK) {
		fprintf(stderr, "usage: db_hop LISTEN_SOCKET TARGET_SOCKET DELAY_US\n");
		return 2;
	}
	delay_ns = (long)us * 1000L;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake when due, not up to 50 us later */
	signal(SIGPIPE, SIG_IGN);
	unlink(argv[1]);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&la, sizeof(la)) != 0 || listen(ls, 128) != 0) {
		perror("db_hop: listen");
		return 1;
	}
	for (;;) {
		int cs = accept(ls, NULL, NULL), ts, i;
		struct conn *c;
		pthread_t t;

		if (cs < 0)
			continue;
		ts = socket(AF_UNIX, SOCK_STREAM, 0);
		if (ts < 0 || connect(ts, (struct sockaddr *)&ta, sizeof(ta)) != 0 ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(cs);
			if (ts >= 0)
				close(ts);
			continue;
		}
		pthread_mutex_init(&c->lock, NULL);
		c->open = 4;
		c->dir[0].from = cs;
		c->dir[0].to = ts;
		c->dir[1].from = ts;
		c->dir[1].to = cs;
		for (i = 0; i < 2; i++) {
			c->dir[i].conn = c;
			pthread_mutex_init(&c->dir[i].lock, NULL);
			pthread_cond_init(&c->dir[i].ready, NULL);
		}
		for (i = 0; i < 2; i++) {
			pthread_create(&t, NULL, reader, &c->dir[i]);
			pthread_detach(t);
			pthread_create(&t, NULL, writer, &c->dir[i]);
			pthread_detach(t);
		}
	}
}
