/* Write buffers of the connections: output gathered for one uv_write, grown as needed,
 * and kept by the server for the next write once the kernel took it. */
#include <stdlib.h>
#include <string.h>

#include "grpc_server_internal.h"
#include "h2_session.h"
#include "ims/error.h"

/* Spare write buffers kept by the server, the largest kept, and a new one's size. */
#define SPARE_WRITES 4
#define SPARE_WRITE_MAX_BYTES (2 * H2_WRITE_BATCH_BYTES)
#define WRITE_FIRST_BYTES 16384

/* A write buffer for new output: a spare one, or NULL (write_append makes one). */
struct conn_write *write_take(struct grpc_server *server)
{
    struct conn_write *w = server->spare_writes;
    if (w != NULL) {
        server->spare_writes = w->next_spare;
        server->spare_write_count--;
        w->len = 0;
    }
    return w;
}

/* A write completed (or never started): its buffer is kept for the next one, or freed. */
void write_give_back(struct grpc_server *server, struct conn_write *w)
{
    if (w == NULL)
        return;
    if (server->spare_write_count >= SPARE_WRITES || w->cap > SPARE_WRITE_MAX_BYTES) {
        free(w);
        return;
    }
    w->next_spare = server->spare_writes;
    server->spare_writes = w;
    server->spare_write_count++;
}

void h2_spare_writes_free(struct grpc_server *server)
{
    struct conn_write *w;
    while ((w = write_take(server)) != NULL)
        free(w);
}

int write_append(struct conn_write **write, const uint8_t *data, size_t len)
{
    struct conn_write *w = *write;
    size_t have = w ? w->len : 0;
    size_t cap = w ? w->cap : 0;
    if (have + len > cap) {
        size_t next = cap ? cap : WRITE_FIRST_BYTES;
        while (next < have + len)
            next *= 2;
        struct conn_write *grown = realloc(w, sizeof *w + next);
        if (grown == NULL)
            return IMS_ENOMEM;
        if (w == NULL)
            grown->len = 0;
        grown->cap = next;
        w = grown;
        *write = w;
    }
    memcpy(w->data + w->len, data, len);
    w->len += len;
    return 0;
}
