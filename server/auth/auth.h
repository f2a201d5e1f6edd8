/*
 * Tokens, roles, scopes and the permission table.
 *
 * A token is "ims_" followed by 43 base64url characters (256 random bits). Only the
 * SHA-256 of the whole token is stored. A token belongs to a principal with one role
 * and a scope: all tenants (operator), the assigned tenants (consultant, auditor), or
 * exactly one tenant (tenant_admin, agent, viewer).
 *
 * Every RPC method is decided by one table (auth_permission_for): the roles that may
 * call it and how its tenant is found. A method missing from the table is denied.
 */
#ifndef IMS_AUTH_H
#define IMS_AUTH_H

#include <stddef.h>
#include <stdint.h>

enum auth_role {
    ROLE_OPERATOR = 0,
    ROLE_CONSULTANT,
    ROLE_AUDITOR,
    ROLE_TENANT_ADMIN,
    ROLE_AGENT,
    ROLE_VIEWER,
    ROLE__COUNT
};

#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL 0x3fu
#define ROLES_READERS                                                                              \
    (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_CONSULTANT) | ROLE_BIT(ROLE_AUDITOR) |                \
     ROLE_BIT(ROLE_TENANT_ADMIN) | ROLE_BIT(ROLE_VIEWER))

/* How a method finds the tenants it touches. */
enum auth_scope {
    SCOPE_NONE,   /* no token needed (health) */
    SCOPE_GLOBAL, /* no tenant in the request; the handler filters by the principal */
    SCOPE_TENANT, /* the request's `tenant` field (id or slug) must be in scope */
};

struct auth_permission {
    const char *method; /* "/ims.v1.Tenants/CreateTenant" */
    unsigned roles;     /* ROLE_BIT mask */
    enum auth_scope scope;
};

#define AUTH_TOKEN_LEN 47 /* "ims_" + 43 */
#define AUTH_UUID_LEN 36

struct auth_principal {
    char token_id[AUTH_UUID_LEN + 1];
    enum auth_role role;
    int tenant_count;
    char (*tenants)[AUTH_UUID_LEN + 1]; /* scope for non-operators */
    uint64_t expires_ms;                /* the token store's clock at expiry, 0: never */
};

/* The entry for a method path, or NULL (deny). */
const struct auth_permission *auth_permission_for(const char *method);

/* All entries, for tests and documentation. */
const struct auth_permission *auth_permissions(size_t *count);

/* 1 when the principal's role is in the permission's mask. */
int auth_role_allowed(const struct auth_principal *p, const struct auth_permission *perm);

/* 1 when the tenant (UUID text) is in the principal's scope. */
int auth_tenant_in_scope(const struct auth_principal *p, const char *tenant_id);

const char *auth_role_name(enum auth_role role);
/* Returns 0 or IMS_EINVAL. */
int auth_role_parse(const char *name, enum auth_role *out) __attribute__((warn_unused_result));

/* Makes a new random token (out: AUTH_TOKEN_LEN + 1 bytes). Returns 0 or IMS_EINTERNAL
 * when the system's random source fails. */
int auth_token_generate(char *out) __attribute__((warn_unused_result));

/* 1 when token has the form auth_token_generate gives ("ims_" and 43 base64url
 * characters): anything else is refused without hashing it or asking the store. */
int auth_token_well_formed(const char *token);

/* Lower-case hex SHA-256 of a token (out: 65 bytes). */
void auth_token_hash_hex(const char *token, char *out);

/* Extracts the token from an "authorization: Bearer <token>" value; NULL when the value
 * is not of that form. The pointer is into value. */
const char *auth_bearer_token(const char *value);

/* A new random UUID (version 4) as text (out: 37 bytes). Returns 0 or IMS_EINTERNAL. */
int auth_uuid_generate(char *out) __attribute__((warn_unused_result));

/* 1 when text is a canonical lower- or upper-case UUID. */
int auth_is_uuid(const char *text);

void auth_principal_free(struct auth_principal *p);

#endif
