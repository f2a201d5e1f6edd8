/*
 * The CSV reader of ImportAnswers (server/rpc/answers_csv.c): the input is the CSV text,
 * read record after record into an arena as the handler does; every field must be a
 * NUL-terminated string inside its own allocation, and the reader must always advance.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answers_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct arena a = {0};
    const char *p = text;
    int line = 1;
    for (;;) {
        const char *before = p;
        char *fields[ANSWERS_CSV_FIELDS];
        int n = answers_csv_record(&a, &p, &line, fields);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++)
            (void)strlen(fields[i]);
        if (p <= before)
            abort(); /* a record that consumes nothing would loop forever */
    }
    arena_free(&a);
    free(text);
    return 0;
}
