/* SPDX-License-Identifier: ISC */
/*
 * test_admin_json_patch.c: `userpatch-admin json-patch` as a function:
 * exit codes, stdout and the error JSON on stderr, from real files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "admin.h"

struct admin_case {
	int line;
	const char *desc;
	const char *doc;   /* file contents; NULL: the file does not exist */
	const char *patch; /* idem */
	int argc;          /* 3 normally */
	int rc;
	const char *out;  /* exact stdout, or NULL for empty */
	const char *code; /* "code" of the error JSON, or NULL for empty stderr */
	long op;          /* "op" of the error JSON; -1 for null */
	int merge;        /* 1: with --merge before the files, 2: after them */
};

static const struct admin_case cases[] = {
        {__LINE__, "applies and prints compact JSON", "{ \"a\" : 1 }\n",
         "[{\"op\":\"add\",\"path\":\"/b\",\"value\":[1, 2]}]", 3, 0, "{\"a\":1,\"b\":[1,2]}\n",
         NULL, 0, 0},
        {__LINE__, "root replaced by a scalar", "{}",
         "[{\"op\":\"replace\",\"path\":\"\",\"value\":\"x\"}]", 3, 0, "\"x\"\n", NULL, 0, 0},
        {__LINE__, "failed test names the op", "{\"a\":1}",
         "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"test\",\"path\":\"/a\","
         "\"value\":2}]",
         3, 1, NULL, "test_failed", 1, 0},
        {__LINE__, "malformed patch", "{}", "{\"op\":\"add\"}", 3, 1, NULL, "patch_malformed", -1,
         0},
        {__LINE__, "malformed pointer", "{}", "[{\"op\":\"add\",\"path\":\"x\",\"value\":1}]", 3, 1,
         NULL, "pointer_malformed", 0, 0},
        {__LINE__, "invalid JSON document", "{\"a\":", "[]", 3, 1, NULL, "invalid_json", -1, 0},
        {__LINE__, "trailing garbage", "{} {}", "[]", 3, 1, NULL, "invalid_json", -1, 0},
        {__LINE__, "invalid UTF-8", "[\"\xc3\x28\"]", "[]", 3, 1, NULL, "invalid_json", -1, 0},
        {__LINE__, "overlong UTF-8", "[\"\xc0\xaf\"]", "[]", 3, 1, NULL, "invalid_json", -1, 0},
        {__LINE__, "empty file", "", "[]", 3, 1, NULL, "invalid_json", -1, 0},
        {__LINE__, "missing document file", NULL, "[]", 3, 1, NULL, "internal_error", -1, 0},
        {__LINE__, "missing patch file", "{}", NULL, 3, 1, NULL, "internal_error", -1, 0},
        {__LINE__, "too few arguments", "{}", "[]", 2, 2, NULL, NULL, 0, 0},
        {__LINE__, "too many arguments", "{}", "[]", 4, 2, NULL, NULL, 0, 0},
        {__LINE__, "integers print exactly, up to 2^53 - 1",
         "{\"n\":9007199254740991,\"m\":-9007199254740991}",
         "[{\"op\":\"add\",\"path\":\"/k\",\"value\":123456789012345}]", 3, 0,
         "{\"n\":9007199254740991,\"m\":-9007199254740991,\"k\":123456789012345}\n", NULL, 0, 0},
        {__LINE__, "a fraction prints with the digits that read back", "[0.1]",
         "[{\"op\":\"add\",\"path\":\"/-\",\"value\":1.0000000000000002}]", 3, 0,
         "[0.1,1.0000000000000002]\n", NULL, 0, 0},
        {__LINE__, "--merge: RFC 7396 section 3",
         "{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
         "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
         "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":"
         "null},\"tags\":[\"example\"]}",
         4, 0,
         "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
         "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}\n",
         NULL, 0, 1},
        {__LINE__, "--merge: a non-object patch replaces the document", "{\"a\":1}",
         "[9007199254740991]", 4, 0, "[9007199254740991]\n", NULL, 0, 1},
        {__LINE__, "--merge: a name twice", "{}", "{\"a\":1,\"a\":2}", 4, 1, NULL,
         "patch_malformed", -1, 1},
        {__LINE__, "--merge: a JSON Patch document is a whole-document merge patch", "{\"a\":1}",
         "[{\"op\":\"remove\",\"path\":\"/a\"}]", 4, 0, "[{\"op\":\"remove\",\"path\":\"/a\"}]\n",
         NULL, 0, 1},
        {__LINE__, "--merge after the files", "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":null,\"c\":2}}",
         4, 0, "{\"a\":{\"c\":2}}\n", NULL, 0, 2},
        {__LINE__, "--merge without the files", "{}", "{}", 2, 2, NULL, NULL, 0, 1},
};

static char *slurp_fd(int fd)
{
	char *buf = calloc(1, 65536);
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ne(lseek(fd, 0, SEEK_SET), -1);
	n = read(fd, buf, 65535);
	ck_assert_int_ge(n, 0);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_admin)
{
	const struct admin_case *c = &cases[_i];
	char dir[] = "/tmp/up-admin-XXXXXX", docp[64], patchp[64], outp[64], errp[64];
	char *argv[5], *out, *err;
	int out_fd, err_fd, saved_out, saved_err, rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(docp, sizeof(docp), "%s/doc.json", dir);
	snprintf(patchp, sizeof(patchp), "%s/patch.json", dir);
	snprintf(outp, sizeof(outp), "%s/stdout", dir);
	snprintf(errp, sizeof(errp), "%s/stderr", dir);
	if (c->doc)
		write_file(docp, c->doc);
	if (c->patch)
		write_file(patchp, c->patch);
	argv[0] = "json-patch";
	argv[1] = c->merge == 1 ? "--merge" : docp;
	argv[2] = c->merge == 1 ? docp : patchp;
	argv[3] = c->merge == 1 ? patchp : c->merge == 2 ? "--merge" : "extra";
	argv[4] = NULL;

	out_fd = open(outp, O_CREAT | O_EXCL | O_RDWR, 0600);
	err_fd = open(errp, O_CREAT | O_EXCL | O_RDWR, 0600);
	ck_assert_int_ge(out_fd, 0);
	ck_assert_int_ge(err_fd, 0);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	rc = up_admin_json_patch(c->argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	out = slurp_fd(out_fd);
	err = slurp_fd(err_fd);

	ck_assert_msg(rc == c->rc, "line %d (%s): rc %d, stderr %s", c->line, c->desc, rc, err);
	ck_assert_msg(strcmp(out, c->out ? c->out : "") == 0, "line %d (%s): stdout '%s'", c->line,
	              c->desc, out);
	if (c->code) {
		cJSON *e = cJSON_Parse(err);
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "error");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(e, "op");

		ck_assert_msg(e != NULL, "line %d (%s): stderr not JSON: %s", c->line, c->desc,
		              err);
		ck_assert_msg(cJSON_IsString(code) && strcmp(code->valuestring, c->code) == 0,
		              "line %d (%s): stderr %s", c->line, c->desc, err);
		ck_assert(cJSON_IsString(msg) && msg->valuestring[0]);
		if (c->op < 0)
			ck_assert_msg(cJSON_IsNull(op), "line %d: op %s", c->line, err);
		else
			ck_assert_msg(cJSON_IsNumber(op) && op->valuedouble == (double)c->op,
			              "line %d: op %s", c->line, err);
		cJSON_Delete(e);
	} else if (c->rc == 2) {
		ck_assert_ptr_nonnull(strstr(err, "usage"));
	} else {
		ck_assert_msg(err[0] == '\0', "line %d (%s): stderr %s", c->line, c->desc, err);
	}
	free(out);
	free(err);
	close(out_fd);
	close(err_fd);
	unlink(docp);
	unlink(patchp);
	unlink(outp);
	unlink(errp);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("admin_json_patch");
	TCase *tc = tcase_create("admin");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_admin, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
