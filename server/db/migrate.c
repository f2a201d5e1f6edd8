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

static int apply_one(PGconn *conn, const struct migration *m, char *err, size_t err_len)
{
    char *sql = read_file(m->path);
    if (!sql) {
        snprintf(err, err_len, "cannot read %s", m->path);
        return IMS_EIO;
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

int db_migrate(const char *conninfo, const char *sql_dir, int *applied, char *err, size_t err_len)
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
            rc = apply_one(conn, &list[i], err, err_len);
            if (rc == 0)
                (*applied)++;
        }
    }
    PQfinish(conn);
    return rc;
}
