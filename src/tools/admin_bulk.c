/* SPDX-License-Identifier: ISC */
/*
 * admin_bulk.c: `userpatch-admin export|import users|groups|devices`: the
 * HTTP routes' handlers (family_export.c, family_import.c) run from a
 * shell, with the tenant given by name and no token (audit rows then name
 * no token).  An import is sent in requests of --chunk rows (the handler
 * commits every 1000 rows of a request), with progress on stderr (a bar on a
 * terminal, a line every few seconds otherwise), --resume after the last
 * committed chunk (the run FILE.progress names, whose count the handler
 * commits with the rows: admin_resume.h), a summary (--json for scripts),
 * and an exit status of 1 when rows failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "admin_common.h"
#include "admin_resume.h"
#include "csv.h"
#include "device_store.h"
#include "family.h"
#include "group_store.h"
#include "import_rows.h"
#include "import_run.h"
#include "json.h"
#include "mono.h"
#include "parse.h"
#include "user_store.h"

#define DEFAULT_CHUNK 200 /* rows a request: under the handler's chunk (1000), one transaction */

static const struct up_family *family_of(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "users") == 0)
		return &up_user_family;
	if (strcmp(name, "groups") == 0)
		return &up_group_family;
	if (strcmp(name, "devices") == 0)
		return &up_device_family;
	return NULL;
}

static int to_stdout(void *arg, const char *buf, size_t len)
{
	(void)arg;
	return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
}

/*
 * One export (ir NULL) or import (ir the run, borrowed; NULL: none) of fam
 * as tenant, with query, media type and body; resp filled.
 */
static void run(struct admin_env *env, uint64_t tenant, const struct up_family *fam, int import,
                const struct up_import_run *ir, const char *query, const char *ctype,
                const char *body, size_t len, struct up_response *resp)
{
	struct up_ctx ctx;
	struct up_request req;
	struct up_call call;

	memset(&ctx, 0, sizeof(ctx));
	memset(&req, 0, sizeof(req));
	ctx.cfg = &env->cfg;
	ctx.db = env->db;
	ctx.auth.tenant_id = tenant;
	ctx.authed = 1;
	req.method = import ? UP_M_POST : UP_M_GET;
	req.query = (char *)query;
	req.content_type = (char *)ctype;
	req.body = (char *)body;
	req.body_len = len;
	snprintf(req.request_id, sizeof(req.request_id), "admin-%08x%08x", randombytes_random(),
	         randombytes_random());
	call = (struct up_call){&ctx, &req, resp, NULL, fam, NULL};
	if (import)
		up_family_import_run(&call, ir);
	else
		up_family_export(&call);
}

static int do_export(struct admin_env *env, uint64_t tenant, const struct up_family *fam,
                     const char *format)
{
	struct up_response resp;
	char query[32];
	int rc;

	snprintf(query, sizeof(query), "format=%s", format != NULL ? format : "ndjson");
	up_response_init(&resp);
	resp.out = to_stdout;
	resp.out_body_only = 1;
	run(env, tenant, fam, 0, NULL, query, NULL, NULL, 0, &resp);
	rc = resp.status == 200 && fflush(stdout) == 0 ? 0 : 1;
	if (resp.status != 200)
		admin_err("export failed: %s", resp.body != NULL ? resp.body : "");
	up_response_free(&resp);
	return rc;
}

/* What an import did so far. */
struct tally {
	long long created, updated, skipped, failed;
	size_t rows, total;
	cJSON *results; /* every result, lines of the file */
	uint64_t start; /* up_mono_ns() */
	time_t last_print;
	int tty;
};

static void progress(struct tally *t, int done)
{
	time_t now = time(NULL);
	double secs = (double)(up_mono_ns() - t->start) / 1e9,
	       rate = secs > 0 ? (double)t->rows / secs : 0;
	long eta = rate > 0 ? (long)((double)(t->total - t->rows) / rate) : 0;

	if (t->tty) {
		int w = t->total > 0 ? (int)(30 * t->rows / t->total) : 30;

		fprintf(stderr, "\r[%.*s%*s] %zu/%zu rows  %.0f rows/s  ETA %lds%s", w,
		        "##############################", 30 - w, "", t->rows, t->total, rate, eta,
		        done ? "\n" : "");
	} else if (done || now - t->last_print >= 5) {
		fprintf(stderr, "userpatch-admin: %zu/%zu rows, %.0f rows/s, ETA %lds\n", t->rows,
		        t->total, rate, eta);
		t->last_print = now;
	}
}

/* Add one answer of the handler (its lines shifted by offset) to t; 0, or -1 when it failed. */
static int add_answer(struct tally *t, const struct up_response *resp, long offset)
{
	cJSON *o = NULL, *r;

	if (resp->status != 200 || resp->body == NULL ||
	    up_json_parse(resp->body, resp->body_len, 64, &o) != UP_OK) {
		admin_err("import failed: %s", resp->body != NULL ? resp->body : "");
		cJSON_Delete(o);
		return -1;
	}
	t->created += (long long)cJSON_GetObjectItem(o, "created")->valuedouble;
	t->updated += (long long)cJSON_GetObjectItem(o, "updated")->valuedouble;
	t->skipped += (long long)cJSON_GetObjectItem(o, "skipped")->valuedouble;
	t->failed += (long long)cJSON_GetObjectItem(o, "failed")->valuedouble;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(o, "results"))
	{
		cJSON *line = cJSON_GetObjectItem(r, "line");

		cJSON_SetNumberValue(line, line->valuedouble + (double)offset);
	}
	r = cJSON_DetachItemFromObject(o, "results");
	while (cJSON_GetArraySize(r) > 0)
		cJSON_AddItemToArray(t->results, cJSON_DetachItemFromArray(r, 0));
	cJSON_Delete(r);
	cJSON_Delete(o);
	return 0;
}

/* Where each row of the file starts, and the line it starts on. */
struct piece {
	size_t at;
	size_t line;
};

/*
 * The rows of text: NDJSON lines, or CSV records after the header (whose
 * length goes to *head, with *first the line after it).  -1 when the CSV
 * does not parse.  pieces[n] is the end of the text.
 */
static int split(const char *text, size_t len, int csv, struct piece **out, size_t *n, size_t *head,
                 size_t *first)
{
	struct piece *v = malloc((len + 2) * sizeof(*v) / 2 + 2 * sizeof(*v));
	size_t k = 0, i, line = 1;

	*head = 0;
	*first = 1;
	if (v == NULL)
		return -1;
	if (!csv) {
		for (i = 0; i < len; line++) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len;

			if (strspn(text + i, " \t\r") < end - i - (nl != NULL))
				v[k++] = (struct piece){i, line};
			i = end;
		}
	} else {
		struct up_csv c;
		struct up_csv_record rec;
		int got;

		up_csv_init(&c, text, len);
		got = up_csv_next(&c, &rec);
		up_csv_record_free(&rec);
		*head = (size_t)(c.p - text);
		*first = c.line;
		while (got > 0) {
			struct piece p = {(size_t)(c.p - text), c.line};

			got = up_csv_next(&c, &rec);
			up_csv_record_free(&rec);
			if (got > 0)
				v[k++] = p;
		}
		if (got < 0) {
			free(v);
			return -1;
		}
	}
	v[k] = (struct piece){len, line};
	*out = v;
	*n = k;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	} else {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	if (f != NULL)
		fclose(f);
	return buf;
}

struct import_opts {
	const char *file, *query, *ctype;
	size_t chunk;
	int resume, json, csv, array;
};

static void summary(const struct tally *t, const struct import_opts *o)
{
	cJSON *s = cJSON_CreateObject();
	char *text;

	if (!o->json) {
		const cJSON *r;

		printf("created %lld, updated %lld, skipped %lld, failed %lld of %zu rows\n",
		       t->created, t->updated, t->skipped, t->failed, t->total);
		cJSON_ArrayForEach(r, t->results)
		{
			const cJSON *code = cJSON_GetObjectItem(r, "code");

			if (cJSON_IsString(code))
				printf("line %.0f: %s\n",
				       cJSON_GetObjectItem(r, "line")->valuedouble,
				       code->valuestring);
		}
		cJSON_Delete(s);
		return;
	}
	cJSON_AddNumberToObject(s, "rows", (double)t->total);
	cJSON_AddNumberToObject(s, "created", (double)t->created);
	cJSON_AddNumberToObject(s, "updated", (double)t->updated);
	cJSON_AddNumberToObject(s, "skipped", (double)t->skipped);
	cJSON_AddNumberToObject(s, "failed", (double)t->failed);
	cJSON_AddItemReferenceToObject(s, "results", t->results);
	text = up_json_print(s);
	if (text != NULL)
		puts(text);
	cJSON_free(text);
	cJSON_Delete(s);
}

static int do_import(struct admin_env *env, uint64_t tenant, const struct up_family *fam,
                     const struct import_opts *o)
{
	struct tally t = {0};
	struct piece *pv = NULL;
	struct up_import_run ir = {.tenant = tenant};
	char state[4096];
	size_t len = 0, n = 0, head = 0, first = 1, i;
	char *text = read_file(o->file, &len), *body = NULL;
	uint64_t done = 0;
	int rc = 2, dry = strstr(o->query, "dryRun=true") != NULL, have_run = 0;

	snprintf(state, sizeof(state), "%s.progress", o->file);
	if (text == NULL) {
		admin_err("cannot read %s", o->file);
		return 2;
	}
	if (o->array) { /* one request: a JSON array is not split */
		pv = malloc(2 * sizeof(*pv));
		if (pv != NULL) {
			pv[0] = (struct piece){0, 1};
			pv[1] = (struct piece){len, 1};
			n = 1;
		}
	} else if (split(text, len, o->csv, &pv, &n, &head, &first) != 0) {
		admin_err("%s does not parse as %s", o->file, o->csv ? "CSV" : "NDJSON");
		goto out;
	}
	body = malloc(len + 1);
	t.results = cJSON_CreateArray();
	if (pv == NULL || body == NULL || t.results == NULL)
		goto out;
	t.total = n;
	t.start = up_mono_ns();
	t.last_print = time(NULL);
	t.tty = isatty(2);
	if (admin_resume_begin(env->db, state, o->resume, dry, &ir, &have_run, &done) != 0)
		goto out;
	if (o->array)
		ir.skip = (size_t)done; /* rows of the one request, left out by the handler */
	else
		t.rows = done < n ? (size_t)done : n;
	for (i = t.rows; i < n; i = t.rows) {
		size_t to = o->array ? n : (n - i > o->chunk ? i + o->chunk : n);
		size_t a = pv[i].at, b = pv[to].at, blen = head + (b - a);
		struct up_response resp;
		long offset = o->csv ? (long)pv[i].line - (long)first : (long)pv[i].line - 1;

		memcpy(body, text, head); /* the CSV header before every chunk */
		memcpy(body + head, text + a, b - a);
		up_response_init(&resp);
		/* The handler counts the run's rows from the file's first. */
		ir.base = o->array ? 0 : i;
		run(env, tenant, fam, 1, have_run ? &ir : NULL, o->query, o->ctype, body, blen,
		    &resp);
		if (add_answer(&t, &resp, o->array ? 0 : offset) != 0) {
			up_response_free(&resp);
			goto out;
		}
		up_response_free(&resp);
		t.rows = to;
		progress(&t, t.rows == n);
	}
	if (have_run && !dry)
		admin_resume_end(env->db, state, &ir); /* done: nothing to resume */
	summary(&t, o);
	rc = t.failed > 0 ? 1 : 0;
out:
	cJSON_Delete(t.results);
	free(body);
	free(pv);
	free(text);
	return rc;
}

int admin_bulk(struct admin_env *env, int argc, char **argv)
{
	const struct up_family *fam = argc > 1 ? family_of(argv[1]) : NULL;
	const char *tenant_name, *format, *policy, *chunk_text;
	struct import_opts o = {0};
	char query[96];
	uint64_t tenant, chunk = DEFAULT_CHUNK;
	int bad = 0;

	tenant_name = admin_opt(argc, argv, 2, "--tenant", &bad);
	format = admin_opt(argc, argv, 2, "--format", &bad);
	policy = admin_opt(argc, argv, 2, "--on-conflict", &bad);
	chunk_text = admin_opt(argc, argv, 2, "--chunk", &bad);
	if (fam == NULL || tenant_name == NULL || bad ||
	    (chunk_text != NULL && up_parse_u64(chunk_text, 1, 100000, &chunk) != UP_OK)) {
		admin_err("usage: %s users|groups|devices --tenant NAME ... (see --help)", argv[0]);
		return 2;
	}
	if (admin_tenant_id(env->db, tenant_name, &tenant) != UP_OK) {
		admin_err("no tenant %s", tenant_name);
		return 2;
	}
	if (strcmp(argv[0], "export") == 0)
		return do_export(env, tenant, fam, format);
	o.file = argc > 2 && argv[argc - 1][0] != '-' ? argv[argc - 1] : NULL;
	if (o.file == NULL || o.file == tenant_name || o.file == format || o.file == policy ||
	    o.file == chunk_text) {
		admin_err("usage: import %s --tenant NAME [options] FILE", argv[1]);
		return 2;
	}
	o.chunk = (size_t)chunk;
	o.resume = admin_has_flag(argc, argv, 2, "--resume");
	o.json = admin_has_flag(argc, argv, 2, "--json");
	o.csv = format != NULL
	                ? strcmp(format, "csv") == 0
	                : strlen(o.file) > 4 && strcmp(o.file + strlen(o.file) - 4, ".csv") == 0;
	o.array = format != NULL
	                  ? strcmp(format, "json") == 0
	                  : strlen(o.file) > 5 && strcmp(o.file + strlen(o.file) - 5, ".json") == 0;
	o.ctype = o.csv ? UP_CSV_TYPE : o.array ? "application/json" : UP_NDJSON_TYPE;
	snprintf(query, sizeof(query), "onConflict=%s%s%s", policy != NULL ? policy : "fail",
	         admin_has_flag(argc, argv, 2, "--dry-run") ? "&dryRun=true" : "",
	         admin_has_flag(argc, argv, 2, "--atomic") ? "&atomic=true" : "");
	o.query = query;
	if (admin_has_flag(argc, argv, 2, "--atomic"))
		o.chunk = SIZE_MAX; /* all rows, one request, one transaction */
	return do_import(env, tenant, fam, &o);
}
