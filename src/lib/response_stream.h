/* SPDX-License-Identifier: ISC */
/*
 * response_stream.h: an answer written while it is made (exports), so a
 * worker's memory does not grow with the answer.  The accept loop gives
 * the response its writer (struct up_response: out, out_ctx); the status
 * and headers leave at up_stream_begin, each piece at up_stream_put, and
 * the accept loop then writes nothing more.  Without a writer (tests) the
 * pieces are kept in resp->body.  Once begun, the status cannot change: an
 * error met later only ends the answer early (and is logged).
 */
#ifndef UP_RESPONSE_STREAM_H
#define UP_RESPONSE_STREAM_H

#include <stddef.h>
#include "http.h"

/* Start the answer: status, the headers added so far, content_type (static). */
enum up_err up_stream_begin(struct up_response *resp, int status, const char *content_type);

/* Send len bytes of buf (borrowed); nothing for HEAD.  UP_ERR_IO when the client is gone. */
enum up_err up_stream_put(struct up_response *resp, const char *buf, size_t len);

/*
 * A growing text buffer (exports build one record, or one chunk of
 * records, in it).  Owned by the caller: up_text_free().
 */
struct up_text {
	char *p;
	size_t len, cap;
};

/* Append len bytes (0 or UP_ERR_NOMEM). */
enum up_err up_text_add(struct up_text *t, const char *s, size_t len);
enum up_err up_text_str(struct up_text *t, const char *s);
void up_text_free(struct up_text *t);

/* Send t's text with up_stream_put and empty t. */
enum up_err up_stream_text(struct up_response *resp, struct up_text *t);

#endif
