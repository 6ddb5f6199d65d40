/* cooc_build.c: click log -> co-occurrence matrix for the commands: pass 1
 * counts the vocabulary (skipped with --vocab, or with --hash-buckets and
 * --dense log, which need no counts), pass 2 maps and accumulates, then the
 * data layer merges. Progress on stderr only when it is a terminal. */
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/cooc_args.h"

#define PROGRESS_EVERY 65536

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

static void report_skipped(const char *cmd, const sp_criteo_reader *r, const char *pass)
{
    int64_t bad = sp_criteo_reader_bad_lines(r);
    if (bad > 0)
        fprintf(stderr, "spartan %s: %s: skipped %lld malformed line(s); first: %s\n", cmd, pass,
                (long long)bad, sp_criteo_reader_first_bad(r));
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
    if (rc == 0 && r) report_skipped(cmd, r, "counting pass");
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

/* Pass 2: map every row and accumulate its pairs. */
static int accumulate_pass(const char *path, const sp_criteo_options *ro, const sp_vocab *v,
                           unsigned flags, int weighted, sp_cooc *acc, sp_criteo_reader **rp)
{
    sp_progress bar;
    sp_progress_init(&bar, "cooc: accumulating", file_bytes(path));
    int rc = sp_criteo_reader_open(rp, path, ro), ids[SP_CRITEO_FIELDS];
    float w[SP_CRITEO_FIELDS], *wp = weighted ? w : NULL; /* counts need no weights */
    sp_criteo_row row;
    while (rc == SP_OK && (rc = sp_criteo_reader_next(*rp, &row)) == 1) {
        int k = sp_feature_map(v, &row, flags, ids, wp);
        rc = sp_cooc_add(acc, ids, wp, k);
        if (sp_criteo_reader_rows(*rp) % PROGRESS_EVERY == 0)
            sp_progress_update(&bar, (double)sp_criteo_reader_offset(*rp), NULL);
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

int sp_cooc_build_matrix(const char *cmd, const char *path, const sp_criteo_options *ro,
                         const sp_vocab *v, const sp_cooc_options *co, sp_csr *C,
                         sp_cooc_build_info *info)
{
    sp_cooc *acc = NULL;
    sp_criteo_reader *r = NULL;
    double t0 = sp_time_now(), c0 = sp_cli_cpu_seconds();
    int rc = sp_cooc_new(&acc, sp_vocab_n_ids(v), co);
    if (rc == SP_OK) warn_small_budget(cmd, acc, co, sp_vocab_n_ids(v));
    if (rc == SP_OK) rc = accumulate_pass(path, ro, v, info->map_flags, co->weighted, acc, &r);
    double t1 = sp_time_now(), c1 = sp_cli_cpu_seconds();
    if (rc == SP_OK) rc = sp_cooc_finish(acc, C);
    info->build_seconds = t1 - t0;
    info->build_cpu = c1 - c0;
    info->finish_seconds = sp_time_now() - t1;
    info->finish_cpu = sp_cli_cpu_seconds() - c1;
    if (acc) info->stats = sp_cooc_get_stats(acc);
    if (r) {
        info->rows = sp_criteo_reader_rows(r);
        info->bad_lines = sp_criteo_reader_bad_lines(r);
        if (rc == SP_OK) report_skipped(cmd, r, "accumulating pass");
    }
    sp_criteo_reader_close(r);
    sp_cooc_free(acc);
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
    int rc = sp_cooc_make_vocab(cmd, path, a, &ro, &vo, &v, info);
    if (rc == SP_OK) rc = sp_cooc_build_matrix(cmd, path, &ro, v, &co, C, info);
    sp_vocab_free(v);
    if (rc < 0) {
        sp_csr_uninit(C);
        return sp_cli_report(cmd, rc);
    }
    return 0;
}
