/* test_core.c: status messages, RNG moments and reproducibility, timer,
 * atomic file writes. References: exact moments of the distributions. */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "spartan/core.h"
#include "test_util.h"

static void test_error_messages(void **state)
{
    (void)state;
    sp_error_clear();
    assert_string_equal(sp_errmsg(), "");
    int rc = sp_error(SP_EFORMAT, "%s:%d: bad value '%s'", "a.mtx", 7, "x");
    assert_int_equal(rc, SP_EFORMAT);
    assert_string_equal(sp_errmsg(), "a.mtx:7: bad value 'x'");
    sp_error_prefix(rc, "reading %s: ", "A");
    assert_string_equal(sp_errmsg(), "reading A: a.mtx:7: bad value 'x'");
    assert_string_equal(sp_status_name(SP_OK), "ok");
    assert_string_equal(sp_status_name(SP_EFORMAT), "malformed input");
    assert_string_equal(sp_status_name(-99), "unknown status");
}

static void test_rng_reproducible(void **state)
{
    (void)state;
    sp_rng a, b;
    sp_rng_seed(&a, 1234);
    sp_rng_seed(&b, 1234);
    for (int i = 0; i < 1000; i++) assert_true(sp_rng_u64(&a) == sp_rng_u64(&b));
    sp_rng_seed(&b, 1235);
    assert_true(sp_rng_u64(&a) != sp_rng_u64(&b));
    sp_rng_seed_stream(&a, 7, 1);
    sp_rng_seed(&b, 7);
    sp_rng_jump(&b);
    assert_true(sp_rng_u64(&a) == sp_rng_u64(&b));
}

/* Sample mean and variance against the exact ones, within 5 standard errors. */
static void check_moments(double (*draw)(sp_rng *, double), double param, double mean,
                          double var)
{
    sp_rng rng;
    sp_rng_seed(&rng, 99);
    const int n = 400000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = draw(&rng, param);
        s += x;
        s2 += x * x;
    }
    double m = s / n, v = s2 / n - m * m;
    assert_small(m - mean, 5.0 * sqrt(var / n));
    assert_small(v / var - 1.0, 0.03);
}

static double draw_uniform(sp_rng *r, double p) { (void)p; return sp_rng_uniform(r); }
static double draw_normal(sp_rng *r, double p) { (void)p; return sp_rng_normal(r); }

static void test_rng_distributions(void **state)
{
    (void)state;
    check_moments(draw_uniform, 0, 0.5, 1.0 / 12.0);
    check_moments(draw_normal, 0, 0.0, 1.0);
    check_moments(sp_rng_gamma, 3.5, 3.5, 3.5);
    check_moments(sp_rng_gamma, 0.5, 0.5, 0.5);
    check_moments(sp_rng_student_t, 10.0, 0.0, 10.0 / 8.0);
    sp_rng rng;
    sp_rng_seed(&rng, 5);
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++) counts[sp_rng_below(&rng, 7)]++;
    for (int i = 0; i < 7; i++) assert_small(counts[i] - 10000.0, 5 * sqrt(10000.0));
    for (int i = 0; i < 1000; i++) {
        double u = sp_rng_uniform(&rng);
        assert_true(u >= 0.0 && u < 1.0);
    }
}

static void test_timer_monotonic(void **state)
{
    (void)state;
    double t0 = sp_time_now();
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    double t1 = sp_time_now();
    assert_true(t1 - t0 >= 0.015);
    assert_true(t1 - t0 < 5.0);
}

static void test_atomic_file(void **state)
{
    (void)state;
    char path[] = "/tmp/spartan_atomic_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "old\n", 4), 4);
    close(fd);
    sp_atomic_file f;
    assert_int_equal(sp_atomic_open(&f, path), SP_OK);
    fprintf(f.fp, "new\n");
    sp_atomic_abort(&f); /* aborted: old content stays */
    char buf[16] = {0};
    FILE *in = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, in));
    fclose(in);
    assert_string_equal(buf, "old\n");
    assert_int_equal(sp_atomic_open(&f, path), SP_OK);
    fprintf(f.fp, "new\n");
    assert_int_equal(sp_atomic_commit(&f), SP_OK);
    in = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, in));
    fclose(in);
    assert_string_equal(buf, "new\n");
    unlink(path);
    assert_int_equal(sp_atomic_open(&f, "/nonexistent-dir/x.txt"), SP_EIO);
    assert_non_null(strstr(sp_errmsg(), "/nonexistent-dir/x.txt"));
}

static void test_progress_forced(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    sp_progress p;
    sp_progress_init(&p, "reading", 100);
    sp_progress_force(&p, mem);
    sp_progress_update(&p, 50, "half");
    sp_progress_finish(&p);
    fclose(mem);
    assert_non_null(strstr(buf, "reading"));
    assert_non_null(strstr(buf, "50.0%"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_messages),   cmocka_unit_test(test_rng_reproducible),
        cmocka_unit_test(test_rng_distributions), cmocka_unit_test(test_timer_monotonic),
        cmocka_unit_test(test_atomic_file),      cmocka_unit_test(test_progress_forced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
