/* feature_map.c: one Criteo row -> 39 (id, weight) pairs, as MindSpore's Wide &
 * Deep preprocessing: integer field f -> id f with weight value / max (or
 * log(1 + max(value, 0))), categorical -> vocabulary, OOV or hash id, weight 1.
 * Guarantees: finite weights for any int64 input; never the log of a value <= 0.
 * Without a weights array only the ids are made (count mode needs no more). */
#include <math.h>
#include "data/data_internal.h"

static float int_weight(const sp_vocab *v, int f, int64_t value)
{
    if (v->opt.dense == SP_DENSE_LOG) {
        if (value < SP_LOG1P_TABLE) return v->log1p_small[value > 0 ? value : 0]; /* same floats */
        return (float)log1p((double)value);
    }
    double max = v->int_max[f];
    return max > 0.0 ? (float)((double)value / max) : 0.0f;
}

int sp_feature_map(const sp_vocab *v, const sp_criteo_row *row, unsigned flags, int *ids,
                   float *weights)
{
    int k = 0;
    if (!(flags & SP_MAP_NO_INTS)) {
        for (int f = 0; f < SP_CRITEO_INT_FIELDS; f++) {
            int present = row->int_present >> f & 1u;
            if (!present && (flags & SP_MAP_SKIP_MISSING_INTS)) continue;
            if (weights) weights[k] = present ? int_weight(v, f, row->ints[f]) : 0.0f;
            ids[k++] = f;
        }
    }
    sp_vocab_lookup_row(v, row, ids + k);
    for (int f = 0; f < SP_CRITEO_CAT_FIELDS && weights; f++) weights[k + f] = 1.0f;
    return k + SP_CRITEO_CAT_FIELDS;
}

void sp_feature_map_batch(const sp_vocab *v, const sp_criteo_row *rows, int n, int *ids,
                          float *weights)
{
    for (int r = 0; r < n; r++)
        sp_feature_map(v, &rows[r], 0, ids + (size_t)r * SP_CRITEO_FIELDS,
                       weights + (size_t)r * SP_CRITEO_FIELDS);
}
