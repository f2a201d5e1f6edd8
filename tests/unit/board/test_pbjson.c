/* Protobuf messages as JSON and back (server/board/pbjson.c): every field kind of the API's
 * messages, and what a browser's request may not do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/risk.pb-c.h"
#include "pbjson.h"

static void test_message_to_json(void **state)
{
    (void)state;
    Ims__V1__SecurityLevel m = IMS__V1__SECURITY_LEVEL__INIT;
    m.tenant = "t-1";
    m.revision = 1234567890123LL;
    m.security_level = 0.5;
    m.maturity = 2;
    Ims__V1__SystemScore s = IMS__V1__SYSTEM_SCORE__INIT;
    s.system = "ISMS";
    s.score = 0.25;
    Ims__V1__SystemScore *sp[] = {&s};
    m.systems = sp;
    m.n_systems = 1;
    json_t *j = pbjson_from_message(&m.base);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "tenant")), "t-1");
    assert_int_equal(json_integer_value(json_object_get(j, "revision")), 1234567890123LL);
    assert_true(json_real_value(json_object_get(j, "security_level")) == 0.5);
    assert_int_equal(json_integer_value(json_object_get(j, "maturity")), 2);
    json_t *systems = json_object_get(j, "systems");
    assert_int_equal(json_array_size(systems), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(systems, 0), "system")),
                        "ISMS");
    /* Empty repeated fields are empty arrays; strings never null. */
    assert_int_equal(json_array_size(json_object_get(j, "controls")), 0);
    assert_string_equal(json_string_value(json_object_get(j, "cause")), "");
    json_decref(j);
}

static void test_unset_submessage_is_null_and_nan_is_null(void **state)
{
    (void)state;
    Ims__V1__RiskPair p = IMS__V1__RISK_PAIR__INIT;
    p.asset = "a";
    p.threat = "t";
    p.impact = 0.0 / 0.0;
    json_t *j = pbjson_from_message(&p.base);
    assert_true(json_is_null(json_object_get(j, "treatment")));
    assert_true(json_is_null(json_object_get(j, "impact")));
    json_decref(j);
}

static void test_json_to_message(void **state)
{
    (void)state;
    json_error_t e;
    json_t *j = json_loads("{\"tenant\":\"demo\",\"controls\":true,\"explain\":5}", 0, &e);
    ProtobufCMessage *m = NULL;
    char err[200];
    assert_int_equal(
        pbjson_to_message(&ims__v1__get_security_level_request__descriptor, j, &m, err, sizeof err),
        0);
    Ims__V1__GetSecurityLevelRequest *r = (Ims__V1__GetSecurityLevelRequest *)m;
    assert_string_equal(r->tenant, "demo");
    assert_true(r->controls);
    assert_int_equal(r->explain, 5);
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(j);

    /* Nested messages and repeated strings. */
    j = json_loads("{\"tenant\":\"x\",\"incident\":{\"severity\":3,\"controls\":[\"A.5.1\","
                   "\"A.8.7\"],\"description\":\"d\"}}",
                   0, &e);
    assert_int_equal(
        pbjson_to_message(&ims__v1__submit_incident_request__descriptor, j, &m, err, sizeof err),
        0);
    Ims__V1__SubmitIncidentRequest *s = (Ims__V1__SubmitIncidentRequest *)m;
    assert_int_equal(s->incident->severity, 3);
    assert_int_equal(s->incident->n_controls, 2);
    assert_string_equal(s->incident->controls[1], "A.8.7");
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(j);
}

static void refused(const char *text, const char *want)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    assert_non_null(j);
    ProtobufCMessage *m = NULL;
    char err[200] = "";
    assert_int_equal(
        pbjson_to_message(&ims__v1__submit_incident_request__descriptor, j, &m, err, sizeof err),
        IMS_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err, want));
    json_decref(j);
}

static void test_bad_requests_name_the_field(void **state)
{
    (void)state;
    refused("{\"nope\":1}", "nope: no such field");
    refused("{\"tenant\":5}", "tenant: a string is expected");
    refused("{\"incident\":{\"severity\":\"3\"}}", "incident.severity: an integer is expected");
    refused("{\"incident\":{\"severity\":4294967296}}", "incident.severity: out of range");
    refused("{\"incident\":{\"controls\":[1]}}", "incident.controls[0]: a string is expected");
    refused("{\"incident\":[]}", "incident: an object is expected");
    json_t *j = json_object();
    json_object_set_new(j, "tenant", json_stringn("a\0b", 3));
    ProtobufCMessage *m = NULL;
    char err[200] = "";
    assert_int_equal(
        pbjson_to_message(&ims__v1__submit_incident_request__descriptor, j, &m, err, sizeof err),
        IMS_EINVAL);
    assert_string_equal(err, "tenant: a string may not hold NUL");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_to_json),
        cmocka_unit_test(test_unset_submessage_is_null_and_nan_is_null),
        cmocka_unit_test(test_json_to_message),
        cmocka_unit_test(test_bad_requests_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
