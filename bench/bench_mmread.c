/* bench_mmread.c: time sp_mm_read on a generated Matrix Market file with 10^7
 * nonzeros (plain and gzip) against a naive fscanf-based reader (the peer) in
 * the same run, and print nnz/s and the ratio. The peer only fills triplet
 * arrays; spartan's time also includes building the CSR matrix. Both are
 * single-threaded; CPU time is printed too (wall time suffers on a busy machine).
 * Usage: bench_mmread [NNZ] [DIR]   (defaults 10000000, /tmp; files removed after) */
#include "spartan/linalg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* A random n x n matrix with about nnz entries (duplicates summed), ~10 per row. */
static int generate(int64_t nnz, sp_csr *A)
{
    int n = (int)(nnz / 10 > 0 ? nnz / 10 : 1);
    int *ri = malloc((size_t)nnz * sizeof *ri), *ci = malloc((size_t)nnz * sizeof *ci);
    double *v = malloc((size_t)nnz * sizeof *v);
    if (!ri || !ci || !v) return SP_ENOMEM;
    sp_rng rng;
    sp_rng_seed(&rng, 2024);
    for (int64_t k = 0; k < nnz; k++) {
        ri[k] = (int)(k / 10 % n);
        ci[k] = (int)sp_rng_below(&rng, (uint64_t)n);
        v[k] = sp_rng_normal(&rng);
    }
    int rc = sp_csr_from_triplets(n, n, nnz, ri, ci, v, A);
    free(ri), free(ci), free(v);
    return rc;
}

/* The peer: fgets over comments, then one fscanf per entry into triplets. */
static int naive_read(const char *path, int64_t *count)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    char line[1024];
    do {
        if (!fgets(line, sizeof line, fp)) return fclose(fp), -1;
    } while (line[0] == '%');
    int rows, cols;
    long long nnz;
    if (sscanf(line, "%d %d %lld", &rows, &cols, &nnz) != 3) return fclose(fp), -1;
    int *ri = malloc((size_t)nnz * sizeof *ri), *ci = malloc((size_t)nnz * sizeof *ci);
    double *v = malloc((size_t)nnz * sizeof *v);
    long long k = 0;
    while (ri && ci && v && k < nnz && fscanf(fp, "%d %d %lg", &ri[k], &ci[k], &v[k]) == 3)
        k++;
    fclose(fp);
    *count = k;
    free(ri), free(ci), free(v);
    return k == nnz ? 0 : -1;
}

static int gzip_copy(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    gzFile out = gzopen(dst, "wb1");
    if (!in || !out) return -1;
    static char buf[1 << 20];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)n);
    fclose(in);
    return gzclose(out) == Z_OK ? 0 : -1;
}

typedef struct timing {
    double wall, cpu; /* seconds, best of the repetitions */
} timing;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void keep_best(timing *best, double wall, double cpu)
{
    if (wall < best->wall) best->wall = wall;
    if (cpu < best->cpu) best->cpu = cpu;
}

/* Best of `reps` timed sp_mm_read calls; each result's nnz is checked. */
static timing time_spartan(const char *path, int reps, int64_t want_nnz)
{
    timing best = {1e300, 1e300};
    for (int r = 0; r < reps; r++) {
        sp_csr B;
        sp_mm_info info;
        double c0 = cpu_now(), t0 = sp_time_now();
        if (sp_mm_read(path, &B, &info) < 0) {
            fprintf(stderr, "bench_mmread: %s\n", sp_errmsg());
            exit(1);
        }
        double t = sp_time_now() - t0, c = cpu_now() - c0;
        if (B.nnz != want_nnz) {
            fprintf(stderr, "bench_mmread: read %lld entries, wrote %lld\n", (long long)B.nnz,
                    (long long)want_nnz);
            exit(1);
        }
        sp_csr_uninit(&B);
        sp_mm_info_uninit(&info);
        keep_best(&best, t, c);
    }
    return best;
}

static timing time_naive(const char *path, int reps, int64_t want_nnz)
{
    timing best = {1e300, 1e300};
    for (int r = 0; r < reps; r++) {
        int64_t count = 0;
        double c0 = cpu_now(), t0 = sp_time_now();
        if (naive_read(path, &count) < 0 || count != want_nnz) {
            fprintf(stderr, "bench_mmread: naive reader failed on %s\n", path);
            exit(1);
        }
        keep_best(&best, sp_time_now() - t0, cpu_now() - c0);
    }
    return best;
}

static void print_row(const char *name, timing t, int64_t nnz, double mb)
{
    printf("%-30s %8.3f %8.3f %12.3e %8.1f\n", name, t.wall, t.cpu, nnz / t.wall, mb / t.wall);
}

int main(int argc, char **argv)
{
    int64_t nnz = argc > 1 ? atoll(argv[1]) : 10000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[512], gzpath[520];
    snprintf(path, sizeof path, "%s/spartan_bench_mmread_%d.mtx", dir, (int)getpid());
    snprintf(gzpath, sizeof gzpath, "%s.gz", path);
    sp_csr A;
    double t0 = sp_time_now();
    if (generate(nnz, &A) < 0 || sp_mm_write_csr(path, &A, SP_MM_GENERAL, "bench_mmread") < 0) {
        fprintf(stderr, "bench_mmread: %s\n", sp_errmsg());
        return 1;
    }
    double t_write = sp_time_now() - t0;
    t0 = sp_time_now();
    if (gzip_copy(path, gzpath) < 0) return fprintf(stderr, "bench_mmread: gzip failed\n"), 1;
    double t_gzip = sp_time_now() - t0;
    FILE *fp = fopen(path, "rb");
    fseek(fp, 0, SEEK_END);
    double mb = (double)ftell(fp) / 1e6;
    fclose(fp);
    printf("matrix %d x %d, nnz %lld, file %.0f MB (%%.17g values); generate+write %.2f s, gzip "
           "%.2f s\n",
           A.rows, A.cols, (long long)A.nnz, mb, t_write, t_gzip);
    const int reps = 3;
    timing ts = time_spartan(path, reps, A.nnz), tz = time_spartan(gzpath, reps, A.nnz);
    timing tn = time_naive(path, reps, A.nnz);
    printf("%-30s %8s %8s %12s %8s\n", "reader (best of 3)", "wall s", "cpu s", "nnz/s", "MB/s");
    print_row("spartan sp_mm_read (plain)", ts, A.nnz, mb);
    print_row("spartan sp_mm_read (gzip -1)", tz, A.nnz, mb);
    print_row("naive fscanf peer (plain)", tn, A.nnz, mb);
    printf("ratio peer / spartan (plain): %.2fx wall, %.2fx cpu\n", tn.wall / ts.wall,
           tn.cpu / ts.cpu);
    unlink(path);
    unlink(gzpath);
    sp_csr_uninit(&A);
    return 0;
}
