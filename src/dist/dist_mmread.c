/* dist_mmread.c: parallel Matrix Market read. Rank 0 reads the header; the
 * entry lines are split into P byte ranges cut at line boundaries (a line
 * belongs to the rank whose range holds its first byte); each rank parses
 * its range with linalg's strict field scanners, entries go to their rows'
 * owners, rows are rebalanced by nonzeros. Guarantees: the same matrix as
 * sp_mm_read, and on a malformed file the same "PATH:LINE: what" message on
 * every rank. Does not split gzip or array files: rank 0 reads those whole
 * (sp_mm_read) and the entries are then distributed. */
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"
#include "linalg/mmio_scan.h"

#define SP_MM_MAX_COMMENTS (1u << 20)

/* What rank 0 learns from the header and broadcasts. */
typedef struct mm_head {
    int fallback; /* 1: rank 0 reads the whole file with sp_mm_read */
    int format, field, symmetry, rows, cols;
    int64_t duplicates; /* fallback only: sp_mm_read's count */
    int64_t stored, data_offset, file_size, header_lines, comments_len;
} mm_head;

typedef struct mm_par {
    const char *path;
    int rank, nranks;
    mm_head h;
    char *comments;
    sp_dist_triplets t;
    int64_t lines, entries; /* lines owned by this rank's range, entries parsed */
    int64_t err_line;       /* local line number of this rank's error (0: none) */
} mm_par;

/* ---- header (rank 0) ---------------------------------------------------- */

static int lower_word(const char **p, char *w, size_t cap)
{
    const char *q = *p;
    size_t n = 0;
    while (*q == ' ' || *q == '\t') q++;
    for (; *q && *q != ' ' && *q != '\t' && *q != '\r'; q++)
        if (n + 1 < cap) w[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
    w[n] = '\0';
    *p = q;
    return n > 0;
}

/* 1 when the banner is one the parallel path handles (coordinate, real /
 * integer / pattern, general / symmetric / skew-symmetric, valid combination). */
static int banner_parallel(const char *line, mm_head *h)
{
    static const char *const fields[] = {"real", "integer", "pattern", "double"};
    static const char *const syms[] = {"general", "symmetric", "skew-symmetric"};
    char w[6][32];
    for (int k = 0; k < 6; k++)
        if (!lower_word(&line, w[k], sizeof w[k])) w[k][0] = '\0';
    if (strcmp(w[0], "%%matrixmarket") || strcmp(w[1], "matrix") || strcmp(w[2], "coordinate") || w[5][0])
        return 0;
    h->field = h->symmetry = -1;
    for (int k = 0; k < 4; k++)
        if (!strcmp(w[3], fields[k])) h->field = k == 3 ? SP_MM_REAL : k;
    for (int k = 0; k < 3; k++)
        if (!strcmp(w[4], syms[k])) h->symmetry = k;
    return h->field >= 0 && h->symmetry >= 0 &&
           !(h->field == SP_MM_PATTERN && h->symmetry == SP_MM_SKEW_SYMMETRIC);
}

static int keep_comment(mm_par *p, const char *line)
{
    size_t len = strlen(line + 1), have = (size_t)p->h.comments_len;
    if (have + len + 2 > SP_MM_MAX_COMMENTS) return SP_OK;
    char *grown = sp_realloc(p->comments, have + len + 2);
    if (!grown) return SP_ENOMEM;
    p->comments = grown;
    if (have) grown[have++] = '\n';
    memcpy(grown + have, line + 1, len + 1);
    p->h.comments_len = (int64_t)(have + len);
    return SP_OK;
}

/* Size line "rows cols stored"; 0 when it is not one (fallback reports it). */
static int size_line_ok(const sp_mm_scanner *s, const char *line, mm_head *h)
{
    int64_t r, c, k;
    const char *q = line;
    if (sp_mm_scan_int(s, &q, "rows", 0, INT32_MAX, &r) < 0 || sp_mm_scan_int(s, &q, "cols", 0, INT32_MAX, &c) < 0 ||
        sp_mm_scan_int(s, &q, "entries", 0, INT64_MAX, &k) < 0 || sp_mm_scan_end(s, q) < 0)
        return 0;
    if (h->symmetry != SP_MM_GENERAL && r != c) return 0;
    h->rows = (int)r, h->cols = (int)c, h->stored = k;
    return 1;
}

/* Banner, comments, size line of a plain file; anything else: fallback. */
static int read_head(mm_par *p)
{
    sp_mm_scanner s;
    char *line = NULL;
    int rc = sp_mm_scanner_open(&s, p->path), ok = 0;
    if (rc < 0) return rc;
    if (sp_mm_scanner_next(&s, &line) == SP_OK && line && banner_parallel(line, &p->h) && gzdirect(s.gz)) {
        while ((rc = sp_mm_scanner_next(&s, &line)) == SP_OK && line && (line[0] == '%' || sp_mm_line_blank(line)))
            if (line[0] == '%' && (rc = keep_comment(p, line)) < 0) break;
        ok = rc == SP_OK && line && size_line_ok(&s, line, &p->h);
    }
    p->h.fallback = !ok;
    p->h.format = SP_MM_COORDINATE;
    p->h.header_lines = s.line;
    p->h.data_offset = (int64_t)gztell(s.gz) - (int64_t)(s.end - s.pos);
    gzseek(s.gz, 0, SEEK_END);
    p->h.file_size = (int64_t)gztell(s.gz);
    sp_mm_scanner_close(&s);
    sp_error_clear();
    return rc == SP_ENOMEM ? rc : SP_OK;
}

static int broadcast_head(MPI_Comm comm, mm_par *p)
{
    int rc = sp_dist_mpi_check(MPI_Bcast(&p->h, (int)sizeof p->h, MPI_BYTE, 0, comm), "mm_read: MPI_Bcast");
    if (rc == SP_OK && p->rank != 0) {
        p->comments = sp_malloc((size_t)p->h.comments_len + 1);
        rc = p->comments ? SP_OK : SP_ENOMEM;
        if (p->comments) p->comments[0] = '\0';
    }
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK && p->h.comments_len > 0)
        rc = sp_dist_mpi_check(MPI_Bcast(p->comments, (int)p->h.comments_len + 1, MPI_CHAR, 0, comm),
                               "mm_read: MPI_Bcast");
    return rc;
}

/* ---- this rank's byte range ------------------------------------------------ */

static int check_triangle(const sp_mm_scanner *s, int sym, int64_t i, int64_t j)
{
    if (sym == SP_MM_SYMMETRIC && j > i)
        return sp_mm_fail(s, 0, "entry (%lld, %lld) is in the upper triangle, but symmetric "
                                "storage keeps only the lower triangle (row >= column)", (long long)i, (long long)j);
    if (sym == SP_MM_SKEW_SYMMETRIC && j == i)
        return sp_mm_fail(s, 0, "diagonal entry (%lld, %lld) in skew-symmetric storage (the "
                                "diagonal is zero and must not be stored)", (long long)i, (long long)j);
    if (sym == SP_MM_SKEW_SYMMETRIC && j > i)
        return sp_mm_fail(s, 0, "entry (%lld, %lld) is in the upper triangle, but skew-symmetric "
                                "storage keeps only the strict lower triangle (row > column)", (long long)i, (long long)j);
    return SP_OK;
}

/* One entry line: (i, j, v) and its mirror for symmetric storage. */
static int parse_entry(mm_par *p, const sp_mm_scanner *s, const char *q)
{
    int64_t i, j;
    double v = 1.0;
    int rc = sp_mm_scan_int(s, &q, "row index", 1, p->h.rows, &i);
    if (rc == SP_OK) rc = sp_mm_scan_int(s, &q, "column index", 1, p->h.cols, &j);
    if (rc == SP_OK && p->h.field == SP_MM_INTEGER) rc = sp_mm_scan_integer_value(s, &q, "value", &v);
    if (rc == SP_OK && p->h.field == SP_MM_REAL) rc = sp_mm_scan_real(s, &q, "value", &v);
    if (rc == SP_OK) rc = sp_mm_scan_end(s, q);
    if (rc == SP_OK) rc = check_triangle(s, p->h.symmetry, i, j);
    if (rc == SP_OK) rc = sp_dist_triplets_push(&p->t, (int)i - 1, (int)j - 1, v);
    int sign = p->h.symmetry == SP_MM_SYMMETRIC ? 1 : p->h.symmetry == SP_MM_SKEW_SYMMETRIC ? -1 : 0;
    if (rc == SP_OK && sign && i != j) rc = sp_dist_triplets_push(&p->t, (int)j - 1, (int)i - 1, sign * v);
    return rc;
}

/* Open at the first line starting in [begin, ...): seek to begin - 1 and
 * drop the rest of the line holding that byte. *pos = offset of that line. */
static int open_range(mm_par *p, sp_mm_scanner *s, int64_t begin, int64_t *pos)
{
    char one, *line = NULL;
    int rc = sp_mm_scanner_open(s, p->path);
    if (rc < 0) return rc;
    (void)gzread(s->gz, &one, 1); /* leave zlib's look-ahead state: seeks are then lseeks */
    int64_t at = begin > p->h.data_offset ? begin - 1 : begin;
    if (gzseek(s->gz, (z_off_t)at, SEEK_SET) < 0) return sp_error(SP_EIO, "%s: cannot seek to byte %lld", p->path, (long long)at);
    *pos = at;
    if (at < begin && (rc = sp_mm_scanner_next(s, &line)) == SP_OK)
        *pos = (int64_t)gztell(s->gz) - (int64_t)(s->end - s->pos);
    s->line = 0;
    return rc;
}

/* Parse the lines starting in [begin, end); at most max_entries entries, the
 * next entry line is a "more entries" error. Lines count from 1 locally. */
static int scan_range(mm_par *p, int64_t begin, int64_t end, int64_t max_entries)
{
    sp_mm_scanner s;
    int64_t pos = 0;
    int rc = open_range(p, &s, begin, &pos);
    while (rc == SP_OK && pos < end) {
        char *line = NULL;
        if ((rc = sp_mm_scanner_next(&s, &line)) < 0 || !line) break;
        pos = (int64_t)gztell(s.gz) - (int64_t)(s.end - s.pos);
        p->lines = s.line;
        if (line[0] == '%' || sp_mm_line_blank(line)) continue;
        if (p->entries == max_entries)
            rc = sp_mm_fail(&s, 0, "more entries than the %lld given by the size line", (long long)p->h.stored);
        else if ((rc = parse_entry(p, &s, line)) == SP_OK) p->entries++;
    }
    if (rc < 0) p->err_line = s.line;
    sp_mm_scanner_close(&s);
    return rc;
}

/* The failing rank's message "PATH:LOCAL: what" becomes "PATH:GLOBAL: what"
 * (LOCAL is the failing line, or the next one for scanner-level errors). */
static int relocate_error(const mm_par *p, int rc, int64_t lines_before)
{
    char prefix[1100], body[1024];
    const char *msg = sp_errmsg();
    for (int64_t off = 0; rc == SP_EFORMAT && off <= 1; off++) {
        int len = snprintf(prefix, sizeof prefix, "%s:%lld: ", p->path, (long long)(p->err_line + off));
        if (len <= 0 || strncmp(msg, prefix, (size_t)len)) continue;
        snprintf(body, sizeof body, "%s", msg + len);
        int64_t line = p->h.header_lines + lines_before + p->err_line + off;
        return sp_error(rc, "%s:%lld: %s", p->path, (long long)line, body);
    }
    return rc;
}

/* Entries of this rank's byte range; line numbers made global; entry count
 * checked against the size line (truncated / too many) on every rank. */
static int read_parallel(MPI_Comm comm, mm_par *p)
{
    int64_t span = p->h.file_size - p->h.data_offset;
    int64_t begin = p->h.data_offset + span * p->rank / p->nranks;
    int64_t end = p->h.data_offset + span * (p->rank + 1) / p->nranks;
    int rc = scan_range(p, begin, end, INT64_MAX);
    int64_t mine[2] = {p->lines, p->entries}, before[2] = {0, 0}, total[2] = {0, 0};
    int mrc = MPI_Exscan(mine, before, 2, MPI_INT64_T, MPI_SUM, comm);
    if (mrc == MPI_SUCCESS) mrc = MPI_Allreduce(mine, total, 2, MPI_INT64_T, MPI_SUM, comm);
    if (mrc != MPI_SUCCESS) return sp_dist_mpi_check(mrc, "mm_read: line counts");
    if (p->rank == 0) before[0] = before[1] = 0;
    if (rc < 0) rc = relocate_error(p, rc, before[0]);
    if ((rc = sp_dist_agree(comm, rc)) < 0) return rc;
    if (total[1] < p->h.stored)
        return sp_error(SP_EFORMAT, "%s:%lld: file ends after %lld of the %lld entries given by the "
                        "size line (truncated file?)", p->path, (long long)(p->h.header_lines + total[0] + 1),
                        (long long)total[1], (long long)p->h.stored);
    if (total[1] == p->h.stored) return SP_OK;
    if (before[1] <= p->h.stored && p->h.stored < before[1] + p->entries) { /* the first extra entry is here */
        sp_dist_triplets_uninit(&p->t);
        p->entries = 0;
        rc = relocate_error(p, scan_range(p, begin, end, p->h.stored - before[1]), before[0]);
    }
    return sp_dist_agree(comm, rc);
}

/* gzip, array or unusual header: rank 0 reads everything with sp_mm_read
 * (its messages are the serial ones) and holds all entries as triplets. */
static int read_fallback(MPI_Comm comm, mm_par *p)
{
    sp_csr A = {0, 0, 0, NULL, NULL, NULL};
    sp_mm_info info;
    memset(&info, 0, sizeof info);
    int rc = SP_OK;
    if (p->rank == 0 && (rc = sp_mm_read(p->path, &A, &info)) == SP_OK) {
        for (int i = 0; i < A.rows && rc == SP_OK; i++)
            for (int64_t k = A.rowptr[i]; k < A.rowptr[i + 1] && rc == SP_OK; k++)
                rc = sp_dist_triplets_push(&p->t, i, A.colind[k], A.val[k]);
        p->h.field = info.field, p->h.symmetry = info.symmetry, p->h.rows = info.rows, p->h.cols = info.cols;
        p->h.stored = info.stored, p->h.format = info.format, p->h.duplicates = info.duplicates;
        free(p->comments);
        p->comments = info.comments, p->h.comments_len = (int64_t)strlen(info.comments);
        info.comments = NULL;
    }
    sp_csr_uninit(&A);
    sp_mm_info_uninit(&info);
    if ((rc = sp_dist_agree(comm, rc)) < 0) return rc;
    if (p->rank != 0) free(p->comments), p->comments = NULL;
    return broadcast_head(comm, p);
}

/* ---- rows to their owners ---------------------------------------------------- */

static int rows_to_triplets(const sp_csr *A, int row0, sp_dist_triplets *t)
{
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->rowptr[i]; k < A->rowptr[i + 1]; k++)
            if (sp_dist_triplets_push(t, row0 + i, A->colind[k], A->val[k]) < 0) return SP_ENOMEM;
    return SP_OK;
}

/* Entries (input order) -> even row blocks -> nnz-balanced blocks -> D. */
static int distribute(MPI_Comm comm, mm_par *p, sp_dist_csr *D)
{
    int n = p->h.rows, P = p->nranks, r = p->rank;
    int *even = sp_malloc(2 * ((size_t)P + 1) * sizeof(int)), *starts = even ? even + P + 1 : NULL;
    sp_csr A = {0, 0, 0, NULL, NULL, NULL};
    int rc = sp_dist_agree(comm, even ? SP_OK : SP_ENOMEM);
    for (int q = 0; rc == SP_OK && q <= P; q++) even[q] = (int)((int64_t)n * q / P);
    if (rc == SP_OK) rc = sp_dist_triplets_exchange(comm, even, &p->t);
    if (rc == SP_OK) rc = sp_dist_agree(comm, sp_dist_triplets_to_rows(&p->t, even[r], even[r + 1] - even[r], n, &A));
    if (rc == SP_OK) rc = sp_dist_partition_by_nnz(comm, n, even[r], A.rows, A.rowptr, starts);
    if (rc == SP_OK) rc = sp_dist_agree(comm, rows_to_triplets(&A, even[r], &p->t));
    sp_csr_uninit(&A);
    if (rc == SP_OK) rc = sp_dist_triplets_exchange(comm, starts, &p->t);
    if (rc == SP_OK) rc = sp_dist_agree(comm, sp_dist_triplets_to_rows(&p->t, starts[r], starts[r + 1] - starts[r], n, &A));
    if (rc == SP_OK) rc = sp_dist_csr_from_rows(comm, n, starts, &A, D);
    sp_csr_uninit(&A);
    free(even);
    return rc;
}

static void fill_info(mm_par *p, const sp_dist_csr *D, int64_t expanded, sp_mm_info *info)
{
    info->format = (sp_mm_format)p->h.format;
    info->field = (sp_mm_field)p->h.field;
    info->symmetry = (sp_mm_symmetry)p->h.symmetry;
    info->rows = p->h.rows, info->cols = p->h.cols;
    info->stored = p->h.stored;
    info->nnz = D->nnz;
    info->duplicates = p->h.fallback ? p->h.duplicates : expanded - D->nnz;
    info->comments = p->comments ? p->comments : sp_calloc(1, 1);
    p->comments = NULL;
}

int sp_dist_mm_read(MPI_Comm comm, const char *path, sp_dist_csr *D, sp_mm_info *info)
{
    mm_par p;
    memset(&p, 0, sizeof p);
    memset(D, 0, sizeof *D);
    D->comm = MPI_COMM_NULL, D->plan.graph = MPI_COMM_NULL;
    if (info) memset(info, 0, sizeof *info);
    p.path = path;
    sp_dist_comm_info(comm, &p.rank, &p.nranks);
    int rc = path ? SP_OK : sp_error(SP_EINVAL, "dist_mm_read: NULL path");
    if (rc == SP_OK && p.rank == 0) rc = read_head(&p);
    if ((rc = sp_dist_agree(comm, rc)) == SP_OK) rc = broadcast_head(comm, &p);
    if (rc == SP_OK) rc = p.h.fallback ? read_fallback(comm, &p) : read_parallel(comm, &p);
    if (rc == SP_OK && p.h.rows != p.h.cols)
        rc = sp_error(SP_EINVAL, "%s: the matrix is %d x %d; a distributed operator needs a square one",
                      path, p.h.rows, p.h.cols);
    int64_t mine = p.t.n, expanded = 0;
    if (rc == SP_OK)
        rc = sp_dist_mpi_check(MPI_Allreduce(&mine, &expanded, 1, MPI_INT64_T, MPI_SUM, comm), "mm_read: MPI_Allreduce");
    if (rc == SP_OK) rc = distribute(comm, &p, D);
    if (rc == SP_OK && info) fill_info(&p, D, expanded, info);
    sp_dist_triplets_uninit(&p.t);
    free(p.comments);
    return rc;
}
