/* embdim_mpi.c: `mpirun -np P spartan embdim ...`: the serial command's
 * options and output with C distributed by row blocks (dist.h). A click log
 * is read whole by every rank (every rank needs nearly every row, since
 * frequent ids occur in all of them; a line is ~240 bytes against ~700 pairs
 * to exchange), each rank accumulating only its block of rows of C; the
 * vocabulary is counted once on rank 0 and broadcast (a libsvm log has none:
 * every rank finds its largest id itself). A .mtx / .csr file is
 * read in parallel. Guarantees: results printed once (rank 0); every rank
 * ends with the same exit code, errors agreed (sp_dist_agree), none hangs.
 * The launch test is sp_eigs_mpi_launched (eigs_mpi.c). No numerics here. */
#include <stdlib.h>
#include "cli/cli.h"
#include "cli/eigs_cli.h"
#include "cli/embdim_cli.h"

#ifdef SPARTAN_HAVE_MPI
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "spartan/dist.h"

/* What the input is and, for a click log, its options. */
typedef struct input_setup {
    sp_input_kind kind;
    sp_criteo_options ro;
    sp_vocab_options vo;
    sp_cooc_options co;
    unsigned flags;
} input_setup;

/* The status as an exit code, its message printed by rank 0 only. */
static int report(int rank, int status)
{
    if (rank == 0) return sp_cli_report("embdim", status);
    return status == SP_ENOCONV ? SP_EXIT_NOTCONV : SP_EXIT_USAGE;
}

/* Input kind and click-log options: -1 to go on, else SP_EXIT_USAGE (printed). */
static int setup_input(const embdim_cli *a, input_setup *in)
{
    memset(in, 0, sizeof *in);
    if (a->train_argv)
        return sp_cli_usage_error("embdim", "--train is not available under mpirun: run the "
                                            "advisor distributed, then train without mpirun");
    if (sp_input_kind_of("embdim", a->data, &in->kind) < 0) return SP_EXIT_USAGE;
    if (in->kind == SP_INPUT_LOG)
        return sp_cooc_args_options("embdim", &a->c, &in->ro, &in->vo, &in->co, &in->flags) < 0
                   ? SP_EXIT_USAGE : -1;
    if (a->c.given)
        return sp_cli_usage_error("embdim", "%s applies to click logs; %s is a matrix file",
                                  a->c.first, a->data);
    return -1;
}

/* ---- click log ------------------------------------------------------------ */

/* Rank 0 builds the vocabulary (counting pass, file, or none), every rank
 * gets it as bytes. (collective) */
static int vocab_everywhere(MPI_Comm comm, int rank, const embdim_cli *a, const input_setup *in,
                            sp_vocab **v, sp_cooc_build_info *info)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = SP_OK;
    *v = NULL;
    if (rank == 0) rc = sp_cooc_make_vocab("embdim", a->data, &a->c, &in->ro, &in->vo, v, info);
    if (rank == 0 && rc == SP_OK) rc = sp_vocab_to_bytes(*v, &buf, &len);
    if (rank == 0 && rc == SP_OK && len > (size_t)INT_MAX)
        rc = sp_error(SP_EINVAL, "vocabulary of %zu bytes is too large to broadcast", len);
    if ((rc = sp_dist_agree(comm, rc)) < 0) return free(buf), rc;
    unsigned long long l = len;
    MPI_Bcast(&l, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
    if (rank != 0) buf = sp_malloc((size_t)l);
    if ((rc = sp_dist_agree(comm, buf ? SP_OK : SP_ENOMEM)) < 0) return free(buf), rc;
    rc = MPI_Bcast(buf, (int)l, MPI_BYTE, 0, comm) == MPI_SUCCESS ? SP_OK
         : sp_error(SP_EMPI, "broadcasting the vocabulary failed");
    if (rc == SP_OK && rank != 0) rc = sp_vocab_from_bytes(buf, (size_t)l, "vocabulary of rank 0", v);
    free(buf);
    return sp_dist_agree(comm, rc);
}

/* Work estimate per id of C: its occurrences in the log (vocabulary counts;
 * integer ids: every row; out-of-vocabulary ids: the rows not in the field's
 * vocabulary; hash buckets: an even share of the 26 categorical ids per row). */
static void id_weights(const sp_vocab *v, double *w, int n)
{
    double rows = (double)sp_vocab_rows(v), oov[SP_CRITEO_CAT_FIELDS];
    int64_t buckets = sp_vocab_get_options(v).hash_buckets;
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS; f++) oov[f] = rows;
    for (int id = SP_VOCAB_FIRST_ID; id < n; id++) {
        int field, present;
        uint32_t value;
        int64_t count;
        w[id] = buckets > 0 ? rows * SP_CRITEO_CAT_FIELDS / (double)buckets : 0.0;
        if (buckets == 0 && sp_vocab_entry(v, id, &field, &value, &present, &count) == SP_OK) {
            w[id] = (double)count;
            oov[field] -= (double)count;
        }
    }
    for (int id = 0; id < SP_VOCAB_FIRST_ID && id < n; id++)
        w[id] = id < SP_CRITEO_INT_FIELDS ? rows : fmax(oov[id - SP_CRITEO_INT_FIELDS], 0.0);
}

/* A libsvm log: every rank finds the order n and the occurrences of each id
 * (its work estimate, in w) by reading the log itself (quiet on ranks > 0);
 * no vocabulary to share. (collective) */
static int libsvm_everywhere(MPI_Comm comm, int rank, const embdim_cli *a, int *n, double **w,
                             sp_cooc_build_info *info)
{
    int64_t *counts = NULL;
    int saved[2];
    sp_cli_mpi_quiet_begin(rank, saved);
    int rc = sp_libsvm_scan("embdim", a->data, a->c.skip_bad, n, &counts, info);
    sp_cli_mpi_quiet_end(saved);
    if (rc == SP_OK && !(*w = sp_malloc((size_t)*n * sizeof **w))) rc = SP_ENOMEM;
    for (int i = 0; rc == SP_OK && i < *n; i++) (*w)[i] = (double)counts[i];
    free(counts);
    return sp_dist_agree(comm, rc);
}

/* This rank's rows [*lo, *hi) of C: block q starts at the first id where
 * the estimated work w before it reaches q / P of the total. */
static void block_of(const double *w, int n, int nranks, int rank, int *lo, int *hi)
{
    double total = 0.0, cum = 0.0;
    for (int i = 0; i < n; i++) total += w[i] + 1.0; /* + 1: every id costs something */
    *lo = rank == 0 ? 0 : n;
    *hi = n;
    for (int i = 0; i < n; i++) {
        if (*lo == n && cum >= total * rank / nranks) *lo = i;
        if (*hi == n && rank + 1 < nranks && cum >= total * (rank + 1) / nranks) *hi = i;
        cum += w[i] + 1.0;
    }
    if (*lo > *hi) *lo = *hi;
}

/* D^-1/2 C D^-1/2 on this rank's rows [lo, lo + rows->rows), D the row sums
 * of the whole C (gathered from every rank), as the serial builder does. */
static int sym_normalize(MPI_Comm comm, int n, int lo, sp_csr *rows)
{
    int nranks, rc = SP_OK;
    MPI_Comm_size(comm, &nranks);
    double *d = sp_malloc((size_t)n * sizeof *d), *mine = sp_malloc(((size_t)rows->rows + 1) * sizeof *mine);
    int *counts = sp_malloc(2 * (size_t)nranks * sizeof *counts), m = rows->rows;
    if ((rc = sp_dist_agree(comm, d && mine && counts ? SP_OK : SP_ENOMEM)) == SP_OK) {
        for (int i = 0; i < m; i++) {
            mine[i] = 0.0;
            for (int64_t k = rows->rowptr[i]; k < rows->rowptr[i + 1]; k++) mine[i] += rows->val[k];
        }
        MPI_Allgather(&m, 1, MPI_INT, counts, 1, MPI_INT, comm);
        MPI_Allgather(&lo, 1, MPI_INT, counts + nranks, 1, MPI_INT, comm);
        rc = MPI_Allgatherv(mine, m, MPI_DOUBLE, d, counts, counts + nranks, MPI_DOUBLE, comm);
        rc = sp_dist_agree(comm, rc == MPI_SUCCESS ? SP_OK : sp_error(SP_EMPI, "gathering row sums failed"));
    }
    for (int i = 0; rc == SP_OK && i < m; i++)
        for (int64_t k = rows->rowptr[i]; k < rows->rowptr[i + 1]; k++) {
            double s = d[lo + i] * d[rows->colind[k]];
            rows->val[k] = s > 0.0 ? rows->val[k] / sqrt(s) : 0.0;
        }
    free(d), free(mine), free(counts);
    return rc;
}

/* This rank's rows of C from the log (quiet on ranks > 0). (collective) */
static int build_rows(MPI_Comm comm, int rank, const embdim_cli *a, const input_setup *in,
                      const sp_vocab *v, int n, int lo, int hi, sp_csr *rows,
                      sp_cooc_build_info *info)
{
    sp_cooc_options co = in->co;
    int sym = co.normalize == SP_COOC_NORM_SYM, saved[2], rc = SP_OK;
    if (sym) co.normalize = SP_COOC_NORM_NONE;
    co.row_begin = lo, co.row_end = hi;
    info->map_flags = in->flags;
    sp_cli_mpi_quiet_begin(rank, saved);
    if (lo < hi) {
        rc = v ? sp_cooc_build_matrix("embdim", a->data, &in->ro, v, &co, rows, info)
               : sp_libsvm_build_matrix("embdim", a->data, a->c.skip_bad, n, &co, rows, info);
    } else { /* an empty block (row_begin == row_end would mean all rows) */
        *rows = (sp_csr){0, n, 0, sp_calloc(1, sizeof(int64_t)), NULL, NULL};
        rc = rows->rowptr ? SP_OK : SP_ENOMEM;
    }
    sp_cli_mpi_quiet_end(saved);
    rc = sp_dist_agree(comm, rc);
    if (rc == SP_OK && sym) rc = sym_normalize(comm, n, lo, rows);
    return rc;
}

static int load_log(MPI_Comm comm, int rank, const embdim_cli *a, const input_setup *in,
                    sp_dist_csr *D, sp_cooc_build_info *info)
{
    int nranks, lo = 0, hi = 0;
    MPI_Comm_size(comm, &nranks);
    sp_vocab *v = NULL;
    sp_csr rows = {0, 0, 0, NULL, NULL, NULL};
    double *w = NULL;
    int n = 0, rc = sp_cooc_args_libsvm(&a->c) ? libsvm_everywhere(comm, rank, a, &n, &w, info)
                                               : vocab_everywhere(comm, rank, a, in, &v, info);
    if (rc == SP_OK && v) {
        n = sp_vocab_n_ids(v);
        rc = sp_dist_agree(comm, (w = sp_malloc((size_t)n * sizeof *w)) ? SP_OK : SP_ENOMEM);
        if (rc == SP_OK) id_weights(v, w, n);
    }
    if (rc == SP_OK) block_of(w, n, nranks, rank, &lo, &hi);
    if (rc == SP_OK) rc = build_rows(comm, rank, a, in, v, n, lo, hi, &rows, info);
    if (rc == SP_OK) info->n = n;
    sp_vocab_free(v);
    free(w);
    if (rc < 0) {
        sp_csr_uninit(&rows);
        return rc;
    }
    return sp_dist_csr_from_blocks(comm, info->n, lo, &rows, D);
}

/* ---- matrix ---------------------------------------------------------------- */

/* n >= 3 and no NaN or infinite entry on any rank. (collective) */
static int check_matrix(const char *what, sp_dist_csr *D)
{
    int rc = SP_OK;
    if (D->n < 3) rc = sp_error(SP_EFORMAT, "%s: the matrix is %d x %d (need n >= 3)", what, D->n, D->n);
    for (int i = 0; rc == SP_OK && i < D->n_local; i++)
        for (int64_t k = D->rowptr[i]; k < D->rowptr[i + 1]; k++)
            if (!isfinite(D->val[k])) {
                rc = sp_error(SP_EFORMAT, "%s: row %d, column %d is not finite", what, D->row0 + i + 1,
                              sp_dist_csr_global_col(D, D->col[k]) + 1);
                break;
            }
    return sp_dist_agree(D->comm, rc);
}

static int load_input(MPI_Comm comm, int rank, const embdim_cli *a, const input_setup *in,
                      sp_dist_csr *D, sp_cooc_build_info *info)
{
    int rc;
    memset(D, 0, sizeof *D);
    memset(info, 0, sizeof *info);
    D->comm = MPI_COMM_NULL, D->plan.graph = MPI_COMM_NULL;
    if (in->kind == SP_INPUT_LOG) {
        rc = load_log(comm, rank, a, in, D, info);
    } else if (in->kind == SP_INPUT_CSR) {
        rc = sp_dist_csr_binary_read(comm, a->data, D, NULL);
    } else {
        sp_mm_info mm;
        rc = sp_dist_mm_read(comm, a->data, D, &mm);
        if (rc == SP_OK) sp_mm_info_uninit(&mm);
    }
    if (rc == SP_OK) rc = check_matrix(a->data, D);
    if (rc < 0) sp_dist_csr_uninit(D);
    return rc;
}

/* ---- solve and print -------------------------------------------------------- */

/* ||C||_F over all ranks, scaled as sp_csr_norm_fro. (collective) */
static double dist_fro_norm(sp_dist_csr *D)
{
    double scale = 0.0, sum = 0.0;
    for (int64_t k = 0; k < D->nnz_local; k++) scale = fmax(scale, fabs(D->val[k]));
    MPI_Allreduce(MPI_IN_PLACE, &scale, 1, MPI_DOUBLE, MPI_MAX, D->comm);
    if (scale == 0.0) return 0.0;
    for (int64_t k = 0; k < D->nnz_local; k++) sum += (D->val[k] / scale) * (D->val[k] / scale);
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, D->comm);
    return scale * sqrt(sum);
}

/* Checks made before solving; 0 or SP_EXIT_USAGE (printed by rank 0). */
static int check_advice(const embdim_cli *a, sp_dist_csr *D, const sp_operator *op, sp_embdim_options *o)
{
    o->fro_norm = dist_fro_norm(D);
    if (!(o->fro_norm > 0.0)) {
        if (D->rank == 0) sp_cli_usage_error("embdim", "%s: ||C||_F = 0: the matrix is zero", a->data);
        return SP_EXIT_USAGE;
    }
    if (sp_embdim_check(op, o) == SP_OK) return 0;
    const char *msg = sp_errmsg();
    if (!strncmp(msg, "embdim: ", 8)) msg += 8;
    if (D->rank == 0) sp_cli_usage_error("embdim", "%s: %s", a->data, msg);
    return SP_EXIT_USAGE;
}

static void print_results(const embdim_cli *a, sp_dist_csr *D, const sp_embdim_options *o,
                          const sp_embdim_result *r, const sp_cooc_build_info *info)
{
    double t[3] = {D->stats.seconds_compute, D->stats.seconds_comm, D->stats.seconds_allreduce};
    MPI_Allreduce(MPI_IN_PLACE, t, 3, MPI_DOUBLE, MPI_MAX, D->comm);
    if (D->rank != 0) return;
    char json[512], line[512];
    snprintf(json, sizeof json, ", \"ranks\": %d, \"exchange\": \"%s\", \"matvecs_distributed\": %lld, "
             "\"allreduces\": %lld, \"matvec_compute_seconds\": %.6f, \"matvec_comm_seconds\": %.6f, "
             "\"allreduce_seconds\": %.6f", D->nranks, sp_dist_exchange_name(D->exchange),
             (long long)D->stats.matvecs, (long long)D->stats.allreduces, t[0], t[1], t[2]);
    snprintf(line, sizeof line, "distributed over %d ranks (%s, %s exchange): %lld "
             "matvecs, compute %.3f s, communication %.3f s, %lld allreduces (%.3f s)", D->nranks,
             D->orig_row ? "rows dealt by length" : "rows balanced by measured time",
             sp_dist_exchange_name(D->exchange), (long long)D->stats.matvecs, t[0], t[1],
             (long long)D->stats.allreduces, t[2]);
    sp_embdim_cli_print(a, o, r, info, json, line);
    fflush(stdout);
}

static int solve(const embdim_cli *a, sp_dist_csr *D, sp_embdim_options *o, const sp_cooc_build_info *info)
{
    sp_operator op;
    int rc = sp_dist_operator(D, &op), code;
    if (rc < 0) return report(D->rank, rc);
    if ((code = check_advice(a, D, &op, o)) != 0) return code;
    embdim_monitor_state mon;
    sp_progress_init(&mon.bar, "embdim", 0);
    if (D->rank == 0) o->monitor = sp_embdim_cli_monitor, o->monitor_user = &mon;
    sp_dist_stats_reset(D);
    sp_embdim_result r;
    rc = sp_embdim_advise(&op, o, &r);
    if (D->rank == 0) sp_progress_finish(&mon.bar);
    int worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, D->comm);
    rc = worst == SP_ENOCONV || worst == SP_OK ? worst : sp_dist_agree(D->comm, rc < 0 ? rc : SP_EINTERNAL);
    if (rc == SP_OK || rc == SP_ENOCONV) {
        code = rc == SP_OK ? SP_EXIT_OK : SP_EXIT_NOTCONV;
        print_results(a, D, o, &r, info);
        int prc = D->rank == 0 && a->plot ? sp_embdim_cli_write_plot(a->plot, a->data, &r) : SP_OK;
        if ((prc = sp_dist_agree(D->comm, prc)) < 0) code = report(D->rank, prc);
    } else {
        code = report(D->rank, rc);
    }
    sp_embdim_result_uninit(&r);
    return code;
}

/* Rows to ranks as eigs does (sp_dist_csr_balance_auto), for the largest subspace the
 * advice uses: 3 k for the largest candidate k (the automatic nested sizes
 * end at 3 k), or the largest explicit nested size. */
static int balance_rows(sp_dist_csr *D, const sp_embdim_options *o)
{
    int m = 0;
    for (int c = 0; c < o->n_candidates; c++) m = 3 * o->candidates[c] > m ? 3 * o->candidates[c] : m;
    for (int s = 0; s < o->nested_count; s++) m = o->nested[s] > m ? o->nested[s] : m;
    m = m < D->n ? m : D->n;
    return sp_dist_csr_balance_auto(D, m > 1 ? m : 1, NULL);
}

static int run(int argc, char **argv, int rank)
{
    embdim_cli a;
    sp_embdim_options o;
    input_setup in;
    int saved[2];
    sp_cli_mpi_quiet_begin(rank, saved);
    int code = sp_embdim_cli_parse(argc, argv, &a, &o);
    if (code < 0) code = setup_input(&a, &in);
    sp_cli_mpi_quiet_end(saved);
    int worst = code;
    MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst >= 0) return worst;
    if (a.threads > 0) sp_set_threads((int)a.threads);
    sp_dist_csr D;
    sp_cooc_build_info info;
    int rc = load_input(MPI_COMM_WORLD, rank, &a, &in, &D, &info);
    if (rc == SP_OK && (rc = balance_rows(&D, &o)) < 0) sp_dist_csr_uninit(&D);
    if (rc < 0) return report(rank, rc);
    code = solve(&a, &D, &o, &info);
    sp_dist_csr_uninit(&D);
    return code;
}

int sp_embdim_mpi(int argc, char **argv) { return sp_cli_mpi_main("embdim", argc, argv, run); }
#else
int sp_embdim_mpi(int argc, char **argv)
{
    (void)argc, (void)argv;
    return SP_EXIT_USAGE; /* never called: cmd_embdim.c checks SPARTAN_HAVE_MPI */
}
#endif
