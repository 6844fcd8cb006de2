/* SPDX-License-Identifier: ISC */
/*
 * fuzz_query.c: libFuzzer entry for the query-string parser.
 *
 * The input is a query string (a NUL ends it early, as in the CGI
 * environment).  Checked: up_query_valid and up_query_get agree (a valid
 * query never gives UP_ERR_BAD_REQUEST; a parameter that decodes has no NUL
 * and is never longer than its encoding); up_query_param is up_query_get
 * without the error; up_percent_decode of the whole string fails exactly
 * when up_query_valid says so.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"limit",    "offset", "cursor", "group",
                                    "disabled", "email",  "data",   ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = malloc(size + 1), *copy, first[32];
	size_t i, n;
	int valid;

	if (q == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	valid = up_query_valid(q);
	/* The first parameter's name too, whatever it is. */
	n = strcspn(q, "=&");
	if (n >= sizeof(first))
		n = sizeof(first) - 1;
	memcpy(first, q, n);
	first[n] = '\0';
	for (i = 0; i <= sizeof(names) / sizeof(names[0]); i++) {
		const char *name = i < sizeof(names) / sizeof(names[0]) ? names[i] : first;
		char *v = NULL, *w;
		enum up_err rc = up_query_get(q, name, &v);

		if (rc == UP_ERR_NOMEM)
			continue;
		if (rc != UP_OK && rc != UP_ERR_BAD_REQUEST)
			abort();
		if (valid && rc != UP_OK)
			abort();
		if (rc != UP_OK && v != NULL)
			abort();
		if (v != NULL && strlen(v) > strlen(q))
			abort();
		w = up_query_param(q, name);
		if ((v == NULL) != (w == NULL) || (v != NULL && strcmp(v, w) != 0))
			abort();
		free(v);
		free(w);
	}
	copy = strdup(q);
	if (copy != NULL) {
		int rc = up_percent_decode(copy, 1);

		if ((rc == 0) != (valid != 0))
			abort();
		if (rc == 0 && strlen(copy) > strlen(q))
			abort();
		free(copy);
	}
	free(q);
	return 0;
}
