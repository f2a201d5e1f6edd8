/*
 * The snapshot JSON reader (server/engine/snapshot/snapshot.h): parse, and when the
 * document is accepted, write it back (with its records) and parse that again: the
 * canonical form must be accepted too, and written again it must be the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    engine_model *model = NULL;
    bool has_at = false;
    int64_t at = 0;
    engine_error err;
    char *records = NULL;
    if (engine_snapshot_parse_records((const char *)data, size, &model, &has_at, &at, &records,
                                      &err) != 0)
        return 0;
    char *text = NULL;
    if (engine_snapshot_write_records(model, has_at, at, records, &text) == 0) {
        engine_model *again = NULL;
        char *records2 = NULL, *text2 = NULL;
        if (engine_snapshot_parse_records(text, strlen(text), &again, &has_at, &at, &records2,
                                          &err) != 0)
            abort();
        if (engine_snapshot_write_records(again, has_at, at, records2, &text2) == 0 &&
            strcmp(text, text2) != 0)
            abort();
        free(text2);
        free(records2);
        engine_model_free(again);
        free(text);
    }
    free(records);
    engine_model_free(model);
    return 0;
}
