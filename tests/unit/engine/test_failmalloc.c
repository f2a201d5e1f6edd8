/* The engine when memory runs out: every allocation of a copy, a compaction and an added
 * control or threat made to fail in turn (tests/unit/failmalloc.h). A failed operation
 * reports IMS_ENOMEM and leaves the model it read whole: the same figures, copied again and
 * freed, clean under AddressSanitizer. */
#include "test_util.h"

#include <stdlib.h>

#include "../failmalloc.h"
#include "ims/error.h"

#define WORKED ENGINE_TEST_DATA "/worked-example.json"

/* Frees the state test_util keeps for a model freed by the engine itself. */
static void forget(const engine_model *m)
{
    for (size_t i = 0; i < sizeof test_evals / sizeof test_evals[0]; i++) {
        if (test_evals[i].model == m) {
            engine_eval_free(test_evals[i].eval);
            test_evals[i].model = NULL;
            test_evals[i].eval = NULL;
        }
    }
}

/* The model is whole: the figures it had, and a copy of it gives them too. */
static void assert_whole(engine_model *m, const engine_summary *want)
{
    engine_summary s;
    evaluate(m, T0, &s);
    assert_near(s.security_level, want->security_level);
    engine_model *c;
    assert_int_equal(engine_model_clone(m, &c), 0);
    evaluate(c, T0, &s);
    assert_near(s.security_level, want->security_level);
    model_free(c);
}

static void test_copy_and_compact(void **state)
{
    (void)state;
    char *text = test_slurp(WORKED);
    for (int compact = 0; compact < 2; compact++) {
        long k = 1;
        for (;; k++) {
            engine_model *m = load(text);
            engine_summary want;
            evaluate(m, T0, &want);
            engine_model *out = m;
            failmalloc_arm(k);
            int rc = compact ? engine_model_compact(&out) : engine_model_clone(m, &out);
            failmalloc_disarm();
            if (!failmalloc_injected) {
                assert_int_equal(rc, 0);
                if (compact)
                    forget(m); /* freed by the compaction */
                assert_whole(out, &want);
                model_free(out);
                if (!compact)
                    model_free(m);
                break;
            }
            assert_int_equal(rc, IMS_ENOMEM);
            assert_ptr_equal(out, compact ? m : out);
            assert_whole(m, &want);
            model_free(m);
        }
        assert_true(k > 10); /* a copy takes many allocations: each was made to fail */
    }
    free(text);
}

static void test_add_control_and_threat(void **state)
{
    (void)state;
    char *text = test_slurp(WORKED);
    for (int threat = 0; threat < 2; threat++) {
        for (long k = 1;; k++) {
            engine_model *m = load(text);
            engine_summary want, s;
            evaluate(m, T0, &want);
            engine_error e;
            engine_control_input c = {"A.5.2", "iso27001-2022", "5", 1, false};
            engine_threat_input t = {.id = "T-OOM", .likelihood = 3, .dimensions = 1};
            failmalloc_arm(k);
            int rc = threat ? engine_threat_add(m, &t, &e) : engine_control_add(m, &c, &e);
            failmalloc_disarm();
            evaluate(m, T0, &s); /* from the change log, incrementally */
            if (!failmalloc_injected) {
                assert_int_equal(rc, 0);
                model_free(m);
                break;
            }
            assert_int_equal(rc, IMS_ENOMEM);
            assert_near(s.security_level, want.security_level);
            assert_whole(m, &want);
            model_free(m);
        }
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_and_compact),
        cmocka_unit_test(test_add_control_and_threat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
