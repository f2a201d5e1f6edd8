/*
 * Scheduling: the next instant at which time alone changes an input of the model (a
 * future event becomes visible, a sample goes stale or leaves its window, a window or a
 * decaying penalty moves on). See engine.h for the list.
 */
#include "eval.h"

static void due_at(int64_t *due, int64_t t, int64_t when)
{
    if (when > t && when < *due)
        *due = when;
}

/* Whether incident j weighs on an applicable control (directly or through its threat). */
static bool incident_weighs(const engine_eval *ev, const engine_incident *j)
{
    const engine_model *m = ev->model;
    for (int32_t k = 0; k < j->controls.n; k++)
        if (ev->controls.v[j->controls.v[k]].applicable)
            return true;
    if (j->threat >= 0) {
        const engine_threat *th = &m->threats.v[j->threat];
        for (int32_t k = 0; k < th->mitig.n; k++)
            if (ev->controls.v[th->mitig.v[k].to].applicable)
                return true;
    }
    return false;
}

int64_t engine_next_due(const engine_eval *ev, int64_t t, int64_t decay_period,
                        double decay_epsilon)
{
    const engine_model *m = ev->model;
    if (!m)
        return INT64_MAX;
    int64_t due = INT64_MAX;
    int64_t lw = engine_days_to_seconds(m->params.likelihood_window_days);
    int64_t rw = engine_days_to_seconds(m->params.review_window_days);
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        int32_t end = engine_samples_upper(x, t);
        if (end < x->sample_n)
            due_at(&due, t, x->samples[end].at);
        if (end == 0)
            continue;
        due_at(&due, t, x->samples[end - 1].at + x->max_age + 1);
        if (x->aggregation != ENGINE_AGG_LAST) {
            int32_t begin = engine_samples_upper(x, t - x->window);
            if (begin < end)
                due_at(&due, t, x->samples[begin].at + x->window);
        }
    }
    bool decaying = false;
    for (int32_t k = 0; k < m->incidents.n; k++) {
        const engine_incident *j = &m->incidents.v[k];
        due_at(&due, t, j->opened_at);
        if (j->resolved)
            due_at(&due, t, j->resolved_at);
        if (j->threat >= 0)
            due_at(&due, t, j->opened_at + lw);
        if (j->processes.n)
            due_at(&due, t, j->opened_at + rw);
        if (!decaying && j->resolved && j->resolved_at <= t && j->opened_at <= t &&
            1.0 - engine_incident_factor(m, j, t) >= decay_epsilon && incident_weighs(ev, j))
            decaying = true;
    }
    if (decaying && decay_period > 0)
        due_at(&due, t, t + decay_period);
    for (int32_t p = 0; p < m->processes.n; p++) {
        const engine_process *x = &m->processes.v[p];
        if (x->plan_reviewed) {
            due_at(&due, t, x->plan_reviewed_at);
            due_at(&due, t, x->plan_reviewed_at + rw);
        }
        for (int32_t k = 0; k < x->exercise_n; k++) {
            due_at(&due, t, x->exercises[k].at);
            due_at(&due, t, x->exercises[k].at + rw);
        }
    }
    /* An approved artefact stops being current the second after its review falls due. */
    for (int32_t a = 0; a < m->artefacts.n; a++) {
        const engine_artefact *x = &m->artefacts.v[a];
        if (x->status == ENGINE_ARTEFACT_APPROVED && x->has_due && x->due < INT64_MAX &&
            x->controls.n > 0)
            due_at(&due, t, x->due + 1);
    }
    return due;
}
