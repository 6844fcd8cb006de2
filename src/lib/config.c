/* SPDX-License-Identifier: ISC */
/* config.c: table-driven configuration parsing. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include "config.h"
#include "db_hosts.h"
#include "hash.h"
#include "json.h"
#include "parse.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif

#define CONFIG_MAX_FILE (64 * 1024)

enum key_type { K_STR, K_ULONG, K_DEVICE_MODE, K_LOG_LEVEL, K_ONOFF };

struct key_info {
	const char *name;
	enum key_type type;
	size_t offset;
	unsigned long min, max; /* K_ULONG only */
};

#define OFF(f) offsetof(struct up_config, f)

/* Every key the file may hold. */
static const struct key_info keys[] = {
        {"db_host", K_STR, OFF(db_host), 0, 0},
        {"db_port", K_ULONG, OFF(db_port), 1, 65535},
        {"db_socket", K_STR, OFF(db_socket), 0, 0},
        {"db_user", K_STR, OFF(db_user), 0, 0},
        {"db_password", K_STR, OFF(db_password), 0, 0},
        {"db_password_file", K_STR, OFF(db_password_file), 0, 0},
        {"db_name", K_STR, OFF(db_name), 0, 0},
        {"db_connect_timeout", K_ULONG, OFF(db_connect_timeout), 1, 300},
        {"db_rw_timeout", K_ULONG, OFF(db_rw_timeout), 1, 3600},
        {"db_retries", K_ULONG, OFF(db_retries), 0, 20},
        {"max_body", K_ULONG, OFF(max_body), 256, 16UL * 1024 * 1024},
        {"max_json_depth", K_ULONG, OFF(max_json_depth), 2, 512},
        {"max_patch_ops", K_ULONG, OFF(max_patch_ops), 1, 100000},
        {"max_pointer_len", K_ULONG, OFF(max_pointer_len), 16, 65536},
        /* argon2id floor (OWASP): at least 2 passes over at least 19 MiB. */
        {"pwhash_opslimit", K_ULONG, OFF(pwhash_opslimit), 2, 64},
        {"pwhash_memlimit", K_ULONG, OFF(pwhash_memlimit), 19UL * 1024 * 1024,
         4UL * 1024 * 1024 * 1024},
        {"retry_after", K_ULONG, OFF(retry_after), 1, 3600},
        {"device_validation", K_DEVICE_MODE, OFF(device_validation), 0, 0},
        {"log_level", K_LOG_LEVEL, OFF(log_level), 0, 0},
        {"log_file", K_STR, OFF(log_file), 0, 0},
        {"db_failback_delay", K_ULONG, OFF(db_failback_delay), 1, 86400},
        {"db_pipeline", K_ONOFF, OFF(db_pipeline), 0, 0},
        {"max_batch_body", K_ULONG, OFF(max_batch_body), 256, 64UL * 1024 * 1024},
        {"token_cache_seconds", K_ULONG, OFF(token_cache_seconds), 0, 60},
        {"max_future_fix", K_ULONG, OFF(max_future_fix), 0, 86400},
        {"max_import_body", K_ULONG, OFF(max_import_body), 256, 1024UL * 1024 * 1024},
        {"max_import_rows", K_ULONG, OFF(max_import_rows), 1, 1000000},
        {"tracker_register_unknown", K_ONOFF, OFF(tracker_register_unknown), 0, 0},
        {"webhook_allow_hosts", K_STR, OFF(webhook_allow_hosts), 0, 0},
        {"webhook_allow_http", K_ONOFF, OFF(webhook_allow_http), 0, 0},
        {"webhook_connect_timeout", K_ULONG, OFF(webhook_connect_timeout), 1, 60},
        {"webhook_timeout", K_ULONG, OFF(webhook_timeout), 1, 300},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void up_config_defaults(struct up_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->db_port = 3306;
	cfg->db_connect_timeout = 5;
	cfg->db_rw_timeout = 30;
	cfg->db_retries = 3;
	cfg->db_failback_delay = 60;
	cfg->db_pipeline = 1;
	cfg->max_body = 64 * 1024;
	cfg->max_batch_body = 1024 * 1024;
	cfg->max_import_body = 16UL * 1024 * 1024;
	cfg->max_import_rows = 10000;
	cfg->max_json_depth = 32;
	cfg->max_patch_ops = 256;
	cfg->max_pointer_len = 1024;
	cfg->pwhash_opslimit = 2; /* libsodium's interactive limits */
	cfg->pwhash_memlimit = 64UL * 1024 * 1024;
	cfg->retry_after = 5;
	cfg->token_cache_seconds = 5;
	cfg->max_future_fix = 300;
	cfg->webhook_connect_timeout = 5;
	cfg->webhook_timeout = 15;
	cfg->device_validation = UP_DEVICE_FORMAT;
	cfg->log_level = UP_LOG_INFO;
}

void up_config_free(struct up_config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == K_STR) {
			char **p = (char **)((char *)cfg + keys[i].offset);

			/* db_password among them: no secret stays in freed memory. */
			if (*p != NULL)
				sodium_memzero(*p, strlen(*p));
			free(*p);
			*p = NULL;
		}
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value part of a line, in place: leading blanks skipped, then either a
 * double-quoted string (\" and \\ stand for " and \; nothing but blanks and
 * a comment may follow the closing quote) or bare text that ends where a '#'
 * starts it or follows a blank (the rest is a comment), trailing blanks
 * trimmed. A '#' inside a bare word (pa#ss) is part of the value. Returns the
 * value (inside val's buffer) or NULL with err set.
 */
static char *take_value(char *val, char *err, size_t errlen, unsigned line)
{
	char *p, *out, *end;

	while (is_space(*val))
		val++;
	if (*val == '"') {
		for (p = out = val + 1; *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '\0') {
				snprintf(err, errlen,
				         "line %u: a quoted value lacks its closing quote", line);
				return NULL;
			}
			*out++ = *p;
		}
		*out = '\0';
		for (end = p + 1; is_space(*end); end++)
			;
		if (*end != '\0' && !(*end == '#' && is_space(end[-1]))) {
			snprintf(err, errlen, "line %u: text after the closing quote", line);
			return NULL;
		}
		return val + 1;
	}
	for (p = val; *p != '\0'; p++) {
		if (*p == '#' && (p == val || is_space(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	p = val + strlen(val);
	while (p > val && is_space(p[-1]))
		p--;
	*p = '\0';
	return val;
}

static enum up_err set_value(struct up_config *cfg, const struct key_info *k, const char *v,
                             char *err, size_t errlen, unsigned line)
{
	void *field = (char *)cfg + k->offset;
	uint64_t n;

	switch (k->type) {
	case K_STR: {
		char **p = field;
		char *copy = strdup(v);

		if (copy == NULL)
			return UP_ERR_NOMEM;
		free(*p);
		*p = copy;
		return UP_OK;
	}
	case K_ULONG:
		if (up_parse_u64(v, k->min, k->max, &n) != UP_OK) {
			snprintf(err, errlen, "line %u: %s must be a whole number from %lu to %lu",
			         line, k->name, k->min, k->max);
			return UP_ERR_CONFIG;
		}
		*(unsigned long *)field = (unsigned long)n;
		return UP_OK;
	case K_ONOFF:
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			snprintf(err, errlen, "line %u: %s must be on or off", line, k->name);
			return UP_ERR_CONFIG;
		}
		*(int *)field = strcmp(v, "on") == 0;
		return UP_OK;
	case K_DEVICE_MODE:
		if (strcmp(v, "format") == 0)
			*(enum up_device_mode *)field = UP_DEVICE_FORMAT;
		else if (strcmp(v, "strict") == 0)
			*(enum up_device_mode *)field = UP_DEVICE_STRICT;
		else {
			snprintf(err, errlen, "line %u: %s must be format or strict", line,
			         k->name);
			return UP_ERR_CONFIG;
		}
		return UP_OK;
	case K_LOG_LEVEL: {
		static const char *const names[] = {"error", "warn", "info", "debug"};
		size_t i;

		for (i = 0; i < 4; i++) {
			if (strcmp(v, names[i]) == 0) {
				*(enum up_log_level *)field = (enum up_log_level)i;
				return UP_OK;
			}
		}
		snprintf(err, errlen, "line %u: %s must be error, warn, info or debug", line,
		         k->name);
		return UP_ERR_CONFIG;
	}
	}
	return UP_ERR_INTERNAL;
}

/* The rules about several keys at once, once every line was read. */
static enum up_err check_whole(const struct up_config *cfg, char *err, size_t errlen)
{
	if (cfg->db_password != NULL && cfg->db_password_file != NULL) {
		snprintf(err, errlen, "db_password and db_password_file are exclusive");
		return UP_ERR_CONFIG;
	}
	if (cfg->db_name == NULL || cfg->db_user == NULL) {
		snprintf(err, errlen, "db_name and db_user are required");
		return UP_ERR_CONFIG;
	}
	return up_db_check_hosts(cfg->db_host, err, errlen);
}

enum up_err up_config_parse(const char *text, size_t len, struct up_config *cfg, char *err,
                            size_t errlen)
{
	unsigned char seen[NKEYS];
	enum up_err rc = UP_OK;
	size_t pos = 0;
	unsigned line = 0;
	char buf[1024];

	up_config_defaults(cfg);
	memset(seen, 0, sizeof(seen));
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	while (pos < len) {
		size_t end = pos, n, i;
		char *key, *val, *eq, *p;
		const struct key_info *k = NULL;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		line++;
		if (n >= sizeof(buf)) {
			snprintf(err, errlen, "line %u: too long", line);
			rc = UP_ERR_CONFIG;
			goto out;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos = end + 1;
		if (memchr(buf, '\0', n) != NULL) {
			snprintf(err, errlen, "line %u: contains a NUL byte", line);
			rc = UP_ERR_CONFIG;
			goto out;
		}
		/* Trim, skip blanks and comments. */
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		key = buf;
		while (is_space(*key))
			key++;
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "line %u: expected key = value", line);
			rc = UP_ERR_CONFIG;
			goto out;
		}
		p = eq;
		while (p > key && is_space(p[-1]))
			p--;
		*p = '\0';
		val = take_value(eq + 1, err, errlen, line);
		if (val == NULL) {
			rc = UP_ERR_CONFIG;
			goto out;
		}
		for (i = 0; i < NKEYS; i++) {
			if (strcmp(keys[i].name, key) == 0) {
				k = &keys[i];
				break;
			}
		}
		if (k == NULL) {
			snprintf(err, errlen, "line %u: unknown key '%.*s'", line,
			         UP_UTF8_CUT(key, 64));
			rc = UP_ERR_CONFIG;
			goto out;
		}
		if (seen[i]) {
			snprintf(err, errlen, "line %u: %s given twice", line, k->name);
			rc = UP_ERR_CONFIG;
			goto out;
		}
		seen[i] = 1;
		if (*val == '\0') {
			snprintf(err, errlen, "line %u: %s has no value", line, k->name);
			rc = UP_ERR_CONFIG;
			goto out;
		}
		rc = set_value(cfg, k, val, err, errlen, line);
		if (rc != UP_OK)
			goto out;
	}
	rc = check_whole(cfg, err, errlen);
out:
	sodium_memzero(buf, sizeof(buf)); /* the last line read may be db_password's */
	if (rc != UP_OK)
		up_config_free(cfg);
	return rc;
}

/* The files that may hold the database password. */
enum up_secret_file { UP_SECRET_CONFIG = 0, UP_SECRET_PASSWORD };

/*
 * The last secret-bearing file found readable by everyone, per kind: warned
 * once.  A file is its device, inode and path (a hash of it): a deleted
 * file's inode number is given to the next file made, which is not the
 * file that was warned about.
 */
static struct {
	int set;
	dev_t dev;
	ino_t ino;
	uint64_t path;
} public_warned[2];

/*
 * A file that holds a secret (the configuration may hold db_password; the
 * password file does) should be readable by its owner and group only: log a
 * warning when others may read it, once per file (not at every reload).
 */
static void warn_if_public(FILE *f, const char *path, enum up_secret_file kind)
{
	static const char *const what[] = {"configuration file", "password file"};
	struct stat st;
	uint64_t path_hash;

	if (fstat(fileno(f), &st) != 0 || (st.st_mode & S_IROTH) == 0)
		return;
	path_hash = up_hash(path, strlen(path));
	if (public_warned[kind].set && public_warned[kind].dev == st.st_dev &&
	    public_warned[kind].ino == st.st_ino && public_warned[kind].path == path_hash)
		return;
	public_warned[kind].set = 1;
	public_warned[kind].dev = st.st_dev;
	public_warned[kind].ino = st.st_ino;
	public_warned[kind].path = path_hash;
	up_log(UP_LOG_WARN,
	       "%s %.200s is readable by every user of this host (mode %04o): the database "
	       "password and its file should be readable by their owner and group only "
	       "(chmod o-rwx)",
	       what[kind], path, (unsigned)(st.st_mode & 07777));
}

/* Wipe and free a file's text (it may hold the password). */
static void free_secret(char *text, size_t len)
{
	if (text != NULL)
		sodium_memzero(text, len);
	free(text);
}

/* Read a whole small file; *out owned by caller. */
static enum up_err read_small_file(const char *path, enum up_secret_file kind, char **out,
                                   size_t *outlen, char *err, size_t errlen)
{
	enum up_err rc = UP_OK;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open %.200s: %s", path, strerror(errno));
		return UP_ERR_CONFIG;
	}
	warn_if_public(f, path, kind);
	buf = malloc(CONFIG_MAX_FILE + 1);
	if (buf == NULL) {
		rc = UP_ERR_NOMEM;
		goto out;
	}
	n = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %.200s", path);
		rc = UP_ERR_CONFIG;
		goto out;
	}
	if (n > CONFIG_MAX_FILE) {
		snprintf(err, errlen, "%.200s is larger than %d bytes", path, CONFIG_MAX_FILE);
		rc = UP_ERR_CONFIG;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	buf = NULL;
out:
	free_secret(buf, buf != NULL ? CONFIG_MAX_FILE + 1 : 0);
	fclose(f);
	return rc;
}

enum up_err up_config_load(const char *path, struct up_config *cfg, char *err, size_t errlen)
{
	char *text = NULL, *pw = NULL;
	size_t len = 0, pwlen = 0, n;
	enum up_err rc;

	rc = read_small_file(path, UP_SECRET_CONFIG, &text, &len, err, errlen);
	if (rc != UP_OK) {
		up_config_defaults(cfg);
		goto out;
	}
	rc = up_config_parse(text, len, cfg, err, errlen);
	if (rc != UP_OK)
		goto out;
	if (cfg->db_password_file != NULL) {
		rc = read_small_file(cfg->db_password_file, UP_SECRET_PASSWORD, &pw, &pwlen, err,
		                     errlen);
		if (rc != UP_OK) {
			up_config_free(cfg);
			goto out;
		}
		/* The password is the first line, without its newline. */
		n = strcspn(pw, "\r\n");
		cfg->db_password = malloc(n + 1);
		if (cfg->db_password == NULL) {
			up_config_free(cfg);
			rc = UP_ERR_NOMEM;
			goto out;
		}
		memcpy(cfg->db_password, pw, n);
		cfg->db_password[n] = '\0';
	}
out:
	free_secret(text, len);
	free_secret(pw, pwlen);
	return rc;
}

const char *up_config_path(void)
{
	const char *p = getenv("USERPATCH_CONFIG");

	if (p != NULL && p[0] != '\0')
		return p;
	return SYSCONFDIR "/userpatch.conf";
}
