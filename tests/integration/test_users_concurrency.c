/* SPDX-License-Identifier: ISC */
/*
 * Concurrent PATCHes of one user lose no update: worker processes, each
 * with its own database connection, append to /privileges/- at the same
 * time; afterwards every value is there exactly once, the version counts
 * every patch and there is one audit row per patch.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_users_util.h"
#include "user_store.h"
#include "users.h"

#define PER_WORKER 25

struct conc_case {
	int line;
	const char *desc;
	int workers;
	const char *content_type;
};

static const struct conc_case cases[] = {
        {__LINE__, "two workers", 2, "application/json-patch+json"},
        {__LINE__, "two workers, plain JSON", 2, "application/json"},
};

/* Privilege name of worker w's i-th append: letters only ("w" + 'a'+w + "_" + two letters). */
static void priv_name(int w, int i, char *buf)
{
	sprintf(buf, "w%c_%c%c", 'a' + w, 'a' + i / 26, 'a' + i % 26);
}

/* A worker: own connection, PER_WORKER appends; exit status = number of failed requests. */
static void worker(int w, const char *uri, const char *auth, const char *ctype)
{
	struct tu_env env;
	int i, failed = 0;

	tu_env_open(&env);
	for (i = 0; i < PER_WORKER; i++) {
		char body[128], name[16];
		struct tu_call call = {"PATCH", uri, auth, ctype, body, NULL, NULL, NULL};
		struct up_response resp;

		priv_name(w, i, name);
		snprintf(body, sizeof(body),
		         "[{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"%s\"}]", name);
		tu_call(&env, up_users_handle, &call, &resp, NULL);
		if (resp.status != 200) {
			fprintf(stderr, "worker %d patch %d: %d %s\n", w, i, resp.status,
			        resp.body != NULL ? resp.body : "");
			failed++;
		}
		up_response_free(&resp);
	}
	tu_env_close(&env);
	_exit(failed > 100 ? 100 : failed);
}

START_TEST(test_concurrent_appends)
{
	const struct conc_case *c = &cases[_i];
	struct tu_env env;
	char auth[96], uri[64], email[64], num[32];
	pid_t pids[8];
	cJSON *user = NULL;
	const cJSON *p;
	uint64_t id, version = 0;
	int w, i, total = c->workers * PER_WORKER;

	tu_env_open(&env);
	tu_token(&env, "acme", "users:read,users:write", 0, auth, NULL);
	snprintf(email, sizeof(email), "conc%d@example.com", c->line);
	id = tuu_user(&env, tu_tenant(&env, "acme"), "Conc", email);
	tuu_uri(uri, sizeof(uri), id, NULL);
	for (w = 0; w < c->workers; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0)
			worker(w, uri, auth, c->content_type);
	}
	for (w = 0; w < c->workers; w++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[w], &st, 0), pids[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		              "line %d (%s): worker %d failed (status %d)", c->line, c->desc, w,
		              st);
	}
	ck_assert_int_eq(up_user_load(env.db, tu_tenant(&env, "acme"), id, 0, &user, &version),
	                 UP_OK);
	ck_assert_uint_eq(version, (uint64_t)total + 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(user, "privileges")), total);
	for (w = 0; w < c->workers; w++) {
		int last = -1;

		for (i = 0; i < PER_WORKER; i++) {
			char name[16];
			int found = 0, pos = 0;

			priv_name(w, i, name);
			cJSON_ArrayForEach(p, cJSON_GetObjectItem(user, "privileges"))
			{
				if (strcmp(p->valuestring, name) == 0) {
					found++;
					/* one worker's appends keep their order */
					ck_assert_int_gt(pos, last);
					last = pos;
				}
				pos++;
			}
			ck_assert_msg(found == 1, "line %d (%s): %s found %d times", c->line,
			              c->desc, name, found);
		}
	}
	ck_assert_int_eq(tuu_audits(&env, id), total);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	ck_assert_int_eq(tu_scalar_int(&env,
	                               "SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND "
	                               "changed_fields = '[\"privileges\"]' AND action = 'update'",
	                               num, NULL, NULL),
	                 total);
	cJSON_Delete(user);
	tu_env_close(&env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("users_concurrency");
	TCase *tc = tcase_create("concurrency");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_concurrent_appends, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
