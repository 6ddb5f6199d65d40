/* mpi_cooc.c: the distributed co-occurrence pipeline, run under mpirun at 1-4
 * ranks. Each rank builds its row block of C from the whole log
 * (sp_cooc_options row_begin/row_end): the block must equal those rows of the
 * serial matrix bit for bit (counts and ppmi with spilling, weighted); then
 * sp_dist_csr_from_blocks + sp_dist_operator + sp_embdim_advise must give the
 * serial advice: same recommended k, convergence and restarts, eigenvalues to
 * 1e-10 relative. A plain MPI program: returns nonzero on failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpi_test_util.h"
#include "spartan/advisor.h"
#include "spartan/data.h"
#include "spartan/dist.h"



static const char *log_path(void)
{
    static char buf[2048];
    const char *dir = getenv("SPARTAN_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/criteo/criteo_train_2000.txt.gz", dir ? dir : "tests/data");
    return buf;
}

/* Rows [lo, hi) of a serial matrix A equal the block B, bit for bit. */
static int same_rows(const sp_csr *A, int lo, const sp_csr *B)
{
    if (B->cols != A->cols) return 0;
    int64_t off = A->rowptr[lo];
    for (int r = 0; r <= B->rows; r++)
        if (B->rowptr[r] != A->rowptr[lo + r] - off) return 0;
    return !memcmp(B->colind, A->colind + off, (size_t)B->nnz * sizeof(int)) &&
           !memcmp(B->val, A->val + off, (size_t)B->nnz * sizeof(double));
}

/* Even split of the ids (the CLI balances by work; any tiling must do). */
static void block_of(int n, int *lo, int *hi)
{
    *lo = (int)((int64_t)n * rank_ / nranks_);
    *hi = (int)((int64_t)n * (rank_ + 1) / nranks_);
}

static void build(const sp_vocab *v, sp_cooc_options co, int lo, int hi, sp_csr *C)
{
    co.row_begin = lo, co.row_end = hi;
    memset(C, 0, sizeof *C);
    int rc = SP_OK;
    if (lo < hi) rc = sp_cooc_from_file(log_path(), NULL, v, 0, &co, C, NULL);
    else *C = (sp_csr){0, sp_vocab_n_ids(v), 0, calloc(1, sizeof(int64_t)), NULL, NULL};
    CHECK(rc == SP_OK, "build [%d, %d): %s", lo, hi, sp_errmsg());
}

/* spill: the block gets a tiny budget (exact in count mode only; weighted
 * sums depend on the budget's chunking in the last bits). */
static void check_blocks(const sp_vocab *v, sp_cooc_options co, const char *what, int spill)
{
    int n = sp_vocab_n_ids(v), lo, hi;
    sp_csr full, mine;
    build(v, co, 0, n, &full);
    block_of(n, &lo, &hi);
    if (spill) co.memory_bytes = 128 << 10; /* the block spills, the full one need not */
    build(v, co, lo, hi, &mine);
    CHECK(mine.rows == hi - lo && same_rows(&full, lo, &mine), "%s: block [%d, %d) differs", what, lo, hi);
    sp_csr_uninit(&full);
    sp_csr_uninit(&mine);
}

static void check_advice(const sp_vocab *v, sp_cooc_options co)
{
    int n = sp_vocab_n_ids(v), lo, hi;
    sp_csr full, mine;
    build(v, co, 0, n, &full);
    block_of(n, &lo, &hi);
    build(v, co, lo, hi, &mine);
    sp_embdim_options o = sp_embdim_options_default();
    int ks[] = {4, 8, 16};
    memcpy(o.candidates, ks, sizeof ks);
    o.n_candidates = 3;
    sp_operator sop, dop;
    sp_embdim_result s, d;
    sp_operator_csr(&full, &sop);
    int src = sp_embdim_advise(&sop, &o, &s);
    sp_dist_csr D;
    int rc = sp_dist_csr_from_blocks(MPI_COMM_WORLD, n, lo, &mine, &D);
    CHECK(rc == SP_OK, "from_blocks: %s", sp_errmsg());
    if (rc == SP_OK) rc = sp_dist_operator(&D, &dop);
    o.fro_norm = sp_csr_norm_fro(&full); /* the CLI allreduces it */
    int drc = rc == SP_OK ? sp_embdim_advise(&dop, &o, &d) : rc;
    CHECK(src >= 0 && drc == src, "advise: serial %d, distributed %d (%s)", src, drc, sp_errmsg());
    if (src >= 0 && drc == src) {
        CHECK(s.recommended == d.recommended, "recommended %d vs %d", s.recommended, d.recommended);
        for (int i = 0; i < s.count; i++) {
            const sp_embdim_candidate *a = &s.cand[i], *b = &d.cand[i];
            CHECK(a->converged == b->converged && a->restarts == b->restarts && a->nconv == b->nconv,
                  "k = %d: converged %d/%d restarts %d/%d", a->k, a->converged, b->converged,
                  a->restarts, b->restarts);
            double worst = 0.0;
            for (int j = 0; j < a->nconv && j < b->nconv; j++)
                worst = fmax(worst, fabs(a->values[j] - b->values[j]) / fabs(a->values[j]));
            CHECK(worst <= 1e-10, "k = %d: eigenvalues differ by %.1e relative (tolerance 1e-10)", a->k, worst);
        }
        sp_embdim_result_uninit(&d);
    }
    if (src >= 0) sp_embdim_result_uninit(&s);
    sp_dist_csr_uninit(&D);
    sp_csr_uninit(&full);
}

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    sp_vocab_options vo;
    sp_vocab_options_default(&vo);
    vo.min_count = 5;
    sp_vocab *v = NULL;
    int rc = sp_vocab_build_from_file(log_path(), NULL, &vo, &v);
    CHECK(rc == SP_OK, "vocabulary: %s", sp_errmsg());
    if (rc == SP_OK) {
        sp_cooc_options co;
        sp_cooc_options_default(&co);
        check_blocks(v, co, "counts", 1);
        co.weighted = 1, co.diagonal = 1;
        check_blocks(v, co, "weighted, diagonal", 0);
        co.weighted = 0, co.normalize = SP_COOC_NORM_PPMI;
        check_blocks(v, co, "ppmi", 1);
        sp_cooc_options_default(&co);
        check_advice(v, co);
    }
    sp_vocab_free(v);
    return mpi_test_finish("mpi_cooc");
}
