/*
 * The series matcher parser (server/ops/series_map.h): parse one matcher, write it back in
 * canonical form, parse that again, and match a few labels against it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "series_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    char err[256];
    struct series_map map = {0};
    const char *matchers[1] = {text};
    if (series_map_add(&map, "fuzz", "tenant", "metric", matchers, 1, err, sizeof err) == 0) {
        const struct series_map_entry *entry = &map.entries[0];
        char canonical[4096];
        if (series_matcher_format(&entry->matchers[0], canonical, sizeof canonical) == 0) {
            /* What the parser wrote back it must read again. */
            struct series_matcher again;
            if (series_matcher_parse(canonical, &again, err, sizeof err) != 0)
                abort();
            series_matcher_free(&again);
        }
        const struct series_label labels[] = {
            {"job", "node"}, {"instance", "web-1:9100"}, {"__name__", "up"}, {"", ""}};
        (void)series_map_find(&map, labels, sizeof labels / sizeof labels[0]);
        (void)series_map_find(&map, labels, 0);
    }
    series_map_free(&map);
    free(text);
    return 0;
}
