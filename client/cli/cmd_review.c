/* imsctl review: management reviews (ims.v1.Improvement): held with their inputs frozen, the
 * decisions taken and the actions they raise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "output.h"

/* "KIND|OWNER|DUE|DESCRIPTION" of --action, split in buf (the due time normalized into
 * due_buf). Returns 0, or prints and returns the exit code. */
static int parse_action(const char *text, Ims__V1__ReviewAction *a, char *buf, size_t len,
                        char *due_buf, size_t due_len)
{
    snprintf(buf, len, "%s", text);
    char *f[4] = {buf, NULL, NULL, NULL};
    for (int k = 1; k < 4; k++) {
        f[k] = f[k - 1] ? strchr(f[k - 1], '|') : NULL;
        if (f[k])
            *f[k]++ = '\0';
    }
    if (!f[3])
        return imsctl_invalid("--action: KIND|OWNER|DUE|DESCRIPTION, got \"%s\"", text);
    int rc = imsctl_time_arg("--action", f[2], due_buf, due_len);
    if (rc != 0)
        return rc;
    ims__v1__review_action__init(a);
    a->kind = f[0];
    a->owner = f[1];
    a->due = due_buf;
    a->description = f[3];
    return 0;
}

static int review_hold(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *chair = NULL, *decisions = "", *key = "";
    imsctl_list attendees = {0}, actions = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("chair", &chair),       IMSCTL_LIST("attendee", &attendees),
        IMSCTL_STRING("decisions", &decisions), IMSCTL_LIST("action", &actions),
        IMSCTL_STRING("key", &key),           IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    Ims__V1__ReviewAction *items = NULL;
    Ims__V1__ReviewAction **ptrs = NULL;
    char (*bufs)[1024] = NULL;
    char (*dues)[64] = NULL;
    if (rc >= 0)
        goto out;
    rc = 0;
    if (!chair) {
        fprintf(stderr, "imsctl: --chair is required\nusage: imsctl review hold %s\n", cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    items = calloc(actions.n + 1, sizeof *items);
    ptrs = calloc(actions.n + 1, sizeof *ptrs);
    bufs = calloc(actions.n + 1, sizeof *bufs);
    dues = calloc(actions.n + 1, sizeof *dues);
    if (!items || !ptrs || !bufs || !dues) {
        rc = IMSCTL_EXIT_FAILURE;
        goto out;
    }
    for (size_t i = 0; i < actions.n; i++) {
        if ((rc = parse_action(actions.items[i], &items[i], bufs[i], sizeof bufs[i], dues[i],
                               sizeof dues[i])) != 0)
            goto out;
        ptrs[i] = &items[i];
    }
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__HoldReviewRequest req = IMS__V1__HOLD_REVIEW_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.chair = (char *)chair;
    req.attendees = (char **)attendees.items;
    req.n_attendees = attendees.n;
    req.decisions = (char *)decisions;
    req.actions = ptrs;
    req.n_actions = actions.n;
    req.idempotency_key = (char *)key;
    Ims__V1__ReviewResult *r = NULL;
    rc = ims_client_hold_review(c, &req, &r);
    rc = imsctl_show_change(ctx, rc, r ? &r->base : NULL, r && r->review ? &r->review->base : NULL,
                            r ? r->security_level : 0, r ? r->revision : 0);
out:
    free(items);
    free(ptrs);
    free(bufs);
    free(dues);
    imsctl_list_free(&attendees);
    imsctl_list_free(&actions);
    return rc;
}

static int review_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListReviewsRequest req = IMS__V1__LIST_REVIEWS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    static const char *const columns[] = {"id", "held_at", "chair", "actions", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Improvement/ListReviews", &req.base,
                           &ims__v1__list_reviews_response__descriptor, "reviews", columns);
}

static int review_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetReviewRequest req = IMS__V1__GET_REVIEW_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    Ims__V1__Review *r = NULL;
    if ((rc = ims_client_get_review(c, &req, &r)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &r->base);
    ims__v1__review__free_unpacked(r, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"hold",
     "TENANT --chair NAME [--attendee NAME]... [--decisions TEXT] "
     "[--action 'KIND|OWNER|DUE|DESCRIPTION']... [--key K]",
     "Holds a management review: its inputs frozen now, its decisions and actions.",
     review_hold},
    {"list", "TENANT", "Lists the tenant's management reviews.", review_list},
    {"show", "TENANT ID", "Shows one review with its frozen inputs.", review_show},
    {0},
};

const imsctl_group imsctl_group_review = {"review", "management reviews", commands, NULL};
