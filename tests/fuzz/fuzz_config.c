/*
 * The daemon's config file reader (server/config.h). config_load_file takes a path: the
 * input is written to an anonymous memory file and read through /proc/self/fd, so that
 * nothing is left on disk. An accepted file is also validated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-config", 0);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            abort();
        off += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct config config;
    config_init(&config);
    char err[512];
    if (config_load_file(&config, path, err, sizeof err) == 0)
        (void)config_validate(&config, err, sizeof err);
    config_free(&config);
    close(fd);
    return 0;
}
