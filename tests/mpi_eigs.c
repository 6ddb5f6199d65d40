/* mpi_eigs.c: sp_eigs on the distributed operator (dist.h) gives the serial
 * solver's eigenvalues, run under mpirun at 1-4 ranks. Reference: sp_eigs on
 * the serial CSR operator of the whole matrix with the same start vector (a
 * seeded global vector, each rank passing its rows). Shipped matrices and
 * generated ones, IRAM and MIRAMns, symmetric and not. Also checks that every
 * rank returns the same bits and prints allreduces per Arnoldi step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpi_test_util.h"
#include "spartan/dist.h"
#include "spartan/generate.h"

#define TOL_AGREE 1e-10



typedef struct eig_case {
    const char *source; /* file in SPARTAN_TEST_DATA, or "gen:SPEC" */
    sp_eig_method method;
    int nev, ncv;
    sp_which which;
    double tol;
    int nested[4], nested_count;
} eig_case;

static int load(const char *source, sp_csr *A)
{
    if (!strncmp(source, "gen:", 4)) return sp_gen_spec(source + 4, A, NULL);
    const char *dir = getenv("SPARTAN_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", source);
    return sp_mm_read(path, A, NULL);
}

static double rel_diff(double a, double b, double scale)
{
    return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), scale);
}

/* Every rank holds the same bits (compared through MIN and MAX reductions). */
static int same_on_all_ranks(const double *x, int count)
{
    double *lo = malloc((size_t)(count + 1) * sizeof(double)), *hi = malloc((size_t)(count + 1) * sizeof(double));
    MPI_Allreduce(x, lo, count, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(x, hi, count, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    int same = !memcmp(lo, hi, (size_t)count * sizeof(double));
    free(lo);
    free(hi);
    return same;
}

static void compare(const eig_case *c, const sp_eigs_result *ser, const sp_eigs_result *dis)
{
    CHECK(dis->nconv == ser->nconv, "%s: nconv %d, serial %d", c->source, dis->nconv, ser->nconv);
    double scale = 0.0, worst = 0.0;
    for (int i = 0; i < ser->nconv; i++) scale = fmax(scale, hypot(ser->re[i], ser->im[i]));
    scale *= 1e-8; /* eigenvalues near 0: relative to the largest wanted one, damped */
    for (int i = 0; i < ser->nconv && i < dis->nconv; i++) {
        worst = fmax(worst, rel_diff(dis->re[i], ser->re[i], scale));
        worst = fmax(worst, rel_diff(fabs(dis->im[i]), fabs(ser->im[i]), scale));
    }
    CHECK(worst <= TOL_AGREE, "%s %s nev %d: max relative eigenvalue difference %.3g (tolerance %.0e)",
          c->source, sp_eig_method_name(c->method), c->nev, worst, TOL_AGREE);
    CHECK(same_on_all_ranks(dis->re, dis->nconv) && same_on_all_ranks(dis->im, dis->nconv),
          "%s: ranks disagree on the eigenvalues", c->source);
    if (rank_ == 0)
        printf("  %-28s %-8s %-2s nev %d: nconv %d, matvecs %lld (serial %lld), max rel diff %.2e\n",
               c->source, sp_eig_method_name(c->method), sp_which_name(c->which), c->nev, dis->nconv,
               (long long)dis->matvecs, (long long)ser->matvecs, worst);
}

static sp_eigs_options case_options(const eig_case *c)
{
    sp_eigs_options o = sp_eigs_options_default();
    o.nev = c->nev;
    o.ncv = c->ncv;
    o.which = c->which;
    o.tol = c->tol;
    o.method = c->method;
    o.nested_count = c->nested_count;
    for (int k = 0; k < c->nested_count; k++) o.nested[k] = c->nested[k];
    return o;
}

static void run_case(const eig_case *c, int64_t *allreduces, int64_t *matvecs)
{
    sp_csr A;
    int rc = load(c->source, &A);
    CHECK(rc == SP_OK, "%s: %s", c->source, sp_errmsg());
    if (rc < 0) return;
    double *v0 = malloc((size_t)A.rows * sizeof(double));
    sp_rng rng;
    sp_rng_seed(&rng, 2024);
    for (int i = 0; i < A.rows; i++) v0[i] = 1.0 + 0.5 * sp_rng_normal(&rng);
    sp_operator sop, dop;
    sp_dist_csr D;
    sp_eigs_result ser, dis;
    memset(&ser, 0, sizeof ser);
    memset(&dis, 0, sizeof dis);
    sp_eigs_options o = case_options(c);
    o.v0 = v0;
    int rs = sp_operator_csr(&A, &sop);
    if (rs == SP_OK) rs = sp_eigs(&sop, &o, &ser);
    CHECK(rs == SP_OK, "%s serial: status %d: %s", c->source, rs, sp_errmsg());
    rc = sp_dist_csr_from_full(MPI_COMM_WORLD, &A, &D);
    if (rc == SP_OK) rc = sp_dist_operator(&D, &dop);
    CHECK(rc == SP_OK, "%s: %s", c->source, sp_errmsg());
    if (rc == SP_OK) {
        CHECK(dop.symmetric == sop.symmetric, "%s: symmetric %d vs serial %d", c->source, dop.symmetric, sop.symmetric);
        o.v0 = v0 + D.row0;
        sp_dist_stats_reset(&D);
        rc = sp_eigs(&dop, &o, &dis);
        CHECK(rc == rs, "%s distributed: status %d (serial %d): %s", c->source, rc, rs, sp_errmsg());
        if (rs >= 0 || rs == SP_ENOCONV) compare(c, &ser, &dis);
        *allreduces += D.stats.allreduces;
        *matvecs += D.stats.matvecs;
    }
    sp_eigs_result_uninit(&ser);
    sp_eigs_result_uninit(&dis);
    sp_dist_csr_uninit(&D);
    free(v0);
    sp_csr_uninit(&A);
}

static const eig_case cases[] = {
    {"bfwa62.mtx", SP_EIG_IRAM, 2, 10, SP_WHICH_LM, 1e-14, {0}, 0},
    {"bfwa62.mtx", SP_EIG_MIRAMNS, 2, 10, SP_WHICH_LM, 1e-12, {5, 8, 10}, 3},
    {"plat362.mtx", SP_EIG_IRAM, 2, 20, SP_WHICH_LM, 1e-12, {0}, 0},
    {"plat362.mtx", SP_EIG_MIRAMNS, 2, 20, SP_WHICH_LM, 1e-12, {10, 15, 20}, 3},
    {"west0479.mtx", SP_EIG_IRAM, 4, 20, SP_WHICH_LM, 1e-14, {0}, 0},
    {"west0479.mtx", SP_EIG_MIRAMNS, 2, 20, SP_WHICH_LM, 1e-14, {10, 15, 20}, 3},
    {"nos4.mtx", SP_EIG_IRAM, 3, 12, SP_WHICH_LA, 1e-12, {0}, 0},
    {"gen:laplace2d:12", SP_EIG_IRAM, 4, 20, SP_WHICH_LA, 1e-12, {0}, 0},
    {"gen:laplace2d:12", SP_EIG_MIRAMNS, 3, 20, SP_WHICH_SA, 1e-12, {10, 15, 20}, 3},
    {"gen:random-sparse:300:5:7", SP_EIG_IRAM, 4, 20, SP_WHICH_LM, 1e-12, {0}, 0},
    {"gen:random-sparse:300:5:7", SP_EIG_MIRAMNS, 3, 20, SP_WHICH_LR, 1e-12, {10, 15, 20}, 3},
};

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    int64_t allreduces = 0, matvecs = 0;
    if (rank_ == 0) printf("mpi_eigs (%d ranks): serial vs distributed sp_eigs\n", nranks_);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k], &allreduces, &matvecs);
    if (rank_ == 0)
        printf("allreduces per matvec (Arnoldi step, incl. restarts and final residuals): %.2f "
               "(%lld / %lld)\n", matvecs ? (double)allreduces / (double)matvecs : 0.0,
               (long long)allreduces, (long long)matvecs);
    return mpi_test_finish("mpi_eigs");
}
