/*
 * The streamed import's document splitter (server/rpc/snapshot_split.h): the input is split
 * once whole and once in pieces whose sizes come from its first byte; both must give the
 * same head and elements. When the input is a JSON object (jansson accepts it) whose
 * "samples" is an array, the elements must be its elements and the head the document with
 * "samples": [].
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
    char *head;
    size_t head_len;
    json_t *elements; /* each element's text, as a string */
};

static int on_head(void *arg, const char *p, size_t n)
{
    struct out *o = arg;
    char *h = realloc(o->head, o->head_len + n + 1);
    if (!h)
        abort();
    memcpy(h + o->head_len, p, n);
    o->head = h;
    o->head_len += n;
    h[o->head_len] = '\0';
    return 0;
}

static int on_sample(void *arg, const char *p, size_t n, size_t index, long line, long column)
{
    struct out *o = arg;
    if (index != json_array_size(o->elements) || line < 1 || column < 1 ||
        n > SNAPSHOT_SPLIT_MAX_ELEMENT)
        abort();
    json_array_append_new(o->elements, json_stringn_nocheck(p, n));
    return 0;
}

static int split(const uint8_t *data, size_t size, size_t piece, struct out *o)
{
    static struct snapshot_split s; /* large: not on the stack */
    o->head = NULL;
    o->head_len = 0;
    o->elements = json_array();
    snapshot_split_init(&s, on_head, on_sample, o);
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < size; off += piece)
        rc = snapshot_split_feed(&s, (const char *)data + off,
                                 size - off < piece ? size - off : piece);
    if (rc == 0)
        rc = snapshot_split_end(&s);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] % 17 + 1;
    data++;
    size--;
    struct out whole, pieces;
    int a = split(data, size, size ? size : 1, &whole);
    int b = split(data, size, piece, &pieces);
    if (a != b)
        abort();
    if (a == 0) {
        if (whole.head_len != pieces.head_len ||
            (whole.head_len && memcmp(whole.head, pieces.head, whole.head_len) != 0) ||
            !json_equal(whole.elements, pieces.elements))
            abort();
        json_t *doc =
            json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
        json_t *samples = json_object_get(doc, "samples");
        if (json_is_object(doc) && json_is_array(samples)) {
            json_t *head = json_loadb(whole.head ? whole.head : "", whole.head_len, 0, NULL);
            /* Keys are unique here (jansson keeps the last): compare without samples. */
            json_t *expect = json_deep_copy(doc);
            json_object_set_new(expect, "samples", json_array());
            if (!head || !json_equal(head, expect))
                abort();
            if (json_array_size(samples) != json_array_size(whole.elements))
                abort();
            for (size_t i = 0; i < json_array_size(samples); i++) {
                json_t *e = json_array_get(whole.elements, i);
                json_t *v =
                    json_loadb(json_string_value(e), json_string_length(e), JSON_DECODE_ANY, NULL);
                if (!v || !json_equal(v, json_array_get(samples, i)))
                    abort();
                json_decref(v);
            }
            json_decref(expect);
            json_decref(head);
        }
        json_decref(doc);
    }
    free(whole.head);
    free(pieces.head);
    json_decref(whole.elements);
    json_decref(pieces.elements);
    return 0;
}
