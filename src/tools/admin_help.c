/* SPDX-License-Identifier: ISC */
/*
 * admin_help.c: `userpatch-admin --version` and `COMMAND [SUBCOMMAND] --help`.
 * The help of a command is the lines of the tool's usage text that describe
 * it, so the two never disagree.
 */
#include <stdio.h>
#include <string.h>
#include "autoconfig.h"
#include "admin_common.h"

int admin_version(void)
{
	printf("userpatch-admin (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return 0;
}

int admin_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* 1 if the usage line (after its two-space indent) describes words. */
static int line_matches(const char *line, const char *words)
{
	size_t n = strlen(words);

	return strncmp(line, words, n) == 0 && (line[n] == ' ' || line[n] == '\n');
}

int admin_help(const char *usage, int argc, char **argv)
{
	char words[128];
	const char *line, *next;
	int shown = 0, in_entry = 0;

	/* "token issue" when a subcommand word follows the command, else "token". */
	if (argc >= 2 && argv[1][0] != '-')
		snprintf(words, sizeof(words), "%s %s", argv[0], argv[1]);
	else
		snprintf(words, sizeof(words), "%s", argv[0]);
	for (line = usage; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, "    ", 4) == 0) {
			/* continuation of the entry above */
			if (in_entry)
				fwrite(line, 1, (size_t)(next - line), stdout);
			continue;
		}
		in_entry = strncmp(line, "  ", 2) == 0 && line_matches(line + 2, words);
		if (in_entry) {
			if (shown++ == 0)
				puts("usage: userpatch-admin [--config FILE] COMMAND ...");
			fwrite(line, 1, (size_t)(next - line), stdout);
		}
	}
	if (shown == 0 && strchr(words, ' ') != NULL) {
		/* an unknown second word: show the whole command */
		return admin_help(usage, 1, argv);
	}
	if (shown == 0) {
		admin_err("unknown command '%s'", argv[0]);
		return 2;
	}
	/* the notes after the list (scopes, configuration) */
	for (line = usage; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (*line != ' ' && strncmp(line, "usage:", 6) != 0)
			fwrite(line, 1, (size_t)(next - line), stdout);
	}
	return 0;
}
