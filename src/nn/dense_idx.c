/* dense_idx.c: dense classification data from an IDX image file and an IDX
 * label file (MNIST). Guarantees the two files agree (item counts, a 1-D
 * label vector) before anything is kept; pixels become floats unscaled (the
 * MLP classifier standardises). Does not read CSV (mlp_classifier.c does). */
#include "train_internal.h"
#include <stdlib.h>
#include <string.h>

static int idx_pair_check(const char *images, const sp_idx *img, const char *labels,
                          const sp_idx *lab)
{
    if (lab->ndim != 1)
        return sp_error(SP_EFORMAT, "%s: labels must be a 1-D IDX file (magic 0x00000801), "
                        "this one has %d dimensions", labels, lab->ndim);
    if (img->file_items != lab->file_items)
        return sp_error(SP_EFORMAT, "%s holds %lld items but %s holds %lld labels", images,
                        (long long)img->file_items, labels, (long long)lab->file_items);
    if (sp_idx_item_size(img) > (1 << 24))
        return sp_error(SP_EFORMAT, "%s: %lld values per item (at most %d)", images,
                        (long long)sp_idx_item_size(img), 1 << 24);
    return SP_OK;
}

/* Copy the IDX bytes into d (rows, features, labels, classes). */
static int idx_to_dense(const sp_idx *img, const sp_idx *lab, sp_dense_data *d)
{
    int64_t n = img->dims[0];
    size_t F = (size_t)sp_idx_item_size(img);
    d->x = sp_malloc((size_t)n * F * sizeof(float));
    d->labels = sp_malloc((size_t)n * sizeof(int));
    if (!d->x || !d->labels) return SP_ENOMEM;
    d->n = n;
    d->features = (int)F;
    for (size_t i = 0; i < (size_t)n * F; i++)
        d->x[i] = (float)img->data[i];
    for (int64_t i = 0; i < n; i++) {
        d->labels[i] = lab->data[i];
        if (d->labels[i] + 1 > d->classes) d->classes = d->labels[i] + 1;
    }
    return SP_OK;
}

int sp_dense_data_load_idx(sp_dense_data *d, const char *images, const char *labels,
                           int64_t max_rows)
{
    memset(d, 0, sizeof *d);
    sp_idx img, lab;
    memset(&lab, 0, sizeof lab);
    int rc = sp_idx_read(images, max_rows, &img);
    if (rc == SP_OK) rc = sp_idx_read(labels, max_rows, &lab);
    if (rc == SP_OK) rc = idx_pair_check(images, &img, labels, &lab);
    if (rc == SP_OK) rc = idx_to_dense(&img, &lab, d);
    sp_idx_uninit(&img);
    sp_idx_uninit(&lab);
    if (rc < 0) sp_dense_data_uninit(d);
    return rc;
}
