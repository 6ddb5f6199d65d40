/* test_csr_binary.c: the binary CSR format. Round trips are compared bit for
 * bit with the matrix written (and with sp_mm_read of a shipped file); row
 * range reads must combine into the whole file's checksums; every kind of
 * damage (flipped byte in each array and in the header, truncation, extra
 * bytes, wrong magic, newer version, text file, bad structure under valid
 * checksums) must fail with SP_EFORMAT and a message saying what. */
#include <string.h>
#include <unistd.h>
#include "spartan/csr_binary.h"
#include "test_util.h"

static char dir_[64];

static const char *tmp_path(const char *name)
{
    static char buf[2][256];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir_, name);
    return buf[k];
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir_, sizeof dir_, "/tmp/spartan_csr_binary_XXXXXX");
    return mkdtemp(dir_) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir_);
    return system(cmd) == 0 ? 0 : -1;
}

/* rows x cols, about density, rows = 2 mod 7 empty, explicit zeros kept. */
static void random_csr(int rows, int cols, double density, uint64_t seed, sp_csr *A)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    int64_t cap = (int64_t)rows * cols + 1, n = 0;
    int *ri = malloc((size_t)cap * sizeof(int)), *ci = malloc((size_t)cap * sizeof(int));
    double *v = malloc((size_t)cap * sizeof(double));
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            if (i % 7 != 2 && sp_rng_uniform(&rng) < density) {
                ri[n] = i, ci[n] = j, v[n] = n % 11 == 0 ? 0.0 : sp_rng_normal(&rng);
                n++;
            }
    assert_int_equal(sp_csr_from_triplets(rows, cols, n, ri, ci, v, A), SP_OK);
    free(ri), free(ci), free(v);
}

static void assert_csr_identical(const sp_csr *A, const sp_csr *B)
{
    assert_int_equal(A->rows, B->rows);
    assert_int_equal(A->cols, B->cols);
    assert_int_equal(A->nnz, B->nnz);
    assert_memory_equal(A->rowptr, B->rowptr, ((size_t)A->rows + 1) * sizeof(int64_t));
    if (A->nnz) {
        assert_memory_equal(A->colind, B->colind, (size_t)A->nnz * sizeof(int));
        assert_memory_equal(A->val, B->val, (size_t)A->nnz * sizeof(double));
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    const int shapes[][2] = {{0, 0}, {1, 1}, {5, 3}, {3, 8}, {40, 40}, {200, 150}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        sp_csr A, B;
        sp_csr_binary_info info;
        random_csr(shapes[s][0], shapes[s][1], 0.2, 100 + s, &A);
        assert_int_equal(sp_csr_binary_write(tmp_path("a.csr"), &A, (int)(s % 2)), SP_OK);
        assert_int_equal(sp_csr_binary_read(tmp_path("a.csr"), &B, &info), SP_OK);
        assert_csr_identical(&A, &B);
        assert_int_equal(info.symmetric, (int)(s % 2));
        assert_int_equal(info.file_bytes, 64 + 8 * (A.rows + 1) + 12 * A.nnz);
        sp_csr_uninit(&A), sp_csr_uninit(&B);
    }
}

static void test_shipped_matrix(void **state)
{
    (void)state;
    sp_csr A, B;
    assert_int_equal(sp_mm_read(test_data_path("west0479.mtx"), &A, NULL), SP_OK);
    assert_int_equal(sp_csr_binary_write(tmp_path("w.csr"), &A, 0), SP_OK);
    assert_int_equal(sp_csr_binary_read(tmp_path("w.csr"), &B, NULL), SP_OK);
    assert_csr_identical(&A, &B);
    sp_csr_uninit(&A), sp_csr_uninit(&B);
}

/* Rows read in 4 ranges: each range equals those rows, parts combine. */
static void test_row_ranges(void **state)
{
    (void)state;
    sp_csr A, part;
    sp_csr_binary_info info;
    sp_csr_binary_part parts[4];
    random_csr(50, 50, 0.1, 7, &A);
    assert_int_equal(sp_csr_binary_write(tmp_path("r.csr"), &A, 0), SP_OK);
    assert_int_equal(sp_csr_binary_read_info(tmp_path("r.csr"), &info), SP_OK);
    const int cut[5] = {0, 13, 13, 31, 50}; /* one empty range */
    for (int p = 0; p < 4; p++) {
        assert_int_equal(sp_csr_binary_read_rows(tmp_path("r.csr"), &info, cut[p], cut[p + 1], &part, &parts[p]), SP_OK);
        assert_int_equal(part.rows, cut[p + 1] - cut[p]);
        for (int i = 0; i < part.rows; i++)
            for (int64_t k = part.rowptr[i]; k < part.rowptr[i + 1]; k++) {
                int64_t g = A.rowptr[cut[p] + i] + k - part.rowptr[i];
                assert_int_equal(part.colind[k], A.colind[g]);
                assert_memory_equal(&part.val[k], &A.val[g], sizeof(double));
            }
        assert_int_equal(sp_csr_binary_check_rows(tmp_path("r.csr"), &part, cut[p]), SP_OK);
        sp_csr_uninit(&part);
    }
    assert_int_equal(sp_csr_binary_check_parts(tmp_path("r.csr"), &info, parts, 4), SP_OK);
    parts[2].crc[2] ^= 1u;
    assert_int_equal(sp_csr_binary_check_parts(tmp_path("r.csr"), &info, parts, 4), SP_EFORMAT);
    sp_csr_uninit(&A);
}

/* Copy src to dst with byte `offset` xor-ed (offset < 0: none), cut to `size` (< 0: keep). */
static void damaged_copy(const char *src, const char *dst, long offset, long size, const char *append)
{
    FILE *in = fopen(src, "rb");
    assert_non_null(in);
    unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    if (offset >= 0) buf[offset] ^= 0x10;
    if (size >= 0) n = (size_t)size;
    FILE *out = fopen(dst, "wb");
    fwrite(buf, 1, n, out);
    if (append) fputs(append, out);
    fclose(out);
}

static void expect_failure(const char *path, int status, const char *text)
{
    sp_csr B;
    int rc = sp_csr_binary_read(path, &B, NULL);
    if (rc != status || !strstr(sp_errmsg(), text)) {
        print_error("status %d (want %d), message '%s' (want '%s')\n", rc, status, sp_errmsg(), text);
        fail();
    }
    assert_null(B.rowptr);
}

static void test_damage(void **state)
{
    (void)state;
    sp_csr A;
    random_csr(30, 30, 0.2, 9, &A);
    const char *good = tmp_path("good.csr"), *bad = tmp_path("bad.csr");
    assert_int_equal(sp_csr_binary_write(good, &A, 0), SP_OK);
    long cols_at = 64 + 8 * (A.rows + 1), vals_at = cols_at + 4 * (long)A.nnz, end = vals_at + 8 * (long)A.nnz;
    damaged_copy(good, bad, 64 + 8 * 5 + 1, -1, NULL);
    expect_failure(bad, SP_EFORMAT, "row pointer");
    damaged_copy(good, bad, cols_at + 4 * 3 + 2, -1, NULL);
    expect_failure(bad, SP_EFORMAT, "checksum mismatch in the column index array");
    damaged_copy(good, bad, vals_at + 8 * 7 + 6, -1, NULL);
    expect_failure(bad, SP_EFORMAT, "checksum mismatch in the value array");
    damaged_copy(good, bad, 33, -1, NULL); /* nnz field */
    expect_failure(bad, SP_EFORMAT, "header checksum mismatch");
    damaged_copy(good, bad, 8, -1, NULL); /* version 1 -> 17 */
    expect_failure(bad, SP_EFORMAT, "version 17 is not supported");
    damaged_copy(good, bad, 0, -1, NULL);
    expect_failure(bad, SP_EFORMAT, "not a spartan binary CSR file");
    damaged_copy(good, bad, -1, end - 5, NULL);
    expect_failure(bad, SP_EFORMAT, "truncated");
    damaged_copy(good, bad, -1, 40, NULL);
    expect_failure(bad, SP_EFORMAT, "shorter than the 64-byte header");
    damaged_copy(good, bad, -1, 0, NULL);
    expect_failure(bad, SP_EFORMAT, "not a spartan binary CSR file");
    damaged_copy(good, bad, -1, -1, "x");
    expect_failure(bad, SP_EFORMAT, "extra bytes");
    expect_failure(test_data_path("nos4.mtx"), SP_EFORMAT, "Matrix Market text file");
    expect_failure(tmp_path("missing.csr"), SP_EIO, "cannot open");
    sp_csr_uninit(&A);
}

/* Valid checksums over a bad structure (a writer bug): still refused. */
static void test_bad_structure(void **state)
{
    (void)state;
    int64_t rowptr[3] = {0, 2, 3};
    int colind[3] = {1, 0, 5}; /* row 0 not ascending, row 1 column 5 >= cols */
    double val[3] = {1, 2, 3};
    sp_csr A = {2, 4, 3, rowptr, colind, val};
    assert_int_equal(sp_csr_binary_write(tmp_path("s.csr"), &A, 0), SP_OK);
    expect_failure(tmp_path("s.csr"), SP_EFORMAT, "row 0: column index 0");
    colind[0] = 0, colind[1] = 1;
    assert_int_equal(sp_csr_binary_write(tmp_path("s.csr"), &A, 0), SP_OK);
    expect_failure(tmp_path("s.csr"), SP_EFORMAT, "row 1: column index 5 out of range [0, 4)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_shipped_matrix),
        cmocka_unit_test(test_row_ranges),     cmocka_unit_test(test_damage),
        cmocka_unit_test(test_bad_structure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
