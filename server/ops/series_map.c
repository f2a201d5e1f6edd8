/* Series mappings: Prometheus label matchers and the first-match rule. */
#include "series_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

static int label_name_ok(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

/* The value after the operator: "quoted" with \" \\ \n escapes, or bare to the end. */
static char *parse_value(const char *s, char *err, size_t err_len)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (out == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (s[0] != '"') {
        memcpy(out, s, n + 1);
        return out;
    }
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '"') {
            if (i + 1 != n)
                break;
            out[k] = '\0';
            return out;
        }
        if (s[i] == '\\' && i + 1 < n) {
            i++;
            out[k++] = s[i] == 'n' ? '\n' : s[i];
            continue;
        }
        out[k++] = s[i];
    }
    free(out);
    snprintf(err, err_len, "unterminated or trailing text after the quoted value");
    return NULL;
}

/*
 * glibc's regcomp() copies a repeated expression once per repetition ("x+" is "xx*",
 * "x{3}" is "xxx") and walks nested repetitions recursively, so stacked or nested
 * repetitions cost memory and time exponentially in the pattern's length
 * ("a++++++++++++++++++++++++++++++" takes gigabytes). Before regcomp() sees a pattern,
 * stacked repetitions ("a**", which Prometheus's regexp refuses too) and back references
 * (exponential to match, not Prometheus's syntax either) are refused, and the cost of
 * the pattern, every repetition counted as copying what it repeats, must stay under
 * SERIES_REGEX_MAX_COST, and its alternatives, counted the same way, under
 * SERIES_REGEX_MAX_BRANCHES: regcomp's epsilon closures grow with the square of the parts
 * that may match nothing (1,000 empty groups "()" take 33 MB and 22 ms, 3,000 take 280 MB
 * and 0.2 s; 1,000 alternatives 16 MB, 5,000 383 MB). Groups nest at most
 * SERIES_REGEX_MAX_DEPTH deep: this estimate, like regcomp, recurses into each.
 */
#define SERIES_REGEX_MAX_COST 1000
#define SERIES_REGEX_MAX_BRANCHES 1000
#define SERIES_REGEX_MAX_DEPTH 32

struct regex_cost {
    const char *p;
    int backref; /* a back reference */
    int stacked; /* a repetition of a repetition ("a**"), as Go's regexp refuses too */
    int depth;   /* groups open at p */
    int deep;    /* deeper than SERIES_REGEX_MAX_DEPTH */
};

/* What regcomp builds from a part of the pattern: its nodes and its alternatives. */
struct regex_size {
    size_t cost, branches;
};

static size_t cost_add(size_t a, size_t b)
{
    return a + b > SERIES_REGEX_MAX_COST ? SERIES_REGEX_MAX_COST + 1 : a + b;
}

static size_t cost_mul(size_t a, size_t b)
{
    return b != 0 && a > SERIES_REGEX_MAX_COST / b ? SERIES_REGEX_MAX_COST + 1 : a * b;
}

static void size_add(struct regex_size *all, struct regex_size part)
{
    all->cost = cost_add(all->cost, part.cost);
    all->branches = cost_add(all->branches, part.branches);
}

/* Reads "{n}", "{n,}" or "{n,m}" at rc->p; *copies = how many times regcomp copies the
 * atom. Returns 0 when the text is not a bound (then it is left to regcomp). */
static int regex_bound(struct regex_cost *rc, size_t *copies)
{
    const char *p = rc->p + 1;
    size_t bound[2] = {0, 0};
    int have[2] = {0, 0}, part = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            bound[part] = cost_add(cost_mul(bound[part], 10), (size_t)(*p - '0'));
            have[part] = 1;
        } else if (*p == ',' && part == 0) {
            part = 1;
        } else if (*p == '}') {
            break;
        } else {
            return 0;
        }
    }
    if (!have[0] && !have[1])
        return 0;
    rc->p = p + 1;
    size_t most = bound[0] > bound[1] ? bound[0] : bound[1];
    *copies = cost_add(most, 1);
    return 1;
}

static struct regex_size regex_alternation(struct regex_cost *rc);

/* One atom and the repetitions that follow it. */
static struct regex_size regex_piece(struct regex_cost *rc)
{
    struct regex_size atom = {1, 0};
    if (*rc->p == '(') {
        rc->p++;
        if (++rc->depth > SERIES_REGEX_MAX_DEPTH) {
            rc->deep = 1;
            rc->p += strlen(rc->p); /* nothing more is read */
            return atom;
        }
        atom = regex_alternation(rc);
        atom.cost = cost_add(atom.cost, 1);
        rc->depth--;
        if (*rc->p == ')')
            rc->p++;
    } else if (*rc->p == '[') {
        const char *p = rc->p + 1;
        if (*p == '^')
            p++;
        if (*p == ']')
            p++;
        while (*p && *p != ']') {
            if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                const char *end = strchr(p + 2, p[1]);
                p = end && end[1] == ']' ? end + 2 : p + 1;
            } else {
                p++;
            }
        }
        rc->p = *p ? p + 1 : p;
    } else if (*rc->p == '\\') {
        rc->p++;
        if (*rc->p >= '1' && *rc->p <= '9')
            rc->backref = 1;
        if (*rc->p)
            rc->p++;
    } else {
        rc->p++;
    }
    for (int repeated = 0;; repeated++) {
        size_t copies = 2;
        int lazy = 0; /* "x*?": Go's non-greedy form, one "?" after a repetition */
        if (*rc->p == '*' || *rc->p == '?' || *rc->p == '+') {
            lazy = *rc->p == '?' && repeated == 1;
            rc->p++;
        } else if (*rc->p != '{' || !regex_bound(rc, &copies)) {
            return atom;
        }
        if (repeated > 0 && !lazy)
            rc->stacked = 1;
        atom.cost = cost_add(cost_mul(atom.cost, copies), 1);
        atom.branches = cost_mul(atom.branches, copies);
    }
}

static struct regex_size regex_alternation(struct regex_cost *rc)
{
    struct regex_size all = {0, 0};
    size_t bars = 0;
    while (*rc->p && *rc->p != ')') {
        if (*rc->p == '|') {
            rc->p++;
            bars = cost_add(bars, 1);
        } else {
            size_add(&all, regex_piece(rc));
        }
    }
    if (bars > 0) /* "a|b|c": three alternatives */
        all.branches = cost_add(all.branches, cost_add(bars, 1));
    return all;
}

/* 0 when regcomp() may be given the pattern, else IMS_EINVAL with a message. */
/* 1 when the pattern's parentheses balance (outside bracket expressions and escapes), so
 * that wrapping it in ^(...)$ anchors all of it: "a)|(b" would otherwise escape. */
static int parens_balance(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++; /* a leading ] is a member */
            while (*q && *q != ']')
                q++;
            if (!*q)
                return 0;
            p = q;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth < 0) {
            return 0;
        }
    }
    return depth == 0;
}

static int regex_check_cost(const char *pattern, char *err, size_t err_len)
{
    struct regex_cost rc = {.p = pattern};
    struct regex_size all = {0, 0};
    while (*rc.p) {
        size_add(&all, regex_alternation(&rc));
        if (*rc.p == ')')
            rc.p++;
    }
    if (rc.deep) {
        snprintf(err, err_len, "bad regex: groups nested more than %d deep",
                 SERIES_REGEX_MAX_DEPTH);
        return IMS_EINVAL;
    }
    if (rc.stacked) {
        snprintf(err, err_len, "bad regex: a repetition operator right after another");
        return IMS_EINVAL;
    }
    if (rc.backref) {
        snprintf(err, err_len, "bad regex: back references are not supported");
        return IMS_EINVAL;
    }
    if (all.cost > SERIES_REGEX_MAX_COST) {
        snprintf(err, err_len,
                 "bad regex: too many parts or too deeply nested repetitions (more than %d "
                 "once repeated)",
                 SERIES_REGEX_MAX_COST);
        return IMS_EINVAL;
    }
    if (all.branches > SERIES_REGEX_MAX_BRANCHES) {
        snprintf(err, err_len, "bad regex: more than %d alternatives (repetitions counted)",
                 SERIES_REGEX_MAX_BRANCHES);
        return IMS_EINVAL;
    }
    return 0;
}

int series_matcher_parse(const char *text, struct series_matcher *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const char *op = strpbrk(text, "=!");
    if (op == NULL) {
        snprintf(err, err_len, "no operator (=, !=, =~, !~)");
        return IMS_EINVAL;
    }
    size_t name_len = (size_t)(op - text);
    const char *value;
    if (op[0] == '=' && op[1] == '~') {
        out->op = SERIES_MATCH_RE;
        value = op + 2;
    } else if (op[0] == '!' && op[1] == '~') {
        out->op = SERIES_MATCH_NRE;
        value = op + 2;
    } else if (op[0] == '!' && op[1] == '=') {
        out->op = SERIES_MATCH_NE;
        value = op + 2;
    } else if (op[0] == '=') {
        out->op = SERIES_MATCH_EQ;
        value = op + 1;
    } else {
        snprintf(err, err_len, "no operator (=, !=, =~, !~)");
        return IMS_EINVAL;
    }
    if (!label_name_ok(text, name_len)) {
        snprintf(err, err_len, "bad label name (letters, digits and _, not starting with a digit)");
        return IMS_EINVAL;
    }
    out->name = strndup(text, name_len);
    out->value = parse_value(value, err, err_len);
    if (out->name == NULL || out->value == NULL) {
        free(out->name);
        free(out->value);
        if (out->name == NULL)
            snprintf(err, err_len, "out of memory");
        return out->name == NULL ? IMS_ENOMEM : IMS_EINVAL;
    }
    if (out->op == SERIES_MATCH_RE || out->op == SERIES_MATCH_NRE) {
        if (!parens_balance(out->value)) {
            snprintf(err, err_len, "bad regex: unbalanced parentheses");
            free(out->name);
            free(out->value);
            out->name = out->value = NULL;
            return IMS_EINVAL;
        }
        if (regex_check_cost(out->value, err, err_len) != 0) {
            free(out->name);
            free(out->value);
            out->name = out->value = NULL;
            return IMS_EINVAL;
        }
        size_t n = strlen(out->value);
        char *anchored = malloc(n + 5);
        if (anchored == NULL) {
            series_matcher_free(out);
            return IMS_ENOMEM;
        }
        snprintf(anchored, n + 5, "^(%s)$", out->value);
        int rc = regcomp(&out->re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (rc != 0) {
            char why[96];
            regerror(rc, &out->re, why, sizeof why);
            snprintf(err, err_len, "bad regex: %s", why);
            free(out->name);
            free(out->value);
            out->name = out->value = NULL;
            return IMS_EINVAL;
        }
    }
    return 0;
}

void series_matcher_free(struct series_matcher *m)
{
    if (m->name != NULL && (m->op == SERIES_MATCH_RE || m->op == SERIES_MATCH_NRE))
        regfree(&m->re);
    free(m->name);
    free(m->value);
    m->name = m->value = NULL;
}

int series_matcher_format(const struct series_matcher *m, char *out, size_t len)
{
    static const char *const ops[] = {"=", "!=", "=~", "!~"};
    int head = snprintf(out, len, "%s%s\"", m->name, ops[m->op]);
    if (head < 0 || (size_t)head >= len)
        return IMS_ETOOBIG;
    size_t k = (size_t)head;
    for (const char *p = m->value; *p; p++) {
        int escaped = *p == '"' || *p == '\\' || *p == '\n';
        if (k + (escaped ? 2 : 1) + 2 > len) /* and the closing quote and NUL */
            return IMS_ETOOBIG;
        if (escaped)
            out[k++] = '\\';
        out[k++] = *p == '\n' ? 'n' : *p;
    }
    out[k++] = '"';
    out[k] = '\0';
    return 0;
}

static void entry_free(struct series_map_entry *e)
{
    for (size_t i = 0; i < e->matcher_count; i++)
        series_matcher_free(&e->matchers[i]);
    free(e->id);
    free(e->tenant);
    free(e->metric);
}

int series_map_add(struct series_map *map, const char *id, const char *tenant,
                   const char *metric, const char *const *matchers, size_t matcher_count,
                   char *err, size_t err_len)
{
    if (matcher_count == 0 || matcher_count > SERIES_MAP_MAX_MATCHERS) {
        snprintf(err, err_len, "matchers: between 1 and %d", SERIES_MAP_MAX_MATCHERS);
        return IMS_EINVAL;
    }
    if (map->count == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 8;
        struct series_map_entry *grown = realloc(map->entries, cap * sizeof *grown);
        if (grown == NULL)
            return IMS_ENOMEM;
        map->entries = grown;
        map->cap = cap;
    }
    struct series_map_entry *e = &map->entries[map->count];
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i < matcher_count; i++) {
        char why[128];
        int rc = series_matcher_parse(matchers[i], &e->matchers[i], why, sizeof why);
        if (rc != 0) {
            snprintf(err, err_len, "matchers[%zu]: %s", i, why);
            entry_free(e);
            return rc;
        }
        e->matcher_count++;
    }
    e->id = strdup(id);
    e->tenant = strdup(tenant);
    e->metric = strdup(metric);
    if (e->id == NULL || e->tenant == NULL || e->metric == NULL) {
        entry_free(e);
        return IMS_ENOMEM;
    }
    map->count++;
    return 0;
}

void series_map_free(struct series_map *map)
{
    for (size_t i = 0; i < map->count; i++)
        entry_free(&map->entries[i]);
    free(map->entries);
    *map = (struct series_map){0};
}

static const char *label_value(const struct series_label *labels, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(labels[i].name, name) == 0)
            return labels[i].value;
    return "";
}

static int matches(const struct series_matcher *m, const char *value)
{
    switch (m->op) {
    case SERIES_MATCH_EQ: return strcmp(value, m->value) == 0;
    case SERIES_MATCH_NE: return strcmp(value, m->value) != 0;
    case SERIES_MATCH_RE: return regexec(&m->re, value, 0, NULL, 0) == 0;
    case SERIES_MATCH_NRE: return regexec(&m->re, value, 0, NULL, 0) != 0;
    }
    return 0;
}

const struct series_map_entry *series_map_find(const struct series_map *map,
                                               const struct series_label *labels,
                                               size_t label_count)
{
    return series_map_find_in(map, labels, label_count, NULL, NULL);
}

const struct series_map_entry *series_map_find_in(const struct series_map *map,
                                                  const struct series_label *labels,
                                                  size_t label_count,
                                                  int (*accept)(const char *tenant, void *ctx),
                                                  void *ctx)
{
    for (size_t i = 0; i < map->count; i++) {
        const struct series_map_entry *e = &map->entries[i];
        if (accept && !accept(e->tenant, ctx))
            continue;
        size_t k = 0;
        while (k < e->matcher_count &&
               matches(&e->matchers[k], label_value(labels, label_count, e->matchers[k].name)))
            k++;
        if (k == e->matcher_count)
            return e;
    }
    return NULL;
}
