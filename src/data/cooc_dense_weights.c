/* cooc_dense_weights.c: weighted mode, the hot ids present in at least half
 * of a chunk's rows (up to SP_COOC_WDENSE_MAX, the commonest; chosen by
 * cooc_dense_ids.c: Criteo's integer fields and the commonest values of
 * small fields). Count mode derives their pairs from row counts; weights
 * vary by row, so here each row keeps instead a vector of their weights
 * (0 where absent; 16 floats, one cache line), and their pairs are added a
 * vector at a time:
 *   dense i with dense j:  per row, v_i v_j (the row's outer product);
 *   dense i with hot x:    per row, w_x v_i into x's 16 sums (hx);
 *   dense i with cold b:   per occurrence of b, w_b v_i (the column pass,
 *                          cooc_columns.c, from sp_cooc_wdense_row).
 * Each pair's chunk sum still adds the same float products, in row order;
 * an absent id adds 0. So the result is bit for bit that of the pair by
 * pair path, which a row of 36 ids made about 640 scattered additions. */
#include <stdlib.h>
#include <string.h>
#include "data/cooc_internal.h"

#define WD SP_COOC_WDENSE_MAX

int sp_cooc_wdense_alloc(sp_cooc *c)
{
    c->ch.hx = sp_calloc((size_t)c->H * WD + 1, sizeof *c->ch.hx);
    return c->ch.hx ? SP_OK : SP_ENOMEM;
}

int sp_cooc_wdense_room(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    if (ch->rows > ch->dw_cap) { /* one cache line a row: one miss (and prefetch) per vector */
        size_t bytes = (size_t)ch->rows * WD * sizeof(float);
        float *d = aligned_alloc(64, bytes);
        if (!d) return sp_error(SP_ENOMEM, "out of memory allocating %zu bytes", bytes);
        free(ch->dw);
        ch->dw = d;
        ch->dw_cap = ch->rows;
    }
    return SP_OK;
}

/* Row vector v: its pairs among the dense ids, and with the row's hot ids s[0..m). */
static void row_pairs(sp_cooc_chunk *ch, const float *v, const int *s, const float *w, int m)
{
    sp_v2d d[SP_WDENSE_V2];
    sp_wdense_load(d, v);
    for (int i = 0; i + 1 < ch->nd; i++) { /* lanes j >= i of row i; only j > i is read */
        if (v[i] == 0.0f) continue; /* absent (or weight 0): its products are all 0 */
        double vi = (double)v[i];
        sp_v2d *row = (sp_v2d *)ch->ddw[i];
        for (int j = i >> 1; j < SP_WDENSE_V2; j++) row[j] += vi * d[j];
    }
    for (int p = 0; p < m; p++) {
        double wx = (double)w[p];
        sp_v2d *h = (sp_v2d *)(ch->hx + (size_t)s[p] * WD);
        if (w[p] == 1.0f) /* most hot ids: 1 * v_i is v_i exactly */
            for (int j = 0; j < SP_WDENSE_V2; j++) h[j] += d[j];
        else
            for (int j = 0; j < SP_WDENSE_V2; j++) h[j] += wx * d[j];
    }
}

int sp_cooc_wdense_strip(sp_cooc *c, int r, int *s, float *w, int m, int len, int *m_out)
{
    sp_cooc_chunk *ch = &c->ch;
    if (ch->nd == 0) {
        *m_out = m;
        return len;
    }
    float *v = ch->dw + (size_t)r * WD;
    memset(v, 0, WD * sizeof *v);
    int out = 0;
    for (int p = 0; p < m; p++) {
        int i = ch->dpos[s[p]];
        if (i >= 0) {
            v[i] = w[p];
            c->diag[s[p]] += (double)w[p] * (double)w[p];
        } else {
            s[out] = s[p];
            w[out++] = w[p];
        }
    }
    memmove(s + out, s + m, (size_t)(len - m) * sizeof *s);
    memmove(w + out, w + m, (size_t)(len - m) * sizeof *w);
    row_pairs(ch, v, s, w, out);
    *m_out = out;
    return len - (m - out);
}

void sp_cooc_wdense_hot_pairs(sp_cooc *c)
{
    sp_cooc_chunk *ch = &c->ch;
    for (int i = 0; i < ch->nd; i++) {
        int d = ch->dlist[i];
        for (int j = i + 1; j < ch->nd; j++) /* dlist ascending: d < dlist[j] */
            if (ch->ddw[i][j] != 0.0) c->hotw[c->hot_base[d] + ch->dlist[j]] += ch->ddw[i][j];
        for (int x = 0; x < c->H; x++) {
            double v = ch->hx[(size_t)x * WD + i];
            if (v != 0.0 && ch->dpos[x] < 0) c->hotw[sp_cooc_hot_cell(c, d, x)] += v;
        }
    }
    if (ch->nd) {
        memset(ch->hx, 0, (size_t)c->H * WD * sizeof *ch->hx);
        memset(ch->ddw, 0, sizeof ch->ddw);
    }
    memset(ch->hcnt, 0, (size_t)c->H * sizeof *ch->hcnt);
}
