/* mpi_read.c: parallel input, run under mpirun at 1-4 ranks. The parallel
 * Matrix Market reader must give exactly the matrix sp_mm_read gives,
 * distributed as sp_dist_csr_from_full distributes it (same partition, same
 * bits), on every shipped matrix, on crafted files (duplicates, comments and
 * blank lines between entries, CRLF, pattern, skew), on gzip and array files
 * (rank 0 fallback); every malformed file in tests/data/bad must fail on every
 * rank with exactly sp_mm_read's message. The binary CSR reader: round trip,
 * and corrupted / truncated files fail on every rank with the same message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "mpi_test_util.h"
#include "spartan/csr_binary.h"
#include "spartan/dist.h"

static char tmpdir_[256], data_[1024];


/* Same message on every rank (compared with rank 0's). */
static int same_message_everywhere(const char *msg)
{
    char mine[1024], first[1024];
    snprintf(mine, sizeof mine, "%s", msg);
    memcpy(first, mine, sizeof first);
    MPI_Bcast(first, (int)sizeof first, MPI_CHAR, 0, MPI_COMM_WORLD);
    int same = !strcmp(mine, first), all = 0;
    MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

/* D equals the distribution of the serial matrix A: partition and bits. */
static void check_same_distribution(const char *what, const sp_csr *A, const sp_dist_csr *D)
{
    sp_dist_csr R;
    int rc = sp_dist_csr_from_full(MPI_COMM_WORLD, A, &R);
    CHECK(rc == SP_OK, "%s: %s", what, sp_errmsg());
    if (rc < 0) return;
    CHECK(D->n == R.n && D->nnz == R.nnz, "%s: n %d nnz %lld, serial n %d nnz %lld", what, D->n,
          (long long)D->nnz, R.n, (long long)R.nnz);
    int same = !memcmp(D->starts, R.starts, (size_t)(nranks_ + 1) * sizeof(int));
    CHECK(same, "%s: partition differs from the serial one", what);
    if (same && D->nnz_local == R.nnz_local) {
        size_t k = (size_t)D->nnz_local;
        CHECK(!memcmp(D->rowptr, R.rowptr, ((size_t)D->n_local + 1) * sizeof(int64_t)) &&
                  !memcmp(D->col, R.col, k * sizeof(int)) && !memcmp(D->val, R.val, k * sizeof(double)),
              "%s: local rows differ from the serial matrix's", what);
    } else {
        CHECK(0, "%s: local nnz %lld vs %lld", what, (long long)D->nnz_local, (long long)R.nnz_local);
    }
    sp_dist_csr_uninit(&R);
}

static void check_mm_file(const char *path, const char *what)
{
    sp_csr A;
    sp_mm_info si, di;
    sp_dist_csr D;
    int rs = sp_mm_read(path, &A, &si);
    CHECK(rs == SP_OK, "%s serial: %s", what, sp_errmsg());
    int rc = sp_dist_mm_read(MPI_COMM_WORLD, path, &D, &di);
    CHECK(rc == SP_OK, "%s: %s", what, sp_errmsg());
    if (rc == SP_OK && rs == SP_OK) {
        check_same_distribution(what, &A, &D);
        CHECK(di.nnz == si.nnz && di.duplicates == si.duplicates && di.stored == si.stored &&
                  di.symmetry == si.symmetry && di.field == si.field && di.format == si.format,
              "%s: info nnz %lld dup %lld stored %lld, serial %lld %lld %lld", what, (long long)di.nnz,
              (long long)di.duplicates, (long long)di.stored, (long long)si.nnz, (long long)si.duplicates,
              (long long)si.stored);
        CHECK(!strcmp(di.comments, si.comments), "%s: comments differ", what);
    }
    if (rc == SP_OK) sp_dist_csr_uninit(&D), sp_mm_info_uninit(&di);
    if (rs == SP_OK) sp_csr_uninit(&A), sp_mm_info_uninit(&si);
}

static void check_shipped(void)
{
    static const char *const names[] = {"494_bus.mtx", "bcsstk06.mtx", "bfwa62.mtx", "dwa512.mtx",
                                        "mhd4800b.mtx", "nos4.mtx", "olm500.mtx", "plat362.mtx",
                                        "rdb200.mtx", "west0479.mtx"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[1300];
        snprintf(path, sizeof path, "%s/%s", data_, names[k]);
        check_mm_file(path, names[k]);
    }
}

/* Rank 0 writes text to tmpdir/name; every rank gets the path. */
static void write_text(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir_, name);
    if (rank_ == 0) {
        FILE *fp = fopen(path, "wb");
        fputs(text, fp);
        fclose(fp);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

/* Random entries with duplicates, comments and blank lines between them. */
static void check_crafted(void)
{
    char path[512], *text = malloc(1 << 20);
    sp_rng rng;
    sp_rng_seed(&rng, 77);
    int n = 37, len = sprintf(text, "%%%%MatrixMarket matrix coordinate real general\n%% c1\n\n%% c2\n%d %d 400\n", n, n);
    for (int k = 0; k < 400; k++) {
        if (k % 37 == 5) len += sprintf(text + len, "%% comment inside\n\n");
        len += sprintf(text + len, "%d %d %.17g%s", 1 + (int)sp_rng_below(&rng, (uint64_t)n),
                       1 + (int)sp_rng_below(&rng, 6), sp_rng_normal(&rng), k % 3 ? "\n" : "\r\n");
    }
    write_text("dups.mtx", text, path, sizeof path);
    check_mm_file(path, "duplicates, comments, CRLF");
    write_text("pattern_sym.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n4 4 5\n1 1\n2 1\n3 2\n4 4\n4 1", path, sizeof path);
    check_mm_file(path, "pattern symmetric, no final newline");
    write_text("skew.mtx", "%%MatrixMarket matrix coordinate integer skew-symmetric\n3 3 2\n2 1 5\n3 1 -7\n", path, sizeof path);
    check_mm_file(path, "integer skew-symmetric");
    write_text("zero.mtx", "%%MatrixMarket matrix coordinate real general\n5 5 0\n", path, sizeof path);
    check_mm_file(path, "no entries");
    write_text("array.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n0\n3\n4\n", path, sizeof path);
    check_mm_file(path, "array (rank 0 fallback)");
    free(text);
}

/* A gzip copy of a shipped matrix: read by rank 0, then distributed. */
static void check_gzip(void)
{
    char src[1300], path[512];
    snprintf(src, sizeof src, "%s/west0479.mtx", data_);
    snprintf(path, sizeof path, "%s/west0479.mtx.gz", tmpdir_);
    if (rank_ == 0) {
        FILE *in = fopen(src, "rb");
        gzFile out = gzopen(path, "wb");
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0) gzwrite(out, buf, (unsigned)got);
        fclose(in);
        gzclose(out);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    check_mm_file(path, "gzip (rank 0 fallback)");
}

/* Every malformed file of tests/data/bad: the serial message, on every rank. */
static void check_bad_files(void)
{
    char list[1300], line[2048];
    snprintf(list, sizeof list, "%s/bad/expected.tsv", data_);
    FILE *fp = fopen(list, "r");
    CHECK(fp != NULL, "cannot open %s", list);
    int files = 0;
    while (fp && fgets(line, sizeof line, fp)) {
        char name[256], *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab) continue;
        snprintf(name, sizeof name, "%.*s", (int)(tab - line), line);
        char path[1600], serial[1024];
        snprintf(path, sizeof path, "%s/bad/%s", data_, name);
        sp_csr A;
        sp_dist_csr D;
        int rs = sp_mm_read(path, &A, NULL);
        snprintf(serial, sizeof serial, "%s", sp_errmsg());
        int rc = sp_dist_mm_read(MPI_COMM_WORLD, path, &D, NULL);
        CHECK(rc == rs && rc < 0, "%s: status %d, serial %d", name, rc, rs);
        CHECK(!strcmp(sp_errmsg(), serial), "%s:\n  parallel: %s\n  serial:   %s", name, sp_errmsg(), serial);
        CHECK(same_message_everywhere(sp_errmsg()), "%s: ranks disagree: %s", name, sp_errmsg());
        if (rc == SP_OK) sp_dist_csr_uninit(&D);
        if (rs == SP_OK) sp_csr_uninit(&A);
        files++;
    }
    if (fp) fclose(fp);
    CHECK(files >= 30, "only %d bad files listed", files);
}

/* Binary CSR: round trip, then damaged copies fail everywhere alike. */
static void check_binary_file(const char *path, int want_status, const char *want_text)
{
    sp_dist_csr D;
    int rc = sp_dist_csr_binary_read(MPI_COMM_WORLD, path, &D, NULL);
    CHECK(rc == want_status, "%s: status %d, want %d (%s)", path, rc, want_status, sp_errmsg());
    CHECK(rc == SP_OK || strstr(sp_errmsg(), want_text), "%s: message '%s' lacks '%s'", path, sp_errmsg(), want_text);
    CHECK(same_message_everywhere(rc == SP_OK ? "" : sp_errmsg()), "%s: ranks disagree: %s", path, sp_errmsg());
    if (rc == SP_OK) sp_dist_csr_uninit(&D);
}

static void damage(const char *src, const char *dst, long offset, int truncate_to)
{
    if (rank_ == 0) {
        FILE *in = fopen(src, "rb");
        fseek(in, 0, SEEK_END);
        long size = ftell(in);
        fseek(in, 0, SEEK_SET);
        unsigned char *buf = malloc((size_t)size);
        if (fread(buf, 1, (size_t)size, in) != (size_t)size) size = 0;
        fclose(in);
        if (offset >= 0) buf[offset < 0 ? size + offset : offset] ^= 0x5a;
        FILE *out = fopen(dst, "wb");
        fwrite(buf, 1, truncate_to > 0 ? (size_t)truncate_to : (size_t)size, out);
        fclose(out);
        free(buf);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

static void check_binary(void)
{
    char src[1300], path[512], bad[512];
    snprintf(src, sizeof src, "%s/mhd4800b.mtx", data_);
    snprintf(path, sizeof path, "%s/mhd.csr", tmpdir_);
    sp_csr A;
    sp_mm_read(src, &A, NULL);
    if (rank_ == 0) CHECK(sp_csr_binary_write(path, &A, 1) == SP_OK, "%s", sp_errmsg());
    MPI_Barrier(MPI_COMM_WORLD);
    sp_dist_csr D;
    int sym = -1, rc = sp_dist_csr_binary_read(MPI_COMM_WORLD, path, &D, &sym);
    CHECK(rc == SP_OK && sym == 1, "binary round trip: %s", sp_errmsg());
    if (rc == SP_OK) check_same_distribution("binary round trip", &A, &D), sp_dist_csr_uninit(&D);
    int64_t vals = SP_CSR_BINARY_HEADER_BYTES + 8 * ((int64_t)A.rows + 1) + 4 * A.nnz;
    snprintf(bad, sizeof bad, "%s/bad.csr", tmpdir_);
    damage(path, bad, (long)(vals + 8 * (A.nnz - 1) + 3), 0); /* last value: last rank's rows */
    check_binary_file(bad, SP_EFORMAT, "checksum mismatch in the value array");
    damage(path, bad, (long)(vals - 4 * A.nnz + 4), 0); /* a column index of row 0 */
    check_binary_file(bad, SP_EFORMAT, "checksum mismatch in the column index array");
    damage(path, bad, -1, (int)(vals + 100));
    check_binary_file(bad, SP_EFORMAT, "truncated");
    damage(path, bad, 20, 0); /* the rows field of the header */
    check_binary_file(bad, SP_EFORMAT, "header checksum mismatch");
    damage(path, bad, 1, 0);
    check_binary_file(bad, SP_EFORMAT, "not a spartan binary CSR file");
    check_binary_file(src, SP_EFORMAT, "Matrix Market text file");
    snprintf(bad, sizeof bad, "%s/missing.csr", tmpdir_);
    check_binary_file(bad, SP_EIO, "cannot open");
    sp_csr_uninit(&A);
}

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    const char *dir = getenv("SPARTAN_TEST_DATA");
    snprintf(data_, sizeof data_, "%s", dir ? dir : "tests/data");
    if (rank_ == 0) {
        snprintf(tmpdir_, sizeof tmpdir_, "/tmp/spartan_mpi_read_XXXXXX");
        if (!mkdtemp(tmpdir_)) tmpdir_[0] = '\0';
    }
    MPI_Bcast(tmpdir_, (int)sizeof tmpdir_, MPI_CHAR, 0, MPI_COMM_WORLD);
    check_shipped();
    check_crafted();
    check_gzip();
    check_bad_files();
    check_binary();
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank_ == 0) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_);
        if (tmpdir_[0] && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir_);
    }
    return mpi_test_finish("mpi_read");
}
