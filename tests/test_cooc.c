/* test_cooc.c: the co-occurrence builder. References: a brute-force dense
 * count (X^T X over the mapped rows) checked entry by entry, the hand counts of
 * tiny.tsv, and the in-memory accumulator against the spilling one. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "spartan/data.h"
#include "data/cooc_internal.h"
#include "test_util.h"

static const char *criteo_path(const char *name)
{
    static char buf[4200];
    snprintf(buf, sizeof buf, "%s", test_data_path("criteo"));
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "/%s", name);
    return buf;
}

static sp_vocab *build_vocab(const char *file, int64_t min_count, int64_t buckets)
{
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    vo.min_count = min_count;
    vo.hash_buckets = buckets;
    sp_vocab *v = NULL;
    assert_int_equal(sp_vocab_build_from_file(criteo_path(file), NULL, &vo, &v), SP_OK);
    return v;
}

/* Dense reference: X (rows x n, X[r][id] = 1 or summed weight), C = X^T X. */
static double *brute_force(const char *file, const sp_vocab *v, unsigned flags, int weighted,
                           int64_t *rows_out)
{
    int n = sp_vocab_n_ids(v);
    double *C = calloc((size_t)n * n, sizeof *C), *x = calloc((size_t)n, sizeof *x);
    assert_non_null(C);
    assert_non_null(x);
    sp_criteo_reader *r;
    assert_int_equal(sp_criteo_reader_open(&r, criteo_path(file), NULL), SP_OK);
    sp_criteo_row row;
    int ids[39];
    float w[39];
    int64_t rows = 0;
    while (sp_criteo_reader_next(r, &row) == 1) {
        int k = sp_feature_map(v, &row, flags, ids, w);
        memset(x, 0, (size_t)n * sizeof *x);
        for (int t = 0; t < k; t++) x[ids[t]] = weighted ? x[ids[t]] + w[t] : 1.0;
        int d = 0, u[39]; /* the row's distinct ids */
        for (int t = 0; t < k; t++) {
            int seen = 0;
            for (int q = 0; q < d; q++) seen |= u[q] == ids[t];
            if (!seen) u[d++] = ids[t];
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) C[(size_t)u[a] * n + u[b]] += x[u[a]] * x[u[b]];
        rows++;
    }
    sp_criteo_reader_close(r);
    free(x);
    if (rows_out) *rows_out = rows;
    return C;
}

static double *csr_dense(const sp_csr *A)
{
    double *D = calloc((size_t)A->rows * A->cols, sizeof *D);
    assert_non_null(D);
    for (int i = 0; i < A->rows; i++) {
        for (int64_t p = A->rowptr[i]; p < A->rowptr[i + 1]; p++) {
            if (p > A->rowptr[i]) assert_true(A->colind[p] > A->colind[p - 1]); /* sorted */
            D[(size_t)i * A->cols + A->colind[p]] = A->val[p];
        }
    }
    return D;
}

/* Max |A - B| relative to max |B| over all n x n entries (diagonal of B
 * ignored when !diagonal); also checks A has no entry where B is 0. */
static double compare(const sp_csr *A, const double *B, int n, int diagonal)
{
    double *D = csr_dense(A), err = 0, scale = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double b = (i == j && !diagonal) ? 0.0 : B[(size_t)i * n + j];
            double d = D[(size_t)i * n + j];
            if (b == 0.0 && d != 0.0) err = INFINITY;
            err = fmax(err, fabs(d - b));
            scale = fmax(scale, fabs(b));
        }
    free(D);
    return err / (scale > 0 ? scale : 1.0);
}

static int csr_identical(const sp_csr *A, const sp_csr *B)
{
    if (A->rows != B->rows || A->nnz != B->nnz) return 0;
    return !memcmp(A->rowptr, B->rowptr, ((size_t)A->rows + 1) * sizeof *A->rowptr) &&
           !memcmp(A->colind, B->colind, (size_t)A->nnz * sizeof *A->colind) &&
           !memcmp(A->val, B->val, (size_t)A->nnz * sizeof *A->val);
}

static void cooc_file(const char *file, const sp_vocab *v, unsigned flags,
                      const sp_cooc_options *co, sp_csr *C, sp_cooc_stats *st)
{
    int rc = sp_cooc_from_file(criteo_path(file), NULL, v, flags, co, C, st);
    if (rc < 0) print_error("%s\n", sp_errmsg());
    assert_int_equal(rc, SP_OK);
}

/* tiny.tsv: hand counts of the README, then every entry against brute force. */
static void test_tiny_counts(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("tiny.tsv", 1, 0);
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.diagonal = 1;
    sp_csr C;
    cooc_file("tiny.tsv", v, SP_MAP_SKIP_MISSING_INTS, &co, &C, NULL);
    assert_int_equal(C.rows, 69);
    double *D = csr_dense(&C);
    assert_true(D[62 * 69 + 63] == 3.0); /* C1 aaaaaaaa with C2 11111111: rows 1, 2, 6 */
    assert_true(D[63 * 69 + 62] == 3.0);
    assert_true(D[62 * 69 + 64] == 4.0); /* C1 aaaaaaaa with C3 deadbeef: rows 1, 2, 4, 6 */
    assert_true(D[62 * 69 + 62] == 5.0); /* rows holding C1 aaaaaaaa */
    assert_true(D[0 * 69 + 0] == 6.0);   /* I1 present on 6 rows */
    assert_true(D[0 * 69 + 13] == 1.0);  /* I1 with C1 missing (OOV): row 5 */
    assert_true(D[2 * 69 + 2] == 6.0);   /* I3 present on 6 rows (missing on 1, 4) */
    assert_true(D[39 * 69 + 40] == 8.0); /* C4 and C5 constant */
    free(D);
    double *B = brute_force("tiny.tsv", v, SP_MAP_SKIP_MISSING_INTS, 0, NULL);
    assert_small(compare(&C, B, 69, 1), 0.0);
    assert_small(sp_csr_asymmetry(&C), 0.0);
    sp_csr_uninit(&C);
    co.diagonal = 0; /* default: no diagonal */
    cooc_file("tiny.tsv", v, SP_MAP_SKIP_MISSING_INTS, &co, &C, NULL);
    assert_small(compare(&C, B, 69, 0), 0.0);
    sp_csr_uninit(&C);
    free(B);
    sp_vocab_free(v);
}

/* Weighted (products of MindSpore weights, all 39 ids) against brute force. */
static void test_weighted_against_brute_force(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("criteo_train_2000.txt.gz", 20, 0);
    int n = sp_vocab_n_ids(v);
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.weighted = 1;
    co.diagonal = 1;
    sp_csr C;
    cooc_file("criteo_train_2000.txt.gz", v, 0, &co, &C, NULL);
    double *B = brute_force("criteo_train_2000.txt.gz", v, 0, 1, NULL);
    assert_small(compare(&C, B, n, 1), 1e-12);
    sp_csr_uninit(&C);
    co.weighted = 0;
    cooc_file("criteo_train_2000.txt.gz", v, 0, &co, &C, NULL);
    free(B);
    B = brute_force("criteo_train_2000.txt.gz", v, 0, 0, NULL);
    assert_small(compare(&C, B, n, 1), 0.0);
    sp_csr_uninit(&C);
    free(B);
    sp_vocab_free(v);
}

/* A tiny budget forces hash-only accumulation with many spilled runs: the
 * same matrix, bit for bit in count mode. */
static void test_spilling_identical(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("criteo_train_2000.txt.gz", 2, 0);
    sp_cooc_options mem, tiny;
    sp_cooc_options_default(&mem);
    mem.diagonal = 1;
    tiny = mem;
    tiny.memory_bytes = 256 << 10;
    tiny.dense_ids = 0;
    sp_csr A, B, Cp;
    sp_cooc_stats sa, sb, sc;
    cooc_file("criteo_train_2000.txt.gz", v, 0, &mem, &A, &sa);
    cooc_file("criteo_train_2000.txt.gz", v, 0, &tiny, &B, &sb);
    assert_int_equal(sa.spills, 0);
    assert_int_equal(sa.dense_ids, 0); /* default: hot block and sorted store, no dense rows */
    assert_true(sb.spills >= 10);
    assert_int_equal(sb.dense_ids, 0);
    assert_true(csr_identical(&A, &B));
    tiny.dense_ids = 50; /* part dense rows, part stored and spilled */
    cooc_file("criteo_train_2000.txt.gz", v, 0, &tiny, &Cp, &sc);
    assert_int_equal(sc.dense_ids, 50);
    assert_true(sc.spills >= 1);
    assert_true(csr_identical(&A, &Cp));
    sp_csr_uninit(&B);
    sp_csr_uninit(&Cp);
    /* weighted: same up to summation order */
    mem.weighted = tiny.weighted = 1;
    tiny.dense_ids = 0;
    sp_csr_uninit(&A);
    cooc_file("criteo_train_2000.txt.gz", v, 0, &mem, &A, &sa);
    cooc_file("criteo_train_2000.txt.gz", v, 0, &tiny, &B, &sb);
    assert_true(sb.spills >= 10);
    double *Bd = csr_dense(&B);
    assert_small(compare(&A, Bd, A.rows, 1), 1e-13);
    free(Bd);
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    sp_vocab_free(v);
}

static void test_gzip_plain_identical(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("tiny.tsv", 1, 0);
    sp_vocab *vz = build_vocab("tiny.tsv.gz", 1, 0);
    assert_int_equal(sp_vocab_n_ids(v), sp_vocab_n_ids(vz));
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.weighted = 1;
    sp_csr A, B;
    cooc_file("tiny.tsv", v, 0, &co, &A, NULL);
    cooc_file("tiny.tsv.gz", vz, 0, &co, &B, NULL);
    assert_true(csr_identical(&A, &B));
    sp_csr_uninit(&A);
    sp_csr_uninit(&B);
    sp_vocab_free(v);
    sp_vocab_free(vz);
}

/* sym: C_ij / sqrt(D_i D_j), D = row sums; ppmi: max(0, log(C_ij N / (C_ii C_jj))). */
static void test_normalizations(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("criteo_train_2000.txt.gz", 20, 0);
    int n = sp_vocab_n_ids(v);
    int64_t rows;
    double *B = brute_force("criteo_train_2000.txt.gz", v, SP_MAP_SKIP_MISSING_INTS, 0, &rows);
    double *S = calloc((size_t)n * n, sizeof *S), *P = calloc((size_t)n * n, sizeof *P);
    double *d = calloc((size_t)n, sizeof *d);
    assert_non_null(S);
    assert_non_null(P);
    assert_non_null(d);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) d[i] += i == j ? 0.0 : B[(size_t)i * n + j];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double c = B[(size_t)i * n + j];
            if (i == j || c == 0) continue;
            S[(size_t)i * n + j] = c / sqrt(d[i] * d[j]);
            double pmi = log(c * (double)rows / (B[(size_t)i * n + i] * B[(size_t)j * n + j]));
            P[(size_t)i * n + j] = pmi > 0 ? pmi : 0;
        }
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.normalize = SP_COOC_NORM_SYM;
    sp_csr C;
    cooc_file("criteo_train_2000.txt.gz", v, SP_MAP_SKIP_MISSING_INTS, &co, &C, NULL);
    assert_small(compare(&C, S, n, 0), 1e-14);
    sp_csr_uninit(&C);
    co.normalize = SP_COOC_NORM_PPMI;
    cooc_file("criteo_train_2000.txt.gz", v, SP_MAP_SKIP_MISSING_INTS, &co, &C, NULL);
    assert_small(compare(&C, P, n, 0), 1e-14);
    for (int64_t p = 0; p < C.nnz; p++) assert_true(C.val[p] > 0.0);
    sp_csr_uninit(&C);
    free(S);
    free(P);
    free(d);
    free(B);
    sp_vocab_free(v);
}

/* Random rows with duplicates through sp_cooc_add, mostly hashed with spills
 * and forced count flushes, against a dense X^T X. */
static void test_random_rows(void **state)
{
    (void)state;
    const int n = 300, rows = 3000;
    double *B = calloc((size_t)n * n, sizeof *B), x[300];
    assert_non_null(B);
    sp_rng rng;
    sp_rng_seed(&rng, 7);
    sp_cooc *c1, *c2, *c3;
    sp_cooc_options o1, o2;
    sp_cooc_options_default(&o1);
    o1.diagonal = 1;
    o2 = o1;
    o2.memory_bytes = 64 << 10;
    o2.dense_ids = 40;
    assert_int_equal(sp_cooc_new(&c1, n, &o1), SP_OK);
    assert_int_equal(sp_cooc_new(&c2, n, &o2), SP_OK);
    assert_int_equal(sp_cooc_new(&c3, n, &o2), SP_OK);
    c2->sq32_limit = 100; /* exercise the flush of uint32 counts */
    c3->pack_limit = 3;   /* spills with a count of 3 or more go unpacked */
    for (int r = 0; r < rows; r++) {
        int k = 1 + (int)sp_rng_below(&rng, 30), ids[30];
        memset(x, 0, sizeof x);
        for (int t = 0; t < k; t++) {
            /* skewed ids with duplicates */
            double u = sp_rng_uniform(&rng);
            ids[t] = (int)(n * u * u * u);
            x[ids[t]] = 1.0;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n && x[i] != 0; j++) B[(size_t)i * n + j] += x[i] * x[j];
        assert_int_equal(sp_cooc_add(c1, ids, NULL, k), SP_OK);
        assert_int_equal(sp_cooc_add(c2, ids, NULL, k), SP_OK);
        assert_int_equal(sp_cooc_add(c3, ids, NULL, k), SP_OK);
        if (r % 1000 == 999) assert_int_equal(sp_cooc_flush(c1), SP_OK); /* more rows follow */
    }
    sp_csr A1, A2, A3;
    assert_int_equal(sp_cooc_finish(c1, &A1), SP_OK);
    assert_int_equal(sp_cooc_finish(c2, &A2), SP_OK);
    assert_int_equal(sp_cooc_finish(c3, &A3), SP_OK);
    assert_true(sp_cooc_get_stats(c3).spills >= 8);
    assert_true(sp_cooc_get_stats(c2).spills >= 8);
    assert_true(sp_cooc_get_stats(c2).run_merges >= 1); /* 64 KiB: at most 4 runs open */
    assert_true(c2->nruns < c2->max_runs && c3->nruns < c3->max_runs);
    assert_int_equal(sp_cooc_get_stats(c1).rows, rows);
    assert_int_equal(sp_cooc_get_stats(c1).nnz, A1.nnz);
    assert_small(compare(&A1, B, n, 1), 0.0);
    assert_true(csr_identical(&A1, &A2));
    assert_true(csr_identical(&A1, &A3));
    assert_int_equal(sp_cooc_add(c1, (int[]){1}, NULL, 1), SP_EINVAL); /* after finish */
    assert_int_equal(sp_cooc_flush(c1), SP_EINVAL);
    sp_cooc_free(c1);
    sp_cooc_free(c2);
    sp_cooc_free(c3);
    sp_csr_uninit(&A1);
    sp_csr_uninit(&A2);
    sp_csr_uninit(&A3);
    free(B);
}

/* One random row into ids and w (k of them). Skewed ids with duplicates;
 * weights 1 (counts) or random in [-1, 2) (weighted == 1); weighted == 2 is
 * Criteo-like: ids 0 and 1 in most rows with random weights (as integer
 * fields), the others distinct with weight 1. */
static int random_row(sp_rng *rng, int n, int weighted, int *ids, float *w)
{
    int k = (int)sp_rng_below(rng, 36);
    for (int t = 0; t < k; t++) {
        double u = sp_rng_uniform(rng);
        ids[t] = (int)(n * u * u * u);
        w[t] = weighted == 1 ? (float)(sp_rng_uniform(rng) * 3.0 - 1.0) : 1.0f;
        if (weighted != 2) continue;
        ids[t] = t < 2 ? t : 2 + (int)((n - 2) * u * u * u);
        w[t] = t < 2 ? (float)sp_rng_uniform(rng) : 1.0f;
        int dup = 0;
        for (int q = 2; q < t; q++) dup |= ids[q] == ids[t];
        t -= dup; /* distinct: draw again */
    }
    return k;
}

/* Random rows (random_row) into builders c[0..nb), and their dense sum into B. */
static void add_random_rows(sp_cooc **c, int nb, int n, int rows, int weighted, double *B)
{
    sp_rng rng;
    sp_rng_seed(&rng, 11);
    float *x = calloc((size_t)n, sizeof *x); /* a row's weights summed in float, input order */
    assert_non_null(x);
    for (int r = 0; r < rows; r++) {
        int ids[36];
        float w[36];
        int k = random_row(&rng, n, weighted, ids, w);
        for (int t = 0; t < k; t++) x[ids[t]] = weighted ? x[ids[t]] + w[t] : 1.0f;
        for (int t = 0; t < k; t++) { /* B += x x^T over the row's ids, once each */
            int i = ids[t], seen = 0;
            for (int q = 0; q < t; q++) seen |= ids[q] == i;
            for (int u = 0; u < k && !seen; u++) {
                int j = ids[u], dup = 0;
                for (int q = 0; q < u; q++) dup |= ids[q] == j;
                if (!dup) B[(size_t)i * n + j] += (double)x[i] * (double)x[j];
            }
        }
        for (int t = 0; t < k; t++) x[ids[t]] = 0.0f;
        for (int b = 0; b < nb; b++) assert_int_equal(sp_cooc_add(c[b], ids, w, k), SP_OK);
    }
    free(x);
}

/* The radix sort of runs against the comparison sort, for id widths of 1
 * to 31 bits (1 to 7 passes), with repeated keys and skipped passes. */
static void test_radix_sort(void **state)
{
    (void)state;
    const size_t n = 20000;
    sp_cooc_entry *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp),
                  *ref = malloc(n * sizeof *ref);
    assert_true(a && tmp && ref);
    sp_rng rng;
    sp_rng_seed(&rng, 3);
    const int widths[] = {1, 5, 11, 16, 20, 31};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        uint64_t top = (uint64_t)1 << widths[w];
        for (size_t k = 0; k < n; k++) {
            uint64_t i = sp_rng_below(&rng, top), j = k % 7 ? sp_rng_below(&rng, top) : i;
            a[k].key = i << 32 | j;
            a[k].val = (double)k; /* stability: equal keys keep their order */
        }
        memcpy(ref, a, n * sizeof *a);
        sp_cooc_sort_entries(ref, n);
        const sp_cooc_entry *got = sp_cooc_radix_sort(a, tmp, n, widths[w]);
        for (size_t k = 0; k < n; k++) {
            assert_true(got[k].key == ref[k].key);
            assert_true(k == 0 || got[k].key != got[k - 1].key || got[k].val > got[k - 1].val);
        }
    }
    free(a);
    free(tmp);
    free(ref);
}

static int by_word(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The sort of packed words (count mode's spills) on their bits lo..63, lo
 * from 2 to 56 (7 passes to 1): ordered by those bits, and the same words
 * as qsort's (nothing lost or duplicated). */
static void test_radix_sort_words(void **state)
{
    (void)state;
    const size_t n = 20000;
    uint64_t *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp),
             *ref = malloc(n * sizeof *ref);
    assert_true(a && tmp && ref);
    sp_rng rng;
    sp_rng_seed(&rng, 4);
    const int los[] = {2, 8, 20, 26, 44, 56};
    for (size_t l = 0; l < sizeof los / sizeof los[0]; l++) {
        for (size_t k = 0; k < n; k++)
            a[k] = sp_rng_below(&rng, (uint64_t)1 << (64 - los[l])) << los[l] | (k & 3);
        memcpy(ref, a, n * sizeof *a);
        const uint64_t *got = sp_cooc_radix_sort_words(a, tmp, n, los[l]);
        for (size_t k = 1; k < n; k++) assert_true(got[k - 1] >> los[l] <= got[k] >> los[l]);
        qsort(ref, n, sizeof *ref, by_word);
        uint64_t *sorted = malloc(n * sizeof *sorted);
        assert_non_null(sorted);
        memcpy(sorted, got, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, by_word); /* same multiset */
        assert_memory_equal(sorted, ref, n * sizeof *ref);
        free(sorted);
    }
    free(a);
    free(tmp);
    free(ref);
}

/* Spilled runs decode to what was written, through a window barely larger
 * than one entry: deltas of 1 to 2^63 (a new row i jumps by 2^32), counts of
 * 1 to 2^53 and weighted values of every kind, two runs one after another. */
static void test_run_codec(void **state)
{
    (void)state;
    const size_t n = 3000;
    sp_cooc_entry *e = malloc(n * sizeof *e);
    assert_non_null(e);
    for (int weighted = 0; weighted < 2; weighted++) {
        sp_cooc_options o;
        sp_cooc_options_default(&o);
        o.weighted = weighted;
        o.memory_bytes = 64 << 10; /* max_runs 4: two runs stay apart */
        sp_cooc *c = NULL;
        assert_int_equal(sp_cooc_new(&c, 10, &o), SP_OK);
        sp_rng rng;
        sp_rng_seed(&rng, 11);
        uint64_t key = (uint64_t)1 << 63; /* the first delta: a 10-byte varint */
        for (size_t k = 0; k < n; k++) {
            int bits = (int)sp_rng_below(&rng, 63);
            e[k].key = key;
            key += 1 + (sp_rng_below(&rng, 4) ? sp_rng_below(&rng, 300) : ((uint64_t)1 << bits) >> 14);
            uint64_t count = ((uint64_t)1 << sp_rng_below(&rng, 54)) + sp_rng_below(&rng, 3);
            if (count > (uint64_t)1 << 53) count = (uint64_t)1 << 53;
            e[k].val = weighted ? (sp_rng_uniform(&rng) - 0.5) * ldexp(1.0, (int)sp_rng_below(&rng, 2000) - 1000)
                                : (double)count;
        }
        assert_int_equal(sp_cooc_spill_entries(c, e, n / 2), SP_OK);
        assert_int_equal(sp_cooc_spill_entries(c, e + n / 2, n - n / 2), SP_OK);
        assert_int_equal((int)c->nruns, 2);
        assert_true(c->runs[0].bytes < (int64_t)(n / 2 * sizeof *e)); /* smaller than raw */
        assert_int_equal(fflush(c->spill), 0);
        for (size_t r = 0, k = 0; r < 2; r++) {
            sp_cooc_run_reader rd;
            assert_int_equal(sp_cooc_run_reader_init(&rd, c, &c->runs[r], 1), SP_OK);
            uint64_t got;
            double v;
            while (sp_cooc_run_next(&rd, &got, &v) == 1) {
                assert_true(k < n);
                assert_true(got == e[k].key);
                assert_memory_equal(&v, &e[k].val, sizeof v);
                k++;
            }
            assert_int_equal((int)k, r == 0 ? (int)(n / 2) : (int)n);
            free(rd.buf);
        }
        sp_cooc_free(c);
    }
    free(e);
}

/* Rows with many ids in most rows (as Criteo's integer fields): 70 ids
 * present with probability 0.55-0.99, so more than the 64 dense ids a chunk
 * keeps; some rows lack them, some rows are empty; count mode, whole matrix
 * and a row block, several chunks: entry by entry against brute force, and
 * bit for bit against a build without hot ids (hence without dense ids). */
static void test_dense_ids(void **state)
{
    (void)state;
    const int n = 300, rows = 4000;
    for (int block = 0; block < 2; block++) {
        double *B = calloc((size_t)n * n, sizeof *B);
        assert_non_null(B);
        sp_cooc *c[2];
        sp_csr A[2];
        for (int b = 0; b < 2; b++) {
            sp_cooc_options o;
            sp_cooc_options_default(&o);
            o.diagonal = 1;
            o.row_begin = block ? 40 : 0;
            o.row_end = block ? 130 : 0;
            o.memory_bytes = 1 << 20; /* chunks of a few hundred rows */
            assert_int_equal(sp_cooc_new(&c[b], n, &o), SP_OK);
            c[b]->hot_req = b ? 0 : 120;
        }
        sp_rng rng;
        sp_rng_seed(&rng, 5);
        for (int r = 0; r < rows; r++) {
            int ids[120], k = 0;
            unsigned char in[300] = {0};
            for (int d = 0; d < 70 && r % 97 != 0; d++)
                if (sp_rng_uniform(&rng) < 0.55 + 0.44 * d / 70.0) ids[k++] = 3 * d + 1;
            for (int t = (int)sp_rng_below(&rng, 12); t > 0 && r % 97 != 0; t--)
                ids[k++] = 210 + (int)sp_rng_below(&rng, 90);
            if (k > 1) ids[k++] = ids[0]; /* a duplicate */
            for (int t = 0; t < k; t++) in[ids[t]] = 1;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n && in[i]; j++) B[(size_t)i * n + j] += in[j];
            for (int b = 0; b < 2; b++) assert_int_equal(sp_cooc_add(c[b], ids, NULL, k), SP_OK);
        }
        for (int b = 0; b < 2; b++) assert_int_equal(sp_cooc_finish(c[b], &A[b]), SP_OK);
        assert_int_equal(c[0]->ch.nd, 64); /* dense ids were in use */
        assert_int_equal(c[1]->ch.nd, 0);
        int lo = block ? 40 : 0, m = block ? 90 : n;
        for (int b = 0; b < 2; b++) {
            double *D = csr_dense(&A[b]);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    assert_true(D[(size_t)i * n + j] == B[(size_t)(lo + i) * n + j]);
            free(D);
        }
        assert_true(csr_identical(&A[0], &A[1]));
        for (int b = 0; b < 2; b++) {
            sp_csr_uninit(&A[b]);
            sp_cooc_free(c[b]);
        }
        free(B);
    }
}

/* The hot block (pairs of the most frequent ids, added row by row) against
 * the chunk path alone (no hot id), everything hot, and a spilling build with
 * dense rows; counts and weights, whole matrix and a row block: entry by
 * entry against brute force, and bit for bit between the in-memory builds. */
static void test_hot_block(void **state)
{
    (void)state;
    const int n = 400, rows = 5000, hot[4] = {150, 0, 400, 23};
    for (int weighted = 0; weighted < 3; weighted++) { /* 2: Criteo-like weights */
        for (int block = 0; block < 2; block++) {
            double *B = calloc((size_t)n * n, sizeof *B);
            assert_non_null(B);
            sp_cooc *c[4];
            sp_csr A[4];
            for (int b = 0; b < 4; b++) {
                sp_cooc_options o;
                sp_cooc_options_default(&o);
                o.weighted = weighted != 0;
                o.diagonal = 1;
                o.row_begin = block ? 90 : 0;
                o.row_end = block ? 250 : 0;
                o.memory_bytes = 16 << 20; /* the same chunks, no spills */
                if (b == 3) {
                    o.memory_bytes = 64 << 10;
                    o.dense_ids = 12;
                }
                assert_int_equal(sp_cooc_new(&c[b], n, &o), SP_OK);
                c[b]->hot_req = hot[b];
            }
            add_random_rows(c, 4, n, rows, weighted, B);
            for (int b = 0; b < 4; b++) assert_int_equal(sp_cooc_finish(c[b], &A[b]), SP_OK);
            assert_int_equal(c[0]->H, 150);
            assert_true(sp_cooc_get_stats(c[3]).spills >= 2);
            assert_int_equal(sp_cooc_get_stats(c[0]).spills + sp_cooc_get_stats(c[1]).spills, 0);
            int lo = block ? 90 : 0, m = block ? 160 : n;
            for (int b = 0; b < 4; b++) {
                assert_int_equal(A[b].rows, m);
                double *D = csr_dense(&A[b]), err = 0.0;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double ref = B[(size_t)(lo + i) * n + j], d = D[(size_t)i * n + j];
                        if (ref == 0.0) assert_true(d == 0.0);
                        err = fmax(err, fabs(d - ref));
                    }
                assert_small(err, weighted ? 1e-9 * rows : 0.0);
                free(D);
                if (b < 3) assert_true(csr_identical(&A[b], &A[0]));
            }
            for (int b = 0; b < 4; b++) {
                sp_csr_uninit(&A[b]);
                sp_cooc_free(c[b]);
            }
            free(B);
        }
    }
}

/* Count mode's column pass lists every partner (hot or cold) and sorts the
 * list: long rows with duplicates give columns with hundreds of partners per
 * chunk. Several chunks, no hot id / a few / the default, whole matrix, a
 * row block and a spilling build: entry by entry against brute force. */
static void test_count_columns(void **state)
{
    (void)state;
    const int n = 700, rows = 1500, hot[3] = {0, 9, -1};
    int *B = calloc((size_t)n * n, sizeof *B);
    assert_non_null(B);
    sp_cooc *c[6];
    for (int b = 0; b < 6; b++) {
        sp_cooc_options o;
        sp_cooc_options_default(&o);
        o.diagonal = 1;
        o.memory_bytes = b == 5 ? 64 << 10 : 1 << 20; /* several chunks; spills */
        o.row_begin = b >= 3 ? 200 : 0;
        o.row_end = b >= 3 ? 450 : 0;
        assert_int_equal(sp_cooc_new(&c[b], n, &o), SP_OK);
        c[b]->hot_req = hot[b % 3];
    }
    sp_rng rng;
    sp_rng_seed(&rng, 23);
    unsigned char *x = calloc((size_t)n, 1);
    assert_non_null(x);
    for (int r = 0; r < rows; r++) {
        int k = 1 + (int)sp_rng_below(&rng, 80), ids[80], d[80], nd = 0;
        for (int t = 0; t < k; t++) {
            double u = sp_rng_uniform(&rng);
            ids[t] = (int)(n * u * u);
            if (!x[ids[t]]) d[nd++] = ids[t];
            x[ids[t]] = 1;
        }
        for (int p = 0; p < nd; p++)
            for (int q = 0; q < nd; q++) B[(size_t)d[p] * n + d[q]]++;
        for (int p = 0; p < nd; p++) x[d[p]] = 0;
        for (int b = 0; b < 6; b++) assert_int_equal(sp_cooc_add(c[b], ids, NULL, k), SP_OK);
    }
    for (int b = 0; b < 6; b++) {
        sp_csr A;
        assert_int_equal(sp_cooc_finish(c[b], &A), SP_OK);
        int lo = b >= 3 ? 200 : 0, m = b >= 3 ? 250 : n;
        assert_int_equal(A.rows, m);
        if (b == 5) assert_true(sp_cooc_get_stats(c[b]).spills >= 1);
        double *D = csr_dense(&A);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                assert_true(D[(size_t)i * n + j] == (double)B[(size_t)(lo + i) * n + j]);
        free(D);
        sp_csr_uninit(&A);
        sp_cooc_free(c[b]);
    }
    free(x);
    free(B);
}

static void test_argument_errors(void **state)
{
    (void)state;
    sp_cooc *c1;
    sp_cooc_options o1;
    sp_cooc_options_default(&o1);
    assert_int_equal(sp_cooc_new(&c1, 10, NULL), SP_OK);
    assert_int_equal(sp_cooc_add(c1, (int[]){1, 10}, NULL, 2), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "row 1: id 10 outside [0, 10)"));
    sp_cooc_free(c1);
    o1.memory_bytes = 1000;
    assert_int_equal(sp_cooc_new(&c1, 10, &o1), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "memory budget"));
    o1.memory_bytes = 1 << 20;
    o1.weighted = 1;
    assert_int_equal(sp_cooc_new(&c1, 10, &o1), SP_OK);
    assert_int_equal(sp_cooc_add(c1, (int[]){1, 2}, (float[]){1.0f, NAN}, 2), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "not finite"));
    sp_cooc_free(c1);
}

/* A budget the arrays sized by n fill (200,000 ids, about 7 MiB, against
 * 1 MiB): the pairs still get a quarter of it, so the runs are thousands of
 * entries long, not a few dozen; the result is the default build's. */
static void test_small_budget(void **state)
{
    (void)state;
    const int n = 200000, rows = 4000;
    sp_cooc *c[2];
    sp_cooc_options o[2];
    for (int b = 0; b < 2; b++) {
        sp_cooc_options_default(&o[b]);
        if (b == 1) o[b].memory_bytes = 1 << 20;
        assert_int_equal(sp_cooc_new(&c[b], n, &o[b]), SP_OK);
    }
    sp_rng rng;
    sp_rng_seed(&rng, 11);
    for (int r = 0; r < rows; r++) {
        int ids[20];
        for (int t = 0; t < 20; t++) ids[t] = (int)sp_rng_below(&rng, 3000) * 61;
        for (int b = 0; b < 2; b++) assert_int_equal(sp_cooc_add(c[b], ids, NULL, 20), SP_OK);
    }
    sp_csr A[2];
    for (int b = 0; b < 2; b++) assert_int_equal(sp_cooc_finish(c[b], &A[b]), SP_OK);
    sp_cooc_stats big = sp_cooc_get_stats(c[0]), small = sp_cooc_get_stats(c[1]);
    assert_int_equal(big.memory_bytes, (int64_t)o[0].memory_bytes);
    assert_int_equal(big.spills, 0);
    assert_true(small.memory_bytes > (int64_t)n * 30 + (int64_t)o[1].memory_bytes / 4);
    assert_true(small.spills >= 10);
    assert_true(small.spills * 2000 < A[1].nnz); /* a store of 64 entries: about nnz / 100 */
    assert_true(csr_identical(&A[0], &A[1]));
    for (int b = 0; b < 2; b++) {
        sp_cooc_free(c[b]);
        sp_csr_uninit(&A[b]);
    }
}

/* Row blocks (one per MPI rank) stacked give the full matrix, also with
 * spilling and ppmi; sym is refused for a block. */
static void test_row_blocks(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("criteo_train_2000.txt.gz", 10, 0);
    int n = sp_vocab_n_ids(v), cut[3] = {0, 57, n};
    for (int norm = 0; norm < 2; norm++) {
        sp_cooc_options co;
        sp_cooc_options_default(&co);
        co.diagonal = 1;
        co.normalize = norm ? SP_COOC_NORM_PPMI : SP_COOC_NORM_NONE;
        sp_csr full, part;
        cooc_file("criteo_train_2000.txt.gz", v, 0, &co, &full, NULL);
        co.memory_bytes = 64 << 10;
        int64_t nnz = 0;
        for (int b = 0; b < 2; b++) {
            co.row_begin = cut[b];
            co.row_end = cut[b + 1];
            cooc_file("criteo_train_2000.txt.gz", v, 0, &co, &part, NULL);
            assert_int_equal(part.rows, cut[b + 1] - cut[b]);
            assert_int_equal(part.cols, n);
            int64_t off = full.rowptr[cut[b]];
            for (int r = 0; r <= part.rows; r++)
                assert_int_equal(part.rowptr[r], full.rowptr[cut[b] + r] - off);
            assert_memory_equal(part.colind, full.colind + off, (size_t)part.nnz * sizeof(int));
            assert_memory_equal(part.val, full.val + off, (size_t)part.nnz * sizeof(double));
            nnz += part.nnz;
            sp_csr_uninit(&part);
        }
        assert_int_equal(nnz, full.nnz);
        sp_csr_uninit(&full);
    }
    sp_cooc *c;
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.row_begin = 1;
    co.row_end = 5;
    co.normalize = SP_COOC_NORM_SYM;
    assert_int_equal(sp_cooc_new(&c, 10, &co), SP_EINVAL);
    assert_non_null(strstr(sp_errmsg(), "sym normalization needs every row"));
    co.normalize = SP_COOC_NORM_NONE;
    co.row_end = 11;
    assert_int_equal(sp_cooc_new(&c, 10, &co), SP_EINVAL);
    sp_vocab_free(v);
}

/* Hash mode collides fields into one bucket: X sums the weights there. */
static void test_hash_mode_duplicates(void **state)
{
    (void)state;
    sp_vocab *v = build_vocab("criteo_train_2000.txt.gz", 0, 50);
    int n = sp_vocab_n_ids(v);
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    co.diagonal = 1;
    co.weighted = 1;
    sp_csr C;
    cooc_file("criteo_train_2000.txt.gz", v, 0, &co, &C, NULL);
    double *B = brute_force("criteo_train_2000.txt.gz", v, 0, 1, NULL);
    assert_small(compare(&C, B, n, 1), 1e-12);
    sp_csr_uninit(&C);
    free(B);
    sp_vocab_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_counts),
        cmocka_unit_test(test_weighted_against_brute_force),
        cmocka_unit_test(test_dense_ids),
        cmocka_unit_test(test_radix_sort),
        cmocka_unit_test(test_radix_sort_words),
        cmocka_unit_test(test_run_codec),
        cmocka_unit_test(test_spilling_identical),
        cmocka_unit_test(test_small_budget),
        cmocka_unit_test(test_gzip_plain_identical),
        cmocka_unit_test(test_normalizations),
        cmocka_unit_test(test_random_rows),
        cmocka_unit_test(test_hot_block),
        cmocka_unit_test(test_count_columns),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_hash_mode_duplicates),
        cmocka_unit_test(test_row_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
