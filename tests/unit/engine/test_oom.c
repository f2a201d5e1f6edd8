/* The engine when memory runs out: every allocation of a copy, a compaction and an added
 * control or threat made to fail in turn (malloc, calloc and realloc wrapped at link
 * time). A failed operation reports IMS_ENOMEM and leaves the model it read whole: the
 * same figures, copied again and freed, clean under AddressSanitizer. */
#include "test_util.h"

#include <stdlib.h>

#include "ims/error.h"

#define WORKED ENGINE_TEST_DATA "/worked-example.json"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

static long fail_at = -1; /* the allocation that fails, counted from 0; -1: none */
static long allocations;

static int failing(void)
{
    return fail_at >= 0 && allocations++ == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return failing() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return failing() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return failing() ? NULL : __real_realloc(p, size);
}

static void fail_allocation(long k)
{
    allocations = 0;
    fail_at = k;
}

static char *worked_text(void)
{
    FILE *f = fopen(WORKED, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

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
    char *text = worked_text();
    for (int compact = 0; compact < 2; compact++) {
        long k = 0;
        for (;; k++) {
            engine_model *m = load(text);
            engine_summary want;
            evaluate(m, T0, &want);
            engine_model *out = m;
            fail_allocation(k);
            int rc = compact ? engine_model_compact(&out) : engine_model_clone(m, &out);
            fail_allocation(-1);
            if (rc == 0) {
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
    char *text = worked_text();
    for (int threat = 0; threat < 2; threat++) {
        for (long k = 0;; k++) {
            engine_model *m = load(text);
            engine_summary want, s;
            evaluate(m, T0, &want);
            engine_error e;
            engine_control_input c = {"A.5.2", "iso27001-2022", "5", 1, false};
            engine_threat_input t = {.id = "T-OOM", .likelihood = 3, .dimensions = 1};
            fail_allocation(k);
            int rc = threat ? engine_threat_add(m, &t, &e) : engine_control_add(m, &c, &e);
            fail_allocation(-1);
            evaluate(m, T0, &s); /* from the change log, incrementally */
            if (rc == 0) {
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
