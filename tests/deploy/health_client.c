/* A program outside the tree, built against an installed libimsclient with pkg-config:
 * asks the server given as argv[1] whether it is serving. Exits 0 when it is. */
#include <stdio.h>

#include <ims/client.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: health_client HOST:PORT\n");
        return 2;
    }
    ims_client_options options = {.server = argv[1], .timeout_ms = 5000};
    ims_client *c;
    char err[256];
    if (ims_client_new(&options, &c, err, sizeof err) != 0) {
        fprintf(stderr, "health_client: %s\n", err);
        return 1;
    }
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    Grpc__Health__V1__HealthCheckResponse *resp;
    int rc = ims_client_health_check(c, &req, &resp);
    if (rc != 0) {
        fprintf(stderr, "health_client: %s: %s\n", ims_strerror(rc), ims_client_error(c));
        ims_client_free(c);
        return 1;
    }
    int serving =
        resp->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    printf("%s\n", serving ? "SERVING" : "NOT SERVING");
    grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
    ims_client_free(c);
    return serving ? 0 : 1;
}
