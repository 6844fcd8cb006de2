/* SPDX-License-Identifier: ISC */
/*
 * webhook_send.c: the HTTP step, libcurl's multi interface: o->parallel
 * POSTs in flight, connections kept alive between batches.  Limits: the
 * configured connect and request times, no redirect (a 3xx is a failure),
 * https only (http too with webhook_allow_http), no proxy, the answer read
 * up to WH_BODY_CAP bytes.  Every address a connection is about to use is
 * judged by up_webhook_addr_refused first (curl's open-socket callback),
 * against DNS rebinding: a refused one is never connected to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <curl/curl.h>
#include <sodium.h>
#include "autoconfig.h"
#include "webhook_deliver.h"

struct wh_sender {
	const struct wh_opts *o;
	CURLM *multi;
	CURL **easy;                 /* o->parallel handles */
	struct curl_slist **headers; /* the headers of each handle's job */
	char user_agent[64];
};

enum up_err wh_sender_new(const struct wh_opts *o, struct wh_sender **out)
{
	struct wh_sender *s = calloc(1, sizeof(*s));
	unsigned i;

	*out = NULL;
	if (s == NULL)
		return UP_ERR_NOMEM;
	s->o = o;
	snprintf(s->user_agent, sizeof(s->user_agent), "userpatch-webhooks/%s", PACKAGE_VERSION);
	s->multi = curl_multi_init();
	s->easy = calloc(o->parallel, sizeof(*s->easy));
	s->headers = calloc(o->parallel, sizeof(*s->headers));
	if (s->multi == NULL || s->easy == NULL || s->headers == NULL)
		goto nomem;
	for (i = 0; i < o->parallel; i++)
		if ((s->easy[i] = curl_easy_init()) == NULL)
			goto nomem;
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)o->parallel * 2);
	*out = s;
	return UP_OK;
nomem:
	wh_sender_free(s);
	return UP_ERR_NOMEM;
}

void wh_sender_free(struct wh_sender *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; s->easy != NULL && i < s->o->parallel; i++) {
		curl_easy_cleanup(s->easy[i]);
		curl_slist_free_all(s->headers[i]);
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	free(s->easy);
	free(s->headers);
	free(s);
}

/* Open-socket callback: a socket for an address the webhook may reach, else none. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct wh_job *j = arg;
	const char *why;

	if (purpose != CURLSOCKTYPE_IPCXN) {
		j->refused = "unsupported";
		return CURL_SOCKET_BAD;
	}
	why = up_webhook_addr_refused(j->allow, j->parsed.host, &a->addr);
	if (why != NULL) {
		j->refused = why;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* The answer's body: counted, never kept; past WH_BODY_CAP the transfer stops. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	struct wh_job *j = arg;

	(void)p;
	j->got += size * n;
	return j->got > WH_BODY_CAP ? 0 : size * n;
}

/* "YYYY-MM-DD HH:MM:SS.ffffff" UTC of now into out. */
static void now_text(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char day[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, len, "%s.%06ld", day, ts.tv_nsec / 1000);
}

/* The headers of j's POST at time ts (owned by the caller), NULL on failure (j->error set). */
static struct curl_slist *headers_of(struct wh_job *j, time_t ts)
{
	char id[32], sig[UP_WHSIG_LEN], old[UP_WHSIG_LEN], line[4][160];
	struct curl_slist *h = NULL, *t = NULL;
	size_t i;

	snprintf(id, sizeof(id), "msg_%llu", (unsigned long long)j->delivery_id);
	if (up_webhook_sign(j->secret, id, (uint64_t)ts, j->body, j->body_len, sig) != UP_OK) {
		j->error = "bad secret";
		return NULL;
	}
	old[0] = '\0';
	if (j->previous[0] != '\0' &&
	    up_webhook_sign(j->previous, id, (uint64_t)ts, j->body, j->body_len, old) != UP_OK)
		old[0] = '\0';
	snprintf(line[0], sizeof(line[0]), "content-type: application/json");
	snprintf(line[1], sizeof(line[1]), "webhook-id: %s", id);
	snprintf(line[2], sizeof(line[2]), "webhook-timestamp: %lld", (long long)ts);
	snprintf(line[3], sizeof(line[3]), "webhook-signature: %s%s%s", sig, old[0] ? " " : "",
	         old);
	h = curl_slist_append(NULL, "expect:");
	for (i = 0, t = h; t != NULL && i < 4; i++)
		t = curl_slist_append(h, line[i]);
	sodium_memzero(line, sizeof(line));
	if (t == NULL) {
		curl_slist_free_all(h);
		j->error = "out of memory";
		return NULL;
	}
	return h;
}

/* Set up easy handle k for j; 0, or -1 when j is done already (its outcome set). */
static int start(struct wh_sender *s, unsigned k, struct wh_job *j)
{
	const struct up_config *cfg = s->o->cfg;
	const char *why = NULL;
	CURL *e = s->easy[k];

	now_text(j->attempted_at, sizeof(j->attempted_at));
	j->allow = cfg->webhook_allow_hosts;
	if (j->body == NULL) {
		j->error = "event gone";
		return -1;
	}
	if (up_webhook_url_parse(j->url, cfg->webhook_allow_http, &j->parsed, &why) != UP_OK) {
		j->error = "url not allowed";
		return -1;
	}
	curl_slist_free_all(s->headers[k]);
	s->headers[k] = headers_of(j, time(NULL));
	if (s->headers[k] == NULL)
		return -1;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, j->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)j->body_len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers[k]);
	curl_easy_setopt(e, CURLOPT_USERAGENT, s->user_agent);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	                 cfg->webhook_allow_http ? "https,http" : "https");
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)cfg->webhook_connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->webhook_timeout);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		j->error = "client error";
		return -1;
	}
	return 0;
}

/* j's outcome from the finished transfer e (result r). */
static void finish(struct wh_job *j, CURL *e, CURLcode r)
{
	curl_off_t us = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &j->status);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
	j->duration_ms = (unsigned)(us / 1000);
	if (r == CURLE_WRITE_ERROR && j->got > WH_BODY_CAP && j->status > 0)
		r = CURLE_OK; /* an answer came; its body was too long to read */
	if (r == CURLE_OK && j->status >= 200 && j->status < 300) {
		j->ok = 1;
		return;
	}
	if (r == CURLE_OK)
		j->error = NULL; /* the status says it */
	else if (j->refused != NULL)
		j->error = "refused address";
	else if (r == CURLE_OPERATION_TIMEDOUT)
		j->error = "timeout";
	else if (r == CURLE_COULDNT_RESOLVE_HOST)
		j->error = "host does not resolve";
	else if (r == CURLE_COULDNT_CONNECT)
		j->error = "connect";
	else if (r == CURLE_PEER_FAILED_VERIFICATION || r == CURLE_SSL_CONNECT_ERROR)
		j->error = "tls";
	else
		j->error = "connection";
	if (r != CURLE_OK)
		j->status = 0;
}

void wh_send(struct wh_sender *s, struct wh_job *jobs, size_t n)
{
	unsigned k, busy = 0;
	size_t next = 0;
	int running = 0, left;
	CURLMsg *m;

	for (k = 0; k < s->o->parallel; k++) {
		while (next < n && start(s, k, &jobs[next]) != 0)
			next++;
		if (next == n)
			break;
		next++;
		busy++;
	}
	while (busy > 0) {
		curl_multi_perform(s->multi, &running);
		while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
			struct wh_job *j = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			finish(j, m->easy_handle, m->data.result);
			curl_multi_remove_handle(s->multi, m->easy_handle);
			for (k = 0; k < s->o->parallel && s->easy[k] != m->easy_handle; k++)
				;
			busy--;
			while (next < n && start(s, k, &jobs[next]) != 0)
				next++;
			if (next < n) {
				next++;
				busy++;
			}
		}
		if (busy > 0)
			curl_multi_poll(s->multi, NULL, 0, 100, NULL);
	}
}
