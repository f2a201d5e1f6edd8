/* Splitting a snapshot document read in pieces into its head and the elements of its
 * "samples" array, byte by byte with a small state (see snapshot_split.h). */
#include "snapshot_split.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ims/error.h"

enum {
    MODE_HEAD,          /* outside the samples array's content */
    MODE_FIRST,         /* after its '[': an element or ']' */
    MODE_NEXT,          /* after a ',': an element */
    MODE_ELEMENT,       /* inside an element */
    MODE_AFTER_ELEMENT, /* after an element: ',' or ']' */
};

enum {
    KEY_NONE,   /* not at a place of the root object where a key is read */
    KEY_EXPECT, /* after '{' or ',' of the root object: a key */
    KEY_IN,     /* reading the key's string */
    KEY_AFTER,  /* after the key: ':' */
    KEY_VALUE,  /* after ':': the value starts with the next byte that is not space */
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int fail(struct snapshot_split *s, const char *fmt, ...)
{
    char why[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(s->error, sizeof s->error, "%ld:%ld: %s", s->line, s->column + 1, why);
    return IMS_EPARSE;
}

void snapshot_split_init(struct snapshot_split *s, snapshot_split_head_fn head,
                         snapshot_split_sample_fn sample, void *arg)
{
    memset(s, 0, offsetof(struct snapshot_split, element));
    s->element_len = 0;
    s->head = head;
    s->sample = sample;
    s->arg = arg;
    s->line = 1;
}

/* The key just read: "samples", written plainly or with escapes of its letters. */
static int key_is_samples(const char *k, size_t n)
{
    char plain[16];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (c == '\\') {
            if (i + 5 >= n || k[i + 1] != 'u' || k[i + 2] != '0' || k[i + 3] != '0')
                return 0;
            unsigned v = 0;
            for (int d = 4; d < 6; d++) {
                char h = k[i + d];
                v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
                                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                               : 99);
            }
            if (v > 127)
                return 0;
            c = (char)v;
            i += 5;
        }
        if (m == sizeof plain)
            return 0;
        plain[m++] = c;
    }
    return m == 7 && memcmp(plain, "samples", 7) == 0;
}

/* Root-object key tracking for one byte of the head outside strings' insides. */
static void track_key(struct snapshot_split *s, char c)
{
    switch (s->key_state) {
    case KEY_EXPECT:
        if (c == '"') {
            s->key_state = KEY_IN;
            s->key_len = 0;
        } else if (!is_space(c)) {
            s->key_state = KEY_NONE; /* not JSON: the head's parse says so */
        }
        break;
    case KEY_AFTER:
        if (c == ':')
            s->key_state = KEY_VALUE;
        else if (!is_space(c))
            s->key_state = KEY_NONE;
        break;
    case KEY_NONE:
        if (c == ',')
            s->key_state = KEY_EXPECT;
        break;
    default:
        break;
    }
}

static int element_add(struct snapshot_split *s, char c)
{
    if (s->element_len == sizeof s->element)
        return fail(s, "$.samples[%zu]: larger than %d bytes", s->samples,
                    SNAPSHOT_SPLIT_MAX_ELEMENT);
    s->element[s->element_len++] = c;
    return 0;
}

static int element_end(struct snapshot_split *s)
{
    int rc = s->sample(s->arg, s->element, s->element_len, s->samples, s->element_line,
                       s->element_column);
    s->samples++;
    s->element_len = 0;
    s->mode = MODE_AFTER_ELEMENT;
    return rc;
}

/* One byte inside the samples array. Returns 0, a code, or 1 when the array closed. */
static int samples_byte(struct snapshot_split *s, char c)
{
    switch (s->mode) {
    case MODE_FIRST:
    case MODE_NEXT:
        if (is_space(c))
            return 0;
        if (c == ']' && s->mode == MODE_FIRST)
            return 1;
        if (c == ']' || c == ',')
            return fail(s, "'%c' where a sample was expected", c);
        s->mode = MODE_ELEMENT;
        s->element_line = s->line;
        s->element_column = s->column + 1;
        s->element_depth = 0;
        s->element_scalar = c != '{' && c != '[';
        s->in_string = c == '"';
        s->escape = 0;
        if (c == '{' || c == '[')
            s->element_depth = 1;
        return element_add(s, c);
    case MODE_ELEMENT:
        if (s->in_string) {
            int rc = element_add(s, c);
            if (s->escape)
                s->escape = 0;
            else if (c == '\\')
                s->escape = 1;
            else if (c == '"') {
                s->in_string = 0;
                if (rc == 0 && s->element_scalar)
                    rc = element_end(s);
            }
            return rc;
        }
        if (s->element_scalar) {
            /* A number or a literal ends where a separator starts. */
            if (is_space(c) || c == ',' || c == ']') {
                int rc = element_end(s);
                return rc != 0 ? rc : samples_byte(s, c);
            }
            return element_add(s, c);
        }
        if (c == '"')
            s->in_string = 1;
        else if (c == '{' || c == '[') {
            if (++s->element_depth > SNAPSHOT_SPLIT_MAX_DEPTH)
                return fail(s, "nested more than %d deep", SNAPSHOT_SPLIT_MAX_DEPTH);
        } else if (c == '}' || c == ']')
            s->element_depth--;
        int rc = element_add(s, c);
        if (rc == 0 && s->element_depth == 0)
            rc = element_end(s);
        return rc;
    default: /* MODE_AFTER_ELEMENT */
        if (is_space(c))
            return 0;
        if (c == ',') {
            s->mode = MODE_NEXT;
            return 0;
        }
        if (c == ']')
            return 1;
        return fail(s, "'%c' after a sample: ',' or ']' expected", c);
    }
}

/* One byte of the head. Returns 0, a code, or 1 when the samples array opens with it. */
static int head_byte(struct snapshot_split *s, char c)
{
    if (s->in_string) {
        if (s->key_state == KEY_IN && s->depth == 1 && !(c == '"' && !s->escape)) {
            if (s->key_len < sizeof s->key)
                s->key[s->key_len] = c;
            s->key_len++;
        }
        if (s->escape)
            s->escape = 0;
        else if (c == '\\')
            s->escape = 1;
        else if (c == '"') {
            s->in_string = 0;
            if (s->key_state == KEY_IN && s->depth == 1) {
                s->key_is_samples =
                    s->key_len <= sizeof s->key && key_is_samples(s->key, s->key_len);
                s->key_state = KEY_AFTER;
            }
        }
        return 0;
    }
    if (s->depth == 1 && s->root_object) {
        if (s->key_state == KEY_VALUE && !is_space(c)) {
            s->key_state = KEY_NONE;
            if (c == '[' && s->key_is_samples) {
                s->mode = MODE_FIRST;
                return 1;
            }
        } else {
            track_key(s, c);
        }
    }
    if (c == '"') {
        s->in_string = 1;
    } else if (c == '{' || c == '[') {
        if (s->depth == 0)
            s->root_object = c == '{';
        if (++s->depth > SNAPSHOT_SPLIT_MAX_DEPTH)
            return fail(s, "nested more than %d deep", SNAPSHOT_SPLIT_MAX_DEPTH);
        if (s->depth == 1 && s->root_object)
            s->key_state = KEY_EXPECT;
    } else if (c == '}' || c == ']') {
        if (s->depth > 0)
            s->depth--;
        if (s->depth == 1 && s->root_object)
            s->key_state = KEY_NONE; /* a value of the root object ended */
    }
    return 0;
}

int snapshot_split_feed(struct snapshot_split *s, const char *p, size_t n)
{
    size_t run = 0; /* the head's bytes not yet handed out start here */
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c = p[i];
        if (s->mode == MODE_HEAD) {
            rc = head_byte(s, c);
            if (rc == 1) { /* the '[' is the head's; what follows is not */
                rc = s->head(s->arg, p + run, i + 1 - run);
                run = i + 1;
            }
        } else {
            rc = samples_byte(s, c);
            if (rc == 1) {
                s->mode = MODE_HEAD;
                rc = s->head(s->arg, "]", 1);
                run = i + 1;
            }
        }
        if (c == '\n') {
            s->line++;
            s->column = 0;
        } else {
            s->column++;
        }
    }
    if (rc == 0 && s->mode == MODE_HEAD && run < n)
        rc = s->head(s->arg, p + run, n - run);
    return rc;
}

int snapshot_split_end(struct snapshot_split *s)
{
    if (s->mode != MODE_HEAD)
        return fail(s, "the document ends inside \"samples\"");
    return 0;
}
