/* imsctl procedure: the procedures of a tenant's schema, and their instances started,
 * advanced phase by phase, with register entries attached (ims.v1.Procedures). */
#include "content_cli.h"
#include "ims/v1/procedures.pb-c.h"

#define INSTANCE "/ims.v1.Procedures/"

static int procedure_definitions(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListProceduresRequest req = IMS__V1__LIST_PROCEDURES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    if (imsctl_json(ctx))
        return imsctl_content_call(ctx, INSTANCE "ListProcedures", &req.base,
                                   &ims__v1__list_procedures_response__descriptor, NULL, NULL);
    ProtobufCMessage *out = NULL;
    if ((rc = imsctl_content_fetch(ctx, INSTANCE "ListProcedures", &req.base,
                                   &ims__v1__list_procedures_response__descriptor, &out)) != 0)
        return rc;
    const Ims__V1__ListProceduresResponse *r = (const void *)out;
    for (size_t i = 0; i < r->n_procedures; i++) {
        const Ims__V1__Procedure *p = r->procedures[i];
        printf("%s%s — %s (links: %s)\n", i ? "\n" : "", p->id, p->name, p->links);
        for (size_t j = 0; j < p->n_phases; j++) {
            const Ims__V1__Phase *ph = p->phases[j];
            printf("  %-10s %-8s due %3dh  by:", ph->id, ph->type, ph->due_hours);
            for (size_t k = 0; k < ph->n_profiles; k++)
                printf(" %s", ph->profiles[k]);
            printf("  ->");
            for (size_t k = 0; k < ph->n_paths; k++)
                printf(" %s", ph->paths[k]);
            if (ph->n_objects)
                printf("  uses:");
            for (size_t k = 0; k < ph->n_objects; k++)
                printf(" %s(%s)", ph->objects[k]->artefact, ph->objects[k]->use);
            printf("\n");
        }
    }
    protobuf_c_message_free_unpacked(out, NULL);
    return 0;
}

static int procedure_start(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *procedure = NULL, *title = "", *person = "", *incident = "", *finding = "",
               *note = "", *key = "", *assignee = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("procedure", &procedure),
        IMSCTL_STRING("title", &title),
        IMSCTL_STRING("person", &person),
        IMSCTL_STRING("incident", &incident),
        IMSCTL_STRING("finding", &finding),
        IMSCTL_STRING("note", &note),
        IMSCTL_STRING("key", &key),
        IMSCTL_STRING("assignee", &assignee),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!procedure) {
        fprintf(stderr, "imsctl: --procedure is required\nusage: imsctl procedure start %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    Ims__V1__StartProcedureRequest req = IMS__V1__START_PROCEDURE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.instance = (char *)pos[1];
    req.procedure = (char *)procedure;
    req.title = (char *)title;
    req.person = (char *)person;
    req.incident = (char *)incident;
    req.finding = (char *)finding;
    req.note = (char *)note;
    req.idempotency_key = (char *)key;
    req.assignee = (char *)assignee;
    return imsctl_content_call(ctx, INSTANCE "StartProcedure", &req.base,
                               &ims__v1__procedure_instance__descriptor, NULL, NULL);
}

static int procedure_advance(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *person = "", *note = "", *key = "", *assignee = "";
    imsctl_flag flags[] = {IMSCTL_STRING("person", &person), IMSCTL_STRING("note", &note),
                           IMSCTL_STRING("key", &key), IMSCTL_STRING("assignee", &assignee),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 3);
    if (rc >= 0)
        return rc;
    Ims__V1__AdvanceProcedureRequest req = IMS__V1__ADVANCE_PROCEDURE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.instance = (char *)pos[1];
    req.to = (char *)pos[2];
    req.person = (char *)person;
    req.note = (char *)note;
    req.idempotency_key = (char *)key;
    req.assignee = (char *)assignee;
    return imsctl_content_call(ctx, INSTANCE "AdvanceProcedure", &req.base,
                               &ims__v1__procedure_instance__descriptor, NULL, NULL);
}

static int procedure_record(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *artefact = NULL, *reference = NULL, *note = "", *person = "", *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("artefact", &artefact), IMSCTL_STRING("reference", &reference),
        IMSCTL_STRING("note", &note),         IMSCTL_STRING("person", &person),
        IMSCTL_STRING("key", &key),           IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!artefact || !reference) {
        fprintf(stderr,
                "imsctl: --artefact and --reference are required\nusage: imsctl procedure "
                "record %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    Ims__V1__AttachRecordRequest req = IMS__V1__ATTACH_RECORD_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.instance = (char *)pos[1];
    req.artefact = (char *)artefact;
    req.reference = (char *)reference;
    req.note = (char *)note;
    req.person = (char *)person;
    req.idempotency_key = (char *)key;
    return imsctl_content_call(ctx, INSTANCE "AttachRecord", &req.base,
                               &ims__v1__procedure_instance__descriptor, NULL, NULL);
}

static int procedure_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__GetProcedureInstanceRequest req = IMS__V1__GET_PROCEDURE_INSTANCE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.instance = (char *)pos[1];
    if (imsctl_json(ctx))
        return imsctl_content_call(ctx, INSTANCE "GetProcedureInstance", &req.base,
                                   &ims__v1__procedure_instance__descriptor, NULL, NULL);
    ProtobufCMessage *out = NULL;
    if ((rc = imsctl_content_fetch(ctx, INSTANCE "GetProcedureInstance", &req.base,
                                   &ims__v1__procedure_instance__descriptor, &out)) != 0)
        return rc;
    static const char *const fields[] = {
        "id",          "procedure",    "title",        "phase",      "status",
        "incident",    "finding",      "started_at",   "started_by", "phase_owner",
        "phase_since", "phase_due_at", "completed_at", "late_steps", NULL};
    static const char *const tables[] = {
        "steps",   "seq", "from_phase", "to_phase", "person",    "at",     "due_at", "late", NULL,
        "records", "seq", "phase",      "artefact", "reference", "person", "at",     NULL,   NULL};
    imsctl_print_detail(out, fields, tables);
    protobuf_c_message_free_unpacked(out, NULL);
    return 0;
}

static int procedure_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    static const char *const cols[] = {"id",          "procedure",    "phase",      "status",
                                       "phase_owner", "phase_due_at", "late_steps", NULL};
    Ims__V1__ListProcedureInstancesRequest req = IMS__V1__LIST_PROCEDURE_INSTANCES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_list_all(ctx, INSTANCE "ListProcedureInstances", &req.base,
                           &ims__v1__list_procedure_instances_response__descriptor, "instances",
                           cols);
}

static const imsctl_command commands[] = {
    {"definitions", "TENANT",
     "Shows the procedures of the tenant's schema: phases, who may execute each, paths, "
     "objects used.",
     procedure_definitions},
    {"start",
     "TENANT INSTANCE --procedure P [--title T] [--person P] [--incident ID] [--finding ID] "
     "[--note N] [--assignee P] [--key K]",
     "Starts an instance in the procedure's start phase (person: the token's when omitted).",
     procedure_start},
    {"advance", "TENANT INSTANCE PHASE [--person P] [--note N] [--assignee P] [--key K]",
     "Moves an instance to the next PHASE along a path; the person's profile must be one "
     "the phase allows.",
     procedure_advance},
    {"record", "TENANT INSTANCE --artefact A --reference R [--note N] [--person P] [--key K]",
     "Attaches a register entry to the instance in its current phase.", procedure_record},
    {"show", "TENANT INSTANCE", "Shows an instance and every step it took.", procedure_show},
    {"list", "TENANT", "Lists the tenant's procedure instances.", procedure_list},
    {0},
};

const imsctl_group imsctl_group_procedure = {"procedure", "procedures, their phases and instances",
                                             commands, NULL};
