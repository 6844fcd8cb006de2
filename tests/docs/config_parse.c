/* SPDX-License-Identifier: ISC */
/* config_parse FILE...: each file through up_config_parse, the parser the
 * programs use. Prints "ok FILE" or "FAIL FILE: reason"; exit 1 if any file
 * is refused. Used by tests/docs/config_samples.sh. */
#include <stdio.h>
#include <stdlib.h>
#include "config.h"

/* Read FILE whole; *out owned by caller. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	int rc = -1;

	if (f == NULL)
		goto out;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	buf[n] = '\0';
	*out = buf;
	*len = (size_t)n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		struct up_config cfg;
		char err[256], *text = NULL;
		size_t len = 0;

		if (slurp(argv[i], &text, &len) != 0) {
			printf("FAIL %s: cannot read\n", argv[i]);
			failed = 1;
			continue;
		}
		if (up_config_parse(text, len, &cfg, err, sizeof(err)) != UP_OK) {
			printf("FAIL %s: %s\n", argv[i], err);
			failed = 1;
		} else {
			printf("ok   %s\n", argv[i]);
			up_config_free(&cfg);
		}
		free(text);
	}
	return failed;
}
