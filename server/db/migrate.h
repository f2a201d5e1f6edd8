/*
 * Schema migrations: `imsd migrate`.
 *
 * Applies every file of DIR/migrations and DIR/catalog whose name starts with four
 * digits and ends in .sql, in the order of that prefix (unique across both folders),
 * each in one transaction, recording its name in schema_migrations. Files already
 * recorded are skipped, so running it again changes nothing. After 0001 created the
 * owner role, each file runs as ims_owner so the runtime role owns nothing.
 * Blocking: runs before the event loop starts.
 */
#ifndef IMS_DB_MIGRATE_H
#define IMS_DB_MIGRATE_H

#include <stddef.h>

/* Returns 0, IMS_EIO (cannot read the folder or a file), IMS_EUNAVAILABLE (cannot
 * connect), IMS_EINVAL (duplicate prefix) or IMS_EINTERNAL (a file failed: nothing of it
 * was applied). *applied counts the files applied now. err gets a message. */
int db_migrate(const char *conninfo, const char *sql_dir, int *applied, char *err, size_t err_len)
    __attribute__((warn_unused_result));

#endif
