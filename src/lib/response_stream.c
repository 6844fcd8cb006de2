/* SPDX-License-Identifier: ISC */
/* response_stream.c: an answer written while it is made (response_stream.h). */
#include <stdlib.h>
#include <string.h>
#include "response_stream.h"

enum up_err up_stream_begin(struct up_response *resp, int status, const char *content_type)
{
	resp->status = status;
	resp->content_type = content_type;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	if (resp->out == NULL)
		return UP_OK;
	resp->streamed = 1;
	if (resp->out_body_only)
		return UP_OK;
	return up_response_write_head(resp, resp->out_request_id, resp->out, resp->out_ctx);
}

enum up_err up_stream_put(struct up_response *resp, const char *buf, size_t len)
{
	char *p;

	if (len == 0)
		return UP_OK;
	if (resp->out != NULL) {
		if (resp->out_head_only)
			return UP_OK;
		return resp->out(resp->out_ctx, buf, len) == 0 ? UP_OK : UP_ERR_IO;
	}
	/* No writer (tests): the answer is kept in the body. */
	p = realloc(resp->body, resp->body_len + len + 1);
	if (p == NULL)
		return UP_ERR_NOMEM;
	memcpy(p + resp->body_len, buf, len);
	resp->body = p;
	resp->body_len += len;
	p[resp->body_len] = '\0';
	return UP_OK;
}

enum up_err up_text_add(struct up_text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap > 0 ? t->cap : 256;
		char *p;

		while (cap < t->len + len + 1)
			cap *= 2;
		p = realloc(t->p, cap);
		if (p == NULL)
			return UP_ERR_NOMEM;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, len);
	t->len += len;
	t->p[t->len] = '\0';
	return UP_OK;
}

enum up_err up_text_str(struct up_text *t, const char *s)
{
	return up_text_add(t, s, strlen(s));
}

void up_text_free(struct up_text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

enum up_err up_stream_text(struct up_response *resp, struct up_text *t)
{
	enum up_err rc = up_stream_put(resp, t->p, t->len);

	t->len = 0;
	return rc;
}
