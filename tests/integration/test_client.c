/*
 * libimsclient against a real imsd and PostgreSQL: the daemon is started on a free port
 * (and a Unix socket) with the runtime DSN of tests/run.sh, driven through the public
 * client API, and stopped by its pid.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ims/client.h"
#include "ims/error.h"

struct daemon {
    pid_t pid;
    char dir[64];
    char tcp[64];
    char unix_addr[128];
    char token[128];
};

static struct daemon d;

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int start_daemon(void **state)
{
    (void)state;
    const char *build = getenv("IMS_TEST_BUILD");
    const char *db = getenv("IMS_TEST_DB");
    const char *admin = getenv("IMS_TEST_ADMIN_DSN");
    if (!build || !db || !admin) {
        fprintf(stderr, "IMS_TEST_BUILD, IMS_TEST_DB and IMS_TEST_ADMIN_DSN must be set "
                        "(run through tests/run.sh)\n");
        return -1;
    }
    snprintf(d.dir, sizeof d.dir, "/tmp/ims-client-XXXXXX");
    if (!mkdtemp(d.dir))
        return -1;
    char imsd[1024], ready[128], sock[128], log[128];
    snprintf(imsd, sizeof imsd, "%s/server/imsd", build);
    snprintf(ready, sizeof ready, "%s/ready", d.dir);
    snprintf(sock, sizeof sock, "unix:%s/imsd.sock", d.dir);
    snprintf(log, sizeof log, "%s/imsd.log", d.dir);
    snprintf(d.unix_addr, sizeof d.unix_addr, "%s", sock);

    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' token create --db '%s' --role operator --label client-test",
             imsd, admin);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(d.token, sizeof d.token, p)) {
        if (p)
            pclose(p);
        return -1;
    }
    pclose(p);
    d.token[strcspn(d.token, "\n")] = '\0';

    d.pid = fork();
    if (d.pid == 0) {
        FILE *out = freopen(log, "w", stderr);
        (void)out;
        execl(imsd, "imsd", "--db", db, "--listen", "127.0.0.1:0", "--listen", sock,
              "--ready-file", ready, "--max-message-bytes", "65536", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) {
        FILE *f = fopen(ready, "r");
        int port = 0;
        if (f) {
            int ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0) {
                snprintf(d.tcp, sizeof d.tcp, "127.0.0.1:%d", port);
                return 0;
            }
        }
        if (waitpid(d.pid, NULL, WNOHANG) == d.pid)
            return -1;
        msleep(25);
    }
    return -1;
}

static int stop_daemon(void **state)
{
    (void)state;
    int status = 0;
    if (d.pid > 0) {
        kill(d.pid, SIGTERM);
        waitpid(d.pid, &status, 0);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d.dir);
    if (system(cmd) != 0)
        return -1;
    /* A clean stop is part of the contract. */
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static ims_client *client_for(const char *server, const char *token)
{
    ims_client_options o = {.server = server, .token = token, .timeout_ms = 10000};
    ims_client *c = NULL;
    char err[256];
    assert_int_equal(ims_client_new(&o, &c, err, sizeof err), 0);
    return c;
}

static void random_slug(char *out, size_t len, const char *prefix)
{
    snprintf(out, len, "%s-%ld-%d", prefix, (long)time(NULL) % 100000, rand() % 100000);
}

static void health_over_tcp_and_unix(void **state)
{
    (void)state;
    const char *servers[] = {d.tcp, d.unix_addr};
    for (int i = 0; i < 2; i++) {
        ims_client *c = client_for(servers[i], NULL);
        Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
        Grpc__Health__V1__HealthCheckResponse *resp = NULL;
        assert_int_equal(ims_client_health_check(c, &req, &resp), 0);
        assert_int_equal(resp->status,
                         GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        ims_client_free(c);
    }
}

static void tenants_create_get_list(void **state)
{
    (void)state;
    ims_client *c = client_for(d.tcp, d.token);
    char slug[64];
    random_slug(slug, sizeof slug, "client");
    Ims__V1__CreateTenantRequest req = IMS__V1__CREATE_TENANT_REQUEST__INIT;
    req.slug = slug;
    req.display_name = "Client Test Ltd";
    req.sector = "retail";
    req.size_band = "micro";
    Ims__V1__Tenant *t = NULL;
    assert_int_equal(ims_client_create_tenant(c, &req, &t), 0);
    assert_string_equal(t->slug, slug);
    assert_string_equal(t->schema_id, "retail-micro");
    char id[64];
    snprintf(id, sizeof id, "%s", t->id);
    protobuf_c_message_free_unpacked(&t->base, NULL);

    Ims__V1__GetTenantRequest get = IMS__V1__GET_TENANT_REQUEST__INIT;
    get.tenant = slug;
    assert_int_equal(ims_client_get_tenant(c, &get, &t), 0);
    assert_string_equal(t->id, id);
    protobuf_c_message_free_unpacked(&t->base, NULL);

    /* The same slug again: ALREADY_EXISTS, named. */
    assert_int_equal(ims_client_create_tenant(c, &req, &t), IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(c), IMS_GRPC_ALREADY_EXISTS);
    assert_non_null(strstr(ims_client_error(c), "slug"));

    int found = 0;
    Ims__V1__ListTenantsRequest list = IMS__V1__LIST_TENANTS_REQUEST__INIT;
    list.page_size = 2;
    char token[128] = "";
    for (int pages = 0; pages < 10000; pages++) {
        list.page_token = token;
        Ims__V1__ListTenantsResponse *resp = NULL;
        assert_int_equal(ims_client_list_tenants(c, &list, &resp), 0);
        assert_true(resp->n_tenants <= 2);
        for (size_t i = 0; i < resp->n_tenants; i++)
            found += strcmp(resp->tenants[i]->id, id) == 0;
        snprintf(token, sizeof token, "%s", resp->next_page_token);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        if (!token[0])
            break;
    }
    assert_int_equal(found, 1);
    ims_client_free(c);
}

static void errors_are_statuses(void **state)
{
    (void)state;
    ims_client *anonymous = client_for(d.tcp, NULL);
    Ims__V1__ListTenantsRequest list = IMS__V1__LIST_TENANTS_REQUEST__INIT;
    Ims__V1__ListTenantsResponse *resp = NULL;
    assert_int_equal(ims_client_list_tenants(anonymous, &list, &resp), IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(anonymous), IMS_GRPC_UNAUTHENTICATED);
    ims_client_free(anonymous);

    ims_client *c = client_for(d.tcp, d.token);
    Ims__V1__CreateTenantRequest bad = IMS__V1__CREATE_TENANT_REQUEST__INIT;
    bad.slug = "ok-slug";
    bad.display_name = "";
    bad.sector = "retail";
    bad.size_band = "micro";
    Ims__V1__Tenant *t = NULL;
    assert_int_equal(ims_client_create_tenant(c, &bad, &t), IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(c), IMS_GRPC_INVALID_ARGUMENT);
    assert_non_null(strstr(ims_client_error(c), "display_name"));

    uint8_t empty[5] = {0, 0, 0, 0, 0};
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(ims_client_call_raw(c, "/ims.v1.Nope/Nothing", NULL, empty, sizeof empty,
                                         &out, &out_len),
                     IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(c), IMS_GRPC_UNIMPLEMENTED);
    free(out);

    /* An oversized request: RESOURCE_EXHAUSTED naming the limit; the daemon keeps serving. */
    size_t big = 100000;
    uint8_t *body = calloc(1, big + 5);
    assert_non_null(body);
    body[1] = (uint8_t)(big >> 24);
    body[2] = (uint8_t)(big >> 16);
    body[3] = (uint8_t)(big >> 8);
    body[4] = (uint8_t)big;
    out = NULL;
    assert_int_equal(ims_client_call_raw(c, "/ims.v1.Tenants/ListTenants", NULL, body, big + 5,
                                         &out, &out_len),
                     IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(c), IMS_GRPC_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(ims_client_error(c), "65536"));
    free(out);
    free(body);
    resp = NULL;
    assert_int_equal(ims_client_list_tenants(c, &list, &resp), 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    ims_client_free(c);
}

static void incident_moves_level_and_watcher_sees_it(void **state)
{
    (void)state;
    ims_client *c = client_for(d.tcp, d.token);
    ims_client *w = client_for(d.unix_addr, d.token);
    char slug[64];
    random_slug(slug, sizeof slug, "watch");
    Ims__V1__CreateTenantRequest req = IMS__V1__CREATE_TENANT_REQUEST__INIT;
    req.slug = slug;
    req.display_name = "Watch Ltd";
    req.sector = "it-services";
    req.size_band = "small";
    Ims__V1__Tenant *t = NULL;
    assert_int_equal(ims_client_create_tenant(c, &req, &t), 0);

    Ims__V1__WatchSecurityLevelRequest wr = IMS__V1__WATCH_SECURITY_LEVEL_REQUEST__INIT;
    wr.tenant = t->id;
    ims_client_stream *s = NULL;
    assert_int_equal(ims_client_set_timeout(w, 0), 0);
    assert_int_equal(ims_client_stream_open(w, "/ims.v1.Level/WatchSecurityLevel", &wr.base, &s), 0);
    ProtobufCMessage *m = NULL;
    assert_int_equal(ims_client_stream_next(s, &ims__v1__security_level__descriptor, &m), 0);
    Ims__V1__SecurityLevel *first = (Ims__V1__SecurityLevel *)m;
    int64_t rev0 = first->revision;
    protobuf_c_message_free_unpacked(m, NULL);

    Ims__V1__Incident inc = IMS__V1__INCIDENT__INIT;
    inc.severity = 3;
    char *controls[] = {"A.5.1"};
    inc.controls = controls;
    inc.n_controls = 1;
    Ims__V1__SubmitIncidentRequest sub = IMS__V1__SUBMIT_INCIDENT_REQUEST__INIT;
    sub.tenant = t->id;
    sub.incident = &inc;
    Ims__V1__IncidentResult *res = NULL;
    assert_int_equal(ims_client_submit_incident(c, &sub, &res), 0);
    assert_int_equal(res->revision, rev0 + 1);
    assert_int_equal(strncmp(res->incident->id, "INC-", 4), 0);

    assert_int_equal(ims_client_stream_next(s, &ims__v1__security_level__descriptor, &m), 0);
    Ims__V1__SecurityLevel *next = (Ims__V1__SecurityLevel *)m;
    assert_int_equal(next->revision, res->revision);
    assert_true(next->security_level == res->security_level);
    assert_string_equal(next->cause, "incident");
    protobuf_c_message_free_unpacked(m, NULL);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    protobuf_c_message_free_unpacked(&t->base, NULL);
    ims_client_stream_close(s);
    ims_client_free(w);
    ims_client_free(c);
}

/* The typed calls of the people and documents services: a person, a document written from
 * its template and approved, the level and revision moving with it. */
static void document_approval_moves_level(void **state)
{
    (void)state;
    ims_client *c = client_for(d.tcp, d.token);
    char slug[64];
    random_slug(slug, sizeof slug, "docs");
    Ims__V1__CreateTenantRequest req = IMS__V1__CREATE_TENANT_REQUEST__INIT;
    req.slug = slug;
    req.display_name = "Docs Ltd";
    req.sector = "retail";
    req.size_band = "micro";
    Ims__V1__Tenant *t = NULL;
    assert_int_equal(ims_client_create_tenant(c, &req, &t), 0);
    protobuf_c_message_free_unpacked(&t->base, NULL);

    char *profiles[] = {"security_officer"};
    Ims__V1__Person p = IMS__V1__PERSON__INIT;
    p.id = "ana";
    p.name = "Ana";
    p.profiles = profiles;
    p.n_profiles = 1;
    Ims__V1__PutPersonRequest put = IMS__V1__PUT_PERSON_REQUEST__INIT;
    put.tenant = slug;
    put.person = &p;
    Ims__V1__Person *got = NULL;
    assert_int_equal(ims_client_put_person(c, &put, &got), 0);
    assert_int_equal(got->culture_required, 3);
    protobuf_c_message_free_unpacked(&got->base, NULL);

    Ims__V1__CreateDocumentRequest create = IMS__V1__CREATE_DOCUMENT_REQUEST__INIT;
    create.tenant = slug;
    create.artefact = "ART.security_policy";
    create.person = "ana";
    Ims__V1__DocumentChange *ch = NULL;
    assert_int_equal(ims_client_create_document(c, &create, &ch), 0);
    assert_string_equal(ch->document->status, "draft");
    int64_t rev = ch->revision;
    protobuf_c_message_free_unpacked(&ch->base, NULL);

    Ims__V1__ApproveDocumentRequest approve = IMS__V1__APPROVE_DOCUMENT_REQUEST__INIT;
    approve.tenant = slug;
    approve.artefact = "ART.security_policy";
    approve.approver = "ana";
    assert_int_equal(ims_client_approve_document(c, &approve, &ch), 0);
    assert_string_equal(ch->document->status, "approved");
    assert_true(ch->document->current);
    /* Later than the creation (and than the computed samples that followed it). */
    assert_true(ch->revision > rev);
    protobuf_c_message_free_unpacked(&ch->base, NULL);

    Ims__V1__GetDocumentRequest get = IMS__V1__GET_DOCUMENT_REQUEST__INIT;
    get.tenant = slug;
    get.artefact = "ART.security_policy";
    Ims__V1__Document *doc = NULL;
    assert_int_equal(ims_client_get_document(c, &get, &doc), 0);
    assert_non_null(strstr(doc->body, "Docs Ltd"));
    assert_non_null(strstr(doc->body_html, "<strong>Docs Ltd</strong>"));
    assert_int_equal(doc->n_history, 2);
    protobuf_c_message_free_unpacked(&doc->base, NULL);

    /* Approving again: only a draft is approved. */
    assert_int_equal(ims_client_approve_document(c, &approve, &ch), IMS_ERPC);
    assert_int_equal(ims_client_grpc_status(c), IMS_GRPC_FAILED_PRECONDITION);
    ims_client_free(c);
}

int main(void)
{
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(health_over_tcp_and_unix),
        cmocka_unit_test(tenants_create_get_list),
        cmocka_unit_test(errors_are_statuses),
        cmocka_unit_test(incident_moves_level_and_watcher_sees_it),
        cmocka_unit_test(document_approval_moves_level),
    };
    return cmocka_run_group_tests(tests, start_daemon, stop_daemon);
}
