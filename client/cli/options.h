/*
 * imsctl's option handling, free of I/O so it can be tested: global options,
 * the declarative per-command flag tables, value parsers, and the mapping of
 * outcomes to exit codes.
 */
#ifndef IMSCTL_OPTIONS_H
#define IMSCTL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes; `imsctl --help` lists them too. */
enum imsctl_exit {
    IMSCTL_EXIT_OK = 0,
    IMSCTL_EXIT_FAILURE = 1,     /* anything else: internal, unknown, data loss */
    IMSCTL_EXIT_USAGE = 2,       /* bad command line */
    IMSCTL_EXIT_INVALID = 3,     /* INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION */
    IMSCTL_EXIT_NOT_FOUND = 4,   /* NOT_FOUND */
    IMSCTL_EXIT_EXISTS = 5,      /* ALREADY_EXISTS */
    IMSCTL_EXIT_DENIED = 6,      /* UNAUTHENTICATED, PERMISSION_DENIED */
    IMSCTL_EXIT_UNAVAILABLE = 7, /* UNAVAILABLE, DEADLINE_EXCEEDED, cannot connect */
    IMSCTL_EXIT_EXHAUSTED = 8,   /* RESOURCE_EXHAUSTED */
};

#define IMSCTL_DEFAULT_SERVER "127.0.0.1:7800"
/* Pages of one list imsctl follows at most (a server whose list never ends is left). */
#define IMSCTL_MAX_PAGES 10000
#define IMSCTL_DEFAULT_TIMEOUT_MS 10000

typedef struct imsctl_global_options {
    const char *server;     /* --server, else $IMS_SERVER, else the default */
    const char *token_file; /* --token-file */
    const char *ca_file;    /* --ca */
    const char *cert_file;  /* --cert */
    const char *key_file;   /* --key */
    int timeout_ms;         /* --timeout; -1 when not given */
    bool json;              /* --json */
    bool help;              /* --help */
    bool version;           /* --version */
} imsctl_global_options;

/*
 * Parses the global options in argv[1..] up to the first word that is not an
 * option (the command group). *next is that word's index (argc when none).
 * Returns 0, or IMSCTL_EXIT_USAGE with the reason in err.
 */
int imsctl_parse_global(int argc, char **argv, imsctl_global_options *o, int *next, char *err,
                        size_t errlen);

/* The exit code for a gRPC status (ims_grpc_status). */
int imsctl_exit_for_status(int grpc_status);

enum imsctl_flag_kind {
    IMSCTL_FLAG_STRING, /* const char ** */
    IMSCTL_FLAG_INT,    /* long *, bounded by min..max; *set (if given) becomes true */
    IMSCTL_FLAG_DOUBLE, /* double * */
    IMSCTL_FLAG_LIST,   /* imsctl_list *: the flag may repeat */
    IMSCTL_FLAG_BOOL,   /* bool *: takes no value */
};

/* The values of a repeatable flag; argv strings, not copied. */
typedef struct imsctl_list {
    const char **items;
    size_t n;
} imsctl_list;

void imsctl_list_free(imsctl_list *l);

typedef struct imsctl_flag {
    const char *name; /* without the leading "--" */
    enum imsctl_flag_kind kind;
    void *value;
    long min, max; /* IMSCTL_FLAG_INT bounds */
    bool *set;     /* optional: set to true when the flag appears */
} imsctl_flag;

/* Flag table rows. */
#define IMSCTL_STRING(n, p)                                                                        \
    {                                                                                              \
        .name = (n), .kind = IMSCTL_FLAG_STRING, .value = (p)                                      \
    }
#define IMSCTL_INT(n, p, lo, hi)                                                                   \
    {                                                                                              \
        .name = (n), .kind = IMSCTL_FLAG_INT, .value = (p), .min = (lo), .max = (hi)               \
    }
#define IMSCTL_INT_SET(n, p, lo, hi, s)                                                            \
    {                                                                                              \
        .name = (n), .kind = IMSCTL_FLAG_INT, .value = (p), .min = (lo), .max = (hi), .set = (s)   \
    }
#define IMSCTL_LIST(n, p)                                                                          \
    {                                                                                              \
        .name = (n), .kind = IMSCTL_FLAG_LIST, .value = (p)                                        \
    }
#define IMSCTL_BOOL(n, p)                                                                          \
    {                                                                                              \
        .name = (n), .kind = IMSCTL_FLAG_BOOL, .value = (p)                                        \
    }
#define IMSCTL_FLAGS_END                                                                           \
    {                                                                                              \
        .name = NULL                                                                               \
    }

/*
 * Parses argv[1..] of a command against a flag table ending with a
 * zero entry: "--name VALUE", "--name=VALUE", "--" ends the flags. The other
 * words are positional and returned in pos (pointing into argv; *npos of them;
 * pos has room for argc entries). "--help" or "-h" makes *help true.
 * Returns 0, IMSCTL_EXIT_USAGE (unknown flag, missing value, positional count
 * outside min_pos..max_pos) or IMSCTL_EXIT_INVALID (a value that does not
 * parse or is out of bounds), with the reason in err.
 */
int imsctl_parse_flags(int argc, char **argv, const imsctl_flag *flags, const char **pos, int *npos,
                       int min_pos, int max_pos, bool *help, char *err, size_t errlen);

/* Parses a whole decimal integer in min..max. Returns 0 or -1. */
int imsctl_parse_long(const char *s, long min, long max, long *out);

/* Parses a finite number. Returns 0 or -1. */
int imsctl_parse_double(const char *s, double *out);

/*
 * Normalizes a time argument to RFC 3339 UTC: "2026-06-01T10:00:00Z" and
 * offsets/fractions as given, a date "2026-06-01" (midnight UTC), "now", or
 * a relative "+30d" / "-2h" (units s, m, h, d) from `now` (Unix seconds).
 * Returns 0, or -1 when it is none of those.
 */
int imsctl_parse_time(const char *s, long long now, char *out, size_t outlen);

/* First line of a token file's content, blanks trimmed, copied into out. Returns 0 or -1 (empty).
 */
int imsctl_token_from_text(const char *text, char *out, size_t outlen);

#endif
