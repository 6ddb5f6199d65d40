/* bench_cooc_build.c: the co-occurrence builder apart from the reader (issue
 * 5). Reads and maps a Criteo log once (timed: the reader + mapper's
 * rate) and once more into memory, then builds C from the mapped rows R times in the
 * same process (sp_cooc_new, sp_cooc_add for every row, sp_cooc_flush), and
 * prints one Markdown table row: rows/s per core of read + map, and of the
 * accumulation (best and median of R, CPU time; the assembly into CSR is
 * timed apart). Best-of-R in one process is steadier than separate runs on
 * a shared guest whose speed drifts. Not a test; no peer: the reader's and
 * the builder's rates are the targets (1 M rows/s per core).
 * usage: bench_cooc_build LOG [--min-count C] [--hash-buckets B] [--weighted]
 *                          [--repeat R] [--header] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "spartan/data.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct mapped {
    int *ids, *len;
    float *w;
    size_t rows, cap;
} mapped;

/* Read and map every row of path into m (NULL: only read and map, which
 * is what is timed); returns CPU seconds or -1. */
static double read_and_map(const char *path, const sp_vocab *v, mapped *m)
{
    sp_criteo_reader *r = NULL;
    sp_criteo_row row;
    int ids[SP_CRITEO_FIELDS];
    float w[SP_CRITEO_FIELDS];
    double t0 = cpu_now();
    if (sp_criteo_reader_open(&r, path, NULL) < 0) return -1;
    int rc;
    while ((rc = sp_criteo_reader_next(r, &row)) == 1) {
        if (!m) {
            sp_feature_map(v, &row, SP_MAP_SKIP_MISSING_INTS, ids, w);
            continue;
        }
        if (m->rows == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 65536;
            m->ids = realloc(m->ids, m->cap * SP_CRITEO_FIELDS * sizeof *m->ids);
            m->w = realloc(m->w, m->cap * SP_CRITEO_FIELDS * sizeof *m->w);
            m->len = realloc(m->len, m->cap * sizeof *m->len);
            if (!m->ids || !m->w || !m->len) {
                sp_criteo_reader_close(r);
                return -1;
            }
        }
        size_t off = m->rows * SP_CRITEO_FIELDS;
        m->len[m->rows++] = sp_feature_map(v, &row, SP_MAP_SKIP_MISSING_INTS, m->ids + off, m->w + off);
    }
    sp_criteo_reader_close(r);
    return rc < 0 ? -1 : cpu_now() - t0;
}

/* One build: accumulation and assembly CPU seconds; nnz of C. */
static int build(const mapped *m, int n, const sp_cooc_options *co, double *acc_s, double *asm_s,
                 int64_t *nnz)
{
    sp_cooc *c = NULL;
    sp_csr C;
    memset(&C, 0, sizeof C);
    double t0 = cpu_now();
    int rc = sp_cooc_new(&c, n, co);
    for (size_t i = 0; rc == SP_OK && i < m->rows; i++)
        rc = sp_cooc_add(c, m->ids + i * SP_CRITEO_FIELDS, m->w + i * SP_CRITEO_FIELDS, m->len[i]);
    if (rc == SP_OK) rc = sp_cooc_flush(c);
    double t1 = cpu_now();
    if (rc == SP_OK) rc = sp_cooc_finish(c, &C);
    *acc_s = t1 - t0;
    *asm_s = cpu_now() - t1;
    *nnz = C.nnz;
    sp_csr_uninit(&C);
    sp_cooc_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int repeat = 5, header = 0;
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    sp_cooc_options co;
    sp_cooc_options_default(&co);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--min-count") && i + 1 < argc) vo.min_count = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--hash-buckets") && i + 1 < argc) vo.hash_buckets = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--weighted")) co.weighted = 1, vo.dense = SP_DENSE_LOG;
        else if (!strcmp(argv[i], "--header")) header = 1;
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else {
            fprintf(stderr, "usage: bench_cooc_build LOG [--min-count C] [--hash-buckets B] "
                            "[--weighted] [--repeat R] [--header]\n");
            return 2;
        }
    }
    if (!path || repeat < 1 || repeat > 64) {
        fprintf(stderr, "bench_cooc_build: a LOG and --repeat 1..64 are needed\n");
        return 2;
    }
    sp_vocab *v = NULL;
    mapped m = {0};
    double read_s = -1;
    if (sp_vocab_build_from_file(path, NULL, &vo, &v) == SP_OK) read_s = read_and_map(path, v, NULL);
    if (read_s < 0 || read_and_map(path, v, &m) < 0) {
        fprintf(stderr, "bench_cooc_build: %s\n", sp_errmsg());
        return 2;
    }
    double acc[64], asm_best = 1e300;
    int64_t nnz = 0;
    for (int r = 0; r < repeat; r++) {
        double a;
        if (build(&m, sp_vocab_n_ids(v), &co, &acc[r], &a, &nnz) < 0) {
            fprintf(stderr, "bench_cooc_build: %s\n", sp_errmsg());
            return 2;
        }
        asm_best = a < asm_best ? a : asm_best;
    }
    qsort(acc, (size_t)repeat, sizeof *acc, by_value);
    double rows = (double)m.rows;
    if (header) {
        printf("| mode | rows | ids n | nnz | read + map rows/s per core | accumulate rows/s per core "
               "(best of %d) | (median) | assemble s (best) |\n", repeat);
        printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }
    char mode[96];
    if (vo.hash_buckets) snprintf(mode, sizeof mode, "--hash-buckets %lld", (long long)vo.hash_buckets);
    else snprintf(mode, sizeof mode, "--min-count %lld", (long long)vo.min_count);
    printf("| %s%s | %.0f | %d | %lld | %.0f | %.0f | %.0f | %.3f |\n", mode,
           co.weighted ? " --weighted --dense log" : "", rows, sp_vocab_n_ids(v), (long long)nnz,
           rows / read_s, rows / acc[0], rows / acc[repeat / 2], asm_best);
    sp_vocab_free(v);
    free(m.ids);
    free(m.w);
    free(m.len);
    return 0;
}
