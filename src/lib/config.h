/* SPDX-License-Identifier: ISC */
/*
 * config.h: the configuration file.  Format: `key = value` lines, `#`
 * comments, blank lines.  Every key is declared in one table (config.c);
 * unknown keys, repeated keys and out-of-range values are errors.
 */
#ifndef UP_CONFIG_H
#define UP_CONFIG_H

#include <stddef.h>
#include "errors.h"
#include "log.h"

enum up_device_mode { UP_DEVICE_FORMAT = 0, UP_DEVICE_STRICT };

struct up_config {
	char *db_host; /* one host[:port] or a comma-separated list (fail-over) */
	unsigned long db_port;
	char *db_socket; /* unix socket, used when db_host is "localhost" */
	char *db_user;
	char *db_password; /* from db_password or the contents of db_password_file */
	char *db_password_file;
	char *db_name;
	unsigned long db_connect_timeout; /* seconds */
	unsigned long db_rw_timeout;      /* seconds */
	unsigned long db_retries;         /* transaction retries on deadlock/lock wait */
	unsigned long db_failback_delay;  /* seconds before earlier hosts are tried again */
	/* on: "it worked" answers read later, a write's last statements sent with its COMMIT */
	int db_pipeline;
	unsigned long max_body;        /* bytes */
	unsigned long max_batch_body;  /* bytes: POST /api/devices/{id}/locations */
	unsigned long max_import_body; /* bytes: POST <collection>/import */
	unsigned long max_import_rows; /* rows of one import */
	unsigned long max_json_depth;
	unsigned long max_patch_ops;
	unsigned long max_pointer_len;
	unsigned long pwhash_opslimit;
	unsigned long pwhash_memlimit; /* bytes */
	unsigned long retry_after;     /* seconds announced with 503 */
	enum up_device_mode device_validation;
	enum up_log_level log_level;
	char *log_file;
	unsigned long token_cache_seconds; /* a token's row is read again after this (0: always) */
	unsigned long max_future_fix;      /* seconds a reported fix time may lie ahead */
	int tracker_register_unknown;      /* on: a tracker naming no device makes one (audited) */
	/* Hosts and addresses a webhook may reach although private or loopback:
	 * comma-separated host names, IP addresses or CIDR blocks (NULL: none). */
	char *webhook_allow_hosts;
	int webhook_allow_http;                /* on: http:// webhook URLs are accepted */
	unsigned long webhook_connect_timeout; /* seconds to connect to a receiver */
	unsigned long webhook_timeout;         /* seconds for a whole delivery */
};

/* Fill cfg with defaults (no allocation). */
void up_config_defaults(struct up_config *cfg);

/*
 * Parse len bytes of configuration text into cfg (defaults first).  On error
 * returns UP_ERR_CONFIG with a sentence naming the line and key in err.
 * Strings in cfg are owned by cfg: release with up_config_free().
 */
enum up_err up_config_parse(const char *text, size_t len, struct up_config *cfg, char *err,
                            size_t errlen);

/* Read and parse the file at path (and a db_password_file it names). */
enum up_err up_config_load(const char *path, struct up_config *cfg, char *err, size_t errlen);

/* The configuration path: $USERPATCH_CONFIG, else SYSCONFDIR/userpatch.conf. Static storage. */
const char *up_config_path(void);

/* Release the strings of cfg; cfg may then be reused. */
void up_config_free(struct up_config *cfg);

#endif
