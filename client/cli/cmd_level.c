/*
 * imsctl level and plan: the security level now, live, in the past, and the
 * improvement plan (ims.v1.Level). People see levels and scores x100 with one
 * decimal; --json keeps the raw 0..1 values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imsctl.h"
#include "output.h"

static double pct(double v)
{
    return v * 100.0;
}

static void print_level(const Ims__V1__SecurityLevel *l)
{
    printf("tenant:          %s\n", l->tenant);
    printf("security level:  %.1f\n", pct(l->security_level));
    printf("maturity:        %" PRId32 "\n", l->maturity);
    printf("revision:        %" PRId64 "\n", l->revision);
    printf("at:              %s\n", l->at);
    if (l->cause && l->cause[0])
        printf("cause:           %s\n", l->cause);
    if (l->n_systems) {
        printf("\nSYSTEM  SCORE\n");
        for (size_t i = 0; i < l->n_systems; i++)
            printf("%-6s  %5.1f\n", l->systems[i]->system, pct(l->systems[i]->score));
    }
    if (l->n_frameworks) {
        printf("\n%-20s  SCORE  ASSESSED  MATURITY\n", "FRAMEWORK");
        for (size_t i = 0; i < l->n_frameworks; i++) {
            const Ims__V1__FrameworkScore *f = l->frameworks[i];
            printf("%-20s  %5.1f  %8.1f  %8" PRId32 "\n", f->framework, pct(f->score),
                   pct(f->assessed), f->maturity);
        }
    }
    if (l->n_controls) {
        printf("\n%-12s  %5s  %5s  %5s  %5s  %5s  %5s\n", "CONTROL", "A", "Q", "B", "P", "CAP",
               "E");
        for (size_t i = 0; i < l->n_controls; i++) {
            const Ims__V1__ControlScore *c = l->controls[i];
            char q[16] = "    -";
            if (c->has_q)
                snprintf(q, sizeof(q), "%5.1f", pct(c->q));
            printf("%-12s  %5.1f  %5s  %5.1f  %5.1f  %5.1f  %5.1f\n", c->control, pct(c->a), q,
                   pct(c->b), pct(c->p), pct(c->cap), pct(c->e));
        }
    }
    if (l->n_explanation) {
        printf("\n%-12s  %5s  %14s  %11s  %16s  %13s  %11s\n", "CONTROL", "LOST", "ASSESSMENT GAP",
               "METRIC DRAG", "INCIDENT PENALTY", "EVIDENCE DRAG", "FINDING CAP");
        for (size_t i = 0; i < l->n_explanation; i++) {
            const Ims__V1__Explanation *e = l->explanation[i];
            printf("%-12s  %5.1f  %14.1f  %11.1f  %16.1f  %13.1f  %11.1f\n", e->control,
                   pct(e->lost), pct(e->assessment_gap), pct(e->metric_drag),
                   pct(e->incident_penalty), pct(e->evidence_drag), pct(e->finding_cap));
        }
    }
}

static int level_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long explain = 0;
    bool controls = false;
    imsctl_flag flags[] = {
        IMSCTL_INT("explain", &explain, 0, 1000),
        IMSCTL_BOOL("controls", &controls),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetSecurityLevelRequest req = IMS__V1__GET_SECURITY_LEVEL_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.controls = controls;
    req.explain = (int32_t)explain;
    Ims__V1__SecurityLevel *l;
    rc = ims_client_get_security_level(c, &req, &l);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &l->base);
    else
        print_level(l);
    ims__v1__security_level__free_unpacked(l, NULL);
    return rc;
}

static int level_watch(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    /* A watch lasts until Ctrl-C: the default timeout only bounds the connect. */
    if ((rc = ims_client_connect(c)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (!ctx->timeout_given && (rc = ims_client_set_timeout(c, 0)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    imsctl_catch_interrupts();
    Ims__V1__WatchSecurityLevelRequest req = IMS__V1__WATCH_SECURITY_LEVEL_REQUEST__INIT;
    req.tenant = npos ? (char *)pos[0] : (char *)"";
    ims_client_stream *s;
    rc = ims_client_watch_security_level(c, &req, &s);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    bool tty = isatty(STDOUT_FILENO) && !imsctl_json(ctx);
    bool printed = false;
    for (;;) {
        ProtobufCMessage *m;
        rc = imsctl_interrupted
                 ? IMS_EINTR
                 : ims_client_stream_next(s, &ims__v1__security_level__descriptor, &m);
        if (rc == IMS_EINTR && imsctl_interrupted) {
            rc = 0;
            break;
        }
        if (rc == IMS_EINTR)
            continue;
        if (rc == 1) {
            rc = 0;
            break;
        }
        if (rc != 0) {
            if (tty && printed)
                putchar('\n');
            fflush(stdout);
            rc = imsctl_rpc_failed(ctx, rc);
            break;
        }
        Ims__V1__SecurityLevel *l = (Ims__V1__SecurityLevel *)m;
        if (imsctl_json(ctx)) {
            json_t *j = imsctl_json_message(m);
            rc = j ? json_dumpf(j, stdout,
                                JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                   : -1;
            json_decref(j);
            putchar('\n');
        } else {
            printf("%s%s  level %.1f  maturity %" PRId32 "  revision %" PRId64 "  %s  %s%s",
                   tty ? "\r\033[K" : "", imsctl_sanitize(l->tenant), pct(l->security_level),
                   l->maturity, l->revision, imsctl_sanitize(l->at), imsctl_sanitize(l->cause),
                   tty ? "" : "\n");
        }
        printed = true;
        fflush(stdout);
        protobuf_c_message_free_unpacked(m, NULL);
        if (rc != 0) {
            rc = IMSCTL_EXIT_FAILURE;
            break;
        }
    }
    if (tty && printed && rc == 0)
        putchar('\n');
    ims_client_stream_close(s);
    return rc;
}

static int level_history(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *from = NULL, *to = NULL;
    long limit = 0;
    imsctl_flag flags[] = {
        IMSCTL_STRING("from", &from),
        IMSCTL_STRING("to", &to),
        IMSCTL_INT("limit", &limit, 1, 100000),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    char from_at[64] = "", to_at[64] = "";
    if (from && (rc = imsctl_time_arg("--from", from, from_at, sizeof(from_at))) != 0)
        return rc;
    if (to && (rc = imsctl_time_arg("--to", to, to_at, sizeof(to_at))) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetHistoryRequest req = IMS__V1__GET_HISTORY_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.from = from_at;
    req.to = to_at;
    req.limit = (int32_t)limit;
    Ims__V1__GetHistoryResponse *h;
    rc = ims_client_get_history(c, &req, &h);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &h->base);
    } else {
        printf("%-24s  %8s  %5s  %8s  %s\n", "AT", "REVISION", "LEVEL", "MATURITY", "CAUSE");
        for (size_t i = 0; i < h->n_points; i++) {
            const Ims__V1__HistoryPoint *p = h->points[i];
            printf("%-24s  %8" PRId64 "  %5.1f  %8" PRId32 "  %s\n", p->at, p->revision,
                   pct(p->security_level), p->maturity, p->cause);
        }
    }
    ims__v1__get_history_response__free_unpacked(h, NULL);
    return rc;
}

static int plan_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long steps = 0;
    imsctl_flag flags[] = {IMSCTL_INT("steps", &steps, 1, 1000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetImprovementPlanRequest req = IMS__V1__GET_IMPROVEMENT_PLAN_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.steps = (int32_t)steps;
    Ims__V1__ImprovementPlan *p;
    rc = ims_client_get_improvement_plan(c, &req, &p);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &p->base);
    } else {
        printf("%4s  %-13s  %-20s  %6s  %6s  %5s  %8s\n", "STEP", "KIND", "TARGET", "EFFORT",
               "DELTA", "LEVEL", "MATURITY");
        for (size_t i = 0; i < p->n_steps; i++) {
            const Ims__V1__PlanStep *s = p->steps[i];
            printf("%4zu  %-13s  %-20s  %6.2f  %+6.1f  %5.1f  %7" PRId32 "%s\n", i + 1, s->kind,
                   s->target, s->effort, pct(s->delta), pct(s->security_level), s->maturity,
                   s->completes_maturity ? "*" : "");
        }
    }
    ims__v1__improvement_plan__free_unpacked(p, NULL);
    return rc;
}

static const imsctl_command level_commands[] = {
    {"show", "TENANT [--explain K] [--controls]",
     "Shows the security level with its breakdown (x100 for people, 0..1 in --json).", level_show},
    {"watch", "[TENANT]",
     "Follows the level live until Ctrl-C (every tenant, for operators, without TENANT).",
     level_watch},
    {"history", "TENANT [--from TIME] [--to TIME] [--limit N]", "Shows past levels.",
     level_history},
    {0},
};

const imsctl_group imsctl_group_level = {"level", "show, watch and trace a tenant's security level",
                                         level_commands, NULL};

static const imsctl_command plan_commands[] = {
    {"show", "TENANT [--steps N]",
     "Shows the cheapest steps that raise the level (* completes a maturity level).", plan_show},
    {0},
};

const imsctl_group imsctl_group_plan = {"plan", "show a tenant's improvement plan", plan_commands,
                                        NULL};
