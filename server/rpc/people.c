/* A tenant's people: put with their profiles, read, listed; the profiles of the method;
 * tokens linked to people so that what a token does is attributed to a person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "computed.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/people.pb-c.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"
#include "write.h"

#define MAX_PROFILES 16

/* Fills p from a row of ims_people_list (strings stay in r or the arena). */
static int person_from_row(Ims__V1__Person *p, struct arena *a, PGresult *r, int row)
{
    ims__v1__person__init(p);
    p->id = PQgetvalue(r, row, 0);
    p->name = PQgetvalue(r, row, 1);
    p->email = PQgetvalue(r, row, 2);
    p->phone = PQgetvalue(r, row, 3);
    p->org_unit = PQgetvalue(r, row, 4);
    p->manager = PQgetvalue(r, row, 5);
    p->profiles = arena_split(a, PQgetvalue(r, row, 6), ' ', &p->n_profiles);
    p->left = !sql_bool(r, row, 7);
    p->left_at = PQgetvalue(r, row, 8);
    p->culture_required = sql_int(r, row, 9);
    p->culture_valid = sql_bool(r, row, 10);
    p->created_at = PQgetvalue(r, row, 11);
    p->updated_at = PQgetvalue(r, row, 12);
    return p->profiles ? 0 : IMS_ENOMEM;
}

static void reply_person(struct rpc_call *call, PGresult *r, const char *id)
{
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no person \"%s\"", id);
        return;
    }
    Ims__V1__Person p;
    if (person_from_row(&p, &call->arena, r, 0) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_reply(call, &p.base);
}

/* --- PutPerson --- */

/* A person's profiles decide the culture level they need (culture_certified_pct): one
 * tenant write, answered with the level it committed with. */
struct person_put {
    const char *params[8];
};

static int put_statements(struct db_txn *txn, struct rpc_write *w)
{
    const Ims__V1__PutPersonRequest *req = (const void *)w->call->request;
    const struct person_put *pp = w->data;
    const char *get[1] = {req->person->id};
    if (db_txn_add(txn, STMT_PERSON_PUT, 8, pp->params) < 0 ||
        db_txn_add(txn, STMT_PERSON_GET, 1, get) < 0 ||
        rpc_audit_statement(w->call, txn, req->person->id) != 0 ||
        computed_statement(txn, w, "{person}") != 0)
        return IMS_ENOMEM;
    return 0;
}

static void put_reply(struct rpc_write *w, struct db_txn *txn, int first,
                      const struct tenant_level *level)
{
    const Ims__V1__PutPersonRequest *req = (const void *)w->call->request;
    PGresult *r = db_txn_result(txn, first + 1);
    if (PQntuples(r) != 1) {
        rpc_fail(w->call, IMS_GRPC_NOT_FOUND, "id: no person \"%s\"", req->person->id);
        return;
    }
    Ims__V1__Person p;
    if (person_from_row(&p, &w->call->arena, r, 0) != 0) {
        rpc_fail(w->call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    p.security_level = level->security_level;
    p.maturity = level->maturity;
    p.revision = level->revision;
    rpc_reply(w->call, &p.base);
}

void rpc_put_person(struct rpc_call *call)
{
    const Ims__V1__PutPersonRequest *req = (const void *)call->request;
    const Ims__V1__Person *p = req->person;
    if (!p) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "person: required");
        return;
    }
    if (!validate_ident(call, "person.id", p->id, 64) ||
        !validate_text(call, "person.name", p->name, 1, 200) ||
        !validate_text(call, "person.email", p->email, 0, 200) ||
        !validate_text(call, "person.phone", p->phone, 0, 64) ||
        !validate_text(call, "person.org_unit", p->org_unit, 0, 200) ||
        (*p->manager && !validate_ident(call, "person.manager", p->manager, 64)))
        return;
    if (p->n_profiles > MAX_PROFILES) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "person.profiles: at most %d", MAX_PROFILES);
        return;
    }
    for (size_t i = 0; i < p->n_profiles; i++) {
        char field[48];
        snprintf(field, sizeof field, "person.profiles[%zu]", i);
        if (!validate_ident(call, field, p->profiles[i], 63))
            return;
    }
    char *lit = sql_array_literal(p->profiles, p->n_profiles);
    char *kept = lit ? arena_strdup(&call->arena, lit) : NULL;
    free(lit);
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return;
    struct person_put *pp = calloc(1, sizeof *pp);
    if (!kept || !(w->data = pp)) {
        free(pp);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    const char *params[8] = {p->id,       p->name,    p->email, p->phone,
                             p->org_unit, p->manager, kept,     p->left ? "false" : "true"};
    memcpy(pp->params, params, sizeof params);
    w->statements = put_statements;
    w->reply = put_reply;
    rpc_write_submit(w, "person");
}

/* --- GetPerson --- */

static void get_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__GetPersonRequest *req = (const void *)call->request;
    reply_person(call, db_txn_result(txn, 0), req->id);
}

void rpc_get_person(struct rpc_call *call)
{
    const Ims__V1__GetPersonRequest *req = (const void *)call->request;
    if (!validate_ident(call, "id", req->id, 64))
        return;
    const char *params[1] = {req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PERSON_GET, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_done);
}

/* --- ListPeople --- */

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__Person *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__Person **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    int failed = !items || !ptrs;
    for (int i = 0; !failed && i < shown; i++) {
        failed = person_from_row(&items[i], a, r, i) != 0;
        ptrs[i] = &items[i];
    }
    if (failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__ListPeopleResponse resp = IMS__V1__LIST_PEOPLE_RESPONSE__INIT;
    resp.people = ptrs;
    resp.n_people = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

void rpc_list_people(struct rpc_call *call)
{
    const Ims__V1__ListPeopleRequest *req = (const void *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_IDENT))
        return;
    const char *params[2] = {req->page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PERSON_LIST, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

/* --- ListProfiles --- */

static void profiles_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *pr = db_txn_result(txn, 0), *lr = db_txn_result(txn, 1);
    int np = PQntuples(pr), nl = PQntuples(lr);
    struct arena *a = &call->arena;
    Ims__V1__Profile *profiles = arena_alloc(a, ((size_t)np + 1) * sizeof *profiles);
    Ims__V1__Profile **pp = arena_alloc(a, ((size_t)np + 1) * sizeof *pp);
    Ims__V1__CultureLevel *levels = arena_alloc(a, ((size_t)nl + 1) * sizeof *levels);
    Ims__V1__CultureLevel **lp = arena_alloc(a, ((size_t)nl + 1) * sizeof *lp);
    if (!profiles || !pp || !levels || !lp) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < np; i++) {
        Ims__V1__Profile *p = pp[i] = &profiles[i];
        ims__v1__profile__init(p);
        p->id = PQgetvalue(pr, i, 0);
        p->code = PQgetvalue(pr, i, 1);
        p->name = PQgetvalue(pr, i, 2);
        p->description = PQgetvalue(pr, i, 3);
        p->culture_level = sql_int(pr, i, 4);
    }
    for (int i = 0; i < nl; i++) {
        Ims__V1__CultureLevel *l = lp[i] = &levels[i];
        ims__v1__culture_level__init(l);
        l->level = sql_int(lr, i, 0);
        l->name = PQgetvalue(lr, i, 1);
        l->description = PQgetvalue(lr, i, 2);
        l->valid_days = sql_int(lr, i, 3);
    }
    Ims__V1__ListProfilesResponse resp = IMS__V1__LIST_PROFILES_RESPONSE__INIT;
    resp.profiles = pp;
    resp.n_profiles = (size_t)np;
    resp.levels = lp;
    resp.n_levels = (size_t)nl;
    rpc_reply(call, &resp.base);
}

void rpc_list_profiles(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROFILE_LIST, 0, NULL) < 0 ||
        rpc_txn_add(call, txn, STMT_CULTURE_LEVEL_LIST, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, profiles_done);
}

/* --- LinkToken --- */

static void link_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__LinkTokenRequest *req = (const void *)call->request;
    Ims__V1__LinkTokenResponse resp = IMS__V1__LINK_TOKEN_RESPONSE__INIT;
    resp.token_id = req->token_id;
    resp.person = PQgetvalue(db_txn_result(txn, 0), 0, 0);
    rpc_reply(call, &resp.base);
}

void rpc_link_token(struct rpc_call *call)
{
    const Ims__V1__LinkTokenRequest *req = (const void *)call->request;
    if (!validate_text(call, "token_id", req->token_id, 36, 36) ||
        (*req->person && !validate_ident(call, "person", req->person, 64)))
        return;
    const char *params[2] = {req->token_id, req->person};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TOKEN_PERSON_LINK, 2, params) < 0 ||
        rpc_txn_audit(call, txn, req->token_id) < 0)
        return;
    rpc_txn_exec(call, txn, link_done);
}
