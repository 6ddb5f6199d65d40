/* test_generate_rows.c: row blocks of generated matrices (generate.h, "blocks
 * of rows") equal the rows of the whole generator's matrix bit for bit, for
 * every kind, at block boundaries, for empty blocks and for odd splits; bad
 * ranges are refused. Reference: the whole-matrix generators. */
#include <string.h>
#include "spartan/generate.h"
#include "test_util.h"

/* Rows [r0, r1) of A equal B (a (r1 - r0)-row block): same pattern, same bits. */
static int block_equals_rows(const sp_csr *A, int r0, int r1, const sp_csr *B)
{
    if (B->rows != r1 - r0 || B->cols != A->cols) return 0;
    int64_t base = A->rowptr[r0];
    if (B->nnz != A->rowptr[r1] - base) return 0;
    for (int i = 0; i <= r1 - r0; i++)
        if (B->rowptr[i] != A->rowptr[r0 + i] - base) return 0;
    return !memcmp(B->colind, A->colind + base, (size_t)B->nnz * sizeof(int)) &&
           !memcmp(B->val, A->val + base, (size_t)B->nnz * sizeof(double));
}

/* Every block of a few splits of spec equals the whole matrix's rows. */
static void check_spec_blocks(const char *spec)
{
    sp_csr A, B;
    int n = 0, sym = -1, sym_full = -1;
    assert_int_equal(sp_gen_spec(spec, &A, &sym_full), SP_OK);
    assert_int_equal(sp_gen_spec_size(spec, &n, &sym), SP_OK);
    assert_int_equal(n, A.rows);
    assert_int_equal(sym, sym_full);
    const int cuts[][4] = {{0, n, n, n}, {0, n / 3, n / 3, n}, {0, 1, n - 1, n}, {0, n / 2, n / 2 + 7, n}};
    for (size_t s = 0; s < sizeof cuts / sizeof cuts[0]; s++)
        for (int b = 0; b < 3; b++) {
            int r0 = cuts[s][b] < n ? cuts[s][b] : n, r1 = cuts[s][b + 1] < n ? cuts[s][b + 1] : n;
            if (r0 > r1) r0 = r1; /* tiny n: clamp the cut points */
            assert_int_equal(sp_gen_spec_rows(spec, r0, r1, NULL, NULL, &B), SP_OK);
            if (!block_equals_rows(&A, r0, r1, &B)) fail_msg("%s: rows [%d, %d) differ from the whole matrix", spec, r0, r1);
            sp_csr_uninit(&B);
        }
    sp_csr_uninit(&A);
}

static void test_laplace_blocks(void **state)
{
    (void)state;
    check_spec_blocks("laplace2d:17");
    check_spec_blocks("laplace3d:6");
    check_spec_blocks("laplace2d:1");
}

static void test_random_sparse_blocks(void **state)
{
    (void)state;
    check_spec_blocks("random-sparse:500:7:11");
    check_spec_blocks("random-sparse:9:20:3"); /* R capped at n: dense rows */
}

static void test_powerlaw_blocks(void **state)
{
    (void)state;
    check_spec_blocks("powerlaw:2000:8");
    check_spec_blocks("powerlaw:3000:6:1.3:17");
    check_spec_blocks("powerlaw:5:1"); /* diagonal only: empty matrix */
}

static void test_bad_ranges(void **state)
{
    (void)state;
    sp_csr B;
    assert_int_equal(sp_gen_spec_rows("laplace2d:4", -1, 3, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_spec_rows("laplace2d:4", 3, 2, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_spec_rows("laplace2d:4", 0, 17, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_spec_rows("random-sparse:10:2", 0, 11, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_spec_rows("powerlaw:10:2", 0, 11, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_spec_rows("laplace4d:3", 0, 1, NULL, NULL, &B), SP_EINVAL);
    assert_int_equal(sp_gen_laplace2d_rows(4, 0, 16, NULL), SP_EINVAL);
    int n;
    assert_int_equal(sp_gen_spec_size("laplace2d:46341", &n, NULL), SP_EINVAL);
    assert_int_equal(sp_gen_spec_size("laplace3d:1000", &n, NULL), SP_OK);
    assert_int_equal(n, 1000000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_laplace_blocks),
        cmocka_unit_test(test_random_sparse_blocks),
        cmocka_unit_test(test_powerlaw_blocks),
        cmocka_unit_test(test_bad_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
