/* cooc_runs.c: the co-occurrence accumulator's spilled runs: an unlinked
 * temp file of sorted runs, one after another, each entry encoded as the
 * LEB128 varint of its key's difference from the previous key, then its
 * value: a varint in count mode (sums of counts are whole numbers), the
 * double's 8 bytes weighted. On the varied Criteo log (bench_embdim.sh)
 * an entry takes 2.2-3.0 bytes in count mode and 9.2 weighted instead of
 * 16, and writing was what spilling cost (the page cache takes about
 * 0.6 GB/s here). Writer and reader; the k-way merge of runs is
 * cooc_merge.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include "data/cooc_internal.h"

#define WRITE_BUFFER ((size_t)1 << 20)

static inline unsigned char *varint_put(unsigned char *p, uint64_t x)
{
    while (x >= 0x80) {
        *p++ = (unsigned char)(x | 0x80);
        x >>= 7;
    }
    *p++ = (unsigned char)x;
    return p;
}

/* At most 10 bytes; a longer sequence (a corrupt file) stops at the 10th. */
static inline const unsigned char *varint_get(const unsigned char *p, uint64_t *x)
{
    uint64_t v = 0;
    int s = 0;
    for (; (*p & 0x80) && s < 63; s += 7) v |= (uint64_t)(*p++ & 0x7f) << s;
    *x = v | (uint64_t)*p++ << s;
    return p;
}

/* Temp file for runs: in tmp_dir, $TMPDIR or /tmp, unlinked at once. */
int sp_cooc_spill_open(const sp_cooc *c, FILE **fp)
{
    const char *dir = c->opt.tmp_dir ? c->opt.tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/spartan-cooc-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return sp_error(SP_EIO, "%s: cannot create spill file: %s", path, strerror(errno));
    unlink(path);
    *fp = fdopen(fd, "w+b");
    if (!*fp) {
        close(fd);
        return sp_error(SP_EIO, "cannot open spill file in %s", dir);
    }
    return SP_OK;
}

int sp_cooc_run_begin(sp_cooc *c, sp_cooc_run_writer *w, FILE *fp)
{
    if (!c->run_buf && !(c->run_buf = sp_malloc(WRITE_BUFFER))) return SP_ENOMEM;
    *w = (sp_cooc_run_writer){.fp = fp, .buf = c->run_buf, .cap = WRITE_BUFFER,
                              .weighted = c->opt.weighted};
    return SP_OK;
}

static void write_out(sp_cooc_run_writer *w)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->fp) != w->len) w->failed = 1;
    w->bytes += (int64_t)w->len;
    w->len = 0;
}

void sp_cooc_run_put(sp_cooc_run_writer *w, uint64_t key, double v)
{
    if (w->len + SP_COOC_RUN_ENTRY_MAX > w->cap) write_out(w);
    unsigned char *p = varint_put(w->buf + w->len, key - w->last);
    w->last = key;
    if (w->weighted) {
        memcpy(p, &v, sizeof v);
        p += sizeof v;
    } else {
        p = varint_put(p, (uint64_t)v); /* a count: whole, 1 <= v < 2^53 */
    }
    w->len = (size_t)(p - w->buf);
    w->entries++;
}

int sp_cooc_run_end(sp_cooc_run_writer *w)
{
    write_out(w);
    if (w->failed || fflush(w->fp) != 0)
        return sp_error(SP_EIO, "writing co-occurrence spill file failed (disk full?)");
    return SP_OK;
}

/* One more run (its place in the file and its length) in the run table. */
static int note_run(sp_cooc *c, int64_t start, const sp_cooc_run_writer *w)
{
    if (c->nruns == c->runs_cap) {
        size_t cap = c->runs_cap ? 2 * c->runs_cap : 16;
        sp_cooc_run *r = sp_realloc(c->runs, cap * sizeof *r);
        if (!r) return SP_ENOMEM;
        c->runs = r;
        c->runs_cap = cap;
    }
    c->runs[c->nruns++] = (sp_cooc_run){.start = start, .bytes = w->bytes, .len = w->entries};
    c->file_bytes = start + w->bytes;
    return SP_OK;
}

int sp_cooc_run_open(sp_cooc *c, sp_cooc_run_writer *w)
{
    int rc;
    if (!c->spill && (rc = sp_cooc_spill_open(c, &c->spill)) < 0) return rc;
    if (fseeko(c->spill, c->file_bytes, SEEK_SET) != 0)
        return sp_error(SP_EIO, "cannot seek in co-occurrence spill file");
    return sp_cooc_run_begin(c, w, c->spill);
}

int sp_cooc_run_close(sp_cooc *c, sp_cooc_run_writer *w)
{
    int rc;
    if ((rc = sp_cooc_run_end(w)) < 0 || (rc = note_run(c, c->file_bytes, w)) < 0) return rc;
    c->st.spills++;
    c->st.spilled_entries += w->entries;
    return c->nruns >= c->max_runs ? sp_cooc_merge_runs(c) : SP_OK;
}

int sp_cooc_spill_entries(sp_cooc *c, const sp_cooc_entry *e, size_t k)
{
    sp_cooc_run_writer w;
    int rc = sp_cooc_run_open(c, &w);
    if (rc < 0) return rc;
    for (size_t i = 0; i < k; i++) sp_cooc_run_put(&w, e[i].key, e[i].val);
    return sp_cooc_run_close(c, &w);
}

int sp_cooc_merged_run(sp_cooc *c, size_t first, int64_t start, const sp_cooc_run_writer *w)
{
    c->nruns = first;
    return note_run(c, start, w);
}

int sp_cooc_run_reader_init(sp_cooc_run_reader *r, const sp_cooc *c, const sp_cooc_run *run,
                            size_t cap)
{
    if (cap < 2 * SP_COOC_RUN_ENTRY_MAX) cap = 2 * SP_COOC_RUN_ENTRY_MAX;
    /* zeroed slack after the window: a corrupt entry cannot read past it */
    unsigned char *buf = sp_calloc(cap + SP_COOC_RUN_ENTRY_MAX, 1);
    *r = (sp_cooc_run_reader){.fp = c->spill, .off = run->start, .left = run->bytes,
                              .entries = run->len, .buf = buf, .cap = cap,
                              .weighted = c->opt.weighted};
    return buf ? SP_OK : SP_ENOMEM;
}

/* Keep at least one whole entry (or the rest of the run) in the window. */
static int refill(sp_cooc_run_reader *r)
{
    size_t keep = r->n - r->p;
    memmove(r->buf, r->buf + r->p, keep);
    size_t want = r->cap - keep;
    if ((int64_t)want > r->left) want = (size_t)r->left;
    if (pread(fileno(r->fp), r->buf + keep, want, (off_t)r->off) != (ssize_t)want)
        return sp_error(SP_EIO, "reading co-occurrence spill file failed");
    r->off += (int64_t)want;
    r->left -= (int64_t)want;
    r->p = 0;
    r->n = keep + want;
    return SP_OK;
}

int sp_cooc_run_next(sp_cooc_run_reader *r, uint64_t *key, double *v)
{
    if (r->entries == 0) return 0;
    if (r->n - r->p < SP_COOC_RUN_ENTRY_MAX && r->left > 0) {
        int rc = refill(r);
        if (rc < 0) return rc;
    }
    const unsigned char *p = r->buf + r->p, *end = r->buf + r->n;
    uint64_t d, count;
    p = varint_get(p, &d);
    r->last += d;
    if (r->weighted) {
        memcpy(v, p, sizeof *v);
        p += sizeof *v;
    } else {
        p = varint_get(p, &count);
        *v = (double)count;
    }
    if (p > end) return sp_error(SP_EIO, "co-occurrence spill file is truncated");
    *key = r->last;
    r->p = (size_t)(p - r->buf);
    r->entries--;
    return 1;
}
