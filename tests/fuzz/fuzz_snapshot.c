/*
 * The snapshot JSON reader (server/engine/snapshot/snapshot.h): parse, and when the
 * document is accepted, write it back and parse that again (the canonical form must be
 * accepted too).
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
    if (engine_snapshot_parse((const char *)data, size, &model, &has_at, &at, &err) != 0)
        return 0;
    char *text = NULL;
    if (engine_snapshot_write(model, has_at, at, &text) == 0) {
        engine_model *again = NULL;
        if (engine_snapshot_parse(text, strlen(text), &again, &has_at, &at, &err) != 0)
            abort();
        engine_model_free(again);
        free(text);
    }
    engine_model_free(model);
    return 0;
}
