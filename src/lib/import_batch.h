/* SPDX-License-Identifier: ISC */
/*
 * import_batch.h: the new rows of an import written together.  A run of
 * rows that names no existing record is validated row by row (family.h,
 * defer_insert) and then written with three statements in all: one multi-row INSERT, one multi-row
 * insert of their audit rows and one of their events, in the caller's transaction.
 */
#ifndef UP_IMPORT_BATCH_H
#define UP_IMPORT_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "db.h"
#include "errors.h"
#include "family.h"
#include "resource.h"

/*
 * *clear is 1 when none of the n rows docs[i] (borrowed; NULL entries are
 * ignored) names, by its key or a unique field, a record of tenant (read
 * with a lock: FOR UPDATE); 0 when the rows must run one by one, as each
 * may meet a record.  Rows naming one another are left to the unique
 * indexes: their INSERT fails (up_import_batch_insert) and they run one by
 * one.
 */
enum up_err up_import_batch_clear(struct up_db *db, const struct up_resource *r, uint64_t tenant,
                                  const cJSON *const *docs, size_t n, int *clear);

/*
 * Insert the n pending writes w[i] (borrowed; each a POST run with
 * defer_insert that ended pending), audit them and append their events:
 * each w[i] then holds its key and version (up_write_inserted).  A
 * duplicate key is UP_ERR_CONFLICT with nothing inserted.
 */
enum up_err up_import_batch_insert(struct up_db *db, struct up_write *const *w, size_t n);

#endif
