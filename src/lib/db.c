/* SPDX-License-Identifier: ISC */
/* db.c: MariaDB/MySQL client layer, prepared statements only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <mysql.h>
#include <sodium.h>
#include "db.h"
#include "db_block.h"
#include "db_error.h"
#include "db_hosts.h"
#include "hash.h"
#include "log.h"
#include "mono.h"

#define STMT_CACHE 96
#define MAX_PARAMS 64

/*
 * Answers read later (Connector/C 3.3.1 and later: MARIADB_OPT_SKIP_READ_RESPONSE
 * and the read methods of the client's public method table).  With another
 * client library, or db_pipeline off, every statement waits for its own answer.
 */
#if defined(MARIADB_PACKAGE_VERSION_ID) && MARIADB_PACKAGE_VERSION_ID >= 30301
#define HAVE_LATER 1
#else
#define HAVE_LATER 0
#endif
/* Statements whose answers may wait unread at once (more: the oldest are read first). */
#define LATER_MAX 8
/* Statements kept for the COMMIT at once (more: those kept are sent first, read later). */
#define BLOCK_MAX 8

/*
 * A prepared statement and its own copy of the SQL text (the caller's text
 * may be built in a buffer and freed; a slot never points into it), found
 * by hash and length, then compared byte for byte.
 */
struct stmt_slot {
	char *sql;
	size_t len;
	uint64_t hash;
	MYSQL_STMT *stmt;
};

/* What a failed statement means for the connection and the host. */
enum fault {
	F_NONE = 0,
	F_LOST,     /* the connection is gone: the statement may or may not have run */
	F_REFUSED,  /* the host refused the statement, nothing applied (1047, 1180, 1290) */
	F_SHUTDOWN, /* the server is shutting down (1053): treat as lost */
};

struct up_db {
	const struct up_config *cfg;
	MYSQL *conn;
	struct stmt_slot stmts[STMT_CACHE];
	size_t nstmts;
	unsigned last_errno;
	char dup_key[65];
	unsigned long retries;
	struct up_db_host hosts[UP_DB_HOSTS_MAX];
	size_t nhosts;
	size_t cur;          /* the host that works (connected to, or first to try) */
	long long cur_since; /* monotonic ms when the worker settled on cur */
	int conn_spare;      /* connected to a read-only or desynced host as a last resort */
	int in_txn;          /* inside up_db_transaction() */
	enum fault fault;    /* of the last failed statement */
	int fault_in_trans;  /* the server had a transaction open when it failed */
	int sent;            /* the current statement was sent for execution */
	unsigned long failovers;
	/* statements and commits sent (up_db_stats), answers waited for */
	unsigned long statements, commits, waits;
	/* sent, answers not read yet, in the order sent; NULL: a plain query */
	MYSQL_STMT *later[LATER_MAX];
	size_t nlater;
	/* statements kept for the COMMIT (up_db_exec_at_commit) */
	struct up_db_block block;
	int block_ok; /* the server runs compound statements (MariaDB), known once connected */
	/* run inside every transaction before COMMIT, and told its outcome */
	up_db_precommit_fn precommit;
	up_db_outcome_fn outcome;
};

enum up_err up_db_new(const struct up_config *cfg, struct up_db **out)
{
	struct up_db *db = calloc(1, sizeof(*db));
	char err[128];
	int n;

	if (db == NULL)
		return UP_ERR_NOMEM;
	n = up_db_hosts_parse(cfg->db_host, (unsigned)cfg->db_port, db->hosts, UP_DB_HOSTS_MAX, err,
	                      sizeof(err));
	if (n < 0) {
		up_log(UP_LOG_ERROR, "%s", err);
		free(db);
		return UP_ERR_CONFIG;
	}
	db->nhosts = (size_t)n;
	db->cfg = cfg;
	db->cur_since = up_mono_ms();
	*out = db;
	return UP_OK;
}

/* Close every cached statement and free its text. */
static void drop_stmts(struct up_db *db)
{
	size_t i;

	for (i = 0; i < db->nstmts; i++) {
		mysql_stmt_close(db->stmts[i].stmt);
		free(db->stmts[i].sql);
	}
	db->nstmts = 0;
}

void up_db_disconnect(struct up_db *db)
{
	db->nlater = 0; /* their answers went with the connection */
	drop_stmts(db);
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}

void up_db_close(struct up_db *db)
{
	if (db == NULL)
		return;
	up_db_disconnect(db);
	up_db_block_free(&db->block);
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

void up_db_stats(const struct up_db *db, unsigned long *statements, unsigned long *commits)
{
	*statements = db->statements;
	*commits = db->commits;
}

unsigned long up_db_waits(const struct up_db *db)
{
	return db->waits;
}

const struct up_config *up_db_config(const struct up_db *db)
{
	return db->cfg;
}

void up_db_set_commit_hooks(struct up_db *db, up_db_precommit_fn precommit,
                            up_db_outcome_fn outcome)
{
	db->precommit = precommit;
	db->outcome = outcome;
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

static const char *host_label(const struct up_db *db, size_t i)
{
	return db->nhosts > 0 ? db->hosts[i].label : "-";
}

/* The host refused the statement before running it: next time, start with the next host. */
static void leave_host(struct up_db *db)
{
	up_db_disconnect(db);
	if (db->nhosts > 1)
		db->cur = (db->cur + 1) % db->nhosts;
}

/*
 * Map a server/client error to the library enum and note what it means for
 * the connection (db->fault); drops a lost connection.
 */
static enum up_err classify(struct up_db *db, unsigned e, const char *msg)
{
	const char *host = host_label(db, db->cur);
	enum up_db_fault_kind kind = up_db_error_kind(e, msg);

	db->last_errno = e;
	db->fault = F_NONE;
	db->fault_in_trans =
	        db->conn != NULL && (db->conn->server_status & SERVER_STATUS_IN_TRANS) != 0;
	switch (kind) {
	case UP_DBF_CONFLICT:
		return UP_ERR_DB_RETRY;
	case UP_DBF_DUPLICATE:
		note_dup_key(db, msg);
		return UP_ERR_CONFLICT;
	case UP_DBF_LOST:
	case UP_DBF_SHUTDOWN:
		up_log(UP_LOG_WARN, "database host %s: connection lost (%u): %s", host, e, msg);
		db->fault = kind == UP_DBF_SHUTDOWN ? F_SHUTDOWN : F_LOST;
		if (db->fault == F_SHUTDOWN)
			leave_host(db);
		else
			up_db_disconnect(db);
		return UP_ERR_DB_UNAVAILABLE;
	case UP_DBF_NOT_PRIMARY:
		up_log(UP_LOG_WARN, "database host %s: %s (%u): %s", host,
		       e == 1047 ? "not ready" : "not in the primary component", e, msg);
		db->fault = F_REFUSED;
		leave_host(db);
		return UP_ERR_DB_UNAVAILABLE;
	case UP_DBF_READ_ONLY:
		if (db->conn_spare) {
			/* Already the last resort: no writable host answered. */
			up_log(UP_LOG_ERROR,
			       "database host %s is read-only and no writable host "
			       "answers (%u): %s",
			       host, e, msg);
			return UP_ERR_DB_UNAVAILABLE;
		}
		up_log(UP_LOG_WARN, "database host %s refuses writes (%u): %s", host, e, msg);
		db->fault = F_REFUSED;
		leave_host(db);
		return UP_ERR_DB_UNAVAILABLE;
	case UP_DBF_UNREACHABLE:
		up_log(UP_LOG_WARN, "database host %s unavailable (%u): %s", host, e, msg);
		db->fault = F_LOST;
		up_db_disconnect(db);
		return UP_ERR_DB_UNAVAILABLE;
	case UP_DBF_OTHER:
		break;
	}
	up_log(UP_LOG_ERROR, "database error %u: %s", e, msg);
	return UP_ERR_DB;
}

static const char init_sql[] =
        "SET time_zone = '+00:00', "
        "sql_mode = "
        "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'";
/*
 * Every session runs at READ COMMITTED, whatever the server's default: locking
 * reads take no gap locks, so concurrent creates of the same key do not
 * deadlock on a shared gap; the loser waits for the winner's key, gets 1062
 * and its transaction runs again and finds the winner's row (see the
 * device-app upsert).  Row locks (FOR UPDATE, LOCK IN SHARE MODE) and unique
 * keys carry every rule; nothing relies on a transaction-wide snapshot.
 * A second init command: Connector/C runs each one at connect.
 */
static const char init_isolation[] = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

/* Try one host; returns a connected handle or NULL. */
static MYSQL *connect_host(const struct up_config *cfg, const struct up_db_host *h, unsigned *err,
                           char *msg, size_t msglen)
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
	mysql_options(m, MYSQL_INIT_COMMAND, init_isolation);
	if (strcmp(h->name, "localhost") == 0)
		sock = cfg->db_socket;
	if (mysql_real_connect(m, h->name, cfg->db_user, cfg->db_password, cfg->db_name,
	                       h->port != 0 ? h->port : (unsigned)cfg->db_port, sock, 0) == NULL) {
		*err = mysql_errno(m);
		snprintf(msg, msglen, "%s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

enum host_state { H_BAD = 0, H_SPARE, H_GOOD };

/*
 * With several hosts, ask a new connection whether it should serve: a Galera
 * node must be ready (wsrep_ready ON) and preferably synced (wsrep_local_state
 * 4); a host with read_only ON serves only when no writable host answers.
 * Two round trips per connection, none per request; one host is not asked.
 */
static enum host_state host_check(struct up_db *db, MYSQL *m, char *why, size_t whylen)
{
	static const char q_wsrep[] = "SHOW GLOBAL STATUS WHERE Variable_name IN "
	                              "('wsrep_ready', 'wsrep_local_state')";
	static const char q_ro[] = "SELECT @@global.read_only";
	enum host_state st = H_GOOD;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;

	if (db->nhosts < 2)
		return H_GOOD;
	if (mysql_real_query(m, q_wsrep, strlen(q_wsrep)) != 0 ||
	    (r = mysql_store_result(m)) == NULL)
		goto failed;
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (row[0] == NULL || row[1] == NULL)
			continue;
		if (strcmp(row[0], "wsrep_ready") == 0 && strcmp(row[1], "ON") != 0) {
			snprintf(why, whylen, "Galera node not ready (wsrep_ready %s)", row[1]);
			mysql_free_result(r);
			return H_BAD;
		}
		if (strcmp(row[0], "wsrep_local_state") == 0 && strcmp(row[1], "4") != 0) {
			snprintf(why, whylen, "Galera node not synced (wsrep_local_state %s)",
			         row[1]);
			st = H_SPARE;
		}
	}
	mysql_free_result(r);
	if (mysql_real_query(m, q_ro, strlen(q_ro)) != 0 || (r = mysql_store_result(m)) == NULL)
		goto failed;
	row = mysql_fetch_row(r);
	if (row != NULL && row[0] != NULL && strcmp(row[0], "0") != 0) {
		snprintf(why, whylen, "read-only server");
		st = H_SPARE;
	}
	mysql_free_result(r);
	return st;
failed:
	snprintf(why, whylen, "%s (%u)", mysql_error(m), mysql_errno(m));
	return H_BAD;
}

/* Connect to host i and check it; *out is the connection unless H_BAD. */
static enum host_state try_host(struct up_db *db, size_t i, MYSQL **out)
{
	char msg[512] = "";
	unsigned err = 0;
	enum host_state st;

	*out = connect_host(db->cfg, &db->hosts[i], &err, msg, sizeof(msg));
	if (*out == NULL) {
		db->last_errno = err;
		up_log(UP_LOG_WARN, "database host %s: %s (%u)", host_label(db, i), msg, err);
		return H_BAD;
	}
	st = host_check(db, *out, msg, sizeof(msg));
	if (st != H_GOOD)
		up_log(UP_LOG_WARN, "database host %s: %s%s", host_label(db, i), msg,
		       st == H_SPARE ? "; used only if no other host answers" : "");
	if (st == H_BAD) {
		mysql_close(*out);
		*out = NULL;
	}
	return st;
}

/* Make m (to host i) the connection. */
static void use_host(struct up_db *db, size_t i, MYSQL *m, int spare)
{
	if (i != db->cur) {
		up_log(UP_LOG_WARN, "database fail-over: now using host %s (was %s)",
		       host_label(db, i), host_label(db, db->cur));
		db->failovers++;
		db->cur = i;
		db->cur_since = up_mono_ms();
	}
	db->conn = m;
	db->conn_spare = spare;
	/* Compound statements (BEGIN NOT ATOMIC) are MariaDB's, 10.1.1 and later. */
	db->block_ok = strstr(mysql_get_server_info(m), "MariaDB") != NULL &&
	               mysql_get_server_version(m) >= 100101;
	up_log(db->nhosts > 1 ? UP_LOG_INFO : UP_LOG_DEBUG,
	       "connected to database host %s (connection %lu)", host_label(db, i),
	       mysql_thread_id(m));
}

enum up_err up_db_connect(struct up_db *db)
{
	MYSQL *spare = NULL;
	size_t spare_i = 0, k;

	if (db->conn != NULL)
		return UP_OK;
	/* The host that worked last first, then the others in list order. */
	for (k = 0; k < db->nhosts; k++) {
		size_t i = (db->cur + k) % db->nhosts;
		MYSQL *m;
		enum host_state st = try_host(db, i, &m);

		if (st == H_GOOD) {
			if (spare != NULL)
				mysql_close(spare);
			use_host(db, i, m, 0);
			return UP_OK;
		}
		if (st == H_SPARE && spare == NULL) {
			spare = m;
			spare_i = i;
		} else if (m != NULL) {
			mysql_close(m);
		}
	}
	if (spare != NULL) {
		use_host(db, spare_i, spare, 1);
		return UP_OK;
	}
	db->fault = F_NONE; /* every host was tried: nothing to retry */
	return UP_ERR_DB_UNAVAILABLE;
}

/*
 * Between statements outside a transaction: once db_failback_delay has
 * passed since the worker left an earlier host (or settled for a last-resort
 * one), try the earlier hosts again and move back to the first that serves.
 */
static void maybe_failback(struct up_db *db)
{
	size_t i;

	if (db->conn == NULL || (db->cur == 0 && !db->conn_spare) ||
	    up_mono_ms() - db->cur_since < (long long)db->cfg->db_failback_delay * 1000)
		return;
	for (i = 0; i < db->nhosts; i++) {
		MYSQL *m;

		if (i == db->cur || (i > db->cur && !db->conn_spare))
			continue;
		if (try_host(db, i, &m) == H_GOOD) {
			up_log(UP_LOG_WARN, "database fail-back: host %s serves again",
			       host_label(db, i));
			up_db_disconnect(db);
			use_host(db, i, m, 0);
			return;
		}
		if (m != NULL)
			mysql_close(m);
	}
	db->cur_since = up_mono_ms(); /* ask again after another delay */
}

const char *up_db_host(const struct up_db *db)
{
	return db->conn != NULL ? host_label(db, db->cur) : "-";
}

unsigned long up_db_failover_count(const struct up_db *db)
{
	return db->failovers;
}

/*
 * Answers read later.  Inside a transaction a statement whose outcome the
 * caller needs only as "it worked" (an audit row, the SET that begins the
 * transaction) is sent without waiting for its answer; the answer is read,
 * in order, with the next statement's, so both cost one wait.  A failed
 * answer read this way is the next statement's failure (or the COMMIT's,
 * which is then not sent): the transaction fails and is rolled back as if
 * the first statement had failed on its own.  Nothing is ever sent after a
 * COMMIT or a ROLLBACK without the answers before it read.
 */

/* The failure of an answer read later: the first one counts, unless a later one lost the
 * connection (then nothing more can be read, and that decides what happens next). */
static enum up_err later_failure(struct up_db *db, enum up_err first, unsigned e, const char *msg)
{
	enum up_err rc = classify(db, e, msg);

	return first == UP_OK || db->fault != F_NONE ? rc : first;
}

/* Read every answer still unread, in order; the first failure is returned. */
static enum up_err read_later(struct up_db *db)
{
	enum up_err rc = UP_OK;
	size_t i, n = db->nlater;

	db->nlater = 0;
	for (i = 0; i < n && db->conn != NULL; i++) {
		MYSQL_STMT *st = db->later[i];

#if HAVE_LATER
		if (st == NULL ? mysql_read_query_result(db->conn) != 0
		               : db->conn->methods->db_read_execute_response(st) != 0) {
			if (st == NULL)
				rc = later_failure(db, rc, mysql_errno(db->conn),
				                   mysql_error(db->conn));
			else
				rc = later_failure(db, rc, mysql_stmt_errno(st),
				                   mysql_stmt_error(st));
			continue; /* a lost connection ends the loop, and freed st */
		}
		if (st != NULL)
			mysql_stmt_free_result(st);
#else
		(void)st;
#endif
	}
	return rc;
}

/* Read the answers still unread before a statement that needs the connection to itself. */
static enum up_err settle(struct up_db *db)
{
	if (db->nlater == 0)
		return UP_OK;
	db->waits++;
	return read_later(db);
}

/* Whether st was sent and its answer is still unread. */
static int is_later(const struct up_db *db, const MYSQL_STMT *st)
{
	size_t i;

	for (i = 0; i < db->nlater; i++)
		if (db->later[i] == st)
			return 1;
	return 0;
}

/* Whether answers may be read later on this handle (the library can, db_pipeline is on). */
static int pipelining(const struct up_db *db)
{
	return HAVE_LATER && db->cfg->db_pipeline;
}

#if HAVE_LATER
/* Execute st (bound) without reading its answer; 0 when sent. */
static int send_only(struct up_db *db, MYSQL_STMT *st)
{
	my_bool on = 1, off = 0;
	int r;

	mysql_optionsv(db->conn, MARIADB_OPT_SKIP_READ_RESPONSE, &on);
	r = mysql_stmt_execute(st);
	mysql_optionsv(db->conn, MARIADB_OPT_SKIP_READ_RESPONSE, &off);
	return r;
}
#endif

static enum up_err simple(struct up_db *db, const char *sql);

/* Send a fixed statement (SET ...) whose answer is read with the next statement's. */
static enum up_err simple_later(struct up_db *db, const char *sql)
{
	enum up_err rc;

	if (!pipelining(db))
		return simple(db, sql);
	if (db->conn == NULL) {
		db->fault = F_LOST;
		return UP_ERR_DB_UNAVAILABLE;
	}
	if (db->nlater == LATER_MAX && (rc = settle(db)) != UP_OK)
		return rc;
	db->statements++;
	if (mysql_send_query(db->conn, sql, (unsigned long)strlen(sql)) != 0)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	db->later[db->nlater++] = NULL;
	return UP_OK;
}

static enum up_err get_stmt(struct up_db *db, const char *sql, MYSQL_STMT **out)
{
	my_bool update_max = 1;
	size_t i, len = strlen(sql);
	uint64_t hash = up_hash(sql, len);
	struct stmt_slot *slot;
	MYSQL_STMT *st;
	enum up_err rc;

	for (i = 0; i < db->nstmts; i++) {
		slot = &db->stmts[i];
		if (slot->hash == hash && slot->len == len && memcmp(slot->sql, sql, len) == 0) {
			*out = slot->stmt;
			return UP_OK;
		}
	}
	/* A PREPARE reads its answer at once, and a full cache closes statements: the
	 * answers still unread first. */
	if ((rc = settle(db)) != UP_OK)
		return rc;
	if (db->nstmts == STMT_CACHE)
		drop_stmts(db); /* full: start over rather than grow without bound */
	st = mysql_stmt_init(db->conn);
	if (st == NULL)
		return UP_ERR_NOMEM;
	if (mysql_stmt_prepare(st, sql, len) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return rc;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	slot = &db->stmts[db->nstmts];
	if ((slot->sql = malloc(len + 1)) == NULL) {
		mysql_stmt_close(st);
		return UP_ERR_NOMEM;
	}
	memcpy(slot->sql, sql, len + 1);
	slot->len = len;
	slot->hash = hash;
	slot->stmt = st;
	db->nstmts++;
	*out = st;
	return UP_OK;
}

/*
 * A transaction begins without a START TRANSACTION of its own: the
 * connection turns autocommit off for it ("SET autocommit = 0", whose answer
 * is read with the first statement's) and leaves it off after the COMMIT, so
 * the worker's next transaction begins with its first statement.  A
 * statement outside a transaction (a GET's SELECT, the usage counts, the
 * admin tool's) first turns autocommit back on (a read sends the SET with
 * it, one wait for both): it commits on its own as it always did, and no
 * read leaves a transaction open between requests (holding metadata locks a
 * migration would wait for).  The server's status flags say which mode the
 * connection is in; a new connection starts with autocommit on.
 */
static int autocommit_is_on(const struct up_db *db)
{
	return (db->conn->server_status & SERVER_STATUS_AUTOCOMMIT) != 0;
}

/* A statement that only reads: it may run again when its connection was lost. */
static int is_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "SHOW", 4) == 0;
}

/*
 * Before sql outside a transaction.  A read sends the SET ahead of itself
 * (if either's connection is lost, the read runs again); anything else waits
 * for the SET's answer first, so that a lost connection is known before it
 * is sent.
 */
static enum up_err autocommit_on(struct up_db *db, const char *sql)
{
	if (db->conn == NULL || autocommit_is_on(db))
		return UP_OK;
	return sql != NULL && is_read(sql) ? simple_later(db, "SET autocommit = 1")
	                                   : simple(db, "SET autocommit = 1");
}

#if HAVE_LATER
/*
 * Execute st (bound) behind answers still unread, or with its own answer
 * left unread (later): the answers are read in order, one wait for all.
 */
static enum up_err execute_in_line(struct up_db *db, MYSQL_STMT *st, int later)
{
	enum up_err rc;

	if (send_only(db, st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	if (later) {
		db->later[db->nlater++] = st;
		return UP_OK;
	}
	db->waits++;
	rc = read_later(db);
	if (db->conn == NULL)
		return rc; /* lost: st went with the connection */
	if (db->conn->methods->db_read_execute_response(st) != 0)
		return later_failure(db, rc, mysql_stmt_errno(st), mysql_stmt_error(st));
	if (rc != UP_OK) {
		/* An earlier answer failed: this one's rows are read and dropped. */
		if (mysql_stmt_field_count(st) > 0)
			(void)mysql_stmt_store_result(st);
		mysql_stmt_free_result(st);
	}
	return rc;
}
#endif

/*
 * Execute st (bound): at once, reading its answer (and those still unread
 * before it, one wait for all); or, when later, without reading it.
 */
static enum up_err execute(struct up_db *db, MYSQL_STMT *st, int later)
{
#if HAVE_LATER
	if (later || db->nlater > 0)
		return execute_in_line(db, st, later);
#else
	(void)later;
#endif
	db->waits++;
	if (mysql_stmt_execute(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	return UP_OK;
}

/* Prepare (or reuse), bind and execute (later: see execute()). */
static enum up_err run(struct up_db *db, const char *sql, const struct up_db_param *params,
                       size_t n, int later, MYSQL_STMT **out)
{
	MYSQL_BIND stack_binds[MAX_PARAMS], *binds = stack_binds;
	unsigned long stack_lens[MAX_PARAMS], *lens = stack_lens;
	MYSQL_STMT *st = NULL;
	enum up_err rc;
	size_t i;

	db->last_errno = 0;
	db->dup_key[0] = '\0';
	db->fault = F_NONE;
	db->sent = 0;
	if (n > UP_DB_MAX_PARAMS)
		return UP_ERR_INTERNAL;
	if (db->in_txn && db->conn == NULL) {
		/* Never carry on a transaction on a new connection. */
		db->fault = F_LOST;
		return UP_ERR_DB_UNAVAILABLE;
	}
	if (!db->in_txn)
		maybe_failback(db);
	rc = up_db_connect(db);
	if (rc != UP_OK)
		return rc;
	if (!db->in_txn && (rc = autocommit_on(db, sql)) != UP_OK)
		return rc;
	rc = get_stmt(db, sql, &st);
	if (rc != UP_OK)
		return rc;
	/* One execution of a statement at a time; no more unread answers than kept. */
	if ((is_later(db, st) || db->nlater == LATER_MAX) && (rc = settle(db)) != UP_OK)
		return rc;
	if (mysql_stmt_param_count(st) != n) {
		up_log(UP_LOG_ERROR, "statement takes %lu parameters, %zu given",
		       mysql_stmt_param_count(st), n);
		return UP_ERR_INTERNAL;
	}
	if (n > MAX_PARAMS) {
		/* A multi-row statement: its binds live on the heap for the call. */
		binds = calloc(n, sizeof(*binds));
		lens = calloc(n, sizeof(*lens));
		if (binds == NULL || lens == NULL) {
			rc = UP_ERR_NOMEM;
			goto out;
		}
	} else {
		memset(binds, 0, n * sizeof(*binds));
	}
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
		case UP_DB_F64:
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = (void *)&params[i].f64;
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
	if (n > 0 && mysql_stmt_bind_param(st, binds) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	db->sent = 1;
	db->statements++;
	rc = execute(db, st, later);
	if (rc == UP_OK)
		*out = st;
out:
	if (binds != stack_binds)
		free(binds);
	if (lens != stack_lens)
		free(lens);
	return rc;
}

/*
 * After a failed statement outside a transaction: may it run once more on a
 * new connection?  Only if nothing can have been applied: the host refused it
 * (1047, 1180 not primary, 1290), or the connection was lost before it was
 * sent, or it only reads.  Never inside a transaction (ours or one the server
 * had open): the transaction as a whole is retried, or not, by its owner.
 */
static int may_retry(const struct up_db *db, const char *sql)
{
	if (db->in_txn || db->fault_in_trans)
		return 0;
	switch (db->fault) {
	case F_REFUSED:
		return 1;
	case F_LOST:
	case F_SHUTDOWN:
		return !db->sent || is_read(sql);
	default:
		return 0;
	}
}

static void note_retry(const struct up_db *db)
{
	up_log(UP_LOG_WARN, "running the statement again on a new connection (error %u)",
	       db->last_errno);
}

/* Whether a statement that failed with rc runs once more (logged when it does). */
static int again(const struct up_db *db, const char *sql, enum up_err rc)
{
	if (rc != UP_ERR_DB_UNAVAILABLE || !may_retry(db, sql))
		return 0;
	note_retry(db);
	return 1;
}

static enum up_err exec_once(struct up_db *db, const char *sql, const struct up_db_param *params,
                             size_t nparams, struct up_db_info *info)
{
	MYSQL_STMT *st;
	enum up_err rc = run(db, sql, params, nparams, 0, &st);

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

enum up_err up_db_exec(struct up_db *db, const char *sql, const struct up_db_param *params,
                       size_t nparams, struct up_db_info *info)
{
	enum up_err rc = exec_once(db, sql, params, nparams, info);

	if (again(db, sql, rc))
		rc = exec_once(db, sql, params, nparams, info);
	return rc;
}

enum up_err up_db_exec_later(struct up_db *db, const char *sql, const struct up_db_param *params,
                             size_t nparams)
{
	MYSQL_STMT *st;

	if (!db->in_txn || !pipelining(db))
		return up_db_exec(db, sql, params, nparams, NULL);
	return run(db, sql, params, nparams, 1, &st);
}

/* Whether statements may be kept for the COMMIT on this handle's connection. */
static int blocking(const struct up_db *db)
{
	return db->in_txn && db->conn != NULL && db->block_ok && db->cfg->db_pipeline;
}

/*
 * Send the statements kept, as one compound statement: with the COMMIT,
 * waiting for its answer; or without (a long transaction's), its answer
 * read later.
 */
static enum up_err send_block(struct up_db *db, int with_commit)
{
	const struct up_db_param *p;
	const char *sql;
	MYSQL_STMT *st;
	size_t n;
	/* Never a COMMIT behind an unread answer: one that failed (a block whose handler rolled
	 * back) would leave the COMMIT to commit what ran after it. */
	enum up_err rc = with_commit ? settle(db) : UP_OK;

	if (rc == UP_OK)
		rc = up_db_block_finish(&db->block, with_commit, &sql, &p, &n);
	if (rc == UP_OK)
		rc = run(db, sql, p, n, !with_commit, &st);
	if (rc == UP_OK && with_commit)
		mysql_stmt_free_result(st);
	up_db_block_reset(&db->block);
	return rc;
}

enum up_err up_db_exec_at_commit(struct up_db *db, const char *sql,
                                 const struct up_db_param *params, size_t nparams)
{
	enum up_err rc;

	if (!blocking(db))
		return up_db_exec_later(db, sql, params, nparams);
	if (db->block.nstmts == BLOCK_MAX && (rc = send_block(db, 0)) != UP_OK)
		return rc;
	return up_db_block_add(&db->block, sql, params, nparams);
}

/* The COMMIT, with the statements kept for it when there are any (one compound statement). */
static enum up_err commit(struct up_db *db)
{
	return db->block.nstmts == 0 ? simple(db, "COMMIT") : send_block(db, 1);
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

/* Replace *cell by column c of the current row fetched whole (len bytes). */
static enum up_err fetch_long(struct up_db *db, MYSQL_STMT *st, size_t c, unsigned long len,
                              char **cell)
{
	MYSQL_BIND one;
	char *text = malloc(len + 1);

	if (text == NULL)
		return UP_ERR_NOMEM;
	memset(&one, 0, sizeof(one));
	one.buffer_type = MYSQL_TYPE_STRING;
	one.buffer = text;
	one.buffer_length = len + 1;
	if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0) {
		free(text);
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	}
	text[len] = '\0';
	free(*cell);
	*cell = text;
	return UP_OK;
}

/* Columns of a result whose fetch state lives on the stack (a user row has 29). */
#define FETCH_STACK_COLS 40

/* One column of a fetch: where the library writes the value of the current row. */
struct fetch_col {
	MYSQL_BIND bind;
	unsigned long len;
	my_bool null, error;
	MYSQL_TIME time; /* a DATETIME column: the value, formatted here */
	unsigned time_decimals;
	int is_time;
	size_t size; /* a text column: the buffer each cell gets (the column's longest value) */
};

/*
 * "YYYY-MM-DD HH:MM:SS[.f]" of t with `decimals` fraction digits, as the
 * client library writes a DATETIME into a text buffer, without its sprintf
 * (two per user row).  Returns a malloc'd text, NULL on allocation failure.
 */
static char *datetime_text(const MYSQL_TIME *t, unsigned decimals, unsigned long *len)
{
	char buf[40], *p = buf;
	const unsigned parts[6] = {t->year, t->month, t->day, t->hour, t->minute, t->second};
	static const char after[6] = {'-', '-', ' ', ':', ':', '\0'};
	unsigned long frac = t->second_part;
	size_t i, j;
	char *out;

	for (i = 0; i < 6; i++) {
		unsigned v = parts[i], w = i == 0 ? 4 : 2;

		for (j = w; j-- > 0; v /= 10)
			p[j] = (char)('0' + v % 10);
		p += w;
		if (after[i] != '\0')
			*p++ = after[i];
	}
	if (decimals > 0) {
		char digits[6];

		for (j = 6; j-- > 0; frac /= 10)
			digits[j] = (char)('0' + frac % 10);
		*p++ = '.';
		memcpy(p, digits, decimals);
		p += decimals;
	}
	*len = (unsigned long)(p - buf);
	out = malloc(*len + 1);
	if (out != NULL) {
		memcpy(out, buf, *len);
		out[*len] = '\0';
	}
	return out;
}

/* How each column is fetched: DATETIME as MYSQL_TIME, the rest as text of the longest size. */
static void init_cols(struct fetch_col *cols, const MYSQL_FIELD *fields, size_t ncols)
{
	size_t c;

	for (c = 0; c < ncols; c++) {
		struct fetch_col *k = &cols[c];

		k->is_time = (fields[c].type == MYSQL_TYPE_DATETIME ||
		              fields[c].type == MYSQL_TYPE_TIMESTAMP) &&
		             fields[c].decimals <= 6;
		k->time_decimals = fields[c].decimals;
		k->size = fields[c].max_length + 1;
	}
}

/*
 * Fetch every row of an executed statement as text cells.  The library
 * writes each text value straight into the cell it becomes (sized from the
 * column's longest value, which the stored result knows); DATETIME values
 * come as MYSQL_TIME and are formatted here.
 */
static enum up_err fetch_all(struct up_db *db, MYSQL_STMT *st, MYSQL_RES *meta,
                             struct up_db_result *res)
{
	struct fetch_col stack_cols[FETCH_STACK_COLS], *cols = stack_cols;
	MYSQL_BIND stack_binds[FETCH_STACK_COLS], *binds = stack_binds;
	MYSQL_FIELD *fields;
	enum up_err rc = UP_OK;
	size_t c, r, ncols;

	if (mysql_stmt_store_result(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	ncols = mysql_num_fields(meta);
	fields = mysql_fetch_fields(meta);
	res->ncols = ncols;
	res->nrows = (size_t)mysql_stmt_num_rows(st);
	if (ncols == 0)
		goto out;
	if (ncols > FETCH_STACK_COLS) {
		cols = calloc(ncols, sizeof(*cols));
		binds = calloc(ncols, sizeof(*binds));
	} else {
		memset(cols, 0, ncols * sizeof(*cols));
	}
	res->cells = calloc(res->nrows * ncols + 1, sizeof(*res->cells));
	res->lens = calloc(res->nrows * ncols + 1, sizeof(*res->lens));
	if (cols == NULL || binds == NULL || res->cells == NULL || res->lens == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	init_cols(cols, fields, ncols);
	for (r = 0; r < res->nrows; r++) {
		char **cells = &res->cells[r * ncols];
		int f;

		for (c = 0; c < ncols; c++) {
			struct fetch_col *k = &cols[c];
			MYSQL_BIND *b = &binds[c];

			memset(b, 0, sizeof(*b));
			b->length = &k->len;
			b->is_null = &k->null;
			b->error = &k->error;
			if (k->is_time) {
				b->buffer_type = MYSQL_TYPE_DATETIME;
				b->buffer = &k->time;
				b->buffer_length = sizeof(k->time);
				continue;
			}
			cells[c] = malloc(k->size);
			if (cells[c] == NULL) {
				rc = UP_ERR_NOMEM;
				goto out;
			}
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = cells[c];
			b->buffer_length = k->size;
		}
		if (mysql_stmt_bind_result(st, binds) != 0) {
			rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
			goto out;
		}
		f = mysql_stmt_fetch(st);
		if (f == 1 || f == MYSQL_NO_DATA) {
			rc = f == 1 ? classify(db, mysql_stmt_errno(st), mysql_stmt_error(st))
			            : UP_ERR_INTERNAL;
			goto out;
		}
		for (c = 0; c < ncols && rc == UP_OK; c++) {
			struct fetch_col *k = &cols[c];

			if (k->null) {
				free(cells[c]);
				cells[c] = NULL;
			} else if (k->is_time) {
				cells[c] = datetime_text(&k->time, k->time_decimals, &k->len);
				if (cells[c] == NULL)
					rc = UP_ERR_NOMEM;
			} else if (k->len >= k->size) {
				/* Longer than the column's longest (should not happen): fetch it
				 * whole. */
				rc = fetch_long(db, st, c, k->len, &cells[c]);
			} else {
				cells[c][k->len] = '\0';
			}
			res->lens[r * ncols + c] = k->null ? 0 : k->len;
		}
		if (rc != UP_OK)
			goto out;
	}
out:
	if (cols != stack_cols)
		free(cols);
	if (binds != stack_binds)
		free(binds);
	if (db->conn != NULL)
		mysql_stmt_free_result(st);
	return rc;
}

static enum up_err query_once(struct up_db *db, const char *sql, const struct up_db_param *params,
                              size_t nparams, struct up_db_result *res)
{
	MYSQL_STMT *st;
	MYSQL_RES *meta;
	enum up_err rc;

	memset(res, 0, sizeof(*res));
	rc = run(db, sql, params, nparams, 0, &st);
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

enum up_err up_db_query(struct up_db *db, const char *sql, const struct up_db_param *params,
                        size_t nparams, struct up_db_result *res)
{
	enum up_err rc = query_once(db, sql, params, nparams, res);

	if (again(db, sql, rc))
		rc = query_once(db, sql, params, nparams, res);
	return rc;
}

/*
 * A fixed statement outside the prepared-statement path (COMMIT, ROLLBACK,
 * SET...).  The answers still unread are read first, and a failed one is
 * returned without sending sql: a COMMIT never follows a failed statement.
 */
static enum up_err simple(struct up_db *db, const char *sql)
{
	enum up_err rc = settle(db);

	if (rc != UP_OK)
		return rc;
	if (db->conn == NULL) {
		db->fault = F_LOST;
		return UP_ERR_DB_UNAVAILABLE;
	}
	db->statements++;
	db->waits++;
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	return UP_OK;
}

enum up_err up_db_exec_trusted(struct up_db *db, const char *sql)
{
	enum up_err rc = up_db_connect(db);

	if (rc == UP_OK && !db->in_txn)
		rc = autocommit_on(db, NULL);
	if (rc != UP_OK)
		return rc;
	return simple(db, sql);
}

static void backoff(unsigned attempt)
{
	unsigned base = 5u << (attempt < 6 ? attempt : 6);
	/* Jitter as wide as the step: retries that collided spread apart. */
	unsigned ms = base + randombytes_uniform(2 * base);
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ROLLBACK after a failed attempt, keeping what the failure was. */
static void rollback(struct up_db *db)
{
	unsigned e = db->last_errno;
	enum fault f = db->fault;

	(void)settle(db); /* answers still unread: whatever they say, all is undone */
	if (db->conn != NULL)
		(void)simple(db, "ROLLBACK");
	db->last_errno = e;
	db->fault = f;
}

enum up_err up_db_transaction(struct up_db *db, up_db_txn_fn fn, void *arg)
{
	unsigned attempt = 0;
	int began, at_commit, fresh_used = 0;
	unsigned long first;
	enum up_err rc = UP_ERR_INTERNAL;

	for (;;) {
		began = at_commit = 0;
		maybe_failback(db);
		rc = up_db_connect(db);
		if (rc != UP_OK)
			return rc;
		db->in_txn = 1;
		if (!autocommit_is_on(db) && (db->conn->server_status & SERVER_STATUS_IN_TRANS))
			rc = simple(db, "ROLLBACK"); /* never carry on what someone left open */
		else if (autocommit_is_on(db))
			rc = simple_later(db, "SET autocommit = 0");
		else
			rc = UP_OK;
		first = db->statements + 1;
		if (rc == UP_OK) {
			began = 1;
			rc = fn(db, arg);
			if (rc == UP_OK && db->precommit != NULL)
				rc = db->precommit(db);
			if (rc == UP_OK) {
				at_commit = 1;
				db->commits++;
				rc = commit(db);
				if (db->outcome != NULL)
					/* An unknown outcome (connection lost at COMMIT) counts as
					 * committed: what the hook wrote is not written twice. A
					 * refused COMMIT (a node out of the primary component)
					 * committed nothing. */
					db->outcome(rc == UP_OK || (rc == UP_ERR_DB_UNAVAILABLE &&
					                            db->fault != F_REFUSED));
			} else if (db->outcome != NULL) {
				db->outcome(0);
			}
		}
		if (rc != UP_OK)
			rollback(db);
		db->in_txn = 0;
		up_db_block_reset(&db->block); /* kept statements of a failed attempt */
		if (rc == UP_OK)
			return UP_OK;
		if ((!began || (db->statements == first && db->fault == F_LOST)) &&
		    db->fault != F_NONE && !fresh_used) {
			/* The connection failed before the transaction began, or at its
			 * first statement (a connection the server closed while idle):
			 * nothing was applied; once more. */
			fresh_used = 1;
			note_retry(db);
			continue;
		}
		if (attempt >= db->cfg->db_retries)
			break;
		attempt++;
		if (rc == UP_ERR_DB_RETRY) {
			/* 1213/1205 (also from COMMIT on Galera): nothing was committed. */
			db->retries++;
			up_log(UP_LOG_INFO, "transaction retry %u after error %u", attempt,
			       db->last_errno);
			backoff(attempt - 1);
			continue;
		}
		if (rc == UP_ERR_DB_UNAVAILABLE && db->fault != F_NONE &&
		    (!at_commit || db->fault == F_REFUSED)) {
			/* Lost before COMMIT, or refused (even the COMMIT: a Galera node
			 * out of the primary component replicates nothing): nothing
			 * committed; run it again, on the next host when refused. */
			db->retries++;
			up_log(UP_LOG_INFO,
			       "transaction retry %u on a new connection after error %u", attempt,
			       db->last_errno);
			continue;
		}
		break;
	}
	if (rc == UP_ERR_DB_RETRY)
		up_log(UP_LOG_WARN, "transaction gave up after %u attempts", attempt + 1);
	return rc;
}
