/* SPDX-License-Identifier: ISC */
/*
 * ingest_ceiling.c: the ceiling of position ingestion on this database:
 * the rows POST /api/devices/{id}/locations stores, inserted by a C client
 * directly, as one multi-row INSERT of 1,000 rows in one transaction per
 * batch, from several connections at once (one process and one device
 * each).  No HTTP, no JSON, no token check, no duplicate handling.
 *
 *   ingest_ceiling FIRST_DEVICE CONNECTIONS SECONDS
 *
 * Reads the configuration from $USERPATCH_CONFIG; device ids FIRST_DEVICE
 * .. FIRST_DEVICE + CONNECTIONS - 1 must exist.  Prints "rows SECONDS" (the
 * rows inserted and the wall time) on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "db.h"
#include "parse.h"

#define ROWS 1000
#define COLS 9 /* as position_store.c binds them */

static char sql[ROWS * 30 + 256];

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void build_sql(void)
{
	size_t used, i;

	used = (size_t)snprintf(sql, sizeof(sql),
	                        "INSERT INTO positions (device_id, fix_time, latitude, longitude, "
	                        "altitude, speed, course, accuracy, attributes) VALUES ");
	for (i = 0; i < ROWS; i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s(?,?,?,?,?,?,?,?,?)",
		                         i > 0 ? "," : "");
}

struct batch {
	uint64_t device;
	long first; /* seconds after 2020-01-01 of the batch's first fix */
	char times[ROWS][27];
	struct up_db_param p[ROWS * COLS];
};

static enum up_err insert_batch(struct up_db *db, void *arg)
{
	struct batch *b = arg;

	return up_db_exec(db, sql, b->p, ROWS * COLS, NULL);
}

/* One connection: batches for `seconds`; exits with nothing, writes its row count to fd. */
static void worker(const struct up_config *cfg, uint64_t device, double seconds, int fd)
{
	struct up_db *db = NULL;
	struct batch *b = calloc(1, sizeof(*b));
	long rows = 0, i;
	double end = now() + seconds;
	int status = 1;

	if (b == NULL || up_db_new(cfg, &db) != UP_OK || up_db_connect(db) != UP_OK)
		goto out;
	b->device = device;
	while (now() < end) {
		for (i = 0; i < ROWS; i++) {
			time_t t = (time_t)1577836800 + b->first + i;
			struct tm tm;
			struct up_db_param *p = &b->p[i * COLS];

			gmtime_r(&t, &tm);
			strftime(b->times[i], sizeof(b->times[i]), "%Y-%m-%d %H:%M:%S", &tm);
			p[0] = UP_P_U64(device);
			p[1] = UP_P_STR(b->times[i]);
			p[2] = UP_P_F64(48.85 + (double)i / 1e5);
			p[3] = UP_P_F64(2.29 + (double)i / 1e5);
			p[4] = UP_P_F64(35.0);
			p[5] = UP_P_F64(42.5);
			p[6] = UP_P_F64(90.0);
			p[7] = UP_P_F64(5.0);
			p[8] = UP_P_NULL();
		}
		if (up_db_transaction(db, insert_batch, b) != UP_OK) {
			fprintf(stderr, "ingest_ceiling: insert failed (%u)\n", up_db_errno(db));
			goto out;
		}
		b->first += ROWS;
		rows += ROWS;
	}
	status = 0;
out:
	if (write(fd, &rows, sizeof(rows)) != (ssize_t)sizeof(rows))
		status = 1;
	up_db_close(db);
	free(b);
	_exit(status);
}

int main(int argc, char **argv)
{
	struct up_config cfg;
	uint64_t first, conns, secs, w;
	char err[256];
	int fds[2], status, failed = 0;
	long total = 0, one;
	double start;

	if (argc != 4 || up_parse_u64(argv[1], 1, UINT32_MAX, &first) != UP_OK ||
	    up_parse_u64(argv[2], 1, 64, &conns) != UP_OK ||
	    up_parse_u64(argv[3], 1, 3600, &secs) != UP_OK) {
		fprintf(stderr, "usage: ingest_ceiling FIRST_DEVICE CONNECTIONS SECONDS\n");
		return 2;
	}
	if (up_config_load(up_config_path(), &cfg, err, sizeof(err)) != UP_OK) {
		fprintf(stderr, "ingest_ceiling: %s\n", err);
		return 1;
	}
	build_sql();
	if (pipe(fds) != 0)
		return 1;
	start = now();
	for (w = 0; w < conns; w++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			worker(&cfg, first + w, (double)secs, fds[1]);
	}
	close(fds[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	while (read(fds[0], &one, sizeof(one)) == (ssize_t)sizeof(one))
		total += one;
	printf("%ld %.3f\n", total, now() - start);
	up_config_free(&cfg);
	return failed;
}
