/* SPDX-License-Identifier: ISC */
/* app.c: the accept loop shared by every endpoint program. */
#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sodium.h>
#include "app.h"
#include "config_reload.h"
#include "log.h"
#include "mono.h"
#include "usage.h"

static int has_header(const struct up_response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers) for a
 * token with a daily quota: the quota per UTC day, what is left of it (the
 * apiDailyUsage of the answer taken from the quota) and the seconds until it
 * starts again.
 */
static void add_ratelimit(const struct up_ctx *ctx, struct up_response *resp)
{
	const struct up_auth *a = &ctx->auth;
	uint64_t left;
	char v[96];

	if (!a->usage.known || !a->has_limit)
		return;
	left = a->usage.daily < a->daily_limit ? a->daily_limit - a->usage.daily : 0;
	snprintf(v, sizeof(v), "\"daily\";q=%llu;w=86400", (unsigned long long)a->daily_limit);
	up_response_header(resp, "RateLimit-Policy", v);
	snprintf(v, sizeof(v), "\"daily\";r=%llu;t=%ld", (unsigned long long)left, a->reset_after);
	up_response_header(resp, "RateLimit", v);
}

/* Run the request through routes, or through handler when routes is NULL. */
static void handle(struct up_ctx *ctx, const struct up_routes *routes, up_handler_fn handler,
                   const struct up_request *req, struct up_response *resp)
{
	memset(&ctx->auth, 0, sizeof(ctx->auth));
	ctx->authed = 0;
	if (ctx->db == NULL) {
		struct up_error e = {0};

		up_error_set(&e, UP_ERR_CONFIG, NULL);
		up_ctx_fail(ctx, resp, &e);
	} else {
		if (routes != NULL)
			up_route_dispatch(routes, ctx, req, resp);
		else
			handler(ctx, req, resp);
		add_ratelimit(ctx, resp);
	}
	if (resp->status == 503 && !has_header(resp, "Retry-After")) {
		char num[32];

		snprintf(num, sizeof(num), "%lu", ctx->cfg->retry_after);
		up_response_header(resp, "Retry-After", num);
	}
}

void up_app_handle(struct up_ctx *ctx, up_handler_fn handler, const struct up_request *req,
                   struct up_response *resp)
{
	handle(ctx, NULL, handler, req, resp);
}

void up_app_after_response(struct up_ctx *ctx)
{
	/* Counts that no write transaction carried are written once a second. */
	if (ctx->db != NULL)
		(void)up_usage_flush_due(ctx->db);
}

/*
 * The request's environment and streams: libfcgi's request under FastCGI,
 * the process's own under plain CGI (arg NULL).
 */
static const char *req_getenv(void *arg, const char *name)
{
	FCGX_Request *r = arg;

	return r != NULL ? FCGX_GetParam(name, r->envp) : getenv(name);
}

static long req_read(void *arg, char *buf, size_t len)
{
	FCGX_Request *r = arg;
	size_t n;

	if (r == NULL) {
		n = fread(buf, 1, len, stdin);
		return n == 0 && ferror(stdin) ? -1 : (long)n;
	}
	if (len > INT32_MAX)
		len = INT32_MAX;
	n = (size_t)FCGX_GetStr(buf, (int)len, r->in);
	if (n == 0 && FCGX_GetError(r->in) != 0)
		return -1;
	return (long)n;
}

static int req_write(void *arg, const char *buf, size_t len)
{
	FCGX_Request *r = arg;

	if (r == NULL)
		return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
	if (len > INT32_MAX)
		return -1;
	return FCGX_PutStr(buf, (int)len, r->out) == (int)len ? 0 : -1;
}

static volatile sig_atomic_t stopping;

/* Whether the FastCGI listening socket (descriptor 0) is a Unix domain socket. */
static int listens_on_unix(void)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	return getsockname(0, (struct sockaddr *)&a, &len) == 0 && a.ss_family == AF_UNIX;
}

/*
 * End the request.  libfcgi's own close shuts the socket down for writing and
 * then waits until the web server closes its end, one more sleep and wake-up
 * per request.  That wait drains what the server may still be sending (a
 * body refused before it was read): closing on unread input makes the
 * server's writes fail, and Apache then takes the backend out of service.
 * So the plain close() is used only when nothing can be left: the whole
 * input, up to the end of FCGI_STDIN, was read (input_done), nothing else is
 * waiting in the socket, and the socket is a Unix one (no TCP reset).  The
 * request is then detached, which makes libfcgi close without waiting.
 */
static void finish(FCGX_Request *r, int on_unix, int input_done)
{
	struct pollfd p = {.fd = r->ipcFd, .events = POLLIN};

	if (on_unix && input_done && r->ipcFd >= 0 && poll(&p, 1, 0) == 0)
		(void)FCGX_Detach(r);
	FCGX_Finish_r(r);
}

/*
 * Between requests under FastCGI: while usage counts wait to be written,
 * wait for the next connection only until they are a second old, then write
 * them (so an idle worker holds none for longer).  A connection the web
 * server keeps open (FCGI_KEEP_CONN) is not watched here: then the counts
 * wait for the next request.  -1 when the program is asked to stop.
 */
static int idle_wait(FCGX_Request *r, struct up_db *db)
{
	for (;;) {
		long due = up_usage_due_in_ms();
		struct pollfd p = {.fd = r->listen_sock, .events = POLLIN};
		int n;

		if (stopping)
			return -1;
		if (db == NULL || due < 0 || r->ipcFd >= 0)
			return 0;
		if (due > 0) {
			n = poll(&p, 1, due > 1000 ? 1000 : (int)due);
			if (n < 0 && errno == EINTR)
				continue;
			if (n != 0)
				return 0;
		}
		/* Once: if the database is away, the counts wait for the next request. */
		(void)up_usage_flush_now(db);
		return stopping ? -1 : 0;
	}
}

static long elapsed_us(uint64_t start_ns)
{
	return (long)((up_mono_ns() - start_ns) / 1000u);
}

/* SIGTERM (the web server stopping its workers): leave the accept loop, write the counts. */
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

int up_app_main(const char *prog, const struct up_routes *routes)
{
	struct up_live_config live;
	struct sigaction sa;
	struct up_ctx ctx;
	FCGX_Request fcgx;
	int cgi, served, on_unix;

	if (sodium_init() < 0)
		return 1;
	up_log_init(prog, UP_LOG_INFO, NULL);
	memset(&ctx, 0, sizeof(ctx));
	if (up_live_config_open(&live, prog, up_config_path(), up_live_config_now()) != UP_OK)
		return 1;
	ctx.cfg = &live.cfg;
	ctx.db = live.db;
	if (ctx.db != NULL)
		up_usage_install(ctx.db);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns */

	cgi = FCGX_IsCGI();
	if (!cgi && (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, 0, 0) != 0))
		return 1;
	on_unix = !cgi && listens_on_unix();
	for (served = 0;; served++) {
		struct up_request req;
		struct up_response resp;
		uint64_t start;
		FCGX_Request *io = cgi ? NULL : &fcgx;
		enum up_err rc;
		int input_done;

		if (cgi ? served > 0 : idle_wait(&fcgx, ctx.db) != 0 || FCGX_Accept_r(&fcgx) < 0)
			break;
		start = up_mono_ns();
		/* An edited config file takes effect here, between requests. */
		if (up_live_config_check(&live, (long long)(start / 1000000000u)) == 1) {
			ctx.db = live.db;
			if (ctx.db != NULL)
				up_usage_install(ctx.db);
		}
		up_response_init(&resp);
		resp.out = req_write;
		resp.out_ctx = io;
		rc = up_request_read(&req, req_getenv, io, req_read, io,
		                     up_routes_body_max(routes, &live.cfg));
		up_log_set_request_id(req.request_id);
		resp.out_request_id = req.request_id;
		resp.out_head_only = req.method == UP_M_HEAD;
		/*
		 * All of the body was read: the end of FCGI_STDIN follows it at once
		 * (the web server sends it right after the body), so reading it
		 * does not wait.  A refused body (413) is left to libfcgi's close.
		 */
		input_done = !cgi && rc == UP_OK && FCGX_GetChar(fcgx.in) == EOF;
		if (rc != UP_OK) {
			struct up_error e = {0};

			memset(&ctx.auth, 0, sizeof(ctx.auth));
			if (rc == UP_ERR_TOO_LARGE)
				up_error_set(&e, rc, "%s", UP_TOO_LARGE_SENTENCE);
			else if (req.problem != NULL)
				up_error_set(&e, rc, "%s", req.problem);
			else
				up_error_set(&e, rc, NULL);
			up_ctx_fail(&ctx, &resp, &e);
		} else {
			handle(&ctx, routes, NULL, &req, &resp);
		}
		if (!resp.streamed) /* a streamed answer left as it was made */
			up_response_write(&resp, req.request_id, req.method == UP_M_HEAD, req_write,
			                  io);
		/* The answer leaves now; what follows does not keep the client waiting. */
		if (cgi)
			fflush(stdout);
		else
			finish(&fcgx, on_unix, input_done);
		up_log(UP_LOG_INFO, "%s %s %d %ldus db=%s%s%s", req.method_name,
		       req.path != NULL ? req.path : "-", resp.status, elapsed_us(start),
		       ctx.db != NULL ? up_db_host(ctx.db) : "-",
		       req.client_request_id[0] != '\0' ? " client_rid=" : "",
		       req.client_request_id);
		up_log_set_request_id(NULL);
		up_response_free(&resp);
		up_request_free(&req);
		up_app_after_response(&ctx);
	}
	if (ctx.db != NULL)
		(void)up_usage_flush_now(ctx.db);
	up_live_config_close(&live);
	up_db_library_end();
	return 0;
}
