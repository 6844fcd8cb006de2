/* SPDX-License-Identifier: ISC */
/*
 * test_json_patch.c: table-driven tests of the JSON Pointer / JSON Patch
 * engine: every rule of RFC 6901 / RFC 6902 we rely on, RFC 6902 Appendix A,
 * malformed patches, atomicity, limits, equality.  JSON in the tables is
 * written with ' for " to keep it readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "json_patch.h"

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

static char *print(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	ck_assert_ptr_nonnull(s);
	return s;
}

struct patch_case {
	int line;
	const char *desc;
	const char *doc;
	const char *patch;
	const char *expected; /* NULL when an error is expected */
	enum up_err err;
	long op_index; /* of the error */
	struct up_json_limits lim;
};

#define OK(desc, doc, patch, expected)                                                             \
	{                                                                                          \
		__LINE__, desc, doc, patch, expected, UP_OK, -1,                                   \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}
#define ERR(desc, doc, patch, err, op)                                                             \
	{                                                                                          \
		__LINE__, desc, doc, patch, NULL, err, op,                                         \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}
#define ERRL(desc, doc, patch, err, op, ...)                                                       \
	{                                                                                          \
		__LINE__, desc, doc, patch, NULL, err, op, __VA_ARGS__                             \
	}
#define OKL(desc, doc, patch, expected, ...)                                                       \
	{                                                                                          \
		__LINE__, desc, doc, patch, expected, UP_OK, -1, __VA_ARGS__                       \
	}

static const struct patch_case cases[] = {
        /* RFC 6902 Appendix A */
        OK("A.1 adding an object member", "{'foo':'bar'}",
           "[{'op':'add','path':'/baz','value':'qux'}]", "{'baz':'qux','foo':'bar'}"),
        OK("A.2 adding an array element", "{'foo':['bar','baz']}",
           "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}"),
        OK("A.3 removing an object member", "{'baz':'qux','foo':'bar'}",
           "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}"),
        OK("A.4 removing an array element", "{'foo':['bar','qux','baz']}",
           "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}"),
        OK("A.5 replacing a value", "{'baz':'qux','foo':'bar'}",
           "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}"),
        OK("A.6 moving a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
           "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
           "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}"),
        OK("A.7 moving an array element", "{'foo':['all','grass','cows','eat']}",
           "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
           "{'foo':['all','cows','eat','grass']}"),
        OK("A.8 testing a value: success", "{'baz':'qux','foo':['a',2,'c']}",
           "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
           "{'baz':'qux','foo':['a',2,'c']}"),
        ERR("A.9 testing a value: error", "{'baz':'qux'}",
            "[{'op':'test','path':'/baz','value':'bar'}]", UP_ERR_TEST_FAILED, 0),
        OK("A.10 adding a nested member object", "{'foo':'bar'}",
           "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
           "{'foo':'bar','child':{'grandchild':{}}}"),
        OK("A.11 ignoring unrecognized elements", "{'foo':'bar'}",
           "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}"),
        ERR("A.12 adding to a nonexistent target", "{'foo':'bar'}",
            "[{'op':'add','path':'/baz/bat','value':'qux'}]", UP_ERR_PATH_NOT_FOUND, 0),
        ERR("A.13 invalid patch document: op twice", "{'foo':'bar'}",
            "[{'op':'add','path':'/baz','value':'qux','op':'remove'}]", UP_ERR_PATCH_MALFORMED, 0),
        OK("A.14 ~ escape ordering", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]",
           "{'/':9,'~1':10}"),
        ERR("A.15 comparing strings and numbers", "{'/':9,'~1':10}",
            "[{'op':'test','path':'/~01','value':'10'}]", UP_ERR_TEST_FAILED, 0),
        OK("A.16 adding an array value", "{'foo':['bar']}",
           "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}"),

        /* '-' */
        OK("add - appends", "[1,2]", "[{'op':'add','path':'/-','value':3}]", "[1,2,3]"),
        OK("add - to empty array", "[]", "[{'op':'add','path':'/-','value':3}]", "[3]"),
        ERR("remove - is an error", "[1,2]", "[{'op':'remove','path':'/-'}]", UP_ERR_INDEX_RANGE,
            0),
        ERR("replace - is an error", "[1,2]", "[{'op':'replace','path':'/-','value':0}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("test - is an error", "[1,2]", "[{'op':'test','path':'/-','value':2}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("- as from is an error", "[1,2]", "[{'op':'copy','from':'/-','path':'/0'}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("- in the middle of a path", "[[1]]", "[{'op':'add','path':'/-/0','value':2}]",
            UP_ERR_INDEX_RANGE, 0),
        OK("copy to - appends", "[1,2]", "[{'op':'copy','from':'/0','path':'/-'}]", "[1,2,1]"),
        OK("move to - appends", "[1,2,3]", "[{'op':'move','from':'/0','path':'/-'}]", "[2,3,1]"),
        OK("- is a plain key in an object", "{}", "[{'op':'add','path':'/-','value':1}]",
           "{'-':1}"),

        /* array indices */
        OK("add at index 0", "[1,2]", "[{'op':'add','path':'/0','value':0}]", "[0,1,2]"),
        OK("add at index len appends", "[1,2]", "[{'op':'add','path':'/2','value':3}]", "[1,2,3]"),
        OK("add at index 0 of empty array", "[]", "[{'op':'add','path':'/0','value':3}]", "[3]"),
        ERR("add past len", "[1,2]", "[{'op':'add','path':'/3','value':3}]", UP_ERR_INDEX_RANGE, 0),
        ERR("add at 1 of empty array", "[]", "[{'op':'add','path':'/1','value':3}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("leading zero 01", "[1,2]", "[{'op':'test','path':'/01','value':2}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("leading zero 00", "[1,2]", "[{'op':'replace','path':'/00','value':2}]",
            UP_ERR_INDEX_RANGE, 0),
        ERR("negative index", "[1,2]", "[{'op':'remove','path':'/-1'}]", UP_ERR_INDEX_RANGE, 0),
        ERR("exponent index", "[1,2]", "[{'op':'remove','path':'/1e0'}]", UP_ERR_INDEX_RANGE, 0),
        ERR("plus sign index", "[1,2]", "[{'op':'remove','path':'/+1'}]", UP_ERR_INDEX_RANGE, 0),
        ERR("empty token on array", "[1,2]", "[{'op':'remove','path':'/'}]", UP_ERR_INDEX_RANGE, 0),
        ERR("name on array", "[1,2]", "[{'op':'add','path':'/bar','value':1}]", UP_ERR_INDEX_RANGE,
            0),
        ERR("index overflowing size_t", "[1]",
            "[{'op':'remove','path':'/99999999999999999999999999'}]", UP_ERR_INDEX_RANGE, 0),
        ERR("remove at len", "[1,2]", "[{'op':'remove','path':'/2'}]", UP_ERR_INDEX_RANGE, 0),
        OK("remove last", "[1,2]", "[{'op':'remove','path':'/1'}]", "[1]"),
        OK("remove only", "[1]", "[{'op':'remove','path':'/0'}]", "[]"),
        OK("01 is a plain key in an object", "{'01':1}",
           "[{'op':'replace','path':'/01','value':2}]", "{'01':2}"),
        OK("index walk forth and back", "[0,1,2,3,4,5,6,7,8,9]",
           "[{'op':'test','path':'/8','value':8},{'op':'test','path':'/2','value':2},"
           "{'op':'remove','path':'/9'},{'op':'test','path':'/8','value':8},"
           "{'op':'add','path':'/9','value':'x'},{'op':'test','path':'/9','value':'x'},"
           "{'op':'remove','path':'/0'},{'op':'test','path':'/0','value':1},"
           "{'op':'add','path':'/3','value':'y'},{'op':'test','path':'/4','value':4},"
           "{'op':'test','path':'/3','value':'y'},{'op':'replace','path':'/3','value':'z'},"
           "{'op':'test','path':'/3','value':'z'},{'op':'add','path':'/-','value':'e'},"
           "{'op':'test','path':'/10','value':'e'},{'op':'move','from':'/10','path':'/0'},"
           "{'op':'test','path':'/0','value':'e'},{'op':'test','path':'/10','value':'x'}]",
           "['e',1,2,3,'z',4,5,6,7,8,'x']"),

        /* escaping */
        OK("~1 decodes to /", "{}", "[{'op':'add','path':'/a~1b','value':1}]", "{'a/b':1}"),
        OK("~0 decodes to ~", "{}", "[{'op':'add','path':'/~0','value':1}]", "{'~':1}"),
        OK("~01 decodes to ~1", "{}", "[{'op':'add','path':'/~01','value':1}]", "{'~1':1}"),
        OK("~10 decodes to /0", "{}", "[{'op':'add','path':'/~10','value':1}]", "{'/0':1}"),
        ERR("~2 is malformed", "{}", "[{'op':'add','path':'/~2','value':1}]",
            UP_ERR_POINTER_MALFORMED, 0),
        ERR("trailing ~ is malformed", "{}", "[{'op':'add','path':'/a~','value':1}]",
            UP_ERR_POINTER_MALFORMED, 0),
        ERR("~ in from is checked", "{'a':1}", "[{'op':'copy','from':'/~x','path':'/b'}]",
            UP_ERR_POINTER_MALFORMED, 0),
        OK("empty token is the empty name", "{}", "[{'op':'add','path':'/','value':1}]", "{'':1}"),
        OK("nested empty tokens", "{'':{'':0}}", "[{'op':'replace','path':'//','value':1}]",
           "{'':{'':1}}"),

        /* the whole document */
        OK("replace the root", "{'a':1}", "[{'op':'replace','path':'','value':[1]}]", "[1]"),
        OK("add the root", "{'a':1}", "[{'op':'add','path':'','value':'x'}]", "'x'"),
        OK("test the root", "{'a':1}", "[{'op':'test','path':'','value':{'a':1.0}}]", "{'a':1}"),
        ERR("test the root fails", "{'a':1}", "[{'op':'test','path':'','value':{'a':2}}]",
            UP_ERR_TEST_FAILED, 0),
        ERR("remove the root is malformed", "{'a':1}", "[{'op':'remove','path':''}]",
            UP_ERR_PATCH_MALFORMED, 0),
        OK("scalar root replaced", "3", "[{'op':'replace','path':'','value':4}]", "4"),
        ERR("step into a scalar root", "3", "[{'op':'add','path':'/a','value':4}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        OK("move a member to the root", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':''}]",
           "{'b':1}"),
        OK("copy the root into itself", "{'a':1}", "[{'op':'copy','from':'','path':'/b'}]",
           "{'a':1,'b':{'a':1}}"),
        OK("copy a member to the root", "{'a':[1]}", "[{'op':'copy','from':'/a','path':''}]",
           "[1]"),
        OK("root replaced then patched", "{}",
           "[{'op':'replace','path':'','value':{'x':[]}},{'op':'add','path':'/x/-','value':1}]",
           "{'x':[1]}"),

        /* add / remove / replace on objects */
        OK("add replaces an existing member", "{'a':1,'b':2}",
           "[{'op':'add','path':'/a','value':3}]", "{'a':3,'b':2}"),
        OK("add null value is present", "{}", "[{'op':'add','path':'/a','value':null}]",
           "{'a':null}"),
        ERR("remove missing member", "{'a':1}", "[{'op':'remove','path':'/b'}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("replace missing member", "{'a':1}", "[{'op':'replace','path':'/b','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("replace under missing parent", "{'a':1}", "[{'op':'replace','path':'/b/c','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("add under a string", "{'a':'s'}", "[{'op':'add','path':'/a/b','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("add under a number", "{'a':1}", "[{'op':'add','path':'/a/0','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("add under null", "{'a':null}", "[{'op':'add','path':'/a/b','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        OK("duplicate names: replace acts on the first", "{'a':1,'a':2}",
           "[{'op':'replace','path':'/a','value':3}]", "{'a':3,'a':2}"),
        OK("duplicate names: remove acts on the first", "{'a':1,'a':2}",
           "[{'op':'remove','path':'/a'}]", "{'a':2}"),
        OK("duplicate names: test reads the first", "{'a':1,'a':2}",
           "[{'op':'test','path':'/a','value':1}]", "{'a':1,'a':2}"),

        /* move and copy */
        ERR("move into own child", "{'a':{'b':{}}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]",
            UP_ERR_MOVE_INTO_CHILD, 0),
        ERR("move the root into a child", "{'a':{}}", "[{'op':'move','from':'','path':'/a/b'}]",
            UP_ERR_MOVE_INTO_CHILD, 0),
        OK("move to a sibling sharing a prefix", "{'a':1}",
           "[{'op':'move','from':'/a','path':'/ab'}]", "{'ab':1}"),
        OK("move to itself", "{'a':1,'b':2}", "[{'op':'move','from':'/a','path':'/a'}]",
           "{'a':1,'b':2}"),
        ERR("move missing to itself", "{'a':1}", "[{'op':'move','from':'/x','path':'/x'}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        OK("move replaces the target", "{'a':1,'b':2}", "[{'op':'move','from':'/a','path':'/b'}]",
           "{'b':1}"),
        OK("move object member into array", "{'a':{'x':1},'l':[]}",
           "[{'op':'move','from':'/a','path':'/l/0'}]", "{'l':[{'x':1}]}"),
        OK("move array element into object", "{'l':[1,2],'o':{}}",
           "[{'op':'move','from':'/l/0','path':'/o/k'}]", "{'l':[2],'o':{'k':1}}"),
        ERR("move from missing", "{'a':1}", "[{'op':'move','from':'/b','path':'/c'}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        ERR("move to missing parent", "{'a':1}", "[{'op':'move','from':'/a','path':'/x/y'}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        OK("move within array backwards", "[0,1,2,3]", "[{'op':'move','from':'/3','path':'/0'}]",
           "[3,0,1,2]"),
        OK("copy an object deeply", "{'a':{'b':[1,2]}}",
           "[{'op':'copy','from':'/a','path':'/c'},{'op':'add','path':'/c/b/-','value':3}]",
           "{'a':{'b':[1,2]},'c':{'b':[1,2,3]}}"),
        ERR("copy from missing", "{'a':1}", "[{'op':'copy','from':'/b','path':'/c'}]",
            UP_ERR_PATH_NOT_FOUND, 0),
        OK("copy into array at index", "{'a':1,'l':[0]}",
           "[{'op':'copy','from':'/a','path':'/l/0'}]", "{'a':1,'l':[1,0]}"),

        /* test equality (RFC 6902 4.6) */
        OK("1 equals 1.0", "{'a':1}", "[{'op':'test','path':'/a','value':1.0}]", "{'a':1}"),
        OK("1 equals 1e0", "{'a':1}", "[{'op':'test','path':'/a','value':1e0}]", "{'a':1}"),
        OK("objects unordered", "{'a':{'x':1,'y':2}}",
           "[{'op':'test','path':'/a','value':{'y':2,'x':1}}]", "{'a':{'x':1,'y':2}}"),
        ERR("arrays ordered", "{'a':[1,2]}", "[{'op':'test','path':'/a','value':[2,1]}]",
            UP_ERR_TEST_FAILED, 0),
        ERR("array prefix differs", "{'a':[1,2]}", "[{'op':'test','path':'/a','value':[1]}]",
            UP_ERR_TEST_FAILED, 0),
        ERR("object subset differs", "{'a':{'x':1}}",
            "[{'op':'test','path':'/a','value':{'x':1,'y':1}}]", UP_ERR_TEST_FAILED, 0),
        ERR("true is not 1", "{'a':true}", "[{'op':'test','path':'/a','value':1}]",
            UP_ERR_TEST_FAILED, 0),
        ERR("false is not null", "{'a':false}", "[{'op':'test','path':'/a','value':null}]",
            UP_ERR_TEST_FAILED, 0),
        OK("null equals null", "{'a':null}", "[{'op':'test','path':'/a','value':null}]",
           "{'a':null}"),
        ERR("strings by code point", "{'a':'\\u00e9'}",
            "[{'op':'test','path':'/a','value':'e\\u0301'}]", UP_ERR_TEST_FAILED, 0),
        OK("escaped and raw UTF-8 equal", "{'a':'\\u00e9'}",
           "[{'op':'test','path':'/a','value':'\xc3\xa9'}]", "{'a':'\\u00e9'}"),
        ERR("test missing path", "{'a':1}", "[{'op':'test','path':'/b','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 0),

        /* malformed patches: rejected before anything applies */
        ERR("patch is an object", "{}", "{'op':'add','path':'/a','value':1}",
            UP_ERR_PATCH_MALFORMED, -1),
        ERR("patch is a string", "{}", "'add'", UP_ERR_PATCH_MALFORMED, -1),
        OK("empty patch", "{'a':1}", "[]", "{'a':1}"),
        ERR("op not an object, after a valid op", "{}", "[{'op':'add','path':'/a','value':1},[1]]",
            UP_ERR_PATCH_MALFORMED, 1),
        ERR("missing op", "{}", "[{'op':'add','path':'/a','value':1},{'path':'/a'}]",
            UP_ERR_PATCH_MALFORMED, 1),
        ERR("missing path", "{}", "[{'op':'add','value':1}]", UP_ERR_PATCH_MALFORMED, 0),
        ERR("missing value for add", "{}", "[{'op':'add','path':'/a'}]", UP_ERR_PATCH_MALFORMED, 0),
        ERR("missing value for replace", "{'a':1}", "[{'op':'replace','path':'/a'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("missing value for test", "{'a':1}",
            "[{'op':'remove','path':'/a'},{'op':'test','path':'/a'}]", UP_ERR_PATCH_MALFORMED, 1),
        ERR("missing from for move", "{'a':1}", "[{'op':'move','path':'/b'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("missing from for copy", "{'a':1}", "[{'op':'copy','path':'/b'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("unknown op", "{'a':1}", "[{'op':'remove','path':'/a'},{'op':'spam','path':'/a'}]",
            UP_ERR_PATCH_MALFORMED, 1),
        ERR("op name is case sensitive", "{'a':1}", "[{'op':'Remove','path':'/a'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("op not a string", "{'a':1}", "[{'op':1,'path':'/a'}]", UP_ERR_PATCH_MALFORMED, 0),
        ERR("path not a string", "{'a':1}", "[{'op':'remove','path':1}]", UP_ERR_PATCH_MALFORMED,
            0),
        ERR("path null", "{'a':1}", "[{'op':'remove','path':null}]", UP_ERR_PATCH_MALFORMED, 0),
        ERR("from not a string", "{'a':1}", "[{'op':'copy','from':['/a'],'path':'/b'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("path without leading slash", "{'a':1}",
            "[{'op':'remove','path':'/a'},{'op':'add','path':'a','value':1}]",
            UP_ERR_POINTER_MALFORMED, 1),
        ERR("from without leading slash", "{'a':1}", "[{'op':'move','from':'a','path':'/b'}]",
            UP_ERR_POINTER_MALFORMED, 0),
        ERR("path twice", "{'a':1}", "[{'op':'remove','path':'/a','path':'/b'}]",
            UP_ERR_PATCH_MALFORMED, 0),
        ERR("value twice", "{}", "[{'op':'add','path':'/a','value':1,'value':2}]",
            UP_ERR_PATCH_MALFORMED, 0),
        OK("value with remove is ignored", "{'a':1}", "[{'op':'remove','path':'/a','value':1}]",
           "{}"),
        ERR("malformed op after a failing op: malformed wins", "{'a':1}",
            "[{'op':'test','path':'/a','value':2},{'op':'nope','path':'/a'}]",
            UP_ERR_PATCH_MALFORMED, 1),

        /* atomicity: a late failure leaves the document as it was */
        ERR("add, remove, then failing test", "{'a':1,'b':[1,2,3],'c':{'d':1}}",
            "[{'op':'add','path':'/x','value':1},{'op':'remove','path':'/b/1'},"
            "{'op':'replace','path':'/c/d','value':2},{'op':'move','from':'/a','path':'/b/0'},"
            "{'op':'copy','from':'/c','path':'/b/-'},{'op':'add','path':'/a2','value':{}},"
            "{'op':'move','from':'/b/0','path':'/c/e'},{'op':'add','path':'/c','value':0},"
            "{'op':'test','path':'/a','value':1}]",
            UP_ERR_PATH_NOT_FOUND, 8),
        ERR("root replaced, then failure", "{'a':1}",
            "[{'op':'replace','path':'','value':[1]},{'op':'remove','path':'/5'}]",
            UP_ERR_INDEX_RANGE, 1),
        ERR("move to root, then failure", "{'a':{'b':1},'c':2}",
            "[{'op':'move','from':'/a','path':''},{'op':'remove','path':'/zz'}]",
            UP_ERR_PATH_NOT_FOUND, 1),
        ERR("move in array, then failure", "[1,2,3,4]",
            "[{'op':'move','from':'/0','path':'/3'},{'op':'move','from':'/3','path':'/1'},"
            "{'op':'remove','path':'/0'},{'op':'test','path':'/0','value':9}]",
            UP_ERR_TEST_FAILED, 3),
        ERR("move with failing target", "{'a':{'x':1},'b':2}",
            "[{'op':'move','from':'/a/x','path':'/b/c'}]", UP_ERR_PATH_NOT_FOUND, 0),
        ERR("remove twice", "{'a':1}", "[{'op':'remove','path':'/a'},{'op':'remove','path':'/a'}]",
            UP_ERR_PATH_NOT_FOUND, 1),

        /* limits */
        ERRL("more ops than max_ops", "{}",
             "[{'op':'add','path':'/a','value':1},{'op':'add','path':'/b','value':1},"
             "{'op':'add','path':'/c','value':1}]",
             UP_ERR_LIMIT, 2, {.max_ops = 2}),
        OKL("exactly max_ops", "{}",
            "[{'op':'add','path':'/a','value':1},{'op':'add','path':'/b','value':1}]",
            "{'a':1,'b':1}", {.max_ops = 2}),
        ERRL("path longer than max_pointer_len", "{}", "[{'op':'add','path':'/abcdef','value':1}]",
             UP_ERR_LIMIT, 0, {.max_pointer_len = 6}),
        OKL("path of exactly max_pointer_len", "{}", "[{'op':'add','path':'/abcde','value':1}]",
            "{'abcde':1}", {.max_pointer_len = 6}),
        ERRL("from longer than max_pointer_len", "{'abcdef':1}",
             "[{'op':'copy','from':'/abcdef','path':'/b'}]", UP_ERR_LIMIT, 0,
             {.max_pointer_len = 6}),
        ERRL("path deeper than max_depth", "{}", "[{'op':'add','path':'/a/b/c','value':1}]",
             UP_ERR_LIMIT, 0, {.max_depth = 2}),
        ERRL("value nests too deep", "{}", "[{'op':'add','path':'/a','value':{'b':[1]}}]",
             UP_ERR_LIMIT, 0, {.max_depth = 2}),
        OKL("value nests exactly to max_depth", "{}", "[{'op':'add','path':'/a','value':{'b':1}}]",
            "{'a':{'b':1}}", {.max_depth = 2}),
        ERRL("copy nests too deep", "{'a':{'b':{}},'c':{}}",
             "[{'op':'copy','from':'/a','path':'/c/d'}]", UP_ERR_LIMIT, 0, {.max_depth = 3}),
        ERRL("move nests too deep", "{'a':{'b':{}},'c':{}}",
             "[{'op':'move','from':'/a','path':'/c/d'}]", UP_ERR_LIMIT, 0, {.max_depth = 3}),
        OKL("copy within the copy budget", "{'a':[1,2]}", "[{'op':'copy','from':'/a','path':'/b'}]",
            "{'a':[1,2],'b':[1,2]}", {.max_copy_nodes = 3}),
        ERRL("copies beyond the copy budget", "{'a':[1,2]}",
             "[{'op':'copy','from':'/a','path':'/b'},{'op':'copy','from':'/a/0','path':'/c'}]",
             UP_ERR_LIMIT, 1, {.max_copy_nodes = 3}),
        ERRL("doubling by copy is bounded", "{'a':[1,2,3,4,5,6,7,8]}",
             "[{'op':'copy','from':'','path':'/b'},{'op':'copy','from':'','path':'/c'},"
             "{'op':'copy','from':'','path':'/d'},{'op':'copy','from':'','path':'/e'},"
             "{'op':'copy','from':'','path':'/f'},{'op':'copy','from':'','path':'/g'}]",
             UP_ERR_LIMIT, 4, {.max_copy_nodes = 200}),
};

/*
 * Run case c through up_patch_apply (in_place: *doc replaced) or
 * up_patch_apply_to (the result apart, the document never touched).
 */
static void run_case(const struct patch_case *c, int in_place)
{
	struct up_patch_error perr;
	cJSON *doc = J(c->doc), *patch = J(c->patch), *expected = NULL, *out = NULL;
	char *before = print(doc), *after;
	const struct up_json_limits *lim = &c->lim;
	enum up_err err;

	memset(&perr, 0x5a, sizeof(perr));
	if (in_place) {
		err = up_patch_apply(&doc, patch, lim, &perr);
	} else {
		err = up_patch_apply_to(doc, patch, lim, &out, &perr);
		after = print(doc);
		ck_assert_msg(strcmp(before, after) == 0, "line %d (%s): doc changed: %s -> %s",
		              c->line, c->desc, before, after);
		ck_assert_msg((out != NULL) == (err == UP_OK), "line %d (%s): out %p", c->line,
		              c->desc, (void *)out);
		free(after);
		if (out != NULL) {
			cJSON_Delete(doc);
			doc = out;
		}
	}
	ck_assert_msg(err == c->err, "line %d (%s), %s: got %s (%s), want %s", c->line, c->desc,
	              in_place ? "in place" : "to a result", up_err_code(err), perr.message,
	              up_err_code(c->err));
	ck_assert_msg(perr.err == err, "line %d (%s): perr.err not set", c->line, c->desc);
	ck_assert_msg(strlen(perr.message) < sizeof(perr.message), "line %d: message", c->line);
	ck_assert_msg(strlen(perr.pointer) < sizeof(perr.pointer), "line %d: pointer", c->line);
	if (err == UP_OK) {
		expected = J(c->expected);
		after = print(doc);
		ck_assert_msg(up_json_equal(doc, expected), "line %d (%s): got %s want %s", c->line,
		              c->desc, after, c->expected);
		ck_assert_int_eq(perr.op_index, -1);
		free(after);
	} else {
		ck_assert_msg(perr.op_index == c->op_index, "line %d (%s): op index %ld, want %ld",
		              c->line, c->desc, perr.op_index, c->op_index);
		ck_assert_msg(perr.message[0] != '\0', "line %d (%s): empty message", c->line,
		              c->desc);
		if (c->op_index >= 0) {
			char want[32];

			snprintf(want, sizeof(want), "operation %ld", c->op_index);
			ck_assert_msg(strstr(perr.message, want), "line %d (%s): message '%s'",
			              c->line, c->desc, perr.message);
		}
		/* atomic: byte for byte as before, member order included */
		after = print(doc);
		ck_assert_msg(strcmp(before, after) == 0, "line %d (%s): doc changed: %s -> %s",
		              c->line, c->desc, before, after);
		free(after);
	}
	cJSON_Delete(expected);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	free(before);
}

START_TEST(test_patch_in_place)
{
	run_case(&cases[_i], 1);
}
END_TEST

START_TEST(test_patch_to)
{
	run_case(&cases[_i], 0);
}
END_TEST

/* up_patch_check agrees with apply on structural errors and applies nothing. */
START_TEST(test_check_only)
{
	const struct patch_case *c = &cases[_i];
	struct up_patch_error perr;
	cJSON *patch = J(c->patch);
	enum up_err err = up_patch_check(patch, &c->lim, &perr);

	if (c->err == UP_ERR_PATCH_MALFORMED || c->err == UP_ERR_POINTER_MALFORMED ||
	    (c->err == UP_ERR_LIMIT && strstr(c->desc, "copy") == NULL &&
	     strstr(c->desc, "move") == NULL)) {
		ck_assert_msg(err == c->err, "line %d (%s): check gave %s", c->line, c->desc,
		              up_err_code(err));
		ck_assert_int_eq(perr.op_index, c->op_index);
	} else {
		ck_assert_msg(err == UP_OK, "line %d (%s): check gave %s: %s", c->line, c->desc,
		              up_err_code(err), perr.message);
	}
	cJSON_Delete(patch);
}
END_TEST

struct pointer_case {
	int line;
	const char *desc;
	const char *ptr;
	enum up_err err;
	const char *value; /* expected, when err is UP_OK */
};

static const char pointer_doc[] = "{'foo':['bar','baz'],'':0,'a/b':1,'c%d':2,'e^f':3,'g|h':4,"
                                  "'i\\\\j':5,'k\\'l':6,' ':7,'m~n':8,'o':{'p':[{'q':null}]}}";

static const struct pointer_case pointer_cases[] = {
        /* RFC 6901 section 5 */
        {__LINE__, "whole document", "", UP_OK, NULL},
        {__LINE__, "member", "/foo", UP_OK, "['bar','baz']"},
        {__LINE__, "element", "/foo/0", UP_OK, "'bar'"},
        {__LINE__, "empty name", "/", UP_OK, "0"},
        {__LINE__, "escaped slash", "/a~1b", UP_OK, "1"},
        {__LINE__, "percent", "/c%d", UP_OK, "2"},
        {__LINE__, "caret", "/e^f", UP_OK, "3"},
        {__LINE__, "bar", "/g|h", UP_OK, "4"},
        {__LINE__, "backslash", "/i\\j", UP_OK, "5"},
        {__LINE__, "quote", "/k\"l", UP_OK, "6"},
        {__LINE__, "space", "/ ", UP_OK, "7"},
        {__LINE__, "escaped tilde", "/m~0n", UP_OK, "8"},
        {__LINE__, "deep", "/o/p/0/q", UP_OK, "null"},
        {__LINE__, "missing member", "/nope", UP_ERR_PATH_NOT_FOUND, NULL},
        {__LINE__, "into a string", "/foo/0/x", UP_ERR_PATH_NOT_FOUND, NULL},
        {__LINE__, "past the end", "/foo/2", UP_ERR_INDEX_RANGE, NULL},
        {__LINE__, "dash", "/foo/-", UP_ERR_INDEX_RANGE, NULL},
        {__LINE__, "leading zero", "/foo/01", UP_ERR_INDEX_RANGE, NULL},
        {__LINE__, "no leading slash", "foo", UP_ERR_POINTER_MALFORMED, NULL},
        {__LINE__, "bad escape", "/m~2n", UP_ERR_POINTER_MALFORMED, NULL},
        {__LINE__, "lone tilde", "/~", UP_ERR_POINTER_MALFORMED, NULL},
        {__LINE__, "unescaped tilde name does not match", "/m~1n", UP_ERR_PATH_NOT_FOUND, NULL},
};

START_TEST(test_pointer_get)
{
	const struct pointer_case *c = &pointer_cases[_i];
	cJSON *doc = J(pointer_doc), *want = NULL;
	const cJSON *got = (const cJSON *)1;
	enum up_err err = up_pointer_get(doc, c->ptr, &got);

	ck_assert_msg(err == c->err, "line %d (%s): got %s", c->line, c->desc, up_err_code(err));
	if (err == UP_OK) {
		want = c->value ? J(c->value) : NULL;
		if (want)
			ck_assert_msg(up_json_equal(got, want), "line %d (%s)", c->line, c->desc);
		else
			ck_assert_ptr_eq(got, doc);
	} else {
		ck_assert_ptr_null(got);
	}
	cJSON_Delete(want);
	cJSON_Delete(doc);
}
END_TEST

struct equal_case {
	int line;
	const char *desc;
	const char *a, *b;
	int equal;
};

static const struct equal_case equal_cases[] = {
        {__LINE__, "ints", "1", "1", 1},
        {__LINE__, "int and float", "1", "1.0", 1},
        {__LINE__, "exponent", "100", "1e2", 1},
        {__LINE__, "negative zero", "0", "-0", 1},
        {__LINE__, "different numbers", "1", "2", 0},
        {__LINE__, "string and number", "'1'", "1", 0},
        {__LINE__, "true false", "true", "false", 0},
        {__LINE__, "null null", "null", "null", 1},
        {__LINE__, "empty string", "''", "''", 1},
        {__LINE__, "string prefix", "'ab'", "'a'", 0},
        {__LINE__, "empty containers differ", "[]", "{}", 0},
        {__LINE__, "array order", "[1,2]", "[2,1]", 0},
        {__LINE__, "array length", "[1,2]", "[1,2,3]", 0},
        {__LINE__, "object order", "{'a':1,'b':2}", "{'b':2,'a':1}", 1},
        {__LINE__, "object missing member", "{'a':1,'b':2}", "{'a':1,'c':2}", 0},
        {__LINE__, "object sizes", "{'a':1}", "{'a':1,'b':2}", 0},
        {__LINE__, "nested", "{'a':[{'b':1.0}]}", "{'a':[{'b':1}]}", 1},
        {__LINE__, "duplicates paired in order", "{'a':1,'a':2}", "{'a':1,'a':2}", 1},
        {__LINE__, "duplicates out of order", "{'a':1,'a':2}", "{'a':2,'a':1}", 0},
        {__LINE__, "duplicate vs distinct", "{'a':1,'a':1}", "{'a':1,'b':1}", 0},
        {__LINE__, "large objects equal",
         "{'k0':0,'k1':1,'k2':2,'k3':3,'k4':4,'k5':5,'k6':6,'k7':7,'k8':8,'k9':9,'k10':10,"
         "'k11':11,'k12':12,'k13':13,'k14':14,'k15':15,'k16':16,'k17':17,'k18':18,'k19':19,"
         "'k20':20,'k21':21,'k22':22,'k23':23,'k24':24,'k25':25,'k26':26,'k27':27,'k28':28,"
         "'k29':29,'k30':30,'k31':31,'k32':32,'k33':33}",
         "{'k33':33,'k32':32,'k31':31,'k30':30,'k29':29,'k28':28,'k27':27,'k26':26,'k25':25,"
         "'k24':24,'k23':23,'k22':22,'k21':21,'k20':20,'k19':19,'k18':18,'k17':17,'k16':16,"
         "'k15':15,'k14':14,'k13':13,'k12':12,'k11':11,'k10':10,'k9':9,'k8':8,'k7':7,'k6':6,"
         "'k5':5,'k4':4,'k3':3,'k2':2,'k1':1,'k0':0}",
         1},
        {__LINE__, "large objects differ in one value",
         "{'k0':0,'k1':1,'k2':2,'k3':3,'k4':4,'k5':5,'k6':6,'k7':7,'k8':8,'k9':9,'k10':10,"
         "'k11':11,'k12':12,'k13':13,'k14':14,'k15':15,'k16':16,'k17':17,'k18':18,'k19':19,"
         "'k20':20,'k21':21,'k22':22,'k23':23,'k24':24,'k25':25,'k26':26,'k27':27,'k28':28,"
         "'k29':29,'k30':30,'k31':31,'k32':32,'k33':33}",
         "{'k33':33,'k32':32,'k31':31,'k30':30,'k29':29,'k28':28,'k27':27,'k26':26,'k25':25,"
         "'k24':24,'k23':23,'k22':22,'k21':21,'k20':20,'k19':19,'k18':18,'k17':17,'k16':16,"
         "'k15':15,'k14':14,'k13':13,'k12':12,'k11':11,'k10':10,'k9':9,'k8':8,'k7':7,'k6':6,"
         "'k5':5,'k4':4,'k3':3,'k2':2,'k1':1,'k0':1}",
         0},
};

START_TEST(test_equal)
{
	const struct equal_case *c = &equal_cases[_i];
	cJSON *a = J(c->a), *b = J(c->b);

	ck_assert_msg(up_json_equal(a, b) == c->equal, "line %d (%s): a==b", c->line, c->desc);
	ck_assert_msg(up_json_equal(b, a) == c->equal, "line %d (%s): b==a", c->line, c->desc);
	ck_assert_msg(up_json_equal(a, a) == 1, "line %d (%s): a==a", c->line, c->desc);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/* The error carries the pointer, truncated when long; op index in the message. */
START_TEST(test_error_details)
{
	struct up_patch_error perr;
	char path[600], patch_text[700];
	cJSON *doc = J("{'a':{'b':1}}"), *patch;

	patch = J("[{'op':'test','path':'/a/b','value':1},{'op':'remove','path':'/a/x'}]");
	ck_assert_int_eq(up_patch_apply(&doc, patch, NULL, &perr), UP_ERR_PATH_NOT_FOUND);
	ck_assert_int_eq(perr.op_index, 1);
	ck_assert_str_eq(perr.pointer, "/a/x");
	ck_assert_ptr_nonnull(strstr(perr.message, "/a/x"));
	ck_assert_ptr_nonnull(strstr(perr.message, "remove"));
	cJSON_Delete(patch);

	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(patch_text, sizeof(patch_text), "[{'op':'remove','path':'%s'}]", path);
	patch = J(patch_text);
	ck_assert_int_eq(up_patch_apply(&doc, patch, NULL, &perr), UP_ERR_PATH_NOT_FOUND);
	ck_assert_uint_eq(strlen(perr.pointer), sizeof(perr.pointer) - 1);
	ck_assert_ptr_nonnull(strstr(perr.pointer, "..."));
	cJSON_Delete(patch);

	/* NULL perr is allowed */
	patch = J("[{'op':'remove','path':'/zz'}]");
	ck_assert_int_eq(up_patch_apply(&doc, patch, NULL, NULL), UP_ERR_PATH_NOT_FOUND);
	ck_assert_int_eq(up_patch_check(patch, NULL, NULL), UP_OK);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
}
END_TEST

/* Default limits: 256 ops pass, 257 do not; zero fields take defaults. */
START_TEST(test_default_limits)
{
	const struct up_json_limits zero = {0, 0, 0, 0};
	struct up_patch_error perr;
	cJSON *patch = cJSON_CreateArray(), *doc = cJSON_CreateArray(), *op;
	int i;

	for (i = 0; i < 257; i++) {
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "add");
		cJSON_AddStringToObject(op, "path", "/-");
		cJSON_AddNumberToObject(op, "value", i);
		cJSON_AddItemToArray(patch, op);
	}
	ck_assert_int_eq(up_patch_check(patch, NULL, &perr), UP_ERR_LIMIT);
	ck_assert_int_eq(perr.op_index, 256);
	ck_assert_int_eq(up_patch_check(patch, &zero, &perr), UP_ERR_LIMIT);
	cJSON_DeleteItemFromArray(patch, 0);
	ck_assert_int_eq(up_patch_apply(&doc, patch, &zero, &perr), UP_OK);
	ck_assert_int_eq(cJSON_GetArraySize(doc), 256);
	ck_assert_int_eq(cJSON_GetArrayItem(doc, 255)->valueint, 256);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
}
END_TEST

/* Many ops on a long array go through the heap-allocated log and ops. */
START_TEST(test_long_patch_rollback)
{
	struct up_json_limits lim = {.max_ops = 5000};
	struct up_patch_error perr;
	cJSON *doc = cJSON_CreateArray(), *patch = cJSON_CreateArray(), *op;
	char path[32], *before;
	int i;

	for (i = 0; i < 1000; i++)
		cJSON_AddItemToArray(doc, cJSON_CreateNumber(i));
	before = print(doc);
	for (i = 0; i < 3000; i++) {
		op = cJSON_CreateObject();
		switch (i % 3) {
		case 0:
			snprintf(path, sizeof(path), "/%d", (i * 7) % 1000);
			cJSON_AddStringToObject(op, "op", "remove");
			break;
		case 1:
			snprintf(path, sizeof(path), "/%d", (i * 13) % 990);
			cJSON_AddStringToObject(op, "op", "add");
			cJSON_AddNumberToObject(op, "value", -i);
			break;
		default:
			snprintf(path, sizeof(path), "/%d", (i * 5) % 990);
			cJSON_AddStringToObject(op, "op", "replace");
			cJSON_AddStringToObject(op, "value", "r");
			break;
		}
		cJSON_AddStringToObject(op, "path", path);
		cJSON_AddItemToArray(patch, op);
	}
	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "test");
	cJSON_AddStringToObject(op, "path", "/0");
	cJSON_AddStringToObject(op, "value", "no such value");
	cJSON_AddItemToArray(patch, op);
	ck_assert_int_eq(up_patch_apply(&doc, patch, &lim, &perr), UP_ERR_TEST_FAILED);
	ck_assert_int_eq(perr.op_index, 3000);
	{
		char *after = print(doc);

		ck_assert_str_eq(before, after);
		free(after);
	}
	/* without the failing test both entry points give the same result */
	cJSON_DeleteItemFromArray(patch, 3000);
	{
		cJSON *out = NULL;

		ck_assert_int_eq(up_patch_apply_to(doc, patch, &lim, &out, &perr), UP_OK);
		ck_assert_int_eq(up_patch_apply(&doc, patch, &lim, &perr), UP_OK);
		ck_assert(up_json_equal(doc, out));
		ck_assert_int_eq(cJSON_GetArraySize(doc), 1000);
		cJSON_Delete(out);
	}
	free(before);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
}
END_TEST

static Suite *patch_suite(void)
{
	Suite *s = suite_create("json_patch");
	TCase *tc = tcase_create("core");
	size_t n = sizeof(cases) / sizeof(cases[0]);

	tcase_add_loop_test(tc, test_patch_in_place, 0, (int)n);
	tcase_add_loop_test(tc, test_patch_to, 0, (int)n);
	tcase_add_loop_test(tc, test_check_only, 0, (int)n);
	tcase_add_loop_test(tc, test_pointer_get, 0,
	                    (int)(sizeof(pointer_cases) / sizeof(pointer_cases[0])));
	tcase_add_loop_test(tc, test_equal, 0, (int)(sizeof(equal_cases) / sizeof(equal_cases[0])));
	tcase_add_test(tc, test_error_details);
	tcase_add_test(tc, test_default_limits);
	tcase_add_test(tc, test_long_patch_rollback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(patch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
