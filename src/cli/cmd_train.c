/* cmd_train.c: `spartan train widedeep DATA ...` (Wide & Deep on a Criteo
 * file, MindSpore's recipe by default) and `spartan train mlp DATA.csv ...`
 * or `--images I.idx --labels L.idx` (softmax MLP on dense CSV or IDX/MNIST
 * rows). Prints a per-epoch table (or --json),
 * writes checkpoints after every epoch (-o), history CSV and SVG plot.
 * Exit 0 success, 2 bad usage or input (bad labels, vocabulary mismatch,
 * checkpoint of another shape, NaN/inf loss). */
#include "cli/cli.h"
#include "cli/svg_plot.h"
#include "cli/train_common.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void print_help_widedeep(FILE *out)
{
    fprintf(out,
            "usage: spartan train widedeep DATA [options]\n\n"
            "Train Wide & Deep (MindSpore's wide_and_deep recipe) on a labelled Criteo TSV\n"
            "file (plain or .gz): 39 fields mapped to (id, weight) pairs through a\n"
            "vocabulary; wide = linear over the ids (FTRL), deep = field embeddings through\n"
            "a ReLU MLP (Adam; lazy on the table), logit = wide + deep, sigmoid\n"
            "cross-entropy, L2 on the embedding rows each batch touches.\n\n"
            "options (defaults in brackets):\n"
            "  --emb-dim N         embedding dimension [80]\n"
            "  --deep LIST         hidden layer sizes [1024,512,256,128]\n"
            "  --epochs N          [15]         --batch N     [16000]\n"
            "  --lr-deep X, --lr X Adam step [3.5e-4]   --lr-wide X  FTRL alpha [5e-2]\n"
            "  --l2 X              L2 on the embedding rows [8e-5]\n"
            "  --dropout P         on hidden layers in training [0]\n"
            "  --init-scale S      weights and embeddings N(0, S^2) [0.01]\n"
            "  --min-count C       vocabulary: keep values seen more than C times [100]\n"
            "  --hash-buckets B    hash (field, value) into B ids instead of a vocabulary\n"
            "  --dense log|scale   integer weight log(1 + max(v, 0)) or v / max(field) [scale]\n"
            "  --vocab FILE        use a saved vocabulary (refused when it matches < 1%% of\n"
            "                      DATA's categorical values)   --save-vocab FILE  save it\n"
            "  --valid FILE        validation file instead of a split\n"
            "  --valid-fraction F  held-out fraction of DATA, seeded [0.1]\n"
            "  --patience N        stop after N epochs without a better validation logloss [0 = off]\n"
            "  --threads T         OpenMP threads (results identical at any T)\n"
            "  --seed S            initialisation, split and shuffling [%u]\n"
            "  -o MODEL            checkpoint (safetensors), rewritten after every epoch\n"
            "  --resume MODEL      continue a checkpoint up to --epochs (same command line)\n"
            "  --history OUT.csv   per-epoch metrics      --plot OUT.svg  loss and AUC per epoch\n"
            "  --export-data FILE  also write the mapped train/valid arrays as safetensors\n"
            "  --json              one JSON object: {\"epochs\": [...], \"model\": ..., ...}\n\n"
            "columns: accuracy, AUC and logloss on the validation rows; wide loss = mean\n"
            "training logloss of the epoch, deep loss = wide loss + (l2/2) ||E||^2.\n\n"
            "example: spartan train widedeep train.txt.gz --emb-dim 32 --epochs 5 -o m.safetensors\n"
            "exit status: 0 success, 2 bad usage or input\n",
            SP_DEFAULT_SEED);
}

typedef struct wd_run {
    const wd_cli *o;
    sp_widedeep *m;
    const sp_vocab *v;
    sp_train_history *h;
} wd_run;

static int wd_on_epoch(void *ctx, const sp_epoch_stats *st)
{
    wd_run *r = ctx;
    if (!r->o->json) wd_print_epoch(stdout, st);
    if (r->o->out) return sp_widedeep_save(r->m, r->v, r->h, r->o->out);
    return 0;
}

/* Training loss, validation loss and a third validation metric (AUC or
 * accuracy: auc = 1 / 0) against the epoch, as an SVG plot. */
static int history_plot(const sp_train_history *h, const char *path, const char *title, int auc)
{
    int n = h->n;
    double *x = malloc(sizeof(double) * (n ? n : 1) * 4), *y1 = x + n, *y2 = y1 + n, *y3 = y2 + n;
    if (!x) return SP_ENOMEM;
    for (int i = 0; i < n; i++) {
        x[i] = h->epochs[i].epoch;
        y1[i] = h->epochs[i].train_loss;
        y2[i] = h->epochs[i].valid_logloss;
        y3[i] = auc ? h->epochs[i].valid_auc : h->epochs[i].valid_accuracy;
    }
    sp_plot_series s[3] = {{"train loss", x, y1, n},
                           {auc ? "valid logloss" : "valid loss", x, y2, n},
                           {auc ? "valid AUC" : "valid accuracy", x, y3, n}};
    sp_plot p = {title, "epoch", auc ? "loss / AUC" : "loss / accuracy", 0, 0, 0, s, 3};
    int rc = sp_plot_write_svg(&p, path);
    free(x);
    return rc;
}

/* Resume: checkpoint must agree with the explicit shape options and seed. */
static int wd_resume(wd_cli *o, sp_widedeep *m, sp_vocab **v, sp_train_history *h)
{
    int rc = sp_widedeep_load(o->resume, NULL, o->topt.batch, m, v, h);
    if (rc < 0) return rc;
    const char *bad = o->emb_set && m->cfg.emb_dim != o->cfg.emb_dim ? "--emb-dim" : NULL;
    if (o->deep_set && (m->cfg.n_deep != o->cfg.n_deep ||
                        memcmp(m->cfg.deep, o->cfg.deep, sizeof(int) * (size_t)o->cfg.n_deep)))
        bad = "--deep";
    if (o->seed_set && o->seed != m->seed) bad = "--seed";
    if (!*v) rc = sp_error(SP_EFORMAT, "%s: checkpoint has no vocabulary", o->resume);
    else if (bad)
        rc = sp_error(SP_EINVAL, "%s: checkpoint of another shape: %s differs from the checkpoint's "
                      "(emb_dim %d, %d deep layers, seed %llu)", o->resume, bad, m->cfg.emb_dim,
                      m->cfg.n_deep, (unsigned long long)m->seed);
    o->seed = m->seed;
    return rc;
}

static void wd_print_json(const wd_cli *o, const sp_widedeep *m, const sp_ctr_data *tr,
                          const sp_ctr_data *va, const sp_train_history *h)
{
    printf("{\"command\": \"train\", \"model_type\": \"widedeep\", \"data\": ");
    sp_json_string(stdout, o->data);
    printf(", \"train_rows\": %lld, \"valid_rows\": %lld, \"n_ids\": %d, \"emb_dim\": %d, \"deep\": [",
           (long long)tr->n, (long long)va->n, m->cfg.n_ids, m->cfg.emb_dim);
    for (int l = 0; l < m->cfg.n_deep; l++)
        printf("%s%d", l ? ", " : "", m->cfg.deep[l]);
    printf("], \"batch\": %d, \"seed\": %llu, \"threads\": %d, \"stopped_early\": %s, ", o->topt.batch,
           (unsigned long long)m->seed, sp_get_threads(), h->stopped_early ? "true" : "false");
    wd_json_epochs(stdout, h);
    printf(", \"model\": ");
    if (o->out) sp_json_string(stdout, o->out);
    else printf("null");
    printf("}\n");
}

static int wd_outputs(const wd_cli *o, const sp_train_history *h)
{
    int rc = SP_OK;
    if (o->history) rc = sp_train_history_write_csv(h, o->history);
    char title[96];
    snprintf(title, sizeof title, "Wide & Deep training (emb_dim %d)", o->cfg.emb_dim);
    if (rc == SP_OK && o->plot) rc = history_plot(h, o->plot, title, 1);
    return rc;
}

static int wd_train_run(wd_cli *o, sp_widedeep *m, sp_vocab **v, sp_ctr_data *tr,
                        sp_ctr_data *va, sp_train_history *h)
{
    int rc = SP_OK;
    if (o->resume) rc = wd_resume(o, m, v, h);
    sp_vocab *built = NULL;
    if (rc == SP_OK) rc = wd_cli_load(o, o->resume ? *v : NULL, &built, tr, va);
    if (rc < 0) return rc;
    if (!o->resume) *v = built;
    if (!o->resume) {
        o->cfg.n_ids = sp_vocab_n_ids(*v);
        if ((rc = sp_widedeep_init(m, &o->cfg, o->seed)) < 0) return rc;
    }
    if (o->export_data && (rc = wd_export_data(o->export_data, tr, va)) < 0) return rc;
    if (o->save_vocab && (rc = sp_vocab_save(*v, o->save_vocab)) < 0) return rc;
    if (!o->json) {
        printf("# Wide & Deep: %lld train rows, %lld validation rows, %d ids, emb_dim %d, batch %d, "
               "%d threads\n", (long long)tr->n, (long long)va->n, m->cfg.n_ids, m->cfg.emb_dim,
               o->topt.batch, sp_get_threads());
        wd_print_header(stdout);
        for (int i = 0; i < h->n; i++)
            wd_print_epoch(stdout, &h->epochs[i]);
    }
    wd_run run = {o, m, *v, h};
    o->topt.on_epoch = wd_on_epoch;
    o->topt.ctx = &run;
    if (o->out && m->epochs_done >= o->topt.epochs) rc = sp_widedeep_save(m, *v, h, o->out);
    if (rc == SP_OK) rc = sp_widedeep_train(m, tr, va, &o->topt, h);
    if (rc == SP_OK) rc = wd_outputs(o, h);
    if (rc == SP_OK && o->json) wd_print_json(o, m, tr, va, h);
    return rc;
}

static int cmd_train_widedeep(int argc, char **argv)
{
    wd_cli o;
    int r = wd_cli_parse(&o, argc, argv, 2, 0, print_help_widedeep);
    if (r) return r == 1 ? SP_EXIT_OK : r;
    sp_set_threads(o.threads > 0 ? o.threads : sp_get_threads());
    sp_widedeep m;
    memset(&m, 0, sizeof m);
    sp_vocab *v = NULL;
    sp_ctr_data tr, va;
    memset(&tr, 0, sizeof tr);
    memset(&va, 0, sizeof va);
    sp_train_history h;
    sp_train_history_init(&h);
    int rc = wd_train_run(&o, &m, &v, &tr, &va, &h);
    sp_widedeep_uninit(&m);
    sp_vocab_free(v);
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    sp_train_history_uninit(&h);
    return rc < 0 ? sp_cli_report("train widedeep", rc) : SP_EXIT_OK;
}

/* ---- train mlp ------------------------------------------------------------ */

static void print_help_mlp(FILE *out)
{
    fprintf(out,
            "usage: spartan train mlp DATA.csv [options]\n"
            "       spartan train mlp --images IMAGES.idx[.gz] --labels LABELS.idx[.gz] [options]\n\n"
            "Train a softmax MLP classifier on dense rows: CSV (plain or .gz; numbers only;\n"
            "the label is an integer class, last column by default) or IDX files (MNIST:\n"
            "images n x rows x cols of bytes, labels n bytes; DATA may also be the images\n"
            "file when --labels is given). Inputs are standardised with the training rows'\n"
            "column means and deviations.\n\n"
            "options:\n"
            "  --hidden LIST       hidden layer sizes [64]\n"
            "  --act NAME          relu, tanh, sigmoid, leaky_relu, elu [relu]\n"
            "  --optimizer NAME    sgd, momentum, adam [adam]    --lr X [1e-3]\n"
            "  --epochs N [20]  --batch N [64]  --valid-fraction F [0.2]  --seed S\n"
            "  --label-col K       0-based label column of a CSV [last]\n"
            "  --images FILE --labels FILE   IDX input     --limit N  first N rows only\n"
            "  --threads T  -o MODEL  --history OUT.csv  --plot OUT.svg  --json\n\n"
            "columns: accuracy and logloss on the validation rows, train_loss = mean\n"
            "training loss of the epoch, train_acc on the training batches.\n\n"
            "examples: spartan train mlp ../shared/data/digits/digits.csv.gz --hidden 64 --epochs 30\n"
            "          spartan train mlp --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz \\\n"
            "              --hidden 128 --epochs 5\n"
            "exit status: 0 success, 2 bad usage or input\n");
}

typedef struct mlp_cli {
    int hidden[16], n_hidden, epochs, batch, threads, json, label_col, limit;
    double lr, valid_fraction;
    uint64_t seed;
    sp_act act;
    sp_opt_kind opt;
    const char *data, *images, *labels, *out, *history, *plot;
} mlp_cli;

/* String-valued options of train mlp; 1 when argv[*i] was one. */
static int mlp_parse_path(mlp_cli *o, const char *n, const char *v)
{
    const char *names[] = {"-o", "--history", "--plot", "--images", "--labels"};
    const char **dst[] = {&o->out, &o->history, &o->plot, &o->images, &o->labels};
    for (int k = 0; k < 5; k++)
        if (!strcmp(n, names[k])) return *dst[k] = v, 1;
    return 0;
}

static int mlp_parse_one(mlp_cli *o, int argc, char **argv, int *i)
{
    const char *n = argv[*i], *c = "train mlp";
    if (!strcmp(n, "--json")) return o->json = 1;
    if (*i + 1 >= argc) {
        sp_cli_usage_error(c, "%s needs a value", n);
        return -1;
    }
    const char *v = argv[++*i];
    long x;
    if (mlp_parse_path(o, n, v)) return 1;
    if (!strcmp(n, "--hidden"))
        return (o->n_hidden = sp_cli_parse_int_list(c, n, v, 1, 1 << 16, o->hidden, 16)) < 0 ? -1 : 1;
    if (!strcmp(n, "--act")) return sp_act_parse(v, &o->act) < 0 ? sp_cli_usage_error(c, "--act: unknown '%s'", v), -1 : 1;
    if (!strcmp(n, "--optimizer"))
        return sp_opt_parse(v, &o->opt) < 0 || o->opt == SP_OPT_FTRL ? sp_cli_usage_error(c, "--optimizer: '%s' (sgd, momentum, adam)", v), -1 : 1;
    if (!strcmp(n, "--lr")) return sp_cli_parse_double(c, n, v, 1e-12, 1e6, &o->lr) < 0 ? -1 : 1;
    if (!strcmp(n, "--valid-fraction")) return sp_cli_parse_double(c, n, v, 0, 0.99, &o->valid_fraction) < 0 ? -1 : 1;
    if (!strcmp(n, "--seed")) return sp_cli_parse_u64(c, n, v, &o->seed) < 0 ? -1 : 1;
    int *dst = !strcmp(n, "--epochs") ? &o->epochs : !strcmp(n, "--batch") ? &o->batch
               : !strcmp(n, "--threads") ? &o->threads : !strcmp(n, "--label-col") ? &o->label_col
               : !strcmp(n, "--limit") ? &o->limit : NULL;
    if (!dst) return sp_cli_usage_error(c, "unknown option '%s'", n), -1;
    if (sp_cli_parse_int(c, n, v, dst == &o->label_col ? 0 : 1, 1 << 24, &x) < 0) return -1;
    *dst = (int)x;
    return 1;
}

static void mlp_defaults(mlp_cli *o)
{
    memset(o, 0, sizeof *o);
    o->hidden[0] = 64;
    o->n_hidden = 1;
    o->epochs = 20;
    o->batch = 64;
    o->lr = 1e-3;
    o->valid_fraction = 0.2;
    o->seed = SP_DEFAULT_SEED;
    o->act = SP_ACT_RELU;
    o->opt = SP_OPT_ADAM;
    o->label_col = -1;
}

/* Which input: CSV DATA, or IDX images (--images, or DATA with --labels) + --labels. */
static int mlp_check_inputs(mlp_cli *o)
{
    const char *c = "train mlp";
    if (o->images && o->data) return sp_cli_usage_error(c, "give DATA or --images, not both");
    if (o->labels && !o->images) o->images = o->data, o->data = NULL;
    if (o->images && !o->labels) return sp_cli_usage_error(c, "--images needs --labels");
    if (o->labels && !o->images) return sp_cli_usage_error(c, "--labels needs --images (or DATA)");
    if (!o->images && !o->data) return sp_cli_usage_error(c, "missing DATA.csv (or --images and --labels)");
    if (o->data && sp_idx_probe(o->data) == 1)
        return sp_cli_usage_error(c, "%s is an IDX file: give its labels with --labels", o->data);
    return 0;
}

static int mlp_parse(mlp_cli *o, int argc, char **argv)
{
    mlp_defaults(o);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help_mlp(stdout);
            return 1;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            if (mlp_parse_one(o, argc, argv, &i) < 0) return SP_EXIT_USAGE;
        } else if (o->data) {
            return sp_cli_usage_error("train mlp", "unexpected argument '%s'", argv[i]);
        } else {
            o->data = argv[i];
        }
    }
    return mlp_check_inputs(o);
}

static void mlp_print_header(FILE *out)
{
    fprintf(out, "%5s  %8s  %10s  %9s  %10s  %9s  %10s\n", "epoch", "accuracy", "train_loss",
            "train_acc", "valid_loss", "time_s", "samples/s");
}

static void mlp_print_epoch(FILE *out, const sp_epoch_stats *e)
{
    fprintf(out, "%5d  %8.4f  %10.5f  %9.4f  %10.5f  %9.2f  %10.0f\n", e->epoch, e->valid_accuracy,
            e->train_loss, e->train_accuracy, e->valid_logloss, e->seconds, e->samples_per_s);
    fflush(out);
}

static int mlp_on_epoch(void *ctx, const sp_epoch_stats *st)
{
    if (!((const mlp_cli *)ctx)->json) mlp_print_epoch(stdout, st);
    return 0;
}

static int mlp_load(const mlp_cli *o, sp_dense_data *all, sp_dense_data *tr, sp_dense_data *va)
{
    int rc = o->images ? sp_dense_data_load_idx(all, o->images, o->labels, o->limit)
                       : sp_dense_data_load_csv(all, o->data, o->label_col);
    if (rc == SP_OK && !o->images && o->limit > 0 && all->n > o->limit) all->n = o->limit;
    if (rc == SP_OK) rc = sp_dense_data_split(all, o->valid_fraction, o->seed, tr, va);
    if (rc == SP_OK && all->classes < 2)
        rc = sp_error(SP_EINVAL, "%s: need >= 2 classes, labels are all 0", o->images ? o->labels : o->data);
    return rc;
}

static void mlp_print_json(const mlp_cli *o, const sp_dense_data *all, const sp_dense_data *tr,
                           const sp_dense_data *va, const sp_train_history *h)
{
    printf("{\"command\": \"train\", \"model_type\": \"mlp\", \"data\": ");
    sp_json_string(stdout, o->images ? o->images : o->data);
    printf(", \"train_rows\": %lld, \"valid_rows\": %lld, \"features\": %d, \"classes\": %d, ",
           (long long)tr->n, (long long)va->n, all->features, all->classes);
    wd_json_epochs(stdout, h);
    printf(", \"model\": ");
    if (o->out) sp_json_string(stdout, o->out);
    else printf("null");
    printf("}\n");
}

static int mlp_run(mlp_cli *o, sp_dense_data *all, sp_dense_data *tr, sp_dense_data *va,
                   sp_mlp_classifier *c, sp_train_history *h)
{
    int rc = mlp_load(o, all, tr, va);
    if (rc < 0) return rc;
    int sizes[18], ns = 0;
    sizes[ns++] = all->features;
    for (int l = 0; l < o->n_hidden; l++)
        sizes[ns++] = o->hidden[l];
    sizes[ns++] = all->classes;
    sp_optim_config oc = sp_optim_defaults(o->opt);
    oc.lr = (float)o->lr;
    if ((rc = sp_mlp_classifier_init(c, ns, sizes, o->act, &oc, o->batch, o->seed)) < 0) return rc;
    if ((rc = sp_mlp_classifier_fit_scaler(c, tr)) < 0) return rc;
    sp_train_options to;
    sp_train_options_default(&to);
    to.epochs = o->epochs;
    to.batch = o->batch;
    to.on_epoch = mlp_on_epoch;
    to.ctx = o;
    if (!o->json) {
        printf("# MLP: %lld train rows, %lld validation rows, %d features, %d classes, %d threads\n",
               (long long)tr->n, (long long)va->n, all->features, all->classes, sp_get_threads());
        mlp_print_header(stdout);
    }
    if ((rc = sp_mlp_classifier_train(c, tr, va, &to, h)) < 0) return rc;
    if (o->history && (rc = sp_train_history_write_csv(h, o->history)) < 0) return rc;
    if (o->plot && (rc = history_plot(h, o->plot, "MLP training", 0)) < 0) return rc;
    if (o->out && (rc = sp_mlp_classifier_save(c, h, o->out)) < 0) return rc;
    if (o->json) mlp_print_json(o, all, tr, va, h);
    return SP_OK;
}

static int cmd_train_mlp(int argc, char **argv)
{
    mlp_cli o;
    int r = mlp_parse(&o, argc, argv);
    if (r) return r == 1 ? SP_EXIT_OK : r;
    sp_set_threads(o.threads > 0 ? o.threads : sp_get_threads());
    sp_dense_data all, tr, va;
    memset(&all, 0, sizeof all);
    memset(&tr, 0, sizeof tr);
    memset(&va, 0, sizeof va);
    sp_mlp_classifier c;
    memset(&c, 0, sizeof c);
    sp_train_history h;
    sp_train_history_init(&h);
    int rc = mlp_run(&o, &all, &tr, &va, &c, &h);
    sp_mlp_classifier_uninit(&c);
    sp_dense_data_uninit(&all);
    sp_dense_data_uninit(&tr);
    sp_dense_data_uninit(&va);
    sp_train_history_uninit(&h);
    return rc < 0 ? sp_cli_report("train mlp", rc) : SP_EXIT_OK;
}

int sp_cmd_train(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "widedeep")) return cmd_train_widedeep(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "mlp")) return cmd_train_mlp(argc, argv);
    FILE *out = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout : stderr;
    fprintf(out, "usage: spartan train widedeep DATA [options]   (Wide & Deep on Criteo data)\n"
                 "       spartan train mlp DATA.csv [options]    (softmax MLP on dense CSV)\n"
                 "       spartan train mlp --images I.idx --labels L.idx [options]  (MLP on IDX/MNIST)\n"
                 "see 'spartan train widedeep --help', 'spartan train mlp --help'\n");
    return out == stdout ? SP_EXIT_OK : SP_EXIT_USAGE;
}
