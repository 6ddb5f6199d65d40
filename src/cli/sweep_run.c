/* sweep_run.c: the embedding-dimension sweep (one Wide & Deep per dimension
 * on one vocabulary, split and seed) and its outputs: the report's comparison
 * table or JSON, the AUC-per-epoch plot, the history CSV; plus the bridge from
 * the advisor's result (`spartan embdim --train`). Guarantees every model sees
 * the same data in the same order; does not parse DATA or advise. */
#include "cli/sweep_run.h"
#include "cli/cli.h"
#include "cli/svg_plot.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int sweep_plot(const sweep_opts *o, const sp_train_history *h)
{
    sp_plot_series s[WD_CLI_MAX_DIMS];
    char names[WD_CLI_MAX_DIMS][32];
    size_t points = 0;
    for (int k = 0; k < o->n_emb_dims; k++)
        points += (size_t)h[k].n;
    double *buf = malloc(sizeof(double) * 2 * (points ? points : 1)), *p = buf;
    if (!buf) return SP_ENOMEM;
    for (int k = 0; k < o->n_emb_dims; k++) {
        snprintf(names[k], sizeof names[k], "emb_dim %d", o->emb_dims[k]);
        s[k] = (sp_plot_series){names[k], p, p + h[k].n, h[k].n};
        for (int e = 0; e < h[k].n; e++) {
            p[e] = h[k].epochs[e].epoch;
            p[h[k].n + e] = h[k].epochs[e].valid_auc;
        }
        p += 2 * h[k].n;
    }
    sp_plot plot = {"Wide & Deep: validation AUC per embedding dimension", "epoch",
                    "validation AUC", 0, 0, 0, s, o->n_emb_dims};
    int rc = sp_plot_write_svg(&plot, o->plot);
    free(buf);
    return rc;
}

static int sweep_history(const sweep_opts *o, const sp_train_history *h)
{
    sp_atomic_file f;
    int rc = sp_atomic_open(&f, o->history);
    if (rc < 0) return rc;
    fprintf(f.fp, "emb_dim,epoch,train_loss,deep_loss,valid_logloss,valid_auc,valid_accuracy,seconds,samples_per_s\n");
    for (int k = 0; k < o->n_emb_dims; k++)
        for (int e = 0; e < h[k].n; e++) {
            const sp_epoch_stats *s = &h[k].epochs[e];
            fprintf(f.fp, "%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.6g,%.6g\n", o->emb_dims[k], s->epoch,
                    s->train_loss, s->train_loss + s->penalty, s->valid_logloss, s->valid_auc,
                    s->valid_accuracy, s->seconds, s->samples_per_s);
        }
    return sp_atomic_commit(&f);
}

static void sweep_table(FILE *out, const sweep_opts *o, const sp_train_history *h)
{
    fprintf(out, "%7s  %6s  %8s  %7s  %8s  %9s  %9s  %11s  %10s\n", "emb_dim", "epochs",
            "accuracy", "AUC", "logloss", "wide_loss", "deep_loss", "epoch_time", "samples/s");
    for (int k = 0; k < o->n_emb_dims; k++) {
        if (h[k].n == 0) continue;
        const sp_epoch_stats *e = &h[k].epochs[h[k].n - 1];
        double t = 0, rows = 0;
        for (int i = 0; i < h[k].n; i++) {
            t += h[k].epochs[i].seconds;
            rows += h[k].epochs[i].samples_per_s * h[k].epochs[i].seconds;
        }
        fprintf(out, "%7d  %6d  %8.4f  %7.4f  %8.5f  %9.5f  %9.5f  %11.2f  %10.0f\n",
                o->emb_dims[k], h[k].n, e->valid_accuracy, e->valid_auc, e->valid_logloss,
                e->train_loss, e->train_loss + e->penalty, t / h[k].n, t > 0 ? rows / t : NAN);
    }
    fflush(out);
}

static void sweep_json(FILE *out, const char *data, const sweep_opts *o, const sp_ctr_data *tr,
                       const sp_ctr_data *va, const sp_train_history *h)
{
    fprintf(out, "{\"command\": \"sweep\", \"data\": ");
    sp_json_string(out, data);
    fprintf(out, ", \"train_rows\": %lld, \"valid_rows\": %lld, \"runs\": [", (long long)tr->n,
            (long long)va->n);
    for (int k = 0; k < o->n_emb_dims; k++) {
        fprintf(out, "%s{\"emb_dim\": %d, ", k ? ", " : "", o->emb_dims[k]);
        wd_json_epochs(out, &h[k]);
        fprintf(out, "}");
    }
    fprintf(out, "]}\n");
}

/* Train every dimension of o->emb_dims on tr / va into h[k]. */
static int sweep_train_all(sweep_opts *o, const sp_vocab *v, const sp_ctr_data *tr,
                           const sp_ctr_data *va, sp_train_history *h)
{
    for (int k = 0; k < o->n_emb_dims; k++) {
        sp_widedeep m;
        o->cfg.emb_dim = o->emb_dims[k];
        o->cfg.n_ids = sp_vocab_n_ids(v);
        int rc = sp_widedeep_init(&m, &o->cfg, o->seed);
        if (rc == SP_OK) rc = sp_widedeep_train(&m, tr, va, &o->topt, &h[k]);
        sp_widedeep_uninit(&m);
        if (rc < 0) return sp_error_prefix(rc, "emb_dim %d: ", o->emb_dims[k]);
        if (!o->json && !o->quiet)
            fprintf(stderr, "sweep: emb_dim %d done (AUC %.4f)\n", o->emb_dims[k],
                    h[k].n ? h[k].epochs[h[k].n - 1].valid_auc : 0.0);
    }
    return SP_OK;
}

static int sweep_outputs(FILE *out, const char *data, const sweep_opts *o, const sp_ctr_data *tr,
                         const sp_ctr_data *va, const sp_train_history *h)
{
    if (o->json) sweep_json(out, data, o, tr, va, h);
    else sweep_table(out, o, h);
    int rc = SP_OK;
    if (o->plot) rc = sweep_plot(o, h);
    if (rc == SP_OK && o->history) rc = sweep_history(o, h);
    return rc;
}

int sp_cli_sweep_dims(const char *data, const int *dims, int ndims, sweep_opts *o,
                      const sp_vocab *vocab, FILE *out)
{
    if (ndims < 1 || ndims > WD_CLI_MAX_DIMS)
        return sp_error(SP_EINVAL, "sweep: %d dimensions (1 to %d)", ndims, WD_CLI_MAX_DIMS);
    memmove(o->emb_dims, dims, sizeof(int) * (size_t)ndims);
    o->n_emb_dims = ndims;
    o->data = data;
    sp_vocab *built = NULL;
    sp_ctr_data tr, va;
    memset(&tr, 0, sizeof tr);
    memset(&va, 0, sizeof va);
    sp_train_history h[WD_CLI_MAX_DIMS];
    for (int k = 0; k < WD_CLI_MAX_DIMS; k++)
        sp_train_history_init(&h[k]);
    int rc = wd_cli_load(o, vocab, &built, &tr, &va);
    if (rc == SP_OK) rc = sweep_train_all(o, vocab ? vocab : built, &tr, &va, h);
    if (rc == SP_OK) rc = sweep_outputs(out, data, o, &tr, &va, h);
    for (int k = 0; k < WD_CLI_MAX_DIMS; k++)
        sp_train_history_uninit(&h[k]);
    sp_vocab_free(built);
    sp_ctr_data_uninit(&tr);
    sp_ctr_data_uninit(&va);
    return rc;
}

/* ---- from the advisor ---------------------------------------------------- */

int sp_cli_embdim_kept(const sp_embdim_result *r, double min_captured, int *dims, int cap)
{
    int n = 0;
    for (int i = 0; i < r->count && n < cap; i++) {
        const sp_embdim_candidate *c = &r->cand[i];
        if (!c->skipped && c->converged && c->captured >= min_captured) dims[n++] = c->k;
    }
    if (n == 0 && r->recommended > 0 && cap > 0) dims[n++] = r->recommended;
    return n;
}

/* The advisor's vocabulary: --vocab FILE, else its --vocab-out, else rebuilt. */
static int embdim_vocab(const char *data, const sp_cooc_args *c, sweep_opts *o, sp_vocab **v)
{
    *v = NULL;
    if (c->vocab_in || c->vocab_out) {
        o->vocab_path = c->vocab_in ? c->vocab_in : c->vocab_out;
        return SP_OK;
    }
    sp_criteo_options ro;
    sp_vocab_options vo;
    sp_cooc_options co;
    unsigned flags = 0;
    if (sp_cooc_args_options("embdim", c, &ro, &vo, &co, &flags) < 0)
        return sp_error(SP_EINVAL, "embdim --train: bad click-log options");
    return sp_vocab_build_from_file(data, &ro, &vo, v);
}

int sp_cli_embdim_train(const char *data, const sp_embdim_result *r, double min_captured,
                        const sp_cooc_args *c, int json, int argc, char **argv, FILE *out)
{
    const char *cmd = "embdim --train";
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--emb-dims"))
            return sp_cli_usage_error(cmd, "--emb-dims: the advisor picks the dimensions "
                                      "(set the candidates with --candidates)");
    sweep_opts o;
    int code = wd_cli_parse_sweep_options(&o, cmd, argc, argv, sp_cli_sweep_help);
    if (code) return code == 1 ? SP_EXIT_OK : code;
    if (o.vocab_path || o.min_count != 100 || o.hash_buckets || o.dense_log)
        return sp_cli_usage_error(cmd, "vocabulary options after --train: the sweep uses the "
                                  "advisor's vocabulary (give them before --train)");
    int dims[WD_CLI_MAX_DIMS];
    int nd = sp_cli_embdim_kept(r, min_captured, dims, WD_CLI_MAX_DIMS);
    if (nd == 0) return sp_cli_usage_error(cmd, "the advisor kept no dimension to train");
    o.json = o.json || json;
    if (!o.json) fprintf(out, "\n# sweep over the advisor's kept dimensions\n");
    sp_set_threads(o.threads > 0 ? o.threads : sp_get_threads());
    sp_vocab *v = NULL;
    int rc = embdim_vocab(data, c, &o, &v);
    if (rc == SP_OK) rc = sp_cli_sweep_dims(data, dims, nd, &o, v, out);
    sp_vocab_free(v);
    return rc < 0 ? sp_cli_report("embdim --train", rc) : SP_EXIT_OK;
}

void sp_cli_sweep_help(FILE *out)
{
    fprintf(out,
            "usage: spartan sweep DATA --emb-dims LIST [training options]\n\n"
            "Train Wide & Deep once per embedding dimension (default 16,24,32,40,80) with\n"
            "the same vocabulary, split, seed and settings, and compare them: final\n"
            "validation accuracy, AUC and logloss, wide and deep training loss, mean epoch\n"
            "time and samples/s per dimension.\n\n"
            "options: --emb-dims LIST, and those of 'spartan train widedeep' (--deep,\n"
            "--epochs, --batch, --lr-deep, --lr-wide, --l2, --min-count, --hash-buckets,\n"
            "--dense, --vocab, --valid,\n"
            "--valid-fraction, --patience, --threads, --seed), plus\n"
            "  --plot OUT.svg      validation AUC against epoch, one line per dimension\n"
            "  --history OUT.csv   every epoch of every dimension (first column emb_dim)\n"
            "  --json              {\"runs\": [{\"emb_dim\", \"epochs\": [...]}, ...]}\n"
            "  --quiet             no per-dimension progress lines on stderr\n\n"
            "The same options follow `spartan embdim DATA ... --train`, which sweeps the\n"
            "dimensions the advisor kept (converged, capturing the required share) on the\n"
            "advisor's vocabulary.\n\n"
            "example: spartan sweep ../shared/data/criteo/criteo_train_8000.txt --epochs 5 --batch 1000\n"
            "exit status: 0 success, 2 bad usage or input\n");
}
