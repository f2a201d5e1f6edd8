/* Output files written whole or not at all (out_file.h). */
#include "out_file.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

FILE *imsctl_out_open(struct imsctl_out *o, const char *path)
{
    o->path = path;
    o->f = NULL;
    o->tmp = malloc(strlen(path) + 8);
    if (!o->tmp) {
        fprintf(stderr, "imsctl: out of memory\n");
        return NULL;
    }
    strcpy(o->tmp, path);
    strcat(o->tmp, ".XXXXXX");
    int fd = mkstemp(o->tmp); /* 0600 */
    if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
        perror(path);
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return NULL;
    }
    return o->f;
}

int imsctl_out_close(struct imsctl_out *o, int rc)
{
    if (!o->f)
        return rc;
    if (fclose(o->f) != 0 && rc == 0) {
        perror(o->path);
        rc = IMSCTL_EXIT_FAILURE;
    }
    o->f = NULL;
    if (rc == 0 && rename(o->tmp, o->path) != 0) {
        perror(o->path);
        rc = IMSCTL_EXIT_FAILURE;
    }
    if (rc != 0)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return rc;
}
