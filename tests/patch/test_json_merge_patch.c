/* SPDX-License-Identifier: ISC */
/*
 * test_json_merge_patch.c: table-driven tests of JSON Merge Patch (RFC
 * 7396): the examples of its section 3 and appendix A, the decisions where
 * the RFC leaves room, nulls kept at the top level, the limits, and a
 * document that is never touched.  JSON in the tables is written with '
 * for " to keep it readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "json.h"
#include "json_merge_patch.h"

/* Parse s with ' standing for ". Caller owns the result. */
static cJSON *J(const char *s)
{
	char *buf = strdup(s);
	cJSON *v;
	char *p;

	ck_assert_ptr_nonnull(buf);
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = cJSON_Parse(buf);
	ck_assert_msg(v != NULL, "test JSON does not parse: %s", s);
	free(buf);
	return v;
}

struct merge_case {
	int line;
	const char *desc;
	const char *doc;
	const char *patch;
	const char *expected; /* NULL when an error is expected */
	enum up_err err;
	const char *pointer; /* the error's pointer */
	const char *keep;    /* top-level names whose null is kept, ","-separated; NULL: none */
	struct up_json_limits lim;
};

#define OK(desc, doc, patch, expected)                                                             \
	{                                                                                          \
		__LINE__, desc, doc, patch, expected, UP_OK, "", NULL,                             \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}
#define KEEP(desc, doc, patch, keep, expected)                                                     \
	{                                                                                          \
		__LINE__, desc, doc, patch, expected, UP_OK, "", keep,                             \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}
#define ERR(desc, doc, patch, err, ptr)                                                            \
	{                                                                                          \
		__LINE__, desc, doc, patch, NULL, err, ptr, NULL,                                  \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}
#define LIM(desc, doc, patch, err, ptr, ...)                                                       \
	{                                                                                          \
		__LINE__, desc, doc, patch, NULL, err, ptr, NULL,                                  \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
#define LIMOK(desc, doc, patch, expected, ...)                                                     \
	{                                                                                          \
		__LINE__, desc, doc, patch, expected, UP_OK, "", NULL,                             \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}

static const struct merge_case cases[] = {
        /* RFC 7396 section 3 */
        OK("section 3: the example",
           "{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},"
           "'tags':['example','sample'],'content':'This will be unchanged'}",
           "{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},"
           "'tags':['example']}",
           "{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],"
           "'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}"),
        /* RFC 7396 appendix A, in its order */
        OK("A.1 a member replaced", "{'a':'b'}", "{'a':'c'}", "{'a':'c'}"),
        OK("A.2 a member added", "{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}"),
        OK("A.3 null removes the only member", "{'a':'b'}", "{'a':null}", "{}"),
        OK("A.4 null removes one member", "{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}"),
        OK("A.5 an array replaced by a string", "{'a':['b']}", "{'a':'c'}", "{'a':'c'}"),
        OK("A.6 a string replaced by an array", "{'a':'c'}", "{'a':['b']}", "{'a':['b']}"),
        OK("A.7 nested objects merge", "{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}",
           "{'a':{'b':'d'}}"),
        OK("A.8 arrays are replaced, not merged", "{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}"),
        OK("A.9 an array patch replaces an array", "['a','b']", "['c','d']", "['c','d']"),
        OK("A.10 an array patch replaces an object", "{'a':'b'}", "['c']", "['c']"),
        OK("A.11 a null patch replaces everything", "{'a':'foo'}", "null", "null"),
        OK("A.12 a string patch replaces everything", "{'a':'foo'}", "'bar'", "'bar'"),
        OK("A.13 a null in the document stays", "{'e':null}", "{'a':1}", "{'e':null,'a':1}"),
        OK("A.14 an object patch on an array starts from {}", "[1,2]", "{'a':'b','c':null}",
           "{'a':'b'}"),
        OK("A.15 nulls inside a new object are dropped", "{}", "{'a':{'bb':{'ccc':null}}}",
           "{'a':{'bb':{}}}"),
        /* decisions and edges */
        OK("an empty patch changes nothing", "{'a':1,'b':[2]}", "{}", "{'a':1,'b':[2]}"),
        OK("removing an absent member is no error", "{'a':1}", "{'x':null}", "{'a':1}"),
        OK("an object replaces a scalar member and merges into {}", "{'a':5}",
           "{'a':{'b':1,'c':null}}", "{'a':{'b':1}}"),
        OK("nested tags: one added, one changed, one removed",
           "{'tags':{'env':'prod','team':'ops','old':'x'},'name':'n'}",
           "{'tags':{'team':'dev','new':'y','old':null}}",
           "{'tags':{'env':'prod','team':'dev','new':'y'},'name':'n'}"),
        OK("names with ~ and / are plain names", "{'a/b':1,'c~d':2}", "{'a/b':null,'c~d':3}",
           "{'c~d':3}"),
        OK("of a name given twice in the document, the first is replaced", "{'a':1,'a':2}",
           "{'a':3}", "{'a':3,'a':2}"),
        ERR("a name given twice in the patch", "{}", "{'a':1,'a':2}", UP_ERR_PATCH_MALFORMED, "/a"),
        ERR("a name given twice in a nested object", "{}", "{'x':{'b':1,'b':null}}",
            UP_ERR_PATCH_MALFORMED, "/x/b"),
        ERR("a name given twice, apart", "{}", "{'b':1,'a':2,'c':3,'a':4}", UP_ERR_PATCH_MALFORMED,
            "/a"),
        ERR("a name given twice among more than 16", "{}",
            "{'m1':1,'m2':1,'m3':1,'m4':1,'m5':1,'m6':1,'m7':1,'m8':1,'m9':1,'m10':1,'m11':1,"
            "'m12':1,'m13':1,'m14':1,'m15':1,'m16':1,'m17':1,'m3':null}",
            UP_ERR_PATCH_MALFORMED, "/m3"),
        OK("more than 16 names, all different", "{'m1':0}",
           "{'m1':1,'m2':1,'m3':1,'m4':1,'m5':1,'m6':1,'m7':1,'m8':1,'m9':1,'m10':1,'m11':1,"
           "'m12':1,'m13':1,'m14':1,'m15':1,'m16':1,'m17':null}",
           "{'m1':1,'m2':1,'m3':1,'m4':1,'m5':1,'m6':1,'m7':1,'m8':1,'m9':1,'m10':1,'m11':1,"
           "'m12':1,'m13':1,'m14':1,'m15':1,'m16':1}"),
        LIM("more members than max_ops in one object, one of them twice", "{}",
            "{'a':1,'b':2,'a':3}", UP_ERR_LIMIT, "/a", 2, 0, 0, 0),
        /* nulls kept at the top level */
        KEEP("a kept null sets the member to null", "{'a':1,'b':2}", "{'a':null,'b':null}", "a",
             "{'a':null}"),
        KEEP("a kept null adds an absent member as null", "{}", "{'a':null}", "a", "{'a':null}"),
        KEEP("kept only at the top level", "{'t':{'a':1}}", "{'t':{'a':null}}", "a,t", "{'t':{}}"),
        /* limits */
        LIM("more members than max_ops", "{}", "{'a':1,'b':2,'c':3}", UP_ERR_LIMIT, "/c", 2, 0, 0,
            0),
        LIM("nested members count against max_ops", "{}", "{'a':{'b':1,'c':2}}", UP_ERR_LIMIT,
            "/a/c", 2, 0, 0, 0),
        LIMOK("as many members as max_ops", "{}", "{'a':{'b':1}}", "{'a':{'b':1}}", 2, 0, 0, 0),
        LIM("a pointer longer than max_pointer_len", "{}", "{'abc':{'de':1}}", UP_ERR_LIMIT,
            "/abc/de", 0, 6, 0, 0),
        LIM("escapes count in the pointer length", "{}", "{'a/b':1}", UP_ERR_LIMIT, "/a~1b", 0, 4,
            0, 0),
        LIMOK("a pointer of max_pointer_len bytes", "{}", "{'abc':{'d':1}}", "{'abc':{'d':1}}", 0,
              6, 0, 0),
        LIM("a value nesting past max_depth", "{}", "{'a':{'b':[[1]]}}", UP_ERR_LIMIT, "/a/b", 0, 0,
            3, 0),
        LIM("an object at max_depth", "{}", "{'a':{'b':{'c':{}}}}", UP_ERR_LIMIT, "/a/b/c", 0, 0, 3,
            0),
        LIMOK("a value that fills max_depth", "{}", "{'a':{'b':[1]}}", "{'a':{'b':[1]}}", 0, 0, 3,
              0),
        LIM("a whole-document patch deeper than max_depth", "{}", "[[[1]]]", UP_ERR_LIMIT, "", 0, 0,
            2, 0),
        LIM("more values than max_copy_nodes", "{}", "{'a':[1,2,3]}", UP_ERR_LIMIT, "/a", 0, 0, 0,
            3),
        LIMOK("as many values as max_copy_nodes", "{}", "{'a':[1,2]}", "{'a':[1,2]}", 0, 0, 0, 3),
        LIM("a whole-document patch past max_copy_nodes", "{}", "[1,2,3]", UP_ERR_LIMIT, "", 0, 0,
            0, 3),
        LIMOK("nulls add no values", "{'a':1,'b':2,'c':3}", "{'a':null,'b':null,'c':null}", "{}", 0,
              0, 0, 1),
};

/* The keep_null callback of a case: name is in the ","-separated list. */
static int keep_listed(const void *arg, const char *name)
{
	const char *list = arg, *p = list;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

START_TEST(test_merge_cases)
{
	const struct merge_case *c = &cases[_i];
	cJSON *doc = J(c->doc), *before = J(c->doc), *patch = J(c->patch), *out = NULL;
	struct up_patch_error perr;
	enum up_err err;

	err = up_merge_patch_apply(doc, patch, &c->lim, c->keep ? keep_listed : NULL, c->keep, &out,
	                           &perr);
	ck_assert_msg(err == c->err, "line %d (%s): err %d, want %d (%s)", c->line, c->desc, err,
	              c->err, perr.message);
	ck_assert_int_eq(perr.err, err);
	ck_assert_int_eq(perr.op_index, -1);
	ck_assert_msg(up_json_equal(doc, before), "line %d (%s): the document changed", c->line,
	              c->desc);
	ck_assert_msg(up_merge_patch_check(patch, &c->lim, NULL) == c->err,
	              "line %d (%s): check and apply disagree", c->line, c->desc);
	if (c->expected != NULL) {
		cJSON *want = J(c->expected);
		char *got = up_json_print(out);

		ck_assert_msg(up_json_equal(out, want), "line %d (%s): got %s", c->line, c->desc,
		              got);
		ck_assert_str_eq(perr.message, "");
		free(got);
		cJSON_Delete(want);
	} else {
		ck_assert_msg(out == NULL, "line %d (%s): a result on error", c->line, c->desc);
		ck_assert_msg(strcmp(perr.pointer, c->pointer) == 0, "line %d (%s): pointer '%s'",
		              c->line, c->desc, perr.pointer);
		ck_assert_msg(perr.message[0] != '\0', "line %d: no message", c->line);
	}
	cJSON_Delete(out);
	cJSON_Delete(patch);
	cJSON_Delete(before);
	cJSON_Delete(doc);
}
END_TEST

/* The RFC says nothing of member order: replaced members keep their place, new ones come last. */
START_TEST(test_member_order)
{
	cJSON *doc = J("{'a':1,'b':2,'c':3}"), *patch = J("{'b':null,'d':4,'a':0}"), *out = NULL;
	char *text;

	ck_assert_int_eq(up_merge_patch_apply(doc, patch, NULL, NULL, NULL, &out, NULL), UP_OK);
	text = up_json_print(out);
	ck_assert_str_eq(text, "{\"a\":0,\"c\":3,\"d\":4}");
	free(text);
	cJSON_Delete(out);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
}
END_TEST

/* A long pointer is cut in the error, on a character boundary, with "...". */
START_TEST(test_long_pointer_cut)
{
	char name[600], patch_text[700];
	struct up_json_limits lim = {0, 100, 0, 0};
	struct up_patch_error perr;
	cJSON *doc = J("{}"), *patch, *out = NULL;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(patch_text, sizeof(patch_text), "{\"%s\":1}", name);
	patch = cJSON_Parse(patch_text);
	ck_assert_ptr_nonnull(patch);
	ck_assert_int_eq(up_merge_patch_apply(doc, patch, &lim, NULL, NULL, &out, &perr),
	                 UP_ERR_LIMIT);
	ck_assert_uint_lt(strlen(perr.pointer), sizeof(perr.pointer));
	ck_assert_str_eq(perr.pointer + strlen(perr.pointer) - 3, "...");
	ck_assert_ptr_nonnull(strstr(perr.message, "longer than 100 bytes"));
	cJSON_Delete(patch);
	cJSON_Delete(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("json_merge_patch");
	TCase *tc = tcase_create("merge");

	tcase_add_loop_test(tc, test_merge_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_member_order);
	tcase_add_test(tc, test_long_pointer_cut);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
