/* cmd_predict.c: `spartan predict MODEL DATA [-o FILE]`: one click
 * probability per input row, in input order, one per line (Wide & Deep on
 * Criteo TSV with or without the label column), or one predicted class per
 * row (MLP checkpoint on CSV or IDX images). Streams Criteo DATA in blocks;
 * writes -o through a temp file + rename. Exit 0 success, 2 bad usage or input. */
#include "cli/cli.h"
#include "spartan/train.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { PREDICT_BLOCK = 4096 };

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: spartan predict MODEL DATA [-o FILE] [--threads T]\n\n"
            "Write one prediction per row of DATA, in input order, one per line:\n"
            "  Wide & Deep checkpoint: the click probability; DATA is Criteo TSV (plain or\n"
            "  .gz), labelled (40 fields) or unlabelled (39 fields, Kaggle test format),\n"
            "  mapped with the vocabulary stored in the checkpoint (unseen values get the\n"
            "  field's out-of-vocabulary id).\n"
            "  MLP checkpoint: the predicted class; DATA is CSV with the model's features\n"
            "  (an extra last column, the label, is ignored) or an IDX images file (MNIST,\n"
            "  plain or .gz, detected by content).\n\n"
            "options:\n"
            "  -o FILE      output file (default stdout)\n"
            "  --threads T  OpenMP threads\n\n"
            "exit status: 0 success, 2 bad usage or input\n");
}

/* Criteo layout from the first line: 39 tabs = labelled, 38 = unlabelled, "label," = CSV. */
static int detect_format(const char *path, sp_criteo_format *fmt)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) return sp_error(SP_EIO, "%s: cannot open", path);
    char line[8192];
    int tabs = 0;
    if (gzgets(gz, line, sizeof line))
        for (char *p = line; *p; p++)
            tabs += *p == '\t';
    gzclose(gz);
    *fmt = !strncmp(line, "label,", 6) ? SP_CRITEO_CSV_HEADER
           : tabs == 38                ? SP_CRITEO_TSV_NOLABEL
                                       : SP_CRITEO_TSV;
    return SP_OK;
}

static int predict_widedeep_rows(sp_widedeep *m, const sp_vocab *v, sp_criteo_reader *r, FILE *out)
{
    sp_criteo_row *rows = malloc(sizeof *rows * PREDICT_BLOCK);
    int *ids = malloc(sizeof(int) * PREDICT_BLOCK * SP_CRITEO_FIELDS);
    float *w = malloc(sizeof(float) * PREDICT_BLOCK * SP_CRITEO_FIELDS), *p = malloc(sizeof(float) * PREDICT_BLOCK);
    int rc = rows && ids && w && p ? SP_OK : sp_error(SP_ENOMEM, "predict: out of memory");
    int n = 0;
    while (rc == SP_OK && (rc = sp_criteo_reader_read(r, rows, PREDICT_BLOCK, &n)) == SP_OK && n > 0) {
        sp_feature_map_batch(v, rows, n, ids, w);
        if ((rc = sp_widedeep_predict(m, n, ids, w, p)) < 0) break;
        for (int i = 0; i < n; i++)
            fprintf(out, "%.7g\n", (double)p[i]);
    }
    free(rows);
    free(ids);
    free(w);
    free(p);
    return rc;
}

static int predict_widedeep(const char *model, const char *data, FILE *out)
{
    sp_widedeep m;
    sp_vocab *v = NULL;
    int rc = sp_widedeep_load(model, NULL, PREDICT_BLOCK, &m, &v, NULL);
    if (rc < 0) return rc;
    sp_criteo_options ro;
    sp_criteo_options_default(&ro);
    sp_criteo_reader *r = NULL;
    if (!v) rc = sp_error(SP_EFORMAT, "%s: checkpoint has no vocabulary", model);
    if (rc == SP_OK) rc = detect_format(data, &ro.format);
    if (rc == SP_OK) rc = sp_criteo_reader_open(&r, data, &ro);
    if (rc == SP_OK) rc = predict_widedeep_rows(&m, v, r, out);
    sp_criteo_reader_close(r);
    sp_vocab_free(v);
    sp_widedeep_uninit(&m);
    return rc;
}

/* Rows x (n, features) of an MLP's input: IDX images (detected by content)
 * or CSV (an extra last column, the label, is dropped). */
static int mlp_input(const sp_mlp_classifier *c, const char *data, float **x, int64_t *n)
{
    if (sp_idx_probe(data) == 1) {
        sp_idx img;
        int rc = sp_idx_read(data, 0, &img);
        if (rc == SP_OK && sp_idx_item_size(&img) != c->features)
            rc = sp_error(SP_EINVAL, "%s: items of %lld values, the model takes %d features",
                          data, (long long)sp_idx_item_size(&img), c->features);
        if (rc == SP_OK && !(*x = malloc(sizeof(float) * (size_t)(img.count ? img.count : 1)))) rc = SP_ENOMEM;
        for (int64_t i = 0; rc == SP_OK && i < img.count; i++)
            (*x)[i] = img.data[i];
        *n = img.dims[0];
        sp_idx_uninit(&img);
        return rc;
    }
    sp_dense_data d;
    int rc = sp_dense_data_load_csv(&d, data, -1);
    if (rc == SP_OK && d.features != c->features && d.features + 1 != c->features)
        rc = sp_error(SP_EINVAL, "%s: %d columns, the model takes %d features (+ an optional label)",
                      data, d.features + 1, c->features);
    if (rc < 0) return rc;
    /* with a label column, the loader split it off; without, it took the last feature */
    int has_label = d.features == c->features;
    *n = d.n;
    *x = malloc(sizeof(float) * (size_t)d.n * (size_t)c->features);
    for (int64_t i = 0; *x && i < d.n; i++) {
        memcpy(*x + i * c->features, d.x + i * d.features, sizeof(float) * (size_t)d.features);
        if (!has_label) (*x)[i * c->features + c->features - 1] = (float)d.labels[i];
    }
    sp_dense_data_uninit(&d);
    return *x ? SP_OK : SP_ENOMEM;
}

static int predict_mlp(const char *model, const char *data, FILE *out)
{
    sp_mlp_classifier c;
    int rc = sp_mlp_classifier_load(model, PREDICT_BLOCK, &c, NULL);
    if (rc < 0) return rc;
    float *x = NULL, *prob = NULL;
    int64_t n = 0;
    rc = mlp_input(&c, data, &x, &n);
    if (rc == SP_OK && !(prob = malloc(sizeof(float) * (size_t)(n ? n : 1) * (size_t)c.classes)))
        rc = SP_ENOMEM;
    if (rc == SP_OK) rc = sp_mlp_classifier_predict(&c, n, x, prob);
    for (int64_t i = 0; rc == SP_OK && i < n; i++) {
        int best = 0;
        for (int k = 1; k < c.classes; k++)
            if (prob[i * c.classes + k] > prob[i * c.classes + best]) best = k;
        fprintf(out, "%d\n", best);
    }
    free(x);
    free(prob);
    sp_mlp_classifier_uninit(&c);
    return rc;
}

int sp_cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *out_path = NULL;
    long threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(stdout);
            return SP_EXIT_OK;
        }
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--threads")) && i + 1 >= argc)
            return sp_cli_usage_error("predict", "%s needs a value", argv[i]);
        if (!strcmp(argv[i], "-o")) out_path = argv[++i];
        else if (!strcmp(argv[i], "--threads")) {
            if (sp_cli_parse_int("predict", "--threads", argv[++i], 1, 4096, &threads) < 0) return SP_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) return sp_cli_usage_error("predict", "unknown option '%s'", argv[i]);
        else if (!model) model = argv[i];
        else if (!data) data = argv[i];
        else return sp_cli_usage_error("predict", "unexpected argument '%s'", argv[i]);
    }
    if (!model || !data) return sp_cli_usage_error("predict", "need MODEL and DATA");
    sp_set_threads(threads > 0 ? (int)threads : sp_get_threads());
    char kind[32];
    int rc = sp_checkpoint_kind(model, kind, sizeof kind);
    sp_atomic_file f = {0};
    FILE *out = stdout;
    if (rc == SP_OK && out_path && (rc = sp_atomic_open(&f, out_path)) == SP_OK) out = f.fp;
    if (rc == SP_OK)
        rc = !strcmp(kind, "widedeep") ? predict_widedeep(model, data, out)
             : !strcmp(kind, "mlp")    ? predict_mlp(model, data, out)
                                       : sp_error(SP_EFORMAT, "%s: unknown model kind '%s'", model, kind);
    if (out_path && f.fp) {
        if (rc == SP_OK) rc = sp_atomic_commit(&f);
        else sp_atomic_abort(&f);
    }
    return rc < 0 ? sp_cli_report("predict", rc) : SP_EXIT_OK;
}
