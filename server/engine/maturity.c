/*
 * The maturity levels of an evaluated state (section 3 step 8), kept incrementally: each
 * sub-control's term (applicable or not, its capped value, the frameworks it counts in) is
 * kept between evaluations and recomputed only for the sub-controls of a control whose
 * applicability or cap was recomputed; the terms are summed per block of
 * ENGINE_TERM_BLOCK sub-controls, only changed blocks are summed again, and the block sums
 * are added in block order. A full pass sums the same way, so an incremental pass gives
 * the same bits as a full one.
 */
#include "eval.h"

#include <stdlib.h>
#include <string.h>

static int maturity_of(const double *sum, const double *w, double theta)
{
    int level = 0;
    for (int k = 0; k < 3; k++) {
        if (w[k] > 0 && sum[k] / w[k] + 1e-12 < theta)
            break;
        level = k + 1;
    }
    return level;
}

void engine_eval_maturity_touch(engine_eval *ev, int32_t c)
{
    ev->maturity_stale = true;
    if (!ev->terms_valid)
        return;
    if (ev->term_controls_n >= ev->controls.n ||
        engine_reserve(&ev->term_controls, &ev->term_controls_cap, ev->term_controls_n + 1,
                       sizeof *ev->term_controls)) {
        ev->terms_valid = false; /* as many as there are controls: recompute every term */
        return;
    }
    ev->term_controls[ev->term_controls_n++] = c;
}

/* Sub-control i's term (see engine_sub_term): applicable when base applicable and held by
 * an applicable control (engine_sub_applicable), its value capped by those controls
 * (engine_sub_capped), counted once in each framework of those controls. */
static void sub_term(const engine_eval *ev, int32_t i, engine_sub_term *t)
{
    const engine_subcontrol *s = &ev->model->subs.v[i];
    t->level = -1;
    t->fw_n = 0;
    if (!engine_sub_base(s))
        return;
    double v = engine_answer_value(s->answer);
    bool applicable = false;
    for (int32_t k = 0; k < s->controls.n; k++) {
        const engine_control_state *c = &ev->controls.v[s->controls.v[k]];
        if (!c->applicable)
            continue;
        applicable = true;
        if (c->k < v)
            v = c->k;
        bool known = false;
        for (int32_t f = 0; f < t->fw_n && f < ENGINE_TERM_FW; f++)
            known |= t->fw[f] == c->framework;
        if (known)
            continue;
        if (t->fw_n < ENGINE_TERM_FW)
            t->fw[t->fw_n] = c->framework;
        t->fw_n++;
    }
    if (!applicable)
        return;
    t->level = s->level - 1;
    t->w = s->weight;
    t->wv = s->weight * v;
}

static void add_term(double *blk, int32_t framework, int l, const engine_sub_term *t)
{
    double *x = blk + 6 * (framework + 1);
    x[l] += t->wv;
    x[3 + l] += t->w;
}

/* Sums block b of the terms. */
static void sum_block(engine_eval *ev, int32_t b)
{
    const engine_model *m = ev->model;
    double *blk = ev->blocks.v + (size_t)b * (size_t)ev->block_stride;
    memset(blk, 0, (size_t)ev->block_stride * sizeof *blk);
    int32_t end = (b + 1) * ENGINE_TERM_BLOCK;
    if (end > m->subs.n)
        end = m->subs.n;
    for (int32_t i = b * ENGINE_TERM_BLOCK; i < end; i++) {
        const engine_sub_term *t = &ev->terms.v[i];
        if (t->level < 0)
            continue;
        int l = t->level;
        blk[l] += t->wv;
        blk[3 + l] += t->w;
        if (t->fw_n <= ENGINE_TERM_FW) {
            for (int32_t f = 0; f < t->fw_n; f++)
                add_term(blk, t->fw[f], l, t);
            continue;
        }
        /* More frameworks than a term names: each of the applicable controls' once. */
        const engine_subcontrol *s = &m->subs.v[i];
        for (int32_t k = 0; k < s->controls.n; k++) {
            const engine_control_state *c = &ev->controls.v[s->controls.v[k]];
            bool first = c->applicable;
            for (int32_t j = 0; first && j < k; j++) {
                const engine_control_state *o = &ev->controls.v[s->controls.v[j]];
                first = !(o->applicable && o->framework == c->framework);
            }
            if (first)
                add_term(blk, c->framework, l, t);
        }
    }
}

/* Room for exactly `need` elements (the terms are sized once per model shape). */
static int reserve_exact(void *array_ptr, int32_t *cap, int32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    void *old;
    memcpy(&old, array_ptr, sizeof old);
    void *nv = realloc(old, (size_t)need * size);
    if (!nv)
        return IMS_ENOMEM;
    memcpy(array_ptr, &nv, sizeof nv);
    *cap = need;
    return 0;
}

int engine_eval_maturity(engine_eval *ev)
{
    const engine_model *m = ev->model;
    int32_t n = m->subs.n, blocks = (n + ENGINE_TERM_BLOCK - 1) / ENGINE_TERM_BLOCK;
    int32_t stride = 6 * (ev->frameworks.n + 1);
    bool fresh = !ev->terms_valid || ev->terms.n != n || ev->block_stride != stride ||
                 ev->blocks.n != blocks * stride;
    if (ev->block_dirty_cap < blocks) {
        if (engine_reserve(&ev->block_dirty, &ev->block_dirty_cap, blocks, 1))
            goto nomem;
        memset(ev->block_dirty, 0, (size_t)ev->block_dirty_cap);
    }
    if (fresh) {
        ev->terms_valid = false;
        if (reserve_exact(&ev->terms.v, &ev->terms.cap, n, sizeof *ev->terms.v) ||
            reserve_exact(&ev->blocks.v, &ev->blocks.cap, blocks * stride, sizeof *ev->blocks.v))
            goto nomem;
        ev->terms.n = n;
        ev->blocks.n = blocks * stride;
        ev->block_stride = stride;
        for (int32_t i = 0; i < n; i++)
            sub_term(ev, i, &ev->terms.v[i]);
        if (blocks > 0)
            memset(ev->block_dirty, 1, (size_t)blocks);
    } else {
        for (int32_t k = 0; k < ev->term_controls_n; k++) {
            const engine_control *c = &m->controls.v[ev->term_controls[k]];
            for (int32_t j = 0; j < c->subs.n; j++) {
                int32_t i = c->subs.v[j];
                sub_term(ev, i, &ev->terms.v[i]);
                ev->block_dirty[i / ENGINE_TERM_BLOCK] = 1;
            }
        }
    }
    ev->term_controls_n = 0;
    ev->terms_valid = true;
    double sum[3] = {0}, w[3] = {0};
    for (int32_t f = 0; f < ev->frameworks.n; f++) {
        engine_framework_state *fw = &ev->frameworks.v[f];
        memset(fw->maturity_sum, 0, sizeof fw->maturity_sum);
        memset(fw->maturity_w, 0, sizeof fw->maturity_w);
    }
    for (int32_t b = 0; b < blocks; b++) {
        if (ev->block_dirty[b]) {
            sum_block(ev, b);
            ev->block_dirty[b] = 0;
        }
        const double *blk = ev->blocks.v + (size_t)b * (size_t)stride;
        for (int l = 0; l < 3; l++) {
            sum[l] += blk[l];
            w[l] += blk[3 + l];
        }
        for (int32_t f = 0; f < ev->frameworks.n; f++) {
            engine_framework_state *fw = &ev->frameworks.v[f];
            const double *x = blk + 6 * (f + 1);
            for (int l = 0; l < 3; l++) {
                fw->maturity_sum[l] += x[l];
                fw->maturity_w[l] += x[3 + l];
            }
        }
    }
    for (int32_t f = 0; f < ev->frameworks.n; f++) {
        engine_framework_state *fw = &ev->frameworks.v[f];
        fw->maturity = maturity_of(fw->maturity_sum, fw->maturity_w, m->params.theta);
    }
    return maturity_of(sum, w, m->params.theta);
nomem:
    ev->terms_valid = false;
    ev->term_controls_n = 0;
    return IMS_ENOMEM;
}
