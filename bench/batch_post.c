/* SPDX-License-Identifier: ISC */
/*
 * batch_post.c: a lean HTTP/1.1 load generator for 1,000-position batch
 * POSTs, so that the client costs little of the CPU it shares with the
 * server it measures.  One thread per connection (keep-alive TCP), each for
 * its own device FIRST_DEVICE + i:
 *   json      POST /api/devices/dev-<id>/locations, a JSON array of 1,000
 *             positions;
 *   overland  POST /api/trackers/overland, {"locations":[...]} of 1,000
 *             GeoJSON Features with properties.device_id "u<id>".
 *
 *   batch_post MODE HOST PORT TOKEN FIRST_DEVICE CONNECTIONS SECONDS T0
 *
 * HOST is a numeric IPv4 address.  Each connection builds its request
 * (headers and body) once, with fixed-width time slots; per request it only
 * rewrites the 1,000 times in place: point i of request n carries
 * T0 + n * 1,000 + i (seconds since 1970, UTC), so no fix time repeats on a
 * device.  The members, values and number formats are those of the wrk
 * script bench/ingest_bench.sh used for these batches before.
 *
 * Runs SECONDS; a request in flight at the end is finished but, as wrk
 * does, only the answers completed within SECONDS count.  Prints "requests
 * seconds" (the 2xx answers counted and SECONDS) on stdout.  Any non-2xx
 * answer or socket error: its status and body on stderr, exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "parse.h"

#define POINTS 1000
#define TIME_LEN 20       /* YYYY-MM-DDTHH:MM:SSZ */
#define POINT_MAX 320     /* one point's JSON, at most */
#define RESPONSE_MAX 8192 /* kept of an answer (the rest of a long body is read and dropped) */

static const char json_point[] = "\",\"latitude\":%.5f,\"longitude\":%.5f,\"altitude\":35,"
                                 "\"speed\":42.5,\"course\":90,\"accuracy\":5}";
static const char overland_head[] = "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                                    "\"coordinates\":[%.5f,%.5f]},\"properties\":{\"timestamp\":\"";
static const char overland_tail[] = "\",\"altitude\":35,\"speed\":11.8,\"course\":90,"
                                    "\"horizontal_accuracy\":5,\"device_id\":\"u%lu\"}}";

static int overland;
static const char *host, *token;
static struct sockaddr_in addr;
static uint64_t port, t0;
static struct timespec deadline;
static int stop; /* set (atomically) by a connection that failed */

struct conn {
	pthread_t thread;
	unsigned long device;
	int fd;
	char *req; /* the request: headers and body */
	size_t len;
	size_t slot[POINTS]; /* where the times are in req */
	unsigned long n;     /* requests sent */
	unsigned long done;  /* 2xx answers completed within SECONDS */
	int failed;
	char resp[RESPONSE_MAX + 1];
};

static int after_deadline(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > deadline.tv_sec ||
	       (t.tv_sec == deadline.tv_sec && t.tv_nsec >= deadline.tv_nsec);
}

static int open_socket(struct conn *c)
{
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "batch_post: device %lu: connect to %s:%lu: %s\n", c->device, host,
	        (unsigned long)port, strerror(errno));
	return -1;
}

/* The request with placeholder times and the offsets of its time slots. */
static int build_request(struct conn *c)
{
	char *body = malloc((size_t)POINTS * POINT_MAX + 64), head[512];
	size_t used = 0, hlen, i;
	int rc = -1;

	if (body == NULL)
		goto out;
	used += (size_t)sprintf(body, "%s", overland ? "{\"locations\":[" : "[");
	for (i = 0; i < POINTS; i++) {
		double lat = 48.85 + (double)i / 1e5, lon = 2.29 + (double)i / 1e5;

		if (i > 0)
			body[used++] = ',';
		if (overland)
			used += (size_t)sprintf(body + used, overland_head, lon, lat);
		else
			used += (size_t)sprintf(body + used, "{\"time\":\"");
		c->slot[i] = used;
		memset(body + used, '0', TIME_LEN);
		used += TIME_LEN;
		if (overland)
			used += (size_t)sprintf(body + used, overland_tail, c->device);
		else
			used += (size_t)sprintf(body + used, json_point, lat, lon);
	}
	used += (size_t)sprintf(body + used, "%s", overland ? "]}" : "]");
	if (overland)
		hlen = (size_t)snprintf(head, sizeof(head),
		                        "POST /api/trackers/overland HTTP/1.1\r\n");
	else
		hlen = (size_t)snprintf(head, sizeof(head),
		                        "POST /api/devices/dev-%lu/locations HTTP/1.1\r\n",
		                        c->device);
	hlen += (size_t)snprintf(head + hlen, sizeof(head) - hlen,
	                         "Host: %s:%lu\r\nAuthorization: Bearer %s\r\n"
	                         "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	                         host, (unsigned long)port, token, used);
	if (hlen >= sizeof(head) || (c->req = malloc(hlen + used)) == NULL)
		goto out;
	memcpy(c->req, head, hlen);
	memcpy(c->req + hlen, body, used);
	c->len = hlen + used;
	for (i = 0; i < POINTS; i++)
		c->slot[i] += hlen;
	rc = 0;
out:
	free(body);
	return rc;
}

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DD" of day z since 1970-01-01 (z >= 0; H. Hinnant's civil_from_days). */
static void put_date(char *p, uint64_t z)
{
	uint64_t era, doe, yoe, doy, mp, y, m, d;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	put2(p, (unsigned)(y / 100 % 100));
	put2(p + 2, (unsigned)(y % 100));
	p[4] = '-';
	put2(p + 5, (unsigned)m);
	p[7] = '-';
	put2(p + 8, (unsigned)d);
}

/* Writes request n's times: point i at T0 + n * POINTS + i. */
static void set_times(struct conn *c)
{
	uint64_t t = t0 + (uint64_t)c->n * POINTS, day = UINT64_MAX;
	char date[10];
	size_t i;

	for (i = 0; i < POINTS; i++, t++) {
		char *p = c->req + c->slot[i];
		unsigned s = (unsigned)(t % 86400);

		if (t / 86400 != day) {
			day = t / 86400;
			put_date(date, day);
		}
		memcpy(p, date, 10);
		p[10] = 'T';
		put2(p + 11, s / 3600);
		p[13] = ':';
		put2(p + 14, s / 60 % 60);
		p[16] = ':';
		put2(p + 17, s % 60);
		p[19] = 'Z';
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The length of a complete chunked body at p (n bytes, trailers included),
 * 0 while incomplete, -1 if malformed.
 */
static long chunked_length(const char *p, size_t n)
{
	size_t at = 0;

	for (;;) {
		const char *eol = memchr(p + at, '\n', n - at);
		char *end;
		unsigned long size;

		if (eol == NULL)
			return 0;
		size = strtoul(p + at, &end, 16);
		if (end == p + at)
			return -1;
		at = (size_t)(eol - p) + 1;
		if (size == 0)
			break;
		if (n - at < size + 2)
			return 0;
		at += size + 2;
	}
	for (;;) { /* trailers, up to an empty line */
		const char *eol = memchr(p + at, '\n', n - at);

		if (eol == NULL)
			return 0;
		if (eol == p + at || (eol == p + at + 1 && p[at] == '\r'))
			return (long)((size_t)(eol - p) + 1);
		at = (size_t)(eol - p) + 1;
	}
}

/* Reads more of an answer into c->resp after *have bytes: 0, or -1 when full, closed or failed. */
static int read_more(struct conn *c, size_t *have)
{
	ssize_t r;

	do {
		if (*have == RESPONSE_MAX)
			return -1;
		r = read(c->fd, c->resp + *have, RESPONSE_MAX - *have);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	*have += (size_t)r;
	c->resp[*have] = '\0';
	return 0;
}

/*
 * Reads one answer into c->resp (its first RESPONSE_MAX bytes).  Returns
 * its status, or -1 on a socket or protocol error.  Sets *close_after if
 * the server closes the connection after it.
 */
static int read_response(struct conn *c, int *close_after)
{
	size_t have = 0, head, body_have;
	unsigned long long length = 0, left;
	int status = -1, chunked = 0, has_length = 0;
	const char *why = "connection closed or failed";
	char *line, *eoh = NULL, scratch[16384];
	long n;

	*close_after = 0;
	c->resp[0] = '\0';
	while (eoh == NULL) {
		if (read_more(c, &have) != 0) {
			if (have == RESPONSE_MAX)
				why = "header too long";
			goto fail;
		}
		eoh = strstr(c->resp, "\r\n\r\n");
	}
	head = (size_t)(eoh - c->resp) + 4;
	why = "bad answer";
	if (sscanf(c->resp, "HTTP/1.%*1[01] %3d", &status) != 1)
		goto fail;
	for (line = strstr(c->resp, "\r\n") + 2; line < eoh; line = strstr(line, "\r\n") + 2) {
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			length = strtoull(line + 15, NULL, 10);
			has_length = 1;
		} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0) {
			chunked = strncasecmp(line + 18, " chunked", 8) == 0;
		} else if (strncasecmp(line, "Connection:", 11) == 0) {
			*close_after = strncasecmp(line + 11, " close", 6) == 0;
		}
	}
	body_have = have - head;
	if (chunked) { /* small: the whole of it in c->resp */
		while ((n = chunked_length(c->resp + head, have - head)) == 0)
			if (read_more(c, &have) != 0)
				goto fail;
		if (n < 0 || (size_t)n != have - head)
			goto fail;
	} else if (has_length) {
		if (body_have > length)
			goto fail; /* more than the answer: nothing is pipelined */
		for (left = length - body_have; left > 0;) {
			char *to = have < RESPONSE_MAX ? c->resp + have : scratch;
			size_t room = have < RESPONSE_MAX ? RESPONSE_MAX - have : sizeof(scratch);
			ssize_t r = read(c->fd, to, room < left ? room : (size_t)left);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto fail;
			if (to != scratch) {
				have += (size_t)r;
				c->resp[have] = '\0';
			}
			left -= (unsigned long long)r;
		}
	} else if (status >= 200 && status != 204 && status != 304) {
		why = "no length on a keep-alive connection";
		goto fail;
	}
	return status;
fail:
	fprintf(stderr, "batch_post: device %lu: %s (status %d): %s\n", c->device, why, status,
	        c->resp);
	return -1;
}

static void *run(void *arg)
{
	struct conn *c = arg;
	int status, close_after;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) && !after_deadline()) {
		set_times(c);
		c->n++;
		if (send_all(c->fd, c->req, c->len) != 0) {
			fprintf(stderr, "batch_post: device %lu: send: %s\n", c->device,
			        strerror(errno));
			goto fail;
		}
		status = read_response(c, &close_after);
		if (status < 0)
			goto fail;
		if (status < 200 || status > 299) {
			fprintf(stderr, "batch_post: device %lu: %s\n", c->device, c->resp);
			goto fail;
		}
		if (!after_deadline())
			c->done++;
		if (close_after) {
			close(c->fd);
			if (open_socket(c) != 0)
				goto fail;
		}
	}
	return NULL;
fail:
	c->failed = 1;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t first, conns, seconds, i, started = 0;
	unsigned long done = 0;
	struct conn *c = NULL;
	int rc = 1;

	if (argc != 9 || (strcmp(argv[1], "json") != 0 && strcmp(argv[1], "overland") != 0) ||
	    inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1 ||
	    up_parse_u64(argv[3], 1, 65535, &port) != UP_OK ||
	    up_parse_u64(argv[5], 1, UINT32_MAX, &first) != UP_OK ||
	    up_parse_u64(argv[6], 1, 256, &conns) != UP_OK ||
	    up_parse_u64(argv[7], 1, 3600, &seconds) != UP_OK ||
	    up_parse_u64(argv[8], 0, (uint64_t)1 << 40, &t0) != UP_OK) {
		fprintf(stderr, "usage: batch_post json|overland HOST PORT TOKEN FIRST_DEVICE "
		                "CONNECTIONS SECONDS T0\n");
		return 2;
	}
	overland = strcmp(argv[1], "overland") == 0;
	host = argv[2];
	token = argv[4];
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if ((c = calloc(conns, sizeof(*c))) == NULL)
		goto out;
	for (i = 0; i < conns; i++) {
		c[i].fd = -1;
		c[i].device = (unsigned long)(first + i);
		if (build_request(&c[i]) != 0 || open_socket(&c[i]) != 0)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)seconds;
	for (; started < conns; started++)
		if (pthread_create(&c[started].thread, NULL, run, &c[started]) != 0)
			goto out;
	rc = 0;
out:
	if (started < conns)
		__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < started; i++) {
		pthread_join(c[i].thread, NULL);
		if (c[i].failed)
			rc = 1;
		done += c[i].done;
	}
	if (rc == 0)
		printf("%lu %lu\n", done, (unsigned long)seconds);
	for (i = 0; c != NULL && i < conns; i++) {
		if (c[i].fd >= 0)
			close(c[i].fd);
		free(c[i].req);
	}
	free(c);
	return rc;
}
