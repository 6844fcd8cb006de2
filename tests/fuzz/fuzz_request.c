/* SPDX-License-Identifier: ISC */
/*
 * fuzz_request.c: libFuzzer entry for the request reader (CGI environment +
 * body -> struct up_request).
 *
 * Input: byte 0 sets the body cap (its value times 8) and the read chunk
 * size (low 3 bits + 1), then "NAME=value" entries separated by NUL bytes up
 * to an empty entry ("\0\0"), then the body stream.  Checked: the reader
 * never reads past CONTENT_LENGTH nor past the cap plus the bounded drain;
 * on UP_OK the body is exactly CONTENT_LENGTH bytes of the stream, NUL
 * terminated; the request id is always 32 safe characters; an error other
 * than UP_ERR_TOO_LARGE/IO/NOMEM says why in req.problem; the path has no
 * NUL; the query is valid percent-encoding; and everything is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENV 32

struct fenv {
	const char *names[MAX_ENV], *values[MAX_ENV];
	char *store[MAX_ENV];
	size_t n;
	const uint8_t *body;
	size_t body_len, pos, chunk;
};

static const char *fz_getenv(void *ctx, const char *name)
{
	const struct fenv *e = ctx;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->names[i], name) == 0)
			return e->values[i];
	return NULL;
}

static long fz_read(void *ctx, char *buf, size_t len)
{
	struct fenv *e = ctx;
	size_t n = e->body_len - e->pos;

	if (n > len)
		n = len;
	if (n > e->chunk)
		n = e->chunk;
	memcpy(buf, e->body + e->pos, n);
	e->pos += n;
	return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fenv e;
	struct up_request req;
	const uint8_t *p, *end = data + size;
	size_t max_body, i;
	const char *clen;
	uint64_t announced = 0;
	enum up_err rc;

	if (size < 1)
		return 0;
	memset(&e, 0, sizeof(e));
	max_body = (size_t)data[0] * 8;
	e.chunk = (size_t)(data[0] & 7) + 1;
	p = data + 1;
	while (p < end && e.n < MAX_ENV) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul != NULL ? (size_t)(nul - p) : (size_t)(end - p);
		char *entry, *eq;

		if (len == 0) {
			p++;
			break;
		}
		entry = malloc(len + 1);
		if (entry == NULL)
			goto out;
		memcpy(entry, p, len);
		entry[len] = '\0';
		e.store[e.n] = entry;
		eq = strchr(entry, '=');
		if (eq != NULL) {
			*eq = '\0';
			e.names[e.n] = entry;
			e.values[e.n] = eq + 1;
			e.n++;
		} else {
			free(entry);
			e.store[e.n] = NULL;
		}
		p += len + (nul != NULL ? 1 : 0);
	}
	e.body = p;
	e.body_len = (size_t)(end - p);

	rc = up_request_read(&req, fz_getenv, &e, fz_read, &e, max_body);
	if (strlen(req.request_id) < 1 || strlen(req.request_id) > UP_REQUEST_ID_LEN)
		abort();
	if (strspn(req.request_id,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
	    strlen(req.request_id))
		abort();
	clen = fz_getenv(&e, "CONTENT_LENGTH");
	if (clen != NULL && clen[0] != '\0' &&
	    up_parse_u64(clen, 0, UINT64_MAX, &announced) == UP_OK) {
		/* Never past CONTENT_LENGTH; past the cap only the bounded drain. */
		if (e.pos > announced)
			abort();
	} else if (e.pos != 0) {
		abort(); /* no (valid) CONTENT_LENGTH: the body is not read */
	}
	if (rc == UP_OK) {
		if (req.body_len != announced && !(req.body == NULL && announced == 0))
			abort();
		if (req.body_len > max_body)
			abort();
		if (req.body != NULL &&
		    (req.body[req.body_len] != '\0' || memcmp(req.body, e.body, req.body_len) != 0))
			abort();
		if (req.path == NULL || req.query == NULL || !up_query_valid(req.query))
			abort();
		if (req.problem != NULL)
			abort();
	} else if (rc == UP_ERR_BAD_REQUEST) {
		if (req.problem == NULL || req.problem[0] == '\0')
			abort();
	} else if (rc != UP_ERR_TOO_LARGE && rc != UP_ERR_IO && rc != UP_ERR_NOMEM) {
		abort();
	}
	up_request_free(&req);
out:
	for (i = 0; i < MAX_ENV; i++)
		free(e.store[i]);
	return 0;
}
