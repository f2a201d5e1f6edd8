/* imsctl person: a tenant's people and their profiles, the method's profiles, tokens
 * linked to people (ims.v1.People). */
#include "content_cli.h"
#include "ims/v1/people.pb-c.h"

static const char *const columns[] = {"id",       "name", "org_unit",         "manager",
                                      "profiles", "left", "culture_required", "culture_valid",
                                      NULL};

static int person_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *name = NULL, *email = "", *phone = "", *unit = "", *manager = "";
    bool left = false;
    imsctl_list profiles = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("name", &name),       IMSCTL_STRING("email", &email),
        IMSCTL_STRING("phone", &phone),     IMSCTL_STRING("org-unit", &unit),
        IMSCTL_STRING("manager", &manager), IMSCTL_LIST("profile", &profiles),
        IMSCTL_BOOL("left", &left),         IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        goto out;
    if (!name) {
        fprintf(stderr, "imsctl: --name is required\nusage: imsctl person put %s\n", cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    Ims__V1__Person p = IMS__V1__PERSON__INIT;
    p.id = (char *)pos[1];
    p.name = (char *)name;
    p.email = (char *)email;
    p.phone = (char *)phone;
    p.org_unit = (char *)unit;
    p.manager = (char *)manager;
    p.profiles = (char **)profiles.items;
    p.n_profiles = profiles.n;
    p.left = left;
    Ims__V1__PutPersonRequest req = IMS__V1__PUT_PERSON_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.person = &p;
    rc = imsctl_content_call(ctx, "/ims.v1.People/PutPerson", &req.base,
                             &ims__v1__person__descriptor, NULL, NULL);
out:
    imsctl_list_free(&profiles);
    return rc;
}

static int person_get(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__GetPersonRequest req = IMS__V1__GET_PERSON_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    return imsctl_content_call(ctx, "/ims.v1.People/GetPerson", &req.base,
                               &ims__v1__person__descriptor, NULL, NULL);
}

static int person_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListPeopleRequest req = IMS__V1__LIST_PEOPLE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_list_all(ctx, "/ims.v1.People/ListPeople", &req.base,
                           &ims__v1__list_people_response__descriptor, "people", columns);
}

static int person_profiles(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    static const char *const cols[] = {"id", "code", "name", "culture_level", NULL};
    Ims__V1__ListProfilesRequest req = IMS__V1__LIST_PROFILES_REQUEST__INIT;
    return imsctl_content_call(ctx, "/ims.v1.People/ListProfiles", &req.base,
                               &ims__v1__list_profiles_response__descriptor, "profiles", cols);
}

static int person_link(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 3);
    if (rc >= 0)
        return rc;
    Ims__V1__LinkTokenRequest req = IMS__V1__LINK_TOKEN_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.token_id = (char *)pos[1];
    req.person = npos > 2 ? (char *)pos[2] : "";
    return imsctl_content_call(ctx, "/ims.v1.People/LinkToken", &req.base,
                               &ims__v1__link_token_response__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"put",
     "TENANT ID --name N [--email E] [--phone P] [--org-unit U] [--manager PERSON] "
     "[--profile P]... [--left]",
     "Creates or replaces a person with their profiles (--left: they have left).", person_put},
    {"get", "TENANT ID", "Shows a person, with the culture level their profiles ask for.",
     person_get},
    {"list", "TENANT", "Lists the tenant's people.", person_list},
    {"profiles", "", "Lists the method's client profiles and the culture level each asks for.",
     person_profiles},
    {"link", "TENANT TOKEN_ID [PERSON]",
     "Links a token to a person of the tenant, so that what it does is theirs (no PERSON: "
     "unlinks).",
     person_link},
    {0},
};

const imsctl_group imsctl_group_person = {"person", "people, their profiles and tokens", commands,
                                          NULL};
