/* SPDX-License-Identifier: ISC */
/*
 * family.h: the generic handlers of a resource family (GET one, list,
 * POST, PUT, PATCH, DELETE) and the write pipeline they share.  A family
 * is its resource table (resource.h), hooks for what only it does, and a
 * route table (route.h) whose rows point at these handlers; see
 * docs/hacking.md.
 */
#ifndef UP_FAMILY_H
#define UP_FAMILY_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "ctx.h"
#include "request_io.h"
#include "resource.h"
#include "route.h"
#include "secret.h"

struct up_import_run; /* import_run.h */

enum up_wkind { UP_W_PATCH, UP_W_PUT, UP_W_POST, UP_W_DELETE };

/*
 * One write, as the pipeline runs it inside one transaction (re-run from
 * the start on deadlock): lock the row, check If-Match, build the new
 * representation (patch or body), validate it as a whole, run the hooks,
 * hash its secrets (made before the transaction: secret.h), write the
 * changed columns, bump version, audit, commit.
 */
struct up_write {
	/* input, borrowed */
	struct up_ctx *ctx;
	const struct up_request *req;
	const struct up_family *family;
	enum up_wkind kind;
	struct up_key key;  /* the row (for POST: set by the insert) */
	const cJSON *input; /* the patch (PATCH) or the representation (PUT, POST) */
	int merge;          /* PATCH: input is a JSON Merge Patch (RFC 7396), not a JSON Patch */
	int defer_insert;   /* POST: stop before the INSERT (imports insert many rows at once) */
	int row_alone;      /* the write fails alone, the transaction goes on (an import's row):
	                     * its UPDATE runs at once, not with the COMMIT */
	/* reset at every attempt */
	struct up_current cur; /* the row as it is, locked (cur.json NULL for POST) */
	cJSON *next;           /* the new representation, validated */
	struct up_row row;     /* the columns to write and their bound text */
	cJSON *result;         /* the row after the write */
	uint64_t version;
	int pending;         /* defer_insert: w->row is valid and ready; nothing written */
	struct up_error err; /* what the answer says when the write fails */
	/* kept across attempts */
	char key_buf[256];       /* a text key made by POST */
	struct up_secret secret; /* UP_FT_SECRET fields: hashed outside the transaction */
	void *state;             /* the family's own, for its hooks */
};

/*
 * What only a family does, at fixed points of the pipeline; each may be
 * NULL.  A hook that refuses the write sets w->err (up_error_set /
 * up_error_detail) and returns the error; details alone (returning UP_OK)
 * make the write a 422.
 */
struct up_hooks {
	/* The new row is valid as a whole and unique/reference checks passed. */
	enum up_err (*check)(struct up_db *db, struct up_write *w);
	/* Just before INSERT or UPDATE: turn values into what is stored. */
	enum up_err (*before_write)(struct up_db *db, struct up_write *w);
	/* The row is locked and about to be deleted. */
	enum up_err (*before_delete)(struct up_db *db, struct up_write *w);
	/*
	 * The write has committed: add to its answer (w->result, an object)
	 * what only this answer shows (a new webhook's secret).
	 */
	enum up_err (*answer)(struct up_write *w);
};

struct up_family {
	const struct up_resource *res;
	const struct up_hooks *hooks; /* may be NULL */
	const char *title;            /* "User": "User not found" */
	const char *audit;            /* audit_log.resource of its rows; NULL: users (user_id) */
	int no_events;                /* 1: its writes are not in the change feed (webhooks) */
};

/*
 * The pipeline for a handler that runs many writes in its own transactions
 * (imports): up_write_in_txn runs write w inside the caller's transaction
 * (everything a run made is reset at its start, so the transaction may be
 * run again), with w->secret prepared by the caller (up_secret_prehash);
 * up_write_reset releases what the last run made.
 */
enum up_err up_write_in_txn(struct up_db *db, struct up_write *w);
void up_write_reset(struct up_write *w);

/*
 * A POST run with defer_insert set ends with w->pending set and w->row
 * ready, before the INSERT: the caller inserts the rows of many such writes
 * in one statement (up_resource_insert_many), then tells each its new row
 * (id: the auto id, 0 for a text key; version) with up_write_inserted, and
 * writes their audit rows and events itself (up_audit_write_many,
 * up_event_append_many).
 */
void up_write_inserted(struct up_write *w, uint64_t id, uint64_t version);

/* The route handlers: call->family says which family, call->id which row. */
void up_family_get(struct up_call *call);    /* GET, HEAD /{id} */
void up_family_list(struct up_call *call);   /* GET, HEAD the collection */
void up_family_create(struct up_call *call); /* POST the collection */
void up_family_put(struct up_call *call);    /* PUT /{id} */
void up_family_patch(struct up_call *call);  /* PATCH /{id} */
void up_family_delete(struct up_call *call); /* DELETE /{id} */
void up_family_export(struct up_call *call); /* GET <collection>/export (family_export.c) */
void up_family_import(struct up_call *call); /* POST <collection>/import (family_import.c) */

/*
 * The import of the shell (userpatch-admin), never routed: as
 * up_family_import, with each committed chunk recording in its transaction
 * how many rows of the run are done, and the body's first run->skip rows
 * left out (import_run.h).  run is borrowed; NULL is up_family_import.
 */
void up_family_import_run(struct up_call *call, const struct up_import_run *run);

#endif
