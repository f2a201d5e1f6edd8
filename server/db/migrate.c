/* Schema migrations (imsd migrate): the files of sql/ applied in order, each once, each
 * in one transaction. */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_statements.h"
#include "ims/error.h"

#define MAX_FILES 512
#define ROLE_MAX 63 /* NAMEDATALEN - 1 */

/* The two roles of one installation, as written in sql/ and as this database names them. */
struct roles {
    char owner[ROLE_MAX + 1];
    char app[ROLE_MAX + 1];
};

struct migration {
    char name[256];
    char path[4096];
};

static int is_migration_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 9 || n >= 256 || strcmp(name + n - 4, ".sql") != 0)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)name[i]))
            return 0;
    return name[4] == '_';
}

static int collect(const char *dir, struct migration *list, int *count, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "cannot open %s", dir);
        return IMS_EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_migration_name(e->d_name))
            continue;
        if (*count == MAX_FILES) {
            closedir(d);
            snprintf(err, err_len, "more than %d migration files", MAX_FILES);
            return IMS_EINVAL;
        }
        struct migration *m = &list[(*count)++];
        snprintf(m->name, sizeof m->name, "%s", e->d_name);
        snprintf(m->path, sizeof m->path, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct migration *)a)->name, ((const struct migration *)b)->name);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)n + 1);
            if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            } else if (buf) {
                buf[n] = '\0';
            }
        }
    }
    fclose(f);
    return buf;
}

/* Runs one command; returns 0 or copies the server's message into err. */
static int exec_ok(PGconn *conn, const char *sql, char *err, size_t err_len)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, err_len, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : IMS_EINTERNAL;
}

static int already_applied(PGconn *conn, const char *name, int *yes, char *err, size_t err_len)
{
    const char *params[1] = {name};
    PGresult *r = PQexecParams(conn, DB_SQL_MIGRATE_APPLIED, DB_PARAMS_MIGRATE_APPLIED, NULL,
                               params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return IMS_EINTERNAL;
    }
    *yes = PQntuples(r) > 0;
    PQclear(r);
    return 0;
}

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The migrations name the roles ims_owner and ims_app; each installation's own names
 * (plain lower-case identifiers, checked before) replace those words, in identifiers
 * and literals alike. Returns a new string or NULL when out of memory. */
static char *with_roles(const char *sql, const struct roles *roles)
{
    static const char *const from[2] = {"ims_owner", "ims_app"};
    const char *to[2] = {roles->owner, roles->app};
    size_t cap = strlen(sql) + 1, len = 0;
    /* Each replacement grows the text by at most ROLE_MAX bytes. */
    for (const char *p = sql; (p = strstr(p, "ims_")) != NULL; p++)
        cap += ROLE_MAX;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = sql; *p;) {
        int done = 0;
        if ((p == sql || !is_word_char(p[-1])) && strncmp(p, "ims_", 4) == 0) {
            for (int i = 0; i < 2 && !done; i++) {
                size_t n = strlen(from[i]);
                if (strncmp(p, from[i], n) == 0 && !is_word_char(p[n])) {
                    memcpy(out + len, to[i], strlen(to[i]));
                    len += strlen(to[i]);
                    p += n;
                    done = 1;
                }
            }
        }
        if (!done)
            out[len++] = *p++;
    }
    out[len] = '\0';
    return out;
}

static int apply_one(PGconn *conn, const struct migration *m, const struct roles *roles,
                     char *err, size_t err_len)
{
    char *text = read_file(m->path);
    if (!text) {
        snprintf(err, err_len, "cannot read %s", m->path);
        return IMS_EIO;
    }
    char *sql = with_roles(text, roles);
    free(text);
    if (!sql) {
        snprintf(err, err_len, "%s: out of memory", m->name);
        return IMS_ENOMEM;
    }
    char detail[1024] = "";
    int rc = exec_ok(conn, DB_SQL_BEGIN, detail, sizeof detail);
    if (rc == 0)
        rc = exec_ok(conn, DB_SQL_MIGRATE_AS_OWNER, detail, sizeof detail);
    if (rc == 0)
        rc = exec_ok(conn, sql, detail, sizeof detail);
    if (rc == 0)
        rc = exec_ok(conn, DB_SQL_MIGRATE_RESET_ROLE, detail, sizeof detail);
    if (rc == 0) {
        const char *params[1] = {m->name};
        PGresult *r = PQexecParams(conn, DB_SQL_MIGRATE_RECORD, DB_PARAMS_MIGRATE_RECORD, NULL,
                                   params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            snprintf(detail, sizeof detail, "%s", PQresultErrorMessage(r));
            rc = IMS_EINTERNAL;
        }
        PQclear(r);
    }
    if (rc == 0)
        rc = exec_ok(conn, DB_SQL_COMMIT, detail, sizeof detail);
    if (rc != 0) {
        PQclear(PQexec(conn, DB_SQL_ROLLBACK));
        snprintf(err, err_len, "%s: %s", m->name, detail);
    }
    free(sql);
    return rc;
}

/* A role name the migrations can carry as it is: a lower-case SQL identifier. */
static int is_role_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ROLE_MAX || !(islower((unsigned char)name[0]) || name[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
              name[i] == '_'))
            return 0;
    return 1;
}

/* DATABASE_SUFFIX from the database's name: lower case, other characters as '_', a
 * leading digit behind "ims_", cut so that the whole fits 63 bytes. */
static void derive_role(const char *database, const char *suffix, char *out, size_t out_len)
{
    char base[ROLE_MAX + 1];
    size_t n = 0;
    if (isdigit((unsigned char)database[0]) || database[0] == '\0')
        n = (size_t)snprintf(base, sizeof base, "ims_");
    for (const char *p = database; *p && n < sizeof base - 1; p++)
        base[n++] = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
    base[n] = '\0';
    size_t keep = ROLE_MAX - strlen(suffix);
    if (n > keep)
        base[keep] = '\0';
    snprintf(out, out_len, "%s%s", base, suffix);
}

static int resolve_roles(PGconn *conn, const char *owner_role, const char *app_role,
                         struct roles *roles, char *database, size_t database_len, char *err,
                         size_t err_len)
{
    PGresult *r = PQexec(conn, DB_SQL_MIGRATE_DATABASE);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        snprintf(err, err_len, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return IMS_EINTERNAL;
    }
    snprintf(database, database_len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (owner_role && *owner_role)
        snprintf(roles->owner, sizeof roles->owner, "%s", owner_role);
    else
        derive_role(database, "_owner", roles->owner, sizeof roles->owner);
    if (app_role && *app_role)
        snprintf(roles->app, sizeof roles->app, "%s", app_role);
    else
        derive_role(database, "_app", roles->app, sizeof roles->app);
    const char *bad = !is_role_name(roles->owner) ? roles->owner
                      : !is_role_name(roles->app) ? roles->app
                                                  : NULL;
    if (bad) {
        snprintf(err, err_len,
                 "role name \"%s\": use lower-case letters, digits and _ (at most %d bytes)",
                 bad, ROLE_MAX);
        return IMS_EINVAL;
    }
    if (strcmp(roles->owner, roles->app) == 0) {
        snprintf(err, err_len, "the owner and the runtime role must differ (both \"%s\")",
                 roles->owner);
        return IMS_EINVAL;
    }
    return 0;
}

/* Only this installation's runtime role (and superusers) may connect to its database, so
 * another installation's runtime role on the same cluster cannot. */
static int restrict_connect(PGconn *conn, const char *database, char *err, size_t err_len)
{
    char detail[1024] = "";
    int rc = exec_ok(conn, DB_SQL_MIGRATE_RESTRICT_CONNECT, detail, sizeof detail);
    if (rc != 0)
        snprintf(err, err_len, "limiting who may connect to %s: %s", database, detail);
    return rc;
}

/* Names the roles for the statements that use them (MIGRATE_AS_OWNER, ...). */
static int name_roles(PGconn *conn, const struct roles *roles, char *err, size_t err_len)
{
    const char *params[2] = {roles->owner, roles->app};
    PGresult *r = PQexecParams(conn, DB_SQL_MIGRATE_ROLES, DB_PARAMS_MIGRATE_ROLES, NULL, params,
                               NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : IMS_EINTERNAL;
    if (rc != 0)
        snprintf(err, err_len, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return rc;
}

int db_migrate(const char *conninfo, const char *sql_dir, int *applied, char *err, size_t err_len)
{
    return db_migrate_roles(conninfo, sql_dir, NULL, NULL, applied, err, err_len);
}

int db_migrate_roles(const char *conninfo, const char *sql_dir, const char *owner_role,
                     const char *app_role, int *applied, char *err, size_t err_len)
{
    *applied = 0;
    static struct migration list[MAX_FILES];
    int count = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/migrations", sql_dir);
    int rc = collect(dir, list, &count, err, err_len);
    if (rc != 0)
        return rc;
    snprintf(dir, sizeof dir, "%s/catalog", sql_dir);
    rc = collect(dir, list, &count, err, err_len);
    if (rc != 0 && rc != IMS_EIO)
        return rc;
    qsort(list, (size_t)count, sizeof list[0], by_name);
    for (int i = 1; i < count; i++) {
        if (strncmp(list[i - 1].name, list[i].name, 4) == 0) {
            snprintf(err, err_len, "two migrations share the number %.4s: %s and %s",
                     list[i].name, list[i - 1].name, list[i].name);
            return IMS_EINVAL;
        }
    }

    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, err_len, "cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return IMS_EUNAVAILABLE;
    }
    PQclear(PQexec(conn, DB_SQL_MIGRATE_QUIET));
    struct roles roles;
    char database[256];
    rc = resolve_roles(conn, owner_role, app_role, &roles, database, sizeof database, err,
                       err_len);
    if (rc == 0)
        rc = name_roles(conn, &roles, err, err_len);
    if (rc != 0) {
        PQfinish(conn);
        return rc;
    }
    /* One migrator at a time, whichever host runs it. */
    rc = exec_ok(conn, DB_SQL_MIGRATE_LOCK, err, err_len);
    if (rc == 0)
        rc = exec_ok(conn, DB_SQL_MIGRATE_CREATE_TABLE, err, err_len);
    if (rc == 0)
        rc = exec_ok(conn, DB_SQL_MIGRATE_SHOW_APPLIED, err, err_len);
    for (int i = 0; rc == 0 && i < count; i++) {
        int done = 0;
        rc = already_applied(conn, list[i].name, &done, err, err_len);
        if (rc == 0 && !done) {
            rc = apply_one(conn, &list[i], &roles, err, err_len);
            if (rc == 0)
                (*applied)++;
        }
    }
    if (rc == 0)
        rc = restrict_connect(conn, database, err, err_len);
    PQfinish(conn);
    return rc;
}
