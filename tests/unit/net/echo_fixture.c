/* The echo servers the transport tests talk to: certificates made with openssl, the
 * echo server started as a child process on TCP, a Unix socket and TLS (and one that
 * requires client certificates), and everything removed afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "echo_fixture.h"

char dir[64];
static char path_buf[8][160];
const char *ca_file, *server_cert, *server_key, *client_cert, *client_key, *unix_sock;
struct child plain_server; /* TCP + Unix socket + TLS */
struct child mtls_server;  /* TLS requiring client certificates */

const char *in_dir(int slot, const char *name)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
    return path_buf[slot];
}

int run(const char *command)
{
    char line[2048];
    snprintf(line, sizeof line, "cd %s && (%s) >/dev/null 2>&1", dir, command);
    return system(line);
}

static int make_certificates(void)
{
    const char *steps[] = {
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=ims-test-ca",
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile server.ext",
        "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "-subj /CN=test-client/O=ims",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out client.pem -days 2",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (run(steps[i]) != 0) {
            fprintf(stderr, "failed: %s\n", steps[i]);
            return -1;
        }
    }
    return 0;
}

/* Starts the echo server with args; waits for "ready" and collects its ports. */
int start_server(struct child *child, const char *const *args)
{
    int out[2];
    if (pipe(out) < 0)
        return -1;
    const char *argv[24] = {ECHO_SERVER};
    int argc = 1;
    for (; args[argc - 1] != NULL && argc < 23; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;
    child->pid = fork();
    if (child->pid < 0)
        return -1;
    if (child->pid == 0) {
        /* Should the test itself die, the server goes too. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execv(ECHO_SERVER, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[128];
    child->port_count = 0;
    int ready = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        int port;
        if (sscanf(line, "port %d", &port) == 1 && child->port_count < 4)
            child->ports[child->port_count++] = port;
        if (strncmp(line, "ready", 5) == 0) {
            ready = 1;
            break;
        }
    }
    fclose(f);
    return ready ? 0 : -1;
}

/* SIGTERM, then waits up to timeout_ms; returns the exit status or -1 (killed). */
int stop_server(struct child *child, int timeout_ms)
{
    if (child->pid <= 0)
        return -1;
    kill(child->pid, SIGTERM);
    int status = 0;
    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(child->pid, &status, WNOHANG);
        if (r == child->pid)
            break;
        if (waited >= timeout_ms) {
            kill(child->pid, SIGKILL);
            waitpid(child->pid, &status, 0);
            child->pid = 0;
            return -1;
        }
        usleep(10000);
    }
    child->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int group_setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/ims-net-test-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    ca_file = in_dir(0, "ca.pem");
    server_cert = in_dir(1, "server.pem");
    server_key = in_dir(2, "server.key");
    client_cert = in_dir(3, "client.pem");
    client_key = in_dir(4, "client.key");
    unix_sock = in_dir(5, "echo.sock");
    if (make_certificates() < 0)
        return -1;
    char unix_addr[200], max[32];
    snprintf(unix_addr, sizeof unix_addr, "unix:%s", unix_sock);
    snprintf(max, sizeof max, "%d", MAX_MESSAGE);
    const char *plain_args[] = {
        "--listen",      "127.0.0.1:0", "--listen",  unix_addr, "--tls-listen",
        "127.0.0.1:0",   "--cert",      server_cert, "--key",   server_key,
        "--max-message", max,           NULL};
    if (start_server(&plain_server, plain_args) < 0 || plain_server.port_count != 2)
        return -1;
    const char *mtls_args[] = {"--tls-listen",
                               "127.0.0.1:0",
                               "--cert",
                               server_cert,
                               "--key",
                               server_key,
                               "--client-ca",
                               ca_file,
                               "--require-client-cert",
                               NULL};
    if (start_server(&mtls_server, mtls_args) < 0 || mtls_server.port_count != 1)
        return -1;
    return 0;
}

int group_teardown(void **state)
{
    int rc = 0;
    if (stop_server(&plain_server, 10000) != 0)
        rc = -1;
    if (stop_server(&mtls_server, 10000) != 0)
        rc = -1;
    struct stat st;
    if (stat(unix_sock, &st) == 0) {
        fprintf(stderr, "unix socket file left behind\n");
        rc = -1;
    }
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0)
        rc = -1;
    return rc;
}
