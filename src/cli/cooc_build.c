/* cooc_build.c: click log -> co-occurrence matrix for the commands: pass 1
 * counts the vocabulary (skipped with --vocab, or with --hash-buckets and
 * --dense log, which need no counts) or, for a libsvm log, finds its largest
 * id; pass 2 maps (libsvm: takes the ids as written) and accumulates, then
 * the data layer merges. Progress on stderr only when it is a terminal. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/cooc_args.h"

#define PROGRESS_EVERY 65536

double sp_cli_machine_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

double sp_cli_cpu_seconds(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) return 0.0;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size : 0.0;
}

static void report_bad(const char *cmd, int64_t bad, const char *first, const char *pass)
{
    if (bad > 0)
        fprintf(stderr, "spartan %s: %s: skipped %lld malformed line(s); first: %s\n", cmd, pass,
                (long long)bad, first);
}

/* Pass 1: count (field, value) and integer maxima; build the vocabulary. */
static int count_pass(const char *cmd, const char *path, const sp_criteo_options *ro,
                      const sp_vocab_options *vo, sp_vocab **v)
{
    sp_criteo_reader *r = NULL;
    sp_vocab_counter *c = NULL;
    sp_progress bar;
    sp_progress_init(&bar, "cooc: counting", file_bytes(path));
    int rc = sp_criteo_reader_open(&r, path, ro);
    if (rc == SP_OK) rc = sp_vocab_counter_new(&c, vo->hash_buckets == 0);
    sp_criteo_row row;
    while (rc == SP_OK && (rc = sp_criteo_reader_next(r, &row)) == 1) {
        sp_vocab_counter_add(c, &row);
        rc = SP_OK;
        if (sp_criteo_reader_rows(r) % PROGRESS_EVERY == 0)
            sp_progress_update(&bar, (double)sp_criteo_reader_offset(r), NULL);
    }
    sp_progress_finish(&bar);
    if (rc == 0) rc = sp_vocab_build(c, vo, v);
    if (rc == 0 && r)
        report_bad(cmd, sp_criteo_reader_bad_lines(r), sp_criteo_reader_first_bad(r),
                   "counting pass");
    sp_vocab_counter_free(c);
    sp_criteo_reader_close(r);
    return rc;
}

/* No counting pass: a saved vocabulary, or hash ids with log weights. */
static int vocab_without_pass(const sp_cooc_args *a, const sp_vocab_options *vo, sp_vocab **v)
{
    if (a->vocab_in) return sp_vocab_load(a->vocab_in, v);
    sp_vocab_counter *c = NULL;
    int rc = sp_vocab_counter_new(&c, 0);
    if (rc == SP_OK) rc = sp_vocab_build(c, vo, v);
    sp_vocab_counter_free(c);
    return rc;
}

/* SP_ENOMEM (message: what and why) when C over n ids needs more than the
 * machine has: `need` bytes of arrays sized by the ids. A huge n never
 * reaches the allocations, which the system grants lazily and would then
 * kill the process for. */
static int ids_fit(int64_t n, double need, const char *advice)
{
    double have = sp_cli_machine_bytes();
    if (have == 0.0 || need <= have) return SP_OK;
    return sp_error(SP_ENOMEM, "C over %lld ids needs %.1f GiB for its arrays sized by the ids, "
                    "more than this machine's %.1f GiB: %s", (long long)n, need / (1 << 30),
                    have / (1 << 30), advice);
}
#define LIBSVM_SPARSE_IDS "libsvm ids are taken as written, so renumber sparse ids 0, 1, 2, ..."
#define ID_BYTES 43 /* the accumulator's arrays sized by the ids (about 35) and C's row pointers */

/* A log's rows as ids: Criteo rows mapped by the vocabulary (count mode
 * maps ids only), or libsvm rows as written (values as weights). */
typedef struct row_source {
    sp_criteo_reader *criteo;
    sp_libsvm_reader *libsvm;
    const sp_vocab *v;
    unsigned flags;
    int weighted;
    int64_t rows;
    int ids[SP_CRITEO_FIELDS];
    float w[SP_CRITEO_FIELDS];
} row_source;

/* The next row: 1 with ids[k] and weights w (NULL: counts), 0 at the end, < 0 an error. */
static int source_next(row_source *s, const int **ids, const float **w, int *k)
{
    int rc;
    if (s->libsvm) {
        sp_libsvm_row row;
        if ((rc = sp_libsvm_reader_next(s->libsvm, &row)) != 1) return rc;
        *ids = row.ids, *w = s->weighted ? row.vals : NULL, *k = row.n;
    } else {
        sp_criteo_row row;
        if ((rc = sp_criteo_reader_next(s->criteo, &row)) != 1) return rc;
        float *weights = s->weighted ? s->w : NULL; /* counts need no weights */
        *k = sp_feature_map(s->v, &row, s->flags, s->ids, weights);
        *ids = s->ids, *w = weights;
    }
    s->rows++;
    return 1;
}

static double source_offset(const row_source *s)
{
    return (double)(s->libsvm ? sp_libsvm_reader_offset(s->libsvm)
                              : sp_criteo_reader_offset(s->criteo));
}

/* Rows read and skipped into info, the skipped ones reported; the reader closed. */
static void source_close(const char *cmd, row_source *s, int ok, sp_cooc_build_info *info)
{
    info->rows = s->rows;
    if (s->libsvm) {
        info->bad_lines = sp_libsvm_reader_bad_lines(s->libsvm);
        if (ok)
            report_bad(cmd, info->bad_lines, sp_libsvm_reader_first_bad(s->libsvm),
                       "accumulating pass");
        sp_libsvm_reader_close(s->libsvm);
    } else if (s->criteo) {
        info->bad_lines = sp_criteo_reader_bad_lines(s->criteo);
        if (ok)
            report_bad(cmd, info->bad_lines, sp_criteo_reader_first_bad(s->criteo),
                       "accumulating pass");
        sp_criteo_reader_close(s->criteo);
    }
}

/* Pass 2: every row's pairs into acc. */
static int accumulate_pass(const char *path, row_source *s, sp_cooc *acc)
{
    sp_progress bar;
    sp_progress_init(&bar, "cooc: accumulating", file_bytes(path));
    const int *ids;
    const float *w;
    int rc, k;
    while ((rc = source_next(s, &ids, &w, &k)) == 1) {
        if ((rc = sp_cooc_add(acc, ids, w, k)) < 0) break;
        if (s->rows % PROGRESS_EVERY == 0) sp_progress_update(&bar, source_offset(s), NULL);
    }
    if (rc == SP_OK) rc = sp_cooc_flush(acc); /* the last chunk counts as accumulation */
    sp_progress_finish(&bar);
    return rc;
}

/* A --memory that the arrays sized by the vocabulary nearly fill: the
 * accumulator takes more (a quarter of the budget for its pairs) and spills
 * often; say so before the long pass. */
static void warn_small_budget(const char *cmd, const sp_cooc *acc, const sp_cooc_options *co,
                              int n)
{
    int64_t planned = sp_cooc_get_stats(acc).memory_bytes;
    if (planned <= (int64_t)co->memory_bytes) return;
    fprintf(stderr,
            "spartan %s: warning: --memory %zu MiB is nearly all taken by the accumulator's "
            "arrays for %d ids (about 35 bytes an id); it takes %.1f MiB and spills runs "
            "often: a larger --memory is faster\n",
            cmd, co->memory_bytes >> 20, n, (double)planned / (1 << 20));
}

/* Pass 2 and the assembly from an open source (closed here). */
static int build_from(const char *cmd, const char *path, row_source *s, int n,
                      const sp_cooc_options *co, sp_csr *C, sp_cooc_build_info *info)
{
    sp_cooc *acc = NULL;
    double t0 = sp_time_now(), c0 = sp_cli_cpu_seconds();
    int rc = sp_cooc_new(&acc, n, co);
    if (rc == SP_OK)
        rc = ids_fit(n, (double)sp_cooc_get_stats(acc).memory_bytes + 8.0 * (n + 1.0),
                     s->libsvm ? LIBSVM_SPARSE_IDS : "use fewer --hash-buckets");
    if (rc == SP_OK) warn_small_budget(cmd, acc, co, n);
    if (rc == SP_OK) rc = accumulate_pass(path, s, acc);
    double t1 = sp_time_now(), c1 = sp_cli_cpu_seconds();
    if (rc == SP_OK) rc = sp_cooc_finish(acc, C);
    info->build_seconds = t1 - t0;
    info->build_cpu = c1 - c0;
    info->finish_seconds = sp_time_now() - t1;
    info->finish_cpu = sp_cli_cpu_seconds() - c1;
    if (acc) info->stats = sp_cooc_get_stats(acc);
    source_close(cmd, s, rc == SP_OK, info);
    sp_cooc_free(acc);
    return rc;
}

int sp_cooc_build_matrix(const char *cmd, const char *path, const sp_criteo_options *ro,
                         const sp_vocab *v, const sp_cooc_options *co, sp_csr *C,
                         sp_cooc_build_info *info)
{
    row_source s = {.v = v, .flags = info->map_flags, .weighted = co->weighted};
    int rc = sp_criteo_reader_open(&s.criteo, path, ro);
    return rc < 0 ? rc : build_from(cmd, path, &s, sp_vocab_n_ids(v), co, C, info);
}

int sp_libsvm_build_matrix(const char *cmd, const char *path, int skip_bad, int n,
                           const sp_cooc_options *co, sp_csr *C, sp_cooc_build_info *info)
{
    sp_libsvm_options lo = {.skip_bad = skip_bad};
    row_source s = {.weighted = co->weighted};
    int rc = sp_libsvm_reader_open(&s.libsvm, path, &lo);
    return rc < 0 ? rc : build_from(cmd, path, &s, n, co, C, info);
}

/* Rows holding id (occurrences), counts grown to id + 1 entries (not past
 * what the machine can build C over). */
static int count_id(int64_t **counts, int64_t *cap, int id)
{
    if (id >= *cap) {
        int64_t want = *cap ? *cap : 1024;
        while (want <= id) want *= 2;
        int64_t ids = (int64_t)id + 1;
        int rc = ids_fit(ids, (double)ids * (ID_BYTES + sizeof **counts), LIBSVM_SPARSE_IDS);
        if (rc < 0) return rc;
        int64_t *c = sp_realloc(*counts, (size_t)want * sizeof *c);
        if (!c) return SP_ENOMEM;
        memset(c + *cap, 0, (size_t)(want - *cap) * sizeof *c);
        *counts = c, *cap = want;
    }
    (*counts)[id]++;
    return SP_OK;
}

int sp_libsvm_scan(const char *cmd, const char *path, int skip_bad, int *n, int64_t **counts,
                   sp_cooc_build_info *info)
{
    double t0 = sp_time_now(), c0 = sp_cli_cpu_seconds();
    sp_libsvm_options lo = {.skip_bad = skip_bad};
    sp_libsvm_reader *r = NULL;
    sp_libsvm_row row;
    int64_t rows = 0, cap = 0, *cnt = NULL;
    sp_progress bar;
    sp_progress_init(&bar, "cooc: scanning ids", file_bytes(path));
    int rc = sp_libsvm_reader_open(&r, path, &lo);
    while (rc == SP_OK && (rc = sp_libsvm_reader_next(r, &row)) == 1) {
        rc = SP_OK;
        for (int t = 0; t < row.n && counts && rc == SP_OK; t++)
            rc = count_id(&cnt, &cap, row.ids[t]);
        if (++rows % PROGRESS_EVERY == 0)
            sp_progress_update(&bar, (double)sp_libsvm_reader_offset(r), NULL);
    }
    sp_progress_finish(&bar);
    int64_t ids = r ? (int64_t)sp_libsvm_reader_max_id(r) + 1 : 0;
    if (rc == SP_OK && ids == 0)
        rc = sp_error(SP_EFORMAT, "%s: no id:value pair in %lld row(s)", path, (long long)rows);
    if (rc == SP_OK && ids > INT_MAX) /* ids are < 2^31 - 1, so that n is an int */
        rc = sp_error(SP_EFORMAT, "%s: id %lld is too large (libsvm ids here are below %d)", path,
                      (long long)(ids - 1), INT_MAX);
    *n = rc == SP_OK ? (int)ids : 0;
    if (rc == SP_OK && r)
        report_bad(cmd, sp_libsvm_reader_bad_lines(r), sp_libsvm_reader_first_bad(r),
                   "scanning pass");
    sp_libsvm_reader_close(r);
    info->count_pass = 1;
    info->n = *n;
    info->count_seconds = sp_time_now() - t0;
    info->count_cpu = sp_cli_cpu_seconds() - c0;
    if (rc < 0 || !counts) free(cnt);
    else *counts = cnt;
    return rc;
}

int sp_cooc_make_vocab(const char *cmd, const char *path, const sp_cooc_args *a,
                       const sp_criteo_options *ro, const sp_vocab_options *vo, sp_vocab **v,
                       sp_cooc_build_info *info)
{
    double t0 = sp_time_now(), c0 = sp_cli_cpu_seconds();
    *v = NULL;
    info->count_pass = !a->vocab_in && !(a->hash_buckets && vo->dense == SP_DENSE_LOG);
    int rc = info->count_pass ? count_pass(cmd, path, ro, vo, v) : vocab_without_pass(a, vo, v);
    info->count_seconds = sp_time_now() - t0;
    info->count_cpu = sp_cli_cpu_seconds() - c0;
    if (rc == SP_OK && a->vocab_out) rc = sp_vocab_save(*v, a->vocab_out);
    if (rc == SP_OK) info->n = sp_vocab_n_ids(*v);
    return rc;
}

int sp_cooc_build(const char *cmd, const char *path, const sp_cooc_args *a, sp_csr *C,
                  sp_cooc_build_info *info)
{
    sp_criteo_options ro;
    sp_vocab_options vo;
    sp_cooc_options co;
    memset(info, 0, sizeof *info);
    memset(C, 0, sizeof *C);
    if (sp_cooc_args_options(cmd, a, &ro, &vo, &co, &info->map_flags) < 0) return SP_EXIT_USAGE;
    sp_vocab *v = NULL;
    int rc, n = 0;
    if (sp_cooc_args_libsvm(a)) {
        rc = sp_libsvm_scan(cmd, path, a->skip_bad, &n, NULL, info);
        if (rc == SP_OK) rc = sp_libsvm_build_matrix(cmd, path, a->skip_bad, n, &co, C, info);
    } else {
        rc = sp_cooc_make_vocab(cmd, path, a, &ro, &vo, &v, info);
        if (rc == SP_OK) rc = sp_cooc_build_matrix(cmd, path, &ro, v, &co, C, info);
    }
    sp_vocab_free(v);
    if (rc < 0) {
        sp_csr_uninit(C);
        return sp_cli_report(cmd, rc);
    }
    return 0;
}
