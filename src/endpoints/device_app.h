/* SPDX-License-Identifier: ISC */
/*
 * device_app.h: POST /api/v1/device_app_user_update/ (DESIGN 1.1).
 *
 * The handler (device_app_handler.c) routes and authenticates, the decoder
 * (device_app_decode.c) turns the body into the `data` object;
 * device_app_fields.c holds the field table, a view over the lines of the
 * users and devices tables, and turns `data` into a validated struct
 * da_input; device_app_store.c runs the upsert in one transaction on the
 * resource layer (resource.h), the password hashed outside it (secret.h).
 * Everything below up_device_app_handle() is internal to these files (and
 * their tests).
 */
#ifndef UP_DEVICE_APP_H
#define UP_DEVICE_APP_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "app.h"
#include "resource.h"
#include "secret.h"

#define UP_DEVICE_APP_PATH "/api/v1/device_app_user_update"

/* The route table of the family (what its program serves). */
extern const struct up_routes up_device_app_routes;

/* Route and serve one request of the device-app family. */
void up_device_app_handle(struct up_ctx *ctx, const struct up_request *req,
                          struct up_response *resp);

/*
 * Decode the body of req (application/json or form encoded) into the `data`
 * object, no deeper than max_depth.  *out is owned by the caller; release it
 * with up_json_wipe_delete (it may hold a password).  On failure returns
 * UP_ERR_MEDIA_TYPE, a 400-class error, UP_ERR_LIMIT or UP_ERR_NOMEM with a
 * sentence for the client in msg (cut on a character boundary).
 */
enum up_err da_decode(const struct up_request *req, size_t max_depth, cJSON **out, char *msg,
                      size_t msglen);

/* The fields of `data`, in the order of the response. */
enum da_fid {
	DA_NUMBER = 0,
	DA_GENERIC_ID,
	DA_IMEI,
	DA_IMSI,
	DA_ICCID,
	DA_USERNAME,
	DA_PASSWORD,
	DA_USER_EXTERNAL_ID,
	DA_USER_CLASS,
	DA_FIRST_NAME,
	DA_LAST_NAME,
	DA_EMAIL,
	DA_PREFERENCES,
	DA_USER_ID,
	DA_VERSION,
	DA__MAX
};

enum da_parent { DA_P_TOP, DA_P_PROFILE }; /* member of data, or of data.profile */
enum da_kind { DA_K_TEXT, DA_K_PREFS, DA_K_USER_ID, DA_K_VERSION };
enum da_store { DA_S_NONE, DA_S_USER, DA_S_DEVICE }; /* users or devices column */

#define DA_F_KEY 0x1    /* identifying key: finds the user */
#define DA_F_SECRET 0x2 /* stored as a password hash; never returned */

/*
 * A field of `data`: a view over one line of the users table
 * (user_store.c) or of the devices table (device_store.c), which gives its
 * column, unique key, length limits and rule; the field adds its place in
 * `data`, whether it identifies the user, and (the password) limits of
 * its own.
 */
struct da_field {
	const char *name; /* member name inside its parent object */
	const char *path; /* name in `details` and `updated_fields` */
	enum da_parent parent;
	enum da_kind kind;
	enum da_store store;
	const char *line; /* DA_S_USER / DA_S_DEVICE: the name of the table's line */
	unsigned flags;
	size_t min_len, max_len; /* DA_K_TEXT: length in code points; 0: the line's */
};

/* Indexed by enum da_fid. */
extern const struct da_field da_fields[DA__MAX];

#define DA_PREFS_MAX_KEYS 64
#define DA_PREFS_MAX_KEY_LEN 64
#define DA_PREFS_MAX_VALUE_LEN 1000

/* A validated `data` object. */
struct da_input {
	int present[DA__MAX];
	char *text[DA__MAX]; /* DA_K_TEXT values (owned; the password is wiped on free) */
	uint64_t user_id;    /* DA_USER_ID */
	uint64_t version;    /* DA_VERSION */
	cJSON *prefs;        /* DA_PREFERENCES: the object sent (owned) */
};

/*
 * Check every member of data (a JSON object, borrowed) against the field
 * table in mode, filling in (release with da_input_free, also on error).
 * Returns UP_OK; UP_ERR_MISSING_KEY when no identifying key is given; or
 * UP_ERR_VALIDATION with one {"field","reason"} detail per problem added to
 * e (errors.c caps them).
 */
enum up_err da_input_parse(const cJSON *data, enum up_device_mode mode, struct da_input *in,
                           struct up_error *e);
void da_input_free(struct da_input *in);

/* The table of field fid (users or devices), NULL for DA_S_NONE. */
const struct up_resource *da_resource(int fid);

/* The index of field fid's line in da_resource(fid), or -1. */
int da_line(int fid);

/* Index of the field whose unique key is `key` (from up_db_dup_key), or -1. */
int da_field_by_unique_key(const char *key);

/* Whether a unique index covers field fid's line (the key, or one with a unique_key). */
int da_field_unique(int fid);

/* One upsert: its inputs (borrowed), and what it stored. */
struct da_upsert {
	const struct up_config *cfg;
	const struct da_input *in;
	uint64_t tenant_id, token_id;
	const char *request_id;

	/* Result of a successful run (owned; da_upsert_free). */
	int created;
	uint64_t user_id, version;
	char *stored[DA__MAX]; /* stored text of each column field, NULL for SQL NULL */
	char updated_at[32];   /* RFC 3339 UTC */
	cJSON *updated_fields; /* array of field paths */

	/* On failure: the error response's sentence and details. */
	struct up_error err;

	/* The password: hashed, or verified against the stored hash, outside the transaction. */
	struct up_secret secret;
};

/*
 * Run the upsert rule of DESIGN 1.1 for u->in in one transaction (retried
 * on deadlock).  UP_OK fills the result members; an error leaves the database
 * unchanged and may set message and details.  Call da_upsert_free() after.
 */
enum up_err da_upsert_run(struct up_db *db, struct da_upsert *u);
void da_upsert_free(struct da_upsert *u);

#endif
