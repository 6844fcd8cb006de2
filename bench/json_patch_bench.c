/* SPDX-License-Identifier: ISC */
/*
 * json_patch_bench.c: throughput of the patch engines, as the API uses them.
 *
 * What is timed is the patch engine alone on a document and a patch that
 * are already parsed: checking the patch, copying the document (the one
 * atomicity strategy: the patch applies to a copy, which the write
 * pipeline needs anyway to validate the result against the current row),
 * applying, and freeing the document that is replaced.  Parsing and
 * printing are not included.  Baselines measured in the same run put the
 * numbers in proportion: cJSON_Duplicate() of the document (the copy alone)
 * and cJSON_Parse() of its text.
 *
 * 1. Small document: a 30-field user object, and a fixed cycle of six
 *    single-op patches (replace a top-level field, add to a nested object,
 *    append to an array, remove, test, move) that leaves the document as it
 *    found it, so it can be repeated, each a separate up_patch_apply(); and
 *    a cycle of three JSON Merge Patches (set a field, add a tag, remove it)
 *    through up_merge_patch_apply().
 * 2. Large arrays of 1k, 10k and 100k elements, one 1,000-op patch each, with
 *    indices chosen (a) at random, (b) ascending through the array, (c) all
 *    appends; each 4 ops replace, test, add, remove so the length is stable.
 *    Each application is up_patch_apply_to() of the same document, and the
 *    freeing of its result.
 *
 * Usage: json_patch_bench [SECONDS_PER_MEASURE] (default 0.5).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "json_merge_patch.h"
#include "json_patch.h"

static double min_seconds = 0.5;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "json_patch_bench: %s\n", what);
	exit(1);
}

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	if (!v)
		die("bad JSON in the benchmark");
	return v;
}

/* ---- small document ---- */

static const char user_doc[] =
        "{\"id\":\"usr-12345\",\"name\":\"Alice Example\",\"email\":\"alice@example.com\","
        "\"country\":\"DE\",\"timeZone\":\"Europe/Berlin\",\"description\":\"Test user\","
        "\"message\":\"hello\",\"disabled\":false,\"tags\":{\"dept\":\"ops\",\"site\":\"fra1\"},"
        "\"privileges\":[\"read\",\"write\",\"admin\"],\"group\":\"staff\",\"deviceId\":null,"
        "\"adminDevices\":2,\"from\":\"2026-01-01T00:00:00Z\",\"expires\":\"2027-01-01T00:00:00Z\","
        "\"creation\":\"2025-05-05T10:00:00Z\",\"modification\":\"2026-11-01T10:00:00Z\","
        "\"lastLogin\":\"2026-11-22T08:00:00Z\",\"username\":\"alice\",\"user_external_id\":\"crm-"
        "77\","
        "\"generic_id\":\"com.example.app.alice\",\"number\":\"+4915112345678\","
        "\"user_class\":\"premium\",\"profile\":{\"first_name\":\"Alice\",\"last_name\":"
        "\"Example\","
        "\"email\":\"alice@example.com\"},\"preferences\":{\"lang\":\"de\",\"theme\":\"dark\"},"
        "\"version\":7,\"apiUsage\":10,\"apiDailyUsage\":3,\"quota\":1000,\"lastPrivilege\":"
        "\"none\"}";

static const char *const small_patches[] = {
        "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Alice B. Example\"}]",
        "[{\"op\":\"add\",\"path\":\"/tags/team\",\"value\":\"core\"}]",
        "[{\"op\":\"add\",\"path\":\"/privileges/-\",\"value\":\"audit\"}]",
        "[{\"op\":\"remove\",\"path\":\"/tags/team\"}]",
        "[{\"op\":\"test\",\"path\":\"/country\",\"value\":\"DE\"}]",
        "[{\"op\":\"move\",\"from\":\"/privileges/3\",\"path\":\"/lastPrivilege\"}]",
};
#define NSMALL (sizeof(small_patches) / sizeof(small_patches[0]))

/* Apply the small-patch cycle for at least min_seconds; ops per second. */
static double bench_small(void)
{
	cJSON *doc = parse(user_doc), *patches[NSMALL];
	struct up_patch_error perr;
	double t0, t;
	size_t i, n = 0;
	int k;

	for (i = 0; i < NSMALL; i++)
		patches[i] = parse(small_patches[i]);
	t0 = now();
	do {
		for (k = 0; k < 1000; k++)
			for (i = 0; i < NSMALL; i++)
				if (up_patch_apply(&doc, patches[i], NULL, &perr) != UP_OK)
					die(perr.message);
		n += 1000 * NSMALL;
		t = now() - t0;
	} while (t < min_seconds);
	for (i = 0; i < NSMALL; i++)
		cJSON_Delete(patches[i]);
	cJSON_Delete(doc);
	return (double)n / t;
}

/* The merge patches of the small cycle: they leave the document as it was. */
static const char *const merge_patches[] = {
        "{\"name\":\"Juana Perez\"}",
        "{\"tags\":{\"vip\":\"true\"},\"name\":\"Juan Perez\"}",
        "{\"tags\":{\"vip\":null}}",
};
#define NMERGE (sizeof(merge_patches) / sizeof(merge_patches[0]))

/* Apply the merge-patch cycle for at least min_seconds; patches per second. */
static double bench_merge(void)
{
	cJSON *doc = parse(user_doc), *patches[NMERGE], *out;
	struct up_patch_error perr;
	double t0, t;
	size_t i, n = 0;
	int k;

	for (i = 0; i < NMERGE; i++)
		patches[i] = parse(merge_patches[i]);
	t0 = now();
	do {
		for (k = 0; k < 1000; k++) {
			for (i = 0; i < NMERGE; i++) {
				if (up_merge_patch_apply(doc, patches[i], NULL, NULL, NULL, &out,
				                         &perr) != UP_OK)
					die(perr.message);
				up_json_wipe_delete(doc); /* as up_patch_apply() does */
				doc = out;
			}
		}
		n += 1000 * NMERGE;
		t = now() - t0;
	} while (t < min_seconds);
	for (i = 0; i < NMERGE; i++)
		cJSON_Delete(patches[i]);
	cJSON_Delete(doc);
	return (double)n / t;
}

/* One op kind of the cycle alone; ops per second. */
static double bench_small_one(size_t which)
{
	cJSON *doc = parse(user_doc), *patch = parse(small_patches[which]), *undo = NULL;
	struct up_patch_error perr;
	double t0, t;
	size_t n = 0;
	int k;

	/* the patch that puts the document back, untimed when there is one */
	if (which == 1)
		undo = parse(small_patches[3]);
	else if (which == 3)
		undo = parse(small_patches[1]);
	else if (which == 5)
		undo = parse(small_patches[2]);
	else if (which == 2)
		undo = parse(small_patches[5]);
	/* remove and move need what their inverse creates: create it once */
	if (which == 3 || which == 5) {
		cJSON *prep = parse(small_patches[which == 3 ? 1 : 2]);

		if (up_patch_apply(&doc, prep, NULL, &perr) != UP_OK)
			die(perr.message);
		cJSON_Delete(prep);
	}
	t0 = now();
	do {
		for (k = 0; k < 1000; k++) {
			if (up_patch_apply(&doc, patch, NULL, &perr) != UP_OK)
				die(perr.message);
			if (undo && up_patch_apply(&doc, undo, NULL, &perr) != UP_OK)
				die(perr.message);
		}
		n += 1000;
		t = now() - t0;
	} while (t < min_seconds);
	cJSON_Delete(undo);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
	/* the undo patch costs about as much again: count both */
	return (double)n * (undo ? 2 : 1) / t;
}

static double bench_duplicate(const cJSON *doc)
{
	double t0, t;
	size_t n = 0;
	int k;

	t0 = now();
	do {
		for (k = 0; k < 100; k++)
			cJSON_Delete(cJSON_Duplicate(doc, 1));
		n += 100;
		t = now() - t0;
	} while (t < min_seconds);
	return (double)n / t;
}

static double bench_parse(const char *text)
{
	double t0, t;
	size_t n = 0;
	int k;

	t0 = now();
	do {
		for (k = 0; k < 100; k++)
			cJSON_Delete(cJSON_Parse(text));
		n += 100;
		t = now() - t0;
	} while (t < min_seconds);
	return (double)n / t;
}

/* ---- large arrays ---- */

enum pattern { RANDOM, ASCENDING, APPEND };
static const char *const pattern_names[] = {"random", "ascending", "append"};

static uint64_t rng_state = 88172645463325252ull;

static size_t rnd(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (size_t)(rng_state % n);
}

static cJSON *make_op(const char *op, size_t idx, int append, cJSON *value)
{
	cJSON *o = cJSON_CreateObject();
	char path[48];

	if (append)
		snprintf(path, sizeof(path), "/items/-");
	else
		snprintf(path, sizeof(path), "/items/%zu", idx);
	if (!o || !cJSON_AddStringToObject(o, "op", op) ||
	    !cJSON_AddStringToObject(o, "path", path))
		die("out of memory");
	if (value)
		cJSON_AddItemToObject(o, "value", value);
	return o;
}

/* A 1,000-op patch on an array of n elements; the length is kept. */
static cJSON *make_array_patch(size_t n, enum pattern p)
{
	cJSON *patch = cJSON_CreateArray();
	size_t g, i, j, k;

	for (g = 0; g < 250; g++) {
		if (p == RANDOM) {
			i = rnd(n - 1);
			j = rnd(n - 1);
			k = rnd(n - 1);
		} else {
			i = j = k = g * (n - 1) / 250;
		}
		if (p == APPEND) {
			cJSON_AddItemToArray(patch,
			                     make_op("add", 0, 1, cJSON_CreateNumber((double)g)));
			cJSON_AddItemToArray(patch,
			                     make_op("add", 0, 1, cJSON_CreateString("appended")));
			cJSON_AddItemToArray(patch, make_op("add", 0, 1, cJSON_CreateTrue()));
			cJSON_AddItemToArray(patch, make_op("add", 0, 1, cJSON_CreateNull()));
			continue;
		}
		cJSON_AddItemToArray(patch,
		                     make_op("replace", i, 0, cJSON_CreateString("replaced")));
		cJSON_AddItemToArray(patch, make_op("test", i, 0, cJSON_CreateString("replaced")));
		cJSON_AddItemToArray(patch, make_op("add", j, 0, cJSON_CreateNumber((double)g)));
		cJSON_AddItemToArray(patch, make_op("remove", k, 0, NULL));
	}
	return patch;
}

static cJSON *make_array_doc(size_t n)
{
	cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "items");
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)i));
	return doc;
}

/* Seconds per application of the 1,000-op patch (to a copy, the result freed). */
static double bench_array(size_t n, enum pattern p)
{
	const struct up_json_limits lim = {.max_ops = 1000};
	cJSON *doc = make_array_doc(n), *patch = make_array_patch(n, p), *out;
	struct up_patch_error perr;
	double t0, t, spent = 0;
	size_t runs = 0;

	t0 = now();
	do {
		double s = now();

		if (up_patch_apply_to(doc, patch, &lim, &out, &perr) != UP_OK)
			die(perr.message);
		cJSON_Delete(out);
		spent += now() - s;
		runs++;
		t = now() - t0;
	} while (t < min_seconds || runs < 3);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
	return spent / (double)runs;
}

static double bench_array_duplicate(size_t n)
{
	cJSON *doc = make_array_doc(n);
	double r = bench_duplicate(doc);

	cJSON_Delete(doc);
	return r;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {1000, 10000, 100000};
	static const char *const op_labels[] = {"replace", "add nested", "append",
	                                        "remove",  "test",       "move"};
	double rate, merge_rate, dup_rate, parse_rate, per[3], dup;
	cJSON *doc;
	char *end;
	size_t i, s;
	int p;

	if (argc > 1) {
		min_seconds = strtod(argv[1], &end);
		if (*end || !(min_seconds > 0 && min_seconds < 100))
			die("usage: json_patch_bench [SECONDS_PER_MEASURE]");
	}
	doc = parse(user_doc);
	printf("Patch benchmark (timed: check, copy, apply, free, on a pre-parsed doc and "
	       "patch)\n\n");
	printf("Small document: %d fields, cycle of %zu single-op patches\n",
	       cJSON_GetArraySize(doc), NSMALL);
	rate = bench_small();
	merge_rate = bench_merge();
	dup_rate = bench_duplicate(doc);
	parse_rate = bench_parse(user_doc);
	printf("  JSON Patch             %10.0f patches/s\n", rate);
	printf("  JSON Merge Patch       %10.0f patches/s (a cycle of %zu)\n", merge_rate, NMERGE);
	printf("  baseline: Duplicate    %10.0f docs/s   (%.2f JSON patches per duplicate)\n",
	       dup_rate, rate / dup_rate);
	printf("  baseline: Parse        %10.0f docs/s   (%.2f JSON patches per parse)\n",
	       parse_rate, rate / parse_rate);
	printf("  per op kind (add/remove/append/move timed with their inverse):\n");
	for (i = 0; i < NSMALL; i++)
		printf("    %-12s %10.0f patches/s\n", op_labels[i], bench_small_one(i));
	cJSON_Delete(doc);

	printf("\nLarge arrays: one 1,000-op patch (replace, test, add, remove per 4 ops)\n");
	printf("  %-10s %-9s %12s %12s %12s %10s\n", "pattern", "", "1k (ms)", "10k (ms)",
	       "100k (ms)", "100k/1k");
	for (p = RANDOM; p <= APPEND; p++) {
		for (s = 0; s < 3; s++)
			per[s] = bench_array(sizes[s], (enum pattern)p);
		printf("  %-10s %-9s %12.3f %12.3f %12.3f %9.1fx\n", pattern_names[p], "patch",
		       per[0] * 1e3, per[1] * 1e3, per[2] * 1e3, per[2] / per[0]);
	}
	printf("  %-10s %-9s", "baseline", "Duplicate");
	for (s = 0; s < 3; s++) {
		dup = bench_array_duplicate(sizes[s]);
		per[s] = 1.0 / dup;
		printf(" %12.3f", per[s] * 1e3);
	}
	printf(" %9.1fx\n", per[2] / per[0]);
	return 0;
}
