/* SPDX-License-Identifier: ISC */
/*
 * testutil.h: helpers for Check tests.  Integration tests (tests/integration)
 * run under tests/harness/run-test, which starts a private MariaDB with the
 * schema applied and exports USERPATCH_CONFIG; these helpers connect to it,
 * make tenants and tokens, and call handlers with requests built in memory.
 */
#ifndef UP_TESTUTIL_H
#define UP_TESTUTIL_H

#include <stdint.h>
#include <check.h>
#include <cjson/cJSON.h>
#include "app.h"
#include "config.h"
#include "db.h"
#include "http.h"

struct tu_env {
	struct up_config cfg;
	struct up_db *db;  /* the handlers' connection */
	struct up_ctx ctx; /* ctx.cfg = &cfg, ctx.db = db */
	int batch;         /* 1: read bodies up to max_batch_body, as the devices program does */
	int import; /* 1: read bodies up to max_import_body too, as programs with imports do */
};

/*
 * Load $USERPATCH_CONFIG (the test fails when it is not set) with cheap
 * password-hash limits, and open the database.  Release with tu_env_close().
 */
void tu_env_open(struct tu_env *env);
void tu_env_close(struct tu_env *env);

/*
 * For a forked child: a connection of its own to the test database (it never
 * touches the parent's), or NULL when the configuration or the handle cannot
 * be made.  No Check assertion: a child reports through its exit status.
 * Release with tu_child_db_close().
 */
struct up_db *tu_child_db(void);
void tu_child_db_close(struct up_db *db);

/* Run every test of s (freed here); the program's exit status: 0 if all passed, else 1. */
int tu_run(Suite *s);

/* Create tenant `name` (or find it) and return its id. */
uint64_t tu_tenant(struct tu_env *env, const char *name);

/* Insert a user named name for tenant `tenant`; its URI "/api/users/usr-N" goes into uri. */
void tu_user(struct tu_env *env, const char *tenant, const char *name, char *uri, size_t len);

/*
 * Issue a token for tenant `name` with scopes ("users:read,users:write"),
 * daily_limit 0 for none.  header receives "Bearer <hex>" (at least 80 bytes);
 * *token_id (may be NULL) its id.
 */
void tu_token(struct tu_env *env, const char *tenant, const char *scopes, unsigned daily_limit,
              char *header, uint64_t *token_id);

/* A request as a client would send it. NULL members are absent. */
struct tu_call {
	const char *method;       /* "GET" */
	const char *uri;          /* REQUEST_URI with query */
	const char *auth;         /* Authorization header value */
	const char *content_type; /* Content-Type */
	const char *body;         /* body text (Content-Length set from it) */
	const char *if_match;     /* If-Match */
	const char *request_id;   /* X-Request-Id */
	const char *accept;       /* Accept */
};

/*
 * Run call through handler as the accept loop would (body cap from the
 * config).  resp is filled (caller frees with up_response_free); *json (may be
 * NULL) receives the parsed body or NULL when there is none (caller frees).
 */
void tu_call(struct tu_env *env, up_handler_fn handler, const struct tu_call *call,
             struct up_response *resp, cJSON **json);

/* tu_call when only the status (and *json) matter: the response is freed here. */
int tu_call_status(struct tu_env *env, up_handler_fn handler, const struct tu_call *call,
                   cJSON **json);

/* Value of a response header, NULL if absent. */
const char *tu_header(const struct up_response *resp, const char *name);

/* First column of the first row of a query with up to 3 string params; malloc'd or NULL. */
char *tu_scalar(struct tu_env *env, const char *sql, const char *p1, const char *p2,
                const char *p3);

/* tu_scalar as an integer (the test fails if it is not one). */
long long tu_scalar_int(struct tu_env *env, const char *sql, const char *p1, const char *p2,
                        const char *p3);

/* Run a statement with up to 3 string params (the test fails on error). */
void tu_exec(struct tu_env *env, const char *sql, const char *p1, const char *p2, const char *p3);

/*
 * s with every ' replaced by " (JSON written with ' in test tables); owned by
 * the caller (free()).  The test fails when memory runs out.
 */
char *tu_q(const char *s);

/*
 * "$UP_TEST_DB_CTL what $UP_TEST_DB_DIR": stop or start the test's MariaDB
 * (tests/harness/db); the test fails when the command does.
 */
void tu_db_ctl(const char *what);

#endif
