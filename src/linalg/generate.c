/* generate.c: matrices made on the spot (Laplacians, random sparse, power-law
 * co-occurrence-like), built row by row straight into CSR (sorted, no duplicates),
 * whole or as a block of rows (generate_rows.c) from the same draws.
 * Guarantees: deterministic from the seed (serial sp_rng streams); memory is
 * the CSR plus O(n) or the sampled pair list. Does not write files (see sp_mm_write_csr). */
#include "spartan/generate.h"
#include "linalg/generate_internal.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSR storage ------------------------------------------------------- */

static void csr_release(sp_csr *A)
{
    free(A->rowptr);
    free(A->colind);
    free(A->val);
    memset(A, 0, sizeof *A);
}

/* rowptr (n+1), colind and val (nnz) allocated; A->nnz set. */
static int csr_alloc(sp_csr *A, int rows, int cols, int64_t nnz)
{
    memset(A, 0, sizeof *A);
    A->rows = rows;
    A->cols = cols;
    A->nnz = nnz;
    A->rowptr = sp_malloc(((size_t)rows + 1) * sizeof *A->rowptr);
    A->colind = sp_malloc((size_t)nnz * sizeof *A->colind);
    A->val = sp_malloc((size_t)nnz * sizeof *A->val);
    if (!A->rowptr || !A->colind || !A->val) {
        csr_release(A);
        return sp_error(SP_ENOMEM, "generate: no memory for a %d x %d matrix with %lld nonzeros",
                        rows, cols, (long long)nnz);
    }
    return SP_OK;
}

int sp_gen_csr_alloc(sp_csr *A, int rows, int cols, int64_t nnz)
{
    return csr_alloc(A, rows, cols, nnz);
}

/* ---- Laplacians -------------------------------------------------------- */

/* Append the stencil row of grid point r (coords c[0..dims-1], strides s[])
 * at position *pos: neighbours in increasing column order, diagonal 2 dims. */
void sp_gen_laplace_row(int dims, int N, const int *c, const int64_t *s, int64_t r, sp_csr *A,
                        int64_t *pos)
{
    for (int d = dims - 1; d >= 0; d--)
        if (c[d] > 0) {
            A->colind[*pos] = (int)(r - s[d]);
            A->val[(*pos)++] = -1.0;
        }
    A->colind[*pos] = (int)r;
    A->val[(*pos)++] = 2.0 * dims;
    for (int d = 0; d < dims; d++)
        if (c[d] < N - 1) {
            A->colind[*pos] = (int)(r + s[d]);
            A->val[(*pos)++] = -1.0;
        }
}

/* (2 dims + 1)-point Laplacian on an N^dims grid, r = c0 + c1 N + c2 N^2. */
static int laplace_grid(int dims, int N, sp_csr *A)
{
    int64_t s[3] = {1, N, (int64_t)N * N};
    int64_t n = s[dims - 1] * N;
    int64_t nnz = n + 2 * (int64_t)dims * (n / N) * (N - 1);
    int rc = csr_alloc(A, (int)n, (int)n, nnz);
    if (rc < 0) return rc;
    int c[3] = {0, 0, 0};
    int64_t pos = 0;
    for (int64_t r = 0; r < n; r++) {
        A->rowptr[r] = pos;
        sp_gen_laplace_row(dims, N, c, s, r, A, &pos);
        for (int d = 0; d < dims && ++c[d] == N; d++)
            c[d] = 0; /* odometer */
    }
    A->rowptr[n] = pos;
    return pos == nnz ? SP_OK
                      : sp_error(SP_EINTERNAL, "laplace: %lld entries, expected %lld",
                                 (long long)pos, (long long)nnz);
}

int sp_gen_laplace2d(int N, sp_csr *A)
{
    if (!A) return sp_error(SP_EINVAL, "sp_gen_laplace2d: A is NULL");
    if (N < 1 || N > 46340)
        return sp_error(SP_EINVAL,
                        "sp_gen_laplace2d: N = %d must be in [1, 46340] (n = N^2 is an int)", N);
    return laplace_grid(2, N, A);
}

int sp_gen_laplace3d(int N, sp_csr *A)
{
    if (!A) return sp_error(SP_EINVAL, "sp_gen_laplace3d: A is NULL");
    if (N < 1 || N > 1290)
        return sp_error(SP_EINVAL,
                        "sp_gen_laplace3d: N = %d must be in [1, 1290] (n = N^3 is an int)", N);
    return laplace_grid(3, N, A);
}

/* ---- random sparse ----------------------------------------------------- */

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Floyd's algorithm: R distinct columns of [0, n) into cols, sorted.
 * mark[c] == row means c is already taken in this row. */
void sp_gen_sample_columns(sp_rng *rng, int n, int R, int row, int *mark, int *cols)
{
    int k = 0;
    for (int j = n - R; j < n; j++) {
        int t = (int)sp_rng_below(rng, (uint64_t)j + 1);
        if (mark[t] == row) t = j;
        mark[t] = row;
        cols[k++] = t;
    }
    qsort(cols, (size_t)R, sizeof *cols, compare_int);
}

int sp_gen_random_sparse(int n, int nnz_per_row, uint64_t seed, sp_csr *A)
{
    if (!A) return sp_error(SP_EINVAL, "sp_gen_random_sparse: A is NULL");
    if (n < 1) return sp_error(SP_EINVAL, "sp_gen_random_sparse: n = %d must be >= 1", n);
    if (nnz_per_row < 1)
        return sp_error(SP_EINVAL, "sp_gen_random_sparse: nnz_per_row = %d must be >= 1",
                        nnz_per_row);
    int R = nnz_per_row < n ? nnz_per_row : n;
    int *mark = sp_malloc((size_t)n * sizeof *mark);
    if (!mark) return SP_ENOMEM;
    for (int i = 0; i < n; i++)
        mark[i] = -1;
    int rc = csr_alloc(A, n, n, (int64_t)n * R);
    if (rc < 0) {
        free(mark);
        return rc;
    }
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    for (int i = 0; i < n; i++) {
        int64_t p = (int64_t)i * R;
        A->rowptr[i] = p;
        sp_gen_sample_columns(&rng, n, R, i, mark, A->colind + p);
        for (int k = 0; k < R; k++)
            A->val[p + k] = 2.0 * sp_rng_uniform(&rng) - 1.0;
    }
    A->rowptr[n] = (int64_t)n * R;
    free(mark);
    return SP_OK;
}

/* ---- power-law co-occurrence: Zipf sampler ----------------------------- */

/* Continuous power law x^-alpha on [0.5, n + 0.5), rounded to ranks 0..n-1. */
typedef struct zipf_sampler {
    int n;
    int log_mode;     /* alpha == 1 */
    double a, b, exp; /* x = (a + u b)^exp, or exp(a + u b) in log mode */
} zipf_sampler;

static void zipf_init(zipf_sampler *z, int n, double alpha)
{
    double lo = 0.5, hi = n + 0.5;
    z->n = n;
    z->log_mode = fabs(alpha - 1.0) < 1e-12;
    if (z->log_mode) {
        z->a = log(lo);
        z->b = log(hi) - log(lo);
        z->exp = 1.0;
    } else {
        double q = 1.0 - alpha;
        z->a = pow(lo, q);
        z->b = pow(hi, q) - z->a;
        z->exp = 1.0 / q;
    }
}

static int zipf_draw(const zipf_sampler *z, sp_rng *rng)
{
    double u = sp_rng_uniform(rng);
    double x = z->log_mode ? exp(z->a + u * z->b) : pow(z->a + u * z->b, z->exp);
    long r = (long)(x + 0.5) - 1;
    if (r < 0) r = 0;
    if (r >= z->n) r = z->n - 1;
    return (int)r;
}

/* ---- power-law co-occurrence: sorted pair list with counts ------------- */

/* Distinct unordered pairs f < g as keys f n + g, sorted, with draw counts. */
typedef sp_gen_pairs pair_list; /* generate_internal.h */

static void pair_list_free(pair_list *p)
{
    free(p->key);
    free(p->count);
    memset(p, 0, sizeof *p);
}

/* LSD radix sort of keys < 2^bits with 16-bit digits; tmp has len entries,
 * bucket 65537. The sorted keys end up in key. */
static void radix_sort_u64(uint64_t *key, uint64_t *tmp, int64_t len, int bits, size_t *bucket)
{
    uint64_t *src = key, *dst = tmp;
    for (int shift = 0; shift < bits; shift += 16) {
        memset(bucket, 0, 65537 * sizeof *bucket);
        for (int64_t i = 0; i < len; i++)
            bucket[((src[i] >> shift) & 0xFFFF) + 1]++;
        for (int d = 0; d < 65536; d++)
            bucket[d + 1] += bucket[d];
        for (int64_t i = 0; i < len; i++)
            dst[bucket[(src[i] >> shift) & 0xFFFF]++] = src[i];
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != key) memcpy(key, src, (size_t)len * sizeof *key);
}

/* Collapse equal neighbours of sorted raw keys into (key, count), in place. */
static int64_t unique_with_counts(uint64_t *key, uint32_t *count, int64_t len)
{
    int64_t out = -1;
    for (int64_t i = 0; i < len; i++) {
        if (out >= 0 && key[out] == key[i]) {
            count[out]++;
        } else {
            key[++out] = key[i];
            count[out] = 1;
        }
    }
    return out + 1;
}

/* Merge sorted (key, count) lists a and b into a new list; frees both. */
static int pair_list_merge(pair_list *a, pair_list *b)
{
    pair_list m = {sp_malloc((size_t)(a->len + b->len) * sizeof *m.key),
                   sp_malloc((size_t)(a->len + b->len) * sizeof *m.count), 0};
    if (!m.key || !m.count) {
        pair_list_free(&m);
        return SP_ENOMEM;
    }
    int64_t i = 0, j = 0;
    while (i < a->len || j < b->len) {
        if (j == b->len || (i < a->len && a->key[i] < b->key[j])) {
            m.key[m.len] = a->key[i];
            m.count[m.len++] = a->count[i++];
        } else if (i == a->len || b->key[j] < a->key[i]) {
            m.key[m.len] = b->key[j];
            m.count[m.len++] = b->count[j++];
        } else {
            m.key[m.len] = a->key[i];
            m.count[m.len++] = a->count[i++] + b->count[j++];
        }
    }
    pair_list_free(a);
    pair_list_free(b);
    *a = m;
    return SP_OK;
}

/* Which drawn pairs a process keeps: all of them, or those touching its rows. */
static int pair_kept(const sp_gen_pair_keep *keep, int f, int g)
{
    return keep->all || (f >= keep->row0 && f < keep->row1) || (g >= keep->row0 && g < keep->row1);
}

/* key (capacity *cap, *len used) grown to hold one more entry. */
static int key_reserve(uint64_t **key, int64_t *cap, int64_t len, int64_t limit)
{
    if (len < *cap) return SP_OK;
    int64_t grown = *cap * 2 < limit ? *cap * 2 : limit;
    uint64_t *k = sp_realloc(*key, (size_t)grown * sizeof *k);
    if (!k) return SP_ENOMEM;
    *key = k;
    *cap = grown;
    return SP_OK;
}

/* One Chung-Lu pair f < g (redrawn while f == g). */
static void draw_pair(const zipf_sampler *z, sp_rng *rng, int *f, int *g)
{
    do {
        *f = zipf_draw(z, rng);
        *g = zipf_draw(z, rng);
    } while (*f == *g);
    if (*f > *g) {
        int s = *f;
        *f = *g;
        *g = s;
    }
}

/* Draw `draws` Chung-Lu pairs (f != g), keep those `keep` selects, sort and
 * collapse them into *out. The draws never depend on what is kept. */
static int draw_pairs(const zipf_sampler *z, sp_rng *rng, int64_t draws, const sp_gen_pair_keep *keep,
                      int bits, size_t *bucket, pair_list *out)
{
    int64_t cap = keep->all || draws < (1 << 20) ? draws : (1 << 20), len = 0;
    uint64_t *key = sp_malloc((size_t)cap * sizeof *key), *tmp = NULL;
    int rc = key ? SP_OK : SP_ENOMEM;
    for (int64_t t = 0; rc == SP_OK && t < draws; t++) {
        int f, g;
        draw_pair(z, rng, &f, &g);
        if (!pair_kept(keep, f, g)) continue;
        if ((rc = key_reserve(&key, &cap, len, draws)) == SP_OK)
            key[len++] = (uint64_t)f * (uint64_t)z->n + (uint64_t)g;
    }
    if (rc == SP_OK) tmp = sp_malloc((size_t)(len > 0 ? len : 1) * sizeof *tmp);
    if (!tmp) {
        free(key);
        free(tmp);
        return SP_ENOMEM;
    }
    radix_sort_u64(key, tmp, len, bits, bucket);
    uint32_t *count = (uint32_t *)tmp; /* tmp is at least as large */
    out->len = unique_with_counts(key, count, len);
    out->key = key;
    out->count = sp_malloc((size_t)(out->len ? out->len : 1) * sizeof *out->count);
    if (!out->count) {
        free(key);
        free(tmp);
        out->key = NULL;
        return SP_ENOMEM;
    }
    memcpy(out->count, count, (size_t)out->len * sizeof *count);
    free(tmp);
    return SP_OK;
}

static int bits_needed(uint64_t max_value)
{
    int bits = 1;
    while (bits < 64 && (max_value >> bits) != 0)
        bits++;
    return bits;
}

/* Rows with at least one entry (each gets a diagonal too); seen has n bytes. */
static int64_t count_nonempty_rows(int n, const pair_list *p, unsigned char *seen)
{
    int64_t count = 0;
    memset(seen, 0, (size_t)n);
    for (int64_t t = 0; t < p->len; t++) {
        uint64_t f = p->key[t] / (uint64_t)n, g = p->key[t] % (uint64_t)n;
        count += !seen[f] + !seen[g];
        seen[f] = seen[g] = 1;
    }
    return count;
}

/* Distinct pairs and nonempty rows of the whole matrix. With keep->all the
 * list is the whole matrix; otherwise this process counts the pairs whose
 * first row and the nonempty rows in its range, and keep->reduce sums over
 * the processes, with the failures (rc < 0 anywhere fails everywhere).
 * seen has n bytes (all) or row1 - row0. */
static int global_counts(int n, const pair_list *p, const sp_gen_pair_keep *keep, unsigned char *seen,
                         int rc, int64_t *distinct, int64_t *nonempty)
{
    if (keep->all) {
        *distinct = p->len;
        *nonempty = rc == SP_OK ? count_nonempty_rows(n, p, seen) : 0;
        return rc;
    }
    double sum[3] = {0.0, 0.0, rc < 0};
    if (rc == SP_OK) {
        memset(seen, 0, (size_t)(keep->row1 - keep->row0));
        for (int64_t t = 0; t < p->len; t++) {
            int f = (int)(p->key[t] / (uint64_t)n), g = (int)(p->key[t] % (uint64_t)n);
            if (f >= keep->row0 && f < keep->row1) sum[0] += 1.0, seen[f - keep->row0] = 1;
            if (g >= keep->row0 && g < keep->row1) seen[g - keep->row0] = 1;
        }
        for (int r = 0; r < keep->row1 - keep->row0; r++)
            sum[1] += seen[r];
    }
    int rrc = keep->reduce(keep->ctx, sum, 3);
    if (rc == SP_OK && rrc < 0) rc = rrc;
    if (rc == SP_OK && sum[2] > 0.0)
        rc = sp_error(SP_ENOMEM, "generate: another process ran out of memory");
    *distinct = (int64_t)sum[0];
    *nonempty = (int64_t)sum[1];
    return rc;
}

/* Pairs needed so that 2 pairs + nonempty diagonals = total_nnz. */
static int64_t pairs_target(double total_nnz, int64_t nonempty, int64_t max_pairs)
{
    int64_t t = (int64_t)llround((total_nnz - (double)nonempty) / 2.0);
    return t < 0 ? 0 : t > max_pairs ? max_pairs : t;
}

/* Sample rounds until the distinct pairs reach the target (within 0.5%) or the
 * budget (64 rounds, 64 x the first target in draws) runs out. Every process
 * makes the same draws and the same decisions (from global counts), keeping
 * the pairs `keep` selects. */
int sp_gen_sample_cooc_pairs(int n, double alpha, uint64_t seed, double total_nnz,
                             const sp_gen_pair_keep *keep, pair_list *pairs)
{
    zipf_sampler z;
    zipf_init(&z, n, alpha);
    sp_rng rng;
    sp_rng_seed(&rng, seed);
    int64_t target = pairs_target(total_nnz, n, (int64_t)n * (n - 1) / 2), distinct = 0, nonempty;
    int64_t budget = 64 * target, drawn = 0, draws = target;
    size_t *bucket = sp_malloc(65537 * sizeof *bucket);
    unsigned char *seen = sp_malloc(keep->all ? (size_t)n : (size_t)(keep->row1 - keep->row0) + 1);
    int rc = bucket && seen ? SP_OK : SP_ENOMEM;
    memset(pairs, 0, sizeof *pairs);
    for (int round = 0; round < 64 && distinct < target - target / 200; round++) {
        pair_list fresh;
        int64_t before = distinct;
        if (rc == SP_OK) rc = draw_pairs(&z, &rng, draws, keep, bits_needed((uint64_t)n * (uint64_t)n), bucket, &fresh);
        if (rc == SP_OK) rc = pair_list_merge(pairs, &fresh);
        if ((rc = global_counts(n, pairs, keep, seen, rc, &distinct, &nonempty)) < 0) break;
        drawn += draws;
        target = pairs_target(total_nnz, nonempty, (int64_t)n * (n - 1) / 2);
        double yield = (double)(distinct - before) / (double)draws; /* marginal */
        if (yield <= 0.0 || drawn >= budget) break;
        draws = (int64_t)ceil((double)(target - distinct) / yield);
        if (draws > budget - drawn) draws = budget - drawn;
        if (draws < 1) draws = 1;
    }
    free(bucket);
    free(seen);
    if (rc < 0) pair_list_free(pairs);
    return rc;
}

/* ---- power-law co-occurrence: symmetric CSR from the pair list --------- */

/* Row r (row0 <= r < row1) holds its lower entries (cols < r), the diagonal
 * (when the row has an off-diagonal entry), then its upper entries. Sets
 * rowptr of the (row1 - row0)-row block; returns in lo_cur and up_cur
 * (row1 - row0 each) the first lower and first upper slot of every row.
 * Pairs touching no row of the block are skipped. */
static int cooc_layout(int n, int row0, int row1, const pair_list *p, sp_csr *A, int64_t **lo_cur,
                       int64_t **up_cur)
{
    int m = row1 - row0;
    int64_t *lo = sp_calloc((size_t)m + 1, sizeof *lo), *up = sp_calloc((size_t)m + 1, sizeof *up);
    if (!lo || !up) {
        free(lo);
        free(up);
        return SP_ENOMEM;
    }
    for (int64_t t = 0; t < p->len; t++) {
        int64_t f = (int64_t)(p->key[t] / (uint64_t)n) - row0, g = (int64_t)(p->key[t] % (uint64_t)n) - row0;
        if (f >= 0 && f < m) up[f]++; /* (f, g), f < g: upper entry of row f */
        if (g >= 0 && g < m) lo[g]++; /* and lower entry of row g */
    }
    int64_t nnz = 0;
    for (int r = 0; r < m; r++)
        nnz += lo[r] + up[r] + (lo[r] + up[r] > 0);
    int rc = csr_alloc(A, m, n, nnz);
    if (rc < 0) {
        free(lo);
        free(up);
        return rc;
    }
    int64_t pos = 0;
    for (int r = 0; r < m; r++) {
        int64_t nlow = lo[r], len = lo[r] + up[r] + (lo[r] + up[r] > 0);
        A->rowptr[r] = pos;
        lo[r] = pos;
        up[r] = pos + nlow + 1;
        pos += len;
    }
    A->rowptr[m] = pos;
    *lo_cur = lo;
    *up_cur = up;
    return SP_OK;
}

/* Scatter the pairs (sorted by f, then g, so every row part fills in column
 * order), then a(r,r) = sum of the row's off-diagonal entries. Rows
 * [row0, row1) only (global columns). */
static int cooc_fill(int n, int row0, int row1, const pair_list *p, sp_csr *A)
{
    int64_t *lo_cur, *up_cur;
    int m = row1 - row0, rc = cooc_layout(n, row0, row1, p, A, &lo_cur, &up_cur);
    if (rc < 0) return rc;
    for (int64_t t = 0; t < p->len; t++) {
        int f = (int)(p->key[t] / (uint64_t)n), g = (int)(p->key[t] % (uint64_t)n);
        double c = (double)p->count[t];
        if (f >= row0 && f < row1) {
            A->colind[up_cur[f - row0]] = g;
            A->val[up_cur[f - row0]++] = c;
        }
        if (g >= row0 && g < row1) {
            A->colind[lo_cur[g - row0]] = f;
            A->val[lo_cur[g - row0]++] = c;
        }
    }
    for (int r = 0; r < m; r++) {
        int64_t b = A->rowptr[r], e = A->rowptr[r + 1], d = lo_cur[r];
        if (b == e) continue;
        double sum = 0.0;
        for (int64_t k = b; k < e; k++)
            if (k != d) sum += A->val[k];
        A->colind[d] = row0 + r;
        A->val[d] = sum;
    }
    free(lo_cur);
    free(up_cur);
    return SP_OK;
}

int sp_gen_check_powerlaw(int n, double avg_nnz_per_row, double alpha, const sp_csr *A)
{
    if (!A) return sp_error(SP_EINVAL, "sp_gen_powerlaw_cooc: A is NULL");
    if (n < 2) return sp_error(SP_EINVAL, "sp_gen_powerlaw_cooc: n = %d must be >= 2", n);
    if (!(avg_nnz_per_row >= 1.0))
        return sp_error(SP_EINVAL, "sp_gen_powerlaw_cooc: avg_nnz_per_row = %g must be >= 1",
                        avg_nnz_per_row);
    if (!(alpha > 0.0 && alpha <= 4.0))
        return sp_error(SP_EINVAL, "sp_gen_powerlaw_cooc: alpha = %g must be in (0, 4]", alpha);
    return SP_OK;
}

int sp_gen_powerlaw_block(int n, double avg_nnz_per_row, double alpha, uint64_t seed,
                          const sp_gen_pair_keep *keep, sp_csr *A)
{
    double avg = avg_nnz_per_row < n ? avg_nnz_per_row : n;
    pair_list pairs = {0};
    int rc = avg > 1.0 ? sp_gen_sample_cooc_pairs(n, alpha, seed, avg * n, keep, &pairs) : SP_OK;
    if (rc == SP_OK) rc = cooc_fill(n, keep->row0, keep->row1, &pairs, A);
    pair_list_free(&pairs);
    return rc < 0 ? sp_error_prefix(rc, "sp_gen_powerlaw_cooc(n = %d): ", n) : SP_OK;
}

int sp_gen_powerlaw_cooc(int n, double avg_nnz_per_row, double alpha, uint64_t seed, sp_csr *A)
{
    int rc = sp_gen_check_powerlaw(n, avg_nnz_per_row, alpha, A);
    sp_gen_pair_keep all = {1, 0, n, NULL, NULL};
    return rc < 0 ? rc : sp_gen_powerlaw_block(n, avg_nnz_per_row, alpha, seed, &all, A);
}

/* ---- spec strings ------------------------------------------------------ */

typedef sp_gen_kind gen_kind; /* generate_internal.h */

static const struct gen_kind_info {
    const char *name;
    int min_fields, max_fields; /* numbers after the name */
    int symmetric;
} gen_kinds[] = {
    [SP_GEN_LAPLACE2D] = {"laplace2d", 1, 1, 1},
    [SP_GEN_LAPLACE3D] = {"laplace3d", 1, 1, 1},
    [SP_GEN_RANDOM_SPARSE] = {"random-sparse", 2, 3, 0},
    [SP_GEN_POWERLAW] = {"powerlaw", 2, 4, 1},
};
_Static_assert(sizeof gen_kinds / sizeof gen_kinds[0] == SP_GEN_KIND_COUNT,
               "gen_kinds table and enum");

/* Split "name:a:b:c" at ':' into the kind and up to 4 numbers (as doubles). */
static int parse_spec(const char *spec, gen_kind *kind, double *field, int *nfield)
{
    const char *colon = strchr(spec, ':');
    size_t name_len = colon ? (size_t)(colon - spec) : strlen(spec);
    int k = 0;
    while (k < SP_GEN_KIND_COUNT &&
           (strlen(gen_kinds[k].name) != name_len || strncmp(spec, gen_kinds[k].name, name_len)))
        k++;
    if (k == SP_GEN_KIND_COUNT)
        return sp_error(SP_EINVAL,
                        "generator spec '%s': unknown kind (laplace2d, laplace3d, "
                        "random-sparse, powerlaw)",
                        spec);
    *kind = (gen_kind)k;
    *nfield = 0;
    for (const char *p = colon; p; p = strchr(p + 1, ':')) {
        char *end;
        errno = 0;
        if (*nfield == gen_kinds[k].max_fields)
            return sp_error(SP_EINVAL, "generator spec '%s': too many fields", spec);
        field[*nfield] = strtod(p + 1, &end);
        if (end == p + 1 || (*end != ':' && *end != '\0') || errno == ERANGE ||
            !isfinite(field[*nfield]))
            return sp_error(SP_EINVAL, "generator spec '%s': field %d is not a number", spec,
                            *nfield + 1);
        (*nfield)++;
    }
    if (*nfield < gen_kinds[k].min_fields)
        return sp_error(SP_EINVAL, "generator spec '%s': %s needs at least %d number(s)", spec,
                        gen_kinds[k].name, gen_kinds[k].min_fields);
    return SP_OK;
}

/* A field that must be an integer in [lo, hi]. */
static int spec_int(const char *spec, double v, double lo, double hi, const char *what,
                    int64_t *out)
{
    if (v != floor(v) || v < lo || v > hi)
        return sp_error(SP_EINVAL,
                        "generator spec '%s': %s = %g must be an integer in [%.0f, %.0f]", spec,
                        what, v, lo, hi);
    *out = (int64_t)v;
    return SP_OK;
}

int sp_gen_spec_parse(const char *spec, sp_gen_parsed *g)
{
    if (!spec || !g) return sp_error(SP_EINVAL, "sp_gen_spec: spec is NULL");
    gen_kind kind = SP_GEN_LAPLACE2D;
    double f[4] = {0, 0, 0, 0};
    int nf = 0;
    int64_t n = 0, r = 0, seed = SP_DEFAULT_SEED;
    int rc = parse_spec(spec, &kind, f, &nf);
    if (rc == SP_OK) rc = spec_int(spec, f[0], 1, 2147483647.0, "size", &n);
    if (rc == SP_OK && kind == SP_GEN_RANDOM_SPARSE) {
        rc = spec_int(spec, f[1], 1, 2147483647.0, "nnz per row", &r);
        if (rc == SP_OK && nf > 2) rc = spec_int(spec, f[2], 0, 9007199254740992.0, "seed", &seed);
    }
    if (rc == SP_OK && kind == SP_GEN_POWERLAW && nf > 3)
        rc = spec_int(spec, f[3], 0, 9007199254740992.0, "seed", &seed);
    if (rc < 0) return rc;
    g->kind = kind;
    g->symmetric = gen_kinds[kind].symmetric;
    g->size = n;
    g->nnz_per_row = r;
    g->avg = kind == SP_GEN_POWERLAW ? f[1] : 0.0;
    g->alpha = kind == SP_GEN_POWERLAW && nf > 2 ? f[2] : 1.0;
    g->seed = (uint64_t)seed;
    return SP_OK;
}

int sp_gen_spec(const char *spec, sp_csr *A, int *symmetric)
{
    if (!spec || !A) return sp_error(SP_EINVAL, "sp_gen_spec: spec or A is NULL");
    sp_gen_parsed g;
    int rc = sp_gen_spec_parse(spec, &g);
    if (rc < 0) return rc;
    if (symmetric) *symmetric = g.symmetric;
    switch (g.kind) {
    case SP_GEN_LAPLACE2D:
        return sp_gen_laplace2d((int)g.size, A);
    case SP_GEN_LAPLACE3D:
        return sp_gen_laplace3d((int)g.size, A);
    case SP_GEN_RANDOM_SPARSE:
        return sp_gen_random_sparse((int)g.size, (int)g.nnz_per_row, g.seed, A);
    case SP_GEN_POWERLAW:
        return sp_gen_powerlaw_cooc((int)g.size, g.avg, g.alpha, g.seed, A);
    default:
        return sp_error(SP_EINTERNAL, "sp_gen_spec: kind %d", (int)g.kind);
    }
}
