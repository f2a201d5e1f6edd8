/* The transport tests' fixture (echo_fixture.c): echo servers as child processes. */
#ifndef IMS_TEST_ECHO_FIXTURE_H
#define IMS_TEST_ECHO_FIXTURE_H

#include <sys/types.h>

#define MAX_MESSAGE 1024

struct child {
    pid_t pid;
    int ports[4];
    int port_count;
};

extern char dir[64];
extern const char *ca_file, *server_cert, *server_key, *client_cert, *client_key, *unix_sock;
extern struct child plain_server; /* TCP + Unix socket + TLS */
extern struct child mtls_server;  /* TLS requiring client certificates */

/* dir/name in one of eight path buffers. */
const char *in_dir(int slot, const char *name);
/* A shell command run in dir; its exit status. */
int run(const char *command);
int start_server(struct child *child, const char *const *args);
int stop_server(struct child *child, int timeout_ms);
int group_setup(void **state);
int group_teardown(void **state);

#endif
