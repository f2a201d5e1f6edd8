/*
 * Schema migrations: `imsd migrate`.
 *
 * Applies every file of DIR/migrations and DIR/catalog whose name starts with four
 * digits and ends in .sql, in the order of that prefix (unique across both folders),
 * each in one transaction, recording its name in schema_migrations. Files already
 * recorded are skipped, so running it again changes nothing.
 *
 * Roles: each installation has an owner role (owns every object, never logs in) and a
 * runtime role (what imsd connects as; owns nothing). The files name them ims_owner and
 * ims_app; those words are replaced by the installation's own names, by default derived
 * from the database: DB_owner and DB_app (so database "ims" keeps ims_owner and ims_app).
 * Once the owner may create in the database's public schema, each file runs as the
 * owner. At the end CONNECT on the database is revoked from PUBLIC and granted to the
 * runtime role, so another installation's runtime role on the same cluster cannot
 * connect.
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

/* The same with the owner and runtime role names given (NULL or "": derived from the
 * database). Also IMS_EINVAL when a name is not a lower-case identifier of at most 63
 * bytes, or both are the same. */
int db_migrate_roles(const char *conninfo, const char *sql_dir, const char *owner_role,
                     const char *app_role, int *applied, char *err, size_t err_len)
    __attribute__((warn_unused_result));

#endif
