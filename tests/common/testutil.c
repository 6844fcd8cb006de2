/* SPDX-License-Identifier: ISC */
/* testutil.c: see testutil.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include "auth.h"
#include "json.h"
#include "parse.h"
#include "usage.h"
#include "testutil.h"

void tu_env_open(struct tu_env *env)
{
	const char *path = getenv("USERPATCH_CONFIG");
	char err[256];

	memset(env, 0, sizeof(*env));
	ck_assert_msg(sodium_init() >= 0, "sodium_init failed");
	ck_assert_msg(path != NULL,
	              "USERPATCH_CONFIG is not set: run this test through tests/harness/run-test "
	              "(make check does)");
	ck_assert_msg(up_config_load(path, &env->cfg, err, sizeof(err)) == UP_OK, "config: %s",
	              err);
	env->cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
	env->cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
	ck_assert_int_eq(up_db_new(&env->cfg, &env->db), UP_OK);
	up_usage_install(env->db); /* as the programs do */
	ck_assert_msg(up_db_connect(env->db) == UP_OK, "cannot connect to the test database");
	env->ctx.cfg = &env->cfg;
	env->ctx.db = env->db;
}

void tu_env_close(struct tu_env *env)
{
	up_db_close(env->db);
	up_config_free(&env->cfg);
	memset(env, 0, sizeof(*env));
}

static void params3(struct up_db_param *p, size_t *n, const char *p1, const char *p2,
                    const char *p3)
{
	const char *v[3] = {p1, p2, p3};
	size_t i;

	*n = 0;
	for (i = 0; i < 3 && v[i] != NULL; i++)
		p[(*n)++] = UP_P_STR(v[i]);
}

char *tu_scalar(struct tu_env *env, const char *sql, const char *p1, const char *p2, const char *p3)
{
	struct up_db_param p[3];
	struct up_db_result res;
	char *out = NULL;
	size_t n;

	params3(p, &n, p1, p2, p3);
	ck_assert_msg(up_db_query(env->db, sql, p, n, &res) == UP_OK, "query failed: %s", sql);
	if (res.nrows > 0 && res.ncols > 0 && up_db_cell(&res, 0, 0) != NULL)
		out = strdup(up_db_cell(&res, 0, 0));
	up_db_result_free(&res);
	return out;
}

long long tu_scalar_int(struct tu_env *env, const char *sql, const char *p1, const char *p2,
                        const char *p3)
{
	char *s = tu_scalar(env, sql, p1, p2, p3), *end = NULL;
	long long v;

	ck_assert_msg(s != NULL, "no value from %s", sql);
	v = strtoll(s, &end, 10);
	ck_assert_msg(end != s && *end == '\0', "not an integer: %s", s);
	free(s);
	return v;
}

void tu_exec(struct tu_env *env, const char *sql, const char *p1, const char *p2, const char *p3)
{
	struct up_db_param p[3];
	size_t n;

	params3(p, &n, p1, p2, p3);
	ck_assert_msg(up_db_exec(env->db, sql, p, n, NULL) == UP_OK, "exec failed (%u): %s",
	              up_db_errno(env->db), sql);
}

uint64_t tu_tenant(struct tu_env *env, const char *name)
{
	char *id;
	uint64_t v = 0;

	tu_exec(env, "INSERT IGNORE INTO tenants (name) VALUES (?)", name, NULL, NULL);
	id = tu_scalar(env, "SELECT id FROM tenants WHERE name = ?", name, NULL, NULL);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(up_parse_u64(id, 1, INT64_MAX, &v), UP_OK);
	free(id);
	return v;
}

void tu_token(struct tu_env *env, const char *tenant, const char *scopes, unsigned daily_limit,
              char *header, uint64_t *token_id)
{
	static const char sql[] = "INSERT INTO api_tokens (tenant_id, token_digest, label, scopes, "
	                          "daily_limit) VALUES (?, ?, 'test', ?, ?)";
	unsigned char digest[UP_DIGEST_BYTES];
	char text[UP_TOKEN_HEX + 1], canon[UP_SCOPES_TEXT_LEN];
	struct up_db_param p[4];
	struct up_db_info info;
	unsigned mask;

	ck_assert_int_eq(up_scopes_parse(scopes, &mask), UP_OK);
	up_scopes_format(mask, canon, sizeof(canon));
	up_token_generate(text, digest);
	p[0] = UP_P_U64(tu_tenant(env, tenant));
	p[1] = UP_P_BLOB(digest, sizeof(digest));
	p[2] = UP_P_STR(canon);
	p[3] = daily_limit > 0 ? UP_P_U64(daily_limit) : UP_P_NULL();
	ck_assert_int_eq(up_db_exec(env->db, sql, p, 4, &info), UP_OK);
	sprintf(header, "Bearer %s", text);
	if (token_id != NULL)
		*token_id = info.insert_id;
}

/* The environment of one call, as the web server would set it. */
struct call_env {
	const struct tu_call *call;
	char clen[32];
	const char *body;
	size_t pos, len;
};

static const char *call_getenv(void *ctx, const char *name)
{
	struct call_env *e = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return e->call->method;
	if (strcmp(name, "REQUEST_URI") == 0)
		return e->call->uri;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return e->call->auth;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return e->call->content_type;
	if (strcmp(name, "HTTP_IF_MATCH") == 0)
		return e->call->if_match;
	if (strcmp(name, "HTTP_ACCEPT") == 0)
		return e->call->accept;
	if (strcmp(name, "HTTP_X_REQUEST_ID") == 0)
		return e->call->request_id;
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return e->call->body != NULL ? e->clen : NULL;
	return NULL;
}

static long call_read(void *ctx, char *buf, size_t len)
{
	struct call_env *e = ctx;
	size_t n = e->len - e->pos < len ? e->len - e->pos : len;

	memcpy(buf, e->body + e->pos, n);
	e->pos += n;
	return (long)n;
}

void tu_call(struct tu_env *env, up_handler_fn handler, const struct tu_call *call,
             struct up_response *resp, cJSON **json)
{
	struct up_request req;
	struct call_env e;
	unsigned long cap;
	enum up_err rc;

	memset(&e, 0, sizeof(e));
	e.call = call;
	e.body = call->body;
	e.len = call->body != NULL ? strlen(call->body) : 0;
	snprintf(e.clen, sizeof(e.clen), "%zu", e.len);
	up_response_init(resp);
	/* The largest body a route of the program takes (up_routes_body_max). */
	cap = env->cfg.max_body;
	if (env->batch && env->cfg.max_batch_body > cap)
		cap = env->cfg.max_batch_body;
	if (env->import && env->cfg.max_import_body > cap)
		cap = env->cfg.max_import_body;
	rc = up_request_read(&req, call_getenv, &e, call_read, &e, cap);
	if (rc != UP_OK) {
		struct up_error err = {0};

		memset(&env->ctx.auth, 0, sizeof(env->ctx.auth));
		if (req.problem != NULL)
			up_error_set(&err, rc, "%s", req.problem);
		else
			up_error_set(&err, rc, NULL);
		up_ctx_fail(&env->ctx, resp, &err);
	} else {
		up_app_handle(&env->ctx, handler, &req, resp);
		up_app_after_response(&env->ctx);
	}
	up_request_free(&req);
	/* Every response body, error or not, is valid UTF-8 (a cut message never splits a
	 * character). */
	if (resp->body != NULL)
		ck_assert_msg(up_utf8_valid(resp->body, resp->body_len),
		              "response body is not valid UTF-8: %s", resp->body);
	if (json != NULL) {
		*json = NULL;
		if (resp->body != NULL)
			ck_assert_msg(up_json_parse(resp->body, resp->body_len, 64, json) == UP_OK,
			              "response body is not JSON: %s", resp->body);
	}
}

int tu_call_status(struct tu_env *env, up_handler_fn handler, const struct tu_call *call,
                   cJSON **json)
{
	struct up_response resp;
	int status;

	tu_call(env, handler, call, &resp, json);
	status = resp.status;
	up_response_free(&resp);
	return status;
}

const char *tu_header(const struct up_response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

char *tu_q(const char *s)
{
	char *out = strdup(s), *p;

	ck_assert_ptr_nonnull(out);
	for (p = out; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

void tu_db_ctl(const char *what)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s %s >/dev/null 2>&1", getenv("UP_TEST_DB_CTL"), what,
	         getenv("UP_TEST_DB_DIR"));
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

/* The configuration of tu_child_db()'s handle, which borrows it (one child, one handle). */
static struct up_config child_cfg;

struct up_db *tu_child_db(void)
{
	struct up_db *db = NULL;
	char err[256];

	if (up_config_load(getenv("USERPATCH_CONFIG"), &child_cfg, err, sizeof(err)) != UP_OK)
		return NULL;
	if (up_db_new(&child_cfg, &db) != UP_OK) {
		up_config_free(&child_cfg);
		return NULL;
	}
	return db;
}

void tu_child_db_close(struct up_db *db)
{
	if (db == NULL)
		return;
	up_db_close(db);
	up_config_free(&child_cfg);
}

void tu_user(struct tu_env *env, const char *tenant, const char *name, char *uri, size_t len)
{
	char tid[32], *id;

	snprintf(tid, sizeof(tid), "%llu", (unsigned long long)tu_tenant(env, tenant));
	tu_exec(env, "INSERT INTO users (tenant_id, name) VALUES (?, ?)", tid, name, NULL);
	id = tu_scalar(env, "SELECT MAX(id) FROM users WHERE tenant_id = ?", tid, NULL, NULL);
	ck_assert_ptr_nonnull(id);
	snprintf(uri, len, "/api/users/usr-%s", id);
	free(id);
}
