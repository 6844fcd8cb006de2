/* db.c: MariaDB/MySQL client layer, prepared statements only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mysql.h>
#include <sodium.h>
#include "db.h"
#include "log.h"

/* Server and client error numbers this layer acts on. */
enum {
	ER_DUP_ENTRY_NO = 1062,
	ER_LOCK_WAIT_TIMEOUT_NO = 1205,
	ER_LOCK_DEADLOCK_NO = 1213,
	ER_UNKNOWN_COM_NO = 1047, /* Galera: node not ready */
	ER_SERVER_SHUTDOWN_NO = 1053,
	ER_CON_COUNT_NO = 1040,
	ER_UNKNOWN_STMT_NO = 1243, /* prepared statement lost after a reconnect */
	ER_CONN_KILLED_NO = 1927,
	ER_CLIENT_DISCONNECT_NO = 4031,
	CR_CONNECTION_ERROR_NO = 2002,
	CR_CONN_HOST_ERROR_NO = 2003,
	CR_SERVER_GONE_NO = 2006,
	CR_SERVER_LOST_NO = 2013,
	CR_SERVER_LOST_EXT_NO = 2055,
};

#define STMT_CACHE 96
#define MAX_PARAMS 64

struct stmt_slot {
	const char *sql;
	MYSQL_STMT *stmt;
};

struct up_db {
	const struct up_config *cfg;
	MYSQL *conn;
	struct stmt_slot stmts[STMT_CACHE];
	size_t nstmts;
	unsigned last_errno;
	char dup_key[65];
	unsigned long retries;
};

enum up_err up_db_new(const struct up_config *cfg, struct up_db **out)
{
	struct up_db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return UP_ERR_NOMEM;
	db->cfg = cfg;
	*out = db;
	return UP_OK;
}

void up_db_disconnect(struct up_db *db)
{
	size_t i;

	for (i = 0; i < db->nstmts; i++)
		mysql_stmt_close(db->stmts[i].stmt);
	db->nstmts = 0;
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}

void up_db_close(struct up_db *db)
{
	if (db == NULL)
		return;
	up_db_disconnect(db);
	free(db);
}

void up_db_library_end(void)
{
	mysql_library_end();
}

unsigned up_db_errno(const struct up_db *db)
{
	return db->last_errno;
}

const char *up_db_dup_key(const struct up_db *db)
{
	return db->dup_key;
}

unsigned long up_db_retry_count(const struct up_db *db)
{
	return db->retries;
}

static int conn_lost(unsigned e)
{
	return e == CR_SERVER_GONE_NO || e == CR_SERVER_LOST_NO || e == CR_SERVER_LOST_EXT_NO ||
	       e == ER_CONN_KILLED_NO || e == ER_CLIENT_DISCONNECT_NO ||
	       e == ER_SERVER_SHUTDOWN_NO || e == ER_UNKNOWN_STMT_NO;
}

/* Remember the key name of "Duplicate entry '...' for key 'name'". */
static void note_dup_key(struct up_db *db, const char *msg)
{
	const char *k = strstr(msg, "for key '");
	size_t n;

	db->dup_key[0] = '\0';
	if (k == NULL)
		return;
	k += strlen("for key '");
	n = strcspn(k, "'");
	if (n >= sizeof(db->dup_key))
		n = sizeof(db->dup_key) - 1;
	memcpy(db->dup_key, k, n);
	db->dup_key[n] = '\0';
	/* MariaDB may prefix the table: "users.uq_users_email". */
	if (strchr(db->dup_key, '.') != NULL)
		memmove(db->dup_key, strchr(db->dup_key, '.') + 1,
		        strlen(strchr(db->dup_key, '.') + 1) + 1);
}

/* Map a server/client error to the library enum; drops a lost connection. */
static enum up_err classify(struct up_db *db, unsigned e, const char *msg)
{
	db->last_errno = e;
	if (e == ER_LOCK_DEADLOCK_NO || e == ER_LOCK_WAIT_TIMEOUT_NO)
		return UP_ERR_DB_RETRY;
	if (e == ER_DUP_ENTRY_NO) {
		note_dup_key(db, msg);
		return UP_ERR_CONFLICT;
	}
	if (conn_lost(e)) {
		up_log(UP_LOG_WARN, "database connection lost (%u): %s", e, msg);
		up_db_disconnect(db);
		return UP_ERR_DB_UNAVAILABLE;
	}
	if (e == CR_CONNECTION_ERROR_NO || e == CR_CONN_HOST_ERROR_NO || e == ER_UNKNOWN_COM_NO ||
	    e == ER_CON_COUNT_NO) {
		up_log(UP_LOG_WARN, "database unavailable (%u): %s", e, msg);
		up_db_disconnect(db);
		return UP_ERR_DB_UNAVAILABLE;
	}
	up_log(UP_LOG_ERROR, "database error %u: %s", e, msg);
	return UP_ERR_DB;
}

static const char init_sql[] =
        "SET time_zone = '+00:00', "
        "sql_mode = "
        "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'";

/* Try one host; returns a connected handle or NULL. */
static MYSQL *connect_host(const struct up_config *cfg, const char *host, unsigned *err, char *msg,
                           size_t msglen)
{
	unsigned int ct = (unsigned)cfg->db_connect_timeout, rw = (unsigned)cfg->db_rw_timeout;
	my_bool no = 0;
	MYSQL *m = mysql_init(NULL);
	const char *sock = NULL;

	if (m == NULL) {
		*err = 0;
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_RECONNECT, &no);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, init_sql);
	if (strcmp(host, "localhost") == 0)
		sock = cfg->db_socket;
	if (mysql_real_connect(m, host, cfg->db_user, cfg->db_password, cfg->db_name,
	                       (unsigned)cfg->db_port, sock, 0) == NULL) {
		*err = mysql_errno(m);
		snprintf(msg, msglen, "%s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

enum up_err up_db_connect(struct up_db *db)
{
	const char *hosts = db->cfg->db_host != NULL ? db->cfg->db_host : "localhost";
	char host[256], msg[512] = "";
	unsigned err = 0;

	if (db->conn != NULL)
		return UP_OK;
	while (*hosts != '\0') {
		size_t n = strcspn(hosts, ",");

		if (n > 0 && n < sizeof(host)) {
			memcpy(host, hosts, n);
			host[n] = '\0';
			db->conn = connect_host(db->cfg, host, &err, msg, sizeof(msg));
			if (db->conn != NULL) {
				up_log(UP_LOG_DEBUG, "connected to database host %s", host);
				return UP_OK;
			}
			up_log(UP_LOG_WARN, "database host %s: %s", host, msg);
		}
		hosts += n;
		if (*hosts == ',')
			hosts++;
	}
	db->last_errno = err;
	return UP_ERR_DB_UNAVAILABLE;
}

static enum up_err get_stmt(struct up_db *db, const char *sql, MYSQL_STMT **out)
{
	my_bool update_max = 1;
	MYSQL_STMT *st;
	size_t i;

	for (i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].sql == sql || strcmp(db->stmts[i].sql, sql) == 0) {
			*out = db->stmts[i].stmt;
			return UP_OK;
		}
	}
	if (db->nstmts == STMT_CACHE) {
		/* Full: start over rather than grow without bound. */
		for (i = 0; i < db->nstmts; i++)
			mysql_stmt_close(db->stmts[i].stmt);
		db->nstmts = 0;
	}
	st = mysql_stmt_init(db->conn);
	if (st == NULL)
		return UP_ERR_NOMEM;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		enum up_err rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));

		mysql_stmt_close(st);
		return rc;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	db->stmts[db->nstmts].sql = sql;
	db->stmts[db->nstmts].stmt = st;
	db->nstmts++;
	*out = st;
	return UP_OK;
}

/* Prepare (or reuse), bind and execute. */
static enum up_err run(struct up_db *db, const char *sql, const struct up_db_param *params,
                       size_t n, MYSQL_STMT **out)
{
	MYSQL_BIND binds[MAX_PARAMS];
	unsigned long lens[MAX_PARAMS];
	MYSQL_STMT *st = NULL;
	enum up_err rc;
	size_t i;

	db->last_errno = 0;
	db->dup_key[0] = '\0';
	if (n > MAX_PARAMS)
		return UP_ERR_INTERNAL;
	rc = up_db_connect(db);
	if (rc != UP_OK)
		return rc;
	rc = get_stmt(db, sql, &st);
	if (rc != UP_OK)
		return rc;
	if (mysql_stmt_param_count(st) != n) {
		up_log(UP_LOG_ERROR, "statement takes %lu parameters, %zu given",
		       mysql_stmt_param_count(st), n);
		return UP_ERR_INTERNAL;
	}
	memset(binds, 0, sizeof(binds));
	for (i = 0; i < n; i++) {
		MYSQL_BIND *b = &binds[i];

		switch (params[i].type) {
		case UP_DB_NULL:
			b->buffer_type = MYSQL_TYPE_NULL;
			break;
		case UP_DB_I64:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = (void *)&params[i].i64;
			break;
		case UP_DB_U64:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = (void *)&params[i].u64;
			b->is_unsigned = 1;
			break;
		case UP_DB_STR:
		case UP_DB_BLOB:
			b->buffer_type =
			        params[i].type == UP_DB_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b->buffer = (void *)params[i].ptr;
			b->buffer_length = params[i].len;
			lens[i] = params[i].len;
			b->length = &lens[i];
			break;
		}
	}
	if (n > 0 && mysql_stmt_bind_param(st, binds) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	if (mysql_stmt_execute(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	*out = st;
	return UP_OK;
}

enum up_err up_db_exec(struct up_db *db, const char *sql, const struct up_db_param *params,
                       size_t nparams, struct up_db_info *info)
{
	MYSQL_STMT *st;
	enum up_err rc = run(db, sql, params, nparams, &st);

	if (rc != UP_OK)
		return rc;
	if (info != NULL) {
		my_ulonglong a = mysql_stmt_affected_rows(st);

		info->affected = a == (my_ulonglong)-1 ? 0 : a;
		info->insert_id = mysql_stmt_insert_id(st);
	}
	mysql_stmt_free_result(st);
	return UP_OK;
}

void up_db_result_free(struct up_db_result *res)
{
	size_t i;

	if (res->cells != NULL)
		for (i = 0; i < res->nrows * res->ncols; i++)
			free(res->cells[i]);
	free(res->cells);
	free(res->lens);
	memset(res, 0, sizeof(*res));
}

/* Fetch every row of an executed statement as text cells. */
static enum up_err fetch_all(struct up_db *db, MYSQL_STMT *st, MYSQL_RES *meta,
                             struct up_db_result *res)
{
	MYSQL_BIND *binds = NULL;
	char **bufs = NULL;
	unsigned long *lens = NULL;
	my_bool *nulls = NULL;
	MYSQL_FIELD *fields;
	enum up_err rc = UP_OK;
	size_t c, r = 0, ncols;

	if (mysql_stmt_store_result(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	ncols = mysql_num_fields(meta);
	fields = mysql_fetch_fields(meta);
	res->ncols = ncols;
	res->nrows = (size_t)mysql_stmt_num_rows(st);
	if (ncols == 0)
		goto out;
	binds = calloc(ncols, sizeof(*binds));
	bufs = calloc(ncols, sizeof(*bufs));
	lens = calloc(ncols, sizeof(*lens));
	nulls = calloc(ncols, sizeof(*nulls));
	res->cells = calloc(res->nrows * ncols + 1, sizeof(*res->cells));
	res->lens = calloc(res->nrows * ncols + 1, sizeof(*res->lens));
	if (binds == NULL || bufs == NULL || lens == NULL || nulls == NULL || res->cells == NULL ||
	    res->lens == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	for (c = 0; c < ncols; c++) {
		size_t size = fields[c].max_length > 64 ? fields[c].max_length + 1 : 65;

		bufs[c] = malloc(size);
		if (bufs[c] == NULL) {
			rc = UP_ERR_NOMEM;
			goto out;
		}
		binds[c].buffer_type = MYSQL_TYPE_STRING;
		binds[c].buffer = bufs[c];
		binds[c].buffer_length = size;
		binds[c].length = &lens[c];
		binds[c].is_null = &nulls[c];
	}
	if (mysql_stmt_bind_result(st, binds) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	for (r = 0; r < res->nrows; r++) {
		int f = mysql_stmt_fetch(st);

		if (f == 1 || f == MYSQL_NO_DATA) {
			rc = f == 1 ? classify(db, mysql_stmt_errno(st), mysql_stmt_error(st))
			            : UP_ERR_INTERNAL;
			goto out;
		}
		for (c = 0; c < ncols; c++) {
			char *cell;

			if (nulls[c])
				continue;
			cell = malloc(lens[c] + 1);
			if (cell == NULL) {
				rc = UP_ERR_NOMEM;
				goto out;
			}
			if (lens[c] < binds[c].buffer_length) {
				memcpy(cell, bufs[c], lens[c]);
			} else {
				MYSQL_BIND one;

				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = cell;
				one.buffer_length = lens[c] + 1;
				if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0) {
					free(cell);
					rc = classify(db, mysql_stmt_errno(st),
					              mysql_stmt_error(st));
					goto out;
				}
			}
			cell[lens[c]] = '\0';
			res->cells[r * ncols + c] = cell;
			res->lens[r * ncols + c] = lens[c];
		}
	}
out:
	if (bufs != NULL)
		for (c = 0; c < ncols; c++)
			free(bufs[c]);
	free(bufs);
	free(binds);
	free(lens);
	free(nulls);
	if (db->conn != NULL)
		mysql_stmt_free_result(st);
	return rc;
}

enum up_err up_db_query(struct up_db *db, const char *sql, const struct up_db_param *params,
                        size_t nparams, struct up_db_result *res)
{
	MYSQL_STMT *st;
	MYSQL_RES *meta;
	enum up_err rc;

	memset(res, 0, sizeof(*res));
	rc = run(db, sql, params, nparams, &st);
	if (rc != UP_OK)
		return rc;
	meta = mysql_stmt_result_metadata(st);
	if (meta == NULL) {
		mysql_stmt_free_result(st);
		return UP_OK;
	}
	rc = fetch_all(db, st, meta, res);
	mysql_free_result(meta);
	if (rc != UP_OK)
		up_db_result_free(res);
	return rc;
}

/* A fixed statement outside the prepared-statement path (BEGIN, COMMIT...). */
static enum up_err simple(struct up_db *db, const char *sql)
{
	if (db->conn == NULL)
		return UP_ERR_DB_UNAVAILABLE;
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	return UP_OK;
}

enum up_err up_db_exec_trusted(struct up_db *db, const char *sql)
{
	enum up_err rc = up_db_connect(db);

	if (rc != UP_OK)
		return rc;
	return simple(db, sql);
}

static void backoff(unsigned attempt)
{
	unsigned ms = (5u << (attempt < 6 ? attempt : 6)) + randombytes_uniform(10);
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

enum up_err up_db_transaction(struct up_db *db, up_db_txn_fn fn, void *arg)
{
	unsigned attempt;
	enum up_err rc = UP_ERR_INTERNAL;

	for (attempt = 0;; attempt++) {
		int at_commit = 0;

		rc = up_db_connect(db);
		if (rc != UP_OK)
			return rc;
		rc = simple(db, "START TRANSACTION");
		if (rc == UP_OK) {
			rc = fn(db, arg);
			if (rc == UP_OK) {
				at_commit = 1;
				rc = simple(db, "COMMIT");
				if (rc == UP_OK)
					return UP_OK;
			}
		}
		if (db->conn != NULL && !(at_commit && rc == UP_OK))
			(void)simple(db, "ROLLBACK");
		if (attempt >= db->cfg->db_retries)
			break;
		if (rc == UP_ERR_DB_RETRY) {
			/* 1213/1205 (also from COMMIT on Galera): nothing was committed. */
			db->retries++;
			up_log(UP_LOG_INFO, "transaction retry %u after error %u", attempt + 1,
			       db->last_errno);
			backoff(attempt);
			continue;
		}
		if (rc == UP_ERR_DB_UNAVAILABLE && !at_commit) {
			/* Lost before COMMIT: nothing committed; reconnect and run again. */
			db->retries++;
			continue;
		}
		break;
	}
	if (rc == UP_ERR_DB_RETRY)
		up_log(UP_LOG_WARN, "transaction gave up after %u attempts", attempt + 1);
	return rc;
}
