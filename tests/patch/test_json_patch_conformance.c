/* SPDX-License-Identifier: ISC */
/*
 * test_json_patch_conformance.c: runs the shared JSON Patch conformance
 * suite (json-patch-tests: tests.json and spec_tests.json) against the
 * engine, through both entry points (in place, and to a result apart).
 *
 * The files are found under $UP_CONFORMANCE_DIR/json-patch-tests/ (set by
 * make check from ./configure --with-conformance=DIR; the default is
 * ../shared/conformance beside the sources when it exists).  The suite is not
 * part of this tree: when it is not there the test is skipped (exit 77) with
 * the reason on one line, unless UP_CONFORMANCE_REQUIRED=yes (the option was
 * given) or CI is set, in which case it fails.  A suite that is there but
 * unreadable or empty always fails.
 *
 * A case with `expected` must give a document JSON-equal to it; a case with
 * `error` must fail and leave the document unchanged; a case with neither
 * must apply without error.  Cases marked `disabled` and records without
 * `doc`/`patch` (comments) are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "json_patch.h"

#define MAX_FILE (16 * 1024 * 1024)

/* Read a whole file into a NUL-terminated buffer the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	buf = malloc(MAX_FILE + 1);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, MAX_FILE + 1, f);
	ck_assert_msg(!ferror(f), "cannot read %s", path);
	ck_assert_msg(n <= MAX_FILE, "%s is too large", path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static cJSON *load_suite(const char *name)
{
	const char *dir = getenv("UP_CONFORMANCE_DIR");
	char path[4096];
	char *text;
	cJSON *suite;

	ck_assert_msg(dir != NULL && *dir, "UP_CONFORMANCE_DIR is not set");
	snprintf(path, sizeof(path), "%s/json-patch-tests/%s", dir, name);
	text = slurp(path);
	suite = cJSON_Parse(text);
	ck_assert_msg(suite != NULL, "%s is not valid JSON", path);
	ck_assert_msg(cJSON_IsArray(suite), "%s is not an array of cases", path);
	free(text);
	return suite;
}

/*
 * Run one case, in place (up_patch_apply) or to a result apart
 * (up_patch_apply_to); return 1 if it passed, 0 (after printing why) if not.
 */
static int run_one(const char *file, int idx, const cJSON *tc, int in_place)
{
	const cJSON *jdoc = cJSON_GetObjectItemCaseSensitive(tc, "doc");
	const cJSON *patch = cJSON_GetObjectItemCaseSensitive(tc, "patch");
	const cJSON *expected = cJSON_GetObjectItemCaseSensitive(tc, "expected");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(tc, "error");
	const cJSON *comment = cJSON_GetObjectItemCaseSensitive(tc, "comment");
	const char *what = cJSON_IsString(comment) ? comment->valuestring : "(no comment)";
	struct up_patch_error perr;
	cJSON *doc = cJSON_Duplicate(jdoc, 1), *result = NULL;
	char *before = NULL, *after = NULL;
	enum up_err err;
	int ok = 0;

	ck_assert_ptr_nonnull(doc);
	before = cJSON_PrintUnformatted(doc);
	ck_assert_ptr_nonnull(before);
	err = in_place ? up_patch_apply(&doc, patch, NULL, &perr)
	               : up_patch_apply_to(jdoc, patch, NULL, &result, &perr);
	if (result != NULL) {
		cJSON_Delete(doc);
		doc = result;
	}
	after = cJSON_PrintUnformatted(doc);
	ck_assert_ptr_nonnull(after);
	if (error) {
		if (err == UP_OK)
			fprintf(stderr, "%s[%d] %s: applied, expected error \"%s\"\n", file, idx,
			        what, cJSON_IsString(error) ? error->valuestring : "?");
		else if (strcmp(before, after) != 0)
			fprintf(stderr, "%s[%d] %s: failed but changed the document\n", file, idx,
			        what);
		else
			ok = 1;
	} else if (err != UP_OK) {
		fprintf(stderr, "%s[%d] %s: unexpected error %s: %s\n", file, idx, what,
		        up_err_code(err), perr.message);
	} else if (expected && !up_json_equal(doc, expected)) {
		fprintf(stderr, "%s[%d] %s: got %s\n", file, idx, what, after);
	} else {
		ok = 1;
	}
	free(before);
	free(after);
	cJSON_Delete(doc);
	return ok;
}

static void run_suite(const char *file)
{
	static const int in_place[] = {1, 0};
	cJSON *suite = load_suite(file);
	const cJSON *tc;
	int idx = 0, ran = 0, skipped = 0, failed = 0;
	size_t s;

	cJSON_ArrayForEach(tc, suite)
	{
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tc, "disabled")) ||
		    !cJSON_GetObjectItemCaseSensitive(tc, "doc") ||
		    !cJSON_GetObjectItemCaseSensitive(tc, "patch")) {
			skipped++;
			idx++;
			continue;
		}
		for (s = 0; s < sizeof(in_place) / sizeof(in_place[0]); s++)
			if (!run_one(file, idx, tc, in_place[s]))
				failed++;
		ran++;
		idx++;
	}
	printf("%s: %d cases ran (each in place and to a result), %d skipped, %d failures\n", file,
	       ran, skipped, failed);
	fflush(stdout);
	cJSON_Delete(suite);
	ck_assert_msg(ran > 0, "%s holds no runnable case", file);
	ck_assert_msg(failed == 0, "%s: %d failures (see above)", file, failed);
}

START_TEST(test_tests_json)
{
	run_suite("tests.json");
}
END_TEST

START_TEST(test_spec_tests_json)
{
	run_suite("spec_tests.json");
}
END_TEST

/*
 * Whether the suite can run: 0 yes; otherwise the exit status (77 skip, 1
 * fail) after printing the reason on one line.
 */
static int suite_missing(void)
{
	const char *dir = getenv("UP_CONFORMANCE_DIR");
	const char *required = getenv("UP_CONFORMANCE_REQUIRED");
	const char *ci = getenv("CI");
	int must = (required != NULL && strcmp(required, "yes") == 0) || (ci != NULL && *ci);
	char path[4096];
	struct stat st;

	if (dir != NULL && *dir) {
		snprintf(path, sizeof(path), "%s/json-patch-tests", dir);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
	}
	if (must) {
		printf("FAIL: JSON Patch conformance suite not found (%s%s); it is required %s\n",
		       dir != NULL && *dir ? "no json-patch-tests/ in " : "no directory configured",
		       dir != NULL && *dir ? dir : "",
		       required != NULL && strcmp(required, "yes") == 0
		               ? "by ./configure --with-conformance"
		               : "because CI is set");
		return EXIT_FAILURE;
	}
	printf("SKIP: JSON Patch conformance suite not found (%s%s); "
	       "use ./configure --with-conformance=DIR\n",
	       dir != NULL && *dir ? "no json-patch-tests/ in " : "no ../shared/conformance",
	       dir != NULL && *dir ? dir : "");
	return 77;
}

int main(void)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed = suite_missing();

	if (failed != 0)
		return failed;
	s = suite_create("json_patch_conformance");
	tc = tcase_create("conformance");
	tcase_add_test(tc, test_tests_json);
	tcase_add_test(tc, test_spec_tests_json);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
