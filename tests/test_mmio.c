/* test_mmio.c: Matrix Market reader and writer. Round trips (general,
 * symmetric, skew, pattern, integer, array, gzip) compare bit for bit; hand
 * written files are checked against their known dense matrices; every file in
 * tests/data/bad (listed in expected.tsv) must give SP_EFORMAT naming
 * "PATH:LINE:"; the shipped matrices must give their README's n / nnz. */
#include "spartan/linalg.h"
#include "test_util.h"
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spartan_test_mmio_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

/* A path in the test's temporary directory (returned by value: no shared buffer). */
typedef struct tmp_name {
    char s[256];
} tmp_name;

static tmp_name tmp_path(const char *name)
{
    tmp_name t;
    snprintf(t.s, sizeof t.s, "%s/%s", tmpdir, name);
    return t;
}
static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void assert_csr_equal(const sp_csr *A, const sp_csr *B)
{
    assert_int_equal(A->rows, B->rows);
    assert_int_equal(A->cols, B->cols);
    assert_int_equal(A->nnz, B->nnz);
    assert_memory_equal(A->rowptr, B->rowptr, ((size_t)A->rows + 1) * sizeof *A->rowptr);
    if (A->nnz) {
        assert_memory_equal(A->colind, B->colind, (size_t)A->nnz * sizeof *A->colind);
        assert_memory_equal(A->val, B->val, (size_t)A->nnz * sizeof *A->val);
    }
}

/* Random n x m CSR with awkward values (tiny, huge, negative zero, explicit
 * zeros) in one triangle (tri = 0 all, 1 lower, 2 strict lower). */
static sp_csr random_csr(int n, int m, int64_t count, int tri, uint64_t seed)
{
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    int *ri = malloc((size_t)count * sizeof *ri), *ci = malloc((size_t)count * sizeof *ci);
    double *v = malloc((size_t)count * sizeof *v);
    static const double odd[] = {0.0, -0.0, 1e-310, -1.7976931348623157e308, 0.1, 1.0 / 3.0};
    for (int64_t k = 0; k < count; k++) {
        int i = (int)sp_rng_below(&rng, (uint64_t)n), j = (int)sp_rng_below(&rng, (uint64_t)m);
        if (tri && j > i) {
            int t = i;
            i = j;
            j = t;
        }
        if (tri == 2 && i == j) i = (i + 1) % n, j = i == 0 ? n - 1 : i - 1;
        if (tri == 2 && j > i) {
            int t = i;
            i = j;
            j = t;
        }
        ri[k] = i, ci[k] = j;
        v[k] =
            k < 6 ? odd[k] : sp_rng_normal(&rng) * pow(10.0, (double)sp_rng_below(&rng, 40) - 20);
    }
    sp_csr A;
    assert_int_equal(sp_csr_from_triplets(n, m, count, ri, ci, v, &A), SP_OK);
    free(ri), free(ci), free(v);
    return A;
}

static void test_round_trip_general(void **state)
{
    (void)state;
    sp_csr A = random_csr(57, 33, 600, 0, 1), B;
    sp_mm_info info;
    tmp_name path_name = tmp_path("general.mtx");
    const char *path = path_name.s;
    const char *comments = "first line\n second line\n%percent\n";
    assert_int_equal(sp_mm_write_csr(path, &A, SP_MM_GENERAL, comments), SP_OK);
    assert_int_equal(sp_mm_read(path, &B, &info), SP_OK);
    assert_csr_equal(&A, &B);
    assert_int_equal(info.format, SP_MM_COORDINATE);
    assert_int_equal(info.field, SP_MM_REAL);
    assert_int_equal(info.symmetry, SP_MM_GENERAL);
    assert_int_equal(info.rows, 57);
    assert_int_equal(info.cols, 33);
    assert_int_equal(info.stored, A.nnz);
    assert_int_equal(info.nnz, A.nnz);
    assert_int_equal(info.duplicates, 0);
    assert_string_equal(info.comments, "first line\n second line\n%percent\n");
    sp_mm_info_uninit(&info);
    sp_mm_info_uninit(&info);
    sp_csr_uninit(&B);
    assert_int_equal(sp_mm_write_csr(path, &A, SP_MM_GENERAL, NULL), SP_OK); /* overwrite */
    assert_int_equal(sp_mm_read(path, &B, NULL), SP_OK);
    assert_csr_equal(&A, &B);
    unlink(path);
    sp_csr_uninit(&A), sp_csr_uninit(&B);
}

/* Write the full matrix as symmetric / skew, read back: same full matrix. */
static void round_trip_symmetric(int sign)
{
    sp_csr L = random_csr(40, 40, 300, sign > 0 ? 1 : 2, 2), S, B;
    assert_int_equal(sp_csr_symmetric_expand(&L, sign, &S), SP_OK);
    sp_mm_symmetry sym = sign > 0 ? SP_MM_SYMMETRIC : SP_MM_SKEW_SYMMETRIC;
    tmp_name path_name = tmp_path("sym.mtx");
    const char *path = path_name.s;
    assert_int_equal(sp_mm_write_csr(path, &S, sym, "sym"), SP_OK);
    sp_mm_info info;
    assert_int_equal(sp_mm_read(path, &B, &info), SP_OK);
    assert_csr_equal(&S, &B);
    assert_int_equal(info.symmetry, sym);
    assert_int_equal(info.stored, L.nnz);
    assert_int_equal(info.nnz, S.nnz);
    unlink(path);
    sp_mm_info_uninit(&info);
    sp_csr_uninit(&L), sp_csr_uninit(&S), sp_csr_uninit(&B);
}

static void test_round_trip_symmetric_skew(void **state)
{
    (void)state;
    round_trip_symmetric(1);
    round_trip_symmetric(-1);
    sp_csr A = random_csr(3, 4, 5, 0, 3);
    assert_int_equal(sp_mm_write_csr(tmp_path("x.mtx").s, &A, SP_MM_SYMMETRIC, NULL), SP_EINVAL);
    assert_int_equal(sp_mm_write_csr("/nonexistent-dir/x.mtx", &A, SP_MM_GENERAL, NULL), SP_EIO);
    sp_csr_uninit(&A);
}

/* Read text as CSR, compare with the dense row-major `want` (rows x cols). */
static void check_read(const char *name, const char *text, int rows, int cols, const double *want,
                       sp_mm_field field, sp_mm_symmetry sym, int64_t stored, int64_t nnz)
{
    tmp_name path_name = tmp_path(name);
    const char *path = path_name.s;
    write_text(path, text);
    sp_csr A, B;
    sp_mm_info info;
    assert_int_equal(sp_mm_read(path, &A, &info), SP_OK);
    assert_int_equal(A.rows, rows);
    assert_int_equal(A.cols, cols);
    assert_int_equal(info.field, field);
    assert_int_equal(info.symmetry, sym);
    assert_int_equal(info.stored, stored);
    assert_int_equal(info.nnz, nnz);
    sp_dmat D;
    assert_int_equal(sp_csr_to_dense(&A, &D), SP_OK);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            assert_true(SP_AT(&D, i, j) == want[i * cols + j]);
    sp_dmat_uninit(&D);
    sp_mm_info_uninit(&info);
    /* through the (real, general) writer and back */
    assert_int_equal(sp_mm_write_csr(path, &A, SP_MM_GENERAL, NULL), SP_OK);
    assert_int_equal(sp_mm_read(path, &B, NULL), SP_OK);
    assert_csr_equal(&A, &B);
    unlink(path);
    sp_csr_uninit(&A), sp_csr_uninit(&B);
}

static void test_pattern_integer(void **state)
{
    (void)state;
    const double pat[] = {1, 0, 1, 0, 0, 1, 0, 1, 0};
    check_read("pat.mtx",
               "%%MatrixMarket matrix coordinate pattern general\n3 3 4\n1 1\n1 3\n2 3\n3 2\n", 3,
               3, pat, SP_MM_PATTERN, SP_MM_GENERAL, 4, 4);
    const double pats[] = {1, 1, 0, 1, 0, 1, 0, 1, 1};
    check_read("pats.mtx",
               "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 4\n1 1\n2 1\n3 2\n3 3\n", 3,
               3, pats, SP_MM_PATTERN, SP_MM_SYMMETRIC, 4, 6);
    const double ints[] = {5, -7, 0, -7, 0, 12, 0, 12, -3};
    check_read("int.mtx",
               "%%MatrixMarket matrix coordinate integer symmetric\n3 3 4\n1 1 5\n2 1 -7\n3 2 "
               "+12\n3 3 -3\n",
               3, 3, ints, SP_MM_INTEGER, SP_MM_SYMMETRIC, 4, 6);
    /* case-insensitive banner, CRLF, blank lines, tabs, no final newline, duplicates summed */
    const double misc[] = {2.5, 0, 0, 1e-3};
    check_read("misc.mtx",
               "%%MatrixMarket MATRIX Coordinate REAL General\r\n%c\r\n\r\n2 2 3\r\n"
               "1\t1  1.5\r\n\r\n2 2 .001\r\n1 1 1e0",
               2, 2, misc, SP_MM_REAL, SP_MM_GENERAL, 3, 2);
}

static void test_array(void **state)
{
    (void)state;
    sp_dmat D, E;
    assert_int_equal(sp_dmat_init(&D, 5, 3), SP_OK);
    sp_rng rng;
    sp_rng_seed(&rng, 9);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 5; i++)
            SP_AT(&D, i, j) = (i + j) % 3 ? sp_rng_normal(&rng) : 0.0;
    tmp_name path_name = tmp_path("array.mtx");
    const char *path = path_name.s;
    assert_int_equal(sp_mm_write_dense(path, &D, "dense"), SP_OK);
    sp_mm_info info;
    assert_int_equal(sp_mm_read_dense(path, &E, &info), SP_OK);
    assert_int_equal(info.format, SP_MM_ARRAY);
    assert_int_equal(info.stored, 15);
    assert_string_equal(info.comments, "dense");
    assert_int_equal(E.rows, 5);
    assert_int_equal(E.cols, 3);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 5; i++)
            assert_true(SP_AT(&E, i, j) == SP_AT(&D, i, j));
    sp_mm_info_uninit(&info);
    sp_csr A; /* as CSR: zeros left out */
    assert_int_equal(sp_mm_read(path, &A, &info), SP_OK);
    assert_int_equal(A.nnz, 10);
    assert_int_equal(info.nnz, 10);
    for (int i = 0; i < 5; i++)
        for (int64_t k = A.rowptr[i]; k < A.rowptr[i + 1]; k++)
            assert_true(A.val[k] == SP_AT(&D, i, A.colind[k]));
    sp_csr_uninit(&A);
    sp_mm_info_uninit(&info);
    sp_dmat_uninit(&D), sp_dmat_uninit(&E);
    const double sym[] = {1, 2, 3, 2, 4, 5, 3, 5, 6};
    check_read("asym.mtx", "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n", 3,
               3, sym, SP_MM_REAL, SP_MM_SYMMETRIC, 6, 9);
    const double skew[] = {0, -2, -3, 2, 0, -5, 3, 5, 0};
    check_read("askew.mtx", "%%MatrixMarket matrix array real skew-symmetric\n3 3\n2\n3\n5\n", 3, 3,
               skew, SP_MM_REAL, SP_MM_SKEW_SYMMETRIC, 3, 6);
    /* a coordinate file read densely */
    write_text(path, "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 4\n2 2 1\n");
    assert_int_equal(sp_mm_read_dense(path, &E, NULL), SP_OK);
    assert_true(SP_AT(&E, 0, 1) == 4.0 && SP_AT(&E, 1, 0) == 4.0 && SP_AT(&E, 1, 1) == 1.0);
    assert_true(SP_AT(&E, 0, 0) == 0.0);
    sp_dmat_uninit(&E);
    unlink(path);
}

static void test_gzip_and_special_values(void **state)
{
    (void)state;
    sp_csr A = random_csr(20, 20, 100, 0, 5), B;
    tmp_name plain_name = tmp_path("g.mtx");
    const char *plain = plain_name.s;
    assert_int_equal(sp_mm_write_csr(plain, &A, SP_MM_GENERAL, NULL), SP_OK);
    FILE *fp = fopen(plain, "rb");
    char gzname[300];
    snprintf(gzname, sizeof gzname, "%s.gz", plain);
    gzFile gz = gzopen(gzname, "wb");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        gzwrite(gz, buf, (unsigned)n);
    fclose(fp);
    gzclose(gz);
    assert_int_equal(sp_mm_read(gzname, &B, NULL), SP_OK);
    assert_csr_equal(&A, &B);
    unlink(gzname), unlink(plain);
    sp_csr_uninit(&A), sp_csr_uninit(&B);
    write_text(
        plain,
        "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 nan\n2 1 -inf\n2 2 1e999\n");
    assert_int_equal(sp_mm_read(plain, &A, NULL), SP_OK);
    assert_true(isnan(A.val[0]) && isinf(A.val[1]) && A.val[1] < 0 && isinf(A.val[2]));
    sp_csr_uninit(&A);
    unlink(plain);
    assert_int_equal(sp_mm_read(tmp_path("does-not-exist.mtx").s, &A, NULL), SP_EIO);
    assert_non_null(strstr(sp_errmsg(), "does-not-exist.mtx"));
}

/* Fast decimal path and strtod agree on every value they both parse. */
static void test_value_parsing_exact(void **state)
{
    (void)state;
    static const char *const texts[] = {"0.1",
                                        "-0.0",
                                        "123456789012345",
                                        "1234567890123456",
                                        "9007199254740993",
                                        "1e22",
                                        "1e23",
                                        "4.9e-324",
                                        "2.5e-308",
                                        "0.000000000000000000000000001",
                                        "17.9e-5",
                                        "+3.25E+2",
                                        "1.7976931348623157e308",
                                        "0.30000000000000004"};
    tmp_name path_name = tmp_path("values.mtx");
    const char *path = path_name.s;
    int count = (int)(sizeof texts / sizeof texts[0]);
    FILE *fp = fopen(path, "w");
    fprintf(fp, "%%%%MatrixMarket matrix array real general\n%d 1\n", count);
    for (int k = 0; k < count; k++)
        fprintf(fp, "%s\n", texts[k]);
    fclose(fp);
    sp_dmat D;
    assert_int_equal(sp_mm_read_dense(path, &D, NULL), SP_OK);
    for (int k = 0; k < count; k++) {
        double want = strtod(texts[k], NULL);
        assert_memory_equal(&SP_AT(&D, k, 0), &want, sizeof want);
    }
    sp_dmat_uninit(&D);
    unlink(path);
}

/* Every file of tests/data/bad/expected.tsv: SP_EFORMAT, "PATH:LINE:", substring. */
static void test_malformed_files(void **state)
{
    (void)state;
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s", test_data_path("bad/expected.tsv"));
    FILE *fp = fopen(manifest, "r");
    assert_non_null(fp);
    char line[1024];
    int checked = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        char name[256], want[512];
        int lineno;
        assert_int_equal(sscanf(line, "%255[^\t]\t%d\t%511[^\n]", name, &lineno, want), 3);
        char rel[300], path[4096], where[4200];
        snprintf(rel, sizeof rel, "bad/%s", name);
        snprintf(path, sizeof path, "%s", test_data_path(rel));
        snprintf(where, sizeof where, "%s:%d: ", path, lineno);
        sp_csr A;
        int rc = sp_mm_read(path, &A, NULL);
        if (rc != SP_EFORMAT || !strstr(sp_errmsg(), where) || !strstr(sp_errmsg(), want))
            fail_msg("%s: status %d, message '%s'; wanted '%s' and '%s'", name, rc, sp_errmsg(),
                     where, want);
        assert_null(A.rowptr);
        sp_dmat D;
        assert_int_equal(sp_mm_read_dense(path, &D, NULL), SP_EFORMAT);
        checked++;
    }
    fclose(fp);
    assert_true(checked >= 30);
}

static void test_malformed_inline(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *want;
    } cases[] = {
        {"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n\n%c\n2 2 2\n", 6,
         "more entries"},
        {"%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n\n\n", 6,
         "after 1 of the 2"},
        {"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\0 2\n", 3, "NUL byte"},
        {"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 99999999999999999999 1\n", 3,
         "column index 99999999999999999999 out of range [1, 2]"},
        {"%%MatrixMarket matrix coordinate real general\n2 2 9223372036854775808\n", 2,
         "number of entries (size line) 9223372036854775808 out of range"},
        {"%%MatrixMarket matrix coordinate real general\n2 2 9223372036854775807\n1 1 1\n", 4,
         "after 1 of the 9223372036854775807 entries"},
        {"%%MatrixMarket matrix coordinate real general extra\n", 1,
         "unexpected extra field 'extra'"},
        {"%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 5\n", 3, "upper triangle"},
        {"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 2 5\n", 3,
         "upper triangle"},
        {"%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 99999999999999999999\n", 3,
         "out of the 64-bit integer range"},
    };
    tmp_name path_name = tmp_path("bad.mtx");
    const char *path = path_name.s;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        FILE *fp = fopen(path, "wb");
        size_t len = strlen(cases[k].text);
        if (k == 2) len += 4; /* the NUL byte and what follows */
        fwrite(cases[k].text, 1, len, fp);
        fclose(fp);
        char where[300];
        snprintf(where, sizeof where, "%s:%d: ", path, cases[k].line);
        sp_csr A;
        int rc = sp_mm_read(path, &A, NULL);
        if (rc != SP_EFORMAT || !strstr(sp_errmsg(), where) || !strstr(sp_errmsg(), cases[k].want))
            fail_msg("case %zu: status %d, message '%s'", k, rc, sp_errmsg());
    }
    unlink(path);
}

/* The shipped copies (tests/data/README.md): n, stored, full nnz. */
static void test_shipped_matrices(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int n;
        int64_t stored, nnz;
        sp_mm_symmetry sym;
    } files[] = {
        {"bfwa62.mtx", 62, 450, 450, SP_MM_GENERAL},
        {"plat362.mtx", 362, 3074, 5786, SP_MM_SYMMETRIC},
        {"bcsstk06.mtx", 420, 4140, 7860, SP_MM_SYMMETRIC},
        {"mhd4800b.mtx", 4800, 16160, 27520, SP_MM_SYMMETRIC},
        {"nos4.mtx", 100, 347, 594, SP_MM_SYMMETRIC},
        {"rdb200.mtx", 200, 1120, 1120, SP_MM_GENERAL},
        {"west0479.mtx", 479, 1910, 1910, SP_MM_GENERAL},
        {"494_bus.mtx", 494, 1080, 1666, SP_MM_SYMMETRIC},
        {"olm500.mtx", 500, 1996, 1996, SP_MM_GENERAL},
        {"dwa512.mtx", 512, 2480, 2480, SP_MM_GENERAL},
    };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        sp_csr A;
        sp_mm_info info;
        int rc = sp_mm_read(test_data_path(files[k].name), &A, &info);
        if (rc != SP_OK) fail_msg("%s: %s", files[k].name, sp_errmsg());
        assert_int_equal(A.rows, files[k].n);
        assert_int_equal(A.cols, files[k].n);
        assert_int_equal(info.stored, files[k].stored);
        assert_int_equal(info.nnz, files[k].nnz);
        assert_int_equal(A.nnz, files[k].nnz);
        assert_int_equal(info.symmetry, files[k].sym);
        if (files[k].sym == SP_MM_SYMMETRIC) assert_small(sp_csr_asymmetry(&A), 0.0);
        sp_csr_uninit(&A);
        sp_mm_info_uninit(&info);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_general),
        cmocka_unit_test(test_round_trip_symmetric_skew),
        cmocka_unit_test(test_pattern_integer),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_gzip_and_special_values),
        cmocka_unit_test(test_value_parsing_exact),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_malformed_inline),
        cmocka_unit_test(test_shipped_matrices),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
