/* which.c: names of `which` and of the methods, and the "most wanted first"
 * ordering of eigenvalues. The ordering is total and deterministic: ties of
 * the primary key are broken by the other part, as ARPACK's dngets pre-sort
 * does (LI/LR by larger |lambda|, SI/SR by smaller, LM by larger real part,
 * SM by smaller), then by real part, |imag|, and the positive imaginary part
 * first, so conjugate pairs always end up adjacent. Knows nothing of Krylov. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eigen/eigen_internal.h"

static const char *const which_names[] = {"LM", "SM", "LR", "SR", "LI", "SI", "LA", "SA", "BE"};
_Static_assert(sizeof which_names / sizeof which_names[0] == SP_WHICH_COUNT,
               "which_names and sp_which agree");

static const char *const method_names[] = {"auto", "iram", "miramns", "dense"};
_Static_assert(sizeof method_names / sizeof method_names[0] == SP_EIG_METHOD_COUNT,
               "method_names and sp_eig_method agree");

const char *sp_which_name(sp_which which)
{
    return (unsigned)which < SP_WHICH_COUNT ? which_names[which] : "?";
}

int sp_which_parse(const char *name, sp_which *which)
{
    for (int i = 0; name && i < SP_WHICH_COUNT; i++)
        if (!strcmp(name, which_names[i])) {
            *which = (sp_which)i;
            return SP_OK;
        }
    return sp_error(SP_EINVAL, "which = '%s' is not one of LM SM LR SR LI SI LA SA BE",
                    name ? name : "(null)");
}

int sp_which_symmetric_only(sp_which which)
{
    return which == SP_WHICH_LA || which == SP_WHICH_SA || which == SP_WHICH_BE;
}

const char *sp_eig_method_name(sp_eig_method method)
{
    return (unsigned)method < SP_EIG_METHOD_COUNT ? method_names[method] : "?";
}

int sp_eig_method_parse(const char *name, sp_eig_method *method)
{
    for (int i = 0; name && i < SP_EIG_METHOD_COUNT; i++)
        if (!strcmp(name, method_names[i])) {
            *method = (sp_eig_method)i;
            return SP_OK;
        }
    return sp_error(SP_EINVAL, "method = '%s' is not one of auto iram miramns dense",
                    name ? name : "(null)");
}

/* Primary key: larger = more wanted. BE uses LA here (interleaved later). */
double sp_which_key(sp_which which, double re, double im)
{
    switch (which) {
    case SP_WHICH_LM: return hypot(re, im);
    case SP_WHICH_SM: return -hypot(re, im);
    case SP_WHICH_LR: case SP_WHICH_LA: case SP_WHICH_BE: return re;
    case SP_WHICH_SR: case SP_WHICH_SA: return -re;
    case SP_WHICH_LI: return fabs(im);
    case SP_WHICH_SI: return -fabs(im);
    default: return 0.0;
    }
}

/* Tie-break of the primary key (larger = more wanted): the other part, as
 * dngets pre-sorts (LM by LR, SM by SR, LR/LI by LM, SR/SI by SM). Without
 * it an all-real LI/SI problem has no wanted set and never settles. */
static double secondary_key(sp_which which, double re, double im)
{
    switch (which) {
    case SP_WHICH_LM: return re;
    case SP_WHICH_SM: return -re;
    case SP_WHICH_LR: case SP_WHICH_LA: case SP_WHICH_LI: return hypot(re, im);
    case SP_WHICH_SR: case SP_WHICH_SA: case SP_WHICH_SI: return -hypot(re, im);
    default: return re;
    }
}

static int cmp3(double a, double b) { return a > b ? -1 : a < b ? 1 : 0; }

int sp_which_compare(sp_which which, double are, double aim, double bre, double bim)
{
    int c = cmp3(sp_which_key(which, are, aim), sp_which_key(which, bre, bim));
    if (!c) c = cmp3(secondary_key(which, are, aim), secondary_key(which, bre, bim));
    if (!c) c = cmp3(are, bre);
    if (!c) c = cmp3(fabs(aim), fabs(bim));
    if (!c) c = cmp3(aim, bim);
    return c;
}

typedef struct {
    sp_which which;
    const double *re, *im;
} sort_ctx;

/* Insertion sort of a permutation (n is small: at most ncv or n of the dense
 * path; stable, no qsort context needed, reentrant). */
static void sort_perm(const sort_ctx *c, int n, int *perm)
{
    for (int i = 1; i < n; i++) {
        int p = perm[i], j = i - 1;
        while (j >= 0 &&
               sp_which_compare(c->which, c->re[p], c->im[p], c->re[perm[j]], c->im[perm[j]]) < 0) {
            perm[j + 1] = perm[j];
            j--;
        }
        perm[j + 1] = p;
    }
}

/* BE: from LA order take alternately from the top and the bottom. */
static void interleave_ends(int n, int *perm)
{
    int *tmp = malloc((size_t)n * sizeof *tmp);
    if (!tmp) return; /* keeps LA order: still a valid (if different) answer */
    int lo = 0, hi = n - 1;
    for (int i = 0; i < n; i++) tmp[i] = (i % 2 == 0) ? perm[lo++] : perm[hi--];
    memcpy(perm, tmp, (size_t)n * sizeof *tmp);
    free(tmp);
}

void sp_which_sort(sp_which which, int n, const double *re, const double *im, int *perm)
{
    sort_ctx c = {which, re, im};
    for (int i = 0; i < n; i++) perm[i] = i;
    if (n > 1) {
        if (n > 64) { /* merge-free fallback: shell passes first to cut insertion cost */
            for (int gap = n / 2; gap > 0; gap /= 2)
                for (int i = gap; i < n; i++)
                    for (int j = i; j >= gap &&
                                    sp_which_compare(which, re[perm[j]], im[perm[j]],
                                                     re[perm[j - gap]], im[perm[j - gap]]) < 0;
                         j -= gap) {
                        int t = perm[j];
                        perm[j] = perm[j - gap];
                        perm[j - gap] = t;
                    }
        }
        sort_perm(&c, n, perm);
    }
    if (which == SP_WHICH_BE) interleave_ends(n, perm);
}
