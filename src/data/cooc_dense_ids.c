/* cooc_dense_ids.c: count mode, the hot ids present in at least half of a
 * chunk's rows (Criteo's integer fields, the out-of-vocabulary ids, the
 * commonest values of small fields; up to 64 of them, "dense ids"). They are
 * taken out of the rows before pairs are formed, and each row keeps instead
 * a 64-bit mask of the dense ids it lacks. Their pairs follow from row counts
 * and the pairs of what is lacking:
 *   C_dx  = rows holding x - rows holding x and lacking d,
 *   C_dd' = rows - rows lacking d - rows lacking d' + rows lacking both.
 * On the Criteo sample a row holds about 13 dense ids and lacks about 3:
 * half of its pairs become a few bit operations. Exact for any choice of
 * dense ids; weighted mode does not use them (w_d varies by row).
 * Does not sort rows nor accumulate columns (cooc_chunk.c). */
#include <string.h>
#include "data/cooc_internal.h"

int sp_cooc_dense_alloc(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    size_t H = (size_t)c->H;
    ch->hcnt = sp_calloc(H + 1, sizeof *ch->hcnt);
    ch->dpos = sp_malloc((H + 1) * sizeof *ch->dpos);
    ch->mh = sp_calloc(c->hot32 ? H * SP_COOC_DENSE_MAX + 1 : 1, sizeof *ch->mh);
    if (!ch->hcnt || !ch->dpos || !ch->mh) return SP_ENOMEM;
    memset(ch->dpos, 0xff, (H + 1) * sizeof *ch->dpos);
    return c->hot32 ? SP_OK : sp_cooc_wdense_alloc(c);
}

/* Rows' lacking masks for `rows` rows. */
static int absent_room(sp_cooc_chunk *ch)
{
    if (ch->rows <= ch->absent_cap) return SP_OK;
    uint64_t *a = sp_realloc(ch->absent, ((size_t)ch->rows + 1) * sizeof *a);
    if (!a) return SP_ENOMEM;
    ch->absent = a;
    ch->absent_cap = ch->rows;
    return SP_OK;
}

/* The `keep` ids of cand with the most rows (ties: smaller id), ascending. */
static void keep_commonest(int *cand, int nc, const uint32_t *cnt, int keep)
{
    for (int i = 1; i < nc; i++) { /* stable insertion sort by count, descending */
        int x = cand[i], j = i;
        for (; j > 0 && cnt[cand[j - 1]] < cnt[x]; j--) cand[j] = cand[j - 1];
        cand[j] = x;
    }
    for (int i = 1; i < keep; i++) {
        int x = cand[i], j = i;
        for (; j > 0 && cand[j - 1] > x; j--) cand[j] = cand[j - 1];
        cand[j] = x;
    }
}

int sp_cooc_dense_choose(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    for (int i = 0; i < ch->nd; i++) ch->dpos[ch->dlist[i]] = -1;
    ch->nd = 0;
    if ((int64_t)ch->used < (int64_t)SP_COOC_DENSE_MIN_ROW * ch->rows) return SP_OK; /* short rows */
    int nc = 0, max = c->hot32 ? SP_COOC_DENSE_MAX : SP_COOC_WDENSE_MAX;
    int rc = c->hot32 ? absent_room(ch) : sp_cooc_wdense_room(c);
    if (rc < 0) return rc;
    int *cand = ch->list; /* n >= H ints of scratch, free until the column pass */
    for (int x = 0; x < c->H; x++)
        if (2 * (int64_t)ch->hcnt[x] >= ch->rows) cand[nc++] = x;
    if (nc > max) {
        keep_commonest(cand, nc, ch->hcnt, max);
        nc = max;
    }
    for (int i = 0; i < nc; i++) ch->dpos[ch->dlist[i] = cand[i]] = (signed char)i;
    ch->nd = nc;
    return SP_OK;
}

int sp_cooc_dense_strip(sp_cooc *c, int r, int *s, int m, int len, int *m_out)
{
    sp_cooc_chunk *ch = &c->ch;
    if (!c->hot32) return sp_cooc_wdense_strip(c, r, s, ch->w + ch->row_start[r], m, len, m_out);
    if (ch->nd == 0) {
        *m_out = m;
        return len;
    }
    uint64_t have = 0;
    int out = 0;
    for (int p = 0; p < m; p++) {
        int i = ch->dpos[s[p]];
        if (i >= 0) have |= (uint64_t)1 << i;
        else s[out++] = s[p];
    }
    memmove(s + out, s + m, (size_t)(len - m) * sizeof *s);
    uint64_t all = ch->nd == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ch->nd) - 1;
    uint64_t lack = all & ~have;
    ch->absent[r] = lack;
    for (uint64_t bits = lack; bits; bits &= bits - 1) { /* lacking d: with what is held */
        int i = __builtin_ctzll(bits);
        uint32_t *row = ch->mh + (size_t)i * (size_t)c->H;
        for (int p = 0; p < out; p++) row[s[p]]++;
        for (uint64_t more = bits & (bits - 1); more; more &= more - 1)
            ch->lack2[i][__builtin_ctzll(more)]++;
    }
    *m_out = out;
    return len - (m - out);
}

void sp_cooc_dense_hot_pairs(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    uint32_t rows = (uint32_t)ch->rows;
    if (!c->hot32) {
        sp_cooc_wdense_hot_pairs(c);
        return;
    }
    for (int i = 0; i < ch->nd; i++) {
        int d = ch->dlist[i];
        uint32_t *lack_x = ch->mh + (size_t)i * (size_t)c->H;
        for (int j = i + 1; j < ch->nd; j++) {
            int e = ch->dlist[j];
            uint32_t both = rows - (rows - ch->hcnt[d]) - (rows - ch->hcnt[e]) + ch->lack2[i][j];
            c->hot32[sp_cooc_hot_cell(c, d, e)] += both;
            ch->lack2[i][j] = 0;
        }
        for (int x = 0; x < c->H; x++) {
            if (ch->dpos[x] < 0 && ch->hcnt[x] > lack_x[x])
                c->hot32[sp_cooc_hot_cell(c, d, x)] += ch->hcnt[x] - lack_x[x];
            lack_x[x] = 0;
        }
    }
    for (int x = 0; x < c->H; x++) c->diag[x] += (double)ch->hcnt[x]; /* rows holding hot id x */
    memset(ch->hcnt, 0, (size_t)c->H * sizeof *ch->hcnt);
}
