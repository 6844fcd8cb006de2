/* SPDX-License-Identifier: ISC */
/*
 * admin_webhooks.c: `userpatch-admin webhooks deliver --once | --follow
 * [--batch N] [--parallel N]` (and `webhooks prune`: webhook_prune.c).
 * Each pass: fan-out, claim a batch, POST it, record the outcomes
 * (webhook_deliver.h).  --once delivers what is due now and exits (cron);
 * --follow goes on, pausing when idle, until SIGTERM or SIGINT, after which
 * it records the batch in hand and exits 0.  --retry-window SECONDS and
 * --lease SECONDS exist for tests: the retry schedule squeezed into SECONDS
 * instead of a day, and a short lease.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "admin_common.h"
#include "log.h"
#include "parse.h"
#include "webhook_deliver.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Pause ms milliseconds, or less when a signal asks to stop. */
static void pause_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	if (!stop)
		nanosleep(&t, NULL);
}

/* One pass; *worked: deliveries made or attempted. */
static enum up_err pass(struct admin_env *env, const struct wh_opts *o, struct wh_sender *s,
                        uint64_t *worked, uint64_t *sent, uint64_t *given_up)
{
	struct wh_job *jobs = NULL;
	uint64_t made = 0;
	size_t n = 0, failed = 0, i;
	enum up_err rc;

	*worked = 0;
	rc = wh_fanout(env->db, &made);
	if (rc == UP_OK)
		rc = wh_claim(env->db, o, &jobs, &n);
	if (rc != UP_OK || n == 0) {
		*worked = made;
		return rc;
	}
	wh_send(s, jobs, n);
	rc = wh_record(env->db, o, jobs, n, &failed);
	for (i = 0; i < n; i++)
		*sent += jobs[i].ok;
	*given_up += failed;
	*worked = made + n;
	wh_jobs_free(jobs, n);
	return rc;
}

struct deliver_args {
	int follow;
	uint64_t batch, parallel, lease, window;
};

/* The options of `webhooks deliver`; 0, or 2 after a message. */
static int parse_args(const struct up_config *cfg, int argc, char **argv, struct deliver_args *a)
{
	static const struct {
		const char *name;
		uint64_t min, max;
		size_t off;
	} nums[] = {
	        {"--batch", 1, 1000, offsetof(struct deliver_args, batch)},
	        {"--parallel", 1, 256, offsetof(struct deliver_args, parallel)},
	        {"--lease", 1, 86400, offsetof(struct deliver_args, lease)},
	        {"--retry-window", 1, 86400 * 7, offsetof(struct deliver_args, window)},
	};
	uint64_t slowest;
	int i, k, known, once = 0;

	a->batch = 100;
	a->parallel = 16;
	a->lease = 0;
	a->window = WH_WINDOW_DEFAULT;
	a->follow = 0;
	if (argc < 2 || strcmp(argv[1], "deliver") != 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0 || strcmp(argv[i], "--follow") == 0) {
			once += argv[i][2] == 'o';
			a->follow += argv[i][2] == 'f';
			continue;
		}
		for (k = 0, known = 0; k < (int)(sizeof(nums) / sizeof(nums[0])); k++) {
			if (strcmp(argv[i], nums[k].name) != 0)
				continue;
			known = 1;
			if (i + 1 >= argc ||
			    up_parse_u64(argv[i + 1], nums[k].min, nums[k].max,
			                 (uint64_t *)((char *)a + nums[k].off)) != UP_OK) {
				admin_err("%s takes a number from %llu to %llu", nums[k].name,
				          (unsigned long long)nums[k].min,
				          (unsigned long long)nums[k].max);
				return 2;
			}
			i++;
		}
		if (!known)
			goto usage;
	}
	if (once + a->follow != 1)
		goto usage;
	/* A batch goes out in waves of --parallel, each at most connect + request time. */
	slowest = (a->batch + a->parallel - 1) / a->parallel *
	          (cfg->webhook_connect_timeout + cfg->webhook_timeout);
	if (a->lease == 0)
		a->lease = slowest + 30;
	if (a->lease <= slowest) {
		admin_err("--lease must be longer than the slowest batch: %llu s (batch / parallel "
		          "waves of webhook_connect_timeout + webhook_timeout)",
		          (unsigned long long)slowest);
		return 2;
	}
	return 0;
usage:
	admin_err("usage: webhooks deliver --once | --follow [--batch N] [--parallel N]");
	return 2;
}

int admin_webhooks(struct admin_env *env, int argc, char **argv)
{
	struct deliver_args a;
	struct wh_opts o;
	struct wh_sender *s = NULL;
	uint64_t worked, sent = 0, given_up = 0;
	enum up_err rc = UP_OK;
	int status = 1;

	if (argc >= 2 && strcmp(argv[1], "prune") == 0)
		return admin_webhooks_prune(env, argc, argv);
	if (parse_args(&env->cfg, argc, argv, &a) != 0)
		return 2;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if (wh_opts_init(&o, &env->cfg, (unsigned)a.batch, (unsigned)a.parallel, (unsigned)a.lease,
	                 a.window) != UP_OK)
		goto out_curl;
	if (wh_sender_new(&o, &s) != UP_OK)
		goto out;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!stop) {
		rc = pass(env, &o, s, &worked, &sent, &given_up);
		if (rc != UP_OK && !a.follow)
			break;
		if (rc != UP_OK) {
			up_log(UP_LOG_WARN, "delivery pass failed: %s", up_err_message(rc));
			pause_ms(1000);
		} else if (worked == 0 && !a.follow) {
			break;
		} else if (worked == 0) {
			pause_ms(200);
		}
	}
	if (rc != UP_OK && !a.follow)
		admin_err("delivery stopped: %s", up_err_message(rc));
	else
		status = 0;
	if (!a.follow)
		printf("delivered %llu, given up %llu\n", (unsigned long long)sent,
		       (unsigned long long)given_up);
out:
	wh_sender_free(s);
	wh_opts_free(&o);
out_curl:
	curl_global_cleanup();
	return status;
}
