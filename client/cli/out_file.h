/*
 * A file the user named for imsctl's output, written whole or not at all: the bytes go to a
 * temporary file beside it (mode 0600: what imsctl writes is a tenant's data, the user's
 * alone), which replaces the named file only when everything was written. A failure leaves
 * the named file as it was, whether or not it existed.
 */
#ifndef IMSCTL_OUT_FILE_H
#define IMSCTL_OUT_FILE_H

#include <stdio.h>

struct imsctl_out {
    const char *path;
    char *tmp;
    FILE *f;
};

/* The stream to write to, or NULL after printing why. */
FILE *imsctl_out_open(struct imsctl_out *o, const char *path);

/* Ends the file: with rc 0 it replaces the named one, else it is removed. Returns rc, or
 * IMSCTL_EXIT_FAILURE (after printing why) when the bytes could not be written or moved. */
int imsctl_out_close(struct imsctl_out *o, int rc);

#endif
